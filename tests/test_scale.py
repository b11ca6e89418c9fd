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


def test_network_stores_only_its_nonzeros():
    """Issue 22: a network keeps its nonzero weights (and its biases), no dense matrix until one is asked for.
    By hand: W_1 = [[1, 0, 2], [0, -1, 0]] has 3 nonzeros, W_2 = [[1, 1]] has 2; 3 biases."""
    net = ReLUNet([([[1, 0, 2], [0, -1, 0]], [0, 1]), ([[1, 1]], ["1/2"])])
    assert not any(isinstance(m, fmpq_mat) for v in vars(net).values() if isinstance(v, list)
                   for pair in v for m in (pair if isinstance(pair, tuple) else [pair]))
    stored = [len(r) for rows, _ in net.sparse_layers() for r in rows]
    assert sum(stored) == 5 and sum(len(b) for _, b in net.sparse_layers()) == 3
    assert net.param_count() == (3 + 1) * 2 + (2 + 1) * 1 and net.nonzero_count() == 5 + 2   # biases 1, 1/2
    W1, b1 = net.layers[0]                                   # the dense view, built on request
    assert W1.tolist() == [[1, 0, 2], [0, -1, 0]] and b1.entries() == [0, 1]


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


@pytest.mark.parametrize("N, rho, eta, layout_digest", [
    (40, "4/5", None, "51156662b6568331"),             # large regime, Theorem B.14
    (60, "1/100000", None, "d346eb4dfdd35cee"),        # small regime, Theorem B.3
    (30, "1/100", "1/100", "6bb55acaea0a9ddc"),        # moderate regime, Theorem B.5 ("indices" layout)
])
def test_sparse_constructions_build_the_same_networks_as_the_dense_ones(N, rho, eta, layout_digest):
    """Issue 22: the constructions now write sparse rows.  The digests were computed with the dense code they
    replace (commit 2e5ed67, dense (W rows, b) recipes and dense fmpq_mat layers) on the first N digits:
    the networks are the same, weight for weight."""
    import hashlib
    import json
    X, y = datasets.load_digits(return_X_y=True)
    D = Dataset([[int(v) for v in X[i]] for i in range(N)], [int(y[i]) + 1 for i in range(N)])
    net, _ = exactmem.memorize(D, rho, eta=eta)
    doc = json.dumps(net.to_json(sparse=True), sort_keys=True).encode()
    assert hashlib.sha256(doc).hexdigest()[:16] == layout_digest


def test_the_chain_layout_shares_its_carried_rows_and_is_the_same_network():
    """Theorem B.5's "chain" layout (130 digits: 65 blocks > m = 64) carries z and y through every layer: 1.37 M
    rows, 1.31 M of them row objects of their own before 2026-12-04; now a carried or selected column is one
    shared row (``sparse.unit``): 131,848 objects.  The network is the same: its digest was computed with the
    code before the change (commit dc09602), on the document with its repeated layers written out."""
    import hashlib
    import json
    X, y = datasets.load_digits(return_X_y=True)
    D = Dataset([[int(v) for v in X[i]] for i in range(130)], [int(y[i]) + 1 for i in range(130)])
    net, cert = exactmem.memorize(D, "1/100", eta="1/100")
    assert cert.info["layout"] == "chain"
    rows = [r for W, _ in net.sparse_layers() for r in W]
    assert len(rows) == 1371275 and len({id(r) for r in rows}) < len(rows) // 8
    short = net.to_json(sparse=True)                # repeated layers written {"like": k} (2026-12-05)
    whole = dict(short, layers=[short["layers"][L["like"]] if "like" in L else L for L in short["layers"]])
    doc = json.dumps(whole, sort_keys=True).encode()
    assert hashlib.sha256(doc).hexdigest()[:16] == "ac4b5b8141809c34"
    assert len(json.dumps(short)) < len(doc) // 8 and exactmem.ReLUNet.from_json(short) == net     # 3.8 MB, 36.9 MB


def test_moderate_on_thirty_digits_is_proved():
    """Issue 22: the moderate certificate on 30 digits (d = 64, 15 blocks of 2) used to stop UNDECIDED ("a ball
    would split into more than 4096 rows": each block's index sums 64 step functions, and the engine split a
    ball on every step read by several units).  Steps are functions of their source, so the engine keeps
    them exact and cuts a sum of steps only where a ReLU is unstable on it, the widest step first (4 s)."""
    X, y = datasets.load_digits(return_X_y=True)
    D = Dataset([[int(v) for v in X[i]] for i in range(30)], [int(y[i]) + 1 for i in range(30)])
    net, cert = exactmem.memorize(D, "1/100", eta="1/100")
    v = kernel.check(cert.to_json())
    assert v.is_proved and v.details["max_error_bound"] < exactmem.to_rational("1/100"), v
