"""KMY25 Sec. 2.4: scale invariance -- if f rho-robustly memorizes D then x -> f(x / c) does so for cD."""
import random

from flint import fmpq, fmpq_mat

from exactmem import ReLUNet, Verdict, all_of
from exactmem.claims import claim
from exactmem.ramp1d import ramp_memorizer_1d
from exactmem.robust import ball_probe_points, robustly_memorizes

from ._instances import random_dataset


def _scale(seed):
    rng = random.Random(seed)
    return fmpq(rng.randint(1, 40), rng.randint(1, 40))


def _one_dim():
    for seed in range(8):
        D = random_dataset(300 + seed, N=6 + seed, d=1, C=2 + seed % 2, denom=1 + seed % 3, span=8)
        yield f"1-D seed={seed}", (D, fmpq(1 + seed, 10), _scale(seed), None)


def _multi_dim():
    for seed in range(6):
        rng = random.Random(400 + seed)
        D = random_dataset(400 + seed, N=8 + seed, d=2 + seed % 3, C=2, denom=2)
        W1 = [[fmpq(rng.randint(-5, 5), rng.randint(1, 4)) for _ in range(D.d)] for _ in range(4)]
        f = ReLUNet([(W1, [rng.randint(-2, 2) for _ in range(4)]), ([[1, -1, 2, 1]], [0])])
        yield f"d={D.d} seed={seed}", (D, fmpq(1, 3), _scale(seed + 50), f)


@claim("KMY25.Sec2.4",
       "scale invariance: x -> f(x/c) rho-robustly memorizes cD, with the same parameter count",
       {"one-dimensional (decided)": _one_dim, "random nets, d > 1 (identity)": _multi_dim},
       source="Kim, Moon & Yun 2025, Sec. 2.4")
def check(inst):
    D, rho, c, f = inst
    if f is None:
        f = ramp_memorizer_1d(D, rho)
    cD = D.scaled(c)
    g = f.pre_affine(fmpq_mat(D.d, D.d, [fmpq(1) / c if i == j else 0 for i in range(D.d) for j in range(D.d)]))
    parts = [Verdict.from_exact(g.param_count() == f.param_count() and g.dims == f.dims,
                                f"same architecture {f.dims}, {f.param_count()} parameters"),
             Verdict.from_exact(cD.eps_sq == c * c * D.eps_sq, "eps_{cD}^2 = c^2 eps_D^2 (exact)")]
    # g(c x) = f(x) for all x: g's first weight matrix times c is f's, all else equal (exact identity)
    (G1, gb), (F1, fb) = g.layers[0], f.layers[0]
    same = G1 * c == F1 and gb == fb and g.layers[1:] == f.layers[1:]
    parts.append(Verdict.from_exact(same, "g(c x) = f(x) identically (exact layer identity)"))
    if D.d == 1:
        before, after = robustly_memorizes(f, D, rho), robustly_memorizes(g, cD, rho)
        parts += [before, after]
    else:  # ball correspondence: x in B(x_i, mu) iff c x in B(c x_i, c mu), on exact probe points
        for i in range(D.N):
            for x in ball_probe_points(D, i, rho):
                if not cD.in_ball(i, [c * t for t in x], rho):
                    return Verdict.refuted("a scaled probe left the scaled ball", {"ball": i})
    return all_of(parts, "scale invariance")
