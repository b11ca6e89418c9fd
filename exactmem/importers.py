"""Networks from other tools, exactly: ONNX, PyTorch and the NNet text format (numpy: ``ReLUNet.from_numpy``).

A float32 or float64 weight becomes the dyadic rational it stores; a decimal written in a text file
(NNet) becomes that decimal exactly.  Only feed-forward ReLU networks are read; any other operator is an
``ImportFormatError`` that names it.

>>> import io
>>> text = "// |x| as a 1-2-1 network\\n2,1,1,2,\\n1,2,1,\\n0,\\n-1,\\n1,\\n0,0,\\n1,1,\\n1,\\n-1,\\n0,\\n0.5,\\n1,1,\\n0,\\n"
>>> net = from_nnet(io.StringIO(text), normalize=False)     # relu(x) + relu(-x + 1/2)
>>> net([3]), net([-3]), net(["1/4"])
([3], [7/2], [1/2])
"""
from __future__ import annotations

import numpy as np

from .errors import NetworkError
from .exact import to_rational
from .network import ReLUNet


class ImportFormatError(NetworkError):
    """A file that is not a feed-forward ReLU network this importer can read exactly."""


def _rows(lines, n, where):
    out = []
    for _ in range(n):
        try:
            line = next(lines)
        except StopIteration:
            raise ImportFormatError(f"{where}: the file ends early") from None
        out.append([to_rational(t.strip()) for t in line.split(",") if t.strip()])
    return out


def from_nnet(source, normalize: bool = True) -> ReLUNet:
    """The network of an NNet file (path or text stream).  With ``normalize`` (the format's meaning) the
    inputs are mapped by (x - mean) / range and the output by y * range + mean, folded exactly into the
    first and last layers; the input bounds of the file are not part of the network and are ignored."""
    if hasattr(source, "read"):
        text = source.read()
    else:
        try:
            with open(source) as fh:
                text = fh.read()
        except OSError as e:
            raise ImportFormatError(f"cannot read {source!r}: {e}") from None
    lines = iter([ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("//")])
    try:
        head = [int(t) for t in next(lines).split(",") if t.strip()]
        sizes = [int(t) for t in next(lines).split(",") if t.strip()]
        next(lines)                                              # the unused "symmetric" flag
        _rows(lines, 2, "NNet input bounds")
        mean, rng = _rows(lines, 2, "NNet normalization")
    except (StopIteration, ValueError):
        raise ImportFormatError("NNet: the header (layers, sizes, flag, bounds, means, ranges) is malformed") from None
    if len(head) < 3 or len(sizes) != head[0] + 1 or sizes[0] != head[1] or sizes[-1] != head[2]:
        raise ImportFormatError(f"NNet: header {head} does not match the layer sizes {sizes}")
    layers = []
    for l, (a, b) in enumerate(zip(sizes, sizes[1:])):
        W = _rows(lines, b, f"NNet layer {l + 1} weights")
        bias = [r[0] if len(r) == 1 else None for r in _rows(lines, b, f"NNet layer {l + 1} biases")]
        if any(len(r) != a for r in W) or None in bias:
            raise ImportFormatError(f"NNet layer {l + 1}: expected {b} rows of {a} weights and {b} biases")
        layers.append((W, bias))
    if normalize:
        d, m = sizes[0], sizes[-1]
        if len(mean) != d + 1 or len(rng) != d + 1 or any(r == 0 for r in rng[:d]):
            raise ImportFormatError("NNet: the means and ranges need one entry per input and one for the outputs")
        (W, bias), shift = layers[0], [mu / r for mu, r in zip(mean[:d], rng[:d])]
        layers[0] = ([[w / r for w, r in zip(row, rng[:d])] for row in W],
                     [b - sum((w * s for w, s in zip(row, shift)), 0) for row, b in zip(W, bias)])
        W, bias = layers[-1]
        layers[-1] = ([[w * rng[d] for w in row] for row in W], [b * rng[d] + mean[d] for b in bias][:m])
    return ReLUNet(layers)


def _onnx():
    try:
        import onnx
        from onnx import numpy_helper
    except ImportError:
        raise ImportFormatError("reading ONNX needs the onnx package: pip install 'exactmem[onnx]'") from None
    return onnx, numpy_helper


_exact = np.vectorize(lambda v: to_rational(float(v)) if isinstance(v, (float, np.floating)) else to_rational(int(v)),
                      otypes=[object])


SUPPORTED = ("Gemm", "MatMul", "Add", "Sub", "Relu", "Flatten", "Reshape", "Identity", "Constant")


def from_onnx(source) -> ReLUNet:
    """The network of an ONNX model (path, bytes or ``onnx.ModelProto``) built from Gemm, MatMul, Add, Sub,
    Relu, Flatten, Reshape (to a vector), Identity and Constant: a chain of affine maps and ReLUs."""
    onnx, nh = _onnx()
    try:
        model = source if isinstance(source, onnx.ModelProto) else \
            onnx.load_from_string(source) if isinstance(source, bytes) else onnx.load(source)
    except Exception as e:                       # onnx raises DecodeError, OSError, ...
        raise ImportFormatError(f"cannot read the ONNX model: {str(e)[:120]}") from None
    g = model.graph
    const = {t.name: nh.to_array(t) for t in g.initializer}
    inputs = [i for i in g.input if i.name not in const]
    if len(inputs) != 1 or len(g.output) != 1:
        raise ImportFormatError(f"the ONNX graph must have one input and one output, not {len(inputs)} and {len(g.output)}")
    dims = [d.dim_value for d in inputs[0].type.tensor_type.shape.dim]
    n = int(np.prod([d for d in dims if d > 0])) if dims else 0
    if n < 1:
        raise ImportFormatError("the ONNX input has no known size")
    # every tensor is an affine function A h + c of the last ReLU's output h (or of the input)
    vals, layers = {inputs[0].name: (np.eye(n, dtype=object), np.zeros(n, dtype=object))}, []
    exact = _exact

    def affine(name):
        if name in vals:
            return vals[name]
        raise ImportFormatError(f"ONNX tensor {name!r} is used as a network value but is not one")

    def array(name):
        if name not in const:
            raise ImportFormatError(f"ONNX tensor {name!r} must be a constant (an initializer or Constant)")
        return exact(np.asarray(const[name], dtype=np.float64 if const[name].dtype.kind == "f" else object))

    for node in g.node:
        op, ins, out = node.op_type, list(node.input), node.output[0]
        at = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
        if op not in SUPPORTED:
            raise ImportFormatError(f"ONNX operator {op} (node {node.name or out!r}) is not supported; "
                                    f"supported: {', '.join(SUPPORTED)}")
        if op == "Constant":
            const[out] = nh.to_array(at["value"])
        elif op in ("Identity", "Flatten", "Reshape"):
            if ins[0] in const:
                const[out] = const[ins[0]].reshape(-1)
            else:
                vals[out] = affine(ins[0])
        elif op == "Relu":
            A, c = affine(ins[0])
            layers.append((A, c))
            vals[out] = (np.eye(len(c), dtype=object), np.zeros(len(c), dtype=object))
        elif op in ("Add", "Sub"):
            x, y = (ins if ins[0] in vals else ins[::-1])
            A, c = affine(x)
            b = array(y).reshape(-1)
            sign = -1 if op == "Sub" and x == ins[0] else 1
            if op == "Sub" and x != ins[0]:
                A, c, b = -A, -c, b
            vals[out] = (A, c + sign * b)
        elif op in ("MatMul", "Gemm"):
            x, w = ins[0], ins[1]
            if x not in vals:
                raise ImportFormatError(f"ONNX {op} node {node.name or out!r}: the constant must be the second input")
            A, c = affine(x)
            W = array(w)
            if op == "Gemm":
                if at.get("transA", 0):
                    raise ImportFormatError("ONNX Gemm with transA is not supported")
                W = W.T if at.get("transB", 0) else W
                W = W * to_rational(float(at.get("alpha", 1.0)))
            M = W.T                                              # x @ W: rows of M act on the vector
            A2, c2 = M.dot(A), M.dot(c)
            if op == "Gemm" and len(ins) > 2 and ins[2]:
                c2 = c2 + array(ins[2]).reshape(-1) * to_rational(float(at.get("beta", 1.0)))
            vals[out] = (A2, c2)
    A, c = affine(g.output[0].name)
    layers.append((A, c))
    if any(A.shape[1] != (layers[i - 1][0].shape[0] if i else n) for i, (A, _) in enumerate(layers)):
        raise ImportFormatError("the ONNX graph is not a chain of affine maps and ReLUs")
    return ReLUNet([(A.tolist(), c.tolist()) for A, c in layers])


def _tensor(t, where):
    """A tensor (or array) as an object array of exact rationals: the dyadic each float stores."""
    if getattr(t, "is_meta", False):
        raise ImportFormatError(f"{where}: a meta tensor holds no values")
    try:
        if hasattr(t, "detach"):
            t = t.detach()
            t = (t.to_dense() if str(getattr(t, "layout", "torch.strided")) != "torch.strided" else t).cpu()
            if str(t.dtype) in ("torch.float16", "torch.bfloat16"):
                t = t.float()                                    # widening is exact
            t = t.numpy()
        a = np.asarray(t)
    except (TypeError, ValueError, RuntimeError, NotImplementedError) as e:
        raise ImportFormatError(f"{where}: not a rectangular real tensor ({str(e)[:80]})") from None
    if a.dtype.kind not in "fiu":
        raise ImportFormatError(f"{where}: expected a real tensor, got dtype {a.dtype}")
    if a.dtype.kind == "f" and not np.isfinite(a).all():
        raise ImportFormatError(f"{where}: the tensor holds NaN or an infinity")
    return _exact(a.astype(np.float64) if a.dtype.kind == "f" else a.astype(object))


def _torch_layers(source):
    """[(kind, payload)] of a module: ("affine", (W, b)) or ("relu", None)."""
    kind = type(source).__name__
    if kind == "Sequential":
        return [x for m in source.children() for x in _torch_layers(m)]
    if kind == "Linear":
        b = source.bias
        W = _tensor(source.weight, "Linear.weight")
        return [("affine", (W, _tensor(b, "Linear.bias") if b is not None else np.zeros(W.shape[0], dtype=object)))]
    if kind == "ReLU":
        return [("relu", None)]
    if kind in ("Flatten", "Identity", "Dropout"):                 # no-ops on a vector in evaluation
        return []
    raise ImportFormatError(f"PyTorch module {kind} is not supported; use nn.Sequential of Linear, ReLU and Flatten")


def _state_layers(sd):
    """The Linear layers of a Sequential's state_dict, in order, with ReLU between consecutive ones."""
    groups = {}
    for k, v in sd.items():
        prefix, _, leaf = str(k).rpartition(".")
        if leaf not in ("weight", "bias"):
            raise ImportFormatError(f"state_dict entry {k!r} is not a Linear layer's weight or bias")
        groups.setdefault(prefix, {})[leaf] = v
    out = []
    for prefix, g in groups.items():
        if "weight" not in g:
            raise ImportFormatError(f"state_dict layer {prefix!r} has a bias but no weight")
        W = _tensor(g["weight"], f"{prefix}.weight")
        if W.ndim != 2:
            raise ImportFormatError(f"state_dict entry {prefix}.weight is not a matrix (shape {W.shape})")
        b = _tensor(g["bias"], f"{prefix}.bias") if "bias" in g else np.zeros(W.shape[0], dtype=object)
        out += [("relu", None)] * bool(out) + [("affine", (W, b.reshape(-1)))]
    return out


def from_torch(source) -> ReLUNet:
    """The network of a PyTorch ``nn.Sequential`` of Linear, ReLU and Flatten (Identity and Dropout are read as
    the no-ops they are in evaluation); of its ``state_dict`` (Linear layers in order, ReLU between consecutive
    ones); or of a file holding such a state_dict, loaded with ``torch.load(..., weights_only=True)``.  Each
    float weight becomes the dyadic rational it stores; consecutive affine maps are composed exactly."""
    if isinstance(source, (str, bytes)) or hasattr(source, "__fspath__"):
        try:
            import torch
        except ImportError:
            raise ImportFormatError("reading a PyTorch file needs torch: pip install 'exactmem[torch]'") from None
        try:
            source = torch.load(source, map_location="cpu", weights_only=True)
        except Exception as e:                                   # pickle, zip and OS errors alike
            raise ImportFormatError(f"cannot read the PyTorch file: {str(e)[:160]}") from None
    if hasattr(source, "children"):
        steps = _torch_layers(source)
    elif hasattr(source, "items"):
        steps = _state_layers(source)
    else:
        raise ImportFormatError(f"expected an nn.Sequential, a state_dict or a path, got {type(source).__name__}")
    layers, A = [], None
    for kind, payload in steps:
        if kind == "relu":
            if A is None:
                raise ImportFormatError("a ReLU before the first Linear layer is not supported")
            layers.append(A)
            A = None
            continue
        W, b = payload
        if A is not None and W.shape[1] != A[0].shape[0] or A is None and layers and W.shape[1] != layers[-1][0].shape[0]:
            raise ImportFormatError(f"a Linear layer takes {W.shape[1]} inputs after a layer of {A[0].shape[0] if A else layers[-1][0].shape[0]} outputs")
        A = (W, b) if A is None else (W.dot(A[0]), W.dot(A[1]) + b)
    if A is None:
        raise ImportFormatError("the network must end with a Linear layer")
    layers.append(A)
    return ReLUNet([(W.tolist(), b.tolist()) for W, b in layers])


__all__ = ["from_nnet", "from_onnx", "from_torch", "ImportFormatError", "SUPPORTED"]
