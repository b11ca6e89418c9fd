"""KMY25 Lemma B.8: bit extraction -- Telgarsky's triangle map and BIN_{i:j} as exact networks; width <= 5 and
bits <= n + 2 (the lemma's), depth j + 1 (exactmem peels one bit per layer from the top, where the lemma's
triangle-map version starts from encodings at depth 3(j - i + 1))."""
from exactmem import Verdict, all_of
from exactmem.blocks import BIN, bin_net, triangle_net
from exactmem.claims import claim
from exactmem.pl1d import pieces

from ._sizes import Bound, size_verdict


def _cases():
    yield "triangle", None
    for n in range(1, 7):
        yield f"BIN n={n}", n


@claim("KMY25.LemB.8", "phi(z) = sigma(sigma(2z) - sigma(4z-2)) is the tent map; BIN_{i:j} nets are exact on all integers",
       {"exhaustive": _cases}, source="Kim, Moon & Yun 2025, Lemma B.8 (Vardi et al. Lemma A.7)")
def check(n):
    if n is None:
        ps = [(p.lo, p.hi, p.slope[0], p.intercept[0]) for p in pieces(triangle_net())]
        ok = len(ps) == 4 and ps[1][1] == ps[2][0] and 2 * ps[1][1] == 1 and ps[1][2:] == (2, 0) and \
            ps[2][2:] == (-2, 2) and ps[0][2:] == (0, 0) and ps[3][2:] == (0, 0) and BIN(1, 3, 37) == 4
        return Verdict.from_exact(bool(ok), "pieces 0 | 2z on [0,1/2] | 2-2z on [1/2,1] | 0; BIN_{1:3}(37) = 4",
                                  witness=[str(p) for p in ps])
    parts = []
    for i in range(1, n + 1):
        for j in range(i, n + 1):
            net = bin_net(n, i, j)
            xs = list(range(2 ** n))
            outs = net.evaluate([[x] for x in xs]).entries()
            ok = all(v == int(format(x, f"0{n}b")[i - 1:j], 2) for x, v in zip(xs, outs))
            parts.append(Verdict.from_exact(ok, f"BIN_{{{i}:{j}}} on all {2 ** n} integers"))
            parts.append(size_verdict(net, {"width": Bound(b=5), "depth": Bound(b=j + 1), "bits": Bound(b=n + 2)},
                                      f"BIN_{{{i}:{j}}}"))
    return all_of(parts, f"all BIN_{{i:j}} with j <= {n}")
