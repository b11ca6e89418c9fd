"""A work-queue's items in flight: each sent as soon as there is room, the answers taken in item order.

The work-queues (``cover_queue``, ``lipschitz.queue``) keep at most ``window`` items in flight on an executor's
``stream`` (``exactmem.parallel``): the parent sends an item whenever fewer are out, takes back the oldest
item's answer and merges it while the workers go on with the rest, so no worker waits for a round's slowest
item and the parent's merge runs beside the workers' walks.  What an item holds depends only on the answers
merged before it was made, taken in item order, and ``window`` does not depend on the number of workers: the
search, and the certificate made from it, are the same bytes on any executor.

The question's text goes with the items sent before ``window`` answers are taken, the first time an executor
meets it for the work's module (``wire.send`` does the same for a round): a search that starts narrow (one
open leaf, one item) still reaches every worker with the text in its first window.  A worker that has not seen
it (one started later, after a crash) answers ``{"missing": True}`` and that item is sent again with the text
(after the items queued before it: the answers are taken in order).
``flight`` holds the items out, oldest first (as made, without the text), so that a checkpoint can record
them and a resumed search send them again first; an item leaves it when the caller has merged its answer
(``done``).

>>> from exactmem import parallel
>>> from exactmem.analysis import wire
>>> f = Feed(parallel.Serial(), len, '{"a": 1}', window=2)
>>> f.put({"digest": wire.digest('{"a": 1}')}); f.room()
True
>>> f.get(), len(f.flight)
(2, 1)
>>> f.done(); len(f.flight)
0
"""
from __future__ import annotations

import signal
import threading
from collections import deque
from contextlib import contextmanager

from .. import parallel
from .wire import texts_sent


class Feed:
    """At most ``window`` items of ``fn`` in flight on ``ex``; ``text``: the question, sent under ``key`` as above."""

    def __init__(self, ex, fn, text: str, window: int, key: str = "question"):
        self.ex, self.fn, self.text, self.key, self.window = ex, fn, text, key, max(1, int(window))
        self.stream, self.flight, self.taken = parallel.stream(ex, fn), deque(), 0
        self.first = None                       # whether this executor had not met the text before

    def room(self) -> bool:
        """Whether another item may go out."""
        return len(self.flight) < self.window

    def put(self, item: dict) -> None:
        """Send ``item`` (with the question's text while the executor may not have it)."""
        if self.first is None:
            name, sent = (self.fn.__module__, item["digest"]), texts_sent(self.ex)
            self.first = name not in sent
            sent.add(name)
        self.stream.put({**item, self.key: self.text} if self.first and self.taken < self.window else item)
        self.flight.append(item)

    def get(self):
        """The answer of the oldest item out (which stays in ``flight`` until ``done``)."""
        res = self.stream.get()
        if isinstance(res, dict) and res.get("missing"):
            res = next(iter(self.ex.map(self.fn, [{**self.flight[0], self.key: self.text}])))
        self.taken += 1
        return res

    def done(self) -> None:
        """The oldest item's answer is merged: it is no longer out."""
        self.flight.popleft()

    def merge(self, merge):
        """``merge`` of the oldest item's answer (``get``, then ``done``): what ``merge`` returns.  A Ctrl-C
        during the merge waits until the answer is merged and the item is no longer out, so that a checkpoint
        written then holds the answer once: in the tree, or in flight to be sent again, never half of it."""
        res = self.get()
        with interrupts_deferred():
            out = merge(res)
            self.done()
        return out

    def close(self) -> None:
        """Drop what is still out (a checkpoint written before has it in its ``flight``)."""
        self.stream.close()


@contextmanager
def interrupts_deferred():
    """Ctrl-C (SIGINT) inside the block is raised when the block ends (in the main thread; elsewhere, as is)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    got = []
    old = signal.signal(signal.SIGINT, lambda *_: got.append(1))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, old)
    if got:
        raise KeyboardInterrupt


__all__ = ["Feed"]
