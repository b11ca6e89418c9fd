"""Issue 22 (the constructions at the size of real data sets): regression tests of the scale fixes.

Each fix must leave the result unchanged: the certificates of the constructions on subsets of the real
data sets are still PROVED by the kernel, and the networks still give each centre its label (checked by
exact evaluation, independently of the kernel's ball analysis).
"""
from __future__ import annotations

import random

import pytest
from flint import fmpq_mat

import exactmem
from exactmem import kernel
from exactmem.data import Dataset
from exactmem.network import ReLUNet

datasets = pytest.importorskip("sklearn.datasets")


def _subset(X, y, n, decimals):
    """n rows chosen with a fixed seed (wine is sorted by label); floats read as the decimals they print."""
    idx = sorted(random.Random(0).sample(range(len(X)), n))
    pts = [[repr(float(v)) for v in X[i]] if decimals else [int(v) for v in X[i]] for i in idx]
    rank = {c: k + 1 for k, c in enumerate(sorted({int(y[i]) for i in idx}))}     # labels 1..C
    return Dataset(pts, [rank[int(y[i])] for i in idx])


def test_network_stores_each_layer_once():
    """The network keeps one exact matrix per weight and bias (it used to keep transposed copies as well,
    doubling the memory of the dense layers): the stored entries are exactly Eq. (3)'s parameter count."""
    net = ReLUNet([([[1, 0, 2], [0, -1, 0]], [0, 1]), ([[1, 1]], ["1/2"])])
    stored = sum(m.nrows() * m.ncols() for v in vars(net).values() if isinstance(v, list)
                 for m in v if isinstance(m, fmpq_mat))
    assert stored == net.param_count() == (3 + 1) * 2 + (2 + 1) * 1     # Eq. (3) by hand: 11


def test_large_rho_on_wine_subset_is_proved():
    """Theorem B.14 Case I (rho = 1/2) on 4 wine samples (d = 13): PROVED, and every centre gets its label."""
    X, y = datasets.load_wine(return_X_y=True)
    D = _subset(X, y, 4, decimals=True)
    assert D.C >= 2
    net, cert = exactmem.memorize(D, "1/2")
    assert cert.info["regime"] == "large" and cert.info["case"] == "I"
    assert kernel.check(cert.to_json()).is_proved
    assert net.evaluate(D.points).entries() == list(D.labels)


def test_moderate_on_digits_subset_is_proved():
    """Theorem B.5 (rho = eta = 1/100) on 3 digits (d = 64): PROVED with error below eta, centres labelled."""
    X, y = datasets.load_digits(return_X_y=True)
    D = _subset(X, y, 3, decimals=False)
    assert D.C >= 2
    net, cert = exactmem.memorize(D, "1/100", eta="1/100")
    assert cert.info["regime"] == "moderate"
    v = exactmem.verify(net, D, "1/100", cert)
    assert v.is_proved and v.details["max_error_bound"] < exactmem.to_rational("1/100")
    assert net.evaluate(D.points).entries() == list(D.labels)
