"""Exact answers about any ReLU network on a box or a ball: output ranges, constancy, certified radii.

Each answer rests on the kernel: a region-cover certificate (``kernel.regions``) proves the bounds, and an
exact point of the set, evaluated exactly, shows a bound attained or a goal failing (``kernel.regions.refute``).

>>> from exactmem import ReLUNet
>>> f = ReLUNet([([[1, 1], [1, -1]], [0, 0]), ([[1, 1]], [0])])    # relu(x + y) + relu(x - y) = x + max(x, |y|)
>>> r = output_range(f, box([0, -1], [1, 1]))
>>> r.minimum[0], r.maximum[0], r.is_exact
(Enclosure(lo=0, hi=0, what='min f_0'), Enclosure(lo=2, hi=2, what='max f_0'), True)
>>> is_constant_on(f, box([1, 0], [1, 0])).is_proved
True
>>> c = certified_radius(f, [1, 0], 1, p="inf", semantics="sign")    # f > 0 (label 2: sign) ...
Traceback (most recent call last):
...
exactmem.errors.NetworkError: semantics 'sign': label 1 asks for f < 0, but f(x) = 2 at the centre
>>> c = certified_radius(f, [1, 0], 2, p="inf", semantics="sign")    # f > 0 until x = -max(x, |y|)
>>> c.lower, c.upper, c.is_exact
(1, 1, True)
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

from flint import fmpq

from .. import kernel
from ..certify.records import Certificate
from ..errors import CertificateError, DimensionMismatchError, InputSetError, NetworkError
from ..exact import Enclosure, fmt, sqrt_enclosure, to_rational, to_vector
from ..kernel.engine import evaluate
from ..network import ReLUNet
from ..norms import KERNEL_NAMES, kernel_p
from ..progress import Progress
from ..verdict import Verdict
from . import bab, cover, decide
from .lp import rat
from .points import inside, snap, unit


class InputSet:
    """A closed box, or an open or closed l_p ball, optionally cut by constraints a.x + b >= 0 (rows [a, b]);
    made by ``box`` and ``ball``.  ``spec`` is the set as a certificate writes it."""

    def __init__(self, spec: dict, d: int):
        try:
            self.S = kernel.regions.parse_set(spec, d, "set")
        except CertificateError as e:
            raise InputSetError(str(e)) from None
        self.spec, self.d = spec, d

    def __repr__(self):
        return f"InputSet({self.spec})"


def _rows(constraints, d):
    if constraints is not None and (isinstance(constraints, (str, bytes)) or not hasattr(constraints, "__iter__")):
        raise InputSetError(f"constraints must be a list of rows [a_1, ..., a_{d}, b], got {type(constraints).__name__}")
    out = []
    for i, row in enumerate(constraints or []):
        v = to_vector(row, f"constraint {i}")
        if len(v) != d + 1:
            raise DimensionMismatchError(f"constraint {i} must be [a_1, ..., a_{d}, b] (a.x + b >= 0), got {len(v)} "
                                         f"numbers")
        if any(v[:-1]) or v[-1] < 0:                # 0.x + b >= 0 with b >= 0 holds everywhere: dropped; with
            out.append([fmt(t) for t in v])         # b < 0 nowhere: kept, the set is empty (proved so exactly)
    return out


def box(lower, upper, constraints=None) -> InputSet:
    """The closed box lower <= x <= upper (a lower bound equal to its upper bound fixes the coordinate)."""
    lo, hi = to_vector(lower, "lower"), to_vector(upper, "upper")
    if len(lo) != len(hi) or not lo:
        raise DimensionMismatchError(f"lower has {len(lo)} coordinates and upper {len(hi)}")
    bad = [j for j, (a, b) in enumerate(zip(lo, hi)) if a > b]
    if bad:
        raise InputSetError(f"box: lower bound {fmt(lo[bad[0]])} exceeds upper bound {fmt(hi[bad[0]])} at coordinate "
                            f"{bad[0]}")
    return InputSet({"box": [[fmt(t) for t in lo], [fmt(t) for t in hi]], "constraints": _rows(constraints, len(lo))},
                    len(lo))


def ball(centre, radius, p=2, open=False, constraints=None) -> InputSet:
    """The l_p ball around centre (open or closed); for p = 2 ``radius`` may be given as ("sq", r^2)."""
    x0, p = to_vector(centre, "centre"), kernel_p(p)
    if isinstance(radius, tuple) and len(radius) == 2 and radius[0] == "sq" and p == 2:
        r = to_rational(radius[1])
    else:
        r = to_rational(radius)
        r = r * r if p == 2 and r >= 0 else r
    if r < 0 or not x0:
        raise InputSetError(f"ball: the radius must be >= 0 and the centre non-empty, got {fmt(r)}")
    spec = {"centre": [fmt(t) for t in x0], "p": KERNEL_NAMES[p], "radius_sq" if p == 2 else "radius": fmt(r),
            "open": bool(open), "constraints": _rows(constraints, len(x0))}
    return InputSet(spec, len(x0))


def _check(net, region):
    if not isinstance(net, ReLUNet):
        raise NetworkError(f"expected a ReLUNet, got {type(net).__name__}")
    if not isinstance(region, InputSet):
        raise InputSetError(f"expected an input set from exactmem.box or exactmem.ball, got {type(region).__name__}")
    if region.d != net.input_dim:
        raise DimensionMismatchError(f"the network takes {net.input_dim} inputs but the set has dimension {region.d}")


def _budget(budget):
    if budget is not None and not (isinstance(budget, (int, float)) and not isinstance(budget, bool) and budget > 0):
        raise NetworkError(f"budget must be a positive number of seconds, got {budget!r}")
    return budget


def _atom(g, h, strict):
    return [[fmt(t) for t in g], fmt(h), strict]


def _doc(net, claim, questions):
    return Certificate("region-cover", claim, None, net.to_json(sparse=True), {"questions": questions}).to_json()


def is_constant_on(net: ReLUNet, region: InputSet, budget=None) -> Verdict:
    """PROVED (with a region-cover certificate) if every output is constant on the set, REFUTED with an exact
    point of the set where the outputs differ from those at its centre."""
    _check(net, region)
    budget, m = _budget(budget), net.output_dim
    x0 = _inside(region.S)
    if x0 is None:
        v = _emptiness(net, region, budget)
        if not v.is_refuted:                                 # PROVED: nothing to compare, constant vacuously
            return v
        x0 = to_vector(v.witness["x"])
    c = evaluate(net.sparse_layers(), [x0])[0]
    goal = [cl for k in range(m) for cl in ([_atom(unit(m, k), -c[k], False)], [_atom(unit(m, k, -1), c[k], False)])]
    doc = _doc(net, "the network is constant on the set", [{"set": region.spec, "goal": goal}])
    v, cert = decide._decide(doc, budget, "regions")
    if v.is_proved:
        return Verdict.proved(f"f = ({', '.join(map(fmt, c))}) on the whole set: {v.reason}", certificate=cert,
                              value=c, **v.details)
    if v.is_refuted:
        return Verdict.refuted(f"f = ({', '.join(v.witness['output'])}) at an exact point of the set, "
                               f"({', '.join(map(fmt, c))}) at the point {[fmt(t) for t in x0]} of it", v.witness)
    return v


def _inside(S):
    """An exact point of the set: its centre, else one found exactly (``points.inside``; also on a set with no
    interior, a segment or a face), or None."""
    return S.x0 if S.contains(S.x0) else inside(S)


def _emptiness(net, region, budget):
    """The kernel's verdict that the set is empty (PROVED, with its certificate: the clause 0 > 0, false
    everywhere, holds on the set), or REFUTED with an exact point of it."""
    doc = _doc(net, "the set is empty", [{"set": region.spec, "goal": [[_atom([0] * net.output_dim, 0, True)]]}])
    v, cert = decide._decide(doc, budget, "regions")
    if v.is_proved:
        return Verdict.proved(f"the set is empty: {v.reason}", certificate=cert, **v.details)
    return v


@dataclass(frozen=True)
class OutputRange:
    """The exact minimum and maximum of each output lie in ``minimum[k]`` and ``maximum[k]`` (equal ends when
    exact); ``argmin[k]`` is an exact point of the set where output k equals ``minimum[k].hi``, ``argmax[k]``
    one where it equals ``maximum[k].lo``.  ``verdict`` is the kernel's on ``certificate`` (the bounds)."""

    minimum: list
    maximum: list
    argmin: list
    argmax: list
    verdict: Verdict
    certificate: dict | None = field(default=None, repr=False)

    @property
    def is_exact(self) -> bool:
        return self.verdict.is_proved and all(e.is_exact() for e in self.minimum + self.maximum)


def _attained(nd, u, S, layers, z):
    """An exact point of S near the LP point u, on the faces tight there, with its exact outputs: the exact point
    on those faces, the float point pulled in, or the first pulled 2^-40 (then 2^-20) of the way to z, an exact
    point of S (on an l_2 ball cut by constraints the first two may miss the ball or a row)."""
    y = snap(nd.R, u)
    tries = [y, nd.R.point(u, 2.0 ** -40)] + ([[a + fmpq(1, 2 ** k) * (b - a) for a, b in zip(y, z)] for k in (40, 20)]
                                              if y is not None else [])
    for y in tries:
        if y is not None and S.contains(y):
            return y, evaluate(layers, [y])[0]
    return None, None


def output_range(net: ReLUNet, region: InputSet, budget=None) -> OutputRange:
    """The exact minimum and maximum of every output over a closed set, with points attaining them.

    On a box, an l_inf or l_1 ball or a polytope the extremes are rational and found exactly (a vertex of an
    activation region); on an l_2 ball they are enclosed, to about 1e-7 of the output's scale."""
    _check(net, region)
    budget, S, layers, m = _budget(budget), region.S, net.sparse_layers(), net.output_dim
    if S.open:
        raise InputSetError("output_range needs a closed set: on an open ball the extremes are not attained (the "
                            "range of its closure has the same bounds)")
    d, qs = len(S.x0), [(k, s) for k in range(m) for s in (1, -1)]
    best, leaves, lp, memo = {}, [], {}, {}
    z = _inside(S)
    if z is None:
        v = _emptiness(net, region, budget)
        if v.is_proved:
            raise InputSetError(f"output_range: an empty set has no range; {v.reason}")
        if not v.is_refuted:
            return OutputRange([], [], [], [], Verdict.undecided(f"no point of the set was found: {v.reason}"))
        z = to_vector(v.witness["x"])
    out = evaluate(layers, [z])[0]
    best = {(k, s): (s * out[k], z) for k, s in qs}

    def visit(path):
        kind, out = cover.walk(layers, S, path, d, memo)
        if kind != "region":
            return kind, out
        nd, outs = out
        node = {"leaf": len(leaves)}
        for k, s in qs:
            gx, gh = kernel.regions.compose(unit(m, k, s), fmpq(0), outs, d)
            res = nd.R.minimize(gx, gh)
            if res is None:
                continue
            lp[len(leaves), k, s] = rat(res[0]) * nd.R.scaled(gx, gh)[2]          # exact, in f's own units
            y, f = _attained(nd, res[2], S, layers, z)
            if y is not None and ((k, s) not in best or s * f[k] < best[k, s][0]):
                best[k, s] = (s * f[k], y)
        leaves.append((nd, outs))
        return "leaf", node

    with Progress("output range", "regions") as bar:
        out = cover.grow(layers, S, visit, budget, bar)
    if out[0] != "proved":
        return OutputRange([], [], [], [], Verdict.undecided(out[1]))
    bound, proofs = {}, {}
    for i, (nd, outs) in enumerate(leaves):
        for k, s in qs:
            proofs[i, k, s], b = _lower(nd, outs, k, s, best[k, s][0], lp.get((i, k, s)), m, d)
            bound[k, s] = min(bound.get((k, s), b), b)
    questions, trees = [], []
    for k, s in qs:
        questions.append({"set": region.spec, "goal": [[_atom(unit(m, k, s), -bound[k, s], False)]]})
        trees.append([_fill(node, proofs, k, s) for node in out[1]])
    doc = kernel.sign({**_doc(net, "bounds of every output on the set", questions), "hints": {"trees": trees}})
    v = kernel.check(doc)
    strict = _doc(net, "the bounds are attained", [{"set": region.spec, "goal": [[_atom(unit(m, k, s), -best[k, s][0],
                                                                                          True)]]} for k, s in qs])
    for q, (k, s) in enumerate(qs):
        if not kernel.regions.refute(strict, q, best[k, s][1]).is_refuted:
            v = Verdict.undecided(f"the point given for output {k} does not attain its value")
    enc = [Enclosure(bound[k, 1], best[k, 1][0], f"min f_{k}") for k in range(m)]
    enc2 = [Enclosure(-best[k, -1][0], -bound[k, -1], f"max f_{k}") for k in range(m)]
    return OutputRange(enc, enc2, [best[k, 1][1] for k in range(m)], [best[k, -1][1] for k in range(m)], v, doc)


def _lower(nd, outs, k, s, b, val, m, d):
    """(multipliers or an empty-leaf node, b') with s f_k >= b' proved on the leaf: b' = b (the exact value at the
    best point) when the leaf allows, else just below the leaf's float minimum."""
    n = nd.R.scaled(*kernel.regions.compose(unit(m, k, s), fmpq(0), outs, d))[2]
    tries = [b] + ([min(b, val) - n * fmpq(1, 2 ** e) for e in (30, 22, 14)] if val is not None else [])
    for t in tries:
        hint, _, _ = nd.prove(*kernel.regions.compose(unit(m, k, s), -t, outs, d), False)
        if isinstance(hint, tuple):
            return nd.empty_leaf(hint[1]), b
        if hint is not None:
            return nd.leaf(goals=[[0, cover._text(hint)]]), t
    return nd.leaf(goals=[[0, []]]), b                 # not proved: the kernel will say so


def _fill(node, proofs, k, s):
    return proofs[node["leaf"], k, s] if "leaf" in node else node


@dataclass(frozen=True)
class Radius:
    """The largest r for which the goal holds on the open l_p ball B(x, r): ``lower`` <= r <= ``upper`` (exact
    rationals; ``upper`` None when no failing point was found).  For p = 2, ``lower_sq`` and ``upper_sq`` bound
    r^2 exactly and ``lower``/``upper`` enclose their square roots.  ``verdict`` is the kernel's on
    ``certificate`` (the goal on the open ball of radius ``lower``); ``witness`` an exact failing point at
    distance ``upper`` (kernel-checked).  Radius 0 (``lower = upper = 0``: the centre meets the goal, points
    arbitrarily near it do not) has as ``witness`` a point w such that the goal fails on the whole open segment
    from x to w, which ``certificate`` proves."""

    lower: fmpq
    upper: fmpq | None
    p: object
    verdict: Verdict
    lower_sq: fmpq | None = None
    upper_sq: fmpq | None = None
    witness: list | None = None
    certificate: dict | None = field(default=None, repr=False)

    @property
    def is_exact(self) -> bool:
        return self.verdict.is_proved and self.upper is not None and (
            self.lower_sq == self.upper_sq if self.p == 2 else self.lower == self.upper)


def _size(y, x, p):
    """||y - x||_p, squared for p = 2 (the measure a certificate's ball uses)."""
    v = [a - b for a, b in zip(y, x)]
    return sum((t * t for t in v), fmpq(0)) if p == 2 else \
        max(map(abs, v)) if p == "inf" else sum(map(abs, v), fmpq(0))


def _ties(R, u, p):
    """Equations of the nearest point's face in the norm's own geometry: coordinates at the l_inf distance move
    together, coordinates at 0 stay at the centre for l_1."""
    d, x0, out = R.d, R.x0, []
    top = max(abs(float(t)) for t in u) if len(u) else 0.0
    if p == "inf" and top > 0:
        J = [j for j in range(d) if abs(u[j]) >= top * (1 - 1e-7)]
        k, sk = J[0], (1 if u[J[0]] > 0 else -1)
        for j in J[1:]:
            t = (1 if u[j] > 0 else -1) * sk              # x_j - x0_j = t (x_k - x0_k)
            out.append(([fmpq(1) if i == j else fmpq(-t) if i == k else fmpq(0) for i in range(d)],
                        -(x0[j] - t * x0[k])))
    elif p == 1:
        out += [(unit(d, j), -x0[j]) for j in range(d) if abs(u[j]) <= 1e-9 * max(top, 1e-300)]
    return out


def _nearest(layers, S, goal, p, budget):
    """Exact failing points of the goal (clauses negated, relaxed to their closure) nearest to the centre in
    each region of the closed set S: [(size, point)], or None when the budget ran out."""
    d, found, memo = len(S.x0), [], {}

    def visit(path):
        kind, out = cover.walk(layers, S, path, d, memo)
        if kind != "region":
            return kind, out
        nd, outs = out
        for clause in goal:
            R = nd.R.copy()
            for g, h, _ in clause:
                R.add(*[[-t for t in a] if i == 0 else -a for i, a in enumerate(kernel.regions.compose(g, h, outs, d))])
            u = R.nearest()
            if u is None:
                continue
            y = snap(R, u, base=S.x0 if p == 2 else None, eqs=_ties(R, u, p))
            if y is not None and kernel.regions.violation(layers, _closed(S.x0, y, p), [clause], y) is not None:
                found.append((_size(y, S.x0, p), y))
        return "leaf", {}
    out = cover.grow(layers, S, visit, budget)
    return found if out[0] == "proved" else None


def _closed(x, y, p):
    """The closed ball around x through y."""
    return kernel.regions.Set(x, p, _size(y, x, p), False)


def certified_radius(net: ReLUNet, x, label, p=2, semantics: str = "label", tol="1/1048576",
                     budget=None) -> Radius:
    """The largest radius of an open l_p ball around x on which the network gives ``label`` (semantics as in
    ``robustly_memorizes``): exact where it is rational (l_inf, l_1; its square for l_2), else an exact
    enclosure with relative width at most ``tol``.

    The finder takes the nearest exact failing point of every activation region met by a ball known to hold
    one; the kernel proves the goal on the open ball of that radius and checks the point.  Where that fails
    (a face found inexactly, or a goal whose failing set is open, as for ``label``), bisection between a
    proved radius and a failing point narrows the enclosure.  With a ``budget`` (seconds) the answer is anytime:
    a small ball proved by linear bounds first, grown four-fold while proofs come, the exact search in a share
    of the time, then bisection; when the time is up, the largest radius proved so far and the nearest
    failing point found."""
    if not isinstance(net, ReLUNet):
        raise NetworkError(f"expected a ReLUNet, got {type(net).__name__}")
    x, p, tol, budget = to_vector(x, "x"), kernel_p(p), to_rational(tol), _budget(budget)
    if len(x) != net.input_dim:
        raise DimensionMismatchError(f"the network takes {net.input_dim} inputs but x has {len(x)}")
    if not 0 < tol < 1:
        raise NetworkError(f"tol must lie in (0, 1), got {fmt(tol)}")
    m, layers, start = net.output_dim, net.sparse_layers(), time.monotonic()
    goal = _goal(semantics, label, m)
    f0 = evaluate(layers, [x])[0]
    if kernel.regions.violation(layers, kernel.regions.Set(x, p, fmpq(0), False), goal, x) is not None:
        raise NetworkError(f"semantics {semantics!r}: label {label} asks for "
                           f"{_ask(semantics, label)}, but f(x) = {', '.join(map(fmt, f0))} at the centre")
    left = (lambda: None if budget is None else max(budget - (time.monotonic() - start), 1e-3))
    scale = _scale(layers, x)
    sq = (lambda r: r * r) if p == 2 else (lambda r: r)
    w = None
    for e in range(-8, 80, 4):                                    # a failing point: float search on growing balls
        r = scale * (fmpq(2) ** e if e >= 0 else fmpq(1, 2 ** -e))
        w = cover.falsify(layers, kernel.regions.Set(x, p, sq(r), False), goal)
        if w is not None:
            break
    st = _Search(net, x, p, goal, budget, start)
    if w is None:                                                 # none: decide the largest ball exactly
        v = _prove(net, x, p, sq(r), goal, st.share(2))
        if v.is_proved:
            return _radius(p, sq(r), None, v, None)
        if not v.is_refuted:                                      # undecided: prove what the time allows below it
            st.ceiling = sq(r)
            st.narrow(tol, "all")
            return st.result()
        w = to_vector(v.witness["x"])
    st.hi, st.w = _size(w, x, p), w
    st.edge = any(not a[2] for clause in goal for a in clause)   # a non-strict atom: the centre may be on the edge
    zero = _zero(net, layers, x, w, goal, p, left()) if st.edge else None
    if zero is not None:
        return zero
    st.narrow(tol, "grow")                                        # a first positive radius, cheap to prove, x4
    if st.zero is not None:
        return st.zero
    hi = st.hi
    try:
        near = _nearest(layers, kernel.regions.Set(x, p, hi, False), goal, p, st.share(4))
    except ArithmeticError:                                       # the float LP failed: a finder, skipped
        near = None
    for size, y in sorted(near or [], key=lambda t: t[0]):         # the nearest exact failing point, if proved
        if size < st.hi and kernel.regions.violation(layers, _closed(x, y, p), goal, y):
            st.hi, st.w = size, y
            st.ceiling = min(st.ceiling, size) if st.ceiling is not None else None
        if st.lo < size <= st.hi:
            st.attempt(size, st.share(2))
        break
    st.narrow(tol, "all")                                         # grow geometrically, then bisect
    return st.zero if st.zero is not None else st.result()


class _Search:
    """The state of the anytime search for the radius, in the certificate's size (r, or r^2 for p = 2): ``lo``
    proved (``v_lo`` the kernel's verdict), ``hi`` the distance of the exact failing point ``w``, ``ceiling``
    the smallest size whose proof did not come in its share of the time (a failing point may lie above it)."""

    def __init__(self, net, x, p, goal, budget, start):
        self.net, self.x, self.p, self.goal, self.budget, self.start = net, x, p, goal, budget, start
        self.lo, self.v_lo, self.hi, self.w, self.ceiling = fmpq(0), None, None, None, None
        self.edge, self.zero = False, None

    def left(self):
        return None if self.budget is None else self.budget - (time.monotonic() - self.start)

    def share(self, k):
        """1/k of the time left (None: no budget)."""
        t = self.left()
        return None if t is None else max(t / k, 1e-3)

    def top(self):
        return min(t for t in (self.hi, self.ceiling) if t is not None)

    def scaled(self, size, c):
        """The size of c times the radius of ``size``."""
        return size * c * c if self.p == 2 else size * c

    def attempt(self, size, budget):
        """Ask the kernel about the open ball of this size and keep what the answer teaches: linear bounds
        first (no attack, no regions: the cheap proof of a small ball), then the full decision in the time left."""
        t0 = time.monotonic()
        v = _quick(self.net, self.x, self.p, size, self.goal, None if budget is None else budget / 2)
        if not (v.is_proved or v.is_refuted):
            rest = None if budget is None else budget - (time.monotonic() - t0)
            if rest is not None and rest <= 0:
                return v
            v = _prove(self.net, self.x, self.p, size, self.goal, rest)
        if v.is_proved:
            if size > self.lo:
                self.lo, self.v_lo = size, v
        elif v.is_refuted:
            w = to_vector(v.witness["x"])
            if self.hi is None or _size(w, self.x, self.p) < self.hi:
                self.hi, self.w = _size(w, self.x, self.p), w
            if self.ceiling is not None:
                self.ceiling = min(self.ceiling, self.hi)
            if self.edge and self.lo == 0 and self.zero is None:
                self.zero = _zero(self.net, self.net.sparse_layers(), self.x, w, self.goal, self.p, self.share(2))
        else:
            self.ceiling = size if self.ceiling is None else min(self.ceiling, size)
        return v

    def narrow(self, tol, until):
        """Prove larger balls while the time lasts: with nothing proved, 1/64 of the smallest failing or
        unproved radius (cheap: linear bounds prove it at once), then four times the proved radius while that
        stays below 1/4 of it, then the middle; ``until`` "grow" stops before the middle."""
        for _ in range(200):
            if self.zero is not None:
                return
            if self.budget is not None and time.monotonic() - self.start > self.budget:
                return
            top = self.top()
            if self.v_lo is not None and top - self.lo <= tol * top:
                return
            if self.lo == 0:
                t, k = self.scaled(top, fmpq(1, 64)), 4
            elif self.scaled(self.lo, 16) < top:
                t, k = self.scaled(self.lo, 4), 2
            elif until == "grow":
                return
            else:
                t, k = (self.lo + top) / 2, 2
            if t <= 0:
                return
            self.attempt(t, self.share(k))

    def result(self):
        v = self.v_lo
        if v is None:
            v = Verdict.undecided("no positive radius was proved" + (
                "" if self.hi is None else f" (a failing point lies at distance {'sqrt ' if self.p == 2 else ''}"
                                           f"{fmt(self.hi)})"))
        return _radius(self.p, self.lo, self.hi, v, self.w)


def centre_fails(net: ReLUNet, x, label, semantics: str) -> bool:
    """Whether the network misses the label at x itself (exactly), where no ball has a radius."""
    if not isinstance(net, ReLUNet):
        raise NetworkError(f"expected a ReLUNet, got {type(net).__name__}")
    x = to_vector(x, "x")
    if len(x) != net.input_dim:
        raise DimensionMismatchError(f"the network takes {net.input_dim} inputs but x has {len(x)}")
    goal, layers = _goal(semantics, label, net.output_dim), net.sparse_layers()
    return kernel.regions.violation(layers, kernel.regions.Set(x, "inf", fmpq(0), False), goal, x) is not None


def _first_piece(layers, x, w):
    """The largest t in (0, 1] such that every hidden unit keeps one sign on the open segment from x to
    x + t (w - x) (the network is affine on it), by exact arithmetic along the segment: each pre-activation is
    a0 + t a1 there, and its sign just after 0 fixes the unit's state until a0 + t a1 changes sign."""
    a0, a1, T = list(x), [b - a for a, b in zip(x, w)], fmpq(1)
    for l, (rows, bias) in enumerate(layers[:-1]):
        z0 = [sum((c * a0[j] for j, c in r), b) for r, b in zip(rows, bias)]
        z1 = [sum((c * a1[j] for j, c in r), fmpq(0)) for r in rows]
        T = min([T] + [-u / v for u, v in zip(z0, z1) if u * v < 0])
        on = [u > 0 or (u == 0 and v > 0) for u, v in zip(z0, z1)]
        a0, a1 = [u if k else fmpq(0) for u, k in zip(z0, on)], [v if k else fmpq(0) for v, k in zip(z1, on)]
    return T


def _zero(net, layers, x, w, goal, p, budget):
    """Radius 0 (exact) when the goal fails on a whole open segment from the centre x: along x -> w the network
    is affine up to x + t (w - x) (``_first_piece``); if the goal fails at that end point, the kernel is asked
    to prove that it fails at every point of the open segment (an open l_inf ball around its middle cut to the
    line through x and w), so that every ball around x, however small, holds a failing point.  None otherwise."""
    t = _first_piece(layers, x, w)
    y = [a + t * (b - a) for a, b in zip(x, w)]
    hit = kernel.regions.violation(layers, kernel.regions.Set(x, "box", [abs(a - b) for a, b in zip(x, y)], False),
                                   goal, y)
    if hit is None:
        return None
    u, d = [b - a for a, b in zip(x, y)], len(x)
    k = max(range(d), key=lambda j: abs(u[j]))
    rows = []
    for j in range(d):                                  # u_k (z_j - x_j) - u_j (z_k - x_k) = 0: the line
        if j != k:
            n = [u[k] if i == j else -u[j] if i == k else fmpq(0) for i in range(d)]
            e = -sum((a * b for a, b in zip(n, x)), fmpq(0))
            rows += [n + [e], [-a for a in n] + [-e]]
    seg = {"centre": [fmt((a + b) / 2) for a, b in zip(x, y)], "p": "inf", "radius": fmt(abs(u[k]) / 2), "open": True,
           "constraints": [[fmt(t) for t in r] for r in rows]}
    fails = [[_atom([-a for a in g], -h, not strict)] for g, h, strict in goal[hit[1]]]
    doc = _doc(net, "the goal fails on the open segment from the centre", [{"set": seg, "goal": fails}])
    v, cert = decide._decide(doc, budget, "regions")
    if not v.is_proved:
        return None
    v = Verdict.proved(f"radius 0: the centre meets the goal, but every point of the open segment from it to the "
                       f"witness fails clause {hit[1]} ({v.reason})", certificate=cert, **v.details)
    return _radius(p, fmpq(0), fmpq(0), v, y)


def _scale(layers, x):
    """A length at the data's own scale to start the search for failing points from: the largest |x_j|, else
    (x = 0) the smallest distance |b_i| / max_j |W_ij| from 0 to a first-layer hyperplane, else 1."""
    top = max(abs(t) for t in x)
    if top:
        return top
    rows, bias = layers[0]
    dist = [abs(b) / max(abs(w) for _, w in r) for r, b in zip(rows, bias) if b and r]
    return min(dist) if dist else fmpq(1)


def _goal(semantics, label, m):
    if semantics not in kernel.regions.SEMANTICS:
        raise NetworkError(f"semantics must be one of {', '.join(kernel.regions.SEMANTICS)}, got {semantics!r}")
    if (m < 2) if semantics == "argmax" else (m != 1):
        raise DimensionMismatchError(f"semantics {semantics!r} needs {'at least 2 outputs' if semantics == 'argmax' else '1 output'}; "
                                     f"the network has {m}")
    if semantics == "label":
        return kernel.regions.goal_of("label", to_rational(label), m)
    if type(label) is not int or not 1 <= label <= (2 if semantics == "sign" else m):
        raise NetworkError(f"semantics {semantics!r}: the label must be an integer in 1..{2 if semantics == 'sign' else m}, "
                           f"got {label!r}")
    return kernel.regions.goal_of(semantics, label, m)


def _ask(semantics, label):
    return {"label": f"f = {label}", "sign": "f < 0" if label == 1 else "f > 0",
            "argmax": f"output {label} to be the largest"}[semantics]


def _prove(net, x, p, size, goal, budget):
    """The kernel's verdict that the goal holds on the open ball of the given size (r, or r^2 for p = 2)."""
    v, cert = decide._decide(_ball_doc(net, x, p, size, goal), budget, "regions")
    return Verdict.proved(v.reason, certificate=cert, **v.details) if v.is_proved else v


QUICK_LEAVES = 500      # the cheap linear-bounds attempt gives up beyond this many leaves


def _quick(net, x, p, size, goal, budget):
    """The kernel's verdict on a ``linear-bounds`` certificate of the goal on the open ball, found by branch and
    bound in floats (``bab.search``) without the attacks that ``_prove`` runs first; UNDECIDED when none is
    found in the budget."""
    doc = _ball_doc(net, x, p, size, goal)
    d, layers, qs = kernel.regions.questions(doc)
    S, g = qs[0]
    start = time.monotonic()
    out = bab.search(layers, d, S, g, budget, max_leaves=QUICK_LEAVES)
    if out[0] == "refuted":
        return kernel.regions.refute(doc, 0, out[1])
    if out[0] != "proved":
        return Verdict.undecided(f"linear bounds: {out[1]}")
    cert = kernel.sign({**doc, "kind": "linear-bounds", "hints": bab.hints_of([out[1]], layers, d, qs)})
    v = kernel.check(cert, budget=None if budget is None else max(1.0, budget - (time.monotonic() - start)))
    return Verdict.proved(v.reason, certificate=cert, **v.details) if v.is_proved else v


def _ball_doc(net, x, p, size, goal):
    ball_ = {"centre": [fmt(t) for t in x], "p": KERNEL_NAMES[p], "radius_sq" if p == 2 else "radius": fmt(size),
             "open": True}
    return _doc(net, "the goal holds on the open ball", [{"set": ball_, "goal": [[_atom(*a) for a in c] for c in goal]}])


def _radius(p, lo, hi, v, w):
    cert = v.details.get("certificate") if v.is_proved else None
    if p != 2:
        return Radius(lo, hi, p, v, witness=w, certificate=cert)
    return Radius(sqrt_enclosure(lo).lo, None if hi is None else sqrt_enclosure(hi).hi, p, v, lo, hi, w, cert)


__all__ = ["InputSet", "box", "ball", "is_constant_on", "OutputRange", "output_range", "Radius", "certified_radius"]
