"""Margin certificates from Lipschitz constants (Tsuzuku, Sato & Sugiyama 2018; reference notes on the law of
robustness, §7 item 8).  Binary: if |f(x)| = gamma and Lip_p(f) <= L then sign f is constant on the open ball
of radius gamma / L (the gradient's dual norm bounds the change).  Several classes: the radius is at least
min_{j != y} (f_y - f_j)(x) / L_yj with L_yj the constant of f_y - f_j, and L_yj <= sqrt 2 L for L the l_2
constant of the logit map (||(e_y - e_j)^T J|| <= sqrt 2 ||J||).  For affine f the certificate is exact:
the radius is |w.x + b| / ||w||_*.

Checked exactly against the exact robust radius of ``certified_radius`` (the largest ball on which the
decision holds), with the constants from ``lipschitz_constant`` on R^d: radius >= gamma / L (in squares for
l_2), equality for affine f, and the multiclass chain."""
import random

from flint import fmpq

from exactmem import ReLUNet, Verdict, certified_radius
from exactmem.claims import claim
from exactmem.lipschitz import lipschitz_constant


def _net(rng, dims):
    return ReLUNet([([[fmpq(rng.randint(-5, 5), rng.choice((1, 2))) for _ in range(a)] for _ in range(b)],
                     [fmpq(rng.randint(-3, 3), 2) for _ in range(b)]) for a, b in zip(dims, dims[1:])])


def _instances():
    for seed in range(3):
        yield f"binary, [2, 5, 1], seed {seed}", ("binary", seed, [2, 5, 1])
    yield "affine 3x - 4y + 1 (hidden unit always on)", ("affine", None, None)
    for seed in (3, 4):
        yield f"three classes, [2, 4, 3], seed {seed}", ("multi", seed, [2, 4, 3])


def _binary(net, x):
    g = net.evaluate([x]).tolist()[0][0]
    if g == 0:
        return None
    label = 2 if g > 0 else 1                                        # sign semantics: label 2 means f > 0
    out = []
    for p in ("inf", 2):
        L = lipschitz_constant(net, p)
        R = certified_radius(net, x, label, p=p, semantics="sign")
        if p == 2:
            out.append((p, L.upper_sq == 0 or R.lower_sq * L.upper_sq >= g * g, R.lower_sq, g * g / L.upper_sq))
        else:
            out.append((p, L.upper == 0 or R.lower * L.upper >= abs(g), R.lower, abs(g) / L.upper))
    return out


@claim("Tsuzuku18.margin", "a margin gamma and a Lipschitz bound L certify the decision on the ball of radius "
       "gamma / L (several classes: min_j (f_y - f_j) / L_yj >= M / (sqrt 2 L)); exact for affine f",
       {"networks": _instances}, source="Tsuzuku, Sato & Sugiyama 2018 (Lipschitz-margin training); reference "
       "notes on the law of robustness, §7 item 8",
       uses=('Law.two_layer',))
def check(inst):
    kind, seed, dims = inst
    if kind == "affine":                     # relu(3x - 4y + 1 + 100) - 100 on R^2: affine where x, y > -20
        net = ReLUNet([([[3, -4]], [101]), ([[1]], [-100])])
        x = [fmpq(1), fmpq(1, 2)]                                    # f = 2
        p2 = certified_radius(net, x, 2, p=2, semantics="sign")
        pinf = certified_radius(net, x, 2, p="inf", semantics="sign")
        ok = p2.is_exact and p2.lower_sq == fmpq(4, 25) and pinf.is_exact and pinf.lower == fmpq(2, 7)
        return Verdict.from_exact(ok, f"radius^2 (l_2) = {p2.lower_sq} = 2^2 / 5^2, radius (l_inf) = {pinf.lower} "
                                  f"= 2 / (3 + 4), both exact (by hand)")
    rng = random.Random(seed)
    net = _net(rng, dims)
    x = [fmpq(rng.randint(-4, 4), 2) for _ in range(dims[0])]
    if kind == "binary":
        out = _binary(net, x)
        if out is None:
            return Verdict.undecided("f(x) = 0: no margin")
        return Verdict.from_exact(all(t[1] for t in out), "; ".join(
            f"p = {p}: exact radius{'^2' if p == 2 else ''} {r} >= margin bound {b}" for p, _, r, b in out))
    f = net.evaluate([x]).tolist()[0]
    y = max(range(3), key=lambda j: f[j])
    if sum(1 for t in f if t == f[y]) > 1:
        return Verdict.undecided("a tie at the point")
    W, b = net.layers[-1]
    L2 = lipschitz_constant(net, 2)                                  # the logit map, l_2 -> l_2 (in the square)
    ratios, chain = [], True
    for j in (t for t in range(3) if t != y):
        row = [[W[y, c] - W[j, c] for c in range(W.ncols())]]
        diff = ReLUNet(list(net.layers[:-1]) + [(row, [b[y, 0] - b[j, 0]])])
        Lyj = lipschitz_constant(diff, 2).upper_sq
        chain = chain and Lyj <= 2 * L2.upper_sq                     # L_yj <= sqrt 2 L
        ratios.append((f[y] - f[j]) ** 2 / Lyj if Lyj else None)
    R = certified_radius(net, x, y + 1, p=2, semantics="argmax")
    bound = min(r for r in ratios if r is not None)
    ok = chain and R.lower_sq >= bound and L2.verdict.is_proved
    return Verdict.from_exact(ok, f"exact radius^2 {R.lower_sq} >= min_j (f_y - f_j)^2 / L_yj^2 = {bound}; L_yj^2 <= "
                              f"2 L^2 with L^2 <= {float(L2.upper_sq):.6g}: {chain}")
