"""What every importer shares: its error type, and the cross-check of an imported network against its source.

An importer builds the exact network and then evaluates the *source* with the source's own runtime (ONNX's
evaluator, PyTorch, scikit-learn, the NNet formula in float64) at a few seeded points; the exact network
must agree within the rounding error a float runtime can make, measured against the size of the terms it
adds up (a pass of |W| |h| + |b|).  A graph read as a different network fails this at once.

>>> import numpy as np
>>> from exactmem import ReLUNet
>>> net = ReLUNet([([[1], [-1]], [0, 0]), ([[1, 1]], [0])])          # |x|
>>> crosscheck(net, lambda X: np.abs(X), np.array([[-2.0], [0.5]]), "demo")
>>> crosscheck(net, lambda X: X, np.array([[-2.0]]), "demo")
Traceback (most recent call last):
...
exactmem.importers.common.ImportFormatError: demo: the imported network differs from the source at point 0, output 0: exact 2 (2.0), source -2.0; the graph ...
"""
from __future__ import annotations

import re

import numpy as np
from flint import fmpq, fmpq_mat

from ..errors import NetworkError
from ..exact import dyadic_matrix


class ImportFormatError(NetworkError):
    """A file that is not a feed-forward ReLU network this importer can read exactly, or one whose imported
    network disagrees with the source's own runtime."""


RTOL = 1e-3          # of the |W| |h| + |b| scale: float32 sums of 10^4 terms err by < 10^-3 of it
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def plain(text, limit: int = 160) -> str:
    """A third-party error message as one short line: no ANSI colour codes, no newlines."""
    text = " ".join(_ANSI.sub("", str(text)).split())
    return text if len(text) <= limit else text[:limit - 3] + "..."


def seeded_points(n: int, k: int = 3, lo=None, hi=None, seed: int = 20) -> np.ndarray:
    """k seeded points of R^n: uniform in the box [lo, hi] where given (finite), else in [-1, 1]^n."""
    rng = np.random.default_rng(seed)
    u = rng.uniform(size=(k, n))
    lo = np.full(n, -1.0) if lo is None else np.asarray(lo, dtype=np.float64)
    hi = np.full(n, 1.0) if hi is None else np.asarray(hi, dtype=np.float64)
    lo, hi = np.where(np.isfinite(lo), lo, -1.0), np.where(np.isfinite(hi), hi, 1.0)
    return lo + u * (hi - lo)


def _float_layers(net):
    with np.errstate(over="ignore"):
        return net.to_numpy()


def _exact_outputs(net, X: fmpq_mat) -> fmpq_mat:
    """net at the rows of X, exactly, by one matrix product per layer (flint's, on a few points)."""
    H = X.transpose()
    for l, (W, b) in enumerate(net.layers):
        H = W * H
        k = H.ncols()
        H = fmpq_mat(H.nrows(), k, [v + b[i // k, 0] for i, v in enumerate(H.entries())])
        if l < net.depth - 1:
            H = fmpq_mat(H.nrows(), k, [v if v > 0 else 0 for v in H.entries()])
    return H.transpose()


def crosscheck(net, reference, points, where: str) -> None:
    """Raise ``ImportFormatError`` unless ``net`` agrees with ``reference`` (a function from a k x n float64
    array to k x m outputs) at ``points``.  The exact network is evaluated exactly at the points (floats are
    exact dyadics); the tolerance is RTOL times the float pass of |W| |h| + |b| per output."""
    X = np.asarray(points, dtype=np.float64)
    try:
        with np.errstate(all="ignore"):
            ref = np.asarray(reference(X), dtype=np.float64).reshape(len(X), -1)
    except ImportFormatError:
        raise
    except Exception as e:                                   # the source's own runtime failed
        raise ImportFormatError(f"{where}: the source's own runtime could not evaluate it for the cross-check "
                                f"({plain(e)}); pass check=False to import without it") from None
    if ref.shape[1] != net.output_dim:
        raise ImportFormatError(f"{where}: the source has {ref.shape[1]} outputs but the imported network "
                                f"{net.output_dim}")
    exact = _exact_outputs(net, dyadic_matrix(X, "cross-check points"))
    Ws, bs = _float_layers(net)
    with np.errstate(all="ignore"):
        h, scale = np.abs(X.T), None
        for l, (W, b) in enumerate(zip(Ws, bs)):
            h = np.abs(W) @ h + np.abs(b)[:, None]
            scale = h
        scale = scale.T
    for i in range(len(X)):
        for j in range(net.output_dim):
            e, r = exact[i, j], float(ref[i, j])
            ef = float(e) if abs(e) < fmpq(10) ** 300 else np.inf
            if not (np.isfinite(r) and np.isfinite(ef) and np.isfinite(scale[i, j])):
                continue                                     # an overflow on either side: nothing to compare
            tol = RTOL * scale[i, j] + 1e-12 * float(np.max(scale[i][np.isfinite(scale[i])]))
            if abs(ef - r) > tol:
                raise ImportFormatError(
                    f"{where}: the imported network differs from the source at point {i}, output {j}: "
                    f"exact {e if len(str(e)) < 40 else '...'} ({ef!r}), source {r!r}; "
                    f"the graph was not read as the network it is (please report it)")


__all__ = ["ImportFormatError", "crosscheck", "seeded_points", "plain", "RTOL"]
