"""Branch and bound over workers: one queue of open leaves, expanded in items kept in flight, with checkpoint
and resume.

The finder of ``linear-bounds`` certificates (``bab``) as a work-queue for ``exactmem.parallel``.  The parent
keeps the open leaves in one best-first heap (the weakest float bound first) and the tree found so far.  It
keeps ``batch / per_item`` items in flight (``analysis.feed``): whenever fewer are out it takes the best open
leaves -- ``per_item`` of them, or one when fewer than that many per item slot are open, so that a narrow
tree still feeds every worker -- and sends them; each worker expands each of its leaves for at most ``steps``
steps of best-first search below it (``expand_item``); what comes back is data -- the tree nodes found, the
leaves still open with their priorities, or a counterexample -- and the parent merges the answers in item
order.  What an item holds depends only on the answers merged before it was made, so the tree, and the
certificate made from it, are the same byte for byte whatever the number of workers (they differ from the
serial ``bab.search``, which expands one leaf at a time).  Work items are JSON text and lists of numbers; a
worker keeps the parsed document in a cache keyed by the text's digest.

The state -- the question's digest, the margin, the nodes found, the open leaves and the items in flight --
is written atomically to ``checkpoint`` (JSON) after an answer once ``every`` seconds have passed, when the
search stops with open leaves and on Ctrl-C; ``resume`` reads such a file, sends the items that were in
flight again first and continues from its open leaves, redoing nothing that was found.  A worker that dies
loses only its items, which the executor sends again.  Nothing here is trusted: the tree goes to the kernel
as in ``bab.decide``.

>>> from exactmem import ReLUNet
>>> from exactmem.analysis.ask import _atom, _doc, box
>>> from exactmem.parallel import executor
>>> net = ReLUNet([([[1], [-1]], [0, 0]), ([[1, 1]], [1])])            # |x| + 1 > 0 on [-1, 1]
>>> doc = _doc(net, "|x| + 1 > 0", [{"set": box([-1], [1]).spec, "goal": [[_atom([1], 0, True)]]}])
>>> with executor() as ex:
...     out = search(doc, 0, ex)
>>> out[0], out[1]
('proved', [{}])
"""
from __future__ import annotations

import heapq
import json
import time

import numpy as np

from ..errors import CertificateError, OptionError, ParallelError
from ..sparse import gc_paused
from . import bab
from . import checkpoint as checkpoint_file
from .feed import Feed
from .wire import digest as _digest

FORMAT = checkpoint_file.BAB
_CACHE = {}                 # in a worker: (digest of a question's text, question) -> bab.Context
_DOCS = {}                  # in a worker: digest of a document's text -> its parsed questions (d, layers, qs)


def _context(text, q: int, digest: str | None = None, parsed=None):
    """The parsed question ``q`` of a region-cover document given as JSON text (cached per process by the
    text's digest: the document is parsed once for all its questions, or taken from ``parsed``, the
    document's ``kernel.regions.questions``; with ``text`` None, from the cache only: None when this process
    has not seen it)."""
    key = (digest or _digest(text), q)
    if key not in _CACHE:
        doc = _DOCS.get(key[0], parsed)
        if doc is None:
            if text is None:
                return None
            from .. import kernel
            doc = kernel.regions.questions(json.loads(text))
        if len(_DOCS) > 4:
            _DOCS.clear()
        if len(_CACHE) > 64:
            _CACHE.clear()
        d, layers, qs = _DOCS[key[0]] = doc
        S, goal = qs[q]
        _CACHE[key] = bab.Context(layers, d, S, goal).set_bounds()
    return _CACHE[key]


def _leaf_json(leaf, box=None) -> dict:
    """A leaf as plain data; with its parent's LP basis (``triangle.basis_data``), so that its LP starts warm
    in any process, as in the serial search; without its box where that is the question's, ``box`` = (lo, hi)
    (leaves split on units: mnistfc's 784 inputs made 31 kB of each open leaf's 32 kB)."""
    from .triangle import basis_data
    out = {"path": list(leaf.path),
           "splits": sorted([int(l), int(j), int(s)] for l, js in leaf.splits.items() for j, s in js.items())}
    if box is None or not (np.array_equal(leaf.lo, box[0]) and np.array_equal(leaf.hi, box[1])):
        out["lo"], out["hi"] = [float(t) for t in leaf.lo], [float(t) for t in leaf.hi]
    if leaf.tight:                                  # its ancestors' ``tighten`` bounds: [k, [[j, lo, up], ...]]
        out["tight"] = [[int(k), len(a), [[int(j), _num(a[j]), _num(b[j])] for j in
                                          np.flatnonzero(np.isfinite(a) | np.isfinite(b))]]
                        for k, (a, b) in sorted(leaf.tight.items())]
        out["tight_at"] = leaf.tight_at
    if leaf.basis is not None:
        out["basis"] = basis_data(leaf.basis)
    return out


def _num(v):
    """A float for JSON; None for an infinite bound."""
    return float(v) if np.isfinite(v) else None


def _leaf(js, box) -> "bab._Leaf":
    """The leaf of ``_leaf_json``; ``box``: the question's (lo, hi), for a leaf written without its own."""
    splits = {}
    for l, j, s in js["splits"]:
        splits.setdefault(l, {})[j] = s
    basis = js.get("basis")
    if basis is not None and not (isinstance(basis, list) and len(basis) == 2 and all(
            isinstance(part, list) and all(type(v) is int and 0 <= v <= 4 for v in part) for part in basis)):
        raise ValueError("a leaf's basis is two lists of HiGHS basis statuses (0..4)")
    lo, hi = (np.array(js["lo"], dtype=np.float64), np.array(js["hi"], dtype=np.float64)) if "lo" in js else box
    tight = None
    if js.get("tight"):
        tight = {}
        for k, n, rows in js["tight"]:
            a, b = np.full(n, -np.inf), np.full(n, np.inf)
            for j, x, y in rows:
                a[j], b[j] = (-np.inf if x is None else x), (np.inf if y is None else y)
            tight[k] = (a, b)
    return bab._Leaf(lo, hi, splits, tuple(js["path"]), basis=basis, tight=tight, tight_at=int(js.get("tight_at", 0)))


def expand_item(item: dict) -> dict:
    """A worker's part: for each leaf of ``item["leaves"]``, at most ``item["steps"]`` steps of best-first
    search below it.  Returns {"leaves": [{"nodes": [[path, node], ...], "open": [[priority, leaf], ...]}]}
    (one entry per leaf, in order), or {"refuted": [x as "p/q" strings]} or {"undecided": reason}.  An item
    may carry the question's digest instead of its text: {"missing": True} if this process has not seen it."""
    ctx = _context(item.get("question"), item["q"], item["digest"])
    if ctx is None:
        return {"missing": True}
    knobs = (bab.MARGIN, bab.NODE_TIGHTEN, bab.NODE_UNITS)
    before = [k[0] for k in knobs]
    for k, v in zip(knobs, [item["margin"]] + item.get("node", before[1:])):   # the parent's settings
        k[0] = v
    try:
        return {"leaves": [_expand_leaf(ctx, js, item["steps"]) for js in item["leaves"]]}
    except _Stop as e:
        return e.args[0]
    finally:
        for k, v in zip(knobs, before):         # in this process too (the serial executor): as they were
            k[0] = v


class _Stop(Exception):
    """A counterexample or an undecided leaf: the item's answer instead of its leaves."""


def _expand_leaf(ctx, js, steps):
    """Up to ``steps`` steps of best-first search below the leaf ``js``: its nodes and the leaves left open.
    The question's LP starts from the model as built (and the leaf's basis): what this process solved before
    does not change the answers, so the tree is the same bytes on any executor."""
    lp = getattr(ctx, "_lp", None)
    if lp:
        lp._fresh()
    box = ctx.box()
    heap, count, nodes = [(0.0, 0, _leaf(js, box))], 0, []
    for _ in range(steps):
        if not heap:
            break
        _, _, leaf = heapq.heappop(heap)
        r = bab.expand(ctx, leaf)
        if r[0] == "refuted":
            raise _Stop({"refuted": [str(t) for t in r[1]]})
        if r[0] == "undecided":
            raise _Stop({"undecided": r[1]})
        _, node, kids, worst = r
        nodes.append([list(leaf.path), node])
        for kid in kids:
            count += 1
            heapq.heappush(heap, (float(worst), count, kid))
    return {"nodes": nodes, "open": [[p, _leaf_json(leaf, box)] for p, _, leaf in sorted(heap, key=lambda e: e[:2])]}


def _read(path: str) -> dict:
    return checkpoint_file.read(path, FORMAT)


def load_checkpoint(path: str, text: str, q: int, margin: float) -> dict:
    """The state saved in ``path`` for this question and margin; an OptionError if it is for another one."""
    state = _read(path)
    if state.get("question") != _digest(text) or state.get("q") != q or state.get("margin") != margin:
        raise OptionError(f"--resume {path}: the checkpoint is of another question (network, set or goal) or margin")
    return state


def matches(path: str, doc, q: int, margin: float) -> bool:
    """Whether the checkpoint in ``path`` is of question ``q`` of ``doc`` at ``margin``; an OptionError when it
    is not a checkpoint at all, or of another document."""
    state = _read(path)
    if state.get("question") != _digest(json.dumps(doc, sort_keys=True, separators=(",", ":"))):
        raise OptionError(f"--resume {path}: the checkpoint is of another network, set or goal")
    return state.get("q") == q and state.get("margin") == margin


def ahead(path: str, q: int, margin: float) -> bool:
    """Whether the checkpoint in ``path`` was written for a later pass than question ``q`` at ``margin`` (passes
    run margin by margin, questions in order): such a pass must not overwrite it."""
    m, k = (_read(path).get(f) for f in ("margin", "q"))
    ok = isinstance(m, (int, float)) and isinstance(k, int) and not isinstance(k, bool)
    return ok and (m, k) > (margin, q)


def search(doc, q: int, ex, budget=None, max_leaves: int = 20000, batch: int = 64, per_item: int = 4,
           steps: int = 16, margin: float = 1e-6, checkpoint: str | None = None, resume: str | None = None,
           progress=None, every: float = 10.0, parsed=None, text=None):
    """``bab.search`` on question ``q`` of a region-cover document over the executor ``ex``: ("proved",
    preorder tree) | ("refuted", exact x) | ("undecided", reason, leaves).  ``checkpoint``: write the state
    after an answer once ``every`` seconds have passed since the last write, and whenever the search stops
    with open leaves (budget, leaf limit, Ctrl-C); ``resume``: start from such a state.
    ``progress(closed, open, bound)`` after each answer; ``parsed``, ``text``: the document's
    ``kernel.regions.questions`` and canonical JSON text, when the caller has them."""
    if batch < 1 or per_item < 1 or steps < 1:
        raise OptionError("batch, per_item and steps must be at least 1")
    text = text or json.dumps(doc, sort_keys=True, separators=(",", ":"))
    st = _State(text, q, margin)
    ctx = _context(text, q, st.digest, parsed)
    st.box = ctx.box()
    if resume is not None:
        checkpoint_file.restore(st.load, load_checkpoint(resume, text, q, margin), resume)
    else:
        st.push(0.0, ctx.root())
    window = max(1, batch // per_item)
    feed = Feed(ex, expand_item, text, window)
    start, saver = time.monotonic(), checkpoint_file.Saver(checkpoint, every)
    dump = lambda: st.dump(list(feed.flight) + [_item(take) for take in st.again])     # not yet sent again too

    def _item(take):
        return {"leaves": [_leaf_json(leaf, st.box) for _, _, leaf in take], "priorities": [p for p, _, _ in take]}

    def send(take):
        feed.put({"digest": st.digest, "q": q, "margin": margin, "node": [bab.NODE_TIGHTEN[0], bab.NODE_UNITS[0]],
                  "steps": steps, **_item(take)})
    try:
        with gc_paused():                       # speed only: nothing here makes cycles
            out = _run(st, feed, send, window, per_item, budget, max_leaves, start, saver, dump, progress)
    except KeyboardInterrupt:
        saver.now(dump)                         # the items in flight are in it, to be sent again
        raise
    finally:
        feed.close()
    if out is not None:
        return out
    try:
        return "proved", bab._preorder(st.tree), st.leaves
    except KeyError:
        raise CertificateError("the checkpoint's tree has a node without its children") from None


def _run(st, feed, send, window, per_item, budget, max_leaves, start, saver, dump, progress):
    """``search``'s loop: an item out whenever there is room, the answers merged in item order; None when the
    heap and the flight are empty, else the end (refuted, undecided)."""
    while st.again:                             # a resumed search: what was in flight, first
        send(st.again[0])
        st.again.pop(0)
    while True:
        stop = None
        if budget is not None and time.monotonic() - start > budget:
            stop = f"budget of {budget:.3g} s spent with {len(st.heap) + sum(len(it['leaves']) for it in feed.flight)} open leaves"
        elif st.count > 2 * max_leaves:                 # as bab.search: nodes made
            stop = f"more than {max_leaves} leaves"
        if stop:
            saver.now(dump)
            return "undecided", stop, st.leaves
        while feed.room() and st.heap:
            n = per_item if len(st.heap) >= window * per_item else 1   # few open: every worker gets some
            take = [heapq.heappop(st.heap) for _ in range(min(n, len(st.heap)))]
            try:
                send(take)
            except BaseException:               # not sent (Ctrl-C): open again, as they were
                for entry in take:
                    heapq.heappush(st.heap, entry)
                raise
        if not feed.flight:
            return None
        out = feed.merge(st.merge)
        if out is not None:
            return out
        if progress is not None:
            progress(st.leaves, len(st.heap), st.heap[0][0] if st.heap else None)
        saver.due(dump)


class _State:
    """The parent's side: the tree found so far {path: node}, the open leaves (a heap), closed leaves, nodes
    made; ``again``: the leaves of the items that were in flight when a checkpoint was written, to send first."""

    def __init__(self, text, q, margin):
        self.text, self.q, self.margin, self.digest = text, q, margin, _digest(text)
        self.tree, self.heap, self.count, self.leaves, self.again = {}, [], 0, 0, []
        self.box = None                         # the question's (lo, hi): leaves with it are written without

    def push(self, priority, leaf):
        heapq.heappush(self.heap, (priority, self.count, leaf))
        self.count += 1

    def load(self, state):
        self.tree = {tuple(p): node for p, node in state["tree"]}
        for p, js in state["open"]:
            self.push(p, _leaf(js, self.box))
        for item in state.get("flight", []):
            take = []
            for p, js in item["leaves"]:
                take.append((p, self.count, _leaf(js, self.box)))
                self.count += 1
            self.again.append(take)
        self.leaves = state["leaves"]
        self.count = max(self.count, int(state.get("count", 0)))      # nodes made: the leaf limit goes on

    def dump(self, flight=()) -> dict:
        return {"format": FORMAT, "version": 1, "question": self.digest, "q": self.q, "margin": self.margin,
                "leaves": self.leaves, "count": self.count, "tree": [[list(p), node] for p, node in sorted(self.tree.items())],
                "open": [[p, _leaf_json(leaf, self.box)] for p, _, leaf in sorted(self.heap, key=lambda e: e[:2])],
                "flight": [{"leaves": [[p, js] for p, js in zip(it["priorities"], it["leaves"])]} for it in flight]}

    def merge(self, res):
        """One item's answer: None when merged, or the search's end (refuted, undecided)."""
        from ..exact import to_rational
        if not isinstance(res, dict):
            raise ParallelError(f"a worker answered {res!r:.80}, not a part of the tree")
        if "refuted" in res:
            return "refuted", [to_rational(t) for t in res["refuted"]]
        if "undecided" in res:
            return "undecided", res["undecided"], self.leaves
        if "leaves" not in res:
            raise ParallelError(f"a worker answered {sorted(res)!r}, not a part of the tree")
        for part in res["leaves"]:
            for path, node in part["nodes"]:
                self.tree[tuple(path)] = node
                self.leaves += not ("cut" in node or "split" in node)
            for p, js in part["open"]:
                self.push(p, _leaf(js, self.box))
        return None


__all__ = ["search", "expand_item", "load_checkpoint", "matches", "ahead"]
