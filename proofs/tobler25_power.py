"""Power iteration is not an upper bound (Tobler, Syeda & Murray, CAV 2025; reference notes on the law of
robustness, §7 item 7).  The t-step estimate of sigma_max^2, the Rayleigh quotient rho_t = ||W v_t||^2 /
||v_t||^2 with v_{t+1} = W^T W v_t, never exceeds sigma_max^2 -- it is a lower bound -- and can lie far below
it when the start vector is nearly orthogonal to the top singular vector.  Checked exactly: rho_t <=
lambda_max(W^T W) by Descartes' rule (``kernel.lipschitz.at_least``) for seeded matrices and starts; for
W = diag(10, 1) from v_0 = (1/1000, 1), rho_1 = 200/101 < 2 while sigma_max^2 = 100 (by hand), and a
certificate that takes rho_1 for an upper bound on the Lipschitz constant of x -> W x is rejected by the
kernel, whose own answer is 100."""
import random

from flint import fmpq, fmpq_mat

from exactmem import ReLUNet, Verdict, box, kernel
from exactmem.claims import claim
from exactmem.kernel.lipschitz import at_least
from exactmem.lipschitz import lipschitz_constant


def rayleigh(W, v, steps):
    """[rho_0, ..., rho_steps], exact rationals."""
    G, out = W.transpose() * W, []
    for _ in range(steps + 1):
        x = fmpq_mat(len(v), 1, v)
        out.append(((W * x).transpose() * (W * x))[0, 0] / (x.transpose() * x)[0, 0])
        v = (G * x).entries()
    return out


def _instances():
    for seed, (r, c) in ((0, (2, 2)), (1, (3, 3)), (2, (4, 3)), (3, (3, 5))):
        yield f"W {r}x{c}, seed {seed}", ("seeded", seed, r, c)
    yield "W = diag(10, 1), v_0 = (1/1000, 1)", ("trap", None, 2, 2)


@claim("Tobler25.power", "t steps of power iteration give a Rayleigh quotient <= sigma_max^2: an estimate from "
       "below, which a certifier must not use as an upper bound", {"matrices": _instances},
       source="Tobler, Syeda & Murray, CAV 2025 (power iteration is unsound as a certificate); reference notes "
       "§7 item 7")
def check(inst):
    kind, seed, r, c = inst
    if kind == "seeded":
        rng = random.Random(seed)
        W = fmpq_mat([[fmpq(rng.randint(-5, 5)) for _ in range(c)] for _ in range(r)])
        v = [fmpq(rng.randint(-3, 3) or 1, rng.choice((1, 7))) for _ in range(c)]
        rho = rayleigh(W, v, 6)
        ok = all(at_least(W.tolist(), 2, q) for q in rho)
        return Verdict.from_exact(ok, f"rho_0..rho_6 ~ {', '.join(f'{float(q):.6g}' for q in rho)}, each <= "
                                  f"sigma_max^2 (Descartes)")
    W = fmpq_mat([[10, 0], [0, 1]])
    rho = rayleigh(W, [fmpq(1, 1000), fmpq(1)], 2)
    net = ReLUNet([([[10, 0], [0, 1]], [100, 100]), ([[1, 0], [0, 1]], [-100, -100])])   # x -> W x on [-1, 1]^2
    L = lipschitz_constant(net, 2, box([-1, -1], [1, 1]))
    naive = dict(L.certificate, data={**L.certificate["data"], "upper_sq": str(rho[1])})
    rejected = not kernel.check(kernel.sign(naive)).is_proved
    ok = rho[1] == fmpq(200, 101) and L.is_exact and L.upper_sq == 100 and rejected
    return Verdict.from_exact(ok, f"rho_1 = {rho[1]}, rho_2 ~ {float(rho[2]):.6g}, sigma_max^2 = {L.upper_sq} "
                              f"(exact); the power-iteration certificate is {'rejected' if rejected else 'ACCEPTED'}")
