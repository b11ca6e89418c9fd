"""A certificate checked in shares: the same kernel on every share, PROVED only when every share is.

Share s of n is the certificate with the field ``share: {"of": D, "index": s, "count": n}`` (D the whole
certificate's digest): signed anew by ``split``, or made by ``check(whole, share=(s, n))``.  The kernel checks
a share as the whole -- format, digest, dataset, eps_D, network, hints, the shape of every tree -- but does the
costly work only on the balls i = s mod n of a robust-memorization certificate, or the leaves k = s mod n (in
preorder over all trees) of a region-cover, linear-bounds or lipschitz one: the residues cover everything
once.  ``compose`` answers PROVED only for the reports (``report``: plain data from a worker) of shares
0, ..., n-1 of that certificate, each PROVED, merged into the verdict the whole check gives.
"""
from __future__ import annotations

from ..errors import CertificateError
from ..verdict import Verdict
from . import bounds, lipschitz, parse, regions, robust

KINDS = ("robust-memorization", "region-cover", "linear-bounds", "lipschitz")
MAX_SHARES = 4096
STATUSES = ("PROVED", "REFUTED", "UNDECIDED")


def part(doc):
    """(s, n) of a share, None for a whole certificate; a malformed share field is a CertificateError."""
    if "share" not in doc:
        return None
    sh = parse.obj(doc["share"], "share")
    if doc["kind"] not in KINDS:
        raise CertificateError(f"a certificate of kind {doc['kind']} is not checked in shares")
    if set(sh) != {"of", "index", "count"} or not isinstance(sh["of"], str) or len(sh["of"]) != 64:
        raise CertificateError("share must be {\"of\": the whole certificate's digest, \"index\": s, \"count\": n}")
    n = parse.integer(sh["count"], "share.count", 1, MAX_SHARES)
    return parse.integer(sh["index"], "share.index", 0, n - 1), n


def given(doc, share):
    """A whole certificate as share (s, n) of it, for ``check(..., share=(s, n))``: its part (s, n), and the
    document with the share field (the whole's digest kept: it is read, not signed), as ``split`` would make it."""
    if "share" in doc or not isinstance(share, tuple) or len(share) != 2:
        raise CertificateError("share=(s, n) is share s of n of a whole certificate")
    doc = {**doc, "share": {"of": doc["digest"], "index": share[0], "count": share[1]}}
    return doc, part(doc)


def prefix(s, n) -> str:
    return f"share {s} of {n} (only the balls or leaves numbered {s} mod {n}): "


def split(doc, n, sign) -> list:
    """The n shares of a whole certificate (read and signed by ``kernel.read``), each signed with ``sign``."""
    if doc["kind"] not in KINDS or "share" in doc:
        raise CertificateError(f"only a whole certificate of kind {', '.join(KINDS)} is split into shares")
    n = parse.integer(n, "the number of shares", 1, MAX_SHARES)
    body = {k: v for k, v in doc.items() if k != "digest"}
    return [sign({**body, "share": {"of": doc["digest"], "index": s, "count": n}}) for s in range(n)]


def report(doc, v: Verdict) -> dict:
    """A share's verdict as plain data: status, reason, witness (a refutation's point, strings) and the details
    ``compose`` reads, rationals as strings."""
    det = v.details
    out = {k: det[k] for k in ("question", "leaves", "questions", "balls", "upper", "lower", "attained", "value")
           if k in det}
    if "max_error_bound" in det:
        out["max_error_bound"] = str(det["max_error_bound"])
        out["error_bounds"] = [str(e) for e in det["error_bounds"]]
    return {"share": det.get("share"), "status": v.status.value, "reason": v.reason, "witness": v.witness,
            "details": out}


def _reason(r) -> str:
    sh = r["share"]
    return r["reason"].removeprefix(prefix(sh["index"], sh["count"]))


def _errors(reports):
    """Every ball's error bound (a share reports 0 for the balls of other shares): the largest report."""
    errs = [[parse.rational(e, "error_bounds") for e in r["details"]["error_bounds"]] for r in reports
            if "error_bounds" in r["details"]]
    return [max(col) for col in zip(*errs)]


def compose(doc, reports, rho=None) -> Verdict:
    """The whole certificate's verdict from the reports of its n shares, in share order; a report that is not of
    share s of n of the whole certificate ``doc``, or malformed, is a CertificateError.  A refutation is checked
    again here (``robust.refute``)."""
    if "share" in doc:
        raise CertificateError("share reports compose a whole certificate, and this one is a share")
    try:
        return _compose(doc, list(reports), rho)
    except CertificateError:
        raise
    except (TypeError, KeyError, ValueError, AttributeError, IndexError) as e:
        raise CertificateError(f"a share's report is malformed ({type(e).__name__}: {str(e)[:60]})") from None


def _compose(doc, reports, rho):
    n = len(reports)
    for s, r in enumerate(reports):
        if not isinstance(r, dict) or r.get("share") != {"of": doc["digest"], "index": s, "count": n} or \
                r.get("status") not in STATUSES or not isinstance(r.get("reason"), str) or \
                not isinstance(r.get("details"), dict):
            raise CertificateError(f"report {s} is not the kernel's report of share {s} of {n} of this certificate")
    if n == 0:
        raise CertificateError("no share reports: a certificate is proved by all its shares, and there are none")
    refuted = [r["witness"] for r in reports if r["status"] == "REFUTED"]
    if refuted:
        if doc["kind"] != "robust-memorization" or not all(isinstance(w, dict) for w in refuted):
            raise CertificateError("a share was refuted without a counterexample the kernel can check")
        w = min(refuted, key=lambda w: parse.integer(w.get("ball"), "witness.ball"))
        v = robust.refute(doc, w["ball"], w.get("x"), rho)
        if not v.is_refuted:
            raise CertificateError(f"the counterexample of a share (ball {w['ball']}) does not refute the claim")
        return v
    bad = [r for r in reports if r["status"] == "UNDECIDED"]
    if bad:
        return _undecided(doc, reports, bad)
    return _proved(doc, reports)


def _undecided(doc, reports, bad) -> Verdict:
    """The failure the whole check reports: the first ball or leaf in the certificate's own order."""
    if doc["kind"] == "robust-memorization":
        balls = sorted({parse.integer(i, "balls", 0) for r in bad for i in r["details"].get("balls", [])})
        if balls:
            return Verdict.undecided(robust.unproved(balls), balls=balls)
        errs = [r for r in bad if "max_error_bound" in r["details"]]
        if errs:
            err = _errors(reports)
            worst = max(range(len(err)), key=lambda i: err[i])
            r = reports[worst % len(reports)]
            return Verdict.undecided(_reason(r), max_error_bound=err[worst], error_bounds=err)
    r = min(bad, key=lambda r: (r["details"].get("leaves", float("inf")), r["share"]["index"]))
    keep = {k: r["details"][k] for k in ("question", "leaves") if k in r["details"]}
    return Verdict.undecided(_reason(r), **keep)


def _proved(doc, reports) -> Verdict:
    det = [r["details"] for r in reports]
    kind = doc["kind"]
    if kind == "robust-memorization":
        if "max_error_bound" not in det[0]:
            return Verdict.proved(_reason(reports[0]))
        err = _errors(reports)
        top = max(err)
        r = next(r for r in reports if parse.rational(r["details"]["max_error_bound"], "max_error_bound") == top)
        return Verdict.proved(_reason(r), max_error_bound=top, error_bounds=err)
    leaves = sum(parse.integer(d.get("leaves"), "leaves", 0) for d in det)
    if kind in ("region-cover", "linear-bounds"):
        return (regions if kind == "region-cover" else bounds).proved(parse.integer(det[0]["questions"], "questions", 1),
                                                                      leaves)
    what = "Lip^2" if doc["data"]["p"] == "2" else "Lip"
    return lipschitz.proved(what, det[0]["upper"], det[0]["lower"], leaves, all(d["attained"] is True for d in det),
                            det[0]["value"])
