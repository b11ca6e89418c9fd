"""The pytest plugin (entry point ``pytest11``): ``pytest --claims mypaper.claims`` collects the claims of a
module, package, directory or ``.py`` file as test items, one per claim, each instance a sub-result.

An item passes when every instance is PROVED (or CERTIFIED), fails on a REFUTED instance with its exact
witness, and fails on an UNDECIDED one too, with the reason (``--claims-allow-undecided`` skips those
instead).  A withdrawn claim is checked for what it still says.  A claim with slow families gets a second
item ``ID[slow]`` marked ``claims_slow``, skipped unless ``--claims-full``.  Claim tags are keywords, so
``-k`` selects by id or tag.  Instances are sub-results through pytest's ``subtests`` (pytest 9, or the
pytest-subtests plugin); without it a failing item lists each instance in its report.  With no
``--claims`` (and no ``exactmem_claims`` ini option) the plugin collects nothing.
"""
from __future__ import annotations

import inspect
import os
import time

import pytest

_RESULTS = pytest.StashKey[dict]()    # claim id -> (claim, instance records of its items)


def pytest_addoption(parser):
    group = parser.getgroup("exactmem", "exactmem claims")
    group.addoption("--claims", action="append", default=[], metavar="SOURCE",
                    help="collect the exactmem claims of this module or package (mypaper.claims), directory or .py "
                         "file as tests; repeatable")
    group.addoption("--claims-full", action="store_true", default=False,
                    help="also run the claims' slow instance families (the items marked claims_slow)")
    group.addoption("--claims-allow-undecided", action="store_true", default=False,
                    help="skip an UNDECIDED instance instead of failing it")
    parser.addini("exactmem_claims", "claim sources collected as if each were given with --claims", type="linelist",
                  default=[])


def pytest_configure(config):
    config.addinivalue_line("markers", "claims_slow: the slow instance families of an exactmem claim (run them with "
                                       "--claims-full)")
    config.stash[_RESULTS] = {}


def _sources(config) -> list:
    return list(config.getoption("claims") or []) + list(config.getini("exactmem_claims") or [])


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(session, config, items):
    """Add the claim items before -k, -m and other plugins see the items."""
    sources = _sources(config)
    if not sources:
        return
    items.extend(ClaimsCollector.from_parent(session, name="exactmem-claims", nodeid="exactmem-claims",
                                             sources=sources).collect())


class ClaimsCollector(pytest.Collector):
    """The claims of the sources given; ``collect`` imports them (an import error is a collection error)."""

    def __init__(self, *, sources, **kw):
        super().__init__(**kw)
        self.sources = sources

    def collect(self):
        from ..errors import ClaimError
        from . import discover, select
        modules = []
        try:
            for s in self.sources:
                modules += discover(s)
        except ClaimError as e:
            raise pytest.UsageError(f"--claims: {e}") from None
        claims = select(modules=tuple(modules))
        if not claims:
            raise pytest.UsageError(f"--claims {' '.join(self.sources)}: no claim is registered there")
        subtests = self.config.pluginmanager.hasplugin("subtests")
        out = []
        for c in claims:
            out.append(ClaimFunction.from_parent(self, name=c.id, callobj=_test(c, False, subtests), claim=c))
            if c.slow_families:
                item = ClaimFunction.from_parent(self, name=f"{c.id}[slow]", callobj=_test(c, True, subtests),
                                                 claim=c)
                item.add_marker(pytest.mark.claims_slow)
                if not self.config.getoption("claims_full"):
                    item.add_marker(pytest.mark.skip(reason=f"slow families of {c.id} "
                                                            f"({', '.join(c.slow_families)}): run with --claims-full"))
                out.append(item)
        return out


class ClaimFunction(pytest.Function):
    """One claim (or its slow families) as a test; its location is the claim's check."""

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


def _test(c, slow: bool, with_subtests: bool):
    """The test function of a claim: each instance under ``subtests`` when pytest has it, else all at once."""
    from .runner import InstanceResult, combine, instances, run_instance

    def run(request, subtests=None):
        allow = request.config.getoption("claims_allow_undecided")
        t0, records = time.perf_counter(), []
        for name, inst in instances(c, only_slow=slow):
            if subtests is None:
                records.append(inst if isinstance(inst, InstanceResult) else run_instance(c, name, inst))
                continue
            with subtests.test(msg=name):
                rec = inst if isinstance(inst, InstanceResult) else run_instance(c, name, inst)
                records.append(rec)
                _judge(rec, allow)
        result = combine(c, records, time.perf_counter() - t0)
        request.config.stash[_RESULTS].setdefault(c.id, (c, []))[1].extend(records)
        request.node.user_properties.append(("status", result.status_text))
        if not records:
            pytest.fail(f"{c.id}: no instances were run", pytrace=False)
        if subtests is None:
            bad = [r for r in records if not r.verdict.is_proved and not (allow and r.verdict.is_undecided)]
            if bad:
                pytest.fail(f"{c.id}: {len(bad)} of {len(records)} instances not proved\n" +
                            "\n".join(f"  {r.name}: " + _message(r).replace("\n", "\n    ") for r in bad),
                            pytrace=False)
    if with_subtests:
        def test_claim(request, subtests):
            run(request, subtests)
    else:
        def test_claim(request):
            run(request)
    test_claim.__doc__ = c.statement
    return test_claim


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    seen = config.stash.get(_RESULTS, None)
    if not seen:
        return
    from .runner import combine, count_line
    results = [combine(c, records, 0.0) for c, records in seen.values()]
    terminalreporter.write_sep("-", "exactmem claims")
    terminalreporter.write_line(count_line(results))
    withdrawn = [r.claim.id for r in results if r.claim.withdrawn]
    if withdrawn:
        terminalreporter.write_line(f"withdrawn (checked for what they still say): {', '.join(withdrawn)}")
