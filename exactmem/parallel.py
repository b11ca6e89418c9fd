"""One execution layer for exactmem's long jobs: in this process, on a local process pool, or on a Dask cluster.

``executor(jobs, scheduler)`` picks one: ``jobs=None`` (or 1) runs in this process (``Serial``, the default);
``jobs=N`` or ``"auto"`` (``os.cpu_count()``) a pool of N local worker processes (``Pool``); ``scheduler`` a
Dask distributed client (``Dask``): ``"tcp://HOST:8786"``, ``"dask"`` for the address in Dask's configuration
(``DASK_SCHEDULER_ADDRESS`` or ``scheduler-address``), ``"local"`` for a ``LocalCluster`` of ``jobs`` worker
processes on this machine, or a ``distributed.Client``.  Dask is the optional extra ``exactmem[distributed]``.

Work is a module-level function and a list of plain data -- JSON values, strings, numpy arrays of numbers --
never a closure over library state; ``map(fn, items)`` yields ``fn(item)`` for every item *in the order of
the items*, whatever the number of workers and the order in which they finish, so a caller that merges the
results in that order gets the same output from every executor.  A worker that dies loses only its unfinished
items: the pool is started again and they are sent again (at most ``RETRIES`` times in one ``map``); Dask's
scheduler does the same for its workers (its ``allowed-failures``).

``stream(ex, fn)`` sends work one item at a time and takes the results back in the order of the items
(``put``, ``get``): a work-queue keeps a few items in flight and sends the next one as soon as the oldest
comes back, so that no worker waits for a round's slowest item.  An executor with ``map`` only (a test's
double) gets the items in batches, each at the first ``get`` that needs it: the results are the same.

>>> with executor() as ex:
...     list(ex.map(len, ["ab", "c", ""]))
[2, 1, 0]
>>> s = stream(Serial(), len)
>>> s.put("abc"); s.put("")
>>> s.get(), s.get(), len(s)
(3, 0, 0)
>>> executor(jobs="0")
Traceback (most recent call last):
...
exactmem.errors.OptionError: -j/jobs must be 'auto' or a whole number >= 1, got '0'
"""
from __future__ import annotations

import importlib
import multiprocessing
import os
from collections import deque
from concurrent.futures import CancelledError, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

import numpy as np

from .errors import OptionError, ParallelError

RETRIES = 3
PRELOAD = ["exactmem", "exactmem.kernel", "exactmem.certify"]
_PLAIN = (type(None), bool, int, float, str, bytes)
_SCALAR = frozenset(_PLAIN)


def jobs_count(jobs) -> int:
    """The number of workers ``jobs`` asks for: None -> 1, ``"auto"`` -> ``os.cpu_count()``, N >= 1 -> N."""
    if jobs is None:
        return 1
    if isinstance(jobs, str) and jobs.strip().lower() == "auto":
        return os.cpu_count() or 1
    try:
        n = int(jobs) if not isinstance(jobs, (bool, float)) else 0
    except (TypeError, ValueError):
        n = 0
    if n < 1 or (isinstance(jobs, str) and not jobs.strip().isdigit()):
        raise OptionError(f"-j/jobs must be 'auto' or a whole number >= 1, got {jobs!r}")
    return n


def check_fn(fn):
    """``fn``, after checking that it is a module-level function its module can import by name; otherwise a
    ``ParallelError``."""
    name, mod = getattr(fn, "__qualname__", ""), getattr(fn, "__module__", None)
    try:
        found = getattr(importlib.import_module(mod), name, None) if mod and "." not in name else None
    except ImportError:
        found = None
    if found is not fn or mod == "__main__":
        raise ParallelError(f"parallel work must be a module-level function importable by name, not {fn!r}")
    return fn


def check_work(fn, items, first: int = 0) -> list:
    """``items`` as a list, after checking that ``fn`` is a module-level function its module can import by name and
    that every item is plain data; otherwise a ``ParallelError`` saying what is wrong (items numbered from
    ``first``)."""
    check_fn(fn)
    items = list(items)
    for k, item in enumerate(items, first):
        stack = [item]
        while stack:
            x = stack.pop()
            t = type(x)
            if t is list or t is tuple:
                stack += [y for y in x if type(y) not in _SCALAR]      # numbers and strings: nothing to look into
            elif t is dict or isinstance(x, dict):
                if not all(type(key) is str or isinstance(key, str) for key in x):
                    raise ParallelError(f"work item {k}: a dict key that is not a string")
                stack += [y for y in x.values() if type(y) not in _SCALAR]
            elif isinstance(x, (list, tuple)):
                stack.extend(x)
            elif isinstance(x, np.ndarray):
                if x.dtype.kind not in "biuf":
                    raise ParallelError(f"work item {k}: a numpy array of dtype {x.dtype} (numbers only)")
            elif not isinstance(x, _PLAIN):
                raise ParallelError(f"work item {k}: a {type(x).__name__} is not plain data (JSON values, strings, "
                                    f"numpy arrays); send exact numbers as 'p/q' strings")
    return items


class Executor:
    """The interface: ``workers``, ``map(fn, items)`` (results in the items' order), ``stream(fn)`` (a ``Stream``),
    ``close()``; a context manager that closes itself."""
    workers = 1
    name = "serial"

    def map(self, fn, items):
        raise NotImplementedError

    def stream(self, fn) -> Stream:
        return Batched(self, fn)

    def close(self, abort: bool = False):
        pass

    def __enter__(self):
        return self

    def __exit__(self, exc_type, *exc):
        self.close(abort=exc_type is not None)         # Ctrl-C or an error: stop the workers, do not wait
        return False


class Stream:
    """Work sent one item at a time: ``put(item)``; ``get()`` the result of the oldest item not yet taken (an
    error of its work raised here); ``len()`` the items put and not yet taken; ``close()`` drops them."""

    def __init__(self, fn):
        self.fn, self.count = check_fn(fn), 0

    def put(self, item, checked: bool = False) -> None:
        if not checked:
            check_work(self.fn, [item], self.count)
        self.count += 1
        self._put(item)

    def close(self) -> None:
        pass

    def __len__(self):
        raise NotImplementedError


class Batched(Stream):
    """A stream over ``ex.map`` (or ``run(batch)``, an iterator of the results): the items put since the last
    batch go out together at the first ``get`` that needs one of them, and the results are taken as they are
    yielded (in this process, lazily: an item of the serial executor runs at its ``get``)."""

    def __init__(self, ex, fn, run=None):
        super().__init__(fn)
        self.ex, self.waiting, self.runs = ex, [], deque()      # runs: [results iterator, how many left]
        self.run = run or (lambda batch: self.ex.map(self.fn, batch))

    def _put(self, item):
        self.waiting.append(item)

    def get(self):
        while self.runs and not self.runs[0][1]:
            self.runs.popleft()
        if not self.runs:
            if not self.waiting:
                raise ParallelError("get() on a stream with no item in flight")
            batch, self.waiting = self.waiting, []
            self.runs.append([iter(self.run(batch)), len(batch)])
        run = self.runs[0]
        run[1] -= 1
        return next(run[0])

    def __len__(self):
        return len(self.waiting) + sum(n for _, n in self.runs)

    def close(self):
        for it, n in self.runs:
            if n and hasattr(it, "close"):
                it.close()
        self.runs.clear()
        self.waiting = []


class Serial(Executor):
    """Everything in this process, one item after the other."""

    def map(self, fn, items):
        for item in check_work(fn, items):
            yield fn(item)

    def stream(self, fn) -> Stream:
        return Batched(self, fn, lambda batch: map(fn, batch))   # each item checked once, by put


class Pool(Executor):
    """A pool of local worker processes (started by a fork server where the platform has one, so that workers
    start from a clean, single-threaded process with exactmem imported); ``restarts`` counts the times lost
    workers made it start again."""
    name = "pool"

    def __init__(self, workers: int, start_method: str | None = None):
        self.workers, self.restarts, self.generation = workers, 0, 0
        methods = multiprocessing.get_all_start_methods()
        self.start_method = start_method or ("forkserver" if "forkserver" in methods else methods[0])
        self._pool = None

    def _start(self):
        ctx = multiprocessing.get_context(self.start_method)
        if self.start_method == "forkserver":
            ctx.set_forkserver_preload(PRELOAD)
        self._pool = ProcessPoolExecutor(self.workers, mp_context=ctx)
        self.generation += 1

    def pids(self) -> list:
        """The process ids of the current workers (for tests that stop one)."""
        return sorted((getattr(self._pool, "_processes", None) or {}).keys()) if self._pool else []

    def map(self, fn, items):
        items = check_work(fn, items)
        out = _PoolStream(self, fn)
        for item in items:
            out.put(item, checked=True)
        try:
            for _ in items:
                yield out.get()
        finally:
            out.close()

    def stream(self, fn) -> Stream:
        return _PoolStream(self, fn)

    def _submit(self, fn, item):
        """(future, pool generation) of ``fn(item)``, on a new pool if this one is found lost."""
        if self._pool is None:
            self._start()
        try:
            return self._pool.submit(fn, item), self.generation
        except BrokenProcessPool:
            self._lost(self.generation)
            return self._pool.submit(fn, item), self.generation

    def _lost(self, generation):
        """Workers died while futures of pool ``generation`` waited: a new pool, unless a stream made one since."""
        if generation == self.generation:
            self.restarts += 1
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._start()

    def close(self, abort: bool = False):
        if self._pool is not None:
            if abort:
                for proc in list((getattr(self._pool, "_processes", None) or {}).values()):
                    proc.terminate()
            self._pool.shutdown(wait=not abort, cancel_futures=True)
            self._pool = None


class _PoolStream(Stream):
    """A stream on a local pool: each item is submitted at once; when workers die (``BrokenProcessPool``), the
    pool is started again and every item not yet answered is sent again -- an item that meets ``RETRIES + 1``
    lost pools stops the stream with a ``ParallelError``."""

    def __init__(self, pool, fn):
        super().__init__(fn)
        self.pool, self.items = pool, deque()                  # [item, future, pool generation, pools lost]

    def _put(self, item):
        self.items.append([item, *self.pool._submit(self.fn, item), 0])

    def get(self):
        if not self.items:
            raise ParallelError("get() on a stream with no item in flight")
        entry = self.items[0]
        while True:
            try:
                result = entry[1].result()
                break
            except (BrokenProcessPool, CancelledError):
                if entry[1].cancelled() and entry[2] == self.pool.generation:
                    raise                               # cancelled by someone else, not by a lost pool
                self._again()
        self.items.popleft()
        return result

    def _again(self):
        """Every item not yet answered sent again, to a new pool if this one is lost."""
        self.pool._lost(self.items[0][2])
        for k, entry in enumerate(self.items):
            f = entry[1]
            if f.cancelled() or (f.done() and isinstance(f.exception(), BrokenProcessPool)) or \
                    (entry[2] != self.pool.generation and not f.done()):
                entry[3] += 1
                if entry[3] > RETRIES:
                    k += self.count - len(self.items)
                    raise ParallelError(f"worker processes died {RETRIES + 1} times while item {k} of {self.count} ran "
                                        f"(out of memory? killed?); stopped") from None
                entry[1], entry[2] = self.pool._submit(self.fn, entry[0])

    def __len__(self):
        return len(self.items)

    def close(self):
        for entry in self.items:
            entry[1].cancel()
        self.items.clear()


def _distributed():
    try:
        import distributed
    except ImportError:
        raise ParallelError("a Dask scheduler needs Dask's distributed package: pip install 'exactmem[distributed]' "
                            "(or run without --scheduler: -j N uses local processes)") from None
    return distributed


class Dask(Executor):
    """A Dask distributed client: work goes to the scheduler as tasks of plain data, results come back in the
    items' order.  ``scheduler`` as for ``executor``; a client or cluster this object made is closed by it."""
    name = "dask"

    def __init__(self, scheduler, workers: int | None = None, timeout: str = "10s"):
        distributed = _distributed()
        self._own = []
        if isinstance(scheduler, distributed.Client):
            self.client = scheduler
        else:
            if scheduler == "local":
                cluster = distributed.LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1,
                                                   processes=True, dashboard_address=":0")
                self._own.append(cluster)
                address = cluster
            else:
                address = _address(scheduler)
            try:
                self.client = distributed.Client(address, timeout=timeout, set_as_default=False)
            except (OSError, TimeoutError, ValueError) as e:
                self.close()
                raise ParallelError(f"cannot reach the Dask scheduler at {scheduler!r}: {e}") from None
            self._own.insert(0, self.client)
        self.workers = max(1, sum(self.client.nthreads().values()))

    def map(self, fn, items):
        items = check_work(fn, items)
        futures = self.client.map(fn, items, pure=False)
        try:
            for f in futures:
                yield _dask_result(f)
        finally:
            self.client.cancel([f for f in futures if not f.done()])

    def stream(self, fn) -> Stream:
        return _DaskStream(self.client, fn)

    def close(self, abort: bool = False):
        for obj in self._own:
            obj.close()
        self._own = []


class _DaskStream(Stream):
    """A stream on a Dask client: one task per item (``client.submit``); the scheduler runs again the tasks of
    a lost worker."""

    def __init__(self, client, fn):
        super().__init__(fn)
        self.client, self.futures = client, deque()

    def _put(self, item):
        self.futures.append(self.client.submit(self.fn, item, pure=False))

    def get(self):
        if not self.futures:
            raise ParallelError("get() on a stream with no item in flight")
        f = self.futures.popleft()
        return _dask_result(f)

    def __len__(self):
        return len(self.futures)

    def close(self):
        if self.futures:
            self.client.cancel(list(self.futures))
        self.futures.clear()


def _dask_result(f):
    try:
        return f.result()
    except Exception as e:
        if type(e).__name__ == "KilledWorker":
            raise ParallelError(f"Dask workers died running {f.key} too often: {e}") from None
        raise


def _address(scheduler: str) -> str:
    if scheduler != "dask":
        if not isinstance(scheduler, str) or "://" not in scheduler:
            raise OptionError(f"--scheduler must be an address such as tcp://HOST:8786, 'dask' (the address in "
                              f"Dask's configuration) or 'local', got {scheduler!r}")
        return scheduler
    import dask
    address = dask.config.get("scheduler-address", None)
    if not address:
        raise ParallelError("--scheduler dask: Dask's configuration names no scheduler (set DASK_SCHEDULER_ADDRESS "
                            "or scheduler-address, or give the address: --scheduler tcp://HOST:8786)")
    return address


def executor(jobs=None, scheduler=None) -> Executor:
    """The executor the user asked for: ``scheduler`` (Dask) if given, else ``jobs`` local processes (in this
    process for None or 1)."""
    if scheduler is not None:
        return Dask(scheduler, None if jobs is None else jobs_count(jobs))
    n = jobs_count(jobs)
    return Serial() if n == 1 else Pool(n)


def stream(ex, fn) -> Stream:
    """A ``Stream`` of ``fn``'s work on ``ex``: ``ex.stream(fn)``, or ``Batched`` over ``ex.map`` for an object
    that has only ``map``."""
    make = getattr(ex, "stream", None)
    return make(fn) if callable(make) else Batched(ex, fn)


def with_workers(ex):
    """``ex`` when it runs work in processes of its own (a pool, Dask), else None (None, or the serial executor:
    this process), which callers take as "the serial code path".

    >>> with_workers(Serial()) is None, with_workers(None) is None
    (True, True)
    """
    return ex if ex is not None and getattr(ex, "name", "serial") != "serial" else None
