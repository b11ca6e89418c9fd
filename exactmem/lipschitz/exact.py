"""The exact Lipschitz constant of a ReLU network on R^d, a box or a ball (kind ``lipschitz`` certificates).

On each activation region the network is affine with Jacobian J; the Lipschitz constant on a convex set is
the largest ||J|| over regions with interior (the gradient's dual norm for one output, the l_p operator
norm for several; for p = 2 exactly in its square).  The finder is a best-first branch and bound over the
region tree of ``analysis.cover``: a float search gives a first region and its exact value (the lower
end, at an exact interior point); a node whose interval bound on |J| (``kernel.lipschitz.envelope``)
cannot beat the lower end becomes a leaf without further splits; the rest are split until every unit is
fixed.  The kernel checks the whole tree against the upper end, so the answer is never a guess, also
when a budget stops the search early (the open nodes then count with their interval bounds).

>>> from exactmem import ReLUNet, box
>>> f = ReLUNet([([[1, 1], [1, -1]], [0, 0]), ([[1, 1]], [0])])     # x + max(x, |y|): gradients (2,0), (1,+-1)
>>> L = lipschitz_constant(f, p="inf", region=box([-1, -1], [1, 1]))
>>> L.lower, L.upper, L.is_exact                                     # the l_1 norm of the gradient: 2
(2, 2, True)
>>> lipschitz_constant(f, p=2).upper_sq                              # on all of R^2
4
"""
from __future__ import annotations

import copy
import heapq
import itertools
import time
from dataclasses import dataclass, field

import numpy as np
from flint import fmpq, fmpq_mat

from .. import kernel
from ..analysis import cover
from ..analysis.ask import InputSet, _budget
from ..analysis.lp import Region, _log2, _pow2, ffloat
from ..certify.records import Certificate
from ..errors import DimensionMismatchError, InputSetError, NetworkError
from ..exact import fmt, largest_eigenvalue, sqrt_enclosure
from ..kernel.lipschitz import envelope, jacobian, pairs
from ..network import ReLUNet
from ..norms import KERNEL_NAMES, kernel_p
from ..parallel import with_workers
from ..progress import Progress
from ..verdict import Verdict

SAMPLES = 2048          # float points of the set searched for a steep region before the branch and bound


@dataclass(frozen=True)
class Lipschitz:
    """lower <= Lip_p(f) on the set <= upper, exact rationals (for p = 2 rational enclosures of the square
    roots of ``lower_sq`` and ``upper_sq``, which bound Lip^2 exactly).  ``point``: an exact interior point
    where the Jacobian's norm is at least ``lower``; ``verdict``: the kernel's on ``certificate``;
    ``attained``: the kernel proved Lip equal to the norm at ``point`` (for several outputs and p = 2 an
    algebraic number, which ``lower_sq`` and ``upper_sq`` enclose); ``stopped``: why the search ended
    early (a budget), or None."""

    lower: fmpq
    upper: fmpq
    p: object
    verdict: Verdict
    lower_sq: fmpq | None = None
    upper_sq: fmpq | None = None
    point: list | None = None
    regions: int = 0
    certificate: dict | None = field(default=None, repr=False)
    attained: bool = False
    stopped: str | None = None

    @property
    def is_exact(self) -> bool:
        """The constant is determined: both ends equal, or (several outputs, p = 2) attained at ``point``."""
        if not self.verdict.is_proved:
            return False
        return self.attained or (self.lower_sq == self.upper_sq if self.p == 2 else self.lower == self.upper)


def _value(J, p):
    """(lo, hi): exact rational bounds of ||J|| (squared for p = 2); equal unless J has several rows and p = 2."""
    if len(J) > 1 and p == 2:
        A = fmpq_mat(J)
        e = largest_eigenvalue(A * A.transpose() if len(J) <= len(J[0]) else A.transpose() * A)
        return e.lo, e.hi
    lo = kernel.lipschitz._top(J, p)
    return lo, lo


def _bound(layers, l, M, states, d, p):
    """A rational bound on ||J|| (squared for p = 2) over a node with free units, as the kernel proves it: the
    interval envelope's norm, or the pairwise bound where it applies and is smaller."""
    top = _value(envelope(layers, l, M, states, d), p)[1]
    q = pairs(layers, l, M, states, d) if p == 2 else None
    return top if q is None else min(top, q)


def _scale(layers, d):
    """A power of two near the distances of the first layer's hyperplanes from 0 (R^d's coordinates)."""
    dist = [abs(b) / max(abs(w) for _, w in r) for r, b in zip(*layers[0]) if r and b]
    if not dist:
        return fmpq(1)
    return _pow2(int(np.median([_log2(t) for t in dist])) + 1)


def _float_search(layers, S, d, m, p, rng):
    """Exact (value lo, value hi, x) for the steepest of a few regions met by float sample points of S."""
    R = Region(S.x0, S.p, S.r, S.cons)
    U = cover._samples(S, R, SAMPLES, rng)
    if S.cons:
        U = U[np.all(np.array(R.b) - U @ np.array(R.A).T > cover.FLOAT_IN, axis=1)]
    if not len(U):
        return None
    mats, _ = cover._floats(layers, S, R)
    _, masks = cover._forward(mats, U)
    G = np.broadcast_to(mats[-1][0], (len(U),) + mats[-1][0].shape)            # rows x outputs x width
    for l in range(len(mats) - 2, -1, -1):
        G = (G * masks[l][:, None, :]) @ mats[l][0]
    G = G / np.array([float(s) for s in R.s])                                  # back to x's coordinates
    with np.errstate(all="ignore"):
        score = np.linalg.norm(G, ord=2, axis=(1, 2)) if m > 1 and p == 2 else \
            np.abs(G).sum(axis=2).max(axis=1) if p == "inf" else np.abs(G).sum(axis=1).max(axis=1) if m > 1 else \
            np.abs(G[:, 0, :]).max(axis=1) if p == 1 else np.linalg.norm(G[:, 0, :], axis=1)
    seen, best = set(), None
    for k in np.argsort(-np.nan_to_num(score, nan=-np.inf)):
        key = tuple(np.concatenate([mk[k] for mk in masks]).tolist()) if masks else ()
        if key in seen:
            continue
        seen.add(key)
        for bits in (8, 20, None):
            x = R.point(U[k], 0.0, bits)
            J = jacobian(layers, x, d) if S.contains(x, strict=True) else None
            if J is not None:
                lo, hi = _value(J, p)
                if best is None or lo > best[0]:
                    best = (lo, hi, x)
                break
        if len(seen) >= 16:
            break
    return best


def _interior_point(nd, S, layers, d):
    """An exact interior point of the leaf's region inside S with no zero pre-activation, or None."""
    try:
        sl = nd.R.slack()
    except ArithmeticError:
        return None
    if sl is None:
        u = [0.0] * d
    elif sl[0] >= 0:
        return None
    else:
        u = sl[2]
    for shrink in (2.0 ** -30, 2.0 ** -12, 2.0 ** -4, 0.5):
        x = nd.R.point(u, shrink)
        if S.contains(x, strict=True) and jacobian(layers, x, d) is not None:
            return x
    return None


def _flat(nd):
    """[l, j, multipliers] proving that the region lies in the hyperplane of one of its unit constraints."""
    for key in nd.keys:
        if key[0] < 0:
            continue
        c, e = nd.lf.cons[key]
        if not any(c):
            continue
        hint, _, _ = nd.prove([-t for t in c], -e, False)
        if isinstance(hint, list):
            return [key[0], key[1], cover._text(hint)]
    return None


def _set(net, region):
    if not isinstance(net, ReLUNet):
        raise NetworkError(f"expected a ReLUNet, got {type(net).__name__}")
    d = net.input_dim
    if region is None:
        region = InputSet({"all": True}, d)
    if not isinstance(region, InputSet):
        raise InputSetError("region must be None (all of R^d), exactmem.box(...) or exactmem.ball(...)")
    if region.d != d:
        raise DimensionMismatchError(f"the network takes {d} inputs but the set has dimension {region.d}")
    S = region.S
    if (S.p == "box" and any(r <= 0 for r in S.r)) or (S.p not in ("box", "all") and S.r <= 0):
        raise InputSetError("the set must be full-dimensional (every half-width and the radius > 0)")
    return region


def _finder_set(S, layers, d):
    """A copy of the kernel's set S in the finder's coordinates (on R^d a radius near the first layer's
    hyperplanes; the kernel ignores r there)."""
    S = copy.copy(S)
    if S.p == "all":
        S.r = _scale(layers, d)
    return S


def _first(layers, S, d, m, p):
    """(lo, hi, x): the steepest region found by the float search, at an exact interior point x, or
    (0, 0, None) when it found none on a set without constraints."""
    first = _float_search(layers, S, d, m, p, np.random.default_rng(0))
    if first is None and S.cons:                # the kernel needs a point to see that a cut set has interior
        x = _interior_point(cover.Node(S, d, []), S, layers, d)
        if x is None:
            raise InputSetError("no interior point of the set was found: its constraints may cut it to a lower "
                                "dimension or to nothing, where a Lipschitz constant is not measured by gradients")
        first = (*_value(jacobian(layers, x, d), p), x)
    return first if first is not None else (fmpq(0), fmpq(0), None)


def _open_leaf(hints):
    """The tree node of a region left with free units (pruned, or open when a budget stopped the search)."""
    return {"goals": [], **({"stable": hints} if hints else {})}


def _finish(net, region, p, tree, upper, loose, low, point, regions, stopped, executor=None) -> Lipschitz:
    """The certificate of the tree, checked by the kernel, as a ``Lipschitz``.  ``loose``: (hi, flat, node) for
    regions with no interior point found, flat() the proof that one lies in a hyperplane (or None).  With an
    ``executor`` other than the serial one the kernel checks the certificate in shares over its workers
    (``certify.parallel``: PROVED only when every share is)."""
    for hi, flat, node in loose:
        if hi > upper:
            fl = flat()
            if fl is not None:
                node["flat"] = fl
            else:
                upper = hi
    sq = "_sq" if p == 2 else ""
    data = {"set": region.spec, "p": KERNEL_NAMES[p], "upper" + sq: fmt(upper)}
    if point is not None:
        data.update({"point": [fmt(t) for t in point], "lower" + sq: fmt(low)})
    doc = Certificate("lipschitz", "the Lipschitz constant on the set", None, net.to_json(sparse=True), data,
                      {"tree": cover.preorder(tree)}).to_json()
    if with_workers(executor) is not None:
        from ..certify import parallel as cpar
        v = cpar.check(doc, executor)
    else:
        v = kernel.check(doc)
    attained = bool(v.details.get("attained")) if v.is_proved else False
    if p != 2:
        return Lipschitz(low, upper, p, v, point=point, regions=regions, certificate=doc, attained=attained,
                         stopped=stopped)
    return Lipschitz(sqrt_enclosure(low).lo, sqrt_enclosure(upper).hi, p, v, low, upper, point, regions, doc,
                     attained, stopped)


def lipschitz_constant(net: ReLUNet, p=2, region: InputSet | None = None, budget=None, *,
                       executor=None, checkpoint=None, resume=None) -> Lipschitz:
    """The exact Lipschitz constant of a network on ``region`` (None: all of R^d; else exactmem.box or
    exactmem.ball), for the norm p on inputs (and outputs): the gradient's dual norm for one output, the
    operator norm of the Jacobian for several; for p = 2 exactly in its square.  With a ``budget`` in seconds
    the answer is the best certified interval found by then.  With an ``executor`` of ``exactmem.parallel``
    the branch and bound runs as a work-queue over its workers (``lipschitz.queue``: the same certificate
    whatever the number of workers).  ``checkpoint``: a file where that work-queue keeps its state (tree found,
    open nodes, lower end), every 10 s, when the budget stops it and on Ctrl-C; ``resume``: continue from such a
    file; either runs the work-queue (in this process without an executor).  See the module's docstring."""
    if executor is not None or checkpoint is not None or resume is not None:
        from ..parallel import Serial
        from .queue import search
        return search(net, p, region, budget, Serial() if executor is None else executor, checkpoint=checkpoint,
                      resume=resume)
    region = _set(net, region)
    p, budget, m = kernel_p(p), _budget(budget), net.output_dim
    layers, d = net.sparse_layers(), net.input_dim
    S = _finder_set(region.S, layers, d)
    start = time.monotonic()
    low, low_hi, point = _first(layers, S, d, m, p)
    tree, memo, regions, loose, top_hi = {}, {}, 0, [], low_hi
    heap, tick = [], itertools.count()
    heapq.heappush(heap, (0, next(tick), (), [], None))
    stopped = None
    with Progress("Lipschitz constant", "regions") as bar:
        while heap:
            _, _, path, hints, bound = heapq.heappop(heap)
            if bound is not None and bound <= low:                       # cannot beat the lower end
                tree[path] = _open_leaf(hints)
                continue
            if budget is not None and path and time.monotonic() - start > budget:
                heapq.heappush(heap, (0, next(tick), path, hints, bound))
                stopped = f"budget of {budget} s spent after {regions} region(s)"
                break
            seen = []
            kind, out = cover.walk(layers, S, list(path), d, memo, lambda *a: seen.append(a))
            regions += 1
            bar.update(regions, regions + len(heap))
            if kind == "leaf":
                tree[path] = out
            elif kind == "region":
                nd, outs = out
                J = [c for c, _ in outs]
                lo, hi = _value(J, p)
                node = tree[path] = nd.leaf(goals=[])
                if hi > low:
                    x = _interior_point(nd, S, layers, d)
                    if x is None:
                        loose.append((hi, lambda nd=nd: _flat(nd), node))   # flat, or no interior point found
                        continue
                    top_hi = max(top_hi, hi)
                    if lo > low:
                        low, point = lo, x
            else:
                nd, l, M, states = seen[0]
                top = _bound(layers, l, M, states, d, p)
                if top <= low:
                    tree[path] = nd.leaf(goals=[])
                    continue
                tree[path] = {"split": list(out)}
                for s in (1, -1):
                    heapq.heappush(heap, (-ffloat(top), next(tick), path + ((*out, s),), nd.hints, top))
    upper = max([top_hi] + [b for _, _, _, _, b in heap])
    for _, _, path, hints, _ in heap:                                   # open nodes: leaves with free units
        tree[path] = _open_leaf(hints)
    return _finish(net, region, p, tree, upper, loose, low, point, regions, stopped)
