"""Datasets of the class D_{d,N,C} (Kim, Moon & Yun 2025, Sec. 2.2) with exact separation.

A dataset holds N pairwise distinct rational points in R^d with integer labels in
1..C, every label present and N >= C >= 2.  Its separation constant (Definition 2.1)
is half the smallest distance between two differently labelled points; for the
Euclidean norm exactmem works with its exact square ``eps_sq``.

>>> D = Dataset([[0, 0], [1, 0], [0, 1]], [1, 2, 2])
>>> D.N, D.d, D.C
(3, 2, 2)
>>> D.eps_sq, D.eps_pair()
(1/4, (0, 1))
>>> D.in_ball(0, ["1/4", "1/4"], rho="1/2")
False
"""
from __future__ import annotations

import csv
import json
import operator
import os
from functools import cached_property

from flint import fmpq, fmpq_mat, fmpz

from .errors import (ContradictoryLabelsError, DatasetError, DimensionMismatchError, DuplicatePointError,
                     IrrationalError, LabelError, SerializationError, ShapeError, UnsupportedTypeError,
                     ConversionError, SchemaVersionError)
from .exact import common_denominator, fmt, to_int, to_matrix, to_rational, to_vector
from .norms import check_p, check_rho, vec_norm
from .separation import isqrt_exact, min_cross_label_distance

DATASET_SCHEMA = 1


class Points(fmpq_mat):
    """A dataset's N x d matrix of points, indexable like a list of rows: ``P[i]`` is point i (a list of
    fmpq; negative i counts from the end), ``P[i, j]`` its coordinate j, ``P[a:b]`` and ``P[:, j]`` lists,
    ``len(P) = N``, and iteration gives the rows.  It is an exact ``fmpq_mat`` (products, ``transpose``,
    ``tolist`` work as on any) and read-only: a dataset never changes once validated.

    >>> P = Dataset([[0, "1/2"], [3, 4]], [1, 2]).points
    >>> P[0], P[-1][1], P[0, 1], len(P), [sum(r) for r in P], P[:, 0]
    ([0, 1/2], 4, 1/2, 2, [1/2, 7], [0, 3])
    """

    __slots__ = ()

    def __len__(self) -> int:
        return self.nrows()

    def _index(self, k, n: int, what: str) -> int:
        if isinstance(k, bool):
            raise TypeError(f"{what} index must be an integer, got a bool")
        try:
            i = operator.index(k)
        except TypeError:
            raise TypeError(f"{what} index must be an integer or a slice, got {type(k).__name__}") from None
        j = i + n if i < 0 else i
        if not 0 <= j < n:
            raise IndexError(f"{what} index {i} out of range for {n} {what}s")
        return j

    def _row(self, i: int) -> list:
        get = super().__getitem__
        return [get((i, j)) for j in range(self.ncols())]

    def __getitem__(self, key):
        N, d = self.nrows(), self.ncols()
        if isinstance(key, tuple):
            if len(key) != 2:
                raise TypeError(f"points take one index (a point) or two (point, coordinate), got {len(key)}")
            rows, cols = key
            get = super().__getitem__
            pick = (lambda k, n, what: range(*k.indices(n)) if isinstance(k, slice) else self._index(k, n, what))
            ri, ci = pick(rows, N, "point"), pick(cols, d, "coordinate")
            if isinstance(ri, range):
                return [[get((i, j)) for j in ci] if isinstance(ci, range) else get((i, ci)) for i in ri]
            return [get((ri, j)) for j in ci] if isinstance(ci, range) else get((ri, ci))
        if isinstance(key, slice):
            return [self._row(i) for i in range(*key.indices(N))]
        return self._row(self._index(key, N, "point"))

    def __iter__(self):
        return (self._row(i) for i in range(self.nrows()))

    def __setitem__(self, key, value):
        raise TypeError("a Dataset's points are read-only: build a new Dataset (or change D.matrix, a copy)")


class Dataset:
    """N labelled rational points in R^d, validated against the class D_{d,N,C}."""

    def __init__(self, points, labels, drop_duplicates: bool = False):
        if drop_duplicates:
            points, labels = _drop_same_label_duplicates(points, labels)
        X = to_matrix(points, "points")
        N, d = X.nrows(), X.ncols()
        if N == 0:
            raise DatasetError("a dataset needs at least two points (N >= C >= 2)")
        if d == 0:
            raise ShapeError("points must have dimension d >= 1")
        labels = self._check_labels(labels, N)
        self._X = X if isinstance(X, Points) else Points(X)
        self._labels = labels
        self._entries = X.entries()
        den = common_denominator(self._entries)
        self._den = den
        self._int_rows = [[int(q.p * (den // q.q)) for q in self._entries[i * d:(i + 1) * d]] for i in range(N)]
        self._check_distinct()

    # -- validation -------------------------------------------------------------
    @staticmethod
    def _check_labels(labels, N):
        if isinstance(labels, (str, bytes)):
            raise LabelError("labels must be a sequence of integers, not a string")
        try:
            raw = list(labels.tolist() if hasattr(labels, "tolist") else labels)
        except TypeError:
            raise LabelError("labels must be a sequence of integers") from None
        if len(raw) != N:
            raise ShapeError(f"there are {N} points but {len(raw)} labels")
        out = []
        for i, y in enumerate(raw):
            try:
                v = to_int(y, f"label {i}")
            except (ConversionError, UnsupportedTypeError) as e:
                raise LabelError(f"label at index {i} is not an integer: {e}") from None
            if v < 1:
                hint = (" (labels counted from 0, as scikit-learn's: load with labels_from=0, or give --labels-from 0 "
                        "on the command line)") if v == 0 else ""
                raise LabelError(f"label at index {i} is {v}; labels must be integers 1..C{hint}")
            out.append(v)
        C, present = max(out), set(out)
        if len(present) != C:                   # never build range(1, C + 1): C may be astronomically large
            missing = [c for c in range(1, min(C, len(present) + 10) + 1) if c not in present][:10]
            raise LabelError(f"labels must cover 1..C with C = {C}, but {C - len(present)} class(es) have no point "
                             f"(first: {missing})")
        if C < 2:
            raise LabelError("a dataset needs at least two classes (C >= 2); all labels are 1")
        return tuple(out)

    def _check_distinct(self):
        seen = {}
        dups, contradictions = [], []
        for i, r in enumerate(self._int_rows):
            key = tuple(r)
            if key in seen:
                j = seen[key]
                (contradictions if self._labels[i] != self._labels[j] else dups).append((j, i))
            else:
                seen[key] = i
        if contradictions:
            j, i = contradictions[0]
            raise ContradictoryLabelsError(
                f"points {j} and {i} coincide but have labels {self._labels[j]} and {self._labels[i]}: "
                f"a contradiction, no function memorizes both ({len(contradictions)} such pair(s))",
                contradictions)
        if dups:
            j, i = dups[0]
            raise DuplicatePointError(
                f"points {j} and {i} coincide (same label {self._labels[i]}); the class D_{{d,N,C}} "
                f"requires distinct points ({len(dups)} duplicate pair(s))", dups)

    # -- basic properties ---------------------------------------------------------
    @property
    def N(self) -> int:
        return self._X.nrows()

    @property
    def d(self) -> int:
        return self._X.ncols()

    @property
    def C(self) -> int:
        return max(self._labels)

    @property
    def points(self) -> "Points":
        """The points: ``D.points[i]`` is point i (a list of fmpq), ``D.points[i, j]`` its coordinate j; also
        the exact N x d ``fmpq_mat`` of the points (read-only), for matrix arithmetic."""
        return self._X

    @property
    def matrix(self) -> fmpq_mat:
        """A plain (mutable) copy of the N x d ``fmpq_mat`` of the points."""
        return fmpq_mat(self._X)

    @property
    def labels(self) -> tuple:
        return self._labels

    def point(self, i: int) -> list:
        """Point i as a list of fmpq."""
        if not 0 <= i < self.N:
            raise IndexError(f"point index {i} out of range 0..{self.N - 1}")
        return self._entries[i * self.d:(i + 1) * self.d]

    @property
    def integer_form(self):
        """``(rows, den)``: integer rows with points = rows / den, den the lcm of all denominators."""
        return self._int_rows, self._den

    def __len__(self):
        return self.N

    def __repr__(self):
        return f"Dataset(N={self.N}, d={self.d}, C={self.C})"

    def __eq__(self, other):
        return isinstance(other, Dataset) and self._X == other._X and self._labels == other._labels

    __hash__ = None

    # -- separation (Definition 2.1) ---------------------------------------------
    def _min_cross(self, p):
        cache = self.__dict__.setdefault("_sep_cache", {})
        if p not in cache:
            cache[p] = min_cross_label_distance(self._int_rows, self._labels, p)
        return cache[p]

    @cached_property
    def eps_sq(self) -> fmpq:
        """eps_D**2 for the Euclidean norm: a quarter of the least squared distance between labels."""
        val, _, _ = self._min_cross(2)
        return fmpq(val, 4 * self._den * self._den)

    def eps_pair(self, p=2) -> tuple:
        """Witness ``(i, j)``: a closest differently labelled pair in the l_p norm."""
        _, i, j = self._min_cross(check_p(p))
        return i, j

    def eps(self, p=2) -> fmpq:
        """Exact eps_{D,p} for p in {1, inf}; for p = 2 only when it is rational (else ``IrrationalError``)."""
        p = check_p(p)
        if p == 2:
            return _exact_sqrt(self.eps_sq, "eps_D (l2)", "eps_sq")
        val, _, _ = self._min_cross(p)
        return fmpq(val, 2 * self._den)

    def mu_sq(self, rho) -> fmpq:
        """mu**2 = rho**2 * eps_D**2 (l2) for rho in (0, 1)."""
        r = check_rho(rho)
        return r * r * self.eps_sq

    def radius(self, rho, p=2) -> fmpq:
        """mu = rho * eps_{D,p}; exact for p in {1, inf}, for p = 2 only when rational."""
        r = check_rho(rho)
        p = check_p(p)
        if p == 2:
            return _exact_sqrt(self.mu_sq(r), "mu (l2)", "mu_sq(rho)")
        return r * self.eps(p)

    def in_ball(self, i: int, x, rho, p=2) -> bool:
        """Exact test ``||x - x_i||_p < rho * eps_{D,p}`` (the robustness ball is open)."""
        p = check_p(p)
        r = check_rho(rho)
        v = to_vector(x, "x")
        if len(v) != self.d:
            raise DimensionMismatchError(f"x has dimension {len(v)} but the dataset has d = {self.d}")
        diff = [a - b for a, b in zip(v, self.point(i))]
        if p == 2:
            return vec_norm(diff, 2) < r * r * self.eps_sq
        return vec_norm(diff, p) < r * self.eps(p)

    # -- transformations ------------------------------------------------------------
    def scaled(self, c) -> "Dataset":
        """The dataset cD (every point multiplied by a rational c > 0)."""
        c = to_rational(c)
        if c <= 0:
            raise DatasetError(f"the scale factor must be positive, got {fmt(c)}")
        return Dataset(self._X * c, self._labels)

    # -- loaders and JSON -------------------------------------------------------------
    @classmethod
    def from_numpy(cls, X, y, drop_duplicates: bool = False, labels_from: int = 1) -> "Dataset":
        """From a numpy array of shape (N, d) (floats convert to their exact dyadic values) and labels.

        ``drop_duplicates=True`` keeps the first of repeated points that carry the same label (a point
        repeated with different labels still raises ``ContradictoryLabelsError``); ``labels_from=0`` reads
        labels 0..C-1 (scikit-learn's) as 1..C."""
        return cls(X, shift_labels(y, labels_from), drop_duplicates)

    @classmethod
    def from_lists(cls, points, labels, drop_duplicates: bool = False) -> "Dataset":
        """From Python lists (numbers or exact strings such as ``"1/3"``)."""
        return cls(points, labels, drop_duplicates)

    @classmethod
    def from_csv(cls, path, label_column: int = -1, header: bool | None = None, labels_from: int = 1) -> "Dataset":
        """Read a CSV file: one point per row, one column of labels (default: the last).

        Coordinates are parsed exactly as written (``0.1`` in the file is 1/10, ``1/3`` is 1/3).  ``header=None``
        detects a header row: a first row whose coordinate fields are not all numbers.  ``labels_from=0`` reads labels
        0..C-1 as 1..C.
        """
        try:
            with open(path, newline="") as fh:
                rows = [r for r in csv.reader(fh) if any(f.strip() for f in r)]
        except (OSError, UnicodeDecodeError, csv.Error) as e:
            raise DatasetError(f"cannot read CSV file {str(path)!r}: {e}") from None
        if not rows:
            raise DatasetError(f"CSV file {str(path)!r} has no rows")
        if header is None:                 # a header row: its coordinates are not numbers (its label may not be one)
            first = list(rows[0])
            k = _column(label_column)
            if -len(first) <= k < len(first):
                first.pop(k)
            header = not all(_is_number(f) for f in first)
        if header:
            rows = rows[1:]
        points, labels = [], []
        for k, r in enumerate(rows):
            fields = list(r)
            try:
                lab = fields.pop(_column(label_column))
            except IndexError:
                raise ShapeError(f"CSV file {str(path)!r}: row {k + int(header) + 1} has no column {label_column} "
                                 f"(it has {len(r)})") from None
            points.append(fields)
            labels.append(lab.strip())
        return cls(points, shift_labels(labels, labels_from))

    @classmethod
    def from_npy(cls, path, label_column: int | None = None, labels_from: int = 1) -> "Dataset":
        """Read a ``.npy`` file (an N x (d + 1) array, the labels in ``label_column``, default the last) or a
        ``.npz`` file (arrays ``X`` and ``y``, or one array as in ``.npy``).  Floats are their exact binary
        values, as in ``from_numpy``; nothing is unpickled."""
        import numpy as np
        where = str(path)
        try:
            loaded = np.load(path, allow_pickle=False)
        except (OSError, ValueError, EOFError) as e:
            raise DatasetError(f"cannot read {where!r} as a numpy file: {str(e)[:200]}") from None
        if isinstance(loaded, np.ndarray):
            return cls._from_array(loaded, label_column, labels_from, where)
        try:
            with loaded:
                keys = list(loaded.files)
                pair = next(((a, b) for a, b in _NPZ_PAIRS if a in keys and b in keys), None)
                arrays = [loaded[k] for k in (pair or keys[:1])] if pair or len(keys) == 1 else None
        except (OSError, ValueError, EOFError) as e:           # a damaged archive, an array of objects
            raise DatasetError(f"cannot read {where!r} as a numpy file: {str(e)[:200]}") from None
        if arrays is None:
            raise DatasetError(f"{where!r} holds the arrays {keys}; a dataset needs X and y (or one array with the "
                               f"labels in a column)")
        if pair is None:
            return cls._from_array(arrays[0], label_column, labels_from, f"{where}[{keys[0]}]")
        if label_column is not None:
            raise ShapeError(f"{where!r} holds separate arrays {pair[0]} and {pair[1]}: a label column does not apply")
        X, y = arrays
        if y.ndim != 1:
            raise ShapeError(f"{where!r}: the labels {pair[1]} must be one-dimensional, got shape {y.shape}")
        return cls(_numeric(X, where), shift_labels(y, labels_from))

    @classmethod
    def _from_array(cls, A, label_column, labels_from, where):
        A = _numeric(A, where)
        if A.ndim != 2 or A.shape[1] < 2:
            raise ShapeError(f"{where!r}: expected an N x (d + 1) array (points and a label column), got shape "
                             f"{A.shape}")
        k = _column(-1 if label_column is None else label_column)
        if not -A.shape[1] <= k < A.shape[1]:
            raise ShapeError(f"{where!r} has {A.shape[1]} columns, no column {label_column}")
        return cls(_without_column(A, k), shift_labels(A[:, k], labels_from))

    @classmethod
    def load(cls, path, label_column: int | None = None, labels_from: int = 1) -> "Dataset":
        """A dataset from a file, by its extension: ``.csv`` (``from_csv``), ``.npy``/``.npz`` (``from_npy``),
        anything else exactmem's JSON (``from_json``, which has no label column)."""
        low = str(path).lower()
        if low.endswith(".csv"):
            return cls.from_csv(path, -1 if label_column is None else label_column, labels_from=labels_from)
        if low.endswith((".npy", ".npz")):
            return cls.from_npy(path, label_column, labels_from)
        if label_column is not None:
            raise ShapeError(f"{str(path)!r} is exactmem JSON, with points and labels apart: a label column applies "
                             f"to .csv, .npy and .npz files")
        obj = _load_json(path if isinstance(path, str) else os.fspath(path), decimals=True)
        if labels_from != 1 and isinstance(obj, dict) and isinstance(obj.get("labels"), list):
            obj = {**obj, "labels": shift_labels(obj["labels"], labels_from)}
        return cls.from_json(obj)

    def save(self, path) -> None:
        """Write the dataset: CSV when the name ends in ``.csv`` (a header x1,...,xd,label; coordinates as exact
        decimals where they have one, else ``p/q``), exactmem JSON otherwise.  ``Dataset.load`` reads either
        back exactly."""
        try:
            with open(path, "w", newline="") as fh:
                if str(path).lower().endswith(".csv"):
                    w = csv.writer(fh, lineterminator="\n")
                    w.writerow([f"x{j + 1}" for j in range(self.d)] + ["label"])
                    for i in range(self.N):
                        w.writerow([exact_decimal(q) for q in self.point(i)] + [self._labels[i]])
                else:
                    json.dump(self.to_json(), fh)
        except OSError as e:
            raise DatasetError(f"cannot write the dataset to {str(path)!r}: {e}") from None

    def to_json(self) -> dict:
        return {"format": "exactmem.dataset", "schema_version": DATASET_SCHEMA,
                "points": [[fmt(q) for q in self.point(i)] for i in range(self.N)],
                "labels": list(self._labels)}

    @classmethod
    def from_json(cls, obj) -> "Dataset":
        if isinstance(obj, (str, bytes, os.PathLike)):
            obj = _load_json(obj, decimals=True)
        if not isinstance(obj, dict) or obj.get("format") != "exactmem.dataset":
            raise SerializationError("not an exactmem dataset document (format != 'exactmem.dataset')")
        if isinstance(obj.get("schema_version"), bool) or obj.get("schema_version") != DATASET_SCHEMA:
            raise SchemaVersionError(
                f"dataset schema version {obj.get('schema_version')!r} is not supported (expected {DATASET_SCHEMA})")
        try:
            return cls(obj["points"], obj["labels"])
        except KeyError as e:
            raise SerializationError(f"dataset document lacks the field {e}") from None


def _drop_same_label_duplicates(points, labels):
    """Remove later copies of a point that repeats with the same label (exact comparison)."""
    X = to_matrix(points, "points")
    raw = list(labels.tolist() if hasattr(labels, "tolist") else labels)
    if len(raw) != X.nrows():
        raise ShapeError(f"there are {X.nrows()} points but {len(raw)} labels")
    seen, keep = {}, []
    rows = X.tolist()
    for i, r in enumerate(rows):
        key = tuple(r)
        if key in seen and raw[seen[key]] == raw[i]:
            continue
        seen.setdefault(key, i)
        keep.append(i)
    return [rows[i] for i in keep], [raw[i] for i in keep]


_NPZ_PAIRS = (("X", "y"), ("x", "y"), ("points", "labels"), ("data", "target"))


def shift_labels(labels, labels_from=1):
    """Labels counted from ``labels_from`` (0 for scikit-learn's 0..C-1) as exactmem's 1..C.

    >>> shift_labels([0, 2, 1], 0)
    [1, 3, 2]
    """
    try:
        k = to_int(labels_from, "labels_from")
    except (ConversionError, UnsupportedTypeError) as e:
        raise LabelError(f"labels_from must be an integer (0 for labels 0..C-1), got {labels_from!r}: {e}") from None
    if isinstance(labels_from, bool):
        raise LabelError("labels_from must be an integer (0 for labels 0..C-1), got a bool")
    if k == 1:
        return labels
    if isinstance(labels, (str, bytes)):
        raise LabelError("labels must be a sequence of integers, not a string")
    out = []
    for i, y in enumerate(labels.tolist() if hasattr(labels, "tolist") else labels):
        try:
            v = to_int(y, f"label {i}")
        except (ConversionError, UnsupportedTypeError) as e:
            raise LabelError(f"label at index {i} is not an integer: {e}") from None
        if v < k:
            raise LabelError(f"label at index {i} is {v}, below the first label {k} (labels_from = {k})")
        out.append(v - k + 1)
    return out


def _column(k) -> int:
    if isinstance(k, bool) or not isinstance(k, int):
        raise ShapeError(f"the label column must be an integer (0 the first, -1 the last), got {k!r}")
    return k


def _numeric(A, where: str):
    """A numpy array of numbers (integers or floats), or an error naming the file."""
    if A.dtype.kind not in "iuf":
        raise DatasetError(f"{where!r} holds values of type {A.dtype}, not integers or floats")
    return A


def _without_column(A, k):
    import numpy as np
    return np.delete(A, k, axis=1)


def exact_decimal(q) -> str:
    """The exact decimal of a rational whose denominator has no prime factor but 2 and 5, else ``p/q``.

    >>> exact_decimal(fmpq(1, 8)), exact_decimal(fmpq(-3, 50)), exact_decimal(fmpq(7)), exact_decimal(fmpq(1, 3))
    ('0.125', '-0.06', '7', '1/3')
    """
    q = fmpq(q)
    den, a, b = int(q.q), 0, 0
    while den % 2 == 0:
        den, a = den // 2, a + 1
    while den % 5 == 0:
        den, b = den // 5, b + 1
    if den != 1:
        return fmt(q)
    k = max(a, b)
    if k == 0:
        return str(int(q.p))
    n = abs(int(q.p)) * 10 ** k // int(q.q)
    whole, frac = divmod(n, 10 ** k)
    return f"{'-' if q < 0 else ''}{whole}.{frac:0{k}d}"


def _is_number(s: str) -> bool:
    try:
        to_rational(s)
        return True
    except (ConversionError, UnsupportedTypeError):
        return False


def _exact_sqrt(q: fmpq, what: str, alternative: str) -> fmpq:
    a, b = isqrt_exact(int(q.p)), isqrt_exact(int(q.q))
    if a is None or b is None:
        raise IrrationalError(f"{what} = sqrt({fmt(q)}) is irrational; use {alternative} "
                              f"(exact) or exactmem.sqrt_enclosure for rational bounds")
    return fmpq(a, b)


def _big_int(text: str) -> int:
    return int(text) if len(text) < 4000 else int(fmpz(text))


def _load_json(src, decimals: bool = False):
    """Parse JSON from a path or a JSON text, raising ``SerializationError`` on failure.  With ``decimals`` a
    JSON float is kept as the decimal text it is written as (``0.1`` becomes the string "0.1", read as 1/10);
    without, a float is refused, naming the file."""
    if isinstance(src, bytes):
        src = src.decode("utf-8", errors="replace")
    text, name = None, "the JSON text"
    if isinstance(src, os.PathLike) or (isinstance(src, str) and not src.lstrip().startswith(("{", "["))):
        name = f"the file {os.fspath(src)!r}"
        try:
            with open(src, encoding="utf-8") as fh:
                text = fh.read()
        except (OSError, UnicodeDecodeError) as e:
            raise SerializationError(f"cannot read {str(src)!r}: {e}") from None
    else:
        text = src

    def refuse(t):
        raise SerializationError(f"floating-point number {t[:40]} in {name}; write exact rationals as integers or "
                                 f"strings 'p/q'")
    try:
        return json.loads(text, parse_int=_big_int, parse_float=str if decimals else refuse, parse_constant=refuse)
    except RecursionError:
        raise SerializationError(f"{name} is nested too deeply") from None
    except SerializationError:
        raise
    except ValueError as e:
        raise SerializationError(f"not valid JSON ({name}): {e}") from None
