"""Theorem B.14: rho in (1/(5 sqrt d), 1), all five cases.

Cases I-II (rho >= 1/3 or d < 600 ln N): the paper applies Yu et al.'s construction directly
(Lemma D.2); Cases III-V first apply an exactly orthonormal projection W (Prop. B.21 / B.19) and build
the same construction on the projected data, for balls of the same radius.  exactmem's version: inputs are
offset to be positive on every ball, then for each centre c_i a distance-threshold block
T_i = 1 on B(x_i, mu), T_i = 0 where ||x - x_i|| >= 2 eps - mu (Yarotsky's square, k layers), accumulated
per label and clamped, output sum_c c min(1, A_c).  Width <= 5d + C, depth N (k + 3) + 3,
O(N d^2 k) parameters with k = O(log(d / (1 - rho))).

>>> from exactmem import Dataset
>>> D = Dataset([[0, 0], [3, 1], [1, 4]], [1, 2, 1])
>>> net, cert = large_rho_memorizer(D, "1/2")
>>> cert.verify().is_proved
True
"""
from __future__ import annotations

from flint import fmpq

from ..certify.records import robust_certificate
from ..data import Dataset
from ..errors import ExactmemError, RhoError
from ..exact import ceil_log, ceil_q, fmt, round_sig, sqrt_enclosure
from ..network import ReLUNet
from ..norms import check_rho
from .layers import yu_layers, yu_threshold_units


class CaseNotImplementedError(ExactmemError, NotImplementedError):
    """A case of Theorem B.14 could not be built (e.g. no certified projection within the allowed tries)."""


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


def yu_plan(D: Dataset, rho, mu_sq=None) -> dict:
    """Plan of the Yu-style memorizer of D for balls of squared radius mu_sq (default (rho eps_D)^2).

    With the default, hi = (2 eps - mu)^2 = (2 - rho)^2 eps^2 exactly; for another mu (projected data)
    hi = (2 e_lo - m_hi)^2 from rational enclosures e_lo <= eps_D and m_hi >= mu, recorded in the plan."""
    rho = check_rho(rho)
    eps_sq = D.eps_sq
    if mu_sq is None:
        mu_sq = rho * rho * eps_sq
        hi = (2 - rho) ** 2 * eps_sq                   # (2 eps - mu)^2, exactly
        e_lo = m_hi = None
    else:
        e_lo = sqrt_enclosure(eps_sq, prec=64).lo
        m_hi = sqrt_enclosure(mu_sq, prec=64).hi
        if not 2 * e_lo > m_hi or not e_lo > m_hi:
            raise RhoError("the projected separation does not exceed the ball radius")
        hi = (2 * e_lo - m_hi) ** 2
    B = sqrt_enclosure(hi, prec=32).hi                 # B^2 >= hi
    B = round_sig(B, 24, up=True)                      # short, and relative: the same at every scale
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
            "labels": list(D.labels), "e_lo": e_lo, "m_hi": m_hi, "mu_sq": mu_sq}


def large_rho_memorizer(D: Dataset, rho, tries: int = 10, seed: int = 0):
    """Theorem B.14: Cases I-II directly; Cases III-V after an exactly orthonormal projection W
    (Prop. B.21's data-span map for III; the certified SRHT with the paper's m for IV, after B.21 for V)."""
    rho = check_rho(rho)
    if 25 * D.d * rho * rho <= 1:
        raise RhoError(f"rho = {fmt(rho)} is not above 1/(5 sqrt d) (Theorem B.14's range)")
    case = b14_case(D, rho)
    W_full = None
    if case in ("I", "II"):
        target, plan = D, yu_plan(D, rho)
    else:
        from ..blocks.projection import data_span, find_projection, m_case_iv, m_case_v
        if case == "III":
            P = data_span(D)
            W_full, W = P.full, P.W
        else:
            m = m_case_iv(D.N, D.d, rho) if case == "IV" else m_case_v(D.N, rho)
            if m > D.d:
                raise CaseNotImplementedError(f"Case {case}: m = {m} exceeds d = {D.d}")
            P, _, _ = find_projection(D, m, fmpq(36, 25) * rho * rho, "srht", tries=tries, seed=seed)
            if P is None:
                raise CaseNotImplementedError(f"Case {case}: no certified projection in {tries} tries")
            W_full, W = P.full, P.W
        target = Dataset(D.points * W.transpose(), D.labels)
        plan = yu_plan(target, rho, mu_sq=rho * rho * D.eps_sq)
    yu = ReLUNet.from_sparse(yu_layers(plan), plan["d"])
    net = yu if W_full is None else ReLUNet.affine(W).then(yu)
    span, zeros = plan["hi"] - plan["lo"], ["0"] * plan["C"]
    quadratic = []
    for c, (v_unit, w_unit) in zip(plan["centres"], yu_threshold_units(plan["d"], plan["C"], plan["k"], D.N)):
        centre = [fmt(t) for t in c] + zeros        # S_i ~ |u - c_i|^2 in the sources u = x + o (or W x + o)
        for (layer, unit), alpha in ((v_unit, 1 / span), (w_unit, -1 / span)):
            quadratic.append({"layer": layer, "unit": unit, "alpha": fmt(alpha), "centre": centre,
                              "clip": fmt(plan["B"])})
    info = {"construction": "Theorem B.14", "case": case, "d": plan["d"], "C": plan["C"], "k": plan["k"],
            "B": fmt(plan["B"]), "lo": fmt(plan["lo"]), "hi": fmt(plan["hi"])}
    if W_full is not None:
        info["m"] = W_full.nrows()
    cert = robust_certificate(D, net, rho, hints={"quadratic": quadratic}, info=info,
                              claim=f"Theorem B.14 (Case {case}): the network outputs y_i on every open ball "
                                    f"B(x_i, rho eps_D)")
    return net, cert
