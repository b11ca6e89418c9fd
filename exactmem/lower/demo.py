"""A tiny float trainer, so that the witness generator can be shown on networks exactmem did not build.

Training uses numpy floats (building may use anything); the trained weights are then imported
exactly with ``ReLUNet.from_numpy`` and everything afterwards is exact.

>>> from exactmem.lower import width_dataset, first_layer_witness
>>> D = width_dataset(N=5, d=4)
>>> net = train_float_mlp(D, hidden=(2, 8), steps=300, seed=0)
>>> net.dims
[4, 2, 8, 1]
>>> first_layer_witness(net, D, "9/10").certificate(net).verify().is_proved
True
"""
from __future__ import annotations

import numpy as np

from ..data import Dataset
from ..network import ReLUNet


def train_float_mlp(D: Dataset, hidden=(2, 8), steps: int = 500, lr: float = 0.05, seed: int = 0) -> ReLUNet:
    """Fit a ReLU MLP to (x_i, y_i) by full-batch gradient descent on the squared error, in float64."""
    rng = np.random.default_rng(seed)
    X = np.array([[float(v) for v in D.point(i)] for i in range(D.N)])
    y = np.array(D.labels, dtype=float)[:, None]
    dims = [D.d, *hidden, 1]
    Ws = [rng.normal(0, 1 / np.sqrt(a), size=(b, a)) for a, b in zip(dims, dims[1:])]
    bs = [np.zeros(b) for b in dims[1:]]
    for _ in range(steps):
        acts, pre = [X], []
        for l, (W, b) in enumerate(zip(Ws, bs)):
            z = acts[-1] @ W.T + b
            pre.append(z)
            acts.append(np.maximum(z, 0) if l < len(Ws) - 1 else z)
        g = 2 * (acts[-1] - y) / len(X)
        for l in range(len(Ws) - 1, -1, -1):
            gW, gb = g.T @ acts[l], g.sum(0)
            if l:
                g = (g @ Ws[l]) * (pre[l - 1] > 0)
            Ws[l] -= lr * gW
            bs[l] -= lr * gb
    return ReLUNet.from_numpy(Ws, bs)
