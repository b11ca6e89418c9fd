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

>>> with executor() as ex:
...     list(ex.map(len, ["ab", "c", ""]))
[2, 1, 0]
>>> executor(jobs="0")
Traceback (most recent call last):
...
exactmem.errors.OptionError: -j/jobs must be 'auto' or a whole number >= 1, got '0'
"""
from __future__ import annotations

import importlib
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

import numpy as np

from .errors import OptionError, ParallelError

RETRIES = 3
PRELOAD = ["exactmem", "exactmem.kernel", "exactmem.certify"]
_PLAIN = (type(None), bool, int, float, str, bytes)


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


def check_work(fn, items) -> list:
    """``items`` as a list, after checking that ``fn`` is a module-level function its module can import by name and
    that every item is plain data; otherwise a ``ParallelError`` saying what is wrong."""
    name, mod = getattr(fn, "__qualname__", ""), getattr(fn, "__module__", None)
    try:
        found = getattr(importlib.import_module(mod), name, None) if mod and "." not in name else None
    except ImportError:
        found = None
    if found is not fn or mod == "__main__":
        raise ParallelError(f"parallel work must be a module-level function importable by name, not {fn!r}")
    items = list(items)
    for k, item in enumerate(items):
        stack, seen = [item], 0
        while stack:
            x, seen = stack.pop(), seen + 1
            if isinstance(x, (list, tuple)):
                stack.extend(x)
            elif isinstance(x, dict):
                if not all(isinstance(key, str) for key in x):
                    raise ParallelError(f"work item {k}: a dict key that is not a string")
                stack.extend(x.values())
            elif isinstance(x, np.ndarray):
                if x.dtype.kind not in "biuf":
                    raise ParallelError(f"work item {k}: a numpy array of dtype {x.dtype} (numbers only)")
            elif not isinstance(x, _PLAIN):
                raise ParallelError(f"work item {k}: a {type(x).__name__} is not plain data (JSON values, strings, "
                                    f"numpy arrays); send exact numbers as 'p/q' strings")
    return items


class Executor:
    """The interface: ``workers``, ``map(fn, items)`` (results in the items' order), ``close()``; a context
    manager that closes itself."""
    workers = 1
    name = "serial"

    def map(self, fn, items):
        raise NotImplementedError

    def close(self, abort: bool = False):
        pass

    def __enter__(self):
        return self

    def __exit__(self, exc_type, *exc):
        self.close(abort=exc_type is not None)         # Ctrl-C or an error: stop the workers, do not wait
        return False


class Serial(Executor):
    """Everything in this process, one item after the other."""

    def map(self, fn, items):
        for item in check_work(fn, items):
            yield fn(item)


class Pool(Executor):
    """A pool of local worker processes (started by a fork server where the platform has one, so that workers
    start from a clean, single-threaded process with exactmem imported); ``restarts`` counts the times lost
    workers made it start again."""
    name = "pool"

    def __init__(self, workers: int, start_method: str | None = None):
        self.workers, self.restarts = workers, 0
        methods = multiprocessing.get_all_start_methods()
        self.start_method = start_method or ("forkserver" if "forkserver" in methods else methods[0])
        self._pool = None

    def _start(self):
        ctx = multiprocessing.get_context(self.start_method)
        if self.start_method == "forkserver":
            ctx.set_forkserver_preload(PRELOAD)
        self._pool = ProcessPoolExecutor(self.workers, mp_context=ctx)

    def pids(self) -> list:
        """The process ids of the current workers (for tests that stop one)."""
        return sorted((getattr(self._pool, "_processes", None) or {}).keys()) if self._pool else []

    def map(self, fn, items):
        items = check_work(fn, items)
        if self._pool is None:
            self._start()
        futures, lost = [self._pool.submit(fn, x) for x in items], 0
        try:
            for k in range(len(items)):
                while True:
                    try:
                        result = futures[k].result()
                        break
                    except BrokenProcessPool:
                        lost += 1
                        if lost > RETRIES:
                            raise ParallelError(f"worker processes died {RETRIES + 1} times while item {k} of "
                                                f"{len(items)} ran (out of memory? killed?); stopped") from None
                        futures = self._again(fn, items, futures, k)
                yield result
        finally:
            for f in futures:
                f.cancel()

    def _again(self, fn, items, futures, k):
        """A new pool, and every item from k on that has no result yet sent to it again."""
        self.restarts += 1
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._start()
        out = list(futures)
        for j in range(k, len(items)):
            f = futures[j]
            if not f.done() or f.cancelled() or isinstance(f.exception(), BrokenProcessPool):
                out[j] = self._pool.submit(fn, items[j])
        return out

    def close(self, abort: bool = False):
        if self._pool is not None:
            if abort:
                for proc in list((getattr(self._pool, "_processes", None) or {}).values()):
                    proc.terminate()
            self._pool.shutdown(wait=not abort, cancel_futures=True)
            self._pool = None


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
                                                   processes=True, dashboard_address=None)
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
                try:
                    yield f.result()
                except Exception as e:
                    if type(e).__name__ == "KilledWorker":
                        raise ParallelError(f"Dask workers died running {f.key} too often: {e}") from None
                    raise
        finally:
            self.client.cancel([f for f in futures if not f.done()])

    def close(self, abort: bool = False):
        for obj in self._own:
            obj.close()
        self._own = []


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


def with_workers(ex):
    """``ex`` when it runs work in processes of its own (a pool, Dask), else None (None, or the serial executor:
    this process), which callers take as "the serial code path".

    >>> with_workers(Serial()) is None, with_workers(None) is None
    (True, True)
    """
    return ex if ex is not None and getattr(ex, "name", "serial") != "serial" else None
