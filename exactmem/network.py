"""ReLU networks with exact rational weights (the model of Kim, Moon & Yun 2025, Sec. 2.3).

A network of depth L is a list of affine layers (W_l, b_l), l = 1..L, with
W_l of shape d_l x d_{l-1}; the ReLU sigma(u) = max(u, 0) follows every layer but
the last, whose output is affine and may have any width.  The parameter count is
the paper's Eq. (3), sum_l (d_{l-1} + 1) d_l, zeros included.

>>> f = ReLUNet([([[1], [-1]], [0, 0]), ([[1, 1]], [0])])   # |x|
>>> f.evaluate([[-3], ["1/2"]])
[  3]
[1/2]
>>> f.param_count(), f.depth, f.width
(7, 2, 2)
"""
from __future__ import annotations

import json
import numbers
import os

from flint import fmpq, fmpq_mat
from numpy import bool_ as np_bool

from . import sparse as _sparse
from .errors import (CertificateError, DimensionMismatchError, ExactmemError, NetworkError, SchemaVersionError,
                     SerializationError)
from .exact import column, fmt, to_matrix, to_rational, to_vector
from .kernel.engine import evaluate as _engine_evaluate
from .kernel.parse import network as parse_network

NETWORK_SCHEMA = 1
LIKE_ROWS = 100_000            # a sparse document this large refers to repeated layers ({"like": k})
DENSE_LIMIT = 2 * 10 ** 8                 # dense entries the dense views (layers, to_json()) may build
_ZERO, _ONE = fmpq(0), fmpq(1)


class _Spelling(dict):
    """fmt(q) per distinct value, computed once: constructions repeat a few weights (1, -1, powers) millions of
    times.  Keyed by (numerator, denominator): an fmpq's own hash goes through Fraction and costs more than
    spelling an imported network's mostly distinct weights (mnistfc to_json 2.3 -> 0.8 s)."""

    def spell(self, q):
        k = (q.p, q.q)
        t = self.get(k)
        if t is None:
            t = self[k] = str(q)                    # python-flint's str of an fmpq is fmt's "p/q" or "p"
        return t


def _checked_row(r, width: int, l: int, i: int) -> list:
    """Row i of layer l as a canonical sparse row: (int column, nonzero fmpq) pairs, columns increasing in
    0..width - 1; mostly C-level passes, so that a construction's millions of entries check quickly."""
    try:
        r = r if type(r) is list else list(r)
        js, ws = zip(*r) if r else ((), ())
        paired = len(js) == len(r) and all(len(e) == 2 for e in r)
    except (TypeError, ValueError):
        raise NetworkError(f"layer {l}, row {i}: a row is a list of (column, weight) pairs") from None
    if not paired:
        raise NetworkError(f"layer {l}, row {i}: a row is a list of (column, weight) pairs")
    if not all(type(j) is int for j in js):
        if not all(isinstance(j, numbers.Integral) and not isinstance(j, (bool, np_bool)) for j in js):
            raise NetworkError(f"layer {l}, row {i}: a row is a list of (int column, weight) pairs")
        js, r = tuple(int(j) for j in js), []           # numpy integers: rebuilt below
    if js and (js[0] < 0 or js[-1] >= width or any(a >= b for a, b in zip(js, js[1:]))):
        raise NetworkError(f"layer {l}, row {i}: the columns must increase within 0..{width - 1}")
    if r and all(type(w) is fmpq for w in ws) and all(ws) and all(type(e) is tuple for e in r):
        return r                                        # (r = []: rebuilt from numpy columns below)
    try:
        ws = [w if type(w) is fmpq else to_rational(w) for w in ws]
    except ExactmemError as e:
        raise NetworkError(f"layer {l}, row {i}: {e}") from None
    return [(j, w) for j, w in zip(js, ws) if w != 0]


def _checked_bias(b: list, l: int) -> list:
    """b_l as fmpq entries; an entry that is not a rational is named by its place."""
    if all(type(v) is fmpq for v in b):
        return b
    out = []
    for i, v in enumerate(b):
        try:
            out.append(v if type(v) is fmpq else to_rational(v))
        except ExactmemError as e:
            raise NetworkError(f"b_{l}[{i}]: {e}") from None
    return out


class ReLUNet:
    """An exact ReLU network R^{d_0} -> R^{d_L}; see the module docstring for the model.

    Stored sparse: each layer is ``(rows, b)`` with a row the sorted list of its nonzeros ``[(j, fmpq)]``
    (``exactmem.sparse``), so that memory and time follow the nonzeros; ``layers`` gives the dense
    ``fmpq_mat`` view on request.
    """

    def __init__(self, layers, input_dim: int | None = None):
        if isinstance(layers, (str, bytes)) or not hasattr(layers, "__iter__"):
            raise NetworkError("layers must be a sequence of (W, b) pairs")
        out = []
        prev = input_dim
        for l, layer in enumerate(layers, start=1):
            try:
                W, b = layer
            except (TypeError, ValueError):
                raise NetworkError(f"layer {l} must be a pair (W, b)") from None
            W = to_matrix(W, f"W_{l}")
            b = column(b, f"b_{l}")
            if W.nrows() == 0 and prev is None:
                raise NetworkError(f"layer {l} has no rows, so its input dimension is unknown")
            if prev is not None and W.ncols() != prev:
                raise NetworkError(f"W_{l} has {W.ncols()} columns but layer {l - 1} outputs {prev} values")
            if b.nrows() != W.nrows():
                raise NetworkError(f"b_{l} has {b.nrows()} entries but W_{l} has {W.nrows()} rows")
            if W.nrows() == 0:
                raise NetworkError(f"layer {l} has width 0")
            if l == 1:
                input_dim = W.ncols()
            out.append((_sparse.from_matrix(W), b.entries()))
            prev = W.nrows()
        if not out:
            raise NetworkError("a network needs at least one layer")
        if input_dim == 0:
            raise NetworkError("W_1 has no columns: a network needs at least one input")
        self._set(out, input_dim)

    def _set(self, layers: list, input_dim: int, interned: bool = False) -> None:
        self._L = layers if interned else _sparse.intern(layers)
        self._d0 = input_dim

    @classmethod
    def from_sparse(cls, layers, input_dim: int) -> "ReLUNet":
        """A network from sparse layers ``[(rows, b)]``: row i of layer l lists its nonzeros as ``(column, weight)``
        with columns increasing in ``0 .. d_{l-1} - 1``; weights and biases are rationals (anything
        ``to_rational`` reads).  Cost: the nonzeros, never the dense size; a row object given again (a carry) is
        read once, so rows must not change while ``layers`` is read.

        >>> ReLUNet.from_sparse([([[(0, 1)], [(0, -1)]], [0, 0]), ([[(0, 1), (1, 1)]], [0])], 1)([-3])   # |x|
        [3]
        """
        if isinstance(input_dim, bool) or not isinstance(input_dim, int) or input_dim < 1:
            raise NetworkError(f"input_dim must be a positive int, got {input_dim!r}")
        if isinstance(layers, (str, bytes)) or not hasattr(layers, "__iter__"):
            raise NetworkError("layers must be a sequence of (rows, b) pairs")
        out, width, it, seen = [], input_dim, _sparse.Interner(), {}    # (id of a row, width) -> (row, checked)
        with _sparse.gc_paused():
            for l, layer in enumerate(layers, start=1):
                try:
                    rows, b = layer
                    if isinstance(rows, (str, bytes)) or isinstance(b, (str, bytes)):
                        raise TypeError
                    rows, b = list(rows), list(b)
                except (TypeError, ValueError):
                    raise NetworkError(f"layer {l} must be a pair (rows, b) of lists") from None
                if not rows:
                    raise NetworkError(f"layer {l} has width 0")
                if len(b) != len(rows):
                    raise NetworkError(f"b_{l} has {len(b)} entries but layer {l} has {len(rows)} rows")
                checked = []
                for i, r in enumerate(rows):        # a row object used again (a carry) is checked once
                    got = seen.get((id(r), width))
                    if got is None:                 # (the row is kept in seen: its id is not reused meanwhile)
                        got = seen[id(r), width] = (r, _checked_row(r, width, l, i))
                    checked.append(got[1])
                out.append(it.layer(checked, _checked_bias(b, l)))
                width = len(rows)
        if not out:
            raise NetworkError("a network needs at least one layer")
        net = cls.__new__(cls)
        net._set(out, input_dim, interned=True)
        return net

    @classmethod
    def _trusted(cls, layers: list, input_dim: int) -> "ReLUNet":
        """Sparse layers already in canonical form (sorted columns in range, fmpq, no zero weights)."""
        net = cls.__new__(cls)
        net._set(layers, input_dim)
        return net

    # -- structure ------------------------------------------------------------------
    @property
    def layers(self) -> list:
        """The layers as dense ``(W, b)`` pairs of ``fmpq_mat`` (b a column); built on request (cached)."""
        cached = self.__dict__.get("_dense")
        if cached is None:
            d, dense = self.dims, self.param_count()
            if dense > DENSE_LIMIT:
                raise NetworkError(f"the dense view of this network has {dense} entries (limit {DENSE_LIMIT}); "
                                   f"use sparse_layers()")
            cached = self.__dict__["_dense"] = [(_sparse.to_matrix(rows, d[l]), fmpq_mat(len(b), 1, b))
                                                for l, (rows, b) in enumerate(self._L)]
        return list(cached)

    @property
    def input_dim(self) -> int:
        return self._d0

    @property
    def output_dim(self) -> int:
        return len(self._L[-1][0])

    @property
    def depth(self) -> int:
        """L, the number of affine layers (hidden layers + 1)."""
        return len(self._L)

    @property
    def dims(self) -> list:
        """[d_0, d_1, ..., d_L]."""
        return [self._d0] + [len(rows) for rows, _ in self._L]

    @property
    def widths(self) -> list:
        """The hidden widths d_1..d_{L-1}."""
        return self.dims[1:-1]

    @property
    def width(self) -> int:
        """max_l d_l over hidden layers (0 for an affine map)."""
        return max(self.widths, default=0)

    def param_count(self) -> int:
        """sum_l (d_{l-1} + 1) d_l: all weights and biases, zeros included (the paper's Eq. 3)."""
        d = self.dims
        return sum((d[l - 1] + 1) * d[l] for l in range(1, len(d)))

    def nonzero_count(self) -> int:
        """Number of nonzero weights and biases (the count of the paper's Appendix E)."""
        return _sparse.nonzeros(self._L)

    def _nonzero_parameters(self):
        for rows, b in self._L:
            for r in rows:
                for _, w in r:
                    yield w
            for v in b:
                if v != 0:
                    yield v

    def parameters(self):
        """Every weight and bias, as ``fmpq``, zeros included (layer by layer, W row by row, then b)."""
        for (rows, b), n in zip(self._L, self.dims):
            for full in _sparse.dense_rows(rows, n):
                yield from full
            yield from b

    def bit_complexity(self) -> int | None:
        """Bits per parameter of the least common fixed-point format holding every parameter.

        A fixed-point format with ``I`` integer bits and ``F`` fractional bits holds the
        numbers ``s * k / 2**F`` (sign s, integer k) with ``|value| <= 2**I``; the sign is not
        counted.  The bit complexity is the least ``I + F`` for which every parameter is in
        the format: ``F`` is the largest exponent of 2 in a denominator, ``I`` the least
        integer with ``|w| <= 2**I`` over all parameters (``I >= 0``).  A parameter whose
        denominator is not a power of two has no fixed-point form; then ``None`` is
        returned (see :meth:`max_height_bits` for a size measure of any rational).

        >>> ReLUNet([([["1/4"]], [8])]).bit_complexity()   # 8 = 2**3, 1/4 needs 2 bits
        5
        """
        I = F = 0
        for w in self._nonzero_parameters():       # a zero fits every format
            q = int(w.q)
            if q & (q - 1):
                return None
            F = max(F, q.bit_length() - 1)
            a = abs(w)
            if a > 1:
                n = int(a.p // a.q) + (1 if a.q != 1 else 0)  # ceil(|w|)
                e = (n - 1).bit_length()  # least e with 2**e >= ceil(|w|) >= |w|
                I = max(I, e)
        return I + F

    def max_height_bits(self) -> int:
        """max over parameters p/q of bitlen(|p|) + bitlen(q): a size measure for any rational weights."""
        zero = 1 if self.nonzero_count() < self.param_count() else 0          # 0 = 0/1 has height 1
        return max(max((int(abs(w.p)).bit_length() + int(w.q).bit_length() for w in self._nonzero_parameters()),
                       default=0), zero)

    def __repr__(self):
        """``ReLUNet(dims=[2, 3, 1], params=13)``; past 8 widths the middle is left out and the layers counted:
        ``ReLUNet(dims=[784, 256, 256, ..., 256, 10] (902 layers), params=...)``."""
        dims = self.dims
        shown = str(dims) if len(dims) <= 8 else \
            f"[{', '.join(map(str, dims[:3]))}, ..., {', '.join(map(str, dims[-2:]))}] ({len(dims) - 1} layers)"
        return f"ReLUNet(dims={shown}, params={self.param_count()})"

    def __eq__(self, other):
        return isinstance(other, ReLUNet) and self.dims == other.dims and self._L == other._L

    __hash__ = None

    # -- evaluation -------------------------------------------------------------------
    def sparse_layers(self) -> list:
        """The layers as [(rows of nonzeros [(j, w)], biases)]: what the kernel's engine runs (shared, do not mutate)."""
        return self._L

    def evaluate(self, X) -> fmpq_mat:
        """Exact outputs for a batch: X is N x d_0 (one input per row); returns N x d_L.

        The kernel's engine: per nonzero weight one vector operation over the batch on Python integers
        (int64 where a bound proves it exact), columns with common denominators; nothing is rounded.
        """
        H = to_matrix(X, "inputs")
        if H.ncols() != self.input_dim:
            raise DimensionMismatchError(
                f"inputs have dimension {H.ncols()} but the network expects {self.input_dim}")
        n = H.nrows()
        if n == 0:
            return fmpq_mat(0, self.output_dim)
        with _sparse.gc_paused():
            out = _engine_evaluate(self.sparse_layers(), H.tolist())
        return fmpq_mat(n, self.output_dim, [v for row in out for v in row])

    def __call__(self, x) -> list:
        """Exact output at one input point, as a list of ``fmpq``."""
        v = to_vector(x, "x")
        return self.evaluate(fmpq_mat(1, len(v), v) if v else fmpq_mat(1, 0)).entries()

    # -- construction helpers ---------------------------------------------------------------
    @classmethod
    def affine(cls, A, c=None) -> "ReLUNet":
        """The depth-1 network x -> A x + c."""
        A = to_matrix(A, "A")
        c = column(c if c is not None else [0] * A.nrows(), "c")
        return cls([(A, c)])

    @classmethod
    def identity(cls, n: int) -> "ReLUNet":
        """The affine identity on R^n."""
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise NetworkError(f"n must be a positive int, got {n!r}")
        return cls._trusted([(_sparse.identity(n), [_ZERO] * n)], n)

    def then(self, g: "ReLUNet") -> "ReLUNet":
        """Sequential composition g o self; the last affine layer of self merges into g's first.

        >>> f = ReLUNet.affine([[2]]); g = ReLUNet([([[1]], [-1]), ([[1]], [0])])
        >>> f.then(g)(["3/2"])
        [2]
        """
        if not isinstance(g, ReLUNet):
            raise NetworkError("can only compose with another ReLUNet")
        if g.input_dim != self.output_dim:
            raise DimensionMismatchError(
                f"cannot compose: the first network outputs {self.output_dim} values but the second expects "
                f"{g.input_dim}")
        merged = _sparse.compose(self._L[-1], g._L[0])
        return ReLUNet._trusted(self._L[:-1] + [merged] + g._L[1:], self._d0)

    @staticmethod
    def compose(*nets) -> "ReLUNet":
        """compose(f1, f2, ..., fk) = fk o ... o f1 (applied left to right)."""
        if not nets:
            raise NetworkError("compose needs at least one network")
        out = nets[0]
        for g in nets[1:]:
            out = out.then(g)
        return out

    def pre_affine(self, A, c=None) -> "ReLUNet":
        """x -> self(A x + c), merged into the first layer (no extra layer, no rounding)."""
        return ReLUNet.affine(A, c).then(self)

    def post_affine(self, A, c=None) -> "ReLUNet":
        """x -> A self(x) + c, merged into the last layer."""
        return self.then(ReLUNet.affine(A, c))

    def deepen(self, extra: int) -> "ReLUNet":
        """The same function with ``extra`` more layers: the output is carried as sigma(o) - sigma(-o)."""
        if isinstance(extra, bool) or not isinstance(extra, int) or extra < 0:
            raise NetworkError(f"extra must be a non-negative int, got {extra!r}")
        if extra == 0:
            return self
        o = self.output_dim
        rows, b = self._L[-1]
        split = (rows + [[(j, -w) for j, w in r] for r in rows], list(b) + [-v for v in b])
        zeros = [_ZERO] * (2 * o)
        carry = ([[(i, _ONE), (o + i, -_ONE)] for i in range(o)] + [[(i, -_ONE), (o + i, _ONE)] for i in range(o)],
                 zeros)
        last = ([[(i, _ONE), (o + i, -_ONE)] for i in range(o)], [_ZERO] * o)
        return ReLUNet._trusted(self._L[:-1] + [split] + [carry] * (extra - 1) + [last], self._d0)

    def with_passthrough(self, k: int) -> "ReLUNet":
        """The network (x, z) -> (self(x), z) for z in R^k; z rides along as sigma(z) - sigma(-z)."""
        if isinstance(k, bool) or not isinstance(k, int) or k < 0:
            raise NetworkError(f"k must be a non-negative int, got {k!r}")
        if k == 0:
            return self
        L, dims = self.depth, self.dims
        plus = _sparse.identity(k)
        pm = plus + _sparse.identity(k, value=-_ONE)                      # (z, -z)
        carry = [[(i, _ONE), (k + i, -_ONE)] for i in range(k)] + [[(i, -_ONE), (k + i, _ONE)] for i in range(k)]
        back = [[(i, _ONE), (k + i, -_ONE)] for i in range(k)]
        layers = []
        for l, (rows, b) in enumerate(self._L):
            extra = plus if L == 1 else pm if l == 0 else carry if l < L - 1 else back
            layers.append((rows + _sparse.shifted(extra, dims[l]), list(b) + [_ZERO] * len(extra)))
        return ReLUNet._trusted(layers, self._d0 + k)

    def with_carry(self, k: int) -> "ReLUNet":
        """(x, z) -> (self(x), z) for z >= 0 in R^k: z rides along as one unit per coordinate.

        Each hidden layer applies sigma to z, so the map is (self(x), sigma(z)) in general; callers feed
        values that are already ReLU outputs (cheaper than ``with_passthrough``'s two units).

        >>> ReLUNet([([[1]], [-1]), ([[2]], [0])]).with_carry(1)([3, 5])
        [4, 5]
        """
        if isinstance(k, bool) or not isinstance(k, int) or k < 0:
            raise NetworkError(f"k must be a non-negative int, got {k!r}")
        if k == 0:
            return self
        dims = self.dims
        return ReLUNet._trusted([(rows + _sparse.identity(k, dims[l]), list(b) + [_ZERO] * k)
                                 for l, (rows, b) in enumerate(self._L)], self._d0 + k)

    @staticmethod
    def parallel(*nets) -> "ReLUNet":
        """x -> (f1(x), ..., fk(x)) for networks with a common input; shorter ones are deepened."""
        if not nets:
            raise NetworkError("parallel needs at least one network")
        for f in nets:
            if not isinstance(f, ReLUNet):
                raise NetworkError("parallel takes ReLUNets")
        d0 = nets[0].input_dim
        for f in nets:
            if f.input_dim != d0:
                raise DimensionMismatchError(
                    f"parallel networks must share the input dimension ({d0} vs {f.input_dim})")
        L = max(f.depth for f in nets)
        nets = [f.deepen(L - f.depth) for f in nets]
        layers = [([r for f in nets for r in f._L[0][0]], [v for f in nets for v in f._L[0][1]])]
        for l in range(1, L):
            layers.append((_sparse.block_diag([(f._L[l][0], f.dims[l]) for f in nets]),
                           [v for f in nets for v in f._L[l][1]]))
        return ReLUNet._trusted(layers, d0)

    # -- import / export ----------------------------------------------------------------------
    @classmethod
    def from_numpy(cls, weights, biases) -> "ReLUNet":
        """Exact import of float (or integer) numpy weights: each float becomes the dyadic rational it stores."""
        if len(weights) != len(biases):
            raise NetworkError(f"{len(weights)} weight matrices but {len(biases)} bias vectors")
        return cls(list(zip(weights, biases)))

    def to_numpy(self):
        """``(weights, biases)`` as float64 numpy arrays -- rounded, for plotting only, never for proofs."""
        import numpy as np
        ws, bs = [], []
        for (rows, b), n in zip(self._L, self.dims):
            W = np.zeros((len(rows), n), dtype=np.float64)
            for i, r in enumerate(rows):
                for j, w in r:
                    W[i, j] = float(w)
            ws.append(W)
            bs.append(np.array([float(v) for v in b], dtype=np.float64))
        return ws, bs

    def to_json(self, sparse: bool = False) -> dict:
        """The network document; ``sparse`` lists only the nonzero weights of each row (``W_rows``).  A sparse
        document of LIKE_ROWS rows or more writes a layer equal to an earlier layer k as ``{"like": k}`` (Theorem
        B.5's blocks repeat their layers: 264,182 layers on 1,797 digits, a few thousand distinct), and its
        equal lists are one object in memory (copy the document before editing it in place)."""
        if sparse:
            cached = self.__dict__.get("_json_sparse")
            if cached is None:
                text, seen = _Spelling().spell, {}

                def spell(row):         # a row object shared by many layers (sparse.unit) is spelled once
                    out = seen.get(id(row))
                    if out is None:
                        out = seen[id(row)] = [[j, text(w)] for j, w in row]
                    return out

                def once(xs, f):        # a list of rows or biases shared by several layers: one list too
                    out = seen.get(id(xs))
                    if out is None:
                        out = seen[id(xs)] = [f(x) for x in xs]
                    return out
                big, first, layers = sum(len(rows) for rows, _ in self._L) >= LIKE_ROWS, {}, []
                with _sparse.gc_paused():
                    for l, (d, (rows, b)) in enumerate(zip(self.dims, self._L)):
                        k = first.setdefault((id(rows), id(b), d), l) if big else l
                        layers.append({"like": k} if k != l else {"cols": d, "W_rows": once(rows, spell) if big else
                                                                  [spell(r) for r in rows],
                                                                  "b": once(b, text) if big else [text(v) for v in b]})
                cached = self.__dict__["_json_sparse"] = {"format": "exactmem.relunet",
                                                          "schema_version": NETWORK_SCHEMA, "dims": self.dims,
                                                          "layers": layers}
            return cached
        if self.param_count() > DENSE_LIMIT:
            raise NetworkError(f"the dense document of this network has {self.param_count()} entries (limit "
                               f"{DENSE_LIMIT}); use to_json(sparse=True)")
        return {"format": "exactmem.relunet", "schema_version": NETWORK_SCHEMA,
                "dims": self.dims,
                "layers": [{"W": [[fmt(v) for v in row] for row in _sparse.dense_rows(rows, n)],
                            "b": [fmt(v) for v in b]} for (rows, b), n in zip(self._L, self.dims)]}

    @classmethod
    def from_json(cls, obj) -> "ReLUNet":
        """Load from a dict, a JSON string or a path; malformed documents raise ``SerializationError``.

        Dense (``W``) and sparse (``W_rows``) layers are both read; either is stored sparse."""
        from .data import _load_json
        if isinstance(obj, (str, bytes, os.PathLike)):
            obj = _load_json(obj)
        if not isinstance(obj, dict) or obj.get("format") != "exactmem.relunet":
            raise SerializationError("not an exactmem network document (format != 'exactmem.relunet')")
        if isinstance(obj.get("schema_version"), bool) or obj.get("schema_version") != NETWORK_SCHEMA:
            raise SchemaVersionError(
                f"network schema version {obj.get('schema_version')!r} is not supported (expected {NETWORK_SCHEMA})")
        try:
            d0, layers = parse_network(obj)
        except CertificateError as e:
            raise SerializationError(str(e).replace("network.layers", "layer")) from None
        net = cls._trusted(layers, d0)           # the kernel's parser: sorted columns in range, exact, no zeros
        if "dims" in obj and obj["dims"] != net.dims:
            raise SerializationError(f"the document's dims {obj['dims']} do not match its layers {net.dims}")
        return net

    def save(self, path) -> None:
        with open(path, "w") as fh:
            json.dump(self.to_json(), fh)

    @classmethod
    def load(cls, path) -> "ReLUNet":
        return cls.from_json(os.fspath(path) if not isinstance(path, str) else path)

