"""Proposition 3.3 / C.8: a set of k * floor(N/2) points shattered by robust memorizers.

k = floor(1/(1 - rho^p)) (at most d when rho <= (1 - 1/d)^(1/p)).  Group l has the points
c_l + e_j, j = 1..k, with c_l = 2 d^2 (l - 1) e_1.  For a labelling y of the group, with J+ / J-
the indices labelled +1 / -1, the two data points are

    x_{2l-1} = c_l + sum_{J+} e_j - sum_{J-} e_j   (label 2),
    x_{2l}   = c_l - sum_{J+} e_j + sum_{J-} e_j   (label 1).

Every c_l + e_j is at l_p distance exactly (k - 1)^(1/p) from the data point of its label, which
is at most mu because rho^p >= (k - 1)/k and eps_{D,p}^p >= k; so it lies in the closed
robustness ball and, by continuity, a robust memorizer f gives it that label: 2f - 3 realises y.

>>> inst = shattering_instance(d=3, rho="4/5", groups=2, labelling=[1, -1, -1, -1])
>>> inst.k, inst.check().is_proved
(2, True)
"""
from __future__ import annotations

from dataclasses import dataclass

from flint import fmpq

from ..data import Dataset
from ..errors import NetworkError, NormError
from ..exact import fmt, floor_q
from ..norms import check_rho
from ..verdict import Verdict


def _pow(x: fmpq, p: int) -> fmpq:
    return x ** p


def vc_k(rho, d: int, p: int = 2) -> int:
    """k = floor(1 / (1 - rho^p)), capped at d (the paper's convention beyond (1 - 1/d)^(1/p))."""
    rho = check_rho(rho)
    if isinstance(p, bool) or not isinstance(p, int) or p < 1:
        raise NormError(f"Proposition C.8 is for integer p >= 1 here, got {p!r}")
    return min(d, floor_q(1 / (1 - _pow(rho, p))))


@dataclass
class ShatteringInstance:
    d: int
    rho: fmpq
    p: int
    k: int
    groups: int
    labelling: list
    shattered: list   # the k * groups points c_l + e_j
    dataset: Dataset  # the 2 * groups data points

    def check(self) -> Verdict:
        """Prove exactly: D is in D_{d,N,2}; eps^p >= k; every shattered point is in the closed ball of
        the data point carrying its label (distance^p = k - 1 <= mu^p)."""
        D, p, k = self.dataset, self.p, self.k
        eps_p = _eps_pow(D, p)
        if eps_p < k:
            return Verdict.refuted(f"eps_D^p = {fmt(eps_p)} < k = {k}", {"eps_p": fmt(eps_p)})
        mu_p = _pow(self.rho, p) * eps_p
        if not _pow(self.rho, p) * k >= k - 1:
            return Verdict.refuted("rho^p < (k-1)/k", {"rho": fmt(self.rho)})
        for idx, (pt, y) in enumerate(zip(self.shattered, self.labelling)):
            g = idx // self.k
            target = 2 * g if y == 1 else 2 * g + 1  # x_{2l-1} (label 2) or x_{2l} (label 1), 0-based
            dist_p = sum((abs(a - b) ** p for a, b in zip(pt, D.point(target))), fmpq(0))
            if dist_p != k - 1 or dist_p > mu_p:
                return Verdict.refuted(f"shattered point {idx} is at distance^p {fmt(dist_p)} from its data point",
                                       {"point": idx})
        return Verdict.proved(f"{len(self.shattered)} points: each within distance^p k-1 = {k - 1} <= mu^p = "
                              f"{fmt(mu_p)} of the data point with its label; eps^p = {fmt(eps_p)} >= k")


def _eps_pow(D: Dataset, p: int) -> fmpq:
    """eps_{D,p}^p exactly (p = 1, 2 from the kernels, other integer p by direct minimum)."""
    if p == 1:
        return D.eps(1)
    if p == 2:
        return D.eps_sq
    best = None
    for i in range(D.N):
        for j in range(i + 1, D.N):
            if D.labels[i] != D.labels[j]:
                v = sum((abs(a - b) ** p for a, b in zip(D.point(i), D.point(j))), fmpq(0))
                best = v if best is None or v < best else best
    return best / 2 ** p


def shattering_instance(d: int, rho, groups: int, labelling, p: int = 2) -> ShatteringInstance:
    """Build the shattered set and the dataset realising ``labelling`` (a list of +1/-1, k per group)."""
    rho = check_rho(rho)
    if isinstance(d, bool) or not isinstance(d, int) or d < 2:
        raise NetworkError(f"the construction needs d >= 2, got {d!r}")
    if isinstance(groups, bool) or not isinstance(groups, int) or groups < 1:
        raise NetworkError(f"groups must be a positive int, got {groups!r}")
    k = vc_k(rho, d, p)
    labelling = list(labelling)
    if len(labelling) != k * groups or any(y not in (1, -1) for y in labelling):
        raise NetworkError(f"labelling must be {k * groups} values in {{+1, -1}} (k = {k}, groups = {groups})")
    shattered, pts, labels = [], [], []
    for l in range(groups):
        c = [fmpq(2 * d * d * l)] + [fmpq(0)] * (d - 1)
        ys = labelling[l * k:(l + 1) * k]
        s = [fmpq(0)] * d
        for j, y in enumerate(ys):
            s[j] = fmpq(y)
            e = list(c)
            e[j] += 1
            shattered.append(e)
        pts.append([a + b for a, b in zip(c, s)])
        labels.append(2)
        pts.append([a - b for a, b in zip(c, s)])
        labels.append(1)
    return ShatteringInstance(d, rho, p, k, groups, labelling, shattered, Dataset(pts, labels))
