"""exactmem.progress on top of tqdm (issue 13, item 6): drawn on a terminal, quiet in pipes, CI and tests,
``EXACTMEM_PROGRESS`` to force or silence; the interface its callers use (``update(done, total)`` as a kernel
callback, ``step``, ``write``) kept."""
import io
import pathlib
import re
import threading
import time

import pytest

from exactmem import Dataset, memorize, verify
from exactmem.progress import Progress, wanted

ROOT = pathlib.Path(__file__).resolve().parents[1]


class Terminal(io.StringIO):
    """A stream that says it is a terminal."""

    def isatty(self):
        return True


def plain(monkeypatch):
    """No EXACTMEM_PROGRESS, no CI, and not under pytest, as in a user's shell.  Called in the test body: pytest
    sets PYTEST_CURRENT_TEST again when the test's call begins, after the fixtures."""
    for name in ("EXACTMEM_PROGRESS", "CI", "PYTEST_CURRENT_TEST"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_who_gets_a_bar(monkeypatch):
    plain_env = plain(monkeypatch)
    assert wanted(Terminal()) and not wanted(io.StringIO())           # a terminal yes, a pipe or file no
    plain_env.setenv("CI", "true")
    assert not wanted(Terminal())
    plain_env.setenv("CI", "false")
    assert wanted(Terminal())
    plain_env.setenv("PYTEST_CURRENT_TEST", "tests/x.py::t")
    assert not wanted(Terminal())
    plain_env.setenv("EXACTMEM_PROGRESS", "1")                        # forced: even under pytest, even a pipe
    assert wanted(Terminal()) and wanted(io.StringIO())
    plain_env.setenv("EXACTMEM_PROGRESS", "0")
    plain_env.delenv("PYTEST_CURRENT_TEST")
    plain_env.delenv("CI")
    assert not wanted(Terminal())

    class Closed(Terminal):
        def isatty(self):
            raise ValueError("I/O operation on closed file")
    plain_env.delenv("EXACTMEM_PROGRESS")
    assert not wanted(Closed())


def test_quiet_in_tests_and_pipes():
    """Under pytest (PYTEST_CURRENT_TEST is set now) nothing is drawn, even on a terminal."""
    for stream in (Terminal(), io.StringIO()):
        with Progress("work", "layers", stream=stream, after=0) as bar:
            for k in range(5):
                bar.update(k + 1, 5)
        assert stream.getvalue() == "" and not bar.enabled and not bar.shown
        assert (bar.done, bar.total) == (5, 5)


def test_a_terminal_gets_a_bar_that_is_removed_at_the_end(monkeypatch):
    plain(monkeypatch)
    stream = Terminal()
    with Progress("checking", "layers", stream=stream, after=0) as bar:
        for k in range(1, 6):
            bar.update(k, 5)
            time.sleep(0.12)                # more than the 0.1 s between redraws
    text = stream.getvalue()
    assert bar.enabled and bar.shown
    assert "checking" in text and "5/5" in text and "layers" in text and "100%" in text
    last = text.rsplit("\r", 2)
    assert last[-1] == "" and last[-2].strip() == ""       # the last thing drawn is a blank line: the bar is gone


def test_nothing_is_drawn_before_after_seconds(monkeypatch):
    plain(monkeypatch)
    stream = Terminal()
    with Progress("quick", stream=stream, after=30) as bar:
        bar.update(1, 2)
        bar.update(2, 2)
    assert stream.getvalue() == "" and bar.enabled and not bar.shown


def test_a_long_step_keeps_the_clock_moving(monkeypatch):
    """No update for 2.5 s: the ticker redraws anyway (label, step text, elapsed time), and stops at the end."""
    plain(monkeypatch)
    before = threading.active_count()
    stream = Terminal()
    with Progress("memorize", stream=stream, after=0) as bar:
        bar.step("large regime")
        time.sleep(2.5)
    text = stream.getvalue()
    assert "memorize: large regime [00:0" in text
    assert "it/s" not in text                      # no meaningless counter for work without a count
    assert re.search(r"\[00:0[12]\]", text)        # the elapsed time was redrawn while nothing was updated
    assert threading.active_count() == before      # the ticker thread is gone


def test_write_keeps_lines_apart_from_the_bar(monkeypatch):
    plain(monkeypatch)
    stream = Terminal()
    with Progress("sizes", "rows", stream=stream, after=0) as bar:
        bar.update(1, 3)
        bar.write("N=20 d=2 small: 100 params")
        bar.update(3, 3)
    assert "N=20 d=2 small: 100 params\n" in stream.getvalue()
    quiet = io.StringIO()
    with Progress("sizes", stream=quiet) as bar:       # no bar: the line is printed as is
        bar.write("a line")
    assert quiet.getvalue() == "a line\n"


def test_update_is_a_kernel_progress_callback(monkeypatch):
    """kernel.check calls progress(layer, layers); the bar ends at layers/layers."""
    plain(monkeypatch)
    D = Dataset([[0], [3], [5]], [1, 2, 1])
    net, cert = memorize(D, "1/100")
    stream, calls = Terminal(), []
    with Progress("verify", "layers", stream=stream, after=0) as bar:
        def record(done, total):
            calls.append((done, total))
            bar.update(done, total)
        assert verify(net, D, "1/100", cert, progress=record).is_proved
    L = len(net.dims) - 1
    assert calls and all(t == L for _, t in calls) and [d for d, _ in calls] == sorted(d for d, _ in calls)
    assert (bar.done, bar.total) == calls[-1]
    assert "verify" in stream.getvalue()            # drawn once at the start (after=0); then too fast to redraw


def test_the_kernel_never_imports_a_progress_library():
    for f in (ROOT / "exactmem" / "kernel").glob("*.py"):
        text = f.read_text()
        assert not re.search(r"^\s*(import|from)\s+(tqdm|rich)\b", text, re.M), f
        assert "progress import" not in text and "import progress" not in text, f


def _zigzag_files(tmp_path):
    """f(x) = 1/1000 + relu(x) + sum_k 2 (-1)^(k+1) relu(x - k/16) on [0, 1] (a zigzag; f > 0 there), as an
    exactmem network file and the VNN-LIB property Y_0 <= 0 (unsat: its counterexample would have f <= 0).
    Linear bounds need several input cuts for it (5 leaves)."""
    import json

    from flint import fmpq

    from exactmem import ReLUNet
    k = 16
    net = ReLUNet([([[1]] * k, [fmpq(-i, k) for i in range(k)]),
                   ([[1] + [2 * (-1) ** (i + 1) for i in range(1, k)]], ["1/1000"])])
    (tmp_path / "net.json").write_text(json.dumps(net.to_json()))
    (tmp_path / "p.vnnlib").write_text("(declare-const X_0 Real)\n(declare-const Y_0 Real)\n"
                                       "(assert (>= X_0 0.0))\n(assert (<= X_0 1.0))\n(assert (<= Y_0 0.0))\n")
    return [str(tmp_path / "net.json"), str(tmp_path / "p.vnnlib")]


def test_the_linear_bounds_phase_draws_its_own_bar_on_a_terminal_only(monkeypatch, capsys, tmp_path):
    """``exactmem vnnlib`` on the zigzag, bar delay 0: with standard error a terminal, the linear-bounds phase
    (``analysis.bab.decide``) draws a bar "linear bounds" whose count is leaves closed / closed + open (never
    decreasing, ending at the certificate's leaves) and whose text names the question, the open leaves and the
    weakest open bound; with standard error a pipe, in the same environment (not CI, not pytest), nothing at
    all is written there."""
    from exactmem import cli
    from exactmem.analysis import bab
    plain(monkeypatch)
    monkeypatch.setattr(bab, "BAR_AFTER", [0.0])
    args = _zigzag_files(tmp_path)
    updates, steps = [], []
    real_update, real_step = Progress.update, Progress.step

    def update(bar, done, total=None):
        if bar.label == "linear bounds":
            updates.append((done, total))
        real_update(bar, done, total)

    def step(bar, text):
        steps.append(text)
        real_step(bar, text)
    monkeypatch.setattr(Progress, "update", update)
    monkeypatch.setattr(Progress, "step", step)
    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    assert cli.main(["vnnlib", *args]) == 0
    assert capsys.readouterr().out.startswith("unsat")
    assert "linear bounds" in terminal.getvalue()
    done = [d for d, _ in updates]
    assert len(updates) > 3 and done == sorted(done) and all(d <= t for d, t in updates)
    assert updates[-1][0] == updates[-1][1] == 5
    assert any(re.fullmatch(r"question 1/1, margin 1e-06: \d+ open, weakest bound -?[0-9.e+-]+", s) for s in steps)
    assert steps[-1] == "the kernel checks 5 leaves (margin 1e-06)"

    updates.clear()
    pipe = io.StringIO()
    monkeypatch.setattr("sys.stderr", pipe)
    assert cli.main(["vnnlib", *args]) == 0
    assert capsys.readouterr().out.startswith("unsat") and updates            # the same phase ran ...
    assert pipe.getvalue() == ""                                              # ... and said nothing
