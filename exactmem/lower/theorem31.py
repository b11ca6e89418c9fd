"""Theorem 3.1 as a calculator: the lower bound's terms for given N, d, rho, exactly.

* width term (Prop. 3.2 / C.6 / C.7): any rho-robust memorizer of the hard dataset has
  first-layer width m >= w := the exact bound, so at least ceil(w) (and >= 1) neurons and
  (d + 1) * max(1, ceil(w)) parameters in the first layer alone;
* VC term (Prop. 3.3 / C.8): the class F_{d,P} must shatter k * floor(N/2) points,
  k = floor(1/(1 - rho^p)) capped at d; by Goldberg & Jerrum (1995) VC(F_{d,P}) = O(P^2), so
  P = Omega(sqrt(k floor(N/2))).  The constant of O(P^2) is not stated in the paper, so this
  term is reported as sqrt(k floor(N/2)) "up to a constant" and as the exact VC bound.

>>> lb = lower_bound(N=100, d=10, rho="9/10")
>>> lb.width_neurons, lb.first_layer_params, lb.vc_dimension, lb.dominant
(9, 99, 250, 'width')
"""
from __future__ import annotations

from dataclasses import dataclass

from flint import fmpq

from ..errors import NetworkError
from ..exact import ceil_q, fmt, isqrt_ceil
from ..norms import INF, check_p, check_rho
from .width import width_bound, width_dataset
from .shattering import vc_k


@dataclass
class LowerBound:
    N: int
    d: int
    rho: fmpq
    p: object
    width_bound: fmpq
    width_neurons: int
    first_layer_params: int
    k: int
    vc_dimension: int
    vc_sqrt: int
    dominant: str

    def hard_instance(self):
        """The dataset realising the dominant term (width: Prop. 3.2's; VC: one shattering labelling)."""
        if self.dominant == "width":
            return width_dataset(self.N, self.d)
        from .shattering import shattering_instance
        groups = self.N // 2
        return shattering_instance(self.d, self.rho, groups, [1] * (self.k * groups),
                                   self.p if self.p != INF else 1).dataset

    def summary(self) -> str:
        return (f"N={self.N}, d={self.d}, rho={fmt(self.rho)}, p={self.p}: first-layer width >= {fmt(self.width_bound)} "
                f"-> >= {self.width_neurons} neurons, >= {self.first_layer_params} first-layer parameters; "
                f"VC-dimension >= k*floor(N/2) = {self.k}*{self.N // 2} = {self.vc_dimension} -> P >= c*sqrt = "
                f"c*{self.vc_sqrt}; dominant term: {self.dominant}")


def lower_bound(N: int, d: int, rho, p=2) -> LowerBound:
    """Evaluate the terms of Theorem 3.1 (C.5 for p != 2) exactly; ``dominant`` compares the two terms
    with the Goldberg-Jerrum constant taken as 1."""
    if isinstance(N, bool) or not isinstance(N, int) or N < 2:
        raise NetworkError(f"N must be an int >= 2, got {N!r}")
    if isinstance(d, bool) or not isinstance(d, int) or d < 1:
        raise NetworkError(f"d must be a positive int, got {d!r}")
    rho, p = check_rho(rho), check_p(p)
    w = width_bound(N, d, rho, p)
    neurons = max(1, ceil_q(w))
    if p == INF:
        k = 1  # Prop. C.8 needs p < infinity; only the sqrt(N) memorization bound remains
    else:
        k = vc_k(rho, d, p) if d >= 2 else 1
    vc = k * (N // 2)
    vc_sqrt = isqrt_ceil(vc)
    first = (d + 1) * neurons
    return LowerBound(N, d, rho, p, w, neurons, first, k, vc, vc_sqrt, "width" if first >= vc_sqrt else "VC")
