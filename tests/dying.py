"""Helpers of the tests of the work-queues and of checks in shares (issue 24): workers that die once, an
executor that counts rounds, a same-bytes check on Dask, exact decimals of dyadic thresholds.

``Dying(ex, marker)`` wraps an executor (its ``map`` and its ``stream``): every job sent through it runs
``die_once``, which kills its own process (SIGKILL, as the out-of-memory killer would) the first time any job
of the run starts -- the marker file records that one did -- and otherwise runs the job's own function, named
in the item.  The pool, or Dask's nanny, starts a new worker and the lost jobs are sent again; ``missing`` counts the answers of a
worker that had not seen the question (the resend itself is tested with an executor that forgets, in the
queue tests)."""
import importlib
import os
import signal


def die_once(item):
    rest = {k: v for k, v in item.items() if k not in ("marker", "target")}
    try:
        os.close(os.open(item["marker"], os.O_CREAT | os.O_EXCL))
    except FileExistsError:
        module, _, name = item["target"].partition(":")
        return getattr(importlib.import_module(module), name)(rest)
    os.kill(os.getpid(), signal.SIGKILL)


class Dying:
    """An executor whose first job kills its worker; ``only``: the one function whose jobs may die (others, such
    as the kernel's shares of a certificate, go through as they are)."""
    name, workers = "pool", 2

    def __init__(self, ex, marker, only=None):
        self.ex, self.marker, self.only, self.missing = ex, marker, only, 0

    def map(self, fn, items):
        if self.only is not None and fn is not self.only:
            yield from self.ex.map(fn, items)
            return
        target = f"{fn.__module__}:{fn.__name__}"
        for res in self.ex.map(die_once, [{**it, "marker": self.marker, "target": target} for it in items]):
            self.missing += isinstance(res, dict) and bool(res.get("missing"))
            yield res

    def stream(self, fn):
        """The executor's own stream (items sent one at a time, as the work-queues send them), its jobs dying as
        ``map``'s do."""
        from exactmem import parallel
        if self.only is not None and fn is not self.only:
            return parallel.stream(self.ex, fn)
        return _DyingStream(self, parallel.stream(self.ex, die_once), f"{fn.__module__}:{fn.__name__}")


class _DyingStream:
    def __init__(self, dying, inner, target):
        self.dying, self.inner, self.target = dying, inner, target

    def put(self, item):
        self.inner.put({**item, "marker": self.dying.marker, "target": self.target})

    def get(self):
        res = self.inner.get()
        self.dying.missing += isinstance(res, dict) and bool(res.get("missing"))
        return res

    def close(self):
        self.inner.close()

    def __len__(self):
        return len(self.inner)


class Counting:
    """The serial executor, counting the rounds (calls of ``map``) a work-queue makes."""
    name, workers = "serial", 1

    def __init__(self):
        self.rounds = 0

    def map(self, fn, items):
        from exactmem import parallel
        self.rounds += 1
        return parallel.Serial().map(fn, items)


def same_on_dask(client, run, only, marker) -> None:
    """``run(executor)`` gives the same JSON in this process, on the Dask cluster of ``client``, and there again
    with the first job's worker killed (``only``: the function whose jobs may die); a worker did die."""
    import json
    from pathlib import Path

    from exactmem import parallel
    with parallel.executor() as ex:
        want = json.dumps(run(ex))
    dk = parallel.executor(scheduler=client)
    assert dk.name == "dask"
    assert json.dumps(run(dk)) == want
    assert json.dumps(run(Dying(dk, marker, only))) == want
    assert Path(marker).exists()


def exact_decimal(t) -> str:
    """A dyadic rational t = n / 2^k as its exact decimal n 5^k / 10^k (what a VNN-LIB file may hold)."""
    from fractions import Fraction
    k = t.denominator.bit_length() - 1
    assert t.denominator == 2 ** k
    digits = str(abs(t.numerator) * 5 ** k).rjust(k + 1, "0")
    dec = ("-" if t < 0 else "") + digits[:-k] + "." + digits[-k:] if k else str(t.numerator)
    assert Fraction(dec) == t
    return dec


class Interrupting(Counting):
    """The serial executor, counting rounds, that raises KeyboardInterrupt (as Ctrl-C would) when asked for round
    ``after + 1``: the search has completed ``after`` rounds."""

    def __init__(self, after):
        super().__init__()
        self.after = after

    def map(self, fn, items):
        if self.rounds >= self.after:
            raise KeyboardInterrupt
        return super().map(fn, items)


def interrupt_sends(monkeypatch, after=3):
    """A work-queue's ``Feed.put`` (``analysis.feed``: one work item sent) raises KeyboardInterrupt (as Ctrl-C
    would) on its ``after``-th call, for command-line tests; returns the list of the functions sent so far."""
    from exactmem.analysis import feed
    put, calls = feed.Feed.put, []

    def interrupted(self, item):
        calls.append(self.fn)
        if len(calls) == after:
            raise KeyboardInterrupt
        return put(self, item)
    monkeypatch.setattr(feed.Feed, "put", interrupted)
    return calls
