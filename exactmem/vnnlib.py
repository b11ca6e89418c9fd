"""VNN-LIB properties (the format of VNN-COMP), read exactly and decided for any ReLU network.

A property declares inputs ``X_i`` and outputs ``Y_j`` and asserts linear constraints on them, combined with
``and`` and ``or``; it is *sat* when some input meets every assertion -- a counterexample to the safety
property it encodes -- and *unsat* otherwise.  Decimal constants are read exactly.  The input assertions
must bound every input (a box, or a disjunction of boxes, optionally cut by linear constraints); the output
assertions become, negated, the goal of a region-cover question per input box, so *unsat* is the kernel's
PROVED and *sat* an exact point the kernel re-evaluated.

>>> prop = parse('''
... (declare-const X_0 Real) (declare-const Y_0 Real) (declare-const Y_1 Real)
... (assert (>= X_0 -1)) (assert (<= X_0 0.5))
... (assert (or (and (>= Y_0 Y_1)) (and (<= Y_0 -3))))''')
>>> prop.n_in, prop.n_out, len(prop.boxes), len(prop.goal)
(1, 2, 1, 2)
>>> prop.boxes[0][:2]
([-1], [1/2])
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from flint import fmpq

from .errors import ExactmemError
from .exact import fmt, to_rational


class VnnlibError(ExactmemError, ValueError):
    """A VNN-LIB file exactmem cannot read: a syntax error, an unbounded input, an unsupported construct."""


_VAR = re.compile(r"^([XY])_(\d+)$")


def _tokens(text):
    text = re.sub(r";[^\n]*", " ", text)
    return re.findall(r"\(|\)|[^\s()]+", text)


def _sexprs(tokens):
    stack = [[]]
    for t in tokens:
        if t == "(":
            stack.append([])
        elif t == ")":
            if len(stack) == 1:
                raise VnnlibError("unbalanced ')'")
            done = stack.pop()
            stack[-1].append(done)
        else:
            stack[-1].append(t)
    if len(stack) != 1:
        raise VnnlibError("unbalanced '(': the file ends inside an expression")
    return stack[0]


def _number(t):
    try:
        return to_rational(t)
    except ExactmemError:
        return None


def _linear(e, where):
    """(coefficients {var: fmpq}, constant) of a linear term."""
    if isinstance(e, str):
        m = _VAR.match(e)
        if m:
            return {(m[1], int(m[2])): fmpq(1)}, fmpq(0)
        q = _number(e)
        if q is None:
            raise VnnlibError(f"{where}: unknown symbol {e!r}")
        return {}, q
    if not e:
        raise VnnlibError(f"{where}: empty expression")
    op, args = e[0], [_linear(a, where) for a in e[1:]]
    if op == "+" and args:
        return _sum(args, [1] * len(args))
    if op == "-" and args:
        return _sum(args, [-1] if len(args) == 1 else [1] + [-1] * (len(args) - 1))
    if op == "*" and len(args) == 2:
        (ca, ka), (cb, kb) = args
        if ca and cb:
            raise VnnlibError(f"{where}: a product of two variables is not linear")
        c, k, s = (cb, kb, ka) if not ca else (ca, ka, kb)
        return {v: s * a for v, a in c.items()}, s * k
    raise VnnlibError(f"{where}: unsupported term ({op} ...): use +, -, * by a constant")


def _sum(args, signs):
    c, k = {}, fmpq(0)
    for (ca, ka), s in zip(args, signs):
        for v, a in ca.items():
            c[v] = c.get(v, fmpq(0)) + s * a
        k += s * ka
    return c, k


MAX_DISJUNCTS = 10000


def _product(a, b, where):
    """The conjunction of two DNFs, refused beyond MAX_DISJUNCTS disjuncts (it grows as a product)."""
    if len(a) * len(b) > MAX_DISJUNCTS:
        raise VnnlibError(f"{where}: the property's disjunctive normal form would have {len(a) * len(b)} disjuncts "
                          f"(more than {MAX_DISJUNCTS}); split it into several properties")
    return [c + d for c in a for d in b]


def _dnf(e, where):
    """A formula as a list of conjunctions of atoms (coefficients, constant, strict): sum + constant >(=) 0."""
    if not isinstance(e, list) or not e:
        raise VnnlibError(f"{where}: expected a formula, got {str(e)[:40]}")
    op = e[0]
    if op == "and":
        out = [[]]
        for a in e[1:]:
            out = _product(out, _dnf(a, where), where)
        return out
    if op == "or":
        return [c for a in e[1:] for c in _dnf(a, where)]
    if op in ("<=", ">=", "<", ">", "=") and len(e) == 3:
        (ca, ka), (cb, kb) = _linear(e[1], where), _linear(e[2], where)
        lhs = _sum([(ca, ka), (cb, kb)], [1, -1])                # a - b
        rhs = _sum([(cb, kb), (ca, ka)], [1, -1])                # b - a
        if op == "=":
            return [[(*lhs, False), (*rhs, False)]]
        c, k = lhs if op in (">=", ">") else rhs
        return [[(c, k, op in ("<", ">"))]]
    raise VnnlibError(f"{where}: unsupported formula ({op} ...): use and, or, <=, >=, <, >, =")


@dataclass(frozen=True)
class Property:
    """n_in inputs, n_out outputs; ``boxes``: (lower, upper, rows a.x + b >= 0) per input disjunct; ``goal``:
    the conjunction over output disjuncts of the disjunction of their negated atoms ([g over outputs], h,
    strict), i.e. what must hold for the property to be unsat.  Both are empty when an assertion is an empty
    disjunction (false): the property is then unsat whatever the network."""

    n_in: int
    n_out: int
    boxes: list
    goal: list


def parse(text: str) -> Property:
    """A property from VNN-LIB text."""
    if not isinstance(text, str):
        raise VnnlibError(f"expected VNN-LIB text, got {type(text).__name__}")
    decl, asserts = {"X": set(), "Y": set()}, []
    for i, e in enumerate(_sexprs(_tokens(text))):
        where = f"expression {i + 1}"
        if not isinstance(e, list) or not e:
            raise VnnlibError(f"{where}: expected (declare-const ...) or (assert ...)")
        if e[0] == "declare-const":
            m = _VAR.match(e[1]) if len(e) == 3 and isinstance(e[1], str) else None
            if m is None or e[2] != "Real":
                raise VnnlibError(f"{where}: only (declare-const X_i Real) and (declare-const Y_j Real) are read")
            decl[m[1]].add(int(m[2]))
        elif e[0] == "assert" and len(e) == 2:
            asserts.append((_dnf(e[1], where), where))
        else:
            raise VnnlibError(f"{where}: unsupported command {str(e[0])[:30]!r}")
    n_in, n_out = len(decl["X"]), len(decl["Y"])
    for dnf, where in asserts:
        for conj in dnf:
            for c, _, _ in conj:
                bad = [f"{k}_{i}" for k, i in c if i not in decl[k]]
                if bad:
                    raise VnnlibError(f"{where}: {bad[0]} is used but not declared")
    for k, n in (("X", n_in), ("Y", n_out)):
        if decl[k] != set(range(n)):
            raise VnnlibError(f"the declared {k} variables must be {k}_0 ... {k}_{n - 1}")
    if any(not dnf for dnf, _ in asserts):                       # an empty (or): false, nothing can meet it
        return Property(n_in, n_out, [], [])
    inputs, outputs = [[]], [[]]
    for dnf, where in asserts:
        kinds = {v[0] for conj in dnf for c, _, _ in conj for v in c}
        if kinds == {"X", "Y"}:
            raise VnnlibError(f"{where}: an assertion mixing inputs and outputs is not supported")
        target = outputs if "Y" in kinds else inputs
        target[:] = _product(target, dnf, where)
    boxes = [_box(conj, n_in) for conj in inputs]
    goal = [[([-c.get(("Y", j), fmpq(0)) for j in range(n_out)], -k, not strict) for c, k, strict in conj]
            for conj in outputs]
    if not all(goal):
        raise VnnlibError("the output assertions hold for every output (an empty conjunction): the property is sat "
                          "exactly when the input set is non-empty")
    return Property(n_in, n_out, boxes, goal)


def _box(conj, n):
    lo, hi, rows = [None] * n, [None] * n, []
    for c, k, strict in conj:
        if strict:
            raise VnnlibError("strict input constraints (< or >) are not supported: use <= and >=")
        c = {v: a for v, a in c.items() if a != 0}
        if len(c) == 1:
            (v, a), = c.items()
            b = -k / a                                            # a x + k >= 0
            j = v[1]
            if a > 0:
                lo[j] = b if lo[j] is None else max(lo[j], b)
            else:
                hi[j] = b if hi[j] is None else min(hi[j], b)
        elif c:
            rows.append([c.get(("X", j), fmpq(0)) for j in range(n)] + [k])
        elif k < 0:
            raise VnnlibError("an input constraint 0 >= a positive constant can never hold")
    missing = [j for j in range(n) if lo[j] is None or hi[j] is None]
    if missing:
        raise VnnlibError(f"input X_{missing[0]} needs a lower and an upper bound")
    bad = [j for j in range(n) if lo[j] > hi[j]]
    if bad:
        raise VnnlibError(f"input X_{bad[0]} has inconsistent bounds: lower {fmt(lo[bad[0]])} > upper "
                          f"{fmt(hi[bad[0]])}")
    return lo, hi, rows


def read(path) -> Property:
    try:
        with open(path) as fh:
            return parse(fh.read())
    except (OSError, UnicodeDecodeError, TypeError) as e:
        raise VnnlibError(f"cannot read {path!r}: {e}") from None


@dataclass(frozen=True)
class Result:
    """``status``: "sat" (``x`` and ``y``, exact, meet every assertion), "unsat" (the kernel's ``certificate``),
    "timeout" or "unknown" (``reason``)."""

    status: str
    x: list | None = None
    y: list | None = None
    certificate: dict | None = None
    reason: str = ""

    def vnncomp(self) -> str:
        """The result in VNN-COMP's format: a status line, and for sat the assignments ((X_0 v) ... (Y_0 v))."""
        if self.status != "sat":
            return self.status + "\n"
        names = [f"X_{i}" for i in range(len(self.x))] + [f"Y_{j}" for j in range(len(self.y))]
        body = "\n ".join(f"({n} {decimal(v)})" for n, v in zip(names, self.x + self.y))
        return f"sat\n({body})\n"


def decimal(q, digits: int = 30) -> str:
    """q as a decimal: exact when its denominator divides a power of ten, else rounded to ``digits`` figures."""
    q = to_rational(q)
    k = _places(q)
    if k is not None:
        n = int(q.p) * 10 ** k // int(q.q)
        s = str(abs(n)).rjust(k + 1, "0")
        s = (s[:-k] + "." + s[-k:]).rstrip("0").rstrip(".") if k else s
        return ("-" if n < 0 else "") + s
    import mpmath
    with mpmath.workprec(4 * digits + 10):
        return mpmath.nstr(mpmath.mpf(int(q.p)) / int(q.q), digits)


def _places(q):
    """The number of decimal places q needs, or None when its decimal expansion does not end."""
    den, k2, k5 = int(q.q), 0, 0
    while den % 2 == 0:
        den, k2 = den // 2, k2 + 1
    while den % 5 == 0:
        den, k5 = den // 5, k5 + 1
    return max(k2, k5) if den == 1 else None


def _decimal_point(doc, q, x):
    """x itself when every coordinate is a finite decimal; else the first rounding of x to 6, 12, ... 60 places
    that the kernel confirms still refutes question q, so that the VNN-COMP file holds a true counterexample."""
    from .kernel import regions
    if all(_places(t) is not None for t in x):
        return x
    for k in range(6, 61, 6):
        y = [fmpq(round(t * 10 ** k), 10 ** k) for t in x]
        if regions.refute(doc, q, y).is_refuted:
            return y
    return x


def decide(net, prop: Property, budget=None) -> Result:
    """Decide a property exactly for a network (``exactmem.ReLUNet``)."""
    from .analysis import decide as engine
    from .analysis.ask import _atom, _budget, _doc, box
    from .network import ReLUNet
    if not isinstance(net, ReLUNet) or not isinstance(prop, Property):
        raise VnnlibError("decide needs an exactmem.ReLUNet and a Property from vnnlib.read or vnnlib.parse")
    budget = _budget(budget)
    if (net.input_dim, net.output_dim) != (prop.n_in, prop.n_out):
        raise VnnlibError(f"the property has {prop.n_in} inputs and {prop.n_out} outputs; the network "
                          f"{net.input_dim} and {net.output_dim}")
    if not prop.goal or not prop.boxes:
        return Result("unsat", reason="an assertion is an empty disjunction (or): no point meets the property, "
                                      "whatever the network")
    goal = [[_atom(*a) for a in clause] for clause in prop.goal]
    doc = _doc(net, "the VNN-LIB property is unsat", [{"set": box(lo, hi, rows).spec, "goal": goal}
                                                       for lo, hi, rows in prop.boxes])
    v, cert = engine._decide(doc, budget, "regions")
    if v.is_proved:
        return Result("unsat", certificate=cert, reason=v.reason)
    if v.is_refuted:
        x = _decimal_point(doc, v.witness["question"], [to_rational(t) for t in v.witness["x"]])
        note = "" if all(_places(t) is not None for t in x) else \
            " (no decimal point near the exact counterexample meets the property: VNN-COMP's file rounds it)"
        return Result("sat", x, net(x), reason=v.reason + note)
    return Result("timeout" if "budget" in v.reason else "unknown", reason=v.reason)


__all__ = ["VnnlibError", "Property", "parse", "read", "Result", "decide", "decimal"]
