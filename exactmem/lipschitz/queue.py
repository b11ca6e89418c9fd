"""The exact Lipschitz constant's branch and bound over workers: one queue of open nodes, items kept in flight.

``lipschitz_constant(..., executor=ex)`` runs here (issue 24), as ``analysis.bab_queue`` does for the
linear-bounds finder.  The parent keeps the open nodes of the region tree in one best-first heap (the
largest bound on ||J|| first), the tree found so far and the lower end ``low`` with its interior point.  It
keeps ``batch / per_item`` work items in flight (``analysis.feed``): whenever fewer are out it takes the
``per_item`` best open nodes (closing those whose bound cannot beat ``low`` on the way) and sends them as an
item with the current ``low`` and the bound of the best node left in the heap (the *floor*); it takes the
answers back in item order and merges each while the workers go on, so no worker waits for the others.  A
worker expands each node for at most ``steps`` steps of best-first search below it (``expand_item``:
``cover.walk``, the exact value of a region and its interior point, the interval bound of a node with free
units), raising its own copy of ``low`` on the way and handing back, open, any node whose bound is below the
floor: the parent has better ones, so the search keeps close to the global best-first order, which walks no
node whose bound is below the constant.  What comes back is data: tree nodes, the nodes still open with
their bounds, the steepest region found with its point, and the regions whose interior point was not found.
A larger lower end replaces ``low`` only when strictly larger, so of equal ones the earlier item's stays.
What an item holds depends only on the answers merged before it was made, in item order, and the number of
items in flight does not depend on the workers: the certificate is the same byte for byte for 1 process (the
queue on ``Serial``), a pool or Dask.  (It may differ from the serial loop's, which expands one node at a
time with the ``low`` of that moment; the constant does not.)

Work items are plain data: exact numbers as ``"p/q"`` strings, paths and hints as lists, the question
(network, set, norm) as JSON text sent with the first items only and kept by its digest in the worker (a
worker started later answers "missing" and is sent the text).  The per-process ``memo`` of ``cover.walk``
(a split node's stability proofs and sample points, which its children start from) travels with each open
node -- the proofs as "p/q" strings, the points as a numpy array of floats -- so a node's walk is the same
wherever it runs.  The certificate is then checked by the kernel, in shares over the same executor when it
has workers (``certify.parallel``): the kernel alone says PROVED.

Checkpoint and resume (``search(..., checkpoint=, resume=)``, ``exactmem lipschitz --checkpoint/--resume``): the
state -- the question's digest, the tree, the open nodes with their order and their parents' memo entries, the
items in flight (their nodes, ``low`` and floor), the lower end and its point, the loose regions -- is written
atomically (``analysis.checkpoint``) after an answer is merged every 10 s, when the budget stops the search and
on Ctrl-C; a resumed search sends the items that were in flight again first, walks no node of its tree again
and, without a budget, ends with the uninterrupted run's certificate, byte for byte.

>>> from exactmem import ReLUNet, box, parallel
>>> from exactmem.lipschitz import lipschitz_constant
>>> f = ReLUNet([([[1, 1], [1, -1]], [0, 0]), ([[1, 1]], [0])])     # x + max(x, |y|)
>>> with parallel.executor() as ex:                                   # parallel.executor(2): 2 processes
...     L = lipschitz_constant(f, "inf", box([-1, -1], [1, 1]), executor=ex)
>>> L.lower, L.upper, L.is_exact, L.verdict.is_proved
(2, 2, True, True)
"""
from __future__ import annotations

import heapq
import json
import time

import numpy as np

from ..analysis import checkpoint as checkpoint_file
from ..analysis import cover, wire
from ..analysis.ask import _budget
from ..analysis.feed import Feed
from ..analysis.lp import ffloat
from ..errors import OptionError, ParallelError
from ..exact import fmt
from ..kernel.regions import parse_set
from ..network import ReLUNet
from ..norms import KERNEL_NAMES, kernel_p
from ..progress import Progress
from ..sparse import gc_paused
from .exact import (
    _bound,
    _finder_set,
    _finish,
    _first,
    _flat,
    _interior_point,
    _open_leaf,
    _set,
    _value,
)

FORMAT = checkpoint_file.LIPSCHITZ
_CACHE = {}                 # in a worker: digest of a question's text -> _Question
_q, _memo_json, _memo = wire.rational, wire.memo_json, wire.memo


class _Question:
    """The parsed question in a worker: the network's layers, the set in the finder's coordinates, the norm."""

    def __init__(self, text: str):
        doc = json.loads(text)
        net = ReLUNet.from_json(doc["network"])
        self.layers, self.d, self.p = net.sparse_layers(), net.input_dim, kernel_p(doc["p"])
        self.S = _finder_set(parse_set(doc["set"], self.d, "set"), self.layers, self.d)


def expand_item(item: dict) -> dict:
    """A worker's part: for each node of ``item["nodes"]`` ([bound "p/q" or None, path, stable hints, the memo
    of its parent or None]), at most ``item["steps"]`` steps of best-first search below it, pruning with a
    lower end that starts at ``item["low"]`` and rises with the regions found.  Returns {"parts": [{"nodes":
    [[path, node], ...], "open": [node, ...], "loose": [[path, hi, flat proof or None], ...]} per node],
    "best": [lo, [x]] or None, "top": the largest hi of a region with an interior point or None, "regions":
    walks}; {"missing": True} if the item carries only the question's digest and this process has not seen it.
    A node whose bound is below ``item["floor"]`` (after the first walk) stays open; so does everything once
    ``item["seconds"]`` have passed (the root excepted: it is always walked)."""
    qn = wire.cached(_CACHE, item["digest"], item.get("question"), _Question)
    if qn is None:
        return {"missing": True}
    low = _q(item["low"])
    deadline = None if item.get("seconds") is None else time.monotonic() + item["seconds"]
    state = {"low": low, "best": None, "top": None, "regions": 0}
    floor = None if item.get("floor") is None else _q(item["floor"])
    parts = [_expand_node(qn, js, item["steps"], state, deadline, floor) for js in item["nodes"]]
    best = state["best"]
    return {"parts": parts, "best": None if best is None else [fmt(best[0]), [fmt(t) for t in best[1]]],
            "top": None if state["top"] is None else fmt(state["top"]), "regions": state["regions"]}


def _expand_node(qn, js, steps, state, deadline, floor=None):
    """Up to ``steps`` walks of best-first search below the node ``js``: its nodes, the nodes left open."""
    layers, S, d, p = qn.layers, qn.S, qn.d, qn.p
    bound, path, hints, parent = js
    path = tuple(tuple(t) for t in path)
    memo, coded, split = {}, {}, {}
    if parent is not None:
        memo[path[:-1]], coded[path[:-1]] = _memo(parent), parent
    heap, count, walks = [(0.0, 0, None if bound is None else _q(bound), path, hints)], 1, 0
    nodes, loose = [], []
    while heap and walks < steps:
        if heap[0][3] and deadline is not None and time.monotonic() > deadline:     # the root is always walked
            break
        if walks and floor is not None and heap[0][2] < floor:        # the parent has better nodes: back to it
            break
        _, _, bound, path, hints = heapq.heappop(heap)
        if bound is not None and bound <= state["low"]:
            nodes.append([list(path), _open_leaf(hints)])
            continue
        seen = []
        kind, out = cover.walk(layers, S, list(path), d, memo, lambda *a: seen.append(a))
        walks += 1
        if kind == "leaf":
            nodes.append([list(path), out])
        elif kind == "region":
            nd, outs = out
            lo, hi = _value([c for c, _ in outs], p)
            nodes.append([list(path), nd.leaf(goals=[])])
            if hi > state["low"]:
                x = _interior_point(nd, S, layers, d)
                if x is None:
                    loose.append([list(path), fmt(hi), _flat(nd)])
                    continue
                state["top"] = hi if state["top"] is None else max(state["top"], hi)
                if lo > state["low"]:
                    state["low"], state["best"] = lo, (lo, x)
        else:
            nd, l, M, states = seen[0]
            top = _bound(layers, l, M, states, d, p)
            if top <= state["low"]:
                nodes.append([list(path), nd.leaf(goals=[])])
                continue
            nodes.append([list(path), {"split": list(out)}])
            split[path] = nd
            for s in (1, -1):
                heapq.heappush(heap, (-ffloat(top), count, top, path + ((*out, s),), nd.hints))
                count += 1
    state["regions"] += walks
    left = []
    for _, _, b, pth, h in sorted(heap, key=lambda e: e[:2]):
        key = pth[:-1]
        if key in memo and key not in coded:
            coded[key] = _coded(split[key]) if key in split else _memo_json(memo[key])
        left.append([None if b is None else fmt(b), [list(t) for t in pth], h, coded.get(key) if pth else None])
    return {"nodes": nodes, "open": left, "loose": loose}


def _coded(nd) -> list:
    """``wire.memo_json`` of a split node's memo entry (its proofs and sample points), a proof with a hint given
    by the very entry of ``nd.hints`` ([l, j, s, multipliers as text]) that goes to the children beside it: a
    message carries those texts once."""
    given = {(e[0], e[1]): e for e in nd.hints}
    proofs = []
    for (l, j), (s, hint) in nd.proofs.items():
        e = given.get((l, j))
        proofs.append(e if hint and e is not None and e[2] == s else [l, j, s, [[a, b, fmt(t)] for a, b, t in hint]])
    return [proofs, np.ascontiguousarray(nd.P, dtype=np.float64)]


class _State:
    """The parent's side: the tree {path: node}, the open nodes (a heap), the lower end and its point, the
    largest value of a region with an interior point (``top``), the loose regions ([path, hi, flat proof or
    None]), walks made; ``again``: the items that were in flight when a checkpoint was written ([low, floor,
    nodes]), to send first on resume."""

    def __init__(self, text, low, top, point):
        self.text, self.digest = text, wire.digest(text)
        self.tree, self.heap, self.count, self.loose, self.again = {}, [], 0, [], []
        self.low, self.top, self.point, self.regions = low, top, point, 0

    def push(self, js, count=None):
        b = None if js[0] is None else _q(js[0])
        heapq.heappush(self.heap, (0.0 if b is None else -ffloat(b), self.count if count is None else count, b, js))
        if count is None:
            self.count += 1

    def take(self, per_item) -> list:
        """The heap entries of the ``per_item`` best open nodes; those that cannot beat the lower end on the way
        become leaves."""
        take = []
        while self.heap and len(take) < per_item:
            entry = heapq.heappop(self.heap)
            if entry[2] is not None and entry[2] <= self.low:           # cannot beat the lower end
                self.tree[tuple(tuple(t) for t in entry[3][1])] = _open_leaf(entry[3][2])
            else:
                take.append(entry)
        return take

    def floor(self):
        """The bound of the best node left in the heap ("p/q"), or None."""
        return None if not self.heap else fmt(self.heap[0][2])

    def merge(self, res):
        """One item's answer: its tree nodes, open nodes, loose regions, lower end and top."""
        if not isinstance(res, dict) or "parts" not in res:
            raise ParallelError(f"a worker answered {res!r:.80}, not a part of the Lipschitz tree")
        nodes = {tuple(tuple(t) for t in path): node for part in res["parts"] for path, node in part["nodes"]}
        best = None if res["best"] is None else (_q(res["best"][0]), res["best"][1])
        top = None if res["top"] is None else _q(res["top"])
        self.tree.update(nodes)
        for part in res["parts"]:
            self.loose += part["loose"]
            for js in part["open"]:
                self.push(js)
        if top is not None:
            self.top = max(self.top, top)
        if best is not None and best[0] > self.low:                     # ties: the earlier item's stays
            self.low, self.point = best[0], [_q(t) for t in best[1]]
        self.regions += res["regions"]

    def loose_regions(self) -> list:
        """The loose regions as ``_finish`` takes them: (hi, the flat proof or None, the tree's node)."""
        return [(_q(hi), lambda fl=fl: fl, self.tree[tuple(tuple(t) for t in path)]) for path, hi, fl in self.loose]

    def dump(self, flight=()) -> dict:
        memos = checkpoint_file.Memos()
        return {"format": FORMAT, "version": 1, "question": self.digest, "low": fmt(self.low), "top": fmt(self.top),
                "point": None if self.point is None else [fmt(t) for t in self.point], "regions": self.regions,
                "count": self.count, "loose": self.loose,
                "tree": [[[list(t) for t in p], node] for p, node in self.tree.items()],
                "open": [[c, [b, path, hints, memos.add(m)]] for _, c, _, (b, path, hints, m) in sorted(
                    self.heap, key=lambda e: e[1])],
                "flight": [[it["low"], it["floor"], [[b, path, hints, memos.add(m)] for b, path, hints, m in
                                                     it["nodes"]]] for it in flight], "memos": memos.table}

    def load(self, state):
        memos = checkpoint_file.memos(state["memos"])
        self.low, self.top, self.regions = _q(state["low"]), _q(state["top"]), int(state["regions"])
        self.point = None if state["point"] is None else [_q(t) for t in state["point"]]
        self.tree = {tuple(tuple(t) for t in p): node for p, node in state["tree"]}
        self.loose = [[path, str(hi), fl] for path, hi, fl in state["loose"]]
        for c, (b, path, hints, m) in state["open"]:
            self.push([b, path, hints, None if m is None else memos[m]], int(c))
        self.count = int(state["count"])
        if any(e[1] >= self.count for e in self.heap):
            raise ValueError("an open node counted after the last")
        self.again = [[str(low), None if floor is None else str(floor),
                       [[b, path, hints, None if m is None else memos[m]] for b, path, hints, m in nodes]]
                      for low, floor, nodes in state.get("flight", [])]


def _check_executor(ex):
    if not callable(getattr(ex, "map", None)) or isinstance(ex, type):
        raise OptionError(f"executor must be an executor of exactmem.parallel (parallel.executor(jobs, scheduler): "
                          f"Serial, Pool or Dask) or None for the serial search, got {ex!r:.60}")


def load_checkpoint(path: str, text: str) -> dict:
    """The state in the checkpoint ``path`` of the question of canonical JSON ``text`` (network, set, norm); an
    OptionError when the file is missing, not a Lipschitz checkpoint, or of another question."""
    state = checkpoint_file.read(path, FORMAT)
    if state.get("question") != wire.digest(text):
        raise OptionError(f"--resume {path}: the checkpoint is of another network, set or norm")
    return state


def search(net, p, region, budget, ex, batch: int = 32, per_item: int = 4, steps: int = 16,
           checkpoint: str | None = None, resume: str | None = None, every: float = 10.0):
    """``lipschitz_constant(net, p, region, budget)`` with its branch and bound over the executor ``ex``
    (``exactmem.parallel``): at most ``batch`` open nodes in flight, in items of ``per_item`` nodes, ``steps``
    walks per node; the budget counts wall time in the parent, whatever the number of workers.  ``checkpoint``:
    write the state (tree found, open nodes, items in flight, lower end) there after an answer once ``every``
    seconds have passed, when the budget stops the search, and on Ctrl-C; ``resume``: continue from such a
    file, walking no node of its tree again (without a budget, the certificate is then the same bytes as an
    uninterrupted run's)."""
    _check_executor(ex)
    if not all(isinstance(t, int) and not isinstance(t, bool) and t >= 1 for t in (batch, per_item, steps)):
        raise OptionError("batch, per_item and steps must be whole numbers >= 1")
    region = _set(net, region)
    p, budget, m = kernel_p(p), _budget(budget), net.output_dim
    text = json.dumps({"network": net.to_json(sparse=True), "set": region.spec, "p": KERNEL_NAMES[p]},
                      sort_keys=True, separators=(",", ":"))
    start = time.monotonic()
    if resume is not None:
        st = _State(text, None, None, None)
        checkpoint_file.restore(st.load, load_checkpoint(resume, text), resume)
    else:
        qn = _Question(text)                    # the parent's float search runs on what the workers read
        low, low_hi, point = _first(qn.layers, qn.S, qn.d, m, p)
        st = _State(text, low, low_hi, point)
        st.push([None, [], [], None])
    window = max(1, batch // per_item)
    feed = Feed(ex, expand_item, text, window)
    waves = -(-window // max(1, int(getattr(ex, "workers", 1) or 1)))      # items each worker has ahead
    saver = checkpoint_file.Saver(checkpoint, every)
    dump = lambda: st.dump(list(feed.flight) + [{"low": low, "floor": floor, "nodes": nodes}      # not yet
                                                for low, floor, nodes in st.again])              # sent again too

    def send(low, floor, nodes):
        seconds = None
        if budget is not None:                  # the time left, shared among the items a worker has ahead
            seconds = max(budget - (time.monotonic() - start), 0.0) / waves
        feed.put({"digest": st.digest, "low": low, "steps": steps, "seconds": seconds, "floor": floor,
                  "nodes": nodes})

    stopped = None
    try:
        with Progress("Lipschitz constant", "regions") as bar, gc_paused():     # speed only: the tree is big
            while st.again:                     # a resumed search: what was in flight, first
                send(*st.again[0])
                st.again.pop(0)
            while True:
                while stopped is None and feed.room() and st.heap:
                    if budget is not None and st.tree and time.monotonic() - start >= budget:
                        stopped = "budget"
                        break
                    take = st.take(per_item)
                    if take:
                        try:
                            send(fmt(st.low), st.floor(), [e[3] for e in take])
                        except BaseException:
                            for entry in take:  # not sent (Ctrl-C): open again, as they were
                                heapq.heappush(st.heap, entry)
                            raise
                if not feed.flight:
                    break
                feed.merge(st.merge)
                bar.update(st.regions, st.regions + len(st.heap))
                saver.due(dump)
    except KeyboardInterrupt:
        saver.now(dump)                         # the items in flight are in it, to be sent again
        raise
    finally:
        feed.close()
    if stopped is not None:
        stopped = f"budget of {budget} s spent after {st.regions} region(s)"
        saver.now(dump)
    upper = max([st.top] + [b for _, _, b, _ in st.heap])
    tree = dict(st.tree)
    for _, _, _, js in st.heap:                                         # open nodes: leaves with free units
        tree[tuple(tuple(t) for t in js[1])] = _open_leaf(js[2])
    try:
        loose = st.loose_regions()
        cover.preorder(tree)
    except KeyError:                            # only a damaged checkpoint leaves a split unexplored
        raise checkpoint_file.malformed(resume) from None
    return _finish(net, region, p, tree, upper, loose, st.low, st.point, st.regions, stopped, ex)


__all__ = ["search", "expand_item", "load_checkpoint", "FORMAT"]
