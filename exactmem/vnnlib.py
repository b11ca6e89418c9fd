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


_VAR = re.compile(r"([XY])_(\d{1,9})")
MAX_DEPTH = 100     # nesting levels of one expression (VNN-COMP's files use about 5); the readers below recurse


def _tokens(text):
    text = re.sub(r";[^\n]*", " ", text)
    return re.findall(r"\(|\)|[^\s()]+", text)


def _sexprs(tokens):
    """The expressions as nested lists, read without recursion and refused deeper than MAX_DEPTH."""
    stack = [[]]
    for t in tokens:
        if t == "(":
            if len(stack) > MAX_DEPTH:
                raise VnnlibError(f"expression {len(stack[0]) + 1} is nested more than {MAX_DEPTH} levels deep")
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
        m = _VAR.fullmatch(e)
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


MAX_DISJUNCTS, MAX_ATOMS = 10000, 10 ** 6


def _refuse(where, n, atoms):
    if n > MAX_DISJUNCTS:
        raise VnnlibError(f"{where}: the property's disjunctive normal form would have {n} disjuncts (more than "
                          f"{MAX_DISJUNCTS}); split it into several properties")
    if atoms > MAX_ATOMS:
        raise VnnlibError(f"{where}: the property's disjunctive normal form would have {atoms} atoms in all (more "
                          f"than {MAX_ATOMS}); split it into several properties")


def _conjoin(dnfs, where):
    """The conjunction of DNFs: the single-conjunction ones joined once, the others multiplied in, each product
    counted first and refused beyond MAX_DISJUNCTS disjuncts or MAX_ATOMS atoms (it grows as a product)."""
    out = [[a for d in dnfs if len(d) == 1 for a in d[0]]]
    for b in (d for d in dnfs if len(d) != 1):
        _refuse(where, len(out) * len(b), len(b) * sum(map(len, out)) + len(out) * sum(map(len, b)))
        out = [c + d for c in out for d in b]
    return out


def _dnf(e, where):
    """A formula as a list of conjunctions of atoms (coefficients, constant, strict): sum + constant >(=) 0."""
    if not isinstance(e, list) or not e:
        raise VnnlibError(f"{where}: expected a formula, got {str(e)[:40]}")
    op = e[0]
    if op == "and":
        return _conjoin([_dnf(a, where) for a in e[1:]], where)
    if op == "or":
        out = []
        for a in e[1:]:
            out += _dnf(a, where)
            _refuse(where, len(out), 0)
        return out
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
    """n_in inputs, n_out outputs; ``boxes``: (lower, upper, rows a.x + b >= 0) per input disjunct; ``goals``: per
    box, the conjunction over its output disjuncts of the disjunction of their negated atoms ([g over outputs],
    h, strict), i.e. what must hold on the box for the property to be unsat (an output disjunct that is always
    true -- no output atom -- gives the clause 0 > 0, which fails everywhere).  Both are empty when an assertion
    is false (an empty disjunction): the property is then unsat whatever the network."""

    n_in: int
    n_out: int
    boxes: list
    goals: list

    @property
    def goal(self):
        """The goal every box shares (the usual case: input and output assertions apart), else None."""
        if not self.goals:
            return []
        return self.goals[0] if all(g == self.goals[0] for g in self.goals) else None


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
            m = _VAR.fullmatch(e[1]) if len(e) == 3 and isinstance(e[1], str) else None
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
    asserts = [(_constants(dnf), where) for dnf, where in asserts]
    if any(not dnf for dnf, _ in asserts):               # an empty (or), or only false disjuncts: nothing meets it
        return Property(n_in, n_out, [], [])
    boxes, goals, empty = [], [], None
    for ins, outs in _blocks(asserts):
        try:
            boxes.append(_box(ins, n_in))
        except _EmptyBox as e:                            # this disjunct meets no input; the others may
            empty = empty or e
            continue
        goals.append([[([-c.get(("Y", j), fmpq(0)) for j in range(n_out)], -k, not strict) for c, k, strict in conj]
                      or [([fmpq(0)] * n_out, fmpq(0), True)] for conj in outs])
    if not boxes:
        raise empty
    return Property(n_in, n_out, boxes, goals)


def _constants(dnf):
    """The DNF with zero coefficients dropped and atoms without variables decided: a true one leaves its
    conjunction, a false one removes the conjunction."""
    out = []
    for conj in dnf:
        keep = []
        for c, k, strict in conj:
            c = {v: a for v, a in c.items() if a != 0}
            if c:
                keep.append((c, k, strict))
            elif k < 0 or (k == 0 and strict):
                break
        else:
            out.append(keep)
    return out


def _blocks(asserts):
    """The property as blocks (input conjunction, output DNF), one of which must hold.  Assertions on inputs only
    and on outputs only are conjoined apart (no product of boxes and output disjuncts is formed); the disjuncts
    of an assertion that mixes the two are grouped by their input part, each group a block, and multiplied in."""
    inputs, outputs, mixed = [], [], []
    for dnf, where in asserts:
        kinds = set()
        for conj in dnf:
            for c, _, _ in conj:
                kind = {v[0] for v in c}
                if len(kind) > 1:
                    raise VnnlibError(f"{where}: an atom mixing inputs and outputs (such as X_0 <= Y_0) is not "
                                      f"supported: compare outputs with constants or with each other")
                kinds |= kind
        (mixed if len(kinds) > 1 else outputs if kinds == {"Y"} else inputs).append((dnf, where))
    outs = _conjoin([d for d, _ in outputs], "the output assertions")
    blocks = [(ins, outs) for ins in _conjoin([d for d, _ in inputs], "the input assertions")]
    for dnf, where in mixed:
        parts = {}
        for conj in dnf:
            ins = [a for a in conj if min(a[0])[0] == "X"]
            key = tuple((tuple(sorted(c.items())), k, s) for c, k, s in ins)
            parts.setdefault(key, (ins, []))[1].append([a for a in conj if min(a[0])[0] == "Y"])
        _refuse(where, len(blocks) * len(parts), sum(len(i) + len(o) for i, o in blocks) * len(parts))
        blocks = [(bi + pi, _conjoin([bo, po], where)) for bi, bo in blocks for pi, po in parts.values()]
    return blocks


class _EmptyBox(VnnlibError):
    """Bounds that no input meets: an error when every disjunct of the property has them."""


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
        raise _EmptyBox(f"input X_{bad[0]} has inconsistent bounds: lower {fmt(lo[bad[0]])} > upper "
                          f"{fmt(hi[bad[0]])}")
    return lo, hi, rows


def read(path) -> Property:
    """A property from a VNN-LIB file (UTF-8 text; VNN-LIB itself is ASCII)."""
    try:
        if isinstance(path, int):                         # open() would take it as a file descriptor
            raise TypeError("a path is needed, not a number")
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except (OSError, ValueError, TypeError) as e:        # ValueError: undecodable bytes, a NUL in the path
        raise VnnlibError(f"cannot read {str(path)[:200]!r}: {str(e)[:200]}") from None
    return parse(text)


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


def decide(net, prop: Property, budget=None, executor=None, checkpoint=None, resume=None) -> Result:
    """Decide a property exactly for a network (``exactmem.ReLUNet``).  ``executor`` (``exactmem.parallel``):
    the linear-bounds search, the region engine after it (``analysis.cover_queue``, unless the executor is the
    serial one) and the kernel's check over workers; ``checkpoint``/``resume``: a file of the state of the
    search that is running -- the linear-bounds search's (``analysis.bab_queue``) or the region engine's
    (``analysis.cover_queue``) -- to stop and continue it (``analysis.decide._decide``)."""
    from .analysis import decide as engine
    from .analysis.ask import _atom, _budget, _doc, box
    from .network import ReLUNet
    if not isinstance(net, ReLUNet) or not isinstance(prop, Property):
        raise VnnlibError("decide needs an exactmem.ReLUNet and a Property from vnnlib.read or vnnlib.parse")
    budget = _budget(budget)
    if (net.input_dim, net.output_dim) != (prop.n_in, prop.n_out):
        raise VnnlibError(f"the property has {prop.n_in} inputs and {prop.n_out} outputs; the network "
                          f"{net.input_dim} and {net.output_dim}")
    if not prop.boxes:
        return Result("unsat", reason="an assertion is false (an empty disjunction (or), or false constants in every "
                                      "disjunct): no point meets the property, whatever the network")
    doc = _doc(net, "the VNN-LIB property is unsat", [{"set": box(lo, hi, rows).spec,
                                                       "goal": [[_atom(*a) for a in clause] for clause in goal]}
                                                      for (lo, hi, rows), goal in zip(prop.boxes, prop.goals)])
    v, cert = engine._decide(doc, budget, "regions", (executor, checkpoint, resume))
    if v.is_proved:
        return Result("unsat", certificate=cert, reason=v.reason)
    if v.is_refuted:
        x = _decimal_point(doc, v.witness["question"], [to_rational(t) for t in v.witness["x"]])
        note = "" if all(_places(t) is not None for t in x) else \
            " (no decimal point near the exact counterexample meets the property: VNN-COMP's file rounds it)"
        return Result("sat", x, net(x), reason=v.reason + note)
    return Result("timeout" if "budget" in v.reason else "unknown", reason=v.reason)


__all__ = ["VnnlibError", "Property", "parse", "read", "Result", "decide", "decimal"]
