"""Theorem B.3: rho-robust memorization for rho <= 1/(5 N sqrt d) with O~(sqrt N + d) parameters.

Pipeline (every step exact; the kernel proves the result from the network itself):

1. projection W (m x d) with exactly orthonormal rows: the identity when m = d (d < 864 ln N), else a
   certified SRHT projection with eps_{WD}^2 >= (5/12)^2 (m/d) eps_D^2 (Lemma B.20);
2. a rational scale s <= 1/(4 N mu) (so every robustness ball maps into a ball of radius
   r = 1/(4N)) -- exactmem chooses s directly from this inequality, where the paper writes
   (11/9) sqrt(d) / eps_D; no finite-precision rounding (Lemma B.23) is needed in exact arithmetic;
3. the first layer sigma(s W x + c) with c = -b + K: b the exact midpoint translation (Lemma B.15,
   margin >= 1/(2N); docs/errata.md explains why exactmem does not round b) and K integers that
   make every digit non-negative, so the ReLU is the identity on every ball;
4. Flatten with Floor_n, gamma = 1/(4N): every ball point has frac in (1/(4N), 1) in every coordinate;
5. the integer memorizer (Lemma B.10) on the distinct (cell index, label) pairs.

>>> from exactmem import Dataset
>>> D = Dataset([[0, 0], [3, 1], [1, 4], [4, 4]], [1, 2, 2, 1])
>>> net, cert = small_rho_memorizer(D, "1/100")
>>> cert.verify().is_proved, cert.info["m"]
(True, 2)
"""
from __future__ import annotations

from flint import fmpq, fmpq_mat

from ..blocks.flatten import cell_certificate, flatten_net
from ..blocks.intmem import integer_memorizer
from ..blocks.projection import find_projection, identity, m_small_rho
from ..blocks.translation import midpoint_translation
from ..certify.records import robust_certificate
from ..data import Dataset
from ..errors import ExactmemError, RhoError
from ..exact import fmt, floor_q, round_sig, sqrt_enclosure
from ..network import ReLUNet
from ..norms import check_rho


class ConstructionError(ExactmemError, RuntimeError):
    """A construction could not be completed (e.g. no certified projection within the allowed tries)."""


def small_rho_bound(D: Dataset) -> tuple:
    """(N, d): rho must satisfy rho^2 <= 1/(25 N^2 d) (exact form of rho <= 1/(5 N sqrt d))."""
    return D.N, D.d


def in_small_regime(D: Dataset, rho) -> bool:
    rho = check_rho(rho)
    return rho * rho * 25 * D.N * D.N * D.d <= 1


def project(D: Dataset, W_full, W1) -> list:
    """Rows W1 x_i (fast path: W1 = s I when W_full is the identity, so no m x d product is formed)."""
    m, d = W1.nrows(), W1.ncols()
    if W_full.nrows() == W_full.ncols() == m == d and W_full == identity(d):
        s = W1[0, 0]
        return [[s * v for v in row] for row in D.points.tolist()]
    return (D.points * W1.transpose()).tolist()


def stage_one_projection(D: Dataset, tries: int = 20, seed: int = 0):
    """(W_full, W): the identity when m = d, else a certified SRHT with eps_WD^2 >= (5/12)^2 (m/d) eps_D^2."""
    N, d = D.N, D.d
    m = m_small_rho(N, d) if N >= 2 else d
    if m == d:
        W_full = identity(d)
    else:
        P, _, _ = find_projection(D, m, fmpq(25, 144) * fmpq(m, d), "srht", tries=tries, seed=seed)
        if P is None:
            raise ConstructionError(f"no certified projection to m = {m} in {tries} tries")
        W_full = P.full
    return W_full, fmpq_mat(m, d, [W_full[i, j] for i in range(m) for j in range(d)])


def small_rho_plan(D: Dataset, rho, tries: int = 20, seed: int = 0) -> dict:
    """Everything of Theorem B.3's network but the dense matrices: projection, scale, translation, grid
    (R, n, gamma = 1/t) and the integer memorizer (built) -- ``small_rho_memorizer`` assembles it."""
    rho = check_rho(rho)
    if not in_small_regime(D, rho):
        raise RhoError(f"rho = {fmt(rho)} is above 1/(5 N sqrt d) for N = {D.N}, d = {D.d} (Theorem B.3's range)")
    N = D.N
    W_full, W = stage_one_projection(D, tries, seed)
    m = W.nrows()
    r = fmpq(1, 4 * N)
    # s <= 1/(4 N rho eps): use an upper enclosure of eps
    eps_hi = sqrt_enclosure(D.eps_sq, prec=64).hi
    s = 1 / (4 * N * rho * eps_hi)
    s = round_sig(s, 40)                                   # keep s short; still <= the bound, at any scale
    W1 = W * s
    P_pts = project(D, W_full, W1)
    b, _ = midpoint_translation(P_pts)
    K = [-floor_q(min(row[j] for row in P_pts) - b[j]) for j in range(m)]
    c = [K[j] - b[j] for j in range(m)]
    centres = [[row[j] + c[j] for j in range(m)] for row in P_pts]
    t = 4 * N
    R = max(2, max(floor_q(v) for row in centres for v in row) + 1)
    n = max(1, (R - 1).bit_length())
    cells = cell_certificate(centres, D.labels, r, fmpq(1, t), R)
    if not cells["ok"]:
        raise ConstructionError("grid certificate failed: " + "; ".join(cells["problems"][:3]))
    pairs = {}
    for idx, y in zip(cells["indices"], D.labels):
        pairs[idx] = y
    mem = integer_memorizer(list(pairs), list(pairs.values()))
    return {"rho": rho, "W_full": W_full, "W1": W1, "m": m, "s": s, "c": c, "r": r, "t": t, "R": R, "n": n,
            "mem": mem}


def small_rho_network(pl: dict) -> ReLUNet:
    """memorizer o Flatten o sigma(W1 x + c) from a plan."""
    m = pl["m"]
    first = ReLUNet([(pl["W1"], pl["c"]), (identity(m), [0] * m)])
    return first.then(flatten_net(m, pl["R"], pl["n"], pl["t"])).then(pl["mem"].net)


def small_rho_memorizer(D: Dataset, rho, tries: int = 20, seed: int = 0):
    """Build (network, certificate) for rho <= 1/(5 N sqrt d) (Theorem B.3)."""
    pl = small_rho_plan(D, rho, tries, seed)
    R, n, t, mem = pl["R"], pl["n"], pl["t"], pl["mem"]
    net = small_rho_network(pl)
    cert = robust_certificate(
        D, net, pl["rho"], claim="Theorem B.3: the network outputs y_i on every open ball B(x_i, rho eps_D)",
        info={"construction": "Theorem B.3", "m": pl["m"], "scale": fmt(pl["s"]), "r": fmt(pl["r"]),
              "gamma": fmt(fmpq(1, t)), "R": R, "n": n, "memorizer_points": len(mem.points),
              "repairs": "exact midpoint translation (no rounding of b); scale s chosen from s * mu <= 1/(4N)"})
    return net, cert
