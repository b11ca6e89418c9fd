"""Adversarial review of the kernel's ``lipschitz`` kind and of the whole-space set {"all": true}.

The truth for small networks comes from an oracle that shares nothing with exactmem's kernel or finder: it
reads the certificate's JSON itself (Python ``Fraction``s), walks every activation pattern depth first with z3
(exact real arithmetic) deciding which open cells meet the interior of the set, and takes the largest
Jacobian norm over them; for p = 2 with two outputs the largest eigenvalue of J J^T is the closed form
(tr + sqrt(tr^2 - 4 det)) / 2, compared exactly (``_sign3``), never through Descartes' rule.  On a convex set
with interior that maximum *is* the Lipschitz constant (f is piecewise affine and continuous).

* findings, each a regression test now (they were xfail until the kernel was fixed): (1) a set cut by its constraints to a
  lower-dimensional piece (no interior) lets ``flat`` leaves cover all of it -- Lip <= 0 PROVED where Lip = 1,
  by the kernel and through ``lipschitz_constant``; (2) an empty set proves negative bounds; (3) a huge
  ``cols`` reaches python-flint unchecked; the docstring's 'equality for one output' is not what the code
  does; a malformed ``flat`` multiplier list is UNDECIDED, not an error; a zero unit stops the finder being
  exact (completeness only);
* guards for what holds: flat leaves on full sets, Descartes' rule on multiple and zero eigenvalues and on the
  smaller Gram matrix, where the pairwise bound applies, exact cancellation on R^d, malformed trees;
* ``fuzz``: finder certificates on random small networks and sets (d <= 3, widths <= 5, one or two hidden
  layers, one or two outputs, p in 1, 2, inf, boxes, balls open and closed, R^d, a constraint now and then)
  checked against the oracle, then mutated field by field (bounds, point, tree shape, splits, hints, flat and
  empty marks, set, p, weights); a mutant the kernel PROVES must claim only what the oracle confirms;
* ``tree_fuzz`` / ``hinted_tree_fuzz``: random split trees (orders the finder never writes), bare or with
  the finder's own stable / empty / flat hints per leaf: the kernel's threshold (its largest leaf bound) must
  be >= the truth, U just above it PROVED, U just below it not;
* ``garble_fuzz``: junk anywhere in a certificate must give CertificateError or a verdict.
Moderate seeded runs stay in the suite; larger ones are marked slow.
"""
from __future__ import annotations

import copy
import json
import random
from fractions import Fraction as Q

import pytest
from flint import fmpq

from exactmem import ReLUNet, kernel
from exactmem.analysis.ask import InputSet, ball, box
from exactmem.certify.records import Certificate
from exactmem.errors import CertificateError
from exactmem.lipschitz import lipschitz_constant

z3 = pytest.importorskip("z3")


# ---------------------------------------------------------------------------------------------------------
# The oracle: independent parsing, cells by z3, norms in Fractions
# ---------------------------------------------------------------------------------------------------------

def _q(v) -> Q:
    return Q(v) if isinstance(v, int) else Q(str(v))


def _layers(net_doc):
    """[(W dense rows of Fractions, b)] from an exactmem.relunet document (dense W or sparse W_rows)."""
    out = []
    for layer in net_doc["layers"]:
        if "W_rows" in layer:
            W = [[Q(0)] * layer["cols"] for _ in layer["W_rows"]]
            for i, row in enumerate(layer["W_rows"]):
                for j, w in row:
                    W[i][j] = _q(w)
        else:
            W = [[_q(w) for w in row] for row in layer["W"]]
        out.append((W, [_q(t) for t in layer["b"]]))
    return out


def _zq(v: Q):
    return z3.Q(v.numerator, v.denominator)


def _interior(spec, x):
    """z3 constraints: x lies in the interior of the set written ``spec`` (strict everywhere)."""
    cons = [z3.Sum([_zq(_q(a)) * t for a, t in zip(row[:-1], x)]) + _zq(_q(row[-1])) > 0
            for row in spec.get("constraints", [])]
    if spec.get("all") is True:
        return cons
    if "box" in spec:
        return cons + [z3.And(_zq(_q(a)) < t, t < _zq(_q(b))) for t, a, b in zip(x, *spec["box"])]
    c = [_zq(_q(t)) for t in spec["centre"]]
    if spec["p"] == "2":
        return cons + [z3.Sum([(t - a) * (t - a) for t, a in zip(x, c)]) < _zq(_q(spec["radius_sq"]))]
    r = _zq(_q(spec["radius"]))
    if spec["p"] == "inf":
        return cons + [z3.And(t - a < r, a - t < r) for t, a in zip(x, c)]
    return cons + [z3.Sum([z3.If(t > a, t - a, a - t) for t, a in zip(x, c)]) < r]


def cells(net_doc, spec):
    """The exact Jacobians (rows) of every activation pattern whose open cell meets the interior of the set,
    or None when the set has no interior.  A unit whose pre-activation is identically 0 on the cell is off
    (its state does not matter)."""
    layers = _layers(net_doc)
    d = len(layers[0][0][0])
    x = [z3.Real(f"x{i}") for i in range(d)]
    s = z3.Solver()
    s.add(*_interior(spec, x))
    if s.check() != z3.sat:
        return None
    out = []

    def nxt(l, post):
        W, b = layers[l]
        return [([sum((w * c[k] for w, (c, _) in zip(row, post)), Q(0)) for k in range(d)],
                 sum((w * e for w, (_, e) in zip(row, post)), Q(0)) + bb) for row, bb in zip(W, b)]

    def rec(l, forms, post):
        if len(post) == len(forms):
            f = nxt(l + 1, post)
            if l + 1 == len(layers) - 1:
                out.append([c for c, _ in f])
            else:
                rec(l + 1, f, [])
            return
        c, e = forms[len(post)]
        zero = ([Q(0)] * d, Q(0))
        if not any(c):
            rec(l, forms, post + [(c, e) if e > 0 else zero])
            return
        z = z3.Sum([_zq(a) * t for a, t in zip(c, x)]) + _zq(e)
        for on in (True, False):
            s.push()
            s.add(z > 0 if on else z < 0)
            r = s.check()
            assert r != z3.unknown, "z3 could not decide a cell"
            if r == z3.sat:
                rec(l, forms, post + [(c, e) if on else zero])
            s.pop()

    first = [([W[i][k] for k in range(d)], b[i]) for W, b in [layers[0]] for i in range(len(W))]
    if len(layers) == 1:
        return [[c for c, _ in first]]
    rec(0, first, [])
    return out


def _inside(spec, x):
    """x lies in the interior of the set (Fractions, exactly)."""
    if not all(sum((_q(a) * t for a, t in zip(r[:-1], x)), _q(r[-1])) > 0 for r in spec.get("constraints", [])):
        return False
    if spec.get("all") is True:
        return True
    if "box" in spec:
        return all(_q(a) < t < _q(b) for t, a, b in zip(x, *spec["box"]))
    dx = [t - _q(c) for t, c in zip(x, spec["centre"])]
    if spec["p"] == "2":
        return sum(t * t for t in dx) < _q(spec["radius_sq"])
    return (max(map(abs, dx)) if spec["p"] == "inf" else sum(map(abs, dx))) < _q(spec["radius"])


def inner_point(net_doc, spec, rng, tries=4000):
    """A random rational point inside the set where no pre-activation that varies is 0, or None."""
    layers = _layers(net_doc)
    d = len(layers[0][0][0])
    if "box" in spec:
        lo, hi = [_q(t) for t in spec["box"][0]], [_q(t) for t in spec["box"][1]]
    elif "centre" in spec:
        r = _q(spec["radius_sq"]) + 1 if spec["p"] == "2" else _q(spec["radius"])
        lo, hi = [_q(c) - r for c in spec["centre"]], [_q(c) + r for c in spec["centre"]]
    else:
        lo, hi = [Q(-8)] * d, [Q(8)] * d
    for _ in range(tries):
        x = [a + (b - a) * Q(rng.randint(1, 1020), 1021) for a, b in zip(lo, hi)]
        if _inside(spec, x) and _generic(layers, x):
            return x
    return None


def _generic(layers, x):
    d = len(x)
    h = [([Q(int(i == k)) for k in range(d)], t) for i, t in enumerate(x)]
    for W, b in layers[:-1]:
        z = [([sum((w * c[k] for w, (c, _) in zip(row, h)), Q(0)) for k in range(d)],
              sum((w * v for w, (_, v) in zip(row, h)), Q(0)) + bb) for row, bb in zip(W, b)]
        if any(v == 0 and any(c) for c, v in z):
            return False
        h = [(c, v) if v > 0 else ([Q(0)] * d, Q(0)) for c, v in z]
    return True


def jacobian_at(net_doc, x):
    """The Jacobian at the exact point x, a unit with pre-activation > 0 being on."""
    layers = _layers(net_doc)
    d = len(x)
    h = [(([Q(int(i == k)) for k in range(d)]), t) for i, t in enumerate(x)]
    for l, (W, b) in enumerate(layers):
        z = [([sum((w * c[k] for w, (c, _) in zip(row, h)), Q(0)) for k in range(d)],
              sum((w * v for w, (_, v) in zip(row, h)), Q(0)) + bb) for row, bb in zip(W, b)]
        if l == len(layers) - 1:
            return [c for c, _ in z]
        h = [(c, v) if v > 0 else ([Q(0)] * d, Q(0)) for c, v in z]


class Quad:
    """(t + sqrt(D)) / 2 with rational t and D >= 0: the largest eigenvalue of a 2 x 2 symmetric matrix."""

    def __init__(self, t, D):
        assert D >= 0
        self.t, self.D = Q(t), Q(D)

    @staticmethod
    def of(x):
        return x if isinstance(x, Quad) else Quad(2 * Q(x), 0)

    def __repr__(self):
        return f"({self.t} + sqrt({self.D}))/2 ~ {(float(self.t) + float(self.D) ** 0.5) / 2:.6g}"


def _sign3(a, A, B):
    """The sign of a + sqrt(A) - sqrt(B), exactly (a rational, A, B >= 0)."""
    sa, u = (a > 0) - (a < 0), (A > B) - (A < B)                  # u: the sign of sqrt A - sqrt B
    if sa >= 0 and u >= 0:
        return int(sa > 0 or u > 0)
    if sa <= 0 and u <= 0:
        return -1
    w = A + B - a * a                                            # a^2 - (sqrt A - sqrt B)^2 = 2 sqrt(AB) - w
    s2 = 1 if w < 0 else (4 * A * B > w * w) - (4 * A * B < w * w)
    return s2 if sa > 0 else -s2


def cmp(x, y) -> int:
    """The sign of x - y for rationals and Quads, exactly."""
    if not isinstance(x, Quad) and not isinstance(y, Quad):
        return (x > y) - (x < y)
    x, y = Quad.of(x), Quad.of(y)
    return _sign3(x.t - y.t, x.D, y.D)


def norm(J, p):
    """||J|| for the l_p norm on inputs and outputs (squared for p = 2): the gradient's dual norm for one row."""
    if len(J) == 1:
        g = J[0]
        return sum((t * t for t in g), Q(0)) if p == 2 else \
            sum((abs(t) for t in g), Q(0)) if p == "inf" else max(abs(t) for t in g)
    if p == "inf":
        return max(sum((abs(t) for t in r), Q(0)) for r in J)
    if p == 1:
        return max(sum((abs(r[k]) for r in J), Q(0)) for k in range(len(J[0])))
    assert len(J) == 2
    a, b, c = (sum((s * t for s, t in zip(u, v)), Q(0)) for u, v in ((J[0], J[0]), (J[0], J[1]), (J[1], J[1])))
    return Quad(a + c, (a - c) ** 2 + 4 * b * b)                  # tr^2 - 4 det = (a - c)^2 + 4 b^2


def top(Js, p):
    best = None
    for J in Js:
        v = norm(J, p)
        if best is None or cmp(v, best) > 0:
            best = v
    return best


P_OF = {"1": 1, "2": 2, "inf": "inf"}


class Oracle:
    """Cells cached per (network, set)."""

    def __init__(self):
        self.memo = {}

    def cells(self, doc):
        key = json.dumps([doc["network"], doc["data"]["set"]], sort_keys=True)
        if key not in self.memo:
            self.memo[key] = cells(doc["network"], doc["data"]["set"])
        return self.memo[key]

    def truth(self, doc):
        """Lip_p (squared for p = 2) of the certificate's network on its set, or None without interior."""
        Js = self.cells(doc)
        return None if Js is None else top(Js, P_OF[doc["data"]["p"]]) if Js else Q(0)

    def judge(self, doc, verdict):
        """None if the PROVED verdict claims only true things, else what is false."""
        T = self.truth(doc)
        if T is None:
            return "PROVED on a set without interior"
        p, det = P_OF[doc["data"]["p"]], verdict.details
        U = _q(det["upper"])
        if cmp(U, T) < 0:
            return f"upper {U} below the truth {T}"
        if det.get("lower") is not None:
            low = _q(det["lower"])
            if cmp(low, T) > 0:
                return f"lower {low} above the truth {T}"
            x = [_q(t) for t in doc["data"]["point"]]
            at = norm(jacobian_at(doc["network"], x), p)
            if cmp(low, at) > 0:
                return f"lower {low} above the norm at the point {at}"
            if det.get("attained") and cmp(at, T) != 0:
                return f"attained, but the norm at the point {at} is not the truth {T}"
        return None


# ---------------------------------------------------------------------------------------------------------
# Random networks and sets
# ---------------------------------------------------------------------------------------------------------

def _r(rng, lo=-3, hi=3, dens=(1, 2)):
    return fmpq(rng.randint(lo, hi), rng.choice(dens))


def random_net(rng, d, widths, m):
    """Small rationals, with zeros, duplicated or parallel rows and zero output weights now and then."""
    dims, layers = [d] + widths + [m], []
    for a, b in zip(dims, dims[1:]):
        W, bias = [], []
        for i in range(b):
            roll = rng.random()
            if W and roll < 0.15:                                   # a parallel (or the same) hyperplane
                k = rng.randrange(len(W))
                s = rng.choice((fmpq(1), fmpq(-1), fmpq(2), fmpq(1, 2)))
                W.append([s * t for t in W[k]])
                bias.append(s * bias[k] if rng.random() < 0.5 else _r(rng))
                continue
            W.append([fmpq(0) if rng.random() < 0.2 else _r(rng) for _ in range(a)])
            bias.append(fmpq(0) if rng.random() < 0.3 else _r(rng, -2, 2))
        layers.append((W, bias))
    return ReLUNet(layers)


def random_set(rng, d):
    kind = rng.choice(("box", "box", "ball", "ball", "all"))
    cons = None
    if rng.random() < 0.2:                                          # a half-space through a point near 0
        a = [_r(rng) for _ in range(d)]
        if not any(a):
            a[0] = fmpq(1)
        cons = [a + [_r(rng, -1, 1, (2, 3))]]
    if kind == "box":
        lo = [_r(rng, -3, 0) for _ in range(d)]
        return box(lo, [t + fmpq(rng.randint(1, 4), rng.choice((1, 2))) for t in lo], constraints=cons)
    if kind == "ball":
        p = rng.choice((1, 2, "inf"))
        r = fmpq(rng.randint(1, 6), 2)
        return ball([_r(rng, -1, 1) for _ in range(d)], ("sq", r) if p == 2 and rng.random() < 0.5 else r, p=p,
                    open=rng.random() < 0.5, constraints=cons)
    return InputSet({"all": True, **({"constraints": [[str(t) for t in c] for c in cons]} if cons else {})}, d)


# ---------------------------------------------------------------------------------------------------------
# Mutations of a certificate (each returns a new document, unsigned, or None)
# ---------------------------------------------------------------------------------------------------------

def _tree(nodes):
    """The preorder list as nested [node, minus-subtree, plus-subtree] / [leaf]."""
    it = iter(nodes)

    def rec():
        n = next(it)
        return [n, rec(), rec()] if isinstance(n, dict) and "split" in n else [n]
    t = rec()
    assert next(it, None) is None
    return t


def _flatten(t):
    return [t[0]] + (_flatten(t[1]) + _flatten(t[2]) if len(t) == 3 else [])


def _subtrees(t, path=()):
    """(subtree, path [(l, j, s)]) for every subtree, preorder."""
    yield t, path
    if len(t) == 3:
        l, j = t[0]["split"]
        yield from _subtrees(t[1], path + ((l, j, -1),))
        yield from _subtrees(t[2], path + ((l, j, 1),))


def _leaves(t):
    return [(s, p) for s, p in _subtrees(t) if len(s) == 1]


def _units(doc):
    return [(l, j) for l, layer in enumerate(doc["network"]["layers"][:-1])
            for j in range(len(layer.get("W_rows", layer.get("W"))))]


def _keys(doc, leaf, path):
    """Keys the leaf could name: its splits, its stable hints, the set's constraints."""
    ks = [(l, j) for l, j, _ in path] + [(t[0], t[1]) for t in leaf.get("stable", [])]
    return ks + [(-1, i) for i in range(len(doc["data"]["set"].get("constraints", [])))]


def _weight(rng):
    return rng.choice(("1", "1/2", "2", "0", "3", "1/3", str(rng.randint(1, 9)) + "/" + str(rng.randint(1, 9))))


def _lam(rng, keys):
    return [[l, j, _weight(rng)] for l, j in rng.sample(keys, rng.randint(1, min(3, len(keys))))] if keys else []


def _eps(rng, v):
    return rng.choice((Q(1, 10 ** 9), Q(1, 1000), abs(v) / 1000 if v else Q(1, 7), abs(v) / 2 if v else Q(1)))


def _point_in(rng, spec, d):
    if "box" in spec:
        return [_q(a) + (_q(b) - _q(a)) * Q(rng.randint(0, 8), 8) for a, b in zip(*spec["box"])]
    c = [_q(t) for t in spec.get("centre", ["0"] * d)]
    return [t + Q(rng.randint(-4, 4), rng.choice((2, 4, 8))) for t in c]


def mutate(doc, rng):
    """(name, mutated document) or None."""
    doc = copy.deepcopy(doc)
    try:
        data, tree = doc["data"], _tree(doc["hints"]["tree"])
    except (StopIteration, AssertionError, KeyError, TypeError):     # a tree already broken by drop_node
        return None
    sq = "_sq" if data["p"] == "2" else ""
    first = doc["network"]["layers"][0]
    d = first["cols"] if "cols" in first else len(first["W"][0])
    leaves, splits = _leaves(tree), [s for s, _ in _subtrees(tree) if len(s) == 3]
    kind = rng.choice(["upper", "upper", "lower", "lower", "point", "drop_node", "prune", "swap", "dup", "retarget",
                       "flat", "flat", "empty", "stable_sign", "multiplier", "multiplier", "drop_stable",
                       "copy_hints", "set", "set", "p", "net", "unflat"])
    if kind == "upper":
        U = _q(data["upper" + sq])
        data["upper" + sq] = str(U - _eps(rng, U))
    elif kind == "lower":
        if "point" not in data:
            return None
        low = _q(data["lower" + sq])
        data["lower" + sq] = str(low + _eps(rng, low) * rng.choice((1, -1)))
    elif kind == "point":
        if "point" not in data:
            data["lower" + sq] = "0"
        x = _point_in(rng, data["set"], d) if rng.random() < 0.7 else \
            [_q(t) + rng.choice((Q(1, 10 ** 6), Q(-1, 3), Q(1))) * (k == 0) for k, t in
             enumerate(data.get("point", ["0"] * d))]
        data["point"] = [str(t) for t in x]
    elif kind == "drop_node":
        nodes = doc["hints"]["tree"]
        del nodes[rng.randrange(len(nodes))]
        return kind, doc
    elif kind == "prune":
        if not splits:
            return None
        t = rng.choice(splits)
        sub = rng.choice(_leaves(t))[0][0]
        t[:] = [{"goals": [], **({"stable": sub["stable"]} if "stable" in sub and rng.random() < 0.5 else {})}]
    elif kind == "swap":
        if not splits:
            return None
        t = rng.choice(splits)
        t[1], t[2] = t[2], t[1]
    elif kind == "dup":
        if not splits:
            return None
        t = rng.choice(splits)
        k = rng.randrange(2)
        t[1 + k] = copy.deepcopy(t[2 - k])
    elif kind == "retarget":
        if not splits:
            return None
        rng.choice(splits)[0]["split"] = list(rng.choice(_units(doc)))
    elif kind in ("flat", "empty"):
        leaf, path = rng.choice(leaves)
        keys = _keys(doc, leaf[0], path)
        if kind == "flat":
            if not keys:
                return None
            l, j = rng.choice(keys)
            leaf[0]["flat"] = [l, j, _lam(rng, keys)]
        else:
            leaf[0]["empty"] = _lam(rng, keys)
    elif kind == "unflat":
        fl = [s for s, _ in leaves if "flat" in s[0] or "empty" in s[0]]
        if not fl:
            return None
        n = rng.choice(fl)[0]
        n.pop("flat", None), n.pop("empty", None)
    elif kind in ("stable_sign", "multiplier", "drop_stable"):
        st = [s for s, _ in leaves if s[0].get("stable")]
        if not st:
            return None
        hints = rng.choice(st)[0]["stable"]
        h = rng.randrange(len(hints))
        if kind == "stable_sign":
            hints[h][2] = -hints[h][2]
        elif kind == "drop_stable":
            del hints[h]
        else:
            lam = hints[h][3]
            op = rng.choice(("scale", "zero", "remove", "add"))
            if op == "add" or not lam:
                lam.append([rng.choice([-1] + list(range(len(doc["network"]["layers"]) - 1))), rng.randrange(5),
                            _weight(rng)])
            elif op == "remove":
                del lam[rng.randrange(len(lam))]
            else:
                k = rng.randrange(len(lam))
                lam[k][2] = "0" if op == "zero" else str(_q(lam[k][2]) * rng.choice((2, Q(1, 2), Q(3, 2), Q(99, 100))))
    elif kind == "copy_hints":
        if len(leaves) < 2:
            return None
        a, b = rng.sample([s for s, _ in leaves], 2)
        a[0] = copy.deepcopy(b[0])
    elif kind == "set":
        S = data["set"]
        op = rng.choice(("grow", "shrink", "move", "open", "p", "constraint", "all", "box"))
        if op == "all":
            data["set"] = {"all": True}
        elif op == "box":
            data["set"] = {"box": [["-2"] * d, ["2"] * d]}
        elif op == "constraint":
            S.setdefault("constraints", []).append([str(_r(rng)) for _ in range(d)] + [str(_r(rng, 0, 3))])
        elif "box" in S:
            k = rng.randrange(d)
            if op in ("grow", "shrink"):
                S["box"][1][k] = str(_q(S["box"][1][k]) + (Q(1, 2) if op == "grow" else
                                                           -(_q(S["box"][1][k]) - _q(S["box"][0][k])) / 2))
            else:
                S["box"] = [[str(_q(t) + Q(1, 3) * (i == k)) for i, t in enumerate(r)] for r in S["box"]]
        elif "centre" in S:
            key = "radius_sq" if S["p"] == "2" else "radius"
            if op == "grow":
                S[key] = str(_q(S[key]) * Q(11, 10))
            elif op == "shrink":
                S[key] = str(_q(S[key]) / 2)
            elif op == "move":
                S["centre"][0] = str(_q(S["centre"][0]) + Q(1, 4))
            elif op == "open":
                S["open"] = not S["open"]
            else:
                r = _q(S.pop(key))
                S["p"] = rng.choice([q for q in ("1", "2", "inf") if q != S["p"]])
                S["radius_sq" if S["p"] == "2" else "radius"] = str(r * r if S["p"] == "2" else r)
        else:
            return None
    elif kind == "p":
        new = rng.choice([q for q in ("1", "2", "inf") if q != data["p"]])
        nsq = "_sq" if new == "2" else ""
        for k in ("upper", "lower"):
            if k + sq in data:
                data[k + nsq] = data.pop(k + sq)
        data["p"] = new
    elif kind == "net":
        layer = rng.choice(doc["network"]["layers"])
        if rng.random() < 0.5 or not any(layer["W_rows"]):
            i = rng.randrange(len(layer["b"]))
            layer["b"][i] = str(_q(layer["b"][i]) + rng.choice((Q(1, 7), Q(-1), Q(1, 1000))))
        else:
            row = rng.choice([r for r in layer["W_rows"] if r])
            e = rng.choice(row)
            e[1] = str(_q(e[1]) * rng.choice((Q(11, 10), Q(-1), Q(9, 10))))
    if kind not in ("drop_node",):
        doc["hints"]["tree"] = _flatten(tree)
    return kind, doc


# ---------------------------------------------------------------------------------------------------------
# The fuzz loop
# ---------------------------------------------------------------------------------------------------------

def _unsigned(doc):
    return {k: v for k, v in doc.items() if k != "digest"}


def fuzz(seed, cases, mutants=30, oracle=None, log=None):
    """Finder certificates and their mutants against the oracle: a dict of counts, and lists of findings
    (``unsound``: a PROVED false claim; ``finder``: a finder answer that is wrong or not PROVED; ``escape``:
    an exception other than CertificateError out of kernel.check)."""
    rng, oracle = random.Random(seed), oracle or Oracle()
    stats = {"cases": 0, "exact": 0, "mutants": 0, "proved": 0, "rejected": 0, "undecided": 0, "degenerate": 0,
             "unsound": [], "finder": [], "escape": [], "by_kind": {}, "inexact": []}
    while stats["cases"] < cases:
        d = rng.randint(1, 3)
        widths = [rng.randint(1, 5) for _ in range(rng.randint(1, 2))]
        m, p = rng.choice((1, 1, 2)), rng.choice((1, 2, "inf"))
        net, region = random_net(rng, d, widths, m), random_set(rng, d)
        probe = {"network": net.to_json(sparse=True), "data": {"set": region.spec, "p": str(p)}}
        T = oracle.truth(probe)
        if T is None:                                               # the random constraint emptied the interior
            continue
        stats["cases"] += 1
        L = lipschitz_constant(net, p, region)
        doc = L.certificate
        where = (seed, stats["cases"], d, widths, m, p, region.spec)
        if not L.verdict.is_proved:
            stats["finder"].append(("not proved", where, str(L.verdict)))
            continue
        lo, hi = (L.lower_sq, L.upper_sq) if p == 2 else (L.lower, L.upper)
        lo, hi = _q(lo), _q(hi)
        bad = oracle.judge(doc, L.verdict) or (cmp(lo, T) > 0 and "finder lower above the truth") or \
            (cmp(hi, T) < 0 and "finder upper below the truth")
        if not L.is_exact:
            stats["inexact"].append((where, str(lo), str(hi), str(T), L.attained, L.stopped,
                                     json.dumps(_unsigned(doc))))
        if not bad and L.is_exact:
            stats["exact"] += 1
            if (m == 1 or p != 2) and not (lo == hi == T):
                bad = f"is_exact but [{lo}, {hi}] is not the truth {T}"
            elif m > 1 and p == 2 and not L.attained and lo != hi:
                bad = "is_exact without attained"
        if bad:
            stats["finder"].append((bad, where, json.dumps(_unsigned(doc))))
        for _ in range(mutants):
            out = mutate(doc, rng)
            if out is None:
                continue
            name, mdoc = out
            if rng.random() < 0.25:                                 # now and then a second mutation
                more = mutate(kernel.sign(_unsigned(mdoc)), rng)
                if more is not None:
                    name, mdoc = name + "+" + more[0], more[1]
            stats["mutants"] += 1
            tally = stats["by_kind"].setdefault(name, [0, 0])
            tally[0] += 1
            mdoc = kernel.sign(_unsigned(mdoc))
            try:
                v = kernel.check(mdoc)
            except CertificateError:
                stats["rejected"] += 1
                continue
            except Exception as e:                                  # noqa: BLE001 - the finding itself
                stats["escape"].append((name, f"{type(e).__name__}: {e}"[:200], json.dumps(_unsigned(mdoc))))
                continue
            if not v.is_proved:
                stats["undecided"] += 1
                continue
            stats["proved"] += 1
            tally[1] += 1
            why = oracle.judge(mdoc, v)
            if why == "PROVED on a set without interior":
                stats["degenerate"] += 1
            elif why:
                stats["unsound"].append((name, why, str(v), json.dumps(_unsigned(mdoc))))
        if log:
            log(stats)
    return stats


# ---------------------------------------------------------------------------------------------------------
# The oracle's own checks (it must be able to disagree)
# ---------------------------------------------------------------------------------------------------------

def test_oracle_by_hand():
    """relu(x + y) + relu(x - y) on [-1, 1]^2: gradients (2, 0), (1, 1), (1, -1), (0, 0) -- Lip_2^2 = 4,
    Lip_inf (l_1 of the gradient) = 2, Lip_1 (max |g_i|) = 2; on R^2 the same; on the ball of radius 1/2
    around (3, 5) only x + y is on (x - y <= -2 + 1/sqrt 2 there): (1, 1), so Lip_2^2 = 2."""
    net = ReLUNet([([[1, 1], [1, -1]], [0, 0]), ([[1, 1]], [0])]).to_json(sparse=True)
    S = {"box": [["-1", "-1"], ["1", "1"]]}
    Js = cells(net, S)
    assert sorted(map(tuple, (tuple(r[0]) for r in Js))) == [(0, 0), (1, -1), (1, 1), (2, 0)]
    assert top(Js, 2) == 4 and top(Js, "inf") == 2 and top(Js, 1) == 2
    assert top(cells(net, {"all": True}), 2) == 4
    assert top(cells(net, {"centre": ["3", "5"], "p": "2", "radius_sq": "1/4", "open": True}), 2) == 2
    assert cells(net, {"box": [["0", "0"], ["1", "1"]], "constraints": [["1", "0", "0"], ["-1", "0", "0"]]}) is None


def test_quadratic_comparison_against_floats_and_by_hand():
    """J = [[2, 1], [1, 3]]: J J^T = [[5, 5], [5, 10]], lambda_max = (15 + 5 sqrt 5) / 2 = 13.0901699..."""
    lam = norm([[Q(2), Q(1)], [Q(1), Q(3)]], 2)
    assert cmp(lam, Q(130901, 10000)) > 0 > cmp(lam, Q(130902, 10000))
    assert cmp(lam, Quad(15, 125)) == 0 and cmp(Quad(15, 125), Quad(15, 124)) > 0
    rng = random.Random(0)
    for _ in range(2000):
        a, A, B = Q(rng.randint(-20, 20), rng.randint(1, 4)), Q(rng.randint(0, 30)), Q(rng.randint(0, 30))
        f = float(a) + float(A) ** 0.5 - float(B) ** 0.5
        if abs(f) > 1e-9:
            assert _sign3(a, A, B) == (1 if f > 0 else -1), (a, A, B)
    assert _sign3(Q(1), Q(1), Q(4)) == 0 and _sign3(Q(-1), Q(4), Q(1)) == 0 and _sign3(Q(0), Q(2), Q(2)) == 0


def test_closed_form_against_sympy_eigenvalues():
    """norm(J, 2) for two rows is sympy's largest exact eigenvalue of J^T J (d = 1, 2, 3)."""
    sympy = pytest.importorskip("sympy")
    rng = random.Random(1)
    for _ in range(12):
        d = rng.randint(1, 3)
        J = [[Q(rng.randint(-4, 4), rng.randint(1, 3)) for _ in range(d)] for _ in range(2)]
        G = sympy.Matrix([[sum((sympy.Rational(r[i].numerator, r[i].denominator) *
                                sympy.Rational(r[j].numerator, r[j].denominator) for r in J), 0)
                           for j in range(d)] for i in range(d)])
        top_e = max(G.eigenvals(), key=lambda e: sympy.N(e, 50))
        lam = norm(J, 2)
        want = (sympy.Rational(lam.t.numerator, lam.t.denominator) +
                sympy.sqrt(sympy.Rational(lam.D.numerator, lam.D.denominator))) / 2
        assert sympy.simplify(top_e - want) == 0, (J, top_e, want)


def test_oracle_judges_a_wrong_claim_wrong():
    """The judge refutes a bound below the truth, a lower above it, and a false 'attained'."""
    from exactmem.verdict import Verdict
    net = ReLUNet([([[1, 1], [1, -1]], [0, 0]), ([[1, 1]], [0])]).to_json(sparse=True)
    doc = {"network": net, "data": {"set": {"box": [["-1", "-1"], ["1", "1"]]}, "p": "2", "point": ["1/2", "0"]}}
    o = Oracle()
    assert o.judge(doc, Verdict.proved("", upper="4", lower="4", attained=True)) is None
    assert "below" in o.judge(doc, Verdict.proved("", upper="39/10", lower=None))
    assert "above" in o.judge(doc, Verdict.proved("", upper="5", lower="5"))
    doc["data"]["point"] = ["1/2", "1"]                               # only x + y on: norm^2 2
    assert "attained" in o.judge(doc, Verdict.proved("", upper="4", lower="1", attained=True))


# ---------------------------------------------------------------------------------------------------------
# Findings (each failed before the kernel's fixes: constrained sets need an interior point, no negative bounds,
# the dense-size cap before any allocation, stray keys refused, flat multipliers parsed eagerly)
# ---------------------------------------------------------------------------------------------------------

def _cert(net, data, tree):
    return Certificate("lipschitz", "review", None, net.to_json(sparse=True), data, {"tree": tree}).to_json()


def _refused(doc):
    """Not PROVED: UNDECIDED, or a CertificateError (either is a fix)."""
    try:
        return not kernel.check(doc).is_proved
    except CertificateError:
        return True


SEGMENT = ReLUNet([([[1, 0], [0, 1]], [0, 2]), ([[1, 1]], [0])])     # relu(x) + relu(y + 2)
# the box [-1, 1]^2 cut by x >= 0 and -x >= 0: the segment x = 0, y in [-1, 1], where f = y + 2, so Lip = 1 for
# every p (the increment along e_2 is |y - y'| = ||(0, y - y')||_p); the constraints leave no interior
SEGMENT_SET = {"box": [["-1", "-1"], ["1", "1"]], "constraints": [["1", "0", "0"], ["-1", "0", "0"]]}


# fixed (was xfail): finding 1: the kernel does not check that the set has interior; constraints can cut it to a segment, where a 'flat' leaf covers all of it and Lip <= 0 is PROVED although Lip = 1
@pytest.mark.parametrize("p, key", [("inf", "upper"), ("1", "upper"), ("2", "upper_sq")])
def test_flat_leaf_on_a_set_without_interior_is_not_proved(p, key):
    tree = [{"goals": [], "stable": [[0, 0, 1, [[-1, 0, "1"]]]], "flat": [0, 0, [[-1, 1, "1"]]]}]
    assert _refused(_cert(SEGMENT, {"set": SEGMENT_SET, "p": p, key: "0"}, tree))


# fixed (was xfail): finding 1, through the public API: lipschitz_constant accepts box(..., constraints=...) without interior and reports the exact constant 0 (truth 1)
def test_finder_on_a_set_without_interior_is_not_exact_zero():
    from exactmem.errors import InputSetError
    try:
        L = lipschitz_constant(SEGMENT, "inf", box([-1, -1], [1, 1], constraints=[[1, 0, 0], [-1, 0, 0]]))
    except InputSetError:
        return
    assert not (L.verdict.is_proved and L.upper < 1)


# fixed (was xfail): finding 1 on R^d: {all: true} cut to the line x = 0 by two constraints; f = relu(x) + relu(y) is relu(y) there (Lip 1), two flat leaves prove Lip <= 0
def test_whole_space_cut_to_a_line_is_not_proved():
    net = ReLUNet([([[1, 0], [0, 1]], [0, 0]), ([[1, 1]], [0])])
    S = {"all": True, "constraints": [["1", "0", "0"], ["-1", "0", "0"]]}
    tree = [{"split": [0, 0]}, {"goals": [], "flat": [0, 0, [[-1, 0, "1"]]]},
            {"goals": [], "flat": [0, 0, [[-1, 1, "1"]]]}]
    assert _refused(_cert(net, {"set": S, "p": "inf", "upper": "0"}, tree))


# fixed (was xfail): finding 2: on an empty set (inconsistent constraints) any bound, even a negative one, is PROVED: 'Lip <= -1'; a Lipschitz constant is >= 0 by definition
@pytest.mark.parametrize("S, p, key", [({"box": [["-1"], ["1"]], "constraints": [["1", "-2"]]}, "inf", "upper"),
                                       ({"all": True, "constraints": [["1", "-2"], ["-1", "1"]]}, "2", "upper_sq")])
def test_negative_bound_on_an_empty_set_is_not_proved(S, p, key):
    net = ReLUNet([([[1]], [0]), ([[1]], [0])])
    empty = [[-1, i, "1"] for i in range(len(S["constraints"]))]
    assert _refused(_cert(net, {"set": S, "p": p, key: "-1"}, [{"goals": [], "empty": empty}]))


def _wide(cols):
    """A ~400-byte certificate whose network reads `cols` inputs: x -> relu(x_0), on R^d."""
    net = {"format": "exactmem.relunet", "schema_version": 1,
           "layers": [{"cols": cols, "W_rows": [[[0, "1"]]], "b": ["0"]},
                      {"cols": 1, "W_rows": [[[0, "1"]]], "b": ["0"]}]}
    return Certificate("lipschitz", "review", None, net, {"set": {"all": True}, "p": "inf", "upper": "1"},
                       {"tree": [{"goals": []}]}).to_json()


# fixed (was xfail): finding 3: a huge 'cols' reaches python-flint unchecked (OverflowError here; cols = 3e7 took > 7 GB and > 2 min in one check, cols = 1e13 gave MemoryError under a 16 GB limit): lipschitz.check lacks the DENSE_LIMIT test of region-cover
def test_huge_input_dimension_is_a_certificate_error():
    with pytest.raises(CertificateError):
        kernel.check(_wide(10 ** 30))


# fixed (was xfail): docstring vs code: kernel/lipschitz.py says the point's norm must equal 'lower' for one output, the code accepts any lower below it -- and then still says 'attained', with details lower = 1 while Lip = 4
def test_attained_lower_is_the_value_for_one_output():
    net = ReLUNet([([[2]], [0]), ([[2]], [0])])                        # 4 relu(x): Lip_inf on [-1, 1] = 4
    doc = _cert(net, {"set": {"box": [["-1"], ["1"]]}, "p": "inf", "upper": "4", "point": ["1/2"], "lower": "1"},
                [{"split": [0, 0]}, {"goals": []}, {"goals": []}])
    v = kernel.check(doc)
    assert not v.is_proved or not v.details["attained"] or v.details.get("value", v.details["lower"]) == "4"


# fixed (was xfail): unclear: data keys the kind does not read are ignored silently -- 'upper' beside 'upper_sq' for p = 2, 'lower' without 'point' -- so a reader of data.upper = 1 sees a claim the kernel never checked (PROVED says Lip^2 <= 4)
@pytest.mark.parametrize("extra", [{"p": "2", "upper_sq": "4", "upper": "1"},
                                   {"p": "inf", "upper": "2", "lower": "100"}])
def test_stray_bound_keys_are_a_certificate_error(extra):
    net = ReLUNet([([[1]], [0]), ([[2]], [0])])                        # 2 relu(x): Lip 2
    with pytest.raises(CertificateError):
        kernel.check(_cert(net, {"set": {"box": [["-1"], ["1"]]}, **extra}, [{"goals": []}]))


# fixed (was xfail): finder completeness (not soundness): a unit whose pre-activation is identically 0 (empty row, bias 0) puts the row 0 >= 0 into every region's slack LP, so t* = 0 and _interior_point finds no point; the steepest cell then gets no lower end and [1, 11] is returned instead of the exact 11 (without the 
@pytest.mark.parametrize("p", ["inf", 2])
def test_a_zero_unit_does_not_stop_the_finder_being_exact(p):
    """f = 10 relu(x - 1/3) - 10 relu(x - 1/3 - 10^-6) + relu(x) + 5 relu(0 x): slope 11 on a cell of width 10^-6
    (which the float search misses), at most 1 elsewhere; Lip = 11 on [-1, 1] (by hand)."""
    e = fmpq(1, 10 ** 6)
    net = ReLUNet([([[1], [1], [1], [0]], [fmpq(-1, 3), fmpq(-1, 3) - e, 0, 0]), ([[10, -10, 1, 5]], [0])])
    L = lipschitz_constant(net, p, box([-1], [1]))
    assert L.verdict.is_proved and L.is_exact and (L.upper_sq == 121 if p == 2 else L.upper == 11)


# ---------------------------------------------------------------------------------------------------------
# Things that hold (regression guards for the review's other questions)
# ---------------------------------------------------------------------------------------------------------

def test_flat_leaves_on_a_full_set_stay_sound():
    """Two flat leaves below one split cover only the hyperplane z = 0: on the full box the kernel must refuse
    them both at once (each proves the other side only on its own half)."""
    net = ReLUNet([([[1, 0], [0, 1]], [0, 0]), ([[1, 1]], [0])])
    S = {"box": [["-1", "-1"], ["1", "1"]]}
    for lam in ([], [[0, 0, "1"]], [[0, 0, "2"]]):
        tree = [{"split": [0, 0]}, {"goals": [], "flat": [0, 0, lam]}, {"goals": [], "flat": [0, 0, lam]}]
        assert not kernel.check(_cert(net, {"set": S, "p": "inf", "upper": "0"}, tree)).is_proved


def test_descartes_counts_multiple_and_zero_eigenvalues():
    """J = I_2 (an identity layer on a box where both units are on): J^T J = I has the double eigenvalue 1;
    U = 1 is proved, 1 - 10^-30 not; a zero Jacobian gives eigenvalue 0 twice: U = 0 proved, U = -10^-30 not."""
    S = {"box": [["1", "1"], ["2", "2"]]}
    ident = ReLUNet([([[1, 0], [0, 1]], [0, 0]), ([[1, 0], [0, 1]], [0, 0])])
    zero = ReLUNet([([[1, 0], [0, 1]], [-5, -5]), ([[1, 0], [0, 1]], [0, 0])])
    ok = lambda net, U: kernel.check(_cert(net, {"set": S, "p": "2", "upper_sq": U}, [{"goals": []}])).is_proved  # noqa
    assert ok(ident, "1") and not ok(ident, "999999999999999999999999999999/1000000000000000000000000000000")
    assert ok(zero, "0") and not ok(zero, "-1/1000000000000000000000000000000")
    low = lambda L: kernel.check(_cert(ident, {"set": S, "p": "2", "upper_sq": "1", "point": ["3/2", "3/2"],  # noqa
                                               "lower_sq": L}, [{"goals": []}])).is_proved
    assert low("1") and not low("1000000000000000000000000000001/1000000000000000000000000000000")


def test_pairs_only_with_one_output_and_free_units_in_the_last_hidden_layer():
    """relu(x + y) + relu(x - y) with a second output 0: the pairwise bound (4) must not be used with two
    outputs; the l_2 operator envelope of [[2, 1], [0, 0]] is 5."""
    net = ReLUNet([([[1, 1], [1, -1]], [0, 0]), ([[1, 1], [0, 0]], [0, 0])])
    S = {"box": [["-1", "-1"], ["1", "1"]]}
    ok = lambda U: kernel.check(_cert(net, {"set": S, "p": "2", "upper_sq": U}, [{"goals": []}])).is_proved  # noqa
    assert ok("5") and not ok("49/10")
    # two hidden layers, free units in the first: the pairwise bound does not apply either (envelope 13)
    deep = ReLUNet([([[1, 1], [1, -1]], [0, 0]), ([[1, 0], [0, 1]], [0, 0]), ([[1, 1]], [0])])
    okd = lambda U: kernel.check(_cert(deep, {"set": S, "p": "2", "upper_sq": U}, [{"goals": []}])).is_proved  # noqa
    assert okd("5") and not okd("49/10")          # |J| <= [[2, 1]]... by intervals: [0,1]x[1,1]+[0,1]x[1,-1]


def test_pairs_ignores_units_absent_from_the_output_row():
    """relu(x + y) + relu(x - y) + 0 relu(5x) on [-1, 1]^2, all three free: the zero weight is dropped from the
    sparse output row; the pairwise bound is still 2 + 2 + 2 max(0, v1.v2) = 4 = Lip^2 (envelope: 5)."""
    net = ReLUNet([([[1, 1], [1, -1], [5, 0]], [0, 0, 0]), ([[1, 1, 0]], [0])])
    assert net.to_json(sparse=True)["layers"][1]["W_rows"] == [[[0, "1"], [1, "1"]]]
    S = {"box": [["-1", "-1"], ["1", "1"]]}
    ok = lambda U: kernel.check(_cert(net, {"set": S, "p": "2", "upper_sq": U}, [{"goals": []}])).is_proved  # noqa
    assert ok("4") and not ok("39/10")


def test_pairs_keeps_the_positive_cross_terms():
    """relu(x) + relu(x + y) on [-1, 1]^2, both free: v1 = (1, 0), v2 = (1, 1), v1.v2 = 1 > 0, so the bound is
    1 + 2 + 2 = 5, the true Lip^2 (both on: gradient (2, 1)); without the cross term it would be 3."""
    net = ReLUNet([([[1, 0], [1, 1]], [0, 0]), ([[1, 1]], [0])])
    S = {"box": [["-1", "-1"], ["1", "1"]]}
    ok = lambda U: kernel.check(_cert(net, {"set": S, "p": "2", "upper_sq": U}, [{"goals": []}])).is_proved  # noqa
    assert ok("5") and not ok("49/10")


def test_descartes_on_the_smaller_gram_matrix():
    """Two outputs, d = 3 (J J^T is 2 x 2, J^T J 3 x 3) and d = 1 (J^T J is 1 x 1): J = [[1, 0, 0], [0, 2, 0]]
    has sigma_max^2 = 4; J = [[1], [2]] has 1 + 4 = 5 (by hand)."""
    for W, S, lam in (([[1, 0, 0], [0, 2, 0]], {"box": [["1", "1", "1"], ["2", "2", "2"]]}, 4),
                      ([[1], [2]], {"box": [["1"], ["2"]]}, 5)):
        d = len(W[0])
        net = ReLUNet([([[int(i == j) for j in range(d)] for i in range(d)], [0] * d), (W, [0, 0])])
        ok = lambda U: kernel.check(_cert(net, {"set": S, "p": "2", "upper_sq": U}, [{"goals": []}])).is_proved  # noqa
        assert ok(str(lam)) and not ok(f"{lam * 10 ** 20 - 1}/{10 ** 20}")


def test_whole_space_needs_exact_cancellation():
    """On R^d a stable sign is proved only when the multipliers cancel x entirely: relu(x) with x unbounded
    is not stable, so a leaf claiming it off (lam on nothing) fails, and Lip = 1 is needed."""
    net = ReLUNet([([[1]], [0]), ([[3]], [0])])
    tree = [{"goals": [], "stable": [[0, 0, -1, []]]}]
    assert not kernel.check(_cert(net, {"set": {"all": True}, "p": "inf", "upper": "0"}, tree)).is_proved
    assert kernel.check(_cert(net, {"set": {"all": True}, "p": "inf", "upper": "3"}, tree)).is_proved
    # a constraint x <= -1 makes it off: 0 <= -x - 1 gives -x >= 1 > 0
    cut = {"all": True, "constraints": [["-1", "-1"]]}
    tree = [{"goals": [], "stable": [[0, 0, -1, [[-1, 0, "1"]]]]}]
    data = {"set": cut, "p": "inf", "upper": "0", "point": ["-2"], "lower": "0"}   # the point shows interior
    assert kernel.check(_cert(net, data, tree)).is_proved


def test_malformed_trees_are_certificate_errors():
    net = ReLUNet([([[1], [1]], [0, -1]), ([[1, -1]], [0])])
    base = {"set": {"box": [["-2"], ["2"]]}, "p": "inf", "upper": "1"}
    for tree in ([], [{"split": [0, 0]}], [{"split": [0, 0]}, {"goals": []}, {"goals": []}, {"goals": []}],
                 [{"split": [1, 0]}, {"goals": []}, {"goals": []}], [{"split": [0, 2]}, {"goals": []}, {"goals": []}],
                 [{"split": [0, 0]}, {"split": [0, 0]}, {"goals": []}, {"goals": []}, {"goals": []}],
                 [{"split": [0, True]}, {"goals": []}, {"goals": []}], [7], [{"goals": [], "flat": [0, 0]}],
                 [{"goals": [], "stable": [[0, 0, True, []]]}], [{"goals": [], "empty": "x"}], [{}], "tree",
                 [{"goals": [], "stable": [[0, 0, 1, [[0, 1, "-1"]]]]}]):
        with pytest.raises(CertificateError):
            kernel.check(_cert(net, base, tree))


# fixed (was xfail): minor: a flat mark's multipliers are parsed only when its unit's constraint exists on the leaf, so a malformed list gives UNDECIDED 'flatness not proved', not a CertificateError (stable and empty multipliers are parsed eagerly)
def test_malformed_flat_multipliers_are_a_certificate_error():
    net = ReLUNet([([[1], [1]], [0, -1]), ([[1, -1]], [0])])
    base = {"set": {"box": [["-2"], ["2"]]}, "p": "inf", "upper": "1"}
    with pytest.raises(CertificateError):
        kernel.check(_cert(net, base, [{"goals": [], "flat": [0, 0, [[0, "a", 1]]]}]))


# ---------------------------------------------------------------------------------------------------------
# The fuzz
# ---------------------------------------------------------------------------------------------------------

def _report(stats):
    return {k: (v if isinstance(v, int) else len(v)) for k, v in stats.items() if k not in ("by_kind", "inexact")}, \
        (stats["unsound"] + stats["finder"] + stats["escape"])[:3]


def _assert_clean(stats):
    assert not stats["unsound"] and not stats["finder"] and not stats["escape"], _report(stats)
    assert stats["proved"] and stats["rejected"] + stats["undecided"], _report(stats)   # the fuzz did both


def test_fuzz_moderate():
    """A few seconds: finder certificates on 40 random networks and sets, ~25 mutants each, against the oracle."""
    _assert_clean(fuzz(seed=1, cases=40, mutants=25))


def test_the_fuzz_catches_a_wrong_descartes_count(monkeypatch):
    """The harness can fail: with _above off by one (an eigenvalue above U missed) the random trees find a
    PROVED bound below some leaf's sigma_max^2 or the truth."""
    from exactmem.kernel import lipschitz as K
    above = K._above
    monkeypatch.setattr(K, "_above", lambda G, t: max(0, above(G, t) - 1))
    _, bad = tree_fuzz(seed=0, cases=40)
    assert bad


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(2, 6))
def test_fuzz_slow(seed):
    _assert_clean(fuzz(seed=seed, cases=150, mutants=40))


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(1, 3))
def test_random_trees_slow(seed):
    leaves, bad = tree_fuzz(seed=seed, cases=400)
    counts, bad2 = hinted_tree_fuzz(seed=seed, cases=400)
    assert not bad and not bad2, (bad + bad2)[:3]
    assert counts[1] and counts[2]                                 # flat and empty leaves were exercised


# ---------------------------------------------------------------------------------------------------------
# Malformed certificates: only CertificateError or a verdict may come out of kernel.check
# ---------------------------------------------------------------------------------------------------------

JUNK = (None, True, False, -1, 0, 1, 2, 10 ** 40, -10 ** 40, "x", "1/0", "-1", "0", "1/2", [], {}, [[]], [0], [0, 0],
        [0, 0, 0], [[0, 0, "1"]], [-1, 0, "1"], {"split": [0, 0]}, {"goals": []}, 1.5)


def _places(v, path=()):
    yield path
    if isinstance(v, dict):
        for k in v:
            yield from _places(v[k], path + (k,))
    elif isinstance(v, list):
        for i, t in enumerate(v):
            yield from _places(t, path + (i,))


def garble(doc, rng):
    """The document with one value (anywhere below format/kind/digest) replaced by junk, or a list entry
    dropped or repeated."""
    body = copy.deepcopy(_unsigned(doc))
    places = [p for p in _places(body) if p and p[0] not in ("format", "schema_version", "kind", "info", "claim")]
    path = rng.choice(places)
    parent = body
    for k in path[:-1]:
        parent = parent[k]
    op = rng.random()
    if isinstance(parent, list) and op < 0.2:
        del parent[path[-1]]
    elif isinstance(parent, list) and op < 0.35:
        parent.insert(path[-1], copy.deepcopy(parent[path[-1]]))
    else:
        parent[path[-1]] = copy.deepcopy(rng.choice(JUNK))
    return kernel.sign(body)


def garble_fuzz(seed, cases, per_case):
    """[(what escaped, document)] over garbled finder certificates."""
    rng, out = random.Random(seed), []
    for _ in range(cases):
        d = rng.randint(1, 3)
        net = random_net(rng, d, [rng.randint(1, 4) for _ in range(rng.randint(1, 2))], rng.choice((1, 2)))
        doc = lipschitz_constant(net, rng.choice((1, 2, "inf")), random_set(rng, d)).certificate
        for _ in range(per_case):
            bad = garble(doc, rng)
            try:
                kernel.check(bad)
            except CertificateError:
                pass
            except Exception as e:                                  # noqa: BLE001 - the finding itself
                out.append((f"{type(e).__name__}: {e}"[:200], json.dumps(_unsigned(bad))[:3000]))
    return out


def test_garbled_certificates_give_certificate_errors():
    escaped = garble_fuzz(seed=0, cases=6, per_case=40)
    assert not escaped, escaped[:3]


# ---------------------------------------------------------------------------------------------------------
# Random trees (shapes the finder never writes): the kernel's per-leaf bounds against the oracle, and its
# decision (Descartes' rule for two outputs) against the closed form
# ---------------------------------------------------------------------------------------------------------

def random_tree(rng, units, depth, path=()):
    """A preorder split tree over random hidden units (deeper units too, before earlier ones are fixed)."""
    free = [u for u in units if u not in path]
    if depth == 0 or not free or rng.random() < 0.3:
        return [{"goals": []}]
    u = rng.choice(free)
    return [{"split": list(u)}] + random_tree(rng, units, depth - 1, path + (u,)) + \
        random_tree(rng, units, depth - 1, path + (u,))


def _frac(t):
    return Q(int(t.p), int(t.q))


def kernel_bounds(doc):
    """Per leaf, the smallest U the kernel's ``final`` accepts there (rational, or a Quad for p = 2 with two
    outputs), computed with the kernel's own envelope and pairwise bound but normed here; None for flat and
    empty leaves."""
    from exactmem.kernel import lipschitz as K
    from exactmem.kernel import parse as KP
    from exactmem.kernel import regions as KR
    d, layers = KP.network(doc["network"])
    S, p = KR.parse_set(doc["data"]["set"], d, "set"), P_OF[doc["data"]["p"]]
    out = []
    widths = [len(r) for r, _ in layers[:-1]]
    for path, node, _ in KR.each_leaf(doc["hints"]["tree"], widths, "tree"):
        seen = []

        def final(outs, partial):
            if outs is not None:
                seen.append(norm([[_frac(c) for c in row] for row, _ in outs], p))
            else:
                A = [[_frac(t) for t in r] for r in K.envelope(layers, *partial, d)]
                b, q = norm(A, p), K.pairs(layers, *partial, d) if p == 2 else None
                seen.append(b if q is None or cmp(b, _frac(q)) <= 0 else _frac(q))
            return None
        assert KR.leaf(layers, S, [], path, node, d, final) is None
        out.append(seen[0] if seen else None)
    return out


def _rational_between(x, below):
    """A rational just below (below=True) or just above the Quad or rational x, within about 1e-9 of it."""
    if not isinstance(x, Quad):
        e = abs(x) / 10 ** 9 + Q(1, 10 ** 12)
        return x - e if below else x + e
    g = Q((float(x.t) + float(x.D) ** 0.5) / 2)
    step = abs(g) / 10 ** 9 + Q(1, 10 ** 12)
    r = g
    while (cmp(r, x) >= 0) if below else (cmp(r, x) <= 0):
        r = r - step if below else r + step
        step *= 2
    return r


def _with_point(data, net, rng):
    """data with an interior point and lower 0 (which it always meets) when the set has constraints -- a fixed
    kernel may ask for that witness of interior -- and half the time otherwise."""
    if data["set"].get("constraints") or rng.random() < 0.5:
        x = inner_point(net.to_json(sparse=True), data["set"], rng)
        if x is not None:
            return {**data, "point": [str(t) for t in x], ("lower_sq" if data["p"] == "2" else "lower"): "0"}
    return data


def tree_fuzz(seed, cases, oracle=None):
    """(checked leaves, [findings]): for random trees the kernel's acceptance threshold max_leaf bound must be
    >= the truth, U just above it PROVED and U just below it not."""
    rng, oracle, bad, leaves = random.Random(seed), oracle or Oracle(), [], 0
    done = 0
    while done < cases:
        d = rng.randint(1, 3)
        widths = [rng.randint(1, 5) for _ in range(rng.randint(1, 2))]
        net, region = random_net(rng, d, widths, rng.choice((1, 1, 2))), random_set(rng, d)
        p = rng.choice(("1", "2", "inf"))
        units = [(l, j) for l, w in enumerate(widths) for j in range(w)]
        tree = random_tree(rng, units, rng.randint(0, 4))
        data = _with_point({"set": region.spec, "p": p}, net, rng)
        doc = Certificate("lipschitz", "review", None, net.to_json(sparse=True), data, {"tree": tree}).to_json()
        T = oracle.truth(doc)
        if T is None:
            continue
        done += 1
        bs = [b for b in kernel_bounds(doc) if b is not None]
        leaves += len(bs)
        top_b = bs[0] if bs else Q(0)
        for b in bs:                                                # the maximum, compared exactly
            if cmp(b, top_b) > 0:
                top_b = b
        key = "upper_sq" if p == "2" else "upper"
        if cmp(top_b, T) < 0:
            bad.append(("leaf bounds below the truth", str(top_b), str(T), json.dumps(_unsigned(doc))))
            continue
        for below in (False, True):
            U = _rational_between(top_b, below)
            if below and cmp(top_b, 0) == 0:
                U = Q(-1, 10 ** 12)
            v = kernel.check(kernel.sign({**_unsigned(doc), "data": {**data, key: str(U)}}))
            if v.is_proved == below:
                bad.append((f"U = {U} {'below' if below else 'above'} the leaf bound {top_b}: {v}",
                            json.dumps(_unsigned(doc))))
    return leaves, bad


def test_random_trees_against_the_oracle():
    leaves, bad = tree_fuzz(seed=0, cases=40)
    assert leaves > 40 and not bad, bad[:3]


def hinted_tree(rng, net, region, tree):
    """The random tree's leaves replaced by the finder's own hints for their regions (analysis.cover.walk):
    stable proofs, empty marks, and flat marks wherever exact._flat finds one -- proofs the kernel must check
    on split orders the finder would never choose.  Returns (tree, flat leaves, empty leaves)."""
    from exactmem.analysis import cover
    from exactmem.kernel import regions as KR
    from exactmem.lipschitz import exact as E
    layers, d = net.sparse_layers(), net.input_dim
    S = KR.parse_set(region.spec, d, "set")
    if S.p == "all":
        S.r = E._scale(layers, d)
    widths = [len(r) for r, _ in layers[:-1]]
    where = [i for i, n in enumerate(tree) if "split" not in n]
    out, flats, empties = copy.deepcopy(tree), 0, 0
    for i, (path, _, _) in zip(where, KR.each_leaf(tree, widths, "tree")):
        seen = []
        kind, res = cover.walk(layers, S, list(path), d, None, lambda *a: seen.append(a))
        if kind == "leaf":
            out[i], empties = res, empties + 1
            continue
        nd = res[0] if kind == "region" else seen[0][0]
        node = nd.leaf(goals=[])
        fl = E._flat(nd)
        if fl is not None and rng.random() < 0.9:
            node["flat"], flats = fl, flats + 1
        out[i] = node
    return out, flats, empties


def hinted_tree_fuzz(seed, cases, oracle=None):
    """tree_fuzz with hinted leaves (``hinted_tree``): (leaves, flat, empty, [findings])."""
    rng, oracle, bad, counts = random.Random(seed), oracle or Oracle(), [], [0, 0, 0]
    done = 0
    while done < cases:
        d = rng.randint(1, 3)
        widths = [rng.randint(1, 5) for _ in range(rng.randint(1, 2))]
        net, region = random_net(rng, d, widths, rng.choice((1, 1, 2))), random_set(rng, d)
        p = rng.choice(("1", "2", "inf"))
        probe = {"network": net.to_json(sparse=True), "data": {"set": region.spec, "p": p}}
        T = oracle.truth(probe)
        if T is None:
            continue
        done += 1
        units = [(l, j) for l, w in enumerate(widths) for j in range(w)]
        tree, fl, em = hinted_tree(rng, net, region, random_tree(rng, units, rng.randint(1, 5)))
        data = _with_point({"set": region.spec, "p": p}, net, rng)
        doc = Certificate("lipschitz", "review", None, net.to_json(sparse=True), data, {"tree": tree}).to_json()
        bs = kernel_bounds(doc)
        counts[0] += len(bs)
        counts[1] += fl
        counts[2] += em
        bs = [b for b in bs if b is not None]
        top_b = bs[0] if bs else Q(0)
        for b in bs:
            if cmp(b, top_b) > 0:
                top_b = b
        key = "upper_sq" if p == "2" else "upper"
        if cmp(top_b, T) < 0:
            bad.append(("leaf bounds below the truth", str(top_b), str(T), json.dumps(_unsigned(doc))))
            continue
        for below in (False, True):
            U = _rational_between(top_b, below) if not (below and cmp(top_b, 0) == 0) else Q(-1, 10 ** 12)
            v = kernel.check(kernel.sign({**_unsigned(doc), "data": {**data, key: str(U)}}))
            if v.is_proved == below:
                bad.append((f"U = {U} {'below' if below else 'above'} the leaf bound {top_b}: {v}",
                            json.dumps(_unsigned(doc))))
    return counts, bad


def test_hinted_random_trees_against_the_oracle():
    counts, bad = hinted_tree_fuzz(seed=0, cases=30)
    assert counts[0] > 30 and not bad, bad[:3]
