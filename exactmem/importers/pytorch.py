"""PyTorch: an ``nn.Sequential`` of Linear, ReLU and Flatten, its ``state_dict``, or a file holding one.

The cross-check runs the module itself (in ``eval`` mode, without gradients) at seeded points; a state_dict
is checked against the formula W h + b in float64 from the same tensors, which tests the exact composition.
"""
from __future__ import annotations

import numpy as np

from ..exact import dyadic_matrix
from ..network import ReLUNet
from .common import ImportFormatError, crosscheck, plain, seeded_points


def _tensor(t, where):
    """A tensor (or array) as a float64 or integer numpy array holding exactly the stored values."""
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
        raise ImportFormatError(f"{where}: not a rectangular real tensor ({plain(e, 80)})") from None
    if a.dtype.kind not in "fiu":
        raise ImportFormatError(f"{where}: expected a real tensor, got dtype {a.dtype}")
    if a.dtype.kind == "f" and not np.isfinite(a).all():
        raise ImportFormatError(f"{where}: the tensor holds NaN or an infinity")
    return a.astype(np.float64) if a.dtype.kind == "f" else a.astype(np.int64)


def _torch_layers(source):
    """[(kind, payload)] of a module: ("affine", (W, b)) or ("relu", None)."""
    kind = type(source).__name__
    if kind == "Sequential":
        return [x for m in source.children() for x in _torch_layers(m)]
    if kind == "Linear":
        W = _tensor(source.weight, "Linear.weight")
        b = source.bias
        return [("affine", (W, _tensor(b, "Linear.bias") if b is not None else np.zeros(W.shape[0])))]
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
        b = _tensor(g["bias"], f"{prefix}.bias").reshape(-1) if "bias" in g else np.zeros(W.shape[0])
        if b.shape[0] != W.shape[0]:
            raise ImportFormatError(f"state_dict entry {prefix}.bias has {b.shape[0]} entries for {W.shape[0]} rows")
        out += [("relu", None)] * bool(out) + [("affine", (W, b))]
    return out


def _load(path):
    try:
        import torch
    except ImportError:
        raise ImportFormatError("reading a PyTorch file needs torch: pip install 'exactmem[torch]'") from None
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as e:                                   # pickle, zip and OS errors alike
        msg = plain(e, 400)
        if "Weights only load failed" in msg or "weights_only" in msg:
            raise ImportFormatError("the PyTorch file holds a pickled module, which exactmem does not unpickle "
                                    "(unpickling runs code); save the weights instead: "
                                    "torch.save(model.state_dict(), path)") from None
        raise ImportFormatError(f"cannot read the PyTorch file: {plain(e)}") from None


def _module_runtime(module):
    import torch
    param = next(iter(module.parameters()), None)
    dtype = param.dtype if param is not None else torch.float32

    def run(X):
        was = module.training
        module.eval()
        try:
            with torch.no_grad():
                return module(torch.as_tensor(X, dtype=dtype)).double().numpy()
        finally:
            module.train(was)
    return run


def _formula(steps):
    def run(X):
        h = X.T
        for kind, payload in steps:
            h = np.maximum(h, 0) if kind == "relu" else payload[0] @ h + payload[1][:, None]
        return h.T
    return run


def from_torch(source, check: bool = True) -> ReLUNet:
    """The network of a PyTorch ``nn.Sequential`` of Linear, ReLU and Flatten (Identity and Dropout are read as
    the no-ops they are in evaluation); of its ``state_dict`` (Linear layers in order, ReLU between consecutive
    ones); or of a file holding such a state_dict, loaded with ``torch.load(..., weights_only=True)``.  Each
    float weight becomes the dyadic rational it stores; consecutive affine maps are composed exactly.  With
    ``check``, the module (or the state_dict's float formula) is compared with the result at seeded points."""
    runtime = None
    if isinstance(source, (str, bytes)) or hasattr(source, "__fspath__"):
        source = _load(source)
    if hasattr(source, "children"):
        steps = _torch_layers(source)
        runtime = _module_runtime(source) if check else None
    elif hasattr(source, "items"):
        steps = _state_layers(source)
    else:
        raise ImportFormatError(f"expected an nn.Sequential, a state_dict or a path, got {type(source).__name__}")
    layers, A, width = [], None, None
    for kind, payload in steps:
        if kind == "relu":
            if A is None:
                raise ImportFormatError("a ReLU right after another ReLU or before the first Linear layer is "
                                        "not supported")
            layers.append(A)
            width, A = A[0].nrows(), None
            continue
        W, b = payload
        have = A[0].nrows() if A is not None else width
        if have is not None and W.shape[1] != have:
            raise ImportFormatError(f"a Linear layer takes {W.shape[1]} inputs after a layer of {have} outputs")
        Wq, bq = dyadic_matrix(W, "Linear.weight"), dyadic_matrix(b.reshape(-1, 1), "Linear.bias")
        A = (Wq, bq) if A is None else (Wq * A[0], Wq * A[1] + bq)
    if A is None:
        raise ImportFormatError("the network must end with a Linear layer")
    layers.append(A)
    net = ReLUNet(layers)
    if check:
        crosscheck(net, runtime or _formula(steps), seeded_points(net.input_dim), "PyTorch model")
    return net


__all__ = ["from_torch"]
