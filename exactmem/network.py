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
import os

from flint import fmpq, fmpq_mat

from .errors import (CertificateError, DimensionMismatchError, NetworkError, SchemaVersionError, SerializationError,
                     ShapeError)
from .kernel.engine import evaluate as _engine_evaluate
from .kernel.parse import network as parse_network
from .exact import column, fmt, to_matrix, to_vector

NETWORK_SCHEMA = 1
DENSE_LIMIT = 2 * 10 ** 8                 # dense weight entries a network document may ask for
_ZERO = fmpq(0)


def _identity(n: int) -> fmpq_mat:
    return fmpq_mat(n, n, [1 if i == j else 0 for i in range(n) for j in range(n)])


def _vstack(*mats) -> fmpq_mat:
    cols = {m.ncols() for m in mats}
    if len(cols) != 1:
        raise ShapeError("cannot stack matrices with different numbers of columns")
    rows = [r for m in mats for r in m.tolist()]
    return fmpq_mat(rows) if rows else fmpq_mat(0, cols.pop())


def _block_diag(*mats) -> fmpq_mat:
    R = sum(m.nrows() for m in mats)
    C = sum(m.ncols() for m in mats)
    out = [[_ZERO] * C for _ in range(R)]
    r0 = c0 = 0
    for m in mats:
        for i, row in enumerate(m.tolist()):
            out[r0 + i][c0:c0 + m.ncols()] = row
        r0 += m.nrows()
        c0 += m.ncols()
    return fmpq_mat(out) if R and C else fmpq_mat(R, C)


class ReLUNet:
    """An exact ReLU network R^{d_0} -> R^{d_L}; see the module docstring for the model."""

    def __init__(self, layers, input_dim: int | None = None):
        if isinstance(layers, (str, bytes)) or not hasattr(layers, "__iter__"):
            raise NetworkError("layers must be a sequence of (W, b) pairs")
        Ws, bs = [], []
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
            Ws.append(W)
            bs.append(b)
            prev = W.nrows()
        if not Ws:
            raise NetworkError("a network needs at least one layer")
        if Ws[0].ncols() == 0:
            raise NetworkError("W_1 has no columns: a network needs at least one input")
        self._W = Ws
        self._b = bs

    # -- structure ------------------------------------------------------------------
    @property
    def layers(self) -> list:
        """The layers as ``(W, b)`` pairs of ``fmpq_mat`` (b a column)."""
        return list(zip(self._W, self._b))

    @property
    def input_dim(self) -> int:
        return self._W[0].ncols()

    @property
    def output_dim(self) -> int:
        return self._W[-1].nrows()

    @property
    def depth(self) -> int:
        """L, the number of affine layers (hidden layers + 1)."""
        return len(self._W)

    @property
    def dims(self) -> list:
        """[d_0, d_1, ..., d_L]."""
        return [self.input_dim] + [W.nrows() for W in self._W]

    @property
    def widths(self) -> list:
        """The hidden widths d_1..d_{L-1}."""
        return [W.nrows() for W in self._W[:-1]]

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
        return sum(sum(1 for v in W.entries() if v != 0) + sum(1 for v in b.entries() if v != 0)
                   for W, b in self.layers)

    def parameters(self):
        """Every weight and bias, as ``fmpq``."""
        for W, b in self.layers:
            yield from W.entries()
            yield from b.entries()

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
        for w in self.parameters():
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
        return max((int(abs(w.p)).bit_length() + int(w.q).bit_length() for w in self.parameters()), default=0)

    def __repr__(self):
        """``ReLUNet(dims=[2, 3, 1], params=13)``; past 8 widths the middle is left out and the layers counted:
        ``ReLUNet(dims=[784, 256, 256, ..., 256, 10] (902 layers), params=...)``."""
        dims = self.dims
        shown = str(dims) if len(dims) <= 8 else \
            f"[{', '.join(map(str, dims[:3]))}, ..., {', '.join(map(str, dims[-2:]))}] ({len(dims) - 1} layers)"
        return f"ReLUNet(dims={shown}, params={self.param_count()})"

    def __eq__(self, other):
        return isinstance(other, ReLUNet) and self.dims == other.dims and all(
            W1 == W2 and b1 == b2 for (W1, b1), (W2, b2) in zip(self.layers, other.layers))

    __hash__ = None

    # -- evaluation -------------------------------------------------------------------
    def sparse_layers(self) -> list:
        """The layers as [(rows of nonzeros [(j, w)], biases)] (cached): what the kernel's engine runs."""
        cached = self.__dict__.get("_sparse")
        if cached is None:
            cached = self.__dict__["_sparse"] = [
                ([[(j, w) for j, w in enumerate(row) if w != 0] for row in W.tolist()], b.entries())
                for W, b in self.layers]
        return cached

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
        return cls.affine(_identity(n))

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
        (WL, bL), (G1, c1) = self.layers[-1], g.layers[0]
        merged = (G1 * WL, G1 * bL + c1)
        return ReLUNet(self.layers[:-1] + [merged] + g.layers[1:])

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
        WL, bL = self.layers[-1]
        I = _identity(o)
        layers = self.layers[:-1] + [(_vstack(WL, -WL), _vstack(bL, -bL))]
        carry = _vstack(_hstack(I, -I), _hstack(-I, I))
        layers += [(carry, fmpq_mat(2 * o, 1))] * (extra - 1)
        layers.append((_hstack(I, -I), fmpq_mat(o, 1)))
        return ReLUNet(layers)

    def with_passthrough(self, k: int) -> "ReLUNet":
        """The network (x, z) -> (self(x), z) for z in R^k; z rides along as sigma(z) - sigma(-z)."""
        if isinstance(k, bool) or not isinstance(k, int) or k < 0:
            raise NetworkError(f"k must be a non-negative int, got {k!r}")
        if k == 0:
            return self
        I = _identity(k)
        L = self.depth
        layers = []
        for l, (W, b) in enumerate(self.layers):
            if L == 1:
                layers.append((_block_diag(W, I), _vstack(b, fmpq_mat(k, 1))))
            elif l == 0:
                layers.append((_block_diag(W, _vstack(I, -I)), _vstack(b, fmpq_mat(2 * k, 1))))
            elif l < L - 1:
                carry = _vstack(_hstack(I, -I), _hstack(-I, I))
                layers.append((_block_diag(W, carry), _vstack(b, fmpq_mat(2 * k, 1))))
            else:
                layers.append((_block_diag(W, _hstack(I, -I)), _vstack(b, fmpq_mat(k, 1))))
        return ReLUNet(layers)

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
        I = _identity(k)
        return ReLUNet([(_block_diag(W, I), _vstack(b, fmpq_mat(k, 1))) for W, b in self.layers])

    @staticmethod
    def parallel(*nets) -> "ReLUNet":
        """x -> (f1(x), ..., fk(x)) for networks with a common input; shorter ones are deepened."""
        if not nets:
            raise NetworkError("parallel needs at least one network")
        d0 = nets[0].input_dim
        for f in nets:
            if not isinstance(f, ReLUNet):
                raise NetworkError("parallel takes ReLUNets")
            if f.input_dim != d0:
                raise DimensionMismatchError(
                    f"parallel networks must share the input dimension ({d0} vs {f.input_dim})")
        L = max(f.depth for f in nets)
        nets = [f.deepen(L - f.depth) for f in nets]
        layers = [(_vstack(*[f._W[0] for f in nets]), _vstack(*[f._b[0] for f in nets]))]
        for l in range(1, L):
            layers.append((_block_diag(*[f._W[l] for f in nets]), _vstack(*[f._b[l] for f in nets])))
        return ReLUNet(layers)

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
        ws = [np.array([[float(v) for v in row] for row in W.tolist()], dtype=np.float64) for W in self._W]
        bs = [np.array([float(v) for v in b.entries()], dtype=np.float64) for b in self._b]
        return ws, bs

    def to_json(self, sparse: bool = False) -> dict:
        """The network document; ``sparse`` lists only the nonzero weights of each row (``W_rows``)."""
        if sparse:
            cached = self.__dict__.get("_json_sparse")
            if cached is None:
                layers = [{"cols": d, "W_rows": [[[j, fmt(w)] for j, w in row] for row in rows],
                           "b": [fmt(v) for v in b]} for d, (rows, b) in zip(self.dims, self.sparse_layers())]
                cached = self.__dict__["_json_sparse"] = {"format": "exactmem.relunet",
                                                          "schema_version": NETWORK_SCHEMA, "dims": self.dims,
                                                          "layers": layers}
            return cached
        return {"format": "exactmem.relunet", "schema_version": NETWORK_SCHEMA,
                "dims": self.dims,
                "layers": [{"W": [[fmt(v) for v in row] for row in W.tolist()], "b": [fmt(v) for v in b.entries()]}
                           for W, b in self.layers]}

    @classmethod
    def from_json(cls, obj) -> "ReLUNet":
        """Load from a dict, a JSON string or a path; malformed documents raise ``SerializationError``."""
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
        pairs, width = [], d0
        dense = sum(len(rows) * w for (rows, _), w in zip(layers, [d0] + [len(r) for r, _ in layers]))
        if dense > DENSE_LIMIT:                 # checked before python-flint allocates anything
            raise SerializationError(f"the network has {dense} dense weight entries; exactmem stores networks densely, "
                                     f"up to {DENSE_LIMIT}")
        for rows, b in layers:
            W = fmpq_mat(len(rows), width)
            for i, row in enumerate(rows):
                for j, w in row:
                    W[i, j] = w
            pairs.append((W, fmpq_mat(len(b), 1, b)))
            width = len(rows)
        net = cls(pairs)
        if "dims" in obj and obj["dims"] != net.dims:
            raise SerializationError(f"the document's dims {obj['dims']} do not match its layers {net.dims}")
        return net

    def save(self, path) -> None:
        with open(path, "w") as fh:
            json.dump(self.to_json(), fh)

    @classmethod
    def load(cls, path) -> "ReLUNet":
        return cls.from_json(os.fspath(path) if not isinstance(path, str) else path)


def _hstack(*mats) -> fmpq_mat:
    return _vstack(*[m.transpose() for m in mats]).transpose()
