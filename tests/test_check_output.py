"""What ``exactmem check`` and ``exactmem report`` show while and after they run: one line per claim as it
finishes when standard error is a log or a pipe (the finding: 25 minutes of silence under ``make check``),
the progress bar on a terminal, and the slow families a run left out, named in the table, in ``-v``, in
the JSON and in every report format (the finding: they were not mentioned)."""
import io
import json
import os
import subprocess
import sys

import pytest

from exactmem.claims import REGISTRY, Claim, Verdict, run_claim, run_shown, to_json
from exactmem.claims import report
from exactmem.claims.runner import run_all, summary_table
from exactmem.cli import main

ONE = {"f": lambda: [("one", 1)]}
SLOW = Claim("SO.slow", "1 = 1", lambda x: Verdict.proved("by hand"), {"small": lambda: [("one", 1)],
                                                                       "big": lambda: [("two", 2)]},
             slow_families=("big",))
PLAIN = Claim("SO.plain", "2 = 2", lambda x: Verdict.proved("by hand"), ONE)


class Tty(io.StringIO):
    def isatty(self):
        return True


def test_lines_as_claims_finish_when_not_on_a_terminal():
    log = io.StringIO()
    run_all(claims=[PLAIN, SLOW], progress=log)
    first, second = log.getvalue().splitlines()      # whole lines, one per claim as it finishes
    assert first.startswith("[1/2] SO.plain: PROVED (1 instance, ") and first.endswith("s)")
    assert second.startswith("[2/2] SO.slow: PROVED (1 instance, ")
    term = Tty()                                      # a terminal: the id before the claim runs, the rest after
    run_all(claims=[PLAIN], progress=term)
    assert term.getvalue().startswith("[1/1] SO.plain ... PROVED (1 instance, ")


def test_run_shown_chooses_lines_or_the_bar(monkeypatch):
    log = io.StringIO()
    run_shown([PLAIN], stream=log)                    # not a terminal: lines
    assert log.getvalue().startswith("[1/1] SO.plain: PROVED")
    monkeypatch.setenv("EXACTMEM_PROGRESS", "1")      # a bar is drawn (forced here): no lines beside it
    bar = io.StringIO()
    results = run_shown([PLAIN], stream=bar)
    assert "[1/1]" not in bar.getvalue() and results[0].verdict.is_proved
    verbose = io.StringIO()                           # -v: lines even where a bar would be drawn
    run_shown([PLAIN], verbose=True, stream=verbose)
    assert verbose.getvalue().startswith("[1/1] SO.plain: PROVED")


def test_skipped_slow_families_in_the_table_and_json():
    default, full = run_claim(SLOW), run_claim(SLOW, full=True)
    assert default.skipped == ("big",) and default.instances == 1
    assert full.skipped == () and full.instances == 2
    table = summary_table([run_claim(PLAIN), default])
    assert "\nskipped (slow, run with --full): SO.slow (big)\n" in table
    assert "skipped" not in summary_table([run_claim(PLAIN), full])
    assert "  skipped (slow, run with --full): big" in summary_table([default], verbose=True)
    assert to_json([default])["claims"][0]["skipped_families"] == ["big"]
    assert to_json([full], full=True)["claims"][0]["skipped_families"] == []


def test_skipped_slow_families_in_every_report_format():
    doc = to_json([run_claim(PLAIN), run_claim(SLOW)])
    assert report.skipped_line(doc) == "skipped (slow, run with --full): SO.slow (big)"
    md = report.markdown(doc)
    assert "Skipped (slow, run with --full): SO.slow (big)." in md and "(slow families not run: big) |" in md
    page = report.html(doc)
    assert "Skipped (slow, run with --full): SO.slow (big).</p>" in page and "slow families not run: big" in page
    tex = report.latex(doc)
    assert r"Skipped (slow, run with \texttt{-{}-full}): SO.slow (big).}" in tex
    assert report.skipped_line(to_json([run_claim(SLOW, full=True)], full=True)) == ""
    older = json.loads(json.dumps(doc))               # a kept run written before skipped_families existed
    for c in older["claims"]:
        del c["skipped_families"]
    assert report.skipped_line(older) == report.skipped_line(doc)
    older["full"] = True
    assert report.skipped_line(older) == ""


SO_FILE = '''
from exactmem import Verdict
from exactmem.claims import claim

@claim("SO.plain", "2 = 2", {"f": lambda: [("one", 1)]})
def plain(x):
    return Verdict.proved("by hand")

@claim("SO.slow", "1 = 1", {"small": lambda: [("one", 1)], "big": lambda: [("two", 2)]}, slow_families=("big",))
def slow(x):
    return Verdict.proved("by hand")
'''


def _claims_file(tmp_path, name, text):
    """Claims in a file of their own (only --from it: the registry stays as it was after the test)."""
    saved = dict(REGISTRY)
    path = tmp_path / f"{name}.py"
    path.write_text(text)
    yield str(path)
    REGISTRY.clear()
    REGISTRY.update(saved)
    sys.modules.pop(name, None)


@pytest.fixture
def so_file(tmp_path):
    """The two claims above."""
    yield from _claims_file(tmp_path, "so_check_claims", SO_FILE)


def test_check_and_report_commands(so_file, tmp_path, capsys):
    assert main(["check", "--from", so_file]) == 0
    out, err = capsys.readouterr()
    assert "skipped (slow, run with --full): SO.slow (big)" in out
    assert err.splitlines()[0].startswith("[1/2] SO.plain: PROVED")    # under pytest no bar: lines
    assert main(["check", "--from", so_file, "--full"]) == 0
    assert "skipped" not in capsys.readouterr().out
    assert main(["report", "--from", so_file, "--out", str(tmp_path), "--format", "md"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-1] == "skipped (slow, run with --full): SO.slow (big)"
    assert "Skipped (slow, run with --full)" in (tmp_path / "claims.md").read_text()


CLAIMS = '''
import os, time
from exactmem import Verdict
from exactmem.claims import claim

@claim("SX.first", "quick", {"f": lambda: [("one", 1)]})
def first(x):
    return Verdict.proved("at once")

@claim("SX.second", "waits for the go-ahead file", {"f": lambda: [("one", 1)]})
def second(x):
    end = time.monotonic() + 30
    while not os.path.exists(os.environ["SX_GO"]) and time.monotonic() < end:
        time.sleep(0.02)
    return Verdict.proved("went ahead")
'''


def test_a_pipe_gets_each_line_while_the_run_goes_on(tmp_path):
    # the first claim's line must arrive while the second claim is still running (flushed, not at the end)
    (tmp_path / "sx_claims.py").write_text(CLAIMS)
    go = tmp_path / "go"
    env = {k: v for k, v in os.environ.items() if k not in ("EXACTMEM_PROGRESS",)}
    env["SX_GO"] = str(go)
    p = subprocess.Popen([sys.executable, "-m", "exactmem", "check", "--from", str(tmp_path / "sx_claims.py")],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        line = p.stderr.readline()
        assert line.startswith("[1/2] SX.first: PROVED (1 instance, ")
        assert p.poll() is None                       # the second claim is still waiting
        go.write_text("")
        out, err = p.communicate(timeout=60)
    finally:
        go.write_text("")
        if p.poll() is None:
            p.kill()
    assert p.returncode == 0 and err.startswith("[2/2] SX.second: PROVED")
    assert "2 proved" in out


# -- UNDECIDED is not success (issue 23, item 3) -------------------------------------------------------------
SU_FILE = '''
from exactmem import Verdict
from exactmem.claims import claim

@claim("SU.fine", "3 = 3", {"f": lambda: [("one", 1)]})
def fine(x):
    return Verdict.proved("by hand")

@claim("SU.open", "a check that crashes", {"f": lambda: [("one", 1)]})
def open_(x):
    raise ValueError("Exceeds the limit")

@claim("SU.budget", "decided only with more time", {"f": lambda: [("one", 1)]},
       may_be_undecided="the exact bound needs more than the default budget")
def budget(x):
    return Verdict.undecided("budget spent")

@claim("SU.wrong", "allowed to be undecided, but refuted", {"f": lambda: [("one", 1)]},
       may_be_undecided="a refutation is never excused")
def wrong(x):
    return Verdict.from_exact(x < 0, "x < 0", {"x": x})

@claim("SU.gone", "withdrawn and undecided", {"f": lambda: [("one", 1)]}, status="withdrawn")
def gone(x):
    return Verdict.undecided("not decided")
'''


@pytest.fixture
def su_file(tmp_path):
    yield from _claims_file(tmp_path, "su_check_claims", SU_FILE)


def test_an_undecided_claim_fails_check_and_is_named(su_file, capsys):
    assert main(["check", "--from", su_file, "-k", "SU.fine"]) == 0
    capsys.readouterr()
    assert main(["check", "--from", su_file, "-k", "SU.open"]) == 1
    out = capsys.readouterr().out
    assert "SU.open: UNDECIDED: instance f/one: the check raised ValueError: Exceeds the limit" in out
    assert "0 proved, 0 certified, 0 refuted, 1 undecided, 0 withdrawn" in out          # the count line kept
    assert out.rstrip().splitlines()[-1] == \
        "UNDECIDED and not declared may_be_undecided, so the check fails: SU.open"
    # a withdrawn claim that ends undecided fails as well (what it still says was not decided)
    assert main(["check", "--from", su_file, "-k", "SU.gone"]) == 1
    assert "so the check fails: SU.gone" in capsys.readouterr().out
    # with --json to standard output, the message goes to standard error
    assert main(["check", "--from", su_file, "-k", "SU.open", "--json"]) == 1
    out, err = capsys.readouterr()
    assert json.loads(out)["claims"][0]["may_be_undecided"] == ""
    assert "so the check fails: SU.open" in err


def test_may_be_undecided_passes_with_its_reason_shown(su_file, capsys):
    assert main(["check", "--from", su_file, "-k", "SU.budget"]) == 0
    out = capsys.readouterr().out
    assert "SU.budget: UNDECIDED: instance f/one: budget spent\n" \
           "    may be undecided: the exact bound needs more than the default budget" in out
    assert "0 proved, 0 certified, 0 refuted, 1 undecided, 0 withdrawn" in out
    assert "UNDECIDED, allowed by may_be_undecided: SU.budget (the exact bound needs more than the default " \
           "budget)" in out
    assert "so the check fails" not in out
    assert main(["check", "--from", su_file, "-k", "SU.budget", "--strict"]) == 1        # --strict: no excuse
    assert "UNDECIDED (--strict: allowed or not), so the check fails: SU.budget" in capsys.readouterr().out
    assert main(["check", "--from", su_file, "-k", "SU.budget", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["claims"][0]["may_be_undecided"] == "the exact bound needs more than the default budget"
    assert main(["check", "--from", su_file, "-k", "SU.wrong"]) == 1                     # REFUTED: never excused
    capsys.readouterr()
    # together (every SU claim): allowed and not -> 1, each named in its line
    assert main(["check", "--from", su_file, "--tag", "su"]) == 1
    out = capsys.readouterr().out
    assert "so the check fails: SU.gone, SU.open" in out and "allowed by may_be_undecided: SU.budget" in out
    assert main(["check", "--from", su_file, "-k", "SU.budget", "--list", "-v"]) == 0
    assert "  may be undecided: the exact bound needs more than the default budget" in capsys.readouterr().out


def test_report_shows_the_reason_and_fails_on_an_unexcused_undecided(su_file, tmp_path, capsys):
    assert main(["report", "--from", su_file, "-k", "SU.budget", "--out", str(tmp_path), "--format", "md,html"]) == 0
    out = capsys.readouterr().out
    assert "UNDECIDED, allowed by may_be_undecided: SU.budget" in out
    md = (tmp_path / "claims.md").read_text()
    assert "May be undecided: the exact bound needs more than the default budget" in md
    assert "may be undecided: the exact bound needs more than the default budget -- instance f/one" in md
    assert "may be undecided: the exact bound needs more than the default budget" in \
        (tmp_path / "claims.html").read_text()
    assert main(["report", "--from", su_file, "-k", "SU.open", "--out", str(tmp_path), "--format", "md"]) == 1
    assert "so the check fails: SU.open" in capsys.readouterr().out
    assert "Not declared may\\_be\\_undecided: this fails the check." in (tmp_path / "claims.md").read_text()
    kept = tmp_path / "run.json"                      # a kept run reported later: the same exit status
    assert main(["check", "--from", su_file, "-k", "SU.open", "--json", str(kept)]) == 1
    assert main(["report", "--results", str(kept), "--out", str(tmp_path), "--format", "md"]) == 1
    older = json.loads(kept.read_text())              # a run kept before the field existed: not excused
    del older["claims"][0]["may_be_undecided"]
    assert report.exit_status(older) == 1


def test_may_be_undecided_needs_a_reason():
    from exactmem.errors import ClaimError
    for bad in (True, "   ", 1):
        with pytest.raises(ClaimError, match="may_be_undecided must be the reason"):
            Claim("SU.bad", "s", lambda x: Verdict.proved("ok"), ONE, may_be_undecided=bad)
    c = Claim("SU.ok", "s", lambda x: Verdict.undecided("later"), ONE, may_be_undecided="  why  ")
    r = run_claim(c)
    assert c.may_be_undecided == "why" and r.undecided_allowed and not r.failed() and r.failed(strict=True)
    plain = run_claim(Claim("SU.no", "s", lambda x: Verdict.undecided("later"), ONE))
    assert plain.failed() and not plain.undecided_allowed
