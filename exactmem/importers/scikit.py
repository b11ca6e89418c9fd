"""scikit-learn's ``MLPClassifier`` and ``MLPRegressor`` with ReLU hidden units, read from the fitted model.

The network's outputs are the model's *scores*: the regressor's predictions, or the classifier's last
affine layer before its output function (softmax for several classes: the predicted class is the argmax of
the scores; logistic for two classes: one score, class ``classes_[1]`` where it is positive).  The
cross-check compares ``predict`` (regressor) or ``predict_proba`` (classifier, through the output function
in float64) with the exact network at seeded points.

>>> import numpy as np
>>> from sklearn.neural_network import MLPRegressor
>>> X = np.linspace(-1, 1, 20).reshape(-1, 1)
>>> model = MLPRegressor((4,), random_state=0, max_iter=50).fit(X, np.abs(X).ravel())   # doctest: +SKIP
"""
from __future__ import annotations

import numpy as np

from ..exact import dyadic_matrix
from ..network import ReLUNet
from .common import ImportFormatError, crosscheck, seeded_points


def _proba(scores, out_activation):
    if out_activation == "softmax":
        z = scores - scores.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)
    p = 1 / (1 + np.exp(-scores))                           # logistic
    return np.hstack([1 - p, p]) if scores.shape[1] == 1 else p


def from_sklearn(model, check: bool = True) -> ReLUNet:
    """The exact network of a fitted ``MLPClassifier`` / ``MLPRegressor`` with ``activation='relu'`` (its
    float64 weights as the dyadics they store); outputs are scores as described in the module docstring."""
    kind = type(model).__name__
    if kind not in ("MLPClassifier", "MLPRegressor"):
        raise ImportFormatError(f"from_sklearn reads MLPClassifier and MLPRegressor, not {kind}")
    if getattr(model, "activation", None) != "relu":
        raise ImportFormatError(f"the {kind} uses activation={getattr(model, 'activation', None)!r}; only 'relu' "
                                "networks are piecewise linear")
    coefs, intercepts = getattr(model, "coefs_", None), getattr(model, "intercepts_", None)
    if coefs is None or intercepts is None:
        raise ImportFormatError(f"the {kind} is not fitted (it has no coefs_)")
    layers = []
    for l, (W, b) in enumerate(zip(coefs, intercepts), start=1):
        W, b = np.asarray(W), np.asarray(b)
        if W.ndim != 2 or b.shape != (W.shape[1],):
            raise ImportFormatError(f"{kind} layer {l}: coefs_ and intercepts_ have shapes {W.shape}, {b.shape}")
        layers.append((dyadic_matrix(W.T, f"coefs_[{l - 1}]"), dyadic_matrix(b.reshape(-1, 1), f"intercepts_[{l - 1}]")))
    net = ReLUNet(layers)
    if check:
        X = seeded_points(net.input_dim)
        if kind == "MLPRegressor":
            crosscheck(net, lambda X: np.asarray(model.predict(X)).reshape(len(X), -1), X, kind)
        else:
            S = net.evaluate(dyadic_matrix(X, "points"))
            scores = np.array([[float(v) for v in row] for row in S.tolist()])
            got, want = _proba(scores, model.out_activation_), np.asarray(model.predict_proba(X))
            if got.shape != want.shape or not np.allclose(got, want, rtol=1e-6, atol=1e-9):
                raise ImportFormatError(f"{kind}: the imported scores do not reproduce predict_proba "
                                        "(please report it)")
    return net


__all__ = ["from_sklearn"]
