"""The certified radius around every point of a dataset, one row per point, in this process or over workers.

``exactmem radius NET DATA`` asks ``certified_radius`` about each point; the points are independent, so with an
executor of ``exactmem.parallel`` (``-j N``, ``--scheduler``) each point is a work item: the network travels
once per executor as JSON text (``wire.send``; a worker keeps it by its digest), the point as ``"p/q"``
strings, and the row comes back as plain data, in the order of the points whatever ran it.  Each point's
radius is proved by the kernel in the worker that found it, as it would be in this process.

>>> from exactmem import ReLUNet, parallel
>>> f = ReLUNet([([[1], [-1]], [0, 0]), ([[1, 1]], [0])])             # |x|
>>> with parallel.executor() as ex:
...     [r["lower"] for r in rows(f, [["2"], ["-1/2"]], [2, 2], "inf", "sign", None, ex)]
['2', '1/2']
"""
from __future__ import annotations

import json

from ..errors import ExactmemError
from ..exact import fmt
from ..network import ReLUNet
from . import wire

_NETS = {}                  # in a worker: digest of a network's JSON text -> ReLUNet


def row(net, x, label, p, semantics, budget) -> dict:
    """The radius around one point as plain data: lower and upper ends (their squares for p = 2), exact,
    proved, zero (the kernel proved that no ball holds), the nearest failing point, the kernel's reason; or the
    centre itself missing the label (``missed``)."""
    from .ask import centre_fails, certified_radius
    if centre_fails(net, x, label, semantics):
        return {"missed": True, "lower": None, "upper": "0", "proved": False, "reason": "the centre fails the label"}
    c = certified_radius(net, x, label, p=p, semantics=semantics, budget=budget)
    opt = (lambda q: None if q is None else fmt(q))
    return {"missed": False, "lower": fmt(c.lower), "upper": opt(c.upper), "lower_sq": opt(c.lower_sq),
            "upper_sq": opt(c.upper_sq), "exact": c.is_exact, "proved": c.verdict.is_proved and c.lower > 0,
            "zero": c.upper == 0 and c.verdict.is_proved,
            "witness": None if c.witness is None else [fmt(t) for t in c.witness], "reason": c.verdict.reason}


def item_row(item: dict) -> dict:
    """A worker's part: ``row`` for the point of ``item`` ({"digest", "network" (text, first items only), "x",
    "label", "p", "semantics", "budget"}); {"missing": True} when this process has not seen the network; an
    exactmem error comes back as {"error": message}."""
    net = wire.cached(_NETS, item["digest"], item.get("network"), lambda t: ReLUNet.from_json(json.loads(t)))
    if net is None:
        return {"missing": True}
    try:
        return row(net, item["x"], item["label"], item["p"], item["semantics"], item["budget"])
    except ExactmemError as e:
        return {"error": str(e)}


def rows(net, points, labels, p, semantics, budget, ex, progress=None):
    """``row`` of every point (exact coordinates, or their "p/q" text), in order, computed over the executor
    ``ex``; ``progress(done, total)`` as the rows come."""
    wire.check_executor(ex)
    text = json.dumps(net.to_json(sparse=True), sort_keys=True, separators=(",", ":"))
    items = [{"digest": wire.digest(text), "x": [fmt(t) for t in x], "label": y, "p": p, "semantics": semantics,
              "budget": budget} for x, y in zip(points, labels)]
    out = wire.send(ex, item_row, items, text, key="network", progress=progress)
    for i, r in enumerate(out):
        if "error" in r:
            raise ExactmemError(f"point {i}: {r['error']}")
    return out


__all__ = ["row", "rows", "item_row"]
