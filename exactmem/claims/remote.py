"""Claims in worker processes: a claim goes out as its id and module, its result comes back as plain data.

``run_claim_job`` is what a worker runs (``exactmem.parallel``): it imports the claim's module if the claim
is not registered in that process yet, runs the claim as ``run_claim`` does (so the kernel's count of proved
certificates, which makes an instance CERTIFIED, is taken in the worker) and returns the instances' verdicts
as JSON values.  ``result`` rebuilds the :class:`ClaimResult` in the parent from them, with ``combine``, so
that the table, the JSON and the exit status are those of a serial run.  Witnesses travel as
``runner.jsonable`` with no length limit, which every later ``jsonable`` leaves as a serial run leaves them.
"""
from __future__ import annotations

import importlib
import sys

from ..errors import ClaimError
from ..verdict import Status, Verdict
from .model import REGISTRY, Claim
from .runner import ClaimResult, InstanceResult, combine, jsonable, run_claim

UNLIMITED = 10 ** 12


def job(c: Claim, full: bool = False) -> dict:
    """The plain data that names a claim to a worker: its id, its module and the parent's import path."""
    module = c.module or getattr(c.check, "__module__", "") or ""     # register(Claim(...)): its check's module
    if not module or module == "__main__":
        raise ClaimError(f"claim {c.id} is not defined in an importable module, so a worker cannot run it; "
                         f"run it without -j")
    return {"id": c.id, "module": module, "full": bool(full), "path": list(sys.path)}


def run_claim_job(job: dict) -> dict:
    """A worker's part: run the claim named by ``job`` and return its result as plain data."""
    if job["id"] not in REGISTRY:
        for folder in reversed(job.get("path", [])):
            if folder not in sys.path:
                sys.path.insert(0, folder)
        try:
            importlib.import_module(job["module"])
        except Exception as e:  # noqa: BLE001 -- the user's module: say which and why
            raise ClaimError(f"a worker cannot import {job['module']!r} for claim {job['id']}: "
                             f"{type(e).__name__}: {e}") from None
        if job["id"] not in REGISTRY:
            raise ClaimError(f"importing {job['module']!r} in a worker did not register claim {job['id']}")
    r = run_claim(REGISTRY[job["id"]], job["full"])
    return {"id": job["id"], "seconds": r.seconds, "skipped": list(r.skipped),
            "records": [{"name": rec.name, "status": rec.verdict.status.value, "reason": rec.verdict.reason,
                         "witness": jsonable(rec.verdict.witness, UNLIMITED), "seconds": rec.seconds,
                         "certified": rec.certified,
                         **({"traceback": str(rec.verdict.details["traceback"])}
                            if isinstance(rec.verdict.details, dict) and "traceback" in rec.verdict.details else {})}
                        for rec in r.records]}


def result(c: Claim, data: dict) -> ClaimResult:
    """The :class:`ClaimResult` of claim ``c`` from what ``run_claim_job`` returned for it."""
    if data.get("id") != c.id:
        raise ClaimError(f"a worker answered for claim {data.get('id')!r} where {c.id} was asked")
    records = []
    for rec in data["records"]:
        details = {"traceback": rec["traceback"]} if "traceback" in rec else {}
        v = Verdict(Status(rec["status"]), rec["reason"], rec["witness"], details)
        records.append(InstanceResult(rec["name"], v, rec["seconds"], rec["certified"]))
    return combine(c, records, data["seconds"], tuple(data["skipped"]))
