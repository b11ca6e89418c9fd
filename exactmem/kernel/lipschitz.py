"""Lipschitz constants of a ReLU network on a set, proved (kind ``lipschitz``).

``data``: ``set`` (a box, an l_p ball or the whole space ``{"all": true}``, as in ``region-cover``, with
interior), ``p`` (the norm "1", "2" or "inf", on inputs and outputs), ``upper`` (a bound U on Lip; for p = 2
``upper_sq``, a bound on Lip^2) and optionally ``point`` with ``lower`` (``lower_sq``).  With one output the
constant is measured by the gradient's dual norm; with m outputs by the l_p operator norm of the Jacobian
J (max row sum of |J| for inf, max column sum for 1; for 2 the largest eigenvalue of J^T J, an algebraic
number compared with U exactly through the characteristic polynomial: its roots are real, so Descartes'
rule counts those above U exactly).

The upper bound: ``hints.tree`` is a region tree as in ``region-cover`` whose leaves hold no goals.  On a
leaf where every unit is split or proved stable the network is one affine map, and the kernel checks
||J|| <= U.  A leaf may leave units *free* (neither split nor proved): from their layer on the Jacobian is
bounded entrywise by interval arithmetic (a free unit's derivative lies in [0, 1]), and ||J|| <= ||A|| for
A the entrywise bound on |J|; for one output, p = 2 and free units in the last hidden layer only, the
pairwise bound ``pairs`` serves too.  A leaf may instead be ``empty``, or ``flat`` (its region lies in a
hyperplane).  f is continuous and piecewise affine, so on the convex set its Lipschitz constant is the
largest Jacobian norm over pieces with interior, each of which lies in some leaf.

The lower bound: at ``point``, an interior point of the set where no hidden pre-activation is zero, f is
affine nearby with Jacobian J, so Lip >= ||J|| >= lower, which the kernel checks (``details["value"]`` is
||J||, a rational, except for several outputs with p = 2).  The constant is *attained* when every leaf's bound
is at most ``lower`` or the leaf has the point's Jacobian: then Lip = ||J at the point|| exactly.  A set cut by
constraints must come with the point (else it might have no interior, and flat leaves would prove anything);
a negative bound is never proved.  Cost: one exact affine pass per leaf.
"""
from __future__ import annotations

from flint import fmpq, fmpq_mat, fmpq_poly

from ..errors import CertificateError
from ..verdict import Verdict
from . import parse, regions


def norm(g, p):
    """The dual norm of the gradient g for the input norm p (squared for p = 2)."""
    return sum((t * t for t in g), fmpq(0)) if p == 2 else \
        sum(map(abs, g), fmpq(0)) if p == "inf" else max(map(abs, g))


def _gram(J):
    """J J^T or J^T J, whichever is smaller: its eigenvalues are those of J^T J (and zeros)."""
    A = fmpq_mat(J)
    return A * A.transpose() if len(J) <= len(J[0]) else A.transpose() * A


def _above(G, t):
    """The number of eigenvalues of the symmetric matrix G above t: its characteristic polynomial chi has
    only real roots, so Descartes' rule of signs on chi(t + s) counts them exactly."""
    c = [x for x in G.charpoly()(fmpq_poly([t, 1])).coeffs() if x != 0]
    return sum(1 for a, b in zip(c, c[1:]) if (a > 0) != (b > 0))


def _top(J, p):
    """||J|| for one row (the dual norm, squared for p = 2) or for p in (1, inf): a rational."""
    if len(J) == 1:
        return norm(J[0], p)
    if p == "inf":
        return max(sum(map(abs, r), fmpq(0)) for r in J)
    return max(sum((abs(r[j]) for r in J), fmpq(0)) for j in range(len(J[0])))


def at_most(J, p, U):
    """||J|| <= U (||J||^2 <= U for p = 2), exactly, for a rational matrix J given by rows."""
    if len(J) == 1 or p != 2:
        return _top(J, p) <= U
    return U >= 0 and _above(_gram(J), U) == 0


def at_least(J, p, L):
    """||J|| >= L (||J||^2 >= L for p = 2), exactly."""
    if len(J) == 1 or p != 2:
        return _top(J, p) >= L
    G = _gram(J)
    return L <= 0 or _above(G, L) > 0 or G.charpoly()(L) == 0


def jacobian(layers, x, d):
    """The exact Jacobian (rows) of the outputs at x, or None if some hidden pre-activation is 0 there -- unless
    that unit's map is 0 on the whole region (a zero row): then it is 0 near x and its state does not matter."""
    X = fmpq_mat(d, 1, x)
    for l, M, m in regions.passes(layers, d):
        if l == len(layers) - 1:
            return [[M[i, j] for j in range(d)] for i in range(M.nrows())]
        z = (M * X + m).entries()
        for j, t in enumerate(z):
            if t == 0 and any(M[j, c] != 0 for c in range(d)):
                return None
            if t <= 0:
                regions.off(M, m, j)


def envelope(layers, l, M, states, d):
    """Rows of an entrywise bound on |J| over a leaf whose layer l has pre-activation map M and unit states
    (True on, False off, None free; every later unit free): interval arithmetic on the Jacobian."""
    lo = [[M[i, j] if s is not False else fmpq(0) for j in range(d)] for i, s in enumerate(states)]
    hi = [list(r) for r in lo]
    for i, s in enumerate(states):
        if s is None:
            lo[i], hi[i] = [min(t, 0) for t in lo[i]], [max(t, 0) for t in hi[i]]
    for k, (rows, _) in enumerate(layers[l + 1:], l + 1):
        P, N = fmpq_mat(len(rows), len(lo)), fmpq_mat(len(rows), len(lo))
        for i, r in enumerate(rows):
            for j, w in r:
                (P if w > 0 else N)[i, j] = w
        Lo, Hi = fmpq_mat(lo), fmpq_mat(hi)
        lo, hi = (P * Lo + N * Hi).tolist(), (P * Hi + N * Lo).tolist()
        if k < len(layers) - 1:
            lo, hi = [[min(t, 0) for t in r] for r in lo], [[max(t, 0) for t in r] for r in hi]
    return [[max(-a, b) for a, b in zip(r, s)] for r, s in zip(lo, hi)]


def pairs(layers, l, M, states, d):
    """For one output whose free units all lie in the last hidden layer (l), a bound on ||grad||^2 over the
    leaf: with g0 the gradient of the units on and v_j = a_j M_j for the free ones (a the output weights),
    ||g0 + sum t_j v_j||^2 <= ||g0||^2 + sum_j (2 max(0, g0.v_j) + ||v_j||^2) + 2 sum_{i<j} max(0, v_i.v_j)
    for t in [0, 1]^F.  None where it does not apply."""
    if l != len(layers) - 2 or len(layers[-1][0]) != 1:
        return None
    a = dict(layers[-1][0][0])
    on = [j for j, s in enumerate(states) if s is True and j in a]
    free = [j for j, s in enumerate(states) if s is None and j in a]
    V = fmpq_mat([[a[j] * M[j, c] for c in range(d)] for j in free]) if free else None
    g = fmpq_mat(1, d, [sum((a[j] * M[j, c] for j in on), fmpq(0)) for c in range(d)])
    out = (g * g.transpose())[0, 0]
    if V is None:
        return out
    b, Q = (V * g.transpose()).entries(), (V * V.transpose()).tolist()
    out += sum((2 * max(t, 0) + Q[i][i] for i, t in enumerate(b)), fmpq(0))
    return out + 2 * sum((max(Q[i][j], 0) for i in range(len(free)) for j in range(i)), fmpq(0))


def proved(what, U, low, leaves, attained, value) -> Verdict:
    return Verdict.proved(f"{what} <= {U} on the set ({leaves} leaf region(s))" +
                          (f", and {what} >= {low} at an interior point" if low is not None else "") +
                          (" where it is attained" if attained else ""),
                          leaves=leaves, upper=str(U), lower=None if low is None else str(low), attained=attained,
                          value=value)


def check(doc, progress=None, clock=lambda: None, share=None) -> Verdict:
    """The verdict; ``share`` = (s, n) proves only the leaves k with k mod n = s, as ``regions.check``."""
    d, layers = regions.dense_network(doc.get("network"))
    data = parse.obj(doc.get("data"), "data")
    S = regions.parse_set(data.get("set"), d, "data.set")
    p = regions.NORMS.get(data.get("p")) if isinstance(data.get("p"), str) else None
    if p is None:
        raise CertificateError("data.p must be '1', '2' or 'inf'")
    if (S.p == "box" and any(r <= 0 for r in S.r)) or (S.p not in ("box", "all") and S.r <= 0):
        raise CertificateError("data.set must be full-dimensional (every half-width and the radius > 0)")
    sq = "_sq" if p == 2 else ""
    U = parse.rational(data.get("upper" + sq), f"data.upper{sq}")
    stray = [k for k in ("upper", "upper_sq", "lower", "lower_sq") if k in data and k not in (
        ("upper" + sq,) + (("lower" + sq,) if "point" in data else ()))]
    if stray:
        raise CertificateError(f"data.{stray[0]} is not read for p = {data['p']}" +
                               (" without data.point" if stray[0].startswith("lower") else ""))
    if U < 0:
        return Verdict.undecided(f"the claimed bound {U} is negative: no Lipschitz constant is")
    low = Jx = None
    if data.get("point") is not None:
        x = parse.vector(data["point"], "data.point", d)
        low = parse.rational(data.get("lower" + sq), f"data.lower{sq}")
        Jx = jacobian(layers, x, d) if S.contains(x, strict=True) else None
        if Jx is None or not at_least(Jx, p, low):
            return Verdict.undecided(f"data.point is not an interior point of the set with no zero pre-activation "
                                     f"and a Jacobian of norm{'^2' if sq else ''} at least {low}")
    if S.cons and Jx is None:          # constraints may leave S without interior, where flat leaves prove nothing
        return Verdict.undecided("a set cut by constraints needs data.point, an interior point, to show it has one")
    tree = parse.obj(doc.get("hints"), "hints").get("tree")
    widths, leaves, done, attained = [len(r) for r, _ in layers[:-1]], 0, 0, low is not None

    def final(outs, partial):
        nonlocal attained
        if outs is not None:
            J = [c for c, _ in outs]
            ok, below = at_most(J, p, U), low is not None and (J == Jx or at_most(J, p, low))
        else:
            A, q = envelope(layers, *partial, d), pairs(layers, *partial, d) if p == 2 else None
            ok = at_most(A, p, U) or q is not None and q <= U
            below = low is not None and (at_most(A, p, low) or q is not None and q <= low)
        if not ok:
            return f"the Jacobian's norm{'^2' if sq else ''} {'on' if outs else 'bound over'} the leaf exceeds {U}"
        attained = attained and below
        return None
    for path, node, left in regions.each_leaf(tree, widths, "hints.tree", clock):
        leaves += 1
        if share is not None and (leaves - 1) % share[1] != share[0]:
            continue
        why, done = regions.leaf(layers, S, [], path, node, d, final), done + 1
        if progress:
            progress(leaves, leaves + left)
        if why:
            return Verdict.undecided(f"leaf on path {[(a, b, s) for a, b, s in path]}: {why}", leaves=leaves)
    return proved("Lip^2" if sq else "Lip", U, low, done, attained,
                  None if Jx is None or (p == 2 and len(Jx) > 1) else str(_top(Jx, p)))
