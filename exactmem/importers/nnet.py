"""The NNet text format (Julian's ACAS Xu networks): decimals read exactly, normalisation folded exactly.

The cross-check evaluates the file's own formula in float64 — normalise the input, run the layers as
written, de-normalise the output — at seeded points inside the file's input bounds, and compares it with
the folded exact network.
"""
from __future__ import annotations

import numpy as np

from ..exact import to_rational
from ..network import ReLUNet
from .common import ImportFormatError, crosscheck, plain, seeded_points


def _numbers(line, where):
    try:
        return [to_rational(t.strip()) for t in line.split(",") if t.strip()]
    except Exception as e:                                       # an exactmem ConversionError, mostly
        raise ImportFormatError(f"{where}: {plain(e, 100)}") from None


def _rows(lines, n, where):
    out = []
    for _ in range(n):
        try:
            line = next(lines)
        except StopIteration:
            raise ImportFormatError(f"{where}: the file ends early") from None
        out.append(_numbers(line, where))
    return out


def _text(source) -> str:
    if hasattr(source, "read"):
        text = source.read()
        if isinstance(text, bytes):
            try:
                return text.decode("utf-8")
            except UnicodeDecodeError as e:
                raise ImportFormatError(f"NNet: the text is not UTF-8 ({plain(e, 80)})") from None
        if not isinstance(text, str):
            raise ImportFormatError("NNet: the stream did not return text")
        return text
    try:
        with open(source, encoding="utf-8") as fh:
            return fh.read()
    except UnicodeDecodeError as e:
        raise ImportFormatError(f"NNet file {source!r} is not UTF-8 text ({plain(e, 80)})") from None
    except (OSError, TypeError, ValueError) as e:
        raise ImportFormatError(f"cannot read {source!r}: {plain(e, 120)}") from None


def _ints(line, where):
    try:
        return [int(t) for t in line.split(",") if t.strip()]
    except ValueError:
        raise ImportFormatError(f"NNet: {where} must be integers") from None


def _finite(q) -> float:
    """q as a float, or an infinity beyond the float range (seeded_points then falls back to [-1, 1])."""
    try:
        return float(q)
    except OverflowError:
        return float("inf") if q > 0 else float("-inf")


MAX_UNITS = 10 ** 6                     # a header asking for more units than this is refused before reading on


def from_nnet(source, normalize: bool = True, check: bool = True) -> ReLUNet:
    """The network of an NNet file (path or text stream).  With ``normalize`` (the format's meaning) the
    inputs are mapped by (x - mean) / range and the output by y * range + mean, folded exactly into the
    first and last layers; the input bounds of the file are not part of the network (they are used only for
    the cross-check points).  ``check`` compares the result with the file's formula in float64."""
    text = _text(source)
    lines = iter([ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("//")])
    try:
        head = _ints(next(lines), "the first line (layers, inputs, outputs, widest)")
        sizes = _ints(next(lines), "the layer sizes")
        next(lines)                                              # the unused "symmetric" flag
    except StopIteration:
        raise ImportFormatError("NNet: the header (layers, sizes, flag, bounds, means, ranges) is incomplete") from None
    if len(head) < 3 or len(sizes) != head[0] + 1 or sizes[0] != head[1] or sizes[-1] != head[2]:
        raise ImportFormatError(f"NNet: header {head[:4]} does not match the layer sizes {sizes[:8]}")
    if any(s < 1 for s in sizes) or sum(sizes) > MAX_UNITS:
        raise ImportFormatError(f"NNet: layer sizes must be positive and at most {MAX_UNITS} units in all")
    lo, hi = _rows(lines, 2, "NNet input bounds")
    mean, rng = _rows(lines, 2, "NNet normalization")
    layers = []
    for l, (a, b) in enumerate(zip(sizes, sizes[1:])):
        W = _rows(lines, b, f"NNet layer {l + 1} weights")
        bias = [r[0] if len(r) == 1 else None for r in _rows(lines, b, f"NNet layer {l + 1} biases")]
        if any(len(r) != a for r in W) or None in bias:
            raise ImportFormatError(f"NNet layer {l + 1}: expected {b} rows of {a} weights and {b} biases")
        layers.append((W, bias))
    d, m = sizes[0], sizes[-1]
    raw = [(W, bias) for W, bias in layers]                     # as written, before the folding
    if normalize:
        if len(mean) != d + 1 or len(rng) != d + 1 or any(r == 0 for r in rng[:d]):
            raise ImportFormatError("NNet: the means and ranges need one entry per input and one for the outputs")
        (W, bias), shift = layers[0], [mu / r for mu, r in zip(mean[:d], rng[:d])]
        layers[0] = ([[w / r for w, r in zip(row, rng[:d])] for row in W],
                     [b - sum((w * s for w, s in zip(row, shift)), 0) for row, b in zip(W, bias)])
        W, bias = layers[-1]
        layers[-1] = ([[w * rng[d] for w in row] for row in W], [b * rng[d] + mean[d] for b in bias][:m])
    net = ReLUNet(layers)
    if check:
        def formula(X):
            fm = [float(v) for v in mean] if normalize else None
            fr = [float(v) for v in rng] if normalize else None
            h = ((X - fm[:d]) / fr[:d]) if normalize else X
            h = h.T
            for i, (W, b) in enumerate(raw):
                W, b = np.array([[float(w) for w in r] for r in W]), np.array([float(t) for t in b])
                h = W @ h + b[:, None]
                if i < len(raw) - 1:
                    h = np.maximum(h, 0)
            return (h.T * fr[d] + fm[d]) if normalize else h.T
        bounds = (lo, hi) if len(lo) == d and len(hi) == d else (None, None)
        crosscheck(net, formula, seeded_points(d, lo=None if bounds[0] is None else [_finite(v) for v in bounds[0]],
                                               hi=None if bounds[1] is None else [_finite(v) for v in bounds[1]]),
                   "NNet file")
    return net


__all__ = ["from_nnet"]
