"""The pytest plugin (entry point ``pytest11``): ``pytest --claims mypaper.claims`` collects the claims of a
module, package, directory or ``.py`` file as test items, one per claim, each instance a subtest.

The claims are collected beside the paths pytest collects (a collector ``exactmem-claims`` under the
session), so ``collected N items`` counts them and ``-k``/``-m`` deselect among them.  An item passes when
every instance is PROVED (or CERTIFIED), fails on a REFUTED instance with its exact witness, and fails on an
UNDECIDED one too, with the reason (``--claims-allow-undecided``, or the claim's own ``may_be_undecided``,
skips the claim instead).  A withdrawn
claim is checked for what it still says.  Slow families run only with ``--claims-full``; otherwise each is
a skipped subtest, and the summary names them.  Claim tags are keywords, so ``-k`` selects by id or tag.

Instances are pytest subtests (built into pytest >= 9; the pytest-subtests plugin before): the claim is
the test, counted in ``passed``/``failed``; its instances are counted apart as ``subtests failed`` (and,
with ``-v``, ``subtests passed``/``subtests skipped``), a failed one drawn ``u`` in the progress line.
Without subtests a failing item lists each instance in its report.  With no ``--claims`` (and no
``exactmem_claims`` ini option) the plugin collects nothing.
"""
from __future__ import annotations

import inspect
import os
import time

import pytest

_RESULTS = pytest.StashKey[dict]()    # claim id -> (claim, instance records, slow families not run)
_ITEMS = pytest.StashKey[set]()       # node ids of the claim items (their subtest reports are counted apart)
ROOT = "exactmem-claims"


def pytest_addoption(parser):
    group = parser.getgroup("exactmem", "exactmem claims")
    group.addoption("--claims", action="append", default=[], metavar="SOURCE",
                    help="collect the exactmem claims of this module or package (mypaper.claims), directory or .py "
                         "file as tests, one per claim, its instances as subtests; repeatable")
    group.addoption("--claims-full", action="store_true", default=False,
                    help="also run the claims' slow instance families")
    group.addoption("--claims-allow-undecided", action="store_true", default=False,
                    help="skip a claim with an UNDECIDED instance (and no refuted one) instead of failing it")
    parser.addini("exactmem_claims", "claim sources collected as if each were given with --claims", type="linelist",
                  default=[])


def pytest_configure(config):
    config.addinivalue_line("markers", "claims_slow: an exactmem claim with slow instance families (they run "
                                       "with --claims-full)")
    config.stash[_RESULTS] = {}
    config.stash[_ITEMS] = set()


def _sources(config) -> list:
    return list(config.getoption("claims") or []) + list(config.getini("exactmem_claims") or [])


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(collector):
    """Put the claims collector beside what the session collects from its arguments, so that pytest counts
    its items and ``-k``/``-m`` see them like any other."""
    rep = yield
    if isinstance(collector, pytest.Session) and rep.passed:
        sources = _sources(collector.config)
        if sources:
            rep.result.append(ClaimsCollector.from_parent(collector, name=ROOT, nodeid=ROOT, sources=sources,
                                                          claims=_claims(sources)))
    return rep


def _claims(sources) -> list:
    """The claims of the sources, imported now (a source that does not import is a usage error)."""
    from ..errors import ClaimError
    from . import discover, select
    from .discovery import is_path
    modules = []
    for s in sources:
        try:
            modules += discover(s)
        except ClaimError as e:
            hint = ""
            if not is_path(s) and "ModuleNotFoundError" in str(e):
                hint = (" (the pytest command does not put the current directory on sys.path: run python -m pytest, "
                        "give the folder as --claims ./DIR, or set pythonpath = . in pytest's ini section)")
            raise pytest.UsageError(f"--claims: {e}{hint}") from None
    claims = select(modules=tuple(modules))
    if not claims:
        raise pytest.UsageError(f"--claims {' '.join(sources)}: no claim is registered there")
    return claims


class ClaimsCollector(pytest.Collector):
    """The claims of the sources given, one item each."""

    def __init__(self, *, sources, claims, **kw):
        super().__init__(**kw)
        self.sources, self.claims = sources, claims

    def collect(self):
        subtests = self.config.pluginmanager.hasplugin("subtests")
        out = []
        for c in self.claims:
            item = ClaimFunction.from_parent(self, name=c.id, callobj=_test(c, subtests), claim=c)
            if c.slow_families:
                item.add_marker(pytest.mark.claims_slow)
            self.config.stash[_ITEMS].add(item.nodeid)
            out.append(item)
        return out


class ClaimFunction(pytest.Function):
    """One claim as a test; its location is the claim's check."""

    def __init__(self, *, claim, **kw):
        super().__init__(**kw)
        self.claim = claim
        self.extra_keyword_matches.update(claim.all_tags)
        self.user_properties.append(("claim", claim.id))

    def reportinfo(self):
        fn = inspect.unwrap(self.claim.check)
        try:
            path, line = inspect.getsourcefile(fn), inspect.getsourcelines(fn)[1] - 1
        except (TypeError, OSError):
            path, line = self.path, None
        return os.fspath(path or self.path), line, f"claim {self.claim.id}"


def _message(rec) -> str:
    v = rec.verdict
    text = f"{v.status.value}: {v.reason}"
    if v.is_refuted and v.witness is not None:
        from .runner import witness_text
        text += f"\nwitness: {witness_text(v.witness, 2000)}"
    return text


def _judge(rec, allow_undecided: bool) -> None:
    if rec.verdict.is_proved:
        return
    if rec.verdict.is_undecided and allow_undecided:
        pytest.skip(_message(rec))
    pytest.fail(_message(rec), pytrace=False)


def _test(c, with_subtests: bool):
    """The test function of a claim: each instance a subtest when pytest has them, else all at once; then
    the claim's own outcome, which lists every instance not proved."""
    from .runner import InstanceResult, combine, instances, run_instance

    def run(request, subtests=None):
        config = request.config
        allow, full = config.getoption("claims_allow_undecided"), config.getoption("claims_full")
        allow = allow or bool(c.may_be_undecided)      # declared: skipped with its reason, as on request
        t0, records = time.perf_counter(), []
        for name, inst in instances(c, full=full):
            if subtests is None:
                records.append(inst if isinstance(inst, InstanceResult) else run_instance(c, name, inst))
                continue
            with subtests.test(msg=name):
                rec = inst if isinstance(inst, InstanceResult) else run_instance(c, name, inst)
                records.append(rec)
                _judge(rec, allow)
        not_run = () if full else c.slow_families
        if subtests is not None:
            for fam in not_run:
                with subtests.test(msg=fam):
                    pytest.skip("slow family: run with --claims-full")
        result = combine(c, records, time.perf_counter() - t0)
        config.stash[_RESULTS][c.id] = (c, records, not_run)
        request.node.user_properties.append(("status", result.status_text))
        if not records:
            pytest.fail(f"{c.id}: no instances were run", pytrace=False)
        bad = [r for r in records if not r.verdict.is_proved and not (allow and r.verdict.is_undecided)]
        if bad:
            pytest.fail(f"{c.id}: {len(bad)} of {len(records)} instances not proved\n" +
                        "\n".join(f"  {r.name}: " + _message(r).replace("\n", "\n    ") for r in bad), pytrace=False)
        if result.verdict.is_undecided:        # allowed: the claim is skipped, not passed
            pytest.skip(f"{c.id}: {result.verdict}" +
                        (f" (may be undecided: {c.may_be_undecided})" if c.may_be_undecided else ""))
    if with_subtests:
        def test_claim(request, subtests):
            run(request, subtests)
    else:
        def test_claim(request):
            run(request)
    test_claim.__doc__ = c.statement
    return test_claim


def _verbosity(config) -> int:
    kind = getattr(config, "VERBOSITY_SUBTESTS", None)
    return config.get_verbosity(kind) if kind else config.getoption("verbose")


@pytest.hookimpl(tryfirst=True)
def pytest_report_teststatus(report, config):
    """An instance of a claim is a subtest, counted apart from the tests (the claims): ``subtests failed``,
    drawn ``u``; passed and skipped ones are shown and counted only with ``-v``."""
    if report.when != "call" or getattr(report, "context", None) is None or \
            report.nodeid not in config.stash.get(_ITEMS, ()):
        return None
    desc = report._sub_test_description() if hasattr(report, "_sub_test_description") else f"[{report.context.msg}]"
    if report.failed:
        return "subtests failed", "u", f"SUBFAILED{desc}"
    if _verbosity(config) <= 0:
        return "", "", ""
    if report.skipped:
        return "subtests skipped", "-", f"SUBSKIPPED{desc}"
    return "subtests passed", "u", f"SUBPASSED{desc}"


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    seen = config.stash.get(_RESULTS, None)
    if not seen:
        return
    from .runner import combine, count_line
    results = [combine(c, records, 0.0) for c, records, _ in seen.values()]
    n = sum(len(records) for _, records, _ in seen.values())
    failed = sum(1 for _, records, _ in seen.values() for r in records if not r.verdict.is_proved)
    tw = terminalreporter
    tw.write_sep("-", "exactmem claims")
    head = (f"{len(results)} claim{'s (one test each)' if len(results) != 1 else ' (one test)'} with {n} "
            f"instance{'s' if n != 1 else ''} ({n - failed} proved, {failed} not)")
    if config.pluginmanager.hasplugin("subtests"):
        tw.write_line(f"{head}; instances are subtests: a failed one is drawn 'u' in the progress line and counted "
                      f"in 'subtests failed'; -v lists each")
    else:
        tw.write_line(f"{head}, run inside their claim's test (pytest >= 9, or pytest-subtests, shows each as a "
                      f"subtest)")
    tw.write_line(count_line(results))
    skipped = [f"{c.id} ({', '.join(fams)})" for c, _, fams in seen.values() if fams]
    if skipped:
        tw.write_line(f"slow families not run (run with --claims-full): {', '.join(skipped)}")
    withdrawn = [r.claim.id for r in results if r.claim.withdrawn]
    if withdrawn:
        tw.write_line(f"withdrawn (checked for what they still say): {', '.join(withdrawn)}")
