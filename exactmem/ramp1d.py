"""A hand-made robust memorizer for one-dimensional data (used to test Definition 2.2 exactly).

For sorted points x_(1) < ... < x_(N) the network starts at the first label and, between
consecutive points with different labels, adds a linear ramp from x_(k) + mu to
x_(k+1) - mu, made of two ReLUs: (sigma(x - a) - sigma(x - b)) / (b - a).  Because
|x_(k+1) - x_(k)| >= 2 eps_D > 2 mu when rho < 1, every ramp has positive length and lies
outside all robustness balls, so the network rho-robustly memorizes the data -- and no
larger ratio, since each ramp starts on a ball's boundary.

>>> from exactmem import Dataset
>>> f = ramp_memorizer_1d(Dataset([[0], [4], [6]], [1, 2, 2]), "1/2")
>>> f([1]), f([2]), f(["11/2"])
([1], [3/2], [2])
"""
from __future__ import annotations

from flint import fmpq

from .data import Dataset
from .errors import DimensionMismatchError
from .network import ReLUNet
from .norms import check_rho


def ramp_memorizer_1d(D: Dataset, rho) -> ReLUNet:
    if D.d != 1:
        raise DimensionMismatchError(f"ramp_memorizer_1d needs one-dimensional data, got d = {D.d}")
    rho = check_rho(rho)
    mu = rho * D.eps(1)
    pts = sorted(((D.point(i)[0], D.labels[i]) for i in range(D.N)), key=lambda t: t[0])
    rows, biases, out = [], [], []
    for (x0, y0), (x1, y1) in zip(pts, pts[1:]):
        if y0 == y1:
            continue
        a, b = x0 + mu, x1 - mu
        rows += [[1], [1]]
        biases += [-a, -b]
        s = fmpq(y1 - y0) / (b - a)
        out += [s, -s]
    return ReLUNet([(rows, biases), ([out], [pts[0][1]])])
