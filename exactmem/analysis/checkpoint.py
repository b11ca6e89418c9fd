"""Checkpoint files of the work-queues (issue 24): written atomically, read back with clear errors.

Each work-queue -- the linear-bounds search (``bab_queue``), the region engine (``cover_queue``), the exact
Lipschitz constant (``lipschitz.queue``) -- keeps its state as one JSON object: its ``"format"`` (which
queue), the digest of the question's text (``wire.digest``), the tree found so far and the open frontier.
``write`` replaces the file atomically (a reader sees the old state or the new one, never half of one);
``Saver`` writes at most every few seconds, and at once when asked; ``read`` gives the state back, or an
``OptionError`` naming the file and what is wrong with it: missing, not JSON, a checkpoint of another queue.
``cover.walk``'s sample points travel in the frontier as float arrays, kept here bit for bit
(``array_json``, ``memo_file``), so that a resumed search walks every region exactly as an uninterrupted one.

>>> import os, tempfile
>>> path = os.path.join(tempfile.mkdtemp(), "ck.json")
>>> write(path, {"format": REGIONS, "question": "ab"})
>>> read(path, REGIONS)["question"]
'ab'
>>> read(path, LIPSCHITZ)
Traceback (most recent call last):
...
exactmem.errors.OptionError: --resume ...ck.json: not an exactmem Lipschitz checkpoint (it is a region-engine one)
"""
from __future__ import annotations

import base64
import json
import os
import time

import numpy as np

from ..errors import OptionError

BAB, REGIONS, LIPSCHITZ = "exactmem-bab-checkpoint", "exactmem-regions-checkpoint", "exactmem-lipschitz-checkpoint"
NAMES = {BAB: "linear-bounds", REGIONS: "region-engine", LIPSCHITZ: "Lipschitz"}
MALFORMED = (KeyError, TypeError, ValueError, IndexError, AttributeError)   # what a damaged state raises on loading


def write(path: str, state: dict) -> None:
    """``state`` as JSON in ``path``, atomically: written beside it, then renamed over it."""
    tmp = f"{path}.tmp{os.getpid()}"
    with open(tmp, "w") as fh:
        _stream(state, fh, 2)
    os.replace(tmp, path)


def _stream(v, fh, depth: int) -> None:
    """v as compact JSON on fh, the same text as ``json.dumps(v, separators=(",", ":"))``; down to ``depth``
    levels of dicts and lists an item at a time (the C encoder per item: a state of gigabytes is never one
    string -- a 2.2 GB mnistfc state once took the process past 24 GB and the kernel killed it)."""
    if depth == 0 or not isinstance(v, (dict, list)) or not v:
        fh.write(json.dumps(v, separators=(",", ":")))
        return
    fh.write("{" if isinstance(v, dict) else "[")
    for t, item in enumerate(v.items() if isinstance(v, dict) else v):
        fh.write("," if t else "")
        if isinstance(v, dict):
            fh.write(json.dumps({item[0]: 0}, separators=(",", ":"))[1:-2])        # '"key":' as dumps has it
            item = item[1]
        _stream(item, fh, depth - 1)
    fh.write("}" if isinstance(v, dict) else "]")


def read(path: str, *formats: str) -> dict:
    """The state in ``path``, a checkpoint of one of ``formats``; an OptionError when the file cannot be read,
    is not JSON, or is not such a checkpoint (naming the queue it is of, when it is another queue's)."""
    try:
        with open(path) as fh:
            state = json.load(fh)
    except OSError as e:
        raise OptionError(f"--resume {path}: cannot read it ({e.strerror})") from None
    except ValueError:
        raise OptionError(f"--resume {path}: not a checkpoint (not JSON)") from None
    kind = state.get("format") if isinstance(state, dict) else None
    if kind not in formats:
        other = f" (it is a {NAMES[kind]} one)" if kind in NAMES else ""
        raise OptionError(f"--resume {path}: not an exactmem {' or '.join(NAMES[f] for f in formats)} "
                          f"checkpoint{other}")
    return state


def malformed(path: str) -> OptionError:
    """The error of a checkpoint whose tree or frontier cannot be read back."""
    return OptionError(f"--resume {path}: a malformed checkpoint (its tree or open frontier)")


def restore(load, state, path: str) -> None:
    """``load(state)``, a queue's reading of a saved state; a damaged one is ``malformed(path)``."""
    try:
        load(state)
    except MALFORMED:
        raise malformed(path) from None


class Saver:
    """Writes a queue's state to ``path`` (None: never): ``now`` at once; ``due`` when ``every`` seconds have
    passed since the last write, and at least 20 times the last write's own time (a large tree: the writes
    take at most about 5 % of the search); ``dump()`` makes the state."""

    def __init__(self, path, every: float = 10.0):
        self.path, self.every, self.last, self.cost = path, every, time.monotonic(), 0.0

    def now(self, dump) -> None:
        if self.path is not None:
            start = time.monotonic()
            write(self.path, dump())
            self.last = time.monotonic()
            self.cost = self.last - start

    def due(self, dump) -> None:
        if self.path is not None and time.monotonic() - self.last >= max(self.every, 20 * self.cost):
            self.now(dump)


def array_json(a) -> dict:
    """A float array as plain data, bit for bit: its shape and its little-endian float64 bytes in base64."""
    a = np.ascontiguousarray(a, dtype="<f8")
    return {"shape": list(a.shape), "f8": base64.b64encode(a.tobytes()).decode("ascii")}


def array(js) -> np.ndarray:
    """The array of ``array_json`` (a writable copy)."""
    return np.frombuffer(base64.b64decode(js["f8"], validate=True), dtype="<f8").reshape(js["shape"]).copy()


class Memos:
    """``cover.walk``'s memo entries of the frontier (``wire.memo_json``: proofs, float points) for a file, each
    once: siblings share their parent's entry, and ``add`` gives the same index for the same object."""

    def __init__(self):
        self.index, self.table = {}, []

    def add(self, m):
        if m is None:
            return None
        k = self.index.get(id(m))
        if k is None:
            k = self.index[id(m)] = len(self.table)
            self.table.append([m[0], array_json(m[1])])
        return k


def memos(table) -> list:
    """The memo entries of ``Memos.table`` back as ``wire.memo_json`` gives them (proofs, float array)."""
    return [[proofs, array(P)] for proofs, P in table]


__all__ = ["write", "read", "malformed", "restore", "Saver", "array_json", "array", "Memos", "memos", "BAB", "REGIONS",
           "LIPSCHITZ"]
