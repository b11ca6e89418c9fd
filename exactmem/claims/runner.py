"""Running claims: one verdict per instance, a status per claim, a table, JSON.

A claim's status is what a theorist reads off: ``PROVED`` on every instance run, ``CERTIFIED`` (every
instance proved, each by a certificate that ``exactmem.kernel.check`` proved during its check),
``REFUTED`` (with the exact witness of the first refuted instance), ``UNDECIDED`` (with the reason), or
``WITHDRAWN`` (a statement its authors retracted: the check still runs on what it says, and its verdict
is reported beside the status).

>>> from exactmem import Verdict
>>> from exactmem.claims.model import Claim
>>> c = Claim("DEMO.run", "x < 2", lambda x: Verdict.from_exact(x < 2, f"{x} < 2", {"x": x}),
...           {"small": lambda: [("one", 1), ("three", 3)]})
>>> r = run_claim(c)
>>> r.status.value, r.verdict.reason, r.verdict.witness
('REFUTED', 'instance small/three: 3 < 2', {'x': 3})
"""
from __future__ import annotations

import enum
import json
import sys
import textwrap
import time
import traceback
from dataclasses import dataclass, field

from ..errors import ClaimError
from ..verdict import Verdict
from .model import REGISTRY, Claim

REPORT_FORMAT = "exactmem.claims-report"
REPORT_VERSION = 1


class ClaimStatus(enum.Enum):
    PROVED = "PROVED"
    CERTIFIED = "CERTIFIED"
    REFUTED = "REFUTED"
    UNDECIDED = "UNDECIDED"
    WITHDRAWN = "WITHDRAWN"

    def __bool__(self):
        raise TypeError("a claim status is not a bool; compare it with ClaimStatus.PROVED etc.")


@dataclass
class InstanceResult:
    name: str
    verdict: Verdict
    seconds: float
    certified: bool = False


@dataclass
class ClaimResult:
    """``verdict`` combines the instances (a REFUTED one outranks an UNDECIDED one); ``per_instance`` holds
    ``(name, verdict)`` pairs, ``records`` the :class:`InstanceResult` of each instance, ``skipped`` the
    slow families that were not run (all of them unless ``full``)."""

    claim: Claim
    verdict: Verdict
    instances: int
    seconds: float
    per_instance: list = field(default_factory=list)
    records: list = field(default_factory=list)
    skipped: tuple = ()

    @property
    def certified(self) -> int:
        """How many instances were proved through a certificate the kernel proved."""
        return sum(1 for r in self.records if r.certified and r.verdict.is_proved)

    @property
    def status(self) -> ClaimStatus:
        return ClaimStatus.WITHDRAWN if self.claim.withdrawn else self.checked

    @property
    def checked(self) -> ClaimStatus:
        """What the check found, withdrawn or not: PROVED, CERTIFIED, REFUTED or UNDECIDED."""
        if self.verdict.is_refuted:
            return ClaimStatus.REFUTED
        if self.verdict.is_undecided:
            return ClaimStatus.UNDECIDED
        return ClaimStatus.CERTIFIED if self.instances and self.certified == self.instances else ClaimStatus.PROVED

    @property
    def status_text(self) -> str:
        """``CERTIFIED``, ``WITHDRAWN (PROVED)``, ..."""
        s = self.status.value
        return f"{s} ({self.checked.value})" if self.claim.withdrawn else s

    @property
    def fails(self) -> bool:
        """Something the claim says is refuted (also for a withdrawn claim: what it still says)."""
        return self.verdict.is_refuted

    @property
    def undecided(self) -> bool:
        """The check ended UNDECIDED (withdrawn or not): no instance refuted, one undecided."""
        return self.verdict.is_undecided

    @property
    def undecided_allowed(self) -> bool:
        """UNDECIDED, and the claim declares ``may_be_undecided`` (its reason is shown, the run does not fail)."""
        return self.undecided and bool(self.claim.may_be_undecided)

    def failed(self, strict: bool = False) -> bool:
        """What makes ``exactmem check`` exit 1: REFUTED, or UNDECIDED without ``may_be_undecided`` (with
        ``strict``: UNDECIDED at all)."""
        return self.fails or (self.undecided and (strict or not self.claim.may_be_undecided))


class _KernelWatch:
    """Counts the certificates the kernel proves while it is active (``kernel.proved_count``, kept by
    ``kernel.check`` itself); it changes no verdict."""

    def __enter__(self):
        from .. import kernel
        self._count, self._start = kernel.proved_count, kernel.proved_count()
        return self

    @property
    def proved(self) -> int:
        return self._count() - self._start

    def __exit__(self, *exc):
        return False


def run_instance(c: Claim, name: str, inst) -> InstanceResult:
    """Run the check on one instance; an exception becomes UNDECIDED with its message."""
    t0 = time.perf_counter()
    with _KernelWatch() as watch:
        try:
            v = c.check(inst)
            if not isinstance(v, Verdict):
                raise ClaimError(f"check of {c.id} returned {type(v).__name__}, not a Verdict")
        except Exception as e:  # noqa: BLE001 -- reported, never swallowed silently
            v = Verdict.undecided(f"the check raised {type(e).__name__}: {e}", traceback=traceback.format_exc(limit=3))
    return InstanceResult(name, v, time.perf_counter() - t0, watch.proved > 0)


def instances(c: Claim, full: bool = False, only_slow: bool = False):
    """The claim's ``(name, instance)`` pairs; an exception while making them ends them with a pair whose
    instance is the :class:`InstanceResult` (UNDECIDED) to report."""
    it = c.instances(full, only_slow)
    while True:
        t0 = time.perf_counter()
        try:
            pair = next(it)
        except StopIteration:
            return
        except Exception as e:  # noqa: BLE001 -- reported, never swallowed silently
            name = "(making the instances)"
            yield name, InstanceResult(name, Verdict.undecided(
                f"making the instances raised {type(e).__name__}: {e}", traceback=traceback.format_exc(limit=3)),
                time.perf_counter() - t0)
            return
        yield pair


def iter_instances(c: Claim, full: bool = False, only_slow: bool = False):
    """Run the check on each instance, yielding an :class:`InstanceResult` as each one ends."""
    for name, inst in instances(c, full, only_slow):
        yield inst if isinstance(inst, InstanceResult) else run_instance(c, name, inst)


def combine(c: Claim, records: list, seconds: float, skipped=()) -> ClaimResult:
    """The claim's result from its instances' results (``skipped``: the slow families not run)."""
    results = [(r.name, r.verdict) for r in records]
    if not results:
        verdict = Verdict.undecided("no instances were run")
    else:  # a REFUTED instance outranks an UNDECIDED one, as in all_of
        bad = next(((n, v) for n, v in results if v.is_refuted), None) or \
            next(((n, v) for n, v in results if v.is_undecided), None)
        if bad:
            verdict = Verdict(bad[1].status, f"instance {bad[0]}: {bad[1].reason}", bad[1].witness, bad[1].details)
        else:
            verdict = Verdict.proved(f"all {len(results)} instances proved" if len(results) > 1 else
                                     "the one instance proved")
    return ClaimResult(c, verdict, len(results), seconds, results, list(records), tuple(skipped))


def run_claim(c: Claim, full: bool = False, only_slow: bool = False) -> ClaimResult:
    """Run a claim's check on each instance; an exception becomes UNDECIDED with its message."""
    t0 = time.perf_counter()
    records = list(iter_instances(c, full, only_slow))
    return combine(c, records, time.perf_counter() - t0, () if full or only_slow else c.slow_families)


def _in_modules(c: Claim, modules) -> bool:
    return any(c.module == m or c.module.startswith(m + ".") for m in modules)


def select(pattern: str | None = None, tags=(), modules=None) -> list:
    """Registered claims sorted by id: with ``pattern``, those whose id or statement contains it (any case);
    with ``tags``, those carrying every tag given (declared or implicit, any case); with ``modules``, those
    defined in one of these modules or below them."""
    claims = sorted(REGISTRY.values(), key=lambda c: c.id)
    if pattern:
        claims = [c for c in claims if pattern.lower() in c.id.lower() or pattern.lower() in c.statement.lower()]
    for t in tags or ():
        claims = [c for c in claims if t.lower() in (s.lower() for s in c.all_tags)]
    if modules is not None:
        claims = [c for c in claims if _in_modules(c, modules)]
    return claims


def _results(claims, full, executor):
    """The claims' results in their order: run here, or by ``executor`` (``exactmem.parallel``) in workers."""
    if executor is None:
        for c in claims:
            yield run_claim(c, full)
        return
    from . import remote
    for c, data in zip(claims, executor.map(remote.run_claim_job, [remote.job(c, full) for c in claims])):
        yield remote.result(c, data)


def run_all(full: bool = False, pattern: str | None = None, progress=sys.stderr, tags=(), modules=None,
            claims=None, executor=None) -> list:
    """Run the selected claims (or ``claims``).  ``progress`` is a stream for one line per claim (on a terminal
    begun before the claim runs and ended when it finishes; elsewhere, a log or a pipe, written whole when it
    finishes), a function ``progress(k, n, claim, result)`` (called with ``result=None`` before each claim,
    then with it), or None.  With ``executor`` the claims run in its workers; their results still come, and are
    reported, in the claims' order."""
    claims = select(pattern, tags, modules) if claims is None else list(claims)
    out, results = [], _results(claims, full, executor)
    tty = progress is not None and not callable(progress) and _isatty(progress)
    for k, c in enumerate(claims, start=1):
        if callable(progress):
            progress(k, len(claims), c, None)
        elif tty:
            print(f"[{k}/{len(claims)}] {c.id} ...", end="", file=progress, flush=True)
        r = next(results)
        if callable(progress):
            progress(k, len(claims), c, r)
        elif progress is not None:
            end = f"{r.status_text} ({r.instances} instance{'s' if r.instances != 1 else ''}, {r.seconds:.2f}s)"
            print(f" {end}" if tty else f"[{k}/{len(claims)}] {c.id}: {end}", file=progress, flush=True)
        out.append(r)
    return out


def run_shown(claims, full: bool = False, verbose: bool = False, stream=None, executor=None) -> list:
    """Run ``claims`` as ``exactmem check`` does: a progress bar on a terminal; with ``verbose``, or when
    ``stream`` (standard error) is a log or a pipe and no bar is drawn, one line per claim as it finishes (in
    the claims' order also when ``executor`` runs them in workers)."""
    from ..progress import Progress, wanted
    stream = sys.stderr if stream is None else stream
    if verbose or not wanted(stream):
        return run_all(full=full, claims=claims, progress=stream, executor=executor)
    with Progress("checking claims", unit="claims", stream=stream) as bar:
        return run_all(full=full, claims=claims, progress=lambda k, n, c, r: bar.update(k - (r is None), n),
                       executor=executor)


def _isatty(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


def skipped_line(results, width: int = 110) -> str:
    """``skipped (slow, run with --full): A (large), B (larger)``, wrapped; empty when nothing was skipped."""
    parts = [f"{r.claim.id} ({', '.join(r.skipped)})" for r in results if r.skipped]
    if not parts:
        return ""
    return textwrap.fill("skipped (slow, run with --full): " + ", ".join(parts), width, subsequent_indent="  ",
                         break_long_words=False, break_on_hyphens=False)


def exit_status(results, strict: bool = False) -> int:
    """``exactmem check``'s exit status for these results: 1 when a claim is REFUTED or UNDECIDED without
    ``may_be_undecided`` (with ``strict``: UNDECIDED at all), else 0."""
    return 1 if any(r.failed(strict) for r in results) else 0


def undecided_lines(results, strict: bool = False, width: int = 110) -> list:
    """The lines under the counts that name the UNDECIDED claims: those that fail the run, and those allowed
    by ``may_be_undecided`` with their reasons; none when no claim is undecided."""
    bad = [r.claim.id for r in results if r.undecided and r.failed(strict)]
    ok = [r for r in results if r.undecided and not r.failed(strict)]
    out = []
    if bad:
        why = "UNDECIDED (--strict: allowed or not)" if strict else "UNDECIDED and not declared may_be_undecided"
        out.append(textwrap.fill(f"{why}, so the check fails: " + ", ".join(bad), width, subsequent_indent="  ",
                                 break_long_words=False, break_on_hyphens=False))
    if ok:
        out.append(textwrap.fill("UNDECIDED, allowed by may_be_undecided: " +
                                 "; ".join(f"{r.claim.id} ({r.claim.may_be_undecided})" for r in ok), width,
                                 subsequent_indent="  ", break_long_words=False, break_on_hyphens=False))
    return out


def counts(results) -> dict:
    return {s: sum(1 for r in results if r.status is s) for s in ClaimStatus}


def count_line(results) -> str:
    n = counts(results)
    return ", ".join(f"{n[s]} {s.value.lower()}" for s in ClaimStatus)


def summary_table(results, verbose: bool = False, strict: bool = False) -> str:
    """The table of ``exactmem check``; ``verbose`` adds each claim's full statement, source, uses, tags and
    every instance with its verdict, time and reason (and witness, if refuted).  Under the counts, the
    UNDECIDED claims are named: those that fail the run (``strict``: every one), and those that
    ``may_be_undecided`` allows, with its reason."""
    rows = [("claim", "instances", "status", "time", "statement")]
    for r in results:
        st = r.claim.statement if len(r.claim.statement) <= 70 else r.claim.statement[:69] + "…"
        rows.append((r.claim.id, str(r.instances), r.status_text, f"{r.seconds:.2f}s", st))
    if verbose:                                     # the statements come in full below
        rows = [row[:4] for row in rows]
    widths = [max(len(row[k]) for row in rows) for k in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    for r in results:
        if verbose:
            lines.append("\n" + describe(r))
        elif not r.verdict.is_proved:
            lines.append(f"\n{r.claim.id}: {r.verdict}")
            if r.verdict.is_refuted and r.verdict.witness is not None:
                lines.append(f"    witness: {witness_text(r.verdict.witness)}")
            if r.undecided and r.claim.may_be_undecided:
                lines.append(f"    may be undecided: {r.claim.may_be_undecided}")
    skipped = skipped_line(results)
    lines.append("\n" + (skipped + "\n" if skipped else "") + count_line(results))
    lines += undecided_lines(results, strict)
    return "\n".join(lines)


def describe_claim(c: Claim, status: str = "") -> str:
    """A claim in full: id (and status), statement, source, uses, tags, families."""
    out = [f"{c.id}" + (f": {status}" if status else ""), f"  statement: {c.statement}"]
    if c.source_text:
        out.append(f"  source: {c.source_text}")
    if c.uses:
        out.append(f"  uses: {', '.join(c.uses)}")
    out.append(f"  tags: {', '.join(c.all_tags)}")
    if c.may_be_undecided:
        out.append(f"  may be undecided: {c.may_be_undecided}")
    if not status:
        out.append(f"  families: {', '.join(f + (' (slow)' if f in c.slow_families else '') for f in c.families)}")
        if c.module:
            out.append(f"  module: {c.module}")
    return "\n".join(out)


def describe(r: ClaimResult) -> str:
    """A claim's result in full, one instance a line."""
    out = [describe_claim(r.claim, r.status_text)]
    if r.instances:
        out.append(f"  {r.instances} instance{'s' if r.instances != 1 else ''}, {r.certified} certified by the "
                   f"kernel, {r.seconds:.2f}s")
    if r.skipped:
        out.append(f"  skipped (slow, run with --full): {', '.join(r.skipped)}")
    for rec in r.records:
        mark = "CERTIFIED" if rec.certified and rec.verdict.is_proved else rec.verdict.status.value
        out.append(f"    {rec.name}: {mark} ({rec.seconds:.2f}s) {rec.verdict.reason}")
        if rec.verdict.is_refuted and rec.verdict.witness is not None:
            out.append(f"      witness: {witness_text(rec.verdict.witness)}")
        tb = rec.verdict.details.get("traceback") if isinstance(rec.verdict.details, dict) else None
        if tb:
            out += ["      " + line for line in str(tb).rstrip().splitlines()]
    if not r.records:
        out.append(f"    {r.verdict}")
    return "\n".join(out)


# -- JSON --------------------------------------------------------------------------------------------------
def jsonable(x, limit: int = 4000):
    """A JSON value for a witness: containers kept, exact numbers as strings (``"5/512"``), anything else by
    ``str``; strings longer than ``limit`` characters are cut, with their length said."""
    if x is None or isinstance(x, (bool, int, float)):
        return x if not isinstance(x, int) or isinstance(x, bool) or abs(x) < 2 ** 53 else str(x)
    if isinstance(x, dict):
        return {str(k): jsonable(v, limit) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [jsonable(v, limit) for v in x]
    s = x if isinstance(x, str) else str(x)
    return s if len(s) <= limit else s[:limit] + f"… ({len(s)} characters)"


def witness_text(w, limit: int = 400) -> str:
    s = json.dumps(jsonable(w), ensure_ascii=False)
    return s if len(s) <= limit else s[:limit] + f"… ({len(s)} characters)"


def claim_json(c: Claim) -> dict:
    src = c.source.to_json() if hasattr(c.source, "to_json") else {"text": str(c.source)}
    return {"id": c.id, "statement": c.statement, "source": src, "uses": list(c.uses), "tags": list(c.all_tags),
            "withdrawn": c.withdrawn, "may_be_undecided": c.may_be_undecided, "module": c.module,
            "families": list(c.families),
            "slow_families": list(c.slow_families)}


def _verdict_json(v: Verdict) -> dict:
    return {"status": v.status.value, "reason": v.reason, "witness": jsonable(v.witness)}


def result_json(r: ClaimResult) -> dict:
    return {**claim_json(r.claim), "status": r.status.value, "checked": r.checked.value,
            "verdict": _verdict_json(r.verdict),
            "instances": r.instances, "certified": r.certified, "seconds": round(r.seconds, 4),
            "skipped_families": list(r.skipped),
            "per_instance": [{"name": rec.name, "certified": rec.certified and rec.verdict.is_proved,
                              "seconds": round(rec.seconds, 4), **_verdict_json(rec.verdict)} for rec in r.records]}


def to_json(results, full: bool = False) -> dict:
    """The document of ``exactmem check --json`` (read back by ``exactmem report --results``)."""
    n = counts(results)
    return {"format": REPORT_FORMAT, "version": REPORT_VERSION, "full": full,
            "summary": {s.value.lower(): n[s] for s in ClaimStatus},
            "claims": [result_json(r) for r in results]}
