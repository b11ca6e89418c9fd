"""ONNX graphs as exact ReLU networks, read by data flow.

The graph is walked back from the chosen output: only nodes that reach it count, in topological order
(node order in the file does not matter, and a dangling node is ignored).  Every tensor is an affine map
``A h + c`` of the current layer's input h (the network's input, or the output of the last ReLU), kept as
exact ``fmpq_mat`` with its ONNX shape; a Relu closes a layer.  Weights become the dyadic rationals they
store, one integer matrix and one power of two per tensor (``exact.dyadic_matrix``), so a 784-256-256-10
network loads in well under a second.  The imported network is then evaluated against the ONNX runtime
(onnxruntime if installed, else onnx's reference evaluator) at seeded points (``common.crosscheck``).

Supported: Gemm, MatMul (the constant on either side, 1-D or 2-D), Add, Sub, Mul and Div by constants (with
broadcasting), Neg, Relu, Identity, Dropout, Flatten, Reshape, Squeeze, Unsqueeze, Transpose, Cast to a
float type, Constant; shape operators and Cast on constants (what exporters write for shared weights).

A graph with several outputs (scikit-learn's skl2onnx export: a label and probabilities) is read at its
*scores*: the one tensor fed to a Softmax, LogSoftmax or Sigmoid; ``output=NAME`` picks any tensor.
"""
from __future__ import annotations

from math import prod

import numpy as np
from flint import fmpq, fmpq_mat

from ..exact import dyadic_matrix, to_rational
from ..network import ReLUNet
from .common import ImportFormatError, crosscheck, plain, seeded_points

SUPPORTED = ("Gemm", "MatMul", "Add", "Sub", "Mul", "Div", "Neg", "Relu", "Identity", "Dropout", "Flatten",
             "Reshape", "Squeeze", "Unsqueeze", "Transpose", "Cast", "Constant")
SHAPE_OPS = ("Identity", "Dropout", "Flatten", "Reshape", "Squeeze", "Unsqueeze", "Transpose", "Cast")
HEADS = ("Softmax", "LogSoftmax", "Sigmoid")
_FLOAT_TYPES = {1: np.float32, 10: np.float16, 11: np.float64}      # TensorProto FLOAT, FLOAT16, DOUBLE


def _onnx():
    try:
        import onnx
        from onnx import numpy_helper
    except ImportError:
        raise ImportFormatError("reading ONNX needs the onnx package: pip install 'exactmem[onnx]'") from None
    return onnx, numpy_helper


class _Val:
    """A tensor of the graph as an affine map of layer ``level``'s input: A h + c, with its ONNX shape.
    A is None for the identity, c None for zero."""
    __slots__ = ("level", "shape", "A", "c")

    def __init__(self, level, shape, A=None, c=None):
        self.level, self.shape, self.A, self.c = level, tuple(int(s) for s in shape), A, c

    @property
    def size(self):
        return prod(self.shape)


def _identity(n):
    M = fmpq_mat(n, n)
    for i in range(n):
        M[i, i] = 1
    return M


def _exact(arr, what) -> fmpq_mat:
    """A constant as an exact column."""
    a = np.asarray(arr)
    if a.dtype == object:
        return fmpq_mat(a.size, 1, [to_rational(v) for v in a.ravel()]) if a.size else fmpq_mat(0, 1)
    if a.dtype.kind not in "fiu":
        raise ImportFormatError(f"{what}: a constant of dtype {a.dtype} is not a real tensor")
    return dyadic_matrix(a.reshape(-1, 1), what)


def _exact2(arr, what) -> fmpq_mat:
    """A 2-D constant as an exact matrix."""
    a = np.asarray(arr)
    if a.dtype == object:
        return fmpq_mat([[to_rational(v) for v in row] for row in a])
    if a.dtype.kind not in "fiu":
        raise ImportFormatError(f"{what}: a constant of dtype {a.dtype} is not a real tensor")
    return dyadic_matrix(a, what)


def _kron_identity(M: fmpq_mat, k: int, left: bool) -> fmpq_mat:
    """I_k (x) M if left, else M (x) I_k."""
    if k == 1:
        return M
    r, c = M.nrows(), M.ncols()
    out = fmpq_mat(r * k, c * k)
    rows = M.tolist()
    for i in range(r):
        for j in range(c):
            w = rows[i][j]
            if w == 0:
                continue
            for t in range(k):
                if left:
                    out[t * r + i, t * c + j] = w
                else:
                    out[i * k + t, j * k + t] = w
    return out


class _Reader:
    def __init__(self, model, output, onnx, nh):
        self.onnx, self.nh = onnx, nh
        g = model.graph
        self.g = g
        self.const = {t.name: nh.to_array(t) for t in g.initializer}
        self.producer = {}
        for node in g.node:
            for o in node.output:
                if o:
                    self.producer[o] = node
        self.output = self._choose_output(output)
        self.nodes = self._needed(self.output)
        used = {i for n in self.nodes for i in n.input} | {self.output}
        inputs = [i for i in g.input if i.name not in self.const and i.name in used]
        if len(inputs) != 1:
            names = [i.name for i in g.input if i.name not in self.const]
            raise ImportFormatError(f"the ONNX graph's output {self.output!r} depends on {len(inputs)} of its inputs "
                                    f"{names}; exactly one is supported")
        self.input = inputs[0]
        tt = self.input.type.tensor_type
        self.in_shape = tuple(d.dim_value if d.dim_value > 0 else 1 for d in tt.shape.dim)
        self.in_dtype = _FLOAT_TYPES.get(tt.elem_type, np.float32)
        self.n = prod(self.in_shape)
        if self.n < 1:
            raise ImportFormatError("the ONNX input has no known size")

    # -- which tensor, which nodes ----------------------------------------------------------------------
    def _choose_output(self, output):
        names = [o.name for o in self.g.output]
        if output is not None:
            if not isinstance(output, str) or (output not in self.producer and output not in names):
                raise ImportFormatError(f"output={output!r} is not a tensor of the ONNX graph")
            return output
        if len(names) == 1 and all(n.op_type in SUPPORTED for n in self._needed(names[0], strict=False)):
            return names[0]
        heads = sorted({n.input[0] for n in self.g.node if n.op_type in HEADS and n.input})
        if len(names) > 1 and len(heads) == 1:
            return heads[0]
        hint = f"; the scores before the {'/'.join(HEADS)} are {heads[0]!r}: pass output={heads[0]!r}" \
            if len(heads) == 1 else "; pass output=NAME to read one tensor of it"
        if len(names) == 1:
            bad = sorted({n.op_type for n in self._needed(names[0], strict=False)} - set(SUPPORTED))
            raise ImportFormatError(f"ONNX operator {bad[0]} (on the way to output {names[0]!r}) is not supported "
                                    f"(supported: {', '.join(SUPPORTED)}){hint}")
        raise ImportFormatError(f"the ONNX graph has {len(names)} outputs {names}{hint}")

    def _needed(self, out, strict=True):
        """The nodes that reach ``out``, in topological order (iterative depth-first search)."""
        order, state, stack = [], {}, [(out, False)]
        while stack:
            name, done = stack.pop()
            node = self.producer.get(name)
            if node is None:
                continue
            key = id(node)
            if done:
                if state.get(key) != 2:
                    state[key] = 2
                    order.append(node)
                continue
            if state.get(key) == 2:
                continue
            if state.get(key) == 1:
                if strict:
                    raise ImportFormatError(f"the ONNX graph has a cycle through {name!r}")
                continue
            state[key] = 1
            stack.append((name, True))
            stack.extend((i, False) for i in reversed(node.input) if i and i not in self.const)
        return order

    # -- the walk -------------------------------------------------------------------------------------------
    def read(self) -> ReLUNet:
        vals = {self.input.name: _Val(0, self.in_shape)}
        self.layers, self.relu_of_level = [], {}
        for node in self.nodes:
            self._node(node, vals)
        if self.output not in vals:
            raise ImportFormatError(f"the ONNX output {self.output!r} is a constant, not a function of the input")
        v = vals[self.output]
        if v.level != len(self.layers):
            raise ImportFormatError("the ONNX graph is not a chain of affine maps and ReLUs: its output skips the "
                                    "last ReLU layer")
        self.layers.append(self._close(v))
        return ReLUNet(self.layers)

    def _close(self, v):
        width = self.n if v.level == 0 else self.layers[v.level - 1][0].nrows()
        A = v.A if v.A is not None else _identity(width)
        c = v.c if v.c is not None else fmpq_mat(v.size, 1)
        return A, c

    def _where(self, node):
        return f"ONNX {node.op_type} node {node.name or node.output[0]!r}"

    def _array(self, name, node):
        if name not in self.const:
            raise ImportFormatError(f"{self._where(node)}: input {name!r} must be a constant")
        return self.const[name]

    def _node(self, node, vals):
        op, ins, out = node.op_type, [i for i in node.input], node.output[0]
        where = self._where(node)
        at = {a.name: self.onnx.helper.get_attribute_value(a) for a in node.attribute}
        if op not in SUPPORTED:
            raise ImportFormatError(f"ONNX operator {op} (node {node.name or out!r}) is not supported; "
                                    f"supported: {', '.join(SUPPORTED)}")
        if op == "Constant":
            if "value" not in at:
                raise ImportFormatError(f"{where}: only a Constant with a tensor 'value' is supported")
            self.const[out] = self.nh.to_array(at["value"])
            return
        live = [i for i in ins if i in vals]
        if not live:                                          # every input constant: fold it (shape ops, Neg)
            self.const[out] = self._fold(op, ins, at, node)
            return
        if op in SHAPE_OPS:
            vals[out] = self._shape_op(op, vals[ins[0]], ins, at, node)
        elif op == "Relu":
            vals[out] = self._relu(vals[ins[0]], ins[0], node)
        elif op == "Neg":
            vals[out] = _scale(vals[ins[0]], fmpq(-1))
        elif op in ("Add", "Sub"):
            vals[out] = self._add(op, ins, vals, node)
        elif op in ("Mul", "Div"):
            vals[out] = self._mul(op, ins, vals, node)
        else:                                                 # MatMul, Gemm
            vals[out] = self._matmul(op, ins, vals, at, node)

    # -- constants ------------------------------------------------------------------------------------------
    def _fold(self, op, ins, at, node):
        a = self._array(ins[0], node)
        if op == "Neg":
            return -a
        if op in SHAPE_OPS:
            shape = self._new_shape(op, a.shape, ins, at, node)
            if op == "Transpose":
                return np.transpose(a, at.get("perm", list(range(a.ndim))[::-1]))
            if op == "Cast":
                to = at.get("to")
                if to not in _FLOAT_TYPES:
                    raise ImportFormatError(f"{self._where(node)}: Cast to ONNX type {to} is not supported")
                return a.astype(_FLOAT_TYPES[to]) if a.dtype != object else a
            return a.reshape(shape)
        raise ImportFormatError(f"{self._where(node)}: arithmetic on constants ({op}) is not supported")

    def _new_shape(self, op, shape, ins, at, node):
        if op in ("Identity", "Dropout", "Cast"):
            return tuple(shape)
        if op == "Flatten":
            axis = at.get("axis", 1)
            axis = axis + len(shape) if axis < 0 else axis
            return (prod(shape[:axis]), prod(shape[axis:]))
        if op == "Transpose":
            perm = at.get("perm", list(range(len(shape)))[::-1])
            return tuple(shape[p] for p in perm)
        if op == "Squeeze":
            axes = at.get("axes") if len(ins) < 2 or not ins[1] else self._array(ins[1], node).tolist()
            if axes is None:
                return tuple(s for s in shape if s != 1)
            axes = {a + len(shape) if a < 0 else a for a in axes}
            return tuple(s for i, s in enumerate(shape) if i not in axes)
        if op == "Unsqueeze":
            axes = at.get("axes") if len(ins) < 2 or not ins[1] else self._array(ins[1], node).tolist()
            r = len(shape) + len(axes)
            axes = sorted(a + r if a < 0 else a for a in axes)
            out, it = [], iter(shape)
            for i in range(r):
                out.append(1 if i in axes else next(it))
            return tuple(out)
        # Reshape: 0 copies the input's dimension (unless allowzero), -1 is inferred
        target = [int(t) for t in self._array(ins[1], node).reshape(-1).tolist()]
        if not at.get("allowzero", 0):
            target = [shape[i] if t == 0 and i < len(shape) else t for i, t in enumerate(target)]
        try:
            return np.empty(shape, dtype=np.int8).reshape(target).shape
        except ValueError as e:
            raise ImportFormatError(f"{self._where(node)}: cannot reshape {tuple(shape)} to {target} ({e})") from None

    # -- operators on network values ------------------------------------------------------------------------
    def _shape_op(self, op, v, ins, at, node):
        if op == "Cast" and at.get("to") not in _FLOAT_TYPES:
            raise ImportFormatError(f"{self._where(node)}: Cast to ONNX type {at.get('to')} is not supported")
        shape = self._new_shape(op, v.shape, ins, at, node)
        if op == "Transpose":
            perm = at.get("perm", list(range(len(v.shape)))[::-1])
            idx = np.arange(v.size).reshape(v.shape).transpose(perm).ravel()
            return _select(_width(self, v), v, idx, shape)
        return _Val(v.level, shape, v.A, v.c)

    def _relu(self, v, name, node):
        if self.relu_of_level.get(v.level + 1) == name:       # the same tensor through a second Relu node
            return _Val(v.level + 1, v.shape)
        if v.level != len(self.layers):
            raise ImportFormatError(f"{self._where(node)}: the ONNX graph is not a chain of affine maps and ReLUs "
                                    "(a branch or skip connection)")
        self.layers.append(self._close(v))
        self.relu_of_level[v.level + 1] = name
        return _Val(v.level + 1, v.shape)

    def _operands(self, ins, vals, node):
        if len(ins) != 2:
            raise ImportFormatError(f"{self._where(node)} needs two inputs")
        return [vals.get(i) for i in ins]

    def _same_level(self, a, b, node):
        if a.level != b.level:
            raise ImportFormatError(f"{self._where(node)}: the ONNX graph is not a chain of affine maps and ReLUs "
                                    "(it combines tensors of different layers)")

    def _add(self, op, ins, vals, node):
        a, b = self._operands(ins, vals, node)
        sign = -1 if op == "Sub" else 1
        if a is not None and b is not None:
            self._same_level(a, b, node)
            shape = _broadcast(a.shape, b.shape, self, node)
            a, b = _expand(self, a, shape), _expand(self, b, shape)
            w = _width(self, a)
            A = _full(a.A, w) + _full(b.A, w) * sign
            c = _col(a.c, a.size) + _col(b.c, b.size) * sign
            return _Val(a.level, shape, A, c)
        if a is None:                                          # constant - value = -(value) + constant
            v, k = (_scale(b, fmpq(-1)) if op == "Sub" else b), self._array(ins[0], node)
            sign = 1
        else:
            v, k = a, self._array(ins[1], node)
        shape = _broadcast(v.shape, k.shape, self, node)
        v = _expand(self, v, shape)
        kk = _exact(np.broadcast_to(k, shape), f"{self._where(node)} constant")
        return _Val(v.level, shape, v.A, _col(v.c, v.size) + kk * sign)

    def _mul(self, op, ins, vals, node):
        a, b = self._operands(ins, vals, node)
        if a is not None and b is not None:
            raise ImportFormatError(f"{self._where(node)}: a product of two network values is not piecewise linear")
        if a is None and op == "Div":
            raise ImportFormatError(f"{self._where(node)}: dividing by a network value is not piecewise linear")
        v, k = (a, self._array(ins[1], node)) if a is not None else (b, self._array(ins[0], node))
        shape = _broadcast(v.shape, k.shape, self, node)
        v = _expand(self, v, shape)
        kk = _exact(np.broadcast_to(k, shape), f"{self._where(node)} constant").entries()
        if op == "Div":
            if any(x == 0 for x in kk):
                raise ImportFormatError(f"{self._where(node)}: division by zero")
            kk = [1 / x for x in kk]
        if len(set(kk)) == 1:
            return _scale(v, kk[0])
        return _diag(self, v, kk)

    def _matmul(self, op, ins, vals, at, node):
        if len(ins) < 2:
            raise ImportFormatError(f"{self._where(node)} needs two inputs")
        a, b = vals.get(ins[0]), vals.get(ins[1])
        if a is not None and b is not None:
            raise ImportFormatError(f"{self._where(node)}: a product of two network values is not piecewise linear")
        alpha = to_rational(float(at.get("alpha", 1.0))) if op == "Gemm" else fmpq(1)
        if a is not None:                                      # value @ constant
            W = np.asarray(self._array(ins[1], node))
            if op == "Gemm":
                if len(a.shape) != 2 or W.ndim != 2:
                    raise ImportFormatError(f"{self._where(node)}: Gemm needs 2-D operands")
                if at.get("transA", 0):
                    a = self._shape_op("Transpose", a, [], {"perm": [1, 0]}, node)
                W = W.T if at.get("transB", 0) else W
            v, out = self._right(a, W, node)
        else:                                                  # constant @ value
            W = np.asarray(self._array(ins[0], node))
            if op == "Gemm":
                if len(b.shape) != 2 or W.ndim != 2:
                    raise ImportFormatError(f"{self._where(node)}: Gemm needs 2-D operands")
                if at.get("transB", 0):
                    b = self._shape_op("Transpose", b, [], {"perm": [1, 0]}, node)
                W = W.T if at.get("transA", 0) else W
            v, out = self._left(W, b, node)
        if alpha != 1:
            v = _scale(v, alpha)
        if op == "Gemm" and len(ins) > 2 and ins[2]:
            if ins[2] in vals:
                raise ImportFormatError(f"{self._where(node)}: the bias C must be a constant")
            beta = to_rational(float(at.get("beta", 1.0)))
            k = self._array(ins[2], node)
            shape = _broadcast(out, k.shape, self, node)
            if shape != tuple(out):
                raise ImportFormatError(f"{self._where(node)}: bias of shape {k.shape} does not fit {out}")
            v = _Val(v.level, out, v.A, _col(v.c, v.size) + _exact(np.broadcast_to(k, out), "Gemm C") * beta)
        return v

    def _right(self, a, W, node):
        """a @ W for a network value a of shape (..., K) and a constant W of shape (K,) or (K, N)."""
        S = a.shape
        if W.ndim not in (1, 2) or not S or S[-1] != W.shape[0]:
            raise ImportFormatError(f"{self._where(node)}: cannot multiply shape {S} by a constant of shape {W.shape}")
        M = _exact2(W.T if W.ndim == 2 else W.reshape(1, -1), f"{self._where(node)} weight")
        batch = prod(S[:-1])
        out = S[:-1] + ((W.shape[1],) if W.ndim == 2 else ())
        return _apply(self, a, _kron_identity(M, batch, left=True), out), out

    def _left(self, W, b, node):
        """W @ b for a constant W of shape (K,) or (M, K) and a network value b of shape (K,) or (K, N)."""
        S = b.shape
        if W.ndim not in (1, 2) or not S or len(S) > 2 or S[0] != W.shape[-1]:
            raise ImportFormatError(f"{self._where(node)}: cannot multiply a constant of shape {W.shape} by {S}")
        M = _exact2(W if W.ndim == 2 else W.reshape(1, -1), f"{self._where(node)} weight")
        cols = S[1] if len(S) == 2 else 1
        out = ((W.shape[0],) if W.ndim == 2 else ()) + S[1:]
        return _apply(self, b, _kron_identity(M, cols, left=False), out), out


# -- affine maps of values --------------------------------------------------------------------------------------
def _width(r, v):
    return r.n if v.level == 0 else r.layers[v.level - 1][0].nrows()


def _full(A, w):
    return A if A is not None else _identity(w)


def _col(c, n):
    return c if c is not None else fmpq_mat(n, 1)


def _apply(r, v, M, shape):
    """M v: the constant matrix M composed with the value's affine map."""
    A = M if v.A is None else M * v.A
    c = None if v.c is None else M * v.c
    return _Val(v.level, shape, A, c)


def _scale(v, k):
    return _Val(v.level, v.shape, _full(v.A, v.size) * k, None if v.c is None else v.c * k)


def _diag(r, v, ks):
    """diag(ks) v."""
    n = v.size
    if v.A is None:
        A = fmpq_mat(n, n)
        for i, k in enumerate(ks):
            A[i, i] = k
    else:
        rows = v.A.tolist()
        A = fmpq_mat([[k * w for w in row] for k, row in zip(ks, rows)])
    c = None if v.c is None else fmpq_mat(n, 1, [k * x for k, x in zip(ks, v.c.entries())])
    return _Val(v.level, v.shape, A, c)


def _select(w, v, idx, shape):
    """The value whose entry i is entry idx[i] of v (a transposition or a broadcast)."""
    idx = [int(i) for i in idx]
    if v.A is None:
        A = fmpq_mat(len(idx), w)
        for i, j in enumerate(idx):
            A[i, j] = 1
    else:
        rows = v.A.tolist()
        A = fmpq_mat([rows[j] for j in idx]) if idx else fmpq_mat(0, w)
    c = None if v.c is None else fmpq_mat(len(idx), 1, [v.c[j, 0] for j in idx])
    return _Val(v.level, shape, A, c)


def _broadcast(s, t, r, node):
    try:
        return tuple(np.broadcast_shapes(tuple(s), tuple(t)))
    except ValueError:
        raise ImportFormatError(f"{r._where(node)}: shapes {tuple(s)} and {tuple(t)} do not broadcast") from None


def _expand(r, v, shape):
    if tuple(shape) == v.shape:
        return v
    idx = np.broadcast_to(np.arange(v.size).reshape(v.shape), shape).ravel()
    return _select(_width(r, v), v, idx, shape)


# -- the cross-check -----------------------------------------------------------------------------------------
def _out_type(model, reader, onnx):
    """The element type of the chosen output (declared, inferred, or the input's)."""
    g = model.graph
    for vi in list(g.output) + list(g.value_info):
        if vi.name == reader.output and vi.type.tensor_type.elem_type:
            return vi.type.tensor_type.elem_type
    try:
        for vi in onnx.shape_inference.infer_shapes(model).graph.value_info:
            if vi.name == reader.output and vi.type.tensor_type.elem_type:
                return vi.type.tensor_type.elem_type
    except Exception:                                # inference is only a convenience here
        pass
    return reader.input.type.tensor_type.elem_type or onnx.TensorProto.FLOAT


def _pruned(model, reader, onnx):
    """The model cut down to the nodes that reach the chosen output, with that output alone."""
    g = reader.g
    nodes = list(reader.nodes)                       # in topological order, which the runtimes need
    out = onnx.helper.make_tensor_value_info(reader.output, _out_type(model, reader, onnx), None)
    inits = {t.name for t in g.initializer}
    inputs = [i for i in g.input if i.name in inits or i.name == reader.input.name]
    graph = onnx.helper.make_graph(nodes, g.name or "g", inputs, [out], list(g.initializer))
    m = onnx.helper.make_model(graph, opset_imports=list(model.opset_import))
    m.ir_version = model.ir_version
    return m


def _runtime(model, reader, onnx):
    """The ONNX runtime on the pruned model as a function of k x n float64 points: onnxruntime where it is
    installed and loads the model (what users deploy with), else onnx's reference evaluator."""
    run = []

    def session():
        pruned = _pruned(model, reader, onnx)
        try:
            import onnxruntime as ort
            sess = ort.InferenceSession(pruned.SerializeToString(), providers=["CPUExecutionProvider"])
            return lambda x: sess.run(None, {reader.input.name: x})[0]
        except ImportError:
            pass
        except Exception:                            # a model onnxruntime refuses: try the reference evaluator
            pass
        from onnx.reference import ReferenceEvaluator
        ev = ReferenceEvaluator(pruned)
        return lambda x: ev.run(None, {reader.input.name: x})[0]

    def f(X):
        if not run:
            run.append(session())
        return np.stack([np.asarray(run[0](x.reshape(reader.in_shape).astype(reader.in_dtype)),
                                    dtype=np.float64).ravel() for x in X])
    return f


def from_onnx(source, output: str | None = None, check: bool = True, points=None) -> ReLUNet:
    """The network of an ONNX model (path, bytes or ``onnx.ModelProto``), read by data flow from ``output``
    (default: the graph's output, or the scores of a classifier export; see the module docstring).  With
    ``check`` the result is compared with the ONNX runtime at ``points`` (default: three seeded points of
    [-1, 1]^n) and an ``ImportFormatError`` names the first output that differs.

    >>> from exactmem.importers.onnx_graph import SUPPORTED
    >>> "Gemm" in SUPPORTED and "Relu" in SUPPORTED
    True
    """
    onnx, nh = _onnx()
    try:
        model = source if isinstance(source, onnx.ModelProto) else \
            onnx.load_from_string(source) if isinstance(source, bytes) else onnx.load(source)
    except Exception as e:                       # onnx raises DecodeError, OSError, ...
        raise ImportFormatError(f"cannot read the ONNX model: {plain(e, 120)}") from None
    try:
        reader = _Reader(model, output, onnx, nh)
        net = reader.read()
    except ImportFormatError:
        raise
    except (ValueError, TypeError, KeyError, IndexError, AttributeError) as e:   # a malformed graph or tensor
        raise ImportFormatError(f"the ONNX graph could not be read: {plain(e, 120)}") from None
    if check:
        X = np.asarray(points, dtype=np.float64).reshape(-1, reader.n) if points is not None else \
            seeded_points(reader.n)
        X = X.astype(reader.in_dtype).astype(np.float64)          # what the runtime will see, exactly
        crosscheck(net, _runtime(model, reader, onnx), X, f"ONNX model (output {reader.output!r})")
    return net


__all__ = ["from_onnx", "SUPPORTED"]
