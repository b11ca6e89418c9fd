"""Checking one certificate over many workers: the kernel on each share, the kernel again to compose them.

``check(cert, executor)`` checks a robust-memorization, region-cover, linear-bounds or lipschitz certificate
in n shares (share s holds the balls or leaves numbered s mod n): each worker receives the whole certificate
as JSON text with (s, n) (``check_share``: ``kernel.read``, then ``certify.check`` with ``share=(s, n)`` --
the kernel, and where it cannot prove a robust claim the counterexample search, whose points the kernel
checks), and the reports, in share order, go to ``kernel.compose``: PROVED only when every share is.  The
answer is the one the whole check gives, whatever n and the executor (``docs/kernel.md``, "Checking in
shares").  A job may instead carry a share document (``kernel.split``) under ``"share"``.
"""
from __future__ import annotations

import json

from .. import kernel
from ..verdict import Verdict
from .refute import check as check_whole


def check_share(job: dict) -> dict:
    """A worker's part: share ``(job["index"], job["count"])`` of the certificate ``job["cert"]`` (JSON text), or
    the share document ``job["share"]``, with rho, eta (``"p/q"`` or None) and a budget in seconds per share; its
    verdict as plain data (``kernel.shares.report``)."""
    part = (job["index"], job["count"]) if "cert" in job else None
    rho, eta = (None if job.get(k) is None else kernel.parse.rational(job[k], k) for k in ("rho", "eta"))
    v = check_whole(job["cert"] if part else job["share"], rho=rho, eta=eta, budget=job.get("budget"), share=part)
    return kernel.shares.report(None, v)


def shares_for(doc, workers: int) -> int:
    """One share per worker, and for a robust certificate no more shares than balls."""
    n = max(1, workers)
    if doc["kind"] == "robust-memorization" and isinstance(doc.get("dataset"), dict):
        n = min(n, max(1, len(doc["dataset"].get("points") or [])))
    return n


def check(cert, executor, shares: int | None = None, rho=None, eta=None, progress=None, budget=None) -> Verdict:
    """``certify.check`` over ``executor`` (``exactmem.parallel``) in ``shares`` shares (default: one per worker);
    a certificate of another kind, a share, or the serial executor without ``shares`` is checked here, whole.
    A certificate given as a dict is checked in shares as its JSON text, which the workers read (where the dict
    holds what JSON does not keep, such as a tuple for a list, the text is what is checked: the same digest).
    ``progress(done, total)`` after each share."""
    doc = cert if isinstance(cert, dict) else kernel.read(cert)     # a dict: read by compose, below
    if doc.get("kind") not in kernel.shares.KINDS or "share" in doc or (shares is None and executor.name == "serial"):
        return check_whole(doc, rho=rho, eta=eta, progress=progress, budget=budget)
    n = kernel.parse.integer(shares if shares is not None else shares_for(doc, executor.workers),
                             "the number of shares", 1, kernel.shares.MAX_SHARES)
    text = cert if isinstance(cert, str) and cert.lstrip()[:1] == "{" else json.dumps(doc, separators=(",", ":"))
    jobs = [{"cert": text, "index": s, "count": n, "rho": None if rho is None else str(rho),
             "eta": None if eta is None else str(eta), "budget": budget} for s in range(n)]
    reports = []
    for r in executor.map(check_share, jobs):
        reports.append(r)
        if progress:
            progress(len(reports), n)
    return kernel.compose(doc, reports, rho)
