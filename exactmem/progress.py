"""Progress on a terminal for long work: a one-line bar on standard error, quiet in pipes and tests.

The bar appears only when the stream is a terminal and the work has lasted ``after`` seconds, and it
redraws at most ten times a second; ``EXACTMEM_PROGRESS=0`` silences it, ``=1`` forces it.

>>> import io
>>> with Progress("checking", stream=io.StringIO()) as bar:    # not a terminal: nothing is printed
...     bar.update(5, 10)
>>> bar.done, bar.total
(5, 10)
"""
from __future__ import annotations

import os
import sys
import time


class Progress:
    def __init__(self, label: str, unit: str = "", stream=None, after: float = 1.0):
        self.label, self.unit, self.after = label, unit, after
        self.stream = stream if stream is not None else sys.stderr
        flag = os.environ.get("EXACTMEM_PROGRESS")
        tty = getattr(self.stream, "isatty", lambda: False)()
        self.enabled = flag == "1" or (flag != "0" and tty)
        self.done = self.total = 0
        self.start = self.last = time.monotonic()
        self.shown = False

    def __enter__(self):
        return self

    def update(self, done: int, total: int) -> None:
        self.done, self.total = done, total
        now = time.monotonic()
        if not self.enabled or now - self.start < self.after or now - self.last < 0.1:
            return
        self.last, self.shown = now, True
        frac = done / total if total else 0.0
        bar = "#" * int(30 * frac)
        eta = (now - self.start) * (1 - frac) / frac if frac > 0 else 0.0
        self.stream.write(f"\r{self.label} [{bar:<30}] {done}/{total} {self.unit} "
                          f"{now - self.start:.0f}s elapsed, ~{eta:.0f}s left ")
        self.stream.flush()

    def __exit__(self, *exc):
        if self.shown:
            self.stream.write("\r" + " " * 100 + "\r")
            self.stream.flush()
        return False
