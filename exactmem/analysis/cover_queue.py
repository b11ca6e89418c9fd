"""The region engine's branch and bound over workers: one stack of open regions, items kept in flight.

The finder of ``region-cover`` certificates (``cover.search``) as a work-queue for ``exactmem.parallel``, as
``bab_queue`` is for the linear-bounds finder.  The parent keeps the regions still to explore in one stack
(depth first, as ``cover.grow``) and the tree found so far, and keeps ``batch / per_item`` work items in
flight (``analysis.feed``): whenever fewer are out it sends the ``per_item`` regions on top of the stack as an
item, and it takes the answers back in item order, merging each while the workers go on.  A worker explores
each region of its item for at most ``steps`` regions of depth-first search below it (``cover.explore``, the
step of the serial search); what comes back is data -- the tree nodes found and the regions still open, or an
exact counterexample, or the reason a region was left undecided -- and the first counterexample or undecided
region in item order ends the search.

What travels: an item is the question's index, the regions (paths of splits [l, j, s]) and, with each, the
memo entry ``cover.walk`` keeps of its parent (the parent's stability proofs as ``"p/q"`` strings and its
sample points as a numpy array of floats: ``wire.memo_json``), so a region is explored in a worker exactly as
in the serial search.  The question (the region-cover document) goes as JSON text with the first items only;
a worker keeps it parsed by the text's digest, and one that has not seen it (started later, after a crash)
answers "missing" and is sent the text.  A worker that dies loses only its items in flight, which the executor
sends again.

Checkpoint and resume: with ``checkpoint`` the state -- the document's digest, the question, the trees of the
questions before it, the tree found, the open regions and the items in flight with their parents' memo
entries (``checkpoint`` module: the sample points bit for bit) -- is written atomically after an answer every
10 s, when the budget stops the search and on Ctrl-C; ``resume`` continues from it, sending the items that
were in flight again first and exploring no region of its tree again, and ends with the tree of an
uninterrupted search.

Determinism: every region is explored from its path and its parent's memo alone, so each node of the tree
is the serial search's, and a proved question's tree -- all of it, in preorder -- is the same bytes as
``cover.search``'s whatever the executor and the number of workers.  What an item holds depends only on the
answers merged before it was made, so a refuted or undecided question stops at the same answer on every
executor (which may be another region than the serial search's).  Nothing here is trusted: the certificate
made from the trees is checked by the kernel.

>>> from exactmem import ReLUNet, parallel
>>> from exactmem.analysis.ask import _atom, _doc, box
>>> net = ReLUNet([([[1], [-1]], [0, 0]), ([[1, 1]], [1])])            # |x| + 1 > 0 on [-1, 1]
>>> doc = _doc(net, "|x| + 1 > 0", [{"set": box([-1], [1]).spec, "goal": [[_atom([1], 0, True)]]}])
>>> with parallel.executor() as ex:                                    # parallel.executor(2): 2 processes
...     out = search(doc, 0, ex)
>>> out[0], len(out[1])
('proved', 3)
"""
from __future__ import annotations

import json
import math
import time

from ..errors import OptionError, ParallelError
from ..exact import fmt
from ..sparse import gc_paused
from . import checkpoint as checkpoint_file
from . import cover, wire
from .feed import Feed

FORMAT = checkpoint_file.REGIONS
_CACHE = {}                 # in a worker: digest of a document's text -> kernel.regions.questions(document)


def _parse(text):
    from .. import kernel
    return kernel.regions.questions(json.loads(text))


class _Stop(Exception):
    """A counterexample or an undecided region: the item's answer instead of its parts."""


def expand_item(item: dict) -> dict:
    """A worker's part: for each region of ``item["nodes"]`` ([path, memo entry of its parent or None]), at most
    ``item["steps"]`` regions of depth-first search below it (after ``item["seconds"]``, none beyond the
    item's first).  Returns {"parts": [{"nodes": [[path, node], ...], "open": [[path, memo], ...]}, ...],
    "regions": n} (one part per region, in order), {"refuted": [x as "p/q"], "regions": n} or {"undecided":
    reason, "regions": n}; {"missing": True} if the item carries only the digest of a document this process
    has not seen."""
    parsed = wire.cached(_CACHE, item["digest"], item.get("question"), _parse)
    if parsed is None:
        return {"missing": True}
    d, layers, qs = parsed
    S, goal = qs[item["q"]]
    deadline = None if item.get("seconds") is None else time.monotonic() + item["seconds"]
    state = {"regions": 0}
    try:
        parts = [_expand(layers, S, goal, d, js, item["steps"], state, deadline) for js in item["nodes"]]
    except _Stop as e:
        return {**e.args[0], "regions": state["regions"]}
    return {"parts": parts, "regions": state["regions"]}


def _expand(layers, S, goal, d, js, steps, state, deadline):
    """Up to ``steps`` regions of ``cover.grow``'s depth-first search below the region ``js``."""
    path, parent = [tuple(t) for t in js[0]], js[1]
    memo, coded = {}, {}
    if parent is not None:
        memo[tuple(path[:-1])], coded[tuple(path[:-1])] = wire.memo(parent), parent
    stack, nodes, walks = [path], [], 0
    while stack and walks < steps:
        if state["regions"] and deadline is not None and time.monotonic() > deadline:
            break
        p = stack.pop()
        kind, out = cover.explore(layers, S, goal, p, d, memo)
        walks, state["regions"] = walks + 1, state["regions"] + 1
        if kind == "split":
            nodes.append([[list(t) for t in p], {"split": list(out)}])
            stack += [p + [(*out, 1)], p + [(*out, -1)]]         # popped: -1 first, as cover.grow
        elif kind == "leaf":
            nodes.append([[list(t) for t in p], out])
        elif kind == "refuted":
            raise _Stop({"refuted": [fmt(t) for t in out]})
        else:
            raise _Stop({"undecided": out})
    left = []
    for p in stack:
        key = tuple(p[:-1])
        if key not in coded:
            coded[key] = wire.memo_json(memo[key])
        left.append([[list(t) for t in p], coded[key]])
    return {"nodes": nodes, "open": left}


def search(doc, q: int, ex, budget=None, batch: int = 64, per_item: int = 4, steps: int = 16, progress=None,
           parsed=None, text=None, checkpoint: str | None = None, resume: str | None = None, every: float = 10.0,
           done=()):
    """``cover.search`` on question ``q`` of a region-cover document over the executor ``ex``
    (``exactmem.parallel``): ("proved", preorder tree) | ("refuted", exact x) | ("undecided", reason, regions),
    with at most ``batch`` regions in flight, in items of ``per_item`` regions, ``steps`` regions explored per
    region sent.  ``budget``: seconds of wall time in the parent, whatever the number of workers (each item gets
    its share of the time left; none left: undecided at once, as ``cover.grow``); ``progress(regions, open)``
    after each answer; ``parsed``, ``text``: the document's ``kernel.regions.questions`` and canonical JSON
    text, when the caller has them.  ``checkpoint``: write the state (tree found, open regions, items in flight,
    and ``done``: the trees of the questions before ``q``) there after an answer once ``every`` seconds have
    passed, when the budget stops the search, and on Ctrl-C; ``resume``: continue from such a file
    (``load_checkpoint``), exploring no region of its tree again."""
    wire.check_executor(ex)
    wire.check_rounds(batch=batch, per_item=per_item, steps=steps)
    if budget is not None and (isinstance(budget, bool) or not isinstance(budget, (int, float))
                               or math.isnan(budget)):
        raise OptionError(f"budget must be a number of seconds or None, got {budget!r}")
    if parsed is None:
        from .. import kernel
        parsed = kernel.regions.questions(doc)
    if type(q) is not int or not 0 <= q < len(parsed[2]):
        raise OptionError(f"question {q!r} out of range: the document has {len(parsed[2])} question(s)")
    text = text if text is not None else json.dumps(doc, sort_keys=True, separators=(",", ":"))
    digest = wire.digest(text)
    if getattr(ex, "name", None) == "serial":
        _CACHE.setdefault(digest, parsed)        # the items run in this process: the caller's parse
    st = _State(digest, q, done)
    if resume is not None:
        state = load_checkpoint(resume, text)
        if state["q"] != q:
            raise OptionError(f"--resume {resume}: the checkpoint is of question {state['q']}, not {q}")
        checkpoint_file.restore(st.load, state, resume)
    window = max(1, batch // per_item)
    feed = Feed(ex, expand_item, text, window)
    waves = -(-window // max(1, int(getattr(ex, "workers", 1) or 1)))      # items each worker has ahead
    start, saver = time.monotonic(), checkpoint_file.Saver(checkpoint, every)
    dump = lambda: st.dump(list(feed.flight) + [{"nodes": nodes} for nodes in st.again])   # not yet sent again too

    def send(nodes, seconds):
        feed.put({"digest": digest, "q": q, "steps": steps, "seconds": None if seconds is None else seconds / waves,
                  "nodes": nodes})

    try:
        with gc_paused():                       # speed only: the tree is big, nothing here makes cycles
            out = _run(st, feed, send, per_item, budget, start, saver, dump, progress)
    except KeyboardInterrupt:
        saver.now(dump)                         # the items in flight are in it, to be sent again
        raise
    finally:
        feed.close()
    if out is not None:
        return out
    try:
        return "proved", cover.preorder(st.tree)
    except KeyError:
        raise checkpoint_file.malformed(resume) from None     # only a damaged checkpoint leaves a split unexplored


def _run(st, feed, send, per_item, budget, start, saver, dump, progress):
    """``search``'s loop: an item out whenever there is room, the answers merged in item order; None when the
    stack and the flight are empty, else the end (refuted, undecided)."""
    while st.again:                             # a resumed search: what was in flight, first
        send(st.again[0], None if budget is None else max(budget - (time.monotonic() - start), 0.0))
        st.again.pop(0)
    while True:
        while feed.room() and st.stack:
            seconds = None
            if budget is not None:
                seconds = budget - (time.monotonic() - start)
                if seconds <= 0:
                    saver.now(dump)
                    return "undecided", f"budget of {budget} s spent after {st.regions} region(s)", st.regions
            take = [st.stack.pop() for _ in range(min(per_item, len(st.stack)))]
            try:
                send(take, seconds)
            except BaseException:               # not sent (Ctrl-C): open again, as they were
                st.stack.extend(reversed(take))
                raise
        if not feed.flight:
            return None
        out = feed.merge(st.merge)
        if out is not None:
            return out
        if progress is not None:
            progress(st.regions, len(st.stack))
        saver.due(dump)


class _State:
    """The parent's side: the tree found so far {path: node}, the stack of open regions ([path, memo of its
    parent]), the regions explored (over every run of the question), the trees of the questions before it;
    ``again``: the regions of the items that were in flight when a checkpoint was written, to send first."""

    def __init__(self, digest, q, done):
        self.digest, self.q, self.done = digest, q, list(done)
        self.tree, self.stack, self.regions, self.again = {}, [[[], None]], 0, []

    def merge(self, res):
        """One item's answer: None when merged, or the end (refuted, undecided)."""
        if not isinstance(res, dict) or "regions" not in res or not {"parts", "refuted", "undecided"} & set(res):
            raise ParallelError(f"a worker answered {res!r:.80}, not a part of the region tree")
        if "refuted" in res:
            self.regions += res["regions"]
            return "refuted", [wire.rational(t) for t in res["refuted"]]
        if "undecided" in res:
            self.regions += res["regions"]
            return "undecided", res["undecided"], self.regions
        nodes = {tuple(tuple(t) for t in path): node for part in res["parts"] for path, node in part["nodes"]}
        left = [js for part in res["parts"] for js in part["open"]]
        self.tree.update(nodes)                 # then the rest at once: a Ctrl-C sees all of it or none
        self.stack.extend(left)
        self.regions += res["regions"]
        return None

    def dump(self, flight=()) -> dict:
        memos = checkpoint_file.Memos()
        return {"format": FORMAT, "version": 1, "question": self.digest, "q": self.q, "done": self.done,
                "regions": self.regions, "tree": [[[list(t) for t in p], node] for p, node in self.tree.items()],
                "open": [[path, memos.add(m)] for path, m in self.stack],
                "flight": [[[path, memos.add(m)] for path, m in it["nodes"]] for it in flight], "memos": memos.table}

    def load(self, state):
        memos = checkpoint_file.memos(state["memos"])
        self.tree = {tuple(tuple(t) for t in p): node for p, node in state["tree"]}
        self.stack = [[[list(t) for t in p], None if m is None else memos[m]] for p, m in state["open"]]
        self.again = [[[[list(t) for t in p], None if m is None else memos[m]] for p, m in nodes]
                      for nodes in state.get("flight", [])]
        self.regions, self.done = int(state["regions"]), list(state["done"])


def load_checkpoint(path: str, text: str) -> dict:
    """The state in the checkpoint ``path`` of a search on the document of canonical JSON ``text``: its question
    ``"q"``, the trees ``"done"`` of the questions before it, its tree and open regions; an OptionError when the
    file is missing, not a region-engine checkpoint, or of another document."""
    state = checkpoint_file.read(path, FORMAT)
    if state.get("question") != wire.digest(text):
        raise OptionError(f"--resume {path}: the checkpoint is of another network, set or goal")
    if type(state.get("q")) is not int or not isinstance(state.get("done"), list):
        raise checkpoint_file.malformed(path)
    return state


__all__ = ["search", "expand_item", "load_checkpoint", "FORMAT"]
