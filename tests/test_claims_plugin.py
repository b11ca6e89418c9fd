"""The pytest plugin, run inline by pytester in a fresh folder: one item per claim, instances as sub-results,
slow families behind a marker, tags as keywords, undecided instances failing (or skipped on request), and
nothing collected without --claims (so this repository's own run does not collect its claims twice)."""
import re
import sys
from importlib import metadata

import pytest

from exactmem.claims import REGISTRY

pytest_plugins = ["pytester"]

PAPER = '''
from flint import fmpq
from exactmem import Verdict
from exactmem.claims import claim

def _n():
    for n in (1, 2, 5):
        yield f"n={n}", n

@claim("PL.Lemma1", "1/(n(n+1)) = 1/n - 1/(n+1)", {"small": _n, "big": lambda: [("n=99", 99)]},
       slow_families=("big",), tags=("telescoping",))
def lemma1(n):
    return Verdict.from_exact(fmpq(1, n * (n + 1)) == fmpq(1, n) - fmpq(1, n + 1), "both sides exactly")

@claim("PL.Wrong", "1/(n+1) < 1/3 for every n >= 1", {"small": _n})
def wrong(n):
    return Verdict.from_exact(fmpq(1, n + 1) < fmpq(1, 3), f"1/{n + 1} < 1/3", {"n": n, "value": fmpq(1, n + 1)})

@claim("PL.Later", "not decided yet", {"small": lambda: [("one", 1)]}, tags=("open",))
def later(n):
    return Verdict.undecided("the budget ran out")

@claim("PL.Old", "what the retracted lemma still says", {"small": lambda: [("one", 1)]}, status="withdrawn")
def old(n):
    return Verdict.proved("still true")
'''


@pytest.fixture
def paper(pytester):
    saved = dict(REGISTRY)
    pkg = pytester.mkpydir("plpaper")
    (pkg / "claims.py").write_text(PAPER)
    pytester.syspathinsert()
    yield pytester
    REGISTRY.clear()
    REGISTRY.update(saved)
    for m in [m for m in sys.modules if m.startswith("plpaper")]:
        del sys.modules[m]


def _plugin_args():
    """The plugin comes through its pytest11 entry point once exactmem is installed; else load it by name."""
    names = [ep.value for ep in metadata.entry_points(group="pytest11") if ep.name == "exactmem"]
    return [] if names else ["-p", "exactmem.claims.plugin"]


def run(pytester, *args):
    return pytester.runpytest(*_plugin_args(), "-p", "no:cacheprovider", *args)


def test_the_entry_point_is_declared():
    # pyproject.toml's [project.entry-points.pytest11]; the installed metadata must carry it
    assert [ep.value for ep in metadata.entry_points(group="pytest11") if ep.name == "exactmem"] == \
        ["exactmem.claims.plugin"]


def _last(r) -> str:
    """The summary line without its time: '2 failed, 2 passed, 3 subtests failed'."""
    return re.sub(r"=+|\s*in [0-9.]+s.*$", "", r.stdout.lines[-1]).strip()


def test_claims_as_items_with_instances_as_subtests(paper):
    r = run(paper, "--claims", "plpaper.claims", "-v", "-rfs")
    # 4 claims, one item each: Lemma1 and Old pass, Wrong fails (2 of 3 instances refuted), Later fails
    # (undecided); the instances are subtests, counted apart (8 = 3 + 1 + 3 + 1; Lemma1's slow family a
    # skipped subtest)
    assert "collected 4 items" in r.stdout.str()
    assert _last(r) == "2 failed, 2 passed, 5 subtests passed, 3 subtests failed, 1 subtests skipped"
    out = r.stdout.str()
    assert "exactmem-claims::PL.Lemma1 SUBPASSED[small/n=5]" in out
    assert "exactmem-claims::PL.Wrong SUBFAILED[small/n=2]" in out
    assert "exactmem-claims::PL.Lemma1 SUBSKIPPED[big] (slow family" in out       # the line is cut at 80 columns
    assert "PL.Wrong: 2 of 3 instances not proved" in out
    assert "REFUTED: 1/3 < 1/3" in out and 'witness: {"n": 2, "value": "1/3"}' in out
    assert "UNDECIDED: the budget ran out" in out
    assert "4 claims (one test each) with 8 instances (5 proved, 3 not); instances are subtests" in out
    assert "1 proved, 0 certified, 1 refuted, 1 undecided, 1 withdrawn" in out
    assert "slow families not run (run with --claims-full): PL.Lemma1 (big)" in out
    assert "withdrawn (checked for what they still say): PL.Old" in out


def test_counts_are_claims_and_the_u_is_explained(paper):
    # the finding: 'collected 0 items', '-4 selected' under -k, a 'u' for every passed instance under -q
    r = run(paper, "--claims", "plpaper.claims")
    assert "collected 4 items" in r.stdout.str()
    assert _last(r) == "2 failed, 2 passed, 3 subtests failed"
    assert "exactmem-claims uF..uuF" in r.stdout.str()          # Later, Lemma1, Old, Wrong; a 'u' per failed instance
    assert "a failed one is drawn 'u' in the progress line and counted in 'subtests failed'" in r.stdout.str()
    r = run(paper, "--claims", "plpaper.claims", "-k", "Wrong")
    assert "collected 4 items / 3 deselected / 1 selected" in r.stdout.str()
    assert _last(r) == "1 failed, 3 deselected, 2 subtests failed"
    r = run(paper, "--claims", "plpaper.claims", "-q", "-k", "Lemma1 or Old")
    assert r.stdout.lines[0].split()[0] == ".."                            # one mark per claim, no 'u' for passed instances
    assert _last(r) == "2 passed, 2 deselected"
    r = run(paper, "--claims", "plpaper.claims", "--collect-only", "-q")
    assert [ln for ln in r.stdout.lines if ln.startswith("exactmem-claims::")] == \
        ["exactmem-claims::PL.Later", "exactmem-claims::PL.Lemma1", "exactmem-claims::PL.Old", "exactmem-claims::PL.Wrong"]
    assert "4 tests collected" in r.stdout.str()


def test_slow_families_marker_and_keywords(paper):
    r = run(paper, "--claims", "plpaper.claims", "--claims-full", "-m", "claims_slow", "-v")
    r.assert_outcomes(passed=1, deselected=3)
    assert "exactmem-claims::PL.Lemma1 SUBPASSED[big/n=99]" in r.stdout.str()
    assert "slow families not run" not in r.stdout.str()
    r = run(paper, "--claims", "plpaper/claims.py", "-k", "telescoping")     # a tag, and a path
    r.assert_outcomes(passed=1, deselected=3)
    r = run(paper, "--claims", "plpaper", "-k", "Wrong or open", "--claims-allow-undecided", "-rs")
    r.assert_outcomes(failed=1, skipped=1, deselected=2)        # Later has only an undecided instance: skipped
    assert "PL.Later: UNDECIDED: instance small/one: the budget ran out" in r.stdout.str()
    assert _last(r) == "1 failed, 1 skipped, 2 deselected, 2 subtests failed"


def test_without_subtests_a_failure_lists_the_instances(paper):
    r = run(paper, "--claims", "plpaper", "-k", "Wrong", "-p", "no:subtests")   # pytest 8 without pytest-subtests
    r.assert_outcomes(failed=1)
    out = r.stdout.str()
    assert "PL.Wrong: 2 of 3 instances not proved" in out and "small/n=1: REFUTED: 1/2 < 1/3" in out


def test_ini_option_and_ordinary_tests(paper):
    paper.makepyfile(test_plain="def test_one():\n    assert 1 + 1 == 2\n")
    paper.makeini("[pytest]\nexactmem_claims = plpaper.claims\n")
    r = run(paper, "-k", "one or Old")
    r.assert_outcomes(passed=2)
    assert "collected 5 items / 3 deselected / 2 selected" in r.stdout.str()     # 1 test and 4 claims


def test_nothing_collected_without_claims(paper):
    paper.makepyfile(test_plain="def test_one():\n    assert True\n")
    r = run(paper, "--collect-only", "-q")
    assert "exactmem-claims" not in r.stdout.str() and "1 test collected" in r.stdout.str()


def test_bad_source_is_a_usage_error(paper):
    r = run(paper, "--claims", "plpaper_nosuch")
    assert r.ret == pytest.ExitCode.USAGE_ERROR
    assert "--claims: cannot import the claims of module 'plpaper_nosuch'" in r.stderr.str()
    assert "run python -m pytest" in r.stderr.str()      # the pytest command leaves the current folder off sys.path
    paper.makepyfile(empty_mod="X = 1\n")
    r = run(paper, "--claims", "empty_mod")
    assert r.ret == pytest.ExitCode.USAGE_ERROR and "no claim is registered there" in r.stderr.str()


def test_may_be_undecided_skips_with_its_reason(paper):
    # a claim of its own declaring may_be_undecided is skipped (with the reason), not failed; PL.Later, which
    # does not declare it, still fails
    (paper.path / "plpaper" / "maybe.py").write_text(
        "from exactmem import Verdict\nfrom exactmem.claims import claim\n"
        "@claim('PL.Maybe', 'decided with more time', {'small': lambda: [('one', 1)]},\n"
        "       may_be_undecided='needs the slow exact bound')\n"
        "def maybe(n):\n    return Verdict.undecided('the budget ran out')\n")
    r = run(paper, "--claims", "plpaper.maybe", "--claims", "plpaper.claims", "-k", "Maybe or Later", "-rs")
    r.assert_outcomes(failed=1, skipped=1, deselected=3)
    assert "PL.Maybe: UNDECIDED: instance small/one: the budget ran out (may be undecided: needs the slow " \
           "exact bound)" in r.stdout.str()
