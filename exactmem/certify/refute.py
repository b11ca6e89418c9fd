"""A finder for counterexamples: exact points where a network misses a label inside a robustness ball.

When the kernel cannot prove a robust-memorization claim it says on which balls and what it found there
(``verdict.details["outputs"]``: the output as a function of one source, or bounds).  This module turns
that into candidate points -- the centre, and the midpoint of every linear piece of the output whose value
is wrong, moved along the source's direction -- and asks the kernel to check each one
(``kernel.robust.refute``: inside the open ball, exact output not the label).  A verdict is REFUTED only
when the kernel has checked the point; otherwise it stays UNDECIDED.

>>> from exactmem import Dataset, ReLUNet
>>> from exactmem.certify import robust_certificate
>>> D = Dataset([[0], [4]], [1, 2])
>>> f = ReLUNet([([[1]], [0]), ([["1/4"]], [1])])          # 1 + x/4: right at the centres only
>>> check(robust_certificate(D, f, "1/2").to_json()).witness["x"]
['1/2']
"""
from __future__ import annotations

from flint import fmpq

from .. import kernel
from ..kernel import values as V
from ..kernel.robust import refute
from ..verdict import Verdict


def _candidates(balls, i, X, label, outputs):
    yield list(X[i])
    for val in outputs:
        if not isinstance(val, V.PL):
            continue
        w = dict(balls.W1[val.k])
        for lo, hi, v, a in val.pieces:
            t = (lo + hi) / 2
            if v + a * t == label or abs(t) >= balls.R_lo[val.k]:
                continue
            x = list(X[i])          # move u_k by t: along w (l_2), sign(w) (l_inf), the largest |w_j| (l_1)
            if balls.p == 2:
                n2 = sum((c * c for c in w.values()), fmpq(0))
                for j, c in w.items():
                    x[j] += t * c / n2
            elif balls.p == "inf":
                n1 = sum((abs(c) for c in w.values()), fmpq(0))
                for j, c in w.items():
                    x[j] += t * (1 if c > 0 else -1) / n1
            else:
                j, c = max(w.items(), key=lambda jc: abs(jc[1]))
                x[j] += t / c
            yield x


def search(doc, verdict: Verdict, rho=None) -> Verdict:
    """The kernel's verdict, or REFUTED with a point the kernel checked."""
    outputs = verdict.details.get("outputs") if verdict.is_undecided else None
    if not outputs:
        return verdict
    balls = verdict.details["sources"]
    X, labels = kernel.parse.dataset(doc["dataset"])
    for i in sorted(outputs):
        for x in _candidates(balls, i, X, labels[i], outputs[i]):
            v = refute(doc, i, x, rho)
            if v.is_refuted:
                return v
    return verdict


def check(cert, rho=None, eta=None, progress=None, budget=None, share=None) -> Verdict:
    """``kernel.check``, then a search for a counterexample where the kernel could not prove the claim."""
    v = kernel.check(cert, rho=rho, eta=eta, progress=progress, budget=budget, share=share)
    if eta is not None or not (v.is_undecided and v.details.get("outputs")):
        return v                # a point never refutes a claim with an error allowance eta (given here)
    w = search(kernel.read(cert), v, rho)           # a share's refutation says which share found it
    return w if "share" not in v.details else Verdict(w.status, w.reason, w.witness, {**w.details, "share": v.details["share"]})
