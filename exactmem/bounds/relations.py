"""Relations between bound expressions, proved over whole regions of (N, d, rho[, p]).

``dominated(T, U, region)`` decides "T <= C * U on the region for some constant C" and answers
PROVED with an explicit constant and exact certificates, REFUTED with a path inside the region along
which T / U grows polynomially (so no constant and no polylog factor helps), or UNDECIDED.

How: the region (rho in an interval of the registry, extra conditions such as N >= d, real N >= N_min,
d >= 1) and both sides are rewritten as monomials in positive variables:

* ``Min`` / ``Max`` are split into cells (Min(A, B) = A where A <= B, B where B <= A);
* u2 := 1 - rho^2 (and up := 1 - rho^p) become variables: the cell rho^2 >= 1/2 keeps u2 and bounds rho
  in [2^(-1/2), 1]; the cell rho^2 <= 1/2 keeps rho and bounds u2 in [1/2, 1];
  so rho <= sqrt(1 - 1/d) is the monomial condition u2 d >= 1;
* N - 1 is bounded in [N/2, N] (N >= 2), and gamma_p is a variable in [1, sqrt d] (all p at once) unless
  the region fixes p;
* then every term of T is dominated by U on every cell (``domination.dominate``).

Bounds replaced by their sandwich limits make two relaxations: an *outer* one (a larger region, T larger,
U smaller) in which a domination proves the relation, and an *inner* one (a smaller region, T smaller, U
larger) in which a Farkas direction proves it false.  A gap between the two is reported UNDECIDED.

>>> from exactmem.bounds.registry import N, d, rho
>>> v = dominated(sp.sqrt(N * d), N + d, Region(name="N, d >= 1"))
>>> v.is_proved, v.details["constant"]
(True, '1')
>>> w = dominated(N * d ** 2 * rho ** 4, N * d * rho ** 2, Region(name="all rho"))
>>> w.is_refuted, w.witness["growth"]
(True, ['N*d**2*rho**4 / (N*d*rho**2) ~ t^1'])
"""
from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from ..verdict import Verdict, all_of
from .domination import Domination, Growth, Mono, _vars, dominate, emptiness, interior_point, monomials
from .evaluate import compare, enclose_number
from .registry import GAMMA, BoundError, Interval, N, d, gamma_p, p, rho

U2 = sp.Symbol("u2", positive=True)   # 1 - rho^2
UP = sp.Symbol("up", positive=True)   # 1 - rho^p
N1 = sp.Symbol("n1", positive=True)   # N - 1
ATOMS = {U2: "1 - rho^2", UP: "1 - rho^p", N1: "N - 1"}
_SQ = sp.sqrt(1 - 1 / d)
_SQP = (1 - 1 / d) ** (1 / p)


@dataclass(frozen=True)
class Region:
    """rho in ``interval`` (None: (0, 1)) and the ``extra`` relations (sympy <, <=, >, >= between positive
    expressions), for real N >= N_min and d >= 1; ``p`` None lets gamma_p range over [1, sqrt d]."""

    interval: Interval | None = None
    extra: tuple = ()
    N_min: int = 1
    p: object = None
    name: str = ""
    p_choices: tuple = (1, sp.Rational(3, 2), 3, sp.oo)   # fixed p tried for a growth path when gamma_p is free

    def text(self) -> str:
        parts = [f"rho in {self.interval.text()}" if self.interval is not None else "rho in (0, 1)"]
        parts += [sp.sstr(r) for r in self.extra]
        parts.append(f"N >= {self.N_min}, d >= 1")
        if self.p is not None:
            parts.append(f"p = {self.p}")
        return (self.name + ": " if self.name else "") + ", ".join(parts)


def _prep(e, pv):
    e = sp.sympify(e).xreplace({1 - rho ** 2: U2, 1 - rho ** p: UP})
    if pv is not None:
        e = e.subs(GAMMA, gamma_p(pv)).subs(p, pv)
        if pv == sp.oo:
            e = e.subs(UP, 1)          # rho^oo = 0 on (0, 1)
        elif pv == 2:
            e = e.subs(UP, U2)
    return e.xreplace({N - 1: N1})


def _rels(region: Region) -> list:
    """(lhs, rhs, strict, why) meaning lhs <= rhs (or <)."""
    out = [(sp.Integer(region.N_min), N, False, f"N >= {region.N_min}"), (sp.S.One, d, False, "d >= 1")]
    iv = region.interval
    if iv is not None:
        if iv.lo == 0 and iv.hi == 0:
            raise BoundError("the non-robust case rho = 0 has no region")
        if iv.lo != 0:
            why = f"rho {'>' if iv.lo_open else '>='} {sp.sstr(iv.lo)}"
            if iv.lo == _SQ:
                out.append((U2 * d, sp.S.One, iv.lo_open, why))
            elif iv.lo == _SQP:
                out.append((UP * d, sp.S.One, iv.lo_open, why))
            else:
                out.append((iv.lo, rho, iv.lo_open, why))
        if iv.hi != 1:
            why = f"rho {'<' if iv.hi_open else '<='} {sp.sstr(iv.hi)}"
            if iv.hi == _SQ:
                out.append((sp.S.One, U2 * d, iv.hi_open, why))
            elif iv.hi == _SQP:
                out.append((sp.S.One, UP * d, iv.hi_open, why))
            else:
                out.append((rho, iv.hi, iv.hi_open, why))
    for r in region.extra:
        if isinstance(r, (sp.LessThan, sp.StrictLessThan)):
            out.append((r.lhs, r.rhs, isinstance(r, sp.StrictLessThan), sp.sstr(r)))
        elif isinstance(r, (sp.GreaterThan, sp.StrictGreaterThan)):
            out.append((r.rhs, r.lhs, isinstance(r, sp.StrictGreaterThan), sp.sstr(r)))
        else:
            raise BoundError(f"extra condition {r!r} is not an inequality")
    return out


@dataclass
class _Cell:
    label: str
    T: object
    U: object
    conds: list            # (Mono, strict, why): Mono <= 1, may contain atoms
    atoms: dict            # symbol -> (lo Mono, hi Mono)
    outer_only: list
    inner_only: list
    at_least_one: tuple = ()   # Monos X (floor arguments) that must be >= 1 for floor(X) in [X/2, X]


def _floors(T, U):
    """Replace floor(X) by symbols f_k; return T, U and {f_k: X}."""
    nodes = sorted(sp.sympify(T).atoms(sp.floor) | sp.sympify(U).atoms(sp.floor), key=sp.default_sort_key)
    rep = {node: sp.Symbol(f"floor({sp.sstr(node.args[0])})", positive=True) for node in nodes}
    return sp.sympify(T).xreplace(rep), sp.sympify(U).xreplace(rep), {f: node.args[0] for node, f in rep.items()}


def _ratio(lhs, rhs) -> Mono:
    ms = monomials(sp.powsimp(sp.sympify(lhs) / sp.sympify(rhs), force=True))
    if len(ms) != 1:
        raise BoundError(f"{lhs} <= {rhs} is not a monomial condition")
    return ms[0]


def _cells(T, U, region: Region) -> list:
    pv = region.p
    conds = [(_ratio(_prep(a, pv), _prep(b, pv)), s, why) for a, b, s, why in _rels(region)]
    T, U, floors = _floors(_prep(T, pv), _prep(U, pv))
    atoms, ones = {}, []
    for f, X in floors.items():
        Xm = _ratio(X, 1)
        atoms[f] = (Xm * Mono(sp.Rational(1, 2)), Xm)
        ones.append(Xm)
    cells = [_Cell("", T, U, conds, atoms, [], [], tuple(ones))]
    # Min / Max cells
    done = []
    while cells:
        c = cells.pop()
        nodes = sorted((c.T.atoms(sp.Min, sp.Max) | c.U.atoms(sp.Min, sp.Max)), key=sp.default_sort_key)
        if not nodes:
            done.append(c)
            continue
        node = nodes[0]
        for i, a in enumerate(node.args):
            extra = []
            for j, b in enumerate(node.args):
                if j != i:
                    lhs, rhs = (a, b) if isinstance(node, sp.Min) else (b, a)
                    extra.append((_ratio(lhs, rhs), False, f"{sp.sstr(node)} = {sp.sstr(a)}"))
            cells.append(_Cell(c.label + f"[{sp.sstr(node)} = {sp.sstr(a)}]", c.T.xreplace({node: a}),
                               c.U.xreplace({node: a}), c.conds + extra, dict(c.atoms), [], [], c.at_least_one))
    out = []
    for c in done:
        syms = set(c.T.free_symbols) | set(c.U.free_symbols)
        for m, _, _ in c.conds:
            syms.update(v for v, _ in m.exps)
        if U2 in syms and UP in syms:
            raise BoundError("1 - rho^2 and 1 - rho^p in one relation are not supported")
        half, one = Mono(sp.Rational(1, 2)), Mono(sp.S.One)
        if N1 in syms:
            if region.N_min < 2:
                raise BoundError("N - 1 needs a region with N >= 2")
            c.atoms[N1] = (Mono(sp.Rational(1, 2), ((N, sp.S.One),)), Mono(sp.S.One, ((N, sp.S.One),)))
        if p in syms:
            c.conds = c.conds + [(Mono(sp.S.One, ((p, sp.Integer(-1)),)), False, "p >= 1")]
        if GAMMA in syms:
            c.conds = c.conds + [(Mono(sp.S.One, ((GAMMA, sp.Integer(-1)),)), False, "gamma_p >= 1"),
                                 (Mono(sp.S.One, ((GAMMA, sp.S.One), (d, sp.Rational(-1, 2)))), False,
                                  "gamma_p <= sqrt(d)")]
        if U2 in syms or UP in syms:
            u = U2 if U2 in syms else UP
            a = _Cell(c.label + ("[rho^2 >= 1/2]" if u is U2 else "[rho^p >= 1/2]"), c.T, c.U,
                      c.conds + [(Mono(sp.Integer(2), ((u, sp.S.One),)), False, f"{ATOMS[u]} <= 1/2")],
                      dict(c.atoms), [], [], c.at_least_one)
            a.atoms[rho] = (Mono(sp.sqrt(2) / 2 if u is U2 else sp.Rational(1, 2)), one)
            b = _Cell(c.label + ("[rho^2 <= 1/2]" if u is U2 else "[rho^p <= 1/2]"), c.T, c.U, list(c.conds),
                      dict(c.atoms), [], [], c.at_least_one)
            b.atoms[u] = (half, one)
            if u is U2:
                b.conds.append((Mono(sp.Integer(2), ((rho, sp.Integer(2)),)), False, "rho^2 <= 1/2"))
            else:
                b.outer_only.append((Mono(sp.S.One, ((rho, sp.S.One),)), True, "rho < 1"))
                b.inner_only.append((Mono(sp.Integer(2), ((rho, sp.S.One),)), False, "rho <= 1/2 (so rho^p <= 1/2)"))
            out += [a, b]
        else:
            if rho in syms:
                c.conds.append((Mono(sp.S.One, ((rho, sp.S.One),)), True, "rho < 1"))
            out.append(c)
    return out


def _replace(m: Mono, atoms: dict, upper: bool) -> Mono:
    """Replace every atom by its upper (upper=True) or lower bound, so the monomial gets larger (smaller);
    bounds that contain atoms themselves (floor(1/u2) in [1/(2 u2), 1/u2]) are replaced in turn."""
    for _ in range(10):
        if not any(s in atoms for s, _ in m.exps):
            return m
        out = Mono(m.coef)
        for s, x in m.exps:
            if s in atoms:
                lo, hi = atoms[s]
                out = out * (hi if (x > 0) == upper else lo) ** x
            else:
                out = out * Mono(sp.S.One, ((s, x),))
        m = out
    raise BoundError("atoms nested too deeply")


def _path_text(cell, y, x0) -> str:
    parts = []
    for v in sorted(set(y) | set(x0), key=lambda s: s.name):
        name = ATOMS.get(v, v.name)
        parts.append(f"{name} = 2^({x0.get(v, 0)}) * t^({sp.Rational(int(y.get(v, 0).p), int(y.get(v, 0).q)) if v in y else 0})")
    if rho in cell.atoms and U2 in x0:
        parts.append("rho = sqrt(1 - u2)")
    if rho in cell.atoms and UP in x0:
        parts.append("rho = (1 - up)^(1/p)")
    return ", ".join(parts) + ", t -> oo"


def dominated(T, U, region: Region, what: str = "") -> Verdict:
    """Is T <= C * U on the whole region for a constant C?  PROVED (with C), REFUTED (with a path), UNDECIDED."""
    what = what or f"{sp.sstr(T)} <= C * ({sp.sstr(U)})"
    try:
        cells = _cells(T, U, region)
    except BoundError as e:
        return Verdict.undecided(f"{what}: {e}")
    free_gamma = region.p is None and any((GAMMA in c.T.free_symbols | c.U.free_symbols) or
                                          (p in c.T.free_symbols | c.U.free_symbols) or
                                          any({GAMMA, p} & {v for v, _ in m.exps} for m, _, _ in c.conds)
                                          for c in cells)
    constant, certs, report, inside, failed = sp.S.Zero, [], [], None, []
    for c in cells:
        try:
            Tm, Um = monomials(c.T), monomials(c.U)
        except BoundError as e:
            return Verdict.undecided(f"{what} on {c.label or 'the region'}: {e}")
        cons_out = [_replace(m, c.atoms, False) for m, _, _ in c.conds] + [m for m, _, _ in c.outer_only]
        inner = [(_replace(m, c.atoms, True), st) for m, st, _ in c.conds] + [(m, st) for m, st, _ in c.inner_only]
        cons_in = [m for m, _ in inner]
        strict_in = [st for _, st in inner]
        if inside is None:
            x0 = interior_point(cons_in, _vars(cons_in), strict_in)
            if x0 is not None:
                inside = (c.label, x0)
        empty = emptiness(cons_out)
        if empty is not None:
            report.append(f"{c.label or 'region'}: empty")
            certs.append(empty)
            continue
        for X in c.at_least_one:   # floor(X) in [X/2, X] needs X >= 1 on the cell
            one = dominate(_replace(Mono(sp.S.One) / X, c.atoms, True), [Mono(sp.S.One)], cons_out)
            if not isinstance(one, Domination) or compare(one.K, 1) > 0:
                return Verdict.undecided(f"{what}: could not prove {X} >= 1 on {c.label or 'the region'}")
        U_out = [_replace(m, c.atoms, False) for m in Um]
        total = sp.S.Zero
        for t in Tm:
            res = dominate(_replace(t, c.atoms, True), U_out, cons_out)
            if isinstance(res, Domination):
                certs.append(res)
                total += res.K
                continue
            failed.append(f"the term {t} on {c.label or 'the region'}")
            if free_gamma:   # a path must keep p fixed: try fixed values of p below
                continue
            U_in = [_replace(m, c.atoms, True) for m in Um]
            t_in = _replace(t, c.atoms, False)
            ray = dominate(t_in, U_in, cons_in)
            if isinstance(ray, Domination):
                continue
            vars_ = _vars([t_in, *U_in, *cons_in])
            x0 = interior_point(cons_in, vars_, strict_in)
            if x0 is None:
                continue
            g = Growth(t_in, tuple(U_in), tuple(cons_in), ray, x0, tuple(strict_in))
            if not g.check():
                continue
            gains = [f"{t} / ({sp.sstr(u.expr())}) ~ t^"
                     f"{sum((sp.Rational(int(ray.get(v, 0).p), int(ray.get(v, 0).q)) * x for v, x in (t_in / u).exps), sp.S.Zero)}"
                     for u in U_in]
            path = _path_text(c, ray, x0)
            return Verdict.refuted(
                f"{what} fails on {region.text()}: along {path} (inside {c.label or 'the region'}), the term {t} "
                f"over each term of the right side grows like a positive power of t",
                {"cell": c.label, "term": str(t), "path": path, "growth": gains,
                 "direction": {ATOMS.get(v, v.name): str(val) for v, val in ray.items()},
                 "base_log2": {ATOMS.get(v, v.name): str(val) for v, val in x0.items()}},
                certificate=g)
        report.append(f"{c.label or 'region'}: constant {sp.sstr(total)}")
        if compare(total, constant) > 0:
            constant = total
    if failed and free_gamma:
        from dataclasses import replace
        for pv in region.p_choices:
            v = dominated(T, U, replace(region, p=pv), what)
            if v.is_refuted:
                return v
    if failed:
        return Verdict.undecided(f"{what}: not dominated ({'; '.join(failed[:3])}), and no growth path was found")
    if inside is None:
        return Verdict.undecided(f"{what}: no interior point of {region.text()} was found (empty region?)")
    up = enclose_number(constant, 6).hi if not constant.is_Rational else constant
    return Verdict.proved(f"{what} on {region.text()} with C = {sp.sstr(constant)} (<= {up}); "
                          + "; ".join(report), constant=sp.sstr(constant), constant_upper=str(up),
                          certificates=certs, cells=report, interior=inside)


def equivalent(A, B, region: Region, what: str = "") -> Verdict:
    """A and B within constant factors of each other on the whole region (both dominations)."""
    what = what or f"{sp.sstr(A)} ~ {sp.sstr(B)}"
    v1 = dominated(A, B, region, f"{what} (<=)")
    v2 = dominated(B, A, region, f"{what} (>=)")
    return all_of([v1, v2], what)


def gap(T, U, region: Region, what: str = "") -> Verdict:
    """'T is not O(U polylog) on the region': PROVED by a growth path, REFUTED by a domination certificate."""
    what = what or f"{sp.sstr(T)} is not O~({sp.sstr(U)})"
    v = dominated(T, U, region)
    if v.is_refuted:
        return Verdict.proved(f"{what}: {v.reason}", v.witness, **v.details)
    if v.is_proved:
        return Verdict.refuted(f"{what} is false: {v.reason}", {"constant": v.details["constant"]}, **v.details)
    return v


# ---- exact identities ---------------------------------------------------------------------------------------

_POINTS = [(3, 16, sp.Rational(1, 100), sp.Integer(1)), (5, 9, sp.Rational(1, 7), sp.Integer(3)),
           (2, 4, sp.Rational(1, 3), sp.oo), (7, 2, sp.Rational(3, 5), sp.Rational(3, 2)),
           (40, 1000, sp.Rational(1, 50), sp.Integer(4))]


def _value(e, point):
    from .evaluate import exact_value
    Nv, dv, rv, pv = point
    return exact_value(sp.sympify(e).subs(GAMMA, gamma_p(p)), {N: Nv, d: dv, rho: rv, p: pv})


def identical(a, b, what: str = "") -> Verdict:
    """a = b as functions of N, d, rho (p, gamma_p): PROVED if sympy rewrites a - b to 0; REFUTED with a
    rational point where the two exact values differ (decided rigorously); else UNDECIDED."""
    what = what or f"{sp.sstr(a)} = {sp.sstr(b)}"
    a, b = sp.sympify(a), sp.sympify(b)
    diff = sp.powsimp(sp.expand(a - b), force=True)
    if diff == 0 or sp.simplify(diff) == 0:
        return Verdict.proved(f"{what}: identical (exact rewriting)")
    for pt in _POINTS:
        try:
            va, vb = _value(a, pt), _value(b, pt)
            if compare(va, vb) != 0:
                return Verdict.refuted(f"{what} is false: at N={pt[0]}, d={pt[1]}, rho={pt[2]}, p={pt[3]} the values "
                                       f"are {sp.sstr(va)} and {sp.sstr(vb)}",
                                       {"N": pt[0], "d": pt[1], "rho": str(pt[2]), "p": str(pt[3]),
                                        "left": sp.sstr(va), "right": sp.sstr(vb)})
        except BoundError:
            continue
    return Verdict.undecided(f"{what}: not rewritten to 0, and no point separating them was found")


# ---- monotonicity in rho ------------------------------------------------------------------------------------

def _positive_free(e) -> bool:
    """Structurally positive, for positive symbols (N - 1 counts as positive: N >= 2 in the dataset class)."""
    if e.is_number:
        return bool(e.is_positive)
    if e.is_Symbol:
        return bool(e.is_positive)
    if e == N - 1:
        return True
    if isinstance(e, (sp.Add, sp.Mul, sp.Min, sp.Max)):
        return all(_positive_free(a) for a in e.args)
    if e.is_Pow:
        return _positive_free(e.base) and (e.exp.is_real is True or e.exp.is_number)
    if isinstance(e, sp.Abs):
        return True
    return False


def rho_direction(e):
    """(positive, direction) of a bound expression in rho on (0, 1): direction +1 non-decreasing, -1
    non-increasing, 0 constant, None when this structural argument does not decide it.

    >>> rho_direction(N * d ** 2 * rho ** 4 + d), rho_direction(1 / sp.sqrt(1 - rho ** 2))
    ((True, 1), (True, 1))
    """
    e = sp.sympify(e)
    if rho not in e.free_symbols:
        return _positive_free(e), 0
    if e == rho:
        return True, 1
    if e in (1 - rho ** 2, 1 - rho ** p):
        return True, -1
    if e.is_Pow:
        pos, dr = rho_direction(e.base)
        if rho in e.exp.free_symbols or dr is None or not pos:
            return pos, None
        if e.exp.is_positive:
            return True, dr
        if e.exp.is_negative:
            return True, -dr
        return True, None
    if isinstance(e, (sp.Add, sp.Mul, sp.Min, sp.Max)):
        parts = [rho_direction(a) for a in e.args]
        pos = all(q for q, _ in parts)
        dirs = {dr for _, dr in parts}
        if not pos or None in dirs:
            return pos, None
        if dirs <= {0, 1}:
            return True, (1 if 1 in dirs else 0)
        if dirs <= {0, -1}:
            return True, (-1 if -1 in dirs else 0)
        return True, None
    return _positive_free(e), None
