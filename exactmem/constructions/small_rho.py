"""Theorem B.3: rho-robust memorization for rho <= 1/(5 N sqrt d) with O~(sqrt N + d) parameters.

Pipeline (every step exact; the certificate records what the checker re-proves):

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
>>> cert.verify().is_proved
True
"""
from __future__ import annotations

from flint import fmpq, fmpq_mat

from ..blocks.floor import floor_net
from ..blocks.flatten import cell_certificate, flatten_net
from ..blocks.intmem import integer_memorizer
from ..blocks.projection import find_projection, identity, m_small_rho
from ..blocks.translation import midpoint_translation
from ..certify.records import Certificate, dataset_payload
from ..data import Dataset
from ..errors import ExactmemError, RhoError
from ..exact import fmt, floor_q, sqrt_enclosure
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


def small_rho_memorizer(D: Dataset, rho, tries: int = 20, seed: int = 0):
    """Build (network, certificate) for rho <= 1/(5 N sqrt d) (Theorem B.3)."""
    rho = check_rho(rho)
    if not in_small_regime(D, rho):
        raise RhoError(f"rho = {fmt(rho)} is above 1/(5 N sqrt d) for N = {D.N}, d = {D.d} (Theorem B.3's range)")
    N, d = D.N, D.d
    m = m_small_rho(N, d) if N >= 2 else d
    if m == d:
        W_full = identity(d)
    else:
        P, _, _ = find_projection(D, m, fmpq(25, 144) * fmpq(m, d), "srht", tries=tries, seed=seed)
        if P is None:
            raise ConstructionError(f"no certified projection to m = {m} in {tries} tries")
        W_full = P.full
    W = fmpq_mat(m, d, [W_full[i, j] for i in range(m) for j in range(d)])
    r = fmpq(1, 4 * N)
    # s <= 1/(4 N rho eps): use an upper enclosure of eps
    eps_hi = sqrt_enclosure(D.eps_sq, prec=64).hi
    s = 1 / (4 * N * rho * eps_hi)
    s = fmpq(floor_q(s * 2 ** 40), 2 ** 40) if s > fmpq(1, 2 ** 30) else s  # keep s short; still <= bound
    W1 = W * s
    P_pts = (D.points * W1.transpose()).tolist()
    b, _ = midpoint_translation(P_pts)
    K = [-floor_q(min(row[j] for row in P_pts) - b[j]) for j in range(m)]
    c = [K[j] - b[j] for j in range(m)]
    centres = [[row[j] + c[j] for j in range(m)] for row in P_pts]
    t = 4 * N
    gamma = fmpq(1, t)
    R = max(2, max(floor_q(v) for row in centres for v in row) + 1)
    n = max(1, (R - 1).bit_length())
    cells = cell_certificate(centres, D.labels, r, gamma, R)
    if not cells["ok"]:
        raise ConstructionError("grid certificate failed: " + "; ".join(cells["problems"][:3]))
    pairs = {}
    for idx, y in zip(cells["indices"], D.labels):
        pairs[idx] = y
    mem = integer_memorizer(list(pairs), list(pairs.values()))
    first = ReLUNet([(W1, c), (identity(m), [0] * m)])
    flat = flatten_net(m, R, n, t)
    net = first.then(flat).then(mem.net)
    cert = Certificate(
        "robust-memorization-small-rho",
        "Theorem B.3: the network outputs y_i on every open ball B(x_i, rho eps_D)",
        dataset_payload(D), net.to_json(),
        {"rho": fmt(rho), "W_full": [[fmt(v) for v in row] for row in W_full.tolist()], "scale": fmt(s),
         "c": [fmt(v) for v in c], "r": fmt(r), "gamma": fmt(gamma), "R": R, "n": n,
         "floor": floor_net(n, t).to_json(), "memorizer": mem.net.to_json(),
         "repairs": "exact midpoint translation (no rounding of b); scale s chosen from s * mu <= 1/(4N)"})
    return net, cert
