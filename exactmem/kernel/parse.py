"""Strict reading of certificate documents: nothing reaches python-flint unchecked.

Rationals are JSON integers or ASCII strings ``"p"``/``"p/q"`` (q > 0); floats, booleans, Unicode
digits and anything else are malformed.  Integers of any length are read without Python's
4,300-digit limit, and deep nesting is refused with a clear error instead of a RecursionError.

>>> load('{"a": ["1/3", 7]}')["a"][0]
'1/3'
>>> rational("-22/7", "x"), rational(5, "y")
(-22/7, 5)
>>> rational("1.5", "x")
Traceback (most recent call last):
...
exactmem.errors.CertificateError: x: '1.5' is not a rational 'p' or 'p/q'
"""
from __future__ import annotations

import json
import re

from flint import fmpq, fmpz

from ..errors import CertificateError

_RAT = re.compile(r"(-?[0-9]+)(?:/([0-9]+))?", re.ASCII)


def _int(text: str) -> int:
    return int(text) if len(text) < 4000 else int(fmpz(text))


def _no_float(text):
    raise CertificateError(f"floating-point number {text[:40]} in a certificate; write rationals as 'p/q'")


def load(text) -> dict:
    """Parse JSON text (str or bytes) with the kernel's rules for numbers and nesting."""
    try:
        try:                    # integers by the C scanner; past Python's 4,300 digits, by _int (fmpz)
            return json.loads(text, parse_float=_no_float, parse_constant=_no_float)
        except ValueError as e:
            if isinstance(e, CertificateError) or "digits" not in str(e):
                raise
            return json.loads(text, parse_int=_int, parse_float=_no_float, parse_constant=_no_float)
    except RecursionError:
        raise CertificateError("the document is nested too deeply to be a certificate") from None
    except (ValueError, TypeError) as e:
        if isinstance(e, CertificateError):
            raise
        raise CertificateError(f"not valid JSON: {e}") from None


def brief(v, n: int = 40) -> str:
    """v for a message, in about n characters: never a walk into deep lists or the decimals of a huge integer."""
    if isinstance(v, (list, dict)):
        flat = isinstance(v, list) and len(v) <= 8 and not any(isinstance(t, (list, dict)) for t in v)
        return "[" + ", ".join(brief(t, n) for t in v) + "]" if flat else \
            f"{'a list' if isinstance(v, list) else 'an object'} of {len(v)}"
    if isinstance(v, int) and v.bit_length() > 128:
        return f"an integer of {v.bit_length()} bits"
    return repr(v if len(v) <= n else v[:n] + "...") if isinstance(v, str) else str(v)[:n]


def rational(v, where: str) -> fmpq:
    if isinstance(v, int) and not isinstance(v, bool):
        return fmpq(v)
    m = _RAT.fullmatch(v) if isinstance(v, str) else None
    if m is None:
        raise CertificateError(f"{where}: {brief(v, 60)} is not a rational 'p' or 'p/q'")
    q = fmpz(m.group(2)) if m.group(2) else fmpz(1)
    if q == 0:
        raise CertificateError(f"{where}: zero denominator")
    return fmpq(fmpz(m.group(1)), q)


def integer(v, where: str, lo: int = None, hi: int = None) -> int:
    if isinstance(v, bool) or not isinstance(v, int) or (lo is not None and v < lo) or (hi is not None and v > hi):
        rng = f" in [{lo}, {hi}]" if hi is not None else f" >= {lo}" if lo is not None else ""
        raise CertificateError(f"{where} must be an integer{rng}, got {brief(v)}")
    return v


def obj(v, where: str) -> dict:
    if not isinstance(v, dict):
        raise CertificateError(f"{where} must be an object")
    return v


def vector(v, where: str, n: int = None) -> list:
    if not isinstance(v, list) or not v or (n is not None and len(v) != n):
        raise CertificateError(f"{where} must be a list of {n if n is not None else 'one or more'} rationals")
    return [rational(t, f"{where}[{i}]") for i, t in enumerate(v)]


def matrix(rows, where: str) -> list:
    if not isinstance(rows, list) or not rows or not all(isinstance(r, list) for r in rows):
        raise CertificateError(f"{where} must be a non-empty list of rows")
    n = len(rows[0])
    if n == 0 or any(len(r) != n for r in rows):
        raise CertificateError(f"{where} is empty or ragged")
    return [[rational(v, f"{where}[{i}][{j}]") for j, v in enumerate(r)] for i, r in enumerate(rows)]


def dataset(v) -> tuple:
    """(points, labels) of a dataset of D_{d,N,C}: N >= 2 distinct points, labels covering 1..C, C >= 2."""
    v = obj(v, "dataset")
    X = matrix(v.get("points"), "dataset.points")
    labels = v.get("labels")
    if not isinstance(labels, list) or len(labels) != len(X):
        raise CertificateError(f"dataset.labels must list one label per point ({len(X)})")
    for i, y in enumerate(labels):
        integer(y, f"dataset.labels[{i}]", 1, len(X))
    C = max(labels)
    if len(set(labels)) != C or C < 2:
        raise CertificateError(f"dataset.labels must cover 1..C with C >= 2 (C = {C}, {len(set(labels))} present)")
    seen = {}
    for i, x in enumerate(X):
        j = seen.setdefault(tuple(map(str, x)), i)
        if j != i:
            raise CertificateError(f"dataset points {j} and {i} coincide: the dataset is not in D_(d,N,C)")
    return X, labels


def network(v) -> tuple:
    """(d_0, layers) with layers [(rows of nonzeros [(j, w), ...], biases)] and chained dimensions.  A layer is
    {"W": dense rows, "b": [...]} or {"cols": n, "W_rows": [[[j, w], ...], ...], "b": [...]} (each row's
    nonzeros, columns increasing), or {"like": k}: layer k < l again (reading as many values)."""
    v = obj(v, "network")
    layers = v.get("layers")
    if v.get("format") != "exactmem.relunet" or not isinstance(layers, list) or not layers:
        raise CertificateError("network must be an 'exactmem.relunet' document with a non-empty list of layers")
    out, width, memo, ones = [], None, {}, {}    # one fmpq per distinct weight text: shared, parsed once
    seen, lists, biases = {}, {}, {}             # (id of a row, columns) -> its parsed row; (id of a layer's
    #                                              rows, columns) -> its parsed rows; id of a bias list -> its values.
    #                                              The document holds them while it is parsed: an id is not reused

    def rat(w, where, *args):
        """w's fmpq, looked up first; the error names where.format(*args) (formatted only then)."""
        q = memo.get(w) if type(w) is str else None
        if q is None:
            q = rational(w, where.format(*args))
            if isinstance(w, str):
                memo[w] = q
        return q
    ins = []                                     # each layer's input width
    for l, layer in enumerate(layers):
        at, layer = f"network.layers[{l}]", obj(layer, f"network.layers[{l}]")
        if "like" in layer:                      # layer l is layer k again
            if not l or len(layer) != 1:
                raise CertificateError(f"{at}: a layer {{\"like\": k}} has no other field and follows layer k")
            k = integer(layer["like"], f"{at}.like", 0, l - 1)
            if ins[k] != width:
                raise CertificateError(f"{at}: layer {k} reads {ins[k]} values, this one {width}")
            out.append(out[k])
            ins.append(width)
            width = len(out[k][0])
            continue
        sparse = "W_rows" in layer
        rows = layer.get("W_rows" if sparse else "W")
        n = integer(layer.get("cols"), f"{at}.cols", 1) if sparse else len(rows[0]) if isinstance(rows, list) and \
            rows and isinstance(rows[0], list) else 0
        nz = lists.get((id(rows), n)) if sparse else None        # a list of rows the document shares: parsed once
        if nz is None and (not isinstance(rows, list) or not rows or not all(isinstance(r, list) for r in rows) or
                           n < 1) or (width is not None and n != width):
            raise CertificateError(f"{at}: W must be a non-empty list of rows of {width or 'one or more'} columns")
        if nz is None:
            nz = []
            for i, r in enumerate(rows):
                row = seen.get((id(r), n)) if sparse else None      # a row object the document shares: parsed once
                if row is not None:
                    nz.append(row)
                    continue
                if sparse and len(r) == 1 and type(r[0]) is list and len(r[0]) == 2 and type(r[0][0]) is int and \
                        0 <= r[0][0] < n and isinstance(r[0][1], str):          # one nonzero (a carry): one shared row
                    key = (r[0][0], r[0][1])
                    row = ones.get(key)
                    if row is None:
                        q = rat(r[0][1], "{}.W_rows[{}]", at, i)
                        row = ones[key] = [(r[0][0], q)] if q != 0 else []
                    nz.append(row)
                    continue
                if sparse and r and all(type(e) is list and len(e) == 2 and type(e[0]) is int for e in r) and \
                        0 <= r[0][0] and r[-1][0] < n and all(a[0] < b[0] for a, b in zip(r, r[1:])):   # the common case
                    row = []
                    for j, w in r:
                        q = rat(w, "{}.W_rows[{}]", at, i)
                        if q != 0:
                            row.append((j, q))
                    nz.append(row)
                    seen[id(r), n] = row
                    continue
                if sparse:
                    if not all(isinstance(e, list) and len(e) == 2 for e in r):
                        raise CertificateError(f"{at}.W_rows[{i}] must be a list of [column, weight] pairs")
                    js = [integer(e[0], f"{at}.W_rows[{i}]", 0, n - 1) for e in r]
                    if any(a >= b for a, b in zip(js, js[1:])):
                        raise CertificateError(f"{at}.W_rows[{i}]: columns must increase")
                    r = dict(zip(js, (e[1] for e in r)))
                elif len(r) != n:
                    raise CertificateError(f"{at}.W is ragged")
                else:
                    r = {j: w for j, w in enumerate(r) if w != 0 and w != "0"}
                nz.append([(j, q) for j, w in r.items() for q in [rat(w, "{}.W[{}][{}]", at, i, j)] if q != 0])
            if sparse:
                lists[id(rows), n] = nz
        b, bs = layer.get("b"), biases.get(id(layer.get("b")))
        if bs is None or len(bs) != len(nz):
            if not isinstance(b, list) or len(b) != len(nz):
                raise CertificateError(f"{at}.b must have one entry per row of W ({len(nz)})")
            bs = biases[id(b)] = [rat(t, "{}.b[{}]", at, i) for i, t in enumerate(b)]
        out.append((nz, bs))
        ins.append(n)
        d0, width = n if width is None else d0, len(nz)
    return d0, out

