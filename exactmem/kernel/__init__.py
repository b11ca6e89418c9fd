"""The checking kernel: the only code in exactmem whose verdict is PROVED.

It reads a certificate -- the objects of a claim (dataset, the network's own layers, rho, p, eta) and
hints -- and re-derives the claim in exact arithmetic.  It imports python-flint, numpy, the standard
library and exactmem's ``errors`` and ``verdict``, nothing else (a test enforces this); hints are
checked, never trusted.  ``docs/kernel.md`` states its trust base, its checks and their cost.

>>> doc = {"format": "exactmem.certificate", "schema_version": 2, "kind": "separation",
...        "dataset": {"points": [["0"], ["3"]], "labels": [1, 2]}, "data": {"eps_sq": "9/4"}}
>>> check(sign(doc)).is_proved
True
>>> check(doc)
Traceback (most recent call last):
...
exactmem.errors.CertificateError: the certificate has no digest
"""
from __future__ import annotations

import gc
import hashlib
import json
import time

from ..errors import CertificateError
from ..verdict import Verdict
from . import bounds, facts, lipschitz, parse, regions, robust, shares
from .engine import Undecided

SCHEMA = 2
KINDS = ("robust-memorization", "region-cover", "linear-bounds", "lipschitz") + tuple(facts.CHECKS)


def digest(doc: dict) -> str:
    """SHA-256 of the canonical JSON (sorted keys, no spaces) of the certificate without its digest, encoded and
    hashed a network layer at a time (the same bytes as one ``json.dumps``, never the whole text at once)."""
    h = hashlib.sha256()
    try:
        for piece in _pieces({k: v for k, v in doc.items() if k != "digest"}, ("network", "layers", "[]")):
            h.update(piece.encode())
    except (ValueError, TypeError, RecursionError) as e:
        raise CertificateError(f"the certificate cannot be serialized canonically: {str(e)[:80]}") from None
    return h.hexdigest()


def _pieces(v, path):
    """The canonical JSON of v in pieces: along ``path`` (keys of dicts, "[]" for a list's elements) element by
    element, everything else by the C encoder in one piece."""
    if path and path[0] == "[]" and type(v) is list:
        yield "["
        for i, x in enumerate(v):
            yield ("," if i else "") + _CANON(x)
        yield "]"
    elif path and type(v) is dict and all(type(k) is str for k in v):
        yield "{"
        for i, k in enumerate(sorted(v)):
            yield ("," if i else "") + json.dumps(k) + ":"
            yield from _pieces(v[k], path[1:] if k == path[0] else ())
        yield "}"
    else:
        yield _CANON(v)


_CANON = json.JSONEncoder(sort_keys=True, separators=(",", ":")).encode


def sign(doc: dict) -> dict:
    """The document with its digest set."""
    return {**doc, "digest": digest(doc)}


def read(cert) -> dict:
    """A certificate document from a dict, JSON text or bytes, or a path; format, schema and digest checked."""
    if isinstance(cert, (str, bytes)) and not cert.lstrip()[:1] in ("{", b"{"):
        try:
            with open(cert, "rb") as fh:
                cert = fh.read()
        except OSError as e:
            raise CertificateError(f"cannot read the certificate: {e}") from None
        except ValueError:                      # e.g. a NUL byte: text that is neither JSON nor a path
            raise CertificateError("the certificate is neither JSON text (starting with '{') nor a readable path") from None
    doc = parse.load(cert) if isinstance(cert, (str, bytes)) else cert
    if not isinstance(doc, dict) or doc.get("format") != "exactmem.certificate":
        raise CertificateError("not an exactmem certificate (format != 'exactmem.certificate')")
    v = doc.get("schema_version")
    if isinstance(v, bool) or v != SCHEMA:
        raise CertificateError(f"certificate schema version {parse.brief(v, 20)} is not supported (this kernel reads {SCHEMA})")
    if "digest" not in doc:
        raise CertificateError("the certificate has no digest")
    if doc["digest"] != digest(doc):
        raise CertificateError("the certificate's digest does not match its content (it was altered after issue)")
    if not isinstance(doc.get("kind"), str) or doc["kind"] not in KINDS:
        raise CertificateError(f"unknown certificate kind {parse.brief(doc.get('kind'))}; known: {', '.join(KINDS)}")
    shares.part(doc)
    return doc


def check(cert, rho=None, eta=None, progress=None, budget=None, share=None) -> Verdict:
    """Check a certificate; malformed input raises ``CertificateError``.

    For a robust-memorization certificate, ``rho`` and ``eta`` (exact rationals) replace the certificate's own
    (the verdict is then about them); ``progress(layer, layers)`` is called as the analysis advances, and after
    ``budget`` seconds (checked per unit, layer, slab hint or leaf) the verdict is UNDECIDED.  A share of a
    certificate (``shares.py``) or ``share=(s, n)`` of a whole one gets a verdict about its own balls or leaves."""
    was = gc.isenabled()
    gc.disable()                  # speed only: millions of parsed tuples make the collector rescan (8x slower)
    try:
        return _check(cert, rho, eta, progress, budget, share)
    finally:
        if was:
            gc.enable()


def _check(cert, rho, eta, progress, budget, share) -> Verdict:
    doc, end = read(cert), None if budget is None else time.monotonic() + budget
    doc, part = (doc, shares.part(doc)) if share is None else shares.given(doc, share)

    def clock():
        if end is not None and time.monotonic() >= end:
            raise Undecided(f"budget of {budget} s spent")
    try:
        if doc["kind"] == "robust-memorization":
            v = robust.check(doc, rho, eta, progress, clock, part)
        elif doc["kind"] in ("region-cover", "linear-bounds", "lipschitz"):
            module = {"region-cover": regions, "linear-bounds": bounds, "lipschitz": lipschitz}[doc["kind"]]
            v = module.check(doc, progress, clock, part)
        else:
            v = facts.CHECKS[doc["kind"]](doc, parse.obj(doc.get("data"), "data"))
    except Undecided as e:
        v = Verdict.undecided(str(e))
    if part is not None:                        # a share proves its part only: it is not counted as a proof
        return Verdict(v.status, shares.prefix(*part) + v.reason, v.witness, {**v.details, "share": doc["share"]})
    if v.is_proved:
        _PROVED[0] += 1
    return v


def split(cert, n: int) -> list:
    """The n shares of a whole certificate of a kind in ``shares.KINDS`` (signed documents; see ``shares.py``)."""
    return shares.split(read(cert), n, sign)


def compose(cert, reports, rho=None) -> Verdict:
    """The verdict of a whole certificate from ``shares.report`` of each of its shares, in share order: PROVED
    only when every share is (``shares.compose``); ``rho`` as given to the shares' checks."""
    v = shares.compose(read(cert), reports, rho)
    if v.is_proved:
        _PROVED[0] += 1
    return v


_PROVED = [0]


def proved_count() -> int:
    """How many certificates ``check`` has proved in this process (a claim is CERTIFIED when this grew while its
    check ran)."""
    return _PROVED[0]
