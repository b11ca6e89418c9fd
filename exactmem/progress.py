"""Progress on a terminal for long work, drawn by tqdm: one line on standard error, quiet in pipes, CI and tests.

A bar is drawn only when its stream is a terminal, outside CI (the ``CI`` variable) and outside pytest
(``PYTEST_CURRENT_TEST``), and only once the work has lasted ``after`` seconds; it redraws at most ten times
a second, and once a second by itself while one long step runs, so that the elapsed time keeps moving.
``EXACTMEM_PROGRESS=0`` silences every bar, ``EXACTMEM_PROGRESS=1`` forces them (on any stream).  The bar
is removed when the work ends.  The kernel never imports this module: it reports progress through a
callback ``progress(done, total)``, and ``bar.update`` is such a callback.

>>> import io
>>> with Progress("checking", stream=io.StringIO()) as bar:    # not a terminal: nothing is printed
...     bar.update(5, 10)
>>> bar.done, bar.total, bar.enabled
(5, 10, False)
"""
from __future__ import annotations

import os
import sys
import threading
import time

__all__ = ["Progress", "wanted"]


def wanted(stream) -> bool:
    """Whether a bar on ``stream`` is shown: ``EXACTMEM_PROGRESS`` first, then no bar in CI or under pytest,
    then only on a terminal."""
    flag = os.environ.get("EXACTMEM_PROGRESS", "").strip()
    if flag in ("0", "1"):
        return flag == "1"
    if os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no") or "PYTEST_CURRENT_TEST" in os.environ:
        return False
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):     # no isatty, or a closed stream
        return False


class Progress:
    """A progress bar for a ``with`` block: ``update(done, total)`` as the work advances, ``step(text)`` to
    say what is being done, ``write(line)`` for a line that stays.  ``total`` may be unknown (``None``)."""

    def __init__(self, label: str, unit: str = "", stream=None, after: float = 1.0, total: int | None = None):
        self.label, self.unit, self.after = label, unit, after
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = wanted(self.stream)
        self.done, self.total = 0, total
        self.start = time.monotonic()
        self._bar = self._ticker = None
        self._stop = threading.Event()

    @property
    def shown(self) -> bool:
        """Whether the bar has been drawn at least once."""
        bar = self._bar
        return bar is not None and getattr(bar, "last_print_t", 0) >= bar.start_t + bar.delay

    def __enter__(self):
        if self.enabled:
            from tqdm import tqdm

            class _Bar(tqdm):
                monitor_interval = 0          # no tqdm monitor thread: our ticker redraws

            self._bar = _Bar(total=self.total, desc=self.label, unit=f" {self.unit}" if self.unit else "it",
                             file=self.stream, delay=self.after, mininterval=0.1, miniters=0, leave=False,
                             dynamic_ncols=True, smoothing=0.1, bar_format=self._format())
            self._ticker = threading.Thread(target=self._tick, name="exactmem-progress", daemon=True)
            self._ticker.start()
        return self

    def _format(self):
        """tqdm's own format, except for work with neither a count nor a unit: the label and the time."""
        return "{desc} [{elapsed}]" if self.total is None and not self.unit else None

    def _tick(self):
        while not self._stop.wait(1.0):
            bar = self._bar
            if bar is None or time.monotonic() - self.start < self.after:
                continue
            with bar.get_lock():
                if not bar.disable:
                    bar.refresh(nolock=True)
                    bar.last_print_t = bar._time()      # so that close() knows the line must be cleared

    def update(self, done: int, total: int | None = None) -> None:
        """The work has reached ``done`` of ``total`` (``total`` unchanged when not given)."""
        self.done = done
        if total is not None:
            self.total = total
        bar = self._bar
        if bar is None:
            return
        if bar.total != self.total:
            bar.total = self.total
            bar.bar_format = self._format()
        bar.update(done - bar.n)

    def step(self, text: str) -> None:
        """Say what is being done now (shown after the label at the next redraw)."""
        if self._bar is not None:
            self._bar.set_description_str(f"{self.label}: {text}" if text else self.label, refresh=False)

    def write(self, line: str) -> None:
        """Print a line on the stream that stays above the bar (plain ``print`` would break the bar)."""
        if self._bar is not None:
            self._bar.write(line, file=self.stream)
        else:
            print(line, file=self.stream, flush=True)

    def __exit__(self, *exc):
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join()
        if self._bar is not None:
            self._bar.close()
        return False
