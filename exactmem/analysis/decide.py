"""Exact decisions about any ReLU network on balls and boxes, each verdict the kernel's.

``robustly_memorizes(net, D, rho, p, semantics)`` asks the region-cover question of every ball
B_p(x_i, rho eps_D); ``holds_on(net, sets_and_goals)`` asks arbitrary ones.  The finder
(``analysis.cover``) builds a tree of regions per question with exact hints; the certificate (kind
``region-cover``) is then checked by ``exactmem.kernel``, which alone says PROVED.  A failing point found on
the way is re-checked by the kernel (``kernel.regions.refute``) before REFUTED is returned.

>>> from exactmem import Dataset, ReLUNet
>>> D = Dataset([[0, 0], [4, 0]], [1, 2])                                 # eps_D = 2
>>> f = ReLUNet([([[1, 0], [1, 0]], [-1, -3]), ([["1/2", "-1/2"]], [1])])  # 1 + ramp on x_1 in [1, 3]
>>> v = robustly_memorizes(f, D, "1/2")
>>> v.status.value, v.details["leaves"]
('PROVED', 2)
>>> robustly_memorizes(f, D, "3/4").witness["ball"]
0
"""
from __future__ import annotations

import json
import time

from .. import kernel
from ..certify.records import Certificate, dataset_payload, norm_name
from ..data import Dataset
from ..errors import DimensionMismatchError, NetworkError
from ..exact import fmt
from ..network import ReLUNet
from ..norms import check_p, check_rho
from ..parallel import Serial, with_workers
from ..progress import Progress
from ..verdict import Verdict
from . import bab, cover, simplex

SEMANTICS = kernel.regions.SEMANTICS


def _decide(doc: dict, budget, label: str, queue=(None, None, None)):
    """Run the finder on every question of the document; the kernel's verdict on the resulting certificate.
    ``queue`` = (executor, checkpoint, resume): an executor runs the linear-bounds phase (``bab.decide``) as a
    work-queue, and, when it has workers (not serial), the region engine that follows too (``cover_queue``)
    and the kernel's check in shares over it.  A ``checkpoint`` file gets the state of whichever search is
    running (``bab_queue``'s or ``cover_queue``'s format; both searches then run as work-queues, in this
    process without an executor); ``resume`` continues from such a file: the linear-bounds search from its
    state, or, from a region-engine state, the region engine at once, with the trees of the questions it had
    finished."""
    ex0, checkpoint, resume = queue
    if ex0 is not None:
        from .wire import check_executor
        check_executor(ex0)
    state, text = None, None
    if resume is not None:
        text = json.dumps(doc, sort_keys=True, separators=(",", ":"))
        from . import bab_queue, cover_queue
        from . import checkpoint as checkpoint_file
        if checkpoint_file.read(resume, bab_queue.FORMAT, cover_queue.FORMAT)["format"] == cover_queue.FORMAT:
            state = cover_queue.load_checkpoint(resume, text)       # another document: refused before any work
    parsed = kernel.regions.questions(doc)
    ex = with_workers(ex0)
    _, layers, qs = parsed
    trees, start, regions = [], time.monotonic(), 0
    for q, (S, goal) in enumerate(qs):                  # cheap float sampling first, every question
        x = cover.falsify(layers, S, goal)
        if x is not None:
            return kernel.regions.refute(doc, q, x), None
    if state is None and (budget is None or budget > 0) and not _flat(qs):   # linear bounds first: fast where
        share = None if budget is None else budget * 0.6                       # the goal has room
        v, cert = bab.decide(doc, share, *queue, parsed=parsed)
        if v is not None:
            return v, cert
    first = 0
    if state is not None:                               # the region engine's questions finished before
        trees, first = list(state["done"]), state["q"]
        if first >= len(qs) or len(trees) != first:
            from .checkpoint import malformed
            raise malformed(resume)
        regions = sum(map(len, trees))
    qx = ex                                             # None: the serial cover.search
    if qx is None and (checkpoint is not None or state is not None):
        qx = ex0 or Serial()                            # a checkpoint: the work-queue, in this process
    if qx is not None and text is None:
        text = json.dumps(doc, sort_keys=True, separators=(",", ":"))
    with Progress(label, "questions") as bar:
        for q in range(first, len(qs)):
            S, goal = qs[q]
            bar.update(q, len(qs))
            left = None if budget is None else budget - (time.monotonic() - start)
            if qx is None:
                out = cover.search(layers, S, goal, left)
            else:
                from . import cover_queue
                out = cover_queue.search(doc, q, qx, left, parsed=parsed, text=text, checkpoint=checkpoint,
                                         resume=resume if state is not None and q == first else None, done=trees)
            if out[0] == "refuted":
                return kernel.regions.refute(doc, q, out[1]), None
            if out[0] == "undecided":
                return Verdict.undecided(f"question {q}: {out[1]}", question=q, questions_done=q,
                                         regions=regions + out[2]), None
            trees.append(out[1])
            regions += len(out[1])
        bar.update(len(qs), len(qs))
    doc = kernel.sign({**doc, "hints": {"trees": trees}})
    if ex is not None:
        from ..certify import parallel as shares
        return shares.check(doc, ex), doc
    return kernel.check(doc), doc


def _flat(qs) -> bool:
    """Some question whose set has no interior (its constraints meet no point strictly: an equality between
    inputs, a segment, or no point at all), or whose goal fails only on a hyperplane (a clause with a strict atom
    beside its negation: an equality in a VNN-LIB property).  Linear bounds on boxes find no point there and
    close no leaf around it; the region engine decides such questions exactly (``cover.settle``)."""
    for S, goal in qs:
        if S.cons and simplex.over_set(S, [], S.cons)[0] in ("tight", "infeasible"):
            return True
        for clause in goal:
            strict = {(tuple(g), h) for g, h, s in clause if s}
            if any((tuple(-t for t in g), -h) in strict for g, h in strict):
                return True
    return False


def check_question(net: ReLUNet, D: Dataset, semantics: str, budget) -> None:
    """The network, the data and the semantics fit one another (outputs, labels, dimension), and the budget is a
    positive number of seconds or None; else a ``NetworkError`` or ``DimensionMismatchError`` naming what."""
    if not isinstance(net, ReLUNet):
        raise NetworkError(f"expected a ReLUNet, got {type(net).__name__}")
    if semantics not in SEMANTICS:
        raise NetworkError(f"semantics must be one of {', '.join(SEMANTICS)}, got {semantics!r}")
    if net.input_dim != D.d:
        raise DimensionMismatchError(f"the network takes {net.input_dim} inputs but the data have d = {D.d}")
    want = D.C if semantics == "argmax" else 1
    if net.output_dim != want or (semantics == "sign" and D.C != 2):
        raise DimensionMismatchError(f"semantics {semantics!r} needs {want} output(s)"
                                     f"{' and two labels' if semantics == 'sign' else ''}; the network has "
                                     f"{net.output_dim} and the data {D.C} labels")
    if budget is not None and not (isinstance(budget, (int, float)) and budget > 0):
        raise NetworkError(f"budget must be a positive number of seconds, got {budget!r}")


def robustly_memorizes(net: ReLUNet, D: Dataset, rho, p=2, semantics: str = "label", budget=None,
                       executor=None, checkpoint=None, resume=None) -> Verdict:
    """Decide whether ``net`` rho-robustly memorizes D in l_p, for any network and any d.

    ``semantics``: "label" (one output equal to y_i on the open ball, the paper's Definition 2.2),
    "argmax" (C outputs, the largest is output y_i, ties are errors) or "sign" (one output, negative for
    label 1, positive for label 2).  PROVED carries its certificate (``details["certificate"]``, a
    document the kernel re-checks); REFUTED an exact point strictly inside a ball; ``budget`` seconds turn
    a long search into UNDECIDED with the progress made; ``executor`` (``exactmem.parallel``): the searches as
    work-queues over its workers and the kernel's check in shares; ``checkpoint``/``resume``: a file of the
    searches' state, to stop and continue them (``_decide``)."""
    if not isinstance(net, ReLUNet):
        raise NetworkError(f"expected a ReLUNet, got {type(net).__name__}")
    if not isinstance(D, Dataset):
        raise NetworkError(f"expected a Dataset, got {type(D).__name__}")
    rho, p = check_rho(rho), check_p(p)
    check_question(net, D, semantics, budget)
    doc = Certificate("region-cover", f"the network {fmt(rho)}-robustly memorizes the dataset in l_{norm_name(p)} "
                      f"({semantics} semantics)", dataset_payload(D), net.to_json(sparse=True),
                      {"rho": fmt(rho), "p": norm_name(p), "semantics": semantics}).to_json()
    v, cert = _decide(doc, budget, "regions", (executor, checkpoint, resume))
    if v.is_refuted:
        w = v.witness
        return Verdict.refuted(f"ball {w['question']} (label {D.labels[w['question']]}): the network outputs "
                               f"{', '.join(w['output'])} at an exact point strictly inside it",
                               {"ball": w["question"], "x": w["x"], "output": w["output"]})
    if v.is_proved:
        return Verdict.proved(v.reason, certificate=cert, **v.details)
    return v


__all__ = ["robustly_memorizes", "check_question", "SEMANTICS"]
