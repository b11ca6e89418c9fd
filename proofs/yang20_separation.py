"""Yang, Rashtchian, Zhang, Salakhutdinov & Chaudhuri (NeurIPS 2020), "A Closer Look at Accuracy vs.
Robustness": if differently labelled points are at least 2r apart, the nearest-class classifier
argmin_c dist(x, X^(c)) is right on every ball of radius r around the data, with 1/r-Lipschitz scores
dist / r (reference notes on the laws, §7 item 10).  Built as an exact ReLU network for l_inf and decided by
exactmem's exact analysis."""
from flint import fmpq

from exactmem import Dataset, ReLUNet, Verdict, all_of, certified_radius, robustly_memorizes
from exactmem.claims import claim
from exactmem.exact import fmt
from exactmem.lipschitz import lipschitz_constant
from exactmem.lipschitz.mcshane import separation_classifier

from ._lipschitz_instances import bounding_box, lip_equals, signed_dataset


def _hand():
    # by hand the closest differently labelled pairs are 2 apart in l_inf ((0,0)-(2,0), (0,0)-(0,2), (2,0)-(4,1)):
    # r = eps_D = 1
    D = Dataset([[0, 0], [2, 0], [0, 2], [4, 1]], [1, 2, 2, 3])
    yield "4 points, 3 classes, r = 1", (D, fmpq(1), fmpq(1))
    yield "same, r = 1/2 < eps_D", (D, fmpq(1, 2), fmpq(1))


def _seeded():
    for seed, (n, frac) in enumerate([(5, fmpq(3, 4))]):
        D, _ = signed_dataset(800 + seed, n, 2, den=2)
        yield f"n={n} r = {frac} eps_D seed={seed}", (D, frac * D.eps("inf"), None)


def _slow():
    D, _ = signed_dataset(801, 6, 2, den=2)
    yield "n=6 r = 9/10 eps_D", (D, fmpq(9, 10) * D.eps("inf"), None)
    for seed, (n, d) in enumerate([(6, 2), (8, 2), (4, 3)]):
        D, _ = signed_dataset(850 + seed, n, d)
        yield f"n={n} d={d} r = eps_D seed={seed}", (D, None, None)


def _output(net, c):
    """Output c of the network alone, with every unit that has no path of nonzero weights to it removed (the
    same function: a removed unit's value is multiplied by 0 wherever it is read)."""
    layers = [(W.tolist(), b.entries()) for W, b in net.layers]
    keep = [c]
    pruned = []
    for l in range(len(layers) - 1, -1, -1):
        W, b = layers[l]
        rows = [W[i] for i in keep]
        cols = [j for j in range(len(W[0])) if any(r[j] != 0 for r in rows)] if l else list(range(len(W[0])))
        pruned.append(([[r[j] for j in cols] for r in rows], [b[i] for i in keep]))
        keep = cols
    return ReLUNet(pruned[::-1])


@claim("Yang20.separation",
       "for 2r-separated classes the nearest-class network (scores -dist_inf(x, X^(c)) / r) is right on every open "
       "l_inf ball of radius r around the data (exact certified radii >= r), and each score is exactly 1/r-Lipschitz",
       {"hand-made": _hand, "seeded random": _seeded, "larger": _slow}, slow_families=("larger",),
       source="Yang, Rashtchian, Zhang, Salakhutdinov & Chaudhuri 2020, the r-separation theorem (Theorem 3.2 in "
              "the law catalog, record Yang20.Thm3.2); reference notes §7 item 10",
       uses=('McShane34.ext',))
def check(inst):
    D, r, eps_by_hand = inst
    eps = D.eps("inf")
    parts = []
    if eps_by_hand is not None:
        parts.append(Verdict.from_exact(eps == eps_by_hand, f"eps_D = {fmt(eps)} (by hand {fmt(eps_by_hand)})"))
    r = eps if r is None else r                          # the classes are 2 eps_D apart: any r <= eps_D will do
    X = [D.point(i) for i in range(D.N)]
    g = separation_classifier(X, list(D.labels), r, "inf")
    B = bounding_box(X)
    for c in range(D.C):
        score = _output(g, c)
        probe = [(a + b) / 3 for a, b in zip(X[0], X[-1])]
        if score(probe)[0] != g(probe)[c]:
            return Verdict.refuted(f"pruning changed score {c + 1}", {"x": [fmt(t) for t in probe]})
        parts.append(lip_equals(lipschitz_constant(score, "inf", B), 1 / r, f"score {c + 1}"))
    if r < eps:                                          # balls of radius r = (r / eps_D) eps_D: decided exactly
        parts.append(robustly_memorizes(g, D, r / eps, "inf", semantics="argmax"))
        return all_of(parts, f"{D.N} points, {D.C} classes, r = {fmt(r)}, network dims {g.dims}")
    parts.append(robustly_memorizes(g, D, fmpq(99, 100), "inf", semantics="argmax"))
    radii = []                                           # r = eps_D: the exact certified radius of every ball
    for k in range(D.N):
        rad = certified_radius(g, X[k], D.labels[k], "inf", semantics="argmax")
        if not rad.verdict.is_proved:
            parts.append(Verdict.undecided(f"certified radius at point {k}: {rad.verdict.reason}"))
            continue
        radii.append(rad.lower)
        parts.append(Verdict.from_exact(rad.lower >= r, f"the argmax is right on the open ball of radius "
                                        f"{fmt(rad.lower)} >= r around point {k}", witness={"radius": fmt(rad.lower)}))
    # the radius r = eps_D cannot be beaten: the closest opposite pair's midpoint is a tie
    if len(radii) == D.N:
        parts.append(Verdict.from_exact(min(radii) == eps, f"the least certified radius is eps_D = {fmt(eps)}",
                                        witness={"radii": [fmt(t) for t in radii]}))
    return all_of(parts, f"{D.N} points, {D.C} classes, r = {fmt(r)}, network dims {g.dims}")
