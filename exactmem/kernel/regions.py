"""What any ReLU network does on a ball, box or polytope, proved region by region (kind ``region-cover``).

A *question* is an input set S -- an open or closed l_p ball (p = 1, 2, inf), a closed box or the whole
space R^d (``{"all": true}``), cut by optional constraints a.x + b >= 0 -- and a *goal* on the outputs: a conjunction of clauses, each a
disjunction of atoms g.f(x) + h > 0 (strict) or >= 0.  ``data.questions`` lists questions; or the
certificate's dataset, with rho, p and a semantics in ``data``, stands for one question per point (the open
ball B_p(x_i, rho eps_D)):

* ``label``: one output, f = y_i on the ball (f - y_i >= 0 and y_i - f >= 0), the paper's definition;
* ``argmax``: C outputs, f_{y_i} > f_j for every j != y_i (a tie is an error);
* ``sign``: one output, f < 0 for label 1 and f > 0 for label 2.

The hint for a question is a binary tree in preorder: ``{"split": [l, j]}`` (children: z_lj <= 0, then
z_lj >= 0, z_lj the pre-activation of unit j of hidden layer l) or a leaf.  On a leaf the kernel walks the
layers, giving every unit a sign: its split on the path, a hinted sign ``[l, j, s, lam]`` proved on the
constraints established so far, or a sign it proves with lam = 0; the network is then one affine map on the
leaf's region Q (every point of S whose true pre-activations have the path's signs lies in Q).  A leaf then
proves one atom per clause (``goals: [[r, lam], ...]``), or a positive combination of its atoms (r =
[[i, w], ...], ``mix``), or ``{"empty": lam}`` shows Q meets no point of S.

Every fact is one inequality, proved by multipliers lam >= 0 on the established constraints c_k.x + e_k >= 0
(a unit's split or sign, or an input constraint, keyed [l, j] or [-1, i]): with v = g - sum lam_k c_k and
L = h - sum lam_k e_k + v.x0, every x in Q has g.x + h >= L + v.(x - x0) >= L - R(v), R(v) the largest
|v.(x - x0)| on S (mu ||v||_q for a ball, sum r_j |v_j| for a box, compared squared for p = 2; on R^d
v must vanish), and the bound is not attained on an open ball when v != 0.  Cost per leaf: one exact affine pass through the
network plus one dot product per multiplier.
"""
from __future__ import annotations

from flint import fmpq, fmpq_mat

from ..errors import CertificateError
from ..verdict import Verdict
from . import parse
from .engine import evaluate
from .separation import integer_rows, min_cross

NORMS = {"1": 1, "2": 2, "inf": "inf"}
SEMANTICS = ("label", "argmax", "sign")
DENSE_LIMIT = 5 * 10 ** 7        # the dense matrices of one leaf's affine pass, in entries


class Set:
    """An input set: centre x0, and radius data (p, r or r^2, open) or box radii; extra constraints."""

    def __init__(self, x0, p, r, open_, cons=()):
        self.x0, self.p, self.r, self.open, self.cons = x0, p, r, open_, list(cons)

    def reach(self, v):
        """(L >= R(v), L > R(v)) as a function of L: the exact comparison with the set's support."""
        if self.p == "all":                              # R^d: bounded below only when v = 0
            flat = not any(v)
            return lambda L: (flat and L >= 0, flat and L > 0)
        if self.p == 2:
            n2 = sum((t * t for t in v), fmpq(0)) * self.r
            return lambda L: (L >= 0 and L * L >= n2, L > 0 and L * L > n2)
        R = sum((abs(t) * s for t, s in zip(v, self.r)), fmpq(0)) if self.p == "box" else \
            self.r * (max(map(abs, v)) if self.p == 1 else sum(map(abs, v), fmpq(0)))
        return lambda L: (L >= R, L > R)

    def contains(self, x, strict=False):
        """x lies in S; with ``strict``, in its interior (every inequality strict, also a closed set's, except a
        constraint 0.x + e >= 0: true everywhere or nowhere)."""
        diff = [a - b for a, b in zip(x, self.x0)]
        if self.p == "all":
            inside = True
        elif self.p == "box":
            inside = all(abs(t) < s if strict else abs(t) <= s for t, s in zip(diff, self.r))
        else:
            n = sum((t * t for t in diff), fmpq(0)) if self.p == 2 else \
                max(map(abs, diff)) if self.p == "inf" else sum(map(abs, diff), fmpq(0))
            inside = n < self.r if self.open or strict else n <= self.r
        values = ((sum((a * t for a, t in zip(c, x)), e), any(c)) for c, e in self.cons)
        return inside and all(v > 0 if strict and cut else v >= 0 for v, cut in values)


def parse_set(v, d, where):
    v = parse.obj(v, where)
    rows = v.get("constraints", [])
    if not isinstance(rows, list) or not all(isinstance(c, list) and len(c) == d + 1 for c in rows):
        raise CertificateError(f"{where}.constraints must be rows [a_1, ..., a_d, b] (a.x + b >= 0)")
    cons = [(parse.vector(c[:-1], f"{where}.constraints[{i}]", d), parse.rational(c[-1], f"{where}.constraints[{i}]"))
            for i, c in enumerate(rows)]
    if v.get("all") is True:
        if set(v) - {"all", "constraints"}:
            raise CertificateError(f"{where}: the whole space (all: true) takes only constraints")
        return Set([fmpq(0)] * d, "all", None, True, cons)
    if "box" in v:
        box = v["box"]
        if "open" in v or "p" in v:
            raise CertificateError(f"{where}: a box is closed and has no p; give a box or a ball, not both")
        if not isinstance(box, list) or len(box) != 2:
            raise CertificateError(f"{where}.box must be [lower, upper]")
        lo, hi = parse.vector(box[0], f"{where}.box[0]", d), parse.vector(box[1], f"{where}.box[1]", d)
        if any(a > b for a, b in zip(lo, hi)):
            raise CertificateError(f"{where}.box: a lower bound exceeds its upper bound")
        return Set([(a + b) / 2 for a, b in zip(lo, hi)], "box", [(b - a) / 2 for a, b in zip(lo, hi)], False, cons)
    p = NORMS.get(v.get("p")) if isinstance(v.get("p"), str) else None
    r = parse.rational(v.get("radius_sq" if p == 2 else "radius"), f"{where}.radius") if p else None
    if p is None or r < 0 or not isinstance(v.get("open"), bool):
        raise CertificateError(f"{where} must be a box [lower, upper] or a ball with centre, p in '1', '2', 'inf', "
                               f"radius (radius_sq for p = 2) >= 0 and open true/false")
    return Set(parse.vector(v.get("centre"), f"{where}.centre", d), p, r, v["open"], cons)


def _atom(a, m, where):
    if not isinstance(a, list) or len(a) != 3 or not isinstance(a[2], bool):
        raise CertificateError(f"{where} must be [[g_1, ..., g_m], h, strict]")
    return parse.vector(a[0], where, m), parse.rational(a[1], where), a[2]


def dense_network(v):
    """``parse.network``, refusing networks whose per-leaf dense matrices would exceed ``DENSE_LIMIT`` entries
    (before anything of the input's dimension is allocated)."""
    d, layers = parse.network(v)
    dense = sum(len(rows) * (len(layers[l - 1][0]) if l else d) for l, (rows, _) in enumerate(layers))
    if dense > DENSE_LIMIT:
        raise CertificateError(f"the network has {dense} dense weight entries; region trees are checked with "
                               f"dense matrices per leaf, up to {DENSE_LIMIT}")
    return d, layers


def questions(doc):
    """(d, layers, [(Set, goal)]) of a region-cover certificate; a goal is a list of clauses of atoms."""
    d, layers = dense_network(doc.get("network"))
    m, data = len(layers[-1][0]), parse.obj(doc.get("data"), "data")
    if doc.get("dataset") is not None and "questions" in data:
        raise CertificateError("a region-cover certificate has a dataset or data.questions, not both")
    if doc.get("dataset") is None:
        qs = data.get("questions")
        if not isinstance(qs, list) or not qs:
            raise CertificateError("data must list questions, or the certificate name a dataset (data: rho, p, semantics)")
        out = []
        for i, q in enumerate(qs):
            q, at = parse.obj(q, f"data.questions[{i}]"), f"data.questions[{i}]"
            goal = q.get("goal")
            if not isinstance(goal, list) or not goal or not all(isinstance(c, list) and c for c in goal):
                raise CertificateError(f"{at}.goal must be a non-empty list of non-empty clauses")
            out.append((parse_set(q.get("set"), d, f"{at}.set"),
                        [[_atom(a, m, f"{at}.goal") for a in c] for c in goal]))
        return d, layers, out
    X, labels = parse.dataset(doc["dataset"])
    rho = parse.rational(data.get("rho"), "data.rho")
    p = NORMS.get(data.get("p")) if isinstance(data.get("p"), str) else None
    sem = data.get("semantics")
    if p is None or not 0 < rho < 1 or sem not in SEMANTICS or len(X[0]) != d:
        raise CertificateError(f"data: p in '1', '2', 'inf', rho in (0, 1), semantics in {SEMANTICS}, and a "
                               f"dataset of dimension {d} are needed")
    C = max(labels)
    if m != (C if sem == "argmax" else 1) or (sem == "sign" and C != 2):
        raise CertificateError(f"semantics {sem!r} with {C} labels needs {C if sem == 'argmax' else 1} output(s) "
                               f"(and 2 labels for 'sign'); the network has {m}")
    rows, L = integer_rows(X)
    sep = fmpq(min_cross(rows, labels, p)[0], 4 * L * L if p == 2 else 2 * L)
    r = rho * rho * sep if p == 2 else rho * sep
    return d, layers, [(Set(x, p, r, True), goal_of(sem, y, m)) for x, y in zip(X, labels)]


def goal_of(sem, y, m):
    """The goal of label y under a semantics, for m outputs (see the module's docstring)."""
    if sem == "label":
        return [[([fmpq(1)], fmpq(-y), False)], [([fmpq(-1)], fmpq(y), False)]]
    if sem == "sign":
        return [[([fmpq(2 * y - 3)], fmpq(0), True)]]
    return [[([fmpq(int(t == y - 1) - int(t == j)) for t in range(m)], fmpq(0), True)] for j in range(m) if j != y - 1]


def multipliers(lam, where) -> list:
    """[(l, j, w)] from [[l, j, w], ...] with w >= 0 rational."""
    if not isinstance(lam, list):
        raise CertificateError(f"{where}: multipliers must be a list of [l, j, value]")
    out = []
    for t in lam:
        if not isinstance(t, list) or len(t) != 3 or not all(type(k) is int for k in t[:2]):
            raise CertificateError(f"{where}: multiplier {parse.brief(t)} is not [l, j, value]")
        w = parse.rational(t[2], where)
        if w < 0:
            raise CertificateError(f"{where}: multiplier {parse.brief(t)} is negative")
        out.append((t[0], t[1], w))
    return out


class Leaf:
    """The constraints established on one leaf, and the exact inequalities proved over them."""

    def __init__(self, S):
        self.S, self.cons = S, {(-1, i): c for i, c in enumerate(S.cons)}

    def proves(self, g, h, strict, lam):
        """g.x + h > 0 (strict) or >= 0 on every point of S meeting the established constraints, by the
        multipliers lam [(l, j, w)] (``multipliers``)."""
        v, L = list(g), h
        for l, j, w in lam:
            c = self.cons.get((l, j))
            if c is None:
                return False
            v = [a - w * b for a, b in zip(v, c[0])]
            L -= w * c[1]
        L += sum((a * b for a, b in zip(v, self.S.x0)), fmpq(0))
        ge, gt = self.S.reach(v)(L)
        if not strict:
            return ge
        return gt or (ge and self.S.open and any(t != 0 for t in v))     # the bound is not attained


def form(M, m, k):
    """(c, e): unit k's pre-activation is c.x + e."""
    return [M[k, j] for j in range(M.ncols())], m[k, 0]


def compose(g, h, outs, d):
    """(c, e) with g.f(x) + h = c.x + e, the outputs f given as forms (c_k, e_k) on the region."""
    return [sum((a * o[0][t] for a, o in zip(g, outs)), fmpq(0)) for t in range(d)], \
        sum((a * o[1] for a, o in zip(g, outs)), h)


def passes(layers, d):
    """(l, M, m) per layer: x -> M x + m is layer l's pre-activation on the region, exactly; the caller
    zeroes the rows of the units it found inactive (``off``) before the next layer is computed."""
    M = m = None
    for l, (rows, bias) in enumerate(layers):
        W = fmpq_mat(len(rows), d if M is None else M.nrows())
        for i, r in enumerate(rows):
            for j, w in r:
                W[i, j] = w
        b = fmpq_mat(len(bias), 1, bias)
        M, m = (W, b) if M is None else (W * M, W * m + b)
        yield l, M, m


def off(M, m, j):
    for t in range(M.ncols()):
        M[j, t] = 0
    m[j, 0] = 0


def leaf(layers, S, goal, path, node, d, final=None):
    """None if the leaf is proved, else the reason it is not.  An ``empty`` leaf is proved as soon as every
    constraint its multipliers name is established (its region then misses S, and no goal is needed).  With
    ``final`` (kind ``lipschitz``) the goal is empty and ``final(outs)`` judges the leaf's affine map; a
    ``flat`` leaf [l, j, lam] instead proves the reverse of its constraint [l, j], so that the region lies in a
    hyperplane (measure zero, which a Lipschitz constant ignores).  There a unit that is neither split nor
    proved stable is *free*: the walk stops after its layer l and ``final(None, (l, M, states))`` judges the
    leaf from layer l's exact pre-activation map M and the states (True on, False off, None free)."""
    lf, node = Leaf(S), parse.obj(node, "leaf")
    empty = multipliers(node["empty"], "leaf.empty") if "empty" in node else None
    flat = node.get("flat") if final is not None else None
    if flat is not None and not (isinstance(flat, list) and len(flat) == 3 and all(type(t) is int for t in flat[:2])):
        raise CertificateError("leaf.flat must be [l, j, multipliers]")
    flat_lam = multipliers(flat[2], "leaf.flat") if flat is not None else None
    hinted, picks = {}, node.get("goals")
    for t in node.get("stable", []) if isinstance(node.get("stable", []), list) else [None]:
        if not isinstance(t, list) or len(t) != 4 or not all(type(k) is int for k in t[:3]) or t[2] not in (1, -1):
            raise CertificateError(f"leaf.stable entries must be [l, j, 1 or -1, multipliers], got {parse.brief(t)}")
        hinted[t[0], t[1]] = (t[2], multipliers(t[3], f"leaf.stable[{t[0]}, {t[1]}]"))
    if empty is None:
        if not isinstance(picks, list) or len(picks) != len(goal):
            raise CertificateError(f"leaf.goals must pick one atom per clause ({len(goal)})")
        if not all(isinstance(pick, list) and len(pick) == 2 for pick in picks):
            raise CertificateError("leaf.goals entries must be [atom index or [[index, weight], ...], multipliers]")
        picks = [(mix(clause, r, f"leaf.goals[{c}]"), multipliers(lam, f"leaf.goals[{c}]"))
                 for c, (clause, (r, lam)) in enumerate(zip(goal, picks))]

    def missed():
        """The verdict of the empty hint once its constraints exist: True (proved), False, or None (not yet)."""
        if empty is None or any((l, j) not in lf.cons for l, j, _ in empty):
            return None
        return lf.proves([fmpq(0)] * d, fmpq(0), True, empty)
    partial = None
    for l, M, m in passes(layers, d):
        if missed() is not None:
            break
        if l == len(layers) - 1:
            break
        rows = layers[l][0]
        split = {j: s for (sl, j, s) in path if sl == l}
        for j, s in split.items():
            c, e = form(M, m, j)
            lf.cons[l, j] = ([s * t for t in c], s * e)
        keep = []
        for j in range(len(rows)):
            if j not in split:
                if missed() is not None:
                    break
                c, e = form(M, m, j)
                s, lam = hinted.get((l, j), (None, []))
                for s in [s] if s else (1, -1):
                    if lf.proves([s * t for t in c], s * e, False, lam):
                        break
                else:
                    if final is None:
                        return f"unit {j} of hidden layer {l} is neither split nor proved stable"
                    keep.append(None)
                    continue
                lf.cons[l, j] = ([s * t for t in c], s * e)
                split[j] = s
            keep.append(split[j] > 0)
        if None in keep:
            partial = (l, M, keep)
            break
        for j, k in enumerate(keep):
            if not k:
                off(M, m, j)
    if empty is not None:
        return None if missed() else "emptiness not proved"
    if flat is not None:
        c = lf.cons.get((flat[0], flat[1]))
        ok = c is not None and any(t != 0 for t in c[0]) and lf.proves([-t for t in c[0]], -c[1], False, flat_lam)
        return None if ok else "flatness not proved"
    if partial is not None:
        return final(None, partial)
    outs = [form(M, m, k) for k in range(M.nrows())]
    if final is not None:
        return final(outs, None)
    for c, ((g, h, strict), lam) in enumerate(picks):
        if not lf.proves(*compose(g, h, outs, d), strict, lam):
            return f"clause {c} is not proved"
    return None


def mix(clause, r, where):
    """The atom a clause's pick proves: atom r, or for r = [[i, w], ...] (every w > 0) the sum of w a_i, strict
    unless some a_i is not.  Its proof proves the clause: if every a_i failed at x (a_i <= 0, and < 0 for a
    non-strict a_i) the sum would be <= 0, and < 0 when a non-strict a_i is in it."""
    if type(r) is int and 0 <= r < len(clause):
        return clause[r]
    if not isinstance(r, list) or not r or not all(isinstance(t, list) and len(t) == 2 and type(t[0]) is int
                                                   and 0 <= t[0] < len(clause) for t in r):
        raise CertificateError(f"{where}: the pick must be an atom index or a list of [atom index, weight > 0]")
    g, h, strict = [fmpq(0)] * len(clause[0][0]), fmpq(0), True
    for i, w in r:
        w = parse.rational(w, where)
        if w <= 0:
            raise CertificateError(f"{where}: the weights of a combination of atoms must be > 0")
        g, h, strict = [a + w * b for a, b in zip(g, clause[i][0])], h + w * clause[i][1], strict and clause[i][2]
    return g, h, strict


def each_leaf(tree, widths, where, clock=lambda: None):
    """(path, node, branches left) per leaf of a preorder split tree, its splits checked as they come; clock()
    before each leaf (it may raise engine.Undecided: a budget spent).  The path from the root is kept once and
    each stack entry holds one branch, so memory is linear in the depth (copying the path into every branch
    was quadratic: 258 MB for 8,000 nested splits, now 2.8 MB); each leaf gets its own copy of the path."""
    if not isinstance(tree, list):
        raise CertificateError(f"{where} must be a list of nodes in preorder")
    path, on = [], set()                                   # the path's splits (l, j, s) and its units (l, j)
    stack = [(0, None)]                                    # (length of the path above the branch, its split)
    for node in tree:
        if not stack:
            raise CertificateError(f"{where} has nodes after its last leaf")
        n, step = stack.pop()
        on.difference_update((a, b) for a, b, _ in path[n:])
        del path[n:]
        if step:
            path.append(step)
            on.add(step[:2])
        sp = node.get("split") if isinstance(node, dict) else None
        if sp is None:
            clock()
            yield list(path), node, len(stack)
            continue
        if not (isinstance(sp, list) and len(sp) == 2 and all(type(t) is int for t in sp)
                and 0 <= sp[0] < len(widths) and 0 <= sp[1] < widths[sp[0]]) or tuple(sp) in on:
            raise CertificateError(f"{where}: split {parse.brief(sp, 30)} is not a new hidden unit [l, j]")
        stack += [(len(path), (sp[0], sp[1], s)) for s in (1, -1)]   # popped: -1 (z <= 0), then +1
    if stack:
        raise CertificateError(f"{where} ends before every branch has a leaf")


def proved(questions, leaves) -> Verdict:
    return Verdict.proved(f"every one of {questions} question(s) holds on each of {leaves} leaf region(s), each "
                          f"inequality proved by exact multipliers", questions=questions, leaves=leaves)


def check(doc, progress=None, clock=lambda: None, share=None) -> Verdict:
    """The verdict; with ``share`` = (s, n) only the leaves k with k mod n = s (k counts the leaves of all
    trees in order from 0) are proved, every tree's shape is checked in full (``shares.py``)."""
    d, layers, qs = questions(doc)
    trees = parse.obj(doc.get("hints"), "hints").get("trees")
    if not isinstance(trees, list) or len(trees) != len(qs):
        raise CertificateError(f"hints.trees must hold one tree per question ({len(qs)})")
    widths = [len(r) for r, _ in layers[:-1]]
    leaves = done = 0
    for q, ((S, goal), tree) in enumerate(zip(qs, trees)):
        if progress:
            progress(q, len(qs))
        for path, node, _ in each_leaf(tree, widths, f"hints.trees[{q}]", clock):
            leaves += 1
            if share is not None and (leaves - 1) % share[1] != share[0]:
                continue
            why, done = leaf(layers, S, goal, path, node, d), done + 1
            if why:
                return Verdict.undecided(f"question {q}, leaf on path {[(a, b, s) for a, b, s in path]}: {why}",
                                         question=q, leaves=leaves)
    return proved(len(qs), done)


def violation(layers, S, goal, x):
    """(outputs, index of a failed clause) if the exact point x lies in S and the goal fails there, else None."""
    if not S.contains(x):
        return None
    out = evaluate(layers, [x])[0]
    for c, clause in enumerate(goal):
        if not any(v > 0 if s else v >= 0 for v, s in ((sum((a * o for a, o in zip(g, out)), h), s) for g, h, s in clause)):
            return out, c
    return None


def refute(doc, q, x) -> Verdict:
    """REFUTED if the exact point x lies in question q's set and some clause of its goal fails there."""
    d, layers, qs = questions(doc)
    if type(q) is not int or not 0 <= q < len(qs):
        raise CertificateError(f"question index {parse.brief(q, 20)} out of range")
    x = x if isinstance(x, list) and all(isinstance(t, fmpq) for t in x) else parse.vector(x, "x", d)
    hit = violation(layers, *qs[q], x) if len(x) == d else None
    if hit is None:
        return Verdict.undecided("the point does not refute the claim")
    out, c = hit
    return Verdict.refuted(f"question {q}: at a point of its set the outputs {[str(o) for o in out]} fail clause {c}",
                           {"question": q, "x": [str(t) for t in x], "output": [str(o) for o in out], "clause": c})
