"""Reference notes on the law of robustness, §7 item 1: every certified upper bound U on Lip_2 of a network that
interpolates f(x_i) = y_i satisfies U^2 >= max_{i != j} (y_i - y_j)^2 / ||x_i - x_j||^2 (the definition of the
Lipschitz constant applied to the pair), and a certificate claiming less is rejected by the kernel.  The floor is
computed here by brute force over the pairs (``steepest_sq``), never by the ``data_bound`` under check: the library's
value must equal it, so a floor that is too small (or too large) is refuted, and the certified bounds are compared
with the claim's own floor."""
from flint import fmpq

from exactmem import Verdict, box, kernel
from exactmem.claims import claim
from exactmem.lipschitz import data_bound, lipschitz_constant, path_bound, product_bound
from exactmem.lipschitz.families import pl_interpolant
from exactmem.lipschitz.interpolation import cap_interpolant
from exactmem.lipschitz.sphere import random_signs, sphere_points


def steepest_sq(X, y) -> fmpq:
    """max over i < j of (y_i - y_j)^2 / ||x_i - x_j||_2^2, in exact rationals over every pair (the points are
    distinct)."""
    pts = [[fmpq(t) for t in x] for x in X]
    vals = [fmpq(t) for t in y]
    best = fmpq(0)
    for i in range(len(pts)):
        for j in range(i + 1, len(pts)):
            dist_sq = sum(((a - b) ** 2 for a, b in zip(pts[i], pts[j])), fmpq(0))
            best = max(best, (vals[i] - vals[j]) ** 2 / dist_sq)
    return best


def _instances():
    yield "1-D knots (0, 0), (1, 3), (3, 2), (4, 6)", ([[0], [1], [3], [4]], [0, 3, 2, 6], None)
    for n, d, seed in ((5, 2, 0), (6, 3, 1), (8, 4, 2)):
        X, y = sphere_points(n, d, seed), random_signs(n, d, seed)
        yield f"caps on S^{d - 1}, n = {n}, seed {seed}", (X, y, "cap")


@claim("Law.pairwise", "a certified upper bound on Lip_2 of an interpolant is at least the data's largest slope "
       "|y_i - y_j| / ||x_i - x_j||, and a certificate claiming less is rejected",
       {"interpolants": _instances}, source="reference notes on the law of robustness, §7 item 1 (INFERRED: "
       "the definition of the Lipschitz constant)")
def check(inst):
    X, y, kind = inst
    net = cap_interpolant(X, y) if kind == "cap" else pl_interpolant([x[0] for x in X], y)
    fits = [v[0] for v in net.evaluate(X).tolist()] == [fmpq(t) for t in y]
    floor = steepest_sq(X, y)                                           # the largest squared slope, by brute force
    lib = data_bound(X, y, 2).value                                     # the library's, under check
    d = len(X[0])
    L = lipschitz_constant(net, 2, box([-1] * d, [1] * d) if kind == "cap" else box([-1], [5]))
    uppers = {"exact constant (upper end)": L.upper_sq, "product of layer norms": product_bound(net, 2).value,
              "paths": path_bound(net, 2).value}
    low = [k for k, u in uppers.items() if u < floor]
    forged = dict(L.certificate, data={**L.certificate["data"], "upper_sq": str(floor * fmpq(99, 100))})
    rejected = not kernel.check(kernel.sign(forged)).is_proved
    ok = fits and lib == floor and not low and L.verdict.is_proved and rejected
    agree = "agrees" if lib == floor else f"says {lib}"
    return Verdict.from_exact(ok, f"interpolates: {fits}; squared data slope {floor} (brute force over the pairs; "
                              f"data_bound {agree}); every certified bound above it"
                              f"{'' if not low else ' except ' + ', '.join(low)}; a certificate at 99/100 of it "
                              f"{'is rejected' if rejected else 'was ACCEPTED'}")
