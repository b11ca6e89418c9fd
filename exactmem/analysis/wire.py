"""What the finders' work-queues share: questions sent once by digest, exact numbers and ``cover.walk``'s memo
as plain data, the executor check.

A work-queue (``bab_queue``, ``cover_queue``, ``lipschitz.queue``) sends its
question -- network, set, goal or norm -- as JSON text with the first items only; a worker keeps what it
parsed from it under the text's digest (``cached``) and answers ``{"missing": True}`` to an item that carries
only the digest of a text it has not seen (a worker started later, after a crash); ``send`` then sends those
items again with the text. Exact numbers travel as ``"p/q"`` strings (``exact.fmt``, read back by
``rational``), ``cover.walk``'s memo entry of a split node as ``memo_json`` / ``memo``: floats as a numpy
array, bit for bit, so a region's walk is the same in every process.

>>> from exactmem import parallel
>>> t = '{"a": 1}'
>>> with parallel.executor() as ex:
...     send(ex, len, [{"digest": digest(t)}], t)
[2]
>>> rational("-3/4"), rational("5")
(-3/4, 5)
"""
from __future__ import annotations

import hashlib
import weakref

import numpy as np
from flint import fmpq

from ..errors import OptionError
from ..exact import fmt

_SENT = weakref.WeakKeyDictionary()      # in the parent: executor -> {(module, digest)} of the texts it was sent


def digest(text: str) -> str:
    """The SHA-256 of a question's text: its name in the workers' caches."""
    return hashlib.sha256(text.encode()).hexdigest()


def rational(s: str) -> fmpq:
    """An exact rational from the ``"p/q"`` text of ``exact.fmt``."""
    a, _, b = s.partition("/")
    return fmpq(int(a), int(b or 1))


def cached(cache: dict, key, text, parse):
    """In a worker: ``cache[key]``, made by ``parse(text)`` the first time (None when ``text`` is None and the
    key is not there: the item must be sent again with its text); at most 9 questions are kept."""
    value = cache.get(key)
    if value is None:
        if text is None:
            return None
        if len(cache) > 8:
            cache.clear()
        value = cache[key] = parse(text)
    return value


def send(ex, fn, items, text, key: str = "question", progress=None) -> list:
    """``list(ex.map(fn, items))``, the question's ``text`` added (under ``key``) to every item the first time
    this executor meets its digest (``item["digest"]``) for ``fn``'s module, and the items answered
    ``{"missing": True}`` sent again with it; ``progress(done, total)`` as the answers come, in order."""
    sent, name = texts_sent(ex), (fn.__module__, items[0]["digest"] if items else None)
    if items and name not in sent:              # (each module's workers keep their own cache)
        items = [{**it, key: text} for it in items]
        sent.add(name)
    results = []
    for res in ex.map(fn, items):
        results.append(res)
        if progress:
            progress(len(results), len(items))
    again = [k for k, res in enumerate(results) if isinstance(res, dict) and res.get("missing")]
    if again:
        for k, res in zip(again, ex.map(fn, [{**items[k], key: text} for k in again])):
            results[k] = res
    return results


def texts_sent(ex) -> set:
    """{(module, digest)} of the question texts this executor's workers were sent (``send`` and ``feed.Feed``
    share it: a text sent one way is not sent again the other)."""
    try:
        return _SENT.setdefault(ex, set())
    except TypeError:                            # an executor that cannot be weakly referenced: always send
        return set()


def memo_json(entry) -> list:
    """``cover.walk``'s memo entry of a split node (proofs {(l, j): (s, hint)}, sample points) as plain data."""
    proofs, P = entry
    return [[[l, j, s, [[a, b, fmt(t)] for a, b, t in hint]] for (l, j), (s, hint) in proofs.items()],
            np.ascontiguousarray(P, dtype=np.float64)]


def memo(js) -> tuple:
    """The memo entry back from ``memo_json``."""
    proofs, P = js
    return {(l, j): (s, [(a, b, rational(t)) for a, b, t in hint]) for l, j, s, hint in proofs}, np.asarray(P)


def check_executor(ex) -> None:
    """An OptionError unless ``ex`` is an executor of ``exactmem.parallel`` (anything with ``map``)."""
    if not callable(getattr(ex, "map", None)) or isinstance(ex, type):
        raise OptionError(f"executor must be an executor of exactmem.parallel (parallel.executor(jobs, scheduler): "
                          f"Serial, Pool or Dask), got {ex!r:.60}")


def check_rounds(**sizes) -> None:
    """An OptionError unless every one of ``sizes`` (batch, per_item, steps) is a whole number >= 1."""
    for name, v in sizes.items():
        if not (isinstance(v, int) and not isinstance(v, bool) and v >= 1):
            raise OptionError(f"{name} must be a whole number >= 1, got {v!r}")


__all__ = ["digest", "rational", "cached", "send", "memo_json", "memo", "check_executor", "check_rounds"]
