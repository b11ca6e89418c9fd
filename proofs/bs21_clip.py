"""Bubeck & Sellke 2021, proof of Theorem 2: one may assume f maps into [-1, 1], since clipping improves both the
fit to labels in [-1, 1] and the Lipschitz constant (reference notes on the laws, §7 item 19).  Here with a
scale eta: h = clip(g / eta, -1, 1) is one more ReLU layer, Lip(h) <= Lip(g) / eta (exact constants of both)
and (h(x_i) - y_i)^2 <= (g(x_i) / eta - y_i)^2 for y_i in [-1, 1]."""
import random

from flint import fmpq

from exactmem import ReLUNet, Verdict, all_of, box
from exactmem.claims import claim
from exactmem.exact import fmt
from exactmem.lipschitz import lipschitz_constant

from ._lipschitz_instances import random_net


def clipped(g: ReLUNet, eta) -> ReLUNet:
    """x -> clip(g(x) / eta, -1, 1) = -1 + relu(g/eta + 1) - relu(g/eta - 1): g's output layer feeds two units."""
    eta = fmpq(eta)
    return g.then(ReLUNet([([[1 / eta], [1 / eta]], [1, -1]), ([[1, -1]], [-1])]))


def _clip(t):
    return max(fmpq(-1), min(fmpq(1), t))


def _instances():
    for seed, (dims, eta) in enumerate([([1, 4, 1], fmpq(1, 2)), ([1, 3, 3, 1], fmpq(3)), ([2, 4, 1], fmpq(1)),
                                        ([2, 3, 2, 1], fmpq(1, 5)), ([3, 3, 1], fmpq(2, 3))]):
        rng = random.Random(1000 + seed)
        g = random_net(1000 + seed, dims)
        d = dims[0]
        X = [[fmpq(rng.randint(-8, 8), 4) for _ in range(d)] for _ in range(6)]
        y = [fmpq(rng.randint(-4, 4), 4) for _ in range(6)]
        yield f"dims={dims} eta={eta}", (g, eta, X, y)


@claim("BS21.Thm2.clip",
       "h = clip(g / eta, -1, 1), one ReLU layer after g, has Lip_p(h) <= Lip_p(g) / eta (p = 1, 2, inf; exact "
       "constants on a box) and (h(x_i) - y_i)^2 <= (g(x_i)/eta - y_i)^2 for labels in [-1, 1]",
       {"seeded random": _instances},
       source="Bubeck & Sellke 2021, proof of Theorem 2 (the clipping step); reference notes §7 item 19")
def check(inst):
    g, eta, X, y = inst
    h = clipped(g, eta)
    parts = []
    gv, hv = g.evaluate(X).entries(), h.evaluate(X).entries()
    parts.append(Verdict.from_exact(all(b == _clip(a / eta) for a, b in zip(gv, hv)),
                                    "the network is clip(g / eta, -1, 1) at the points (exact evaluation)"))
    worse = [i for i, (a, b, t) in enumerate(zip(gv, hv, y)) if (b - t) ** 2 > (a / eta - t) ** 2]
    parts.append(Verdict.from_exact(not worse, "clipping never increases the squared error", witness={"points": worse}))
    d = g.input_dim
    B = box([-2] * d, [2] * d)
    for p in ("inf", 1, 2):
        Lg, Lh = lipschitz_constant(g, p, B), lipschitz_constant(h, p, B)
        if not (Lg.verdict.is_proved and Lh.verdict.is_proved):
            parts.append(Verdict.undecided(f"p = {p}: a Lipschitz constant was not proved"))
            continue
        # proved ends: Lip(h) <= upper(h) and lower(g) <= Lip(g), so upper(h) <= lower(g) / eta proves the claim
        ok = Lh.upper_sq <= Lg.lower_sq / eta ** 2 if p == 2 else Lh.upper <= Lg.lower / eta
        what = "Lip^2" if p == 2 else "Lip"
        hi = Lh.upper_sq if p == 2 else Lh.upper
        lo = Lg.lower_sq if p == 2 else Lg.lower
        parts.append(Verdict.from_exact(ok, f"p = {p}: {what}(h) = {fmt(hi)} <= {what}(g) / eta{'^2' if p == 2 else ''}"
                                            f" = {fmt(lo / (eta ** 2 if p == 2 else eta))}",
                                        witness={"h": fmt(hi), "g": fmt(lo)}))
    return all_of(parts, f"g with dims {g.dims}, eta = {fmt(eta)}")
