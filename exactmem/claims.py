"""The claim registry and runner behind ``exactmem check``.

A claim is a numbered statement of a paper (id such as ``KMY25.Def2.1``), a one-line
statement in our words, instance families, and a check that returns a :class:`Verdict`
for one instance.  ``proofs/`` holds one module per statement; importing it registers
its claims.

>>> c = Claim("DEMO.1", "1/3 < 1/2", lambda inst: Verdict.from_exact(inst[0] < inst[1], "cross-multiply"),
...           {"hand-made": lambda: [("thirds", (1/3, 1/2))]})
>>> run_claim(c).verdict.is_proved
True
"""
from __future__ import annotations

import importlib
import pkgutil
import sys
import time
import traceback
from dataclasses import dataclass, field
from typing import Callable

from .errors import ClaimError
from .verdict import Status, Verdict

REGISTRY: dict = {}


@dataclass
class Claim:
    """A checkable statement.  ``families`` maps a family name to a zero-argument function
    returning ``(instance_name, instance)`` pairs; families in ``slow_families`` run only with --full."""

    id: str
    statement: str
    check: Callable
    families: dict
    source: str = ""
    slow_families: tuple = ()

    def instances(self, full: bool = False):
        for fam, make in self.families.items():
            if fam in self.slow_families and not full:
                continue
            for name, inst in make():
                yield f"{fam}/{name}", inst


@dataclass
class ClaimResult:
    claim: Claim
    verdict: Verdict
    instances: int
    seconds: float
    per_instance: list = field(default_factory=list)


def register(c: Claim) -> Claim:
    if c.id in REGISTRY and REGISTRY[c.id].check is not c.check:
        raise ClaimError(f"claim id {c.id!r} is registered twice")
    REGISTRY[c.id] = c
    return c


def claim(id: str, statement: str, families: dict, source: str = "", slow_families=()):
    """Decorator: register the decorated function as the check of a claim."""
    def deco(fn):
        register(Claim(id, statement, fn, families, source, tuple(slow_families)))
        return fn
    return deco


def run_claim(c: Claim, full: bool = False) -> ClaimResult:
    """Run a claim's check on each instance; an exception becomes UNDECIDED with its message."""
    t0 = time.perf_counter()
    results = []
    for name, inst in c.instances(full):
        try:
            v = c.check(inst)
            if not isinstance(v, Verdict):
                raise ClaimError(f"check of {c.id} returned {type(v).__name__}, not a Verdict")
        except Exception as e:  # noqa: BLE001 -- reported, never swallowed silently
            v = Verdict.undecided(f"the check raised {type(e).__name__}: {e}",
                                  traceback=traceback.format_exc(limit=3))
        results.append((name, v))
    if not results:
        verdict = Verdict.undecided("no instances were run")
    else:  # a REFUTED instance outranks an UNDECIDED one, as in all_of
        bad = next(((n, v) for n, v in results if v.is_refuted), None) or \
            next(((n, v) for n, v in results if v.is_undecided), None)
        if bad:
            verdict = Verdict(bad[1].status, f"instance {bad[0]}: {bad[1].reason}", bad[1].witness, bad[1].details)
        else:
            verdict = Verdict.proved(f"all {len(results)} instances proved")
    return ClaimResult(c, verdict, len(results), time.perf_counter() - t0, results)


def discover(package: str = "proofs") -> list:
    """Import every module of ``package`` so that their claims register; return the module names."""
    pkg = importlib.import_module(package)
    names = []
    for info in pkgutil.iter_modules(pkg.__path__):
        if not info.name.startswith("_"):
            importlib.import_module(f"{package}.{info.name}")
            names.append(info.name)
    return names


def select(pattern: str | None = None) -> list:
    claims = sorted(REGISTRY.values(), key=lambda c: c.id)
    if pattern:
        claims = [c for c in claims if pattern.lower() in c.id.lower() or pattern.lower() in c.statement.lower()]
    return claims


def run_all(full: bool = False, pattern: str | None = None, progress=sys.stderr) -> list:
    claims = select(pattern)
    out = []
    for k, c in enumerate(claims, start=1):
        if progress is not None:
            print(f"[{k}/{len(claims)}] {c.id} ...", end="", file=progress, flush=True)
        r = run_claim(c, full)
        if progress is not None:
            print(f" {r.verdict.status.value} ({r.instances} instances, {r.seconds:.2f}s)", file=progress, flush=True)
        out.append(r)
    return out


def summary_table(results) -> str:
    rows = [("claim", "instances", "verdict", "time", "statement")]
    for r in results:
        rows.append((r.claim.id, str(r.instances), r.verdict.status.value, f"{r.seconds:.2f}s",
                     r.claim.statement[:70]))
    widths = [max(len(row[k]) for row in rows) for k in range(5)]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    for r in results:
        if not r.verdict.is_proved:
            lines.append(f"\n{r.claim.id}: {r.verdict}")
    counts = {s: sum(1 for r in results if r.verdict.status is s) for s in Status}
    lines.append(f"\n{counts[Status.PROVED]} proved, {counts[Status.REFUTED]} refuted, "
                 f"{counts[Status.UNDECIDED]} undecided")
    return "\n".join(lines)
