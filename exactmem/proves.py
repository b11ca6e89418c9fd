"""What a certificate proves, named in a user's terms, and whether it is the claim asked about the user's files.

``describe(doc)`` gives the lines ``exactmem verify`` prints under a verdict: the network (a digest of its exact
weights), the data, and the balls (rho, the absolute radius, p, semantics) or the set of a Lipschitz bound.
``tie(doc, network=..., dataset=..., rho=...)`` compares a certificate with the user's own network, dataset and
numbers: a mismatch is a ``CertificateError`` naming the first difference, an option that does not apply to the
kind an ``OptionError``, and a certificate about larger balls than asked is re-stated at the balls asked, so that
the kernel's verdict is on the user's claim.  A certificate about smaller balls than asked *proves less*:
``Tie.less`` says what it proves instead.  Nothing here proves anything; the kernel does.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from . import kernel
from .balls import Balls, of_questions
from .certify.records import dataset_payload, describe_difference, same_network
from .data import Dataset
from .errors import CertificateError, OptionError, RhoError
from .exact import fmt, show
from .network import ReLUNet
from .norms import KERNEL_NAMES, kernel_p

ROBUST = ("robust-memorization", "region-cover", "linear-bounds")
QUESTIONS = ("region-cover", "linear-bounds")        # kinds whose data lists input sets and goals


def digest(obj) -> str:
    """The first 12 hex digits of the SHA-256 of ``obj``'s canonical JSON (sorted keys, no spaces)."""
    return hashlib.sha256(json.dumps(obj, sort_keys=True, separators=(",", ":")).encode()).hexdigest()[:12]


def network_digest(net: ReLUNet) -> str:
    """A network's digest: of its canonical sparse JSON (``to_json(sparse=True)``), so one exact network has one
    digest whatever file (JSON, ONNX, NNet, PyTorch) it was read from.

    >>> network_digest(ReLUNet([([[1]], [0]), ([[2]], [1])])) == network_digest(ReLUNet([([["2/2"]], [0]), ([[2]], [1])]))
    True
    """
    return digest(net.to_json(sparse=True))


def data_digest(D: Dataset) -> str:
    """A dataset's digest: of its points (exact ``p/q`` strings) and labels."""
    return digest(dataset_payload(D))


def _network(doc):
    return ReLUNet.from_json(doc["network"]) if isinstance(doc.get("network"), dict) else None


def _dataset(doc):
    ds = doc.get("dataset")
    return Dataset(ds.get("points"), ds.get("labels")) if isinstance(ds, dict) else None


def balls_of(doc):
    """The balls of a robustness certificate: its dataset with data.rho, p and semantics, or (kind region-cover,
    no dataset) questions that are the open balls of one radius around points with one semantics' goals.  None
    for another kind or for other questions (a VNN-LIB property's, ``exactmem.ask``'s)."""
    if doc["kind"] not in ROBUST:
        return None
    data = doc.get("data") if isinstance(doc.get("data"), dict) else {}
    D = _dataset(doc)
    if D is not None:
        return Balls.from_rho(D, kernel.parse.rational(data.get("rho"), "data.rho"), p=data.get("p"),
                              semantics=data.get("semantics", "label"),
                              eta=kernel.parse.rational(data["eta"], "data.eta") if data.get("eta") else None)
    qs = data.get("questions")
    if doc["kind"] not in QUESTIONS or not isinstance(qs, list) or not all(
            isinstance(q, dict) and isinstance(q.get("set"), dict) and q["set"].get("open") is True and
            not q["set"].get("constraints") for q in qs):
        return None                     # a box, a closed set, a cut: not balls around data (no parse needed)
    _, layers, qs = kernel.regions.questions(doc)
    return of_questions(qs, len(layers[-1][0]))


def describe(doc, files: dict | None = None, asked: Balls | None = None) -> list:
    """Lines naming what ``doc`` is about: network, data, balls or set; ``files`` names the user's files that were
    compared with it (``{"network": path, "dataset": path}``); ``asked``: the balls the check was about, when
    smaller than the certificate's."""
    files = files or {}
    out = []
    net = _network(doc)
    if net is not None:
        where = f", as in {files['network']}" if files.get("network") else ""
        dims = [str(n) for n in net.dims]
        shape, count = (" -> ".join(dims), "") if len(dims) <= 8 else \
            (f"{' -> '.join(dims[:3])} -> ... -> {' -> '.join(dims[-2:])}", f"{len(dims) - 1} layers, ")
        out.append(f"network: sha256 {network_digest(net)}, {shape} ({count}{net.param_count():,} parameters){where}")
    B = balls_of(doc)
    D = B.dataset if B is not None else _dataset(doc)
    if D is not None:
        where = f", as in {files['dataset']}" if files.get("dataset") else " (the certificate's own)"
        out.append(f"data: N = {D.N} points in R^{D.d}, C = {D.C} labels, sha256 {data_digest(D)}{where}")
    if B is not None:
        shown = asked if asked is not None else B
        extra = f", error below eta = {show(shown.eta)}" if shown.eta is not None else ""
        out.append(f"balls: {shown.text()}, semantics {B.semantics}{extra}")
        if shown.size != B.size:
            out.append(f"    (the certificate states {B.text()}; the claim was re-checked at the balls asked)")
    elif doc["kind"] in QUESTIONS:
        qs = doc["data"].get("questions", [])
        out.append(f"questions: {len(qs)} input set(s), each with a goal on the outputs (a VNN-LIB property, or "
                   f"exactmem's ask functions)")
    elif doc["kind"] == "lipschitz":
        data = doc["data"]
        sq = "^2" if data.get("p") == "2" else ""
        key = "_sq" if sq else ""
        bound = f"Lip_{data.get('p')}{sq} <= {show(kernel.parse.rational(data.get('upper' + key), 'upper'))}"
        if data.get("point") is not None:
            bound += f", >= {show(kernel.parse.rational(data.get('lower' + key), 'lower'))}"
        out.append(f"set: {_set_text(data.get('set'))}; {bound}")
    else:
        out.append(f"claim: {str(doc.get('claim', doc['kind']))[:200]}")
    return out


def _set_text(spec) -> str:
    if not isinstance(spec, dict):
        return "?"
    cut = f", cut by {len(spec['constraints'])} constraint(s)" if spec.get("constraints") else ""
    if spec.get("all"):
        return "all of R^d" + cut
    if "box" in spec:
        lo, hi = spec["box"]
        ivs = [f"[{a}, {b}]" for a, b in zip(lo, hi)]
        return "the box " + " x ".join(ivs[:4] + (["..."] if len(ivs) > 4 else [])) + cut
    r = f"radius^2 {spec.get('radius_sq')}" if "radius_sq" in spec else f"radius {spec.get('radius')}"
    c = spec.get("centre", [])
    return (f"the {'open' if spec.get('open') else 'closed'} l_{spec.get('p')} ball of {r} around "
            f"({', '.join(map(str, c[:4]))}{', ...' if len(c) > 4 else ''})" + cut)


@dataclass
class Tie:
    """What to check: ``doc`` (the certificate, or it re-stated at the balls asked), ``rho``/``eta`` for the
    kernel's robust-memorization check; ``less``: set when the certificate proves less than asked (then nothing
    else is to be checked but the certificate itself); ``asked``: the balls asked, when the user gave them."""

    doc: dict
    rho: object = None
    eta: object = None
    less: str | None = None
    asked: Balls | None = None


def tie(doc, network=None, dataset=None, rho=None, radius=None, p=None, eta=None) -> Tie:
    """Compare the certificate ``doc`` (read by ``kernel.read``) with the user's objects; see the module's
    docstring.  ``rho``, ``radius`` and ``eta`` are exact rationals or None; ``p`` a norm or None."""
    kind = doc["kind"]
    if network is not None:
        if not isinstance(doc.get("network"), dict):
            raise OptionError(f"--network: a {kind!r} certificate is about a dataset only, not a network")
        if not same_network(doc["network"], network):
            where = describe_difference(network.to_json(sparse=True), doc.get("network"), "network")
            raise CertificateError(f"the certificate was made for a different network: it differs at {where}")
    if rho is not None and radius is not None:
        raise OptionError("--rho and --radius both give the balls' size: give one")
    B = balls_of(doc)
    if B is None:
        return _tie_other(doc, dataset, rho, radius, p, eta)
    if dataset is not None and dataset != B.dataset:
        where = describe_difference(dataset_payload(dataset), dataset_payload(B.dataset), "dataset")
        raise CertificateError(f"the certificate was made for a different dataset: it differs at {where}")
    if p is not None and kernel_p(p) != B.p:
        raise CertificateError(f"the certificate is about l_{KERNEL_NAMES[B.p]} balls, not l_{KERNEL_NAMES[kernel_p(p)]}")
    if eta is not None and kind != "robust-memorization":
        raise OptionError("--eta: a region-cover certificate proves the claim at every point of the balls; an error "
                          "bound applies to robust-memorization certificates of the moderate regime")
    if eta is not None and B.eta is None:
        eta = None                      # an exact certificate proves every error bound: check it exactly
    if rho is None and radius is None:
        return Tie(doc, eta=eta)
    e = eta if eta is not None else B.eta
    try:
        asked = (Balls.from_rho(B.dataset, rho, B.p, B.semantics, e) if rho is not None else
                 Balls.from_radius(B.dataset, radius, B.p, B.semantics, e))
    except RhoError as err:             # the user's number, not the certificate, is out of range
        raise OptionError(f"{'--rho' if rho is not None else '--radius'}: {err}") from None
    if asked.size > B.size:
        return Tie(doc, less=f"the certificate proves {B.text()}, less than the {asked.text()} asked", asked=asked)
    if kind == "robust-memorization":
        if asked.rho is None:
            raise OptionError(f"--radius: rho = radius / eps_D = {asked.rho_text()} is irrational, and a "
                              f"robust-memorization certificate is checked at a rational rho: give --rho")
        return Tie(doc, rho=asked.rho, eta=eta, asked=asked)
    if asked.size == B.size:
        return Tie(doc, asked=asked)
    return Tie(restate(doc, asked), asked=asked)


def restate(doc, balls: Balls) -> dict:
    """A region-cover certificate about larger balls, re-stated (and re-signed) at ``balls``: the same trees
    prove the claim on smaller balls with the same centres, or the kernel will say where they do not."""
    body = {k: v for k, v in doc.items() if k != "digest"}
    if doc.get("dataset") is not None and balls.rho is not None:
        body["data"] = {**doc["data"], "rho": fmt(balls.rho)}
    else:
        body.pop("dataset", None)
        body["data"] = {"questions": balls.questions(ReLUNet.from_json(doc["network"]).output_dim)}
    body["claim"] = f"{doc.get('claim', '')} (re-stated at {balls.text()})"[:400]
    return kernel.sign(body)


def _tie_other(doc, dataset, rho, radius, p, eta) -> Tie:
    """A Lipschitz certificate, region-cover questions other than balls, or a fact about data."""
    kind = doc["kind"]
    about = ("a network on a set" if kind == "lipschitz" else "the input sets and goals it lists"
             if kind in QUESTIONS else "its dataset")
    for name, value in (("--rho", rho), ("--radius", radius), ("--eta", eta)):
        if value is not None:
            raise OptionError(f"{name}: a {kind!r} certificate is about {about}, not about balls around data")
    if dataset is not None:
        if not isinstance(doc.get("dataset"), dict):
            raise OptionError(f"--dataset: a {kind!r} certificate is about {about}, not about a dataset")
        if doc["dataset"] != dataset_payload(dataset):
            where = describe_difference(dataset_payload(dataset), doc.get("dataset"), "dataset")
            raise CertificateError(f"the certificate was made for a different dataset: it differs at {where}")
    if p is not None:
        data = doc.get("data") if isinstance(doc.get("data"), dict) else {}
        if "p" not in data:
            raise OptionError(f"--p: a {kind!r} certificate names no norm")
        if data["p"] != KERNEL_NAMES[kernel_p(p)]:
            raise CertificateError(f"the certificate is about the l_{data['p']} norm, not l_{KERNEL_NAMES[kernel_p(p)]}")
    return Tie(doc)


__all__ = ["describe", "tie", "Tie", "restate", "balls_of", "network_digest", "data_digest", "digest"]

