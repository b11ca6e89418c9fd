"""Theorem B.14, Cases I and II: rho in (1/(5 sqrt d), 1) with rho >= 1/3 or d < 600 ln N.

The paper applies Yu et al.'s construction directly here (Lemma D.2).  exactmem's version: inputs are
offset to be positive on every ball, then for each centre c_i a distance-threshold block
T_i = 1 on B(x_i, mu), T_i = 0 where ||x - x_i|| >= 2 eps - mu (Yarotsky's square, k layers), accumulated
per label and clamped, output sum_c c min(1, A_c).  Width <= 5d + C, depth N (k + 3) + 3,
O(N d^2 k) parameters with k = O(log(d / (1 - rho))).  Cases III-V (projection first) are not built yet.

>>> from exactmem import Dataset
>>> D = Dataset([[0, 0], [3, 1], [1, 4]], [1, 2, 1])
>>> net, cert = large_rho_memorizer(D, "1/2")
>>> cert.verify().is_proved
True
"""
from __future__ import annotations

from flint import fmpq

from ..certify.recipes import yu_layers
from ..certify.records import Certificate, dataset_payload
from ..data import Dataset
from ..errors import ExactmemError, RhoError
from ..exact import ceil_log, ceil_q, fmt, sqrt_enclosure
from ..network import ReLUNet
from ..norms import check_rho


class CaseNotImplementedError(ExactmemError, NotImplementedError):
    """Theorem B.14's Cases III-V (projection before Yu et al.'s construction) are not built yet."""


def b14_case(D: Dataset, rho) -> str:
    """'I' (rho >= 1/3), 'II' (d < 600 ln N), 'III' (N < 600 ln N <= d), 'IV' (N >= d >= 600 ln N), 'V' (d > N >= 600 ln N)."""
    rho = check_rho(rho)
    if rho >= fmpq(1, 3):
        return "I"
    t = ceil_log(D.N, 600) if D.N > 1 else 0  # 600 ln N is irrational: d < 600 ln N  <=>  d < ceil(600 ln N)
    if D.d < t:
        return "II"
    if D.N < t:
        return "III"
    return "IV" if D.N >= D.d else "V"


def yu_plan(D: Dataset, rho) -> dict:
    rho = check_rho(rho)
    eps_sq = D.eps_sq
    mu_sq = rho * rho * eps_sq
    hi = (2 - rho) ** 2 * eps_sq                       # (2 eps - mu)^2, exactly
    B = sqrt_enclosure(hi, prec=32).hi                 # B^2 >= hi
    B = fmpq(ceil_q(B * 2 ** 20), 2 ** 20)
    d = D.d
    k = 1
    while d * B * B / 4 ** (k + 1) > (hi - mu_sq) / 2:
        k += 1
    lo = mu_sq + d * B * B / 4 ** (k + 1)
    mu_hi = sqrt_enclosure(mu_sq, prec=32).hi
    cols = D.points.transpose().tolist()
    o = [fmpq(ceil_q(mu_hi - min(col)) + 1) for col in cols]
    centres = [[v + oj for v, oj in zip(D.point(i), o)] for i in range(D.N)]
    return {"d": d, "C": D.C, "o": o, "B": B, "k": k, "lo": lo, "hi": hi, "centres": centres,
            "labels": list(D.labels)}


def large_rho_memorizer(D: Dataset, rho):
    rho = check_rho(rho)
    if 25 * D.d * rho * rho <= 1:
        raise RhoError(f"rho = {fmt(rho)} is not above 1/(5 sqrt d) (Theorem B.14's range)")
    case = b14_case(D, rho)
    if case not in ("I", "II"):
        raise CaseNotImplementedError(f"Theorem B.14 Case {case} (projection first) is not built yet")
    plan = yu_plan(D, rho)
    net = ReLUNet(yu_layers(plan))
    data = {"rho": fmt(rho), "case": case, "d": plan["d"], "C": plan["C"], "k": plan["k"],
            "o": [fmt(v) for v in plan["o"]], "B": fmt(plan["B"]), "lo": fmt(plan["lo"]), "hi": fmt(plan["hi"])}
    cert = Certificate("robust-memorization-large-rho",
                       f"Theorem B.14 (Case {case}): the network outputs y_i on every open ball B(x_i, rho eps_D)",
                       dataset_payload(D), net.to_json(), data)
    return net, cert
