"""Decide what is decidable (issue 20, part 3; issue 21, item 4): equalities in VNN-LIB goals, assertions mixing
inputs and outputs, constant atoms, sets without interior (a segment, a face), an l_2 ball cut by a half-plane,
and radius 0 on the boundary -- each a finding that was `unknown`/UNDECIDED before, now decided exactly.

Oracles: z3's exact real arithmetic (sat/unsat of the same VNN-LIB text, optima, emptiness); answers derived by
hand where stated; exact evaluation of every point; the kernel on forged certificates (a combination of atoms
must never prove a clause that z3 refutes)."""
import copy
import json
import pathlib
import random

import pytest
from flint import fmpq

from exactmem import ReLUNet, kernel, vnnlib
from exactmem.analysis.ask import ball, box, certified_radius, is_constant_on, output_range
from exactmem.analysis.simplex import over_set
from exactmem.errors import CertificateError, InputSetError
from exactmem.kernel.regions import Set

z3 = pytest.importorskip("z3")
import z3_oracle  # noqa: E402

VNNCOMP = pathlib.Path(__file__).resolve().parents[2] / "shared" / "benchmarks" / "vnncomp2021" / "test"


def _net(rng, dims, dens=(1, 2, 3, 4)):
    return ReLUNet([([[fmpq(rng.randint(-9, 9), rng.choice(dens)) for _ in range(a)] for _ in range(b)],
                     [fmpq(rng.randint(-9, 9), rng.choice(dens)) for _ in range(b)]) for a, b in zip(dims, dims[1:])])


def _decl(d, m):
    return "".join(f"(declare-const X_{i} Real)" for i in range(d)) + \
        "".join(f"(declare-const Y_{j} Real)" for j in range(m))


def _z3_property(net, text, X=None, Y=None):
    """The VNN-LIB text's assertions as z3 formulas over X and Y (fresh reals by default)."""
    d, m = net.input_dim, net.output_dim
    X = X or [z3.Real(f"X_{i}") for i in range(d)]
    Y = Y or [z3.Real(f"Y_{j}") for j in range(m)]
    body = text[len(_decl(d, m)):] if text.startswith(_decl(d, m)) else text
    names = {**{f"X_{i}": X[i] for i in range(d)}, **{f"Y_{j}": Y[j] for j in range(m)}}
    return list(z3.parse_smt2_string(body, decls=names)), X, Y


def _z3_sat(net, text):
    f, X, Y = _z3_property(net, text)
    s = z3.Solver()
    s.add(*f, *[y == o for y, o in zip(Y, z3_oracle.outputs(net, X))])
    res = s.check()
    assert res != z3.unknown
    return str(res)


def _meets(net, text, x, y):
    """The exact point (x, y) meets the property, by z3, and y = net(x) exactly."""
    f, X, Y = _z3_property(net, text)
    s = z3.Solver()
    s.add(*f, *[a == z3_oracle.q(v) for a, v in zip(X, x)], *[b == z3_oracle.q(v) for b, v in zip(Y, y)])
    return net(x) == y and s.check() == z3.sat


def _check_against_z3(net, text):
    r = vnnlib.decide(net, vnnlib.parse(text))
    want = _z3_sat(net, text)
    assert r.status == want, (r.status, want, r.reason)
    if r.status == "sat":
        assert _meets(net, text, r.x, r.y)
    elif r.certificate is not None:
        assert kernel.check(r.certificate).is_proved
    return r


def _uses_mix(cert):
    return any(isinstance(node.get("goals", [[0]])[c][0], list) for tree in cert["hints"]["trees"] for node in tree
               if "goals" in node for c in range(len(node["goals"])))


# -- VNN-LIB: equalities in goals (issue 20: 9 of 372 random properties were `unknown`) -----------------------

def _term(rng, n, k, var):
    vs = rng.sample(range(n), k)
    return "(+ " + " ".join(f"(* {rng.randint(-3, 3)} {var}_{i})" for i in vs) + f" {rng.randint(-4, 4)})"


def _equality_property(rng, d, m):
    s = _decl(d, m)
    for i in range(d):
        a = rng.randint(-3, 1)
        s += f"(assert (>= X_{i} {a}))(assert (<= X_{i} {a + rng.randint(1, 3)}))"
    atoms = [f"(= Y_{rng.randrange(m)} {_term(rng, m, min(m, 2), 'Y')})"]
    for _ in range(rng.randint(0, 2)):
        op = rng.choice(["=", "<=", ">=", "<", ">"])
        atoms.append(f"({op} Y_{rng.randrange(m)} {rng.randint(-3, 3)})")
    return s + "(assert (and " + " ".join(atoms) + "))"


@pytest.mark.parametrize("seed", range(16))
def test_output_equalities_are_decided_as_z3_decides_them(seed):
    """Each property has an equality between outputs (the unsafe set is a hyperplane, no rounded float point
    meets it); sat comes with an exact point that z3 confirms, unsat with a kernel-checked certificate."""
    rng = random.Random(seed)
    d, m = rng.choice([1, 2, 3]), rng.choice([2, 3])
    _check_against_z3(_net(rng, [d, rng.choice([3, 5]), m]), _equality_property(rng, d, m))


def _vee():
    """Y_0 = x, Y_1 = 0, Y_2 = |x| - 1/2 on one input (hidden units relu(x), relu(-x))."""
    return ReLUNet([([[1], [-1]], [0, 0]), ([[1, -1], [0, 0], [1, 1]], [0, 0, "-1/2"])])


EQ = _decl(1, 3) + "(assert (>= X_0 -1))(assert (<= X_0 1))(assert (= Y_0 Y_1))(assert (>= Y_2 0))"


def test_an_unsat_equality_is_proved_by_a_combination_of_atoms():
    """By hand: Y_0 = Y_1 only at x = 0, where Y_2 = -1/2 < 0, so the property is unsat.  The goal is the clause
    x > 0 or -x > 0 or 1/2 - |x| > 0; on [0, 1] no single atom holds (x > 0 fails at 0, 1/2 - x at 1), but
    x + (1/2 - x) = 1/2 > 0 does: the leaf proves a positive combination of atoms."""
    net = _vee()
    assert _z3_sat(net, EQ) == "unsat"
    r = vnnlib.decide(net, vnnlib.parse(EQ))
    assert r.status == "unsat" and kernel.check(r.certificate).is_proved and _uses_mix(r.certificate)


def _mixed_leaf(cert):
    for tree in cert["hints"]["trees"]:
        for node in tree:
            for pick in node.get("goals", []):
                if isinstance(pick[0], list):
                    return pick
    raise AssertionError("no combination in the certificate")


@pytest.mark.parametrize("forge, error", [
    (lambda p: p[0].__setitem__(0, [p[0][0][0], "0"]), True),              # a zero weight
    (lambda p: p[0].__setitem__(0, [p[0][0][0], "-1"]), True),             # a negative weight
    (lambda p: p.__setitem__(0, []), True),                                 # nothing combined: 0 >= 0 or 0 > 0
    (lambda p: p[0].__setitem__(0, [7, "1"]), True),                        # no atom 7
    (lambda p: p[0].__setitem__(0, [True, "1"]), True),                     # a bool is not an index
    (lambda p: p[0].__setitem__(0, [0, 0.5]), True),                        # a JSON float is not exact
    (lambda p: p[0].__setitem__(0, [0]), True),                             # no weight
    (lambda p: p.__setitem__(0, [[0, "1"], [1, "1"]]), False),              # x - x = 0 > 0: false
    (lambda p: p.__setitem__(0, [[2, "1"]]), False),                       # 1/2 - x alone fails at x = 1
])
def test_forged_combinations_are_not_proved(forge, error):
    net = _vee()
    cert = vnnlib.decide(net, vnnlib.parse(EQ)).certificate
    bad = copy.deepcopy(cert)
    forge(_mixed_leaf(bad))
    bad = kernel.sign(bad)
    if error:
        with pytest.raises(CertificateError):
            kernel.check(bad)
    else:
        assert not kernel.check(bad).is_proved


def test_a_combination_proves_a_true_clause_only():
    """On the same leaves, a goal made false (Y_2 >= -1 makes x = 0 unsafe) is not proved by the same hints;
    the non-strict mode is sound: x >= 0 or -x >= 0 is a tautology (1 * x + 1 * -x = 0 >= 0 proves it), and
    x > 0 or -x >= 0 too, while x > 0 or -x > 0 (false at 0) is not proved by the same weights."""
    net = _vee()
    cert = vnnlib.decide(net, vnnlib.parse(EQ)).certificate
    false = copy.deepcopy(cert)
    false["data"]["questions"][0]["goal"][0][2][1] = "-1"                    # 1/2 - |x| > 0 becomes -1 - |x| > 0
    assert _z3_sat(net, EQ.replace("(>= Y_2 0)", "(>= Y_2 -1)")) == "sat"
    assert not kernel.check(kernel.sign(false)).is_proved
    for s0, s1, proved in ((False, False, True), (True, False, True), (True, True, False)):
        doc = copy.deepcopy(cert)
        doc["data"]["questions"][0]["goal"] = [[[["1", "-1", "0"], "0", s0], [["-1", "1", "0"], "0", s1]]]
        for tree in doc["hints"]["trees"]:
            for node in tree:
                if "goals" in node:
                    node["goals"] = [[[[0, "1"], [1, "1"]], []]]
        assert kernel.check(kernel.sign(doc)).is_proved == proved


@pytest.mark.parametrize("seed", range(6))
def test_perturbed_combinations_never_prove_what_z3_refutes(seed):
    """The finder's certificates for Y_0 = Y_1 and a bound on Y_2 on random networks, with combinations' weights
    scaled at random or atoms dropped, picks replaced by the equality's two atoms (which cancel out), and the
    question's bound shifted or an atom's strictness flipped (the claim often false then): whenever the kernel
    says PROVED, z3 finds no point of the box where every atom of the clause fails."""
    rng = random.Random(1000 + seed)
    fooled = proved = found = 0
    for trial in range(80):
        net = _net(rng, [2, 4, 3])
        text = _decl(2, 3) + "(assert (>= X_0 -2))(assert (<= X_0 2))(assert (>= X_1 -2))(assert (<= X_1 2))" \
            f"(assert (= Y_0 Y_1))(assert ({rng.choice(['>=', '>'])} Y_2 {rng.randint(-4, 4)}))"
        r = vnnlib.decide(net, vnnlib.parse(text))
        if r.certificate is None or not _uses_mix(r.certificate):
            continue
        found += 1
        if found > 3:
            break
        for k in range(20):
            doc = copy.deepcopy(r.certificate)
            q = doc["data"]["questions"][0]
            clause = q["goal"][0]                                # [Y_1 - Y_0 > 0, Y_0 - Y_1 > 0, the bound's atom]
            if k and rng.random() < 0.6:                         # the claim changed: often false now
                clause[2][1] = str(fmpq(clause[2][1]) + fmpq(rng.randint(-8, 8), 4))
            if k and rng.random() < 0.3:
                atom = rng.choice(clause)
                atom[2] = not atom[2]
            cancel = k and rng.random() < 0.5                    # Y_1 - Y_0 and Y_0 - Y_1 cancel out
            for tree in doc["hints"]["trees"] if k else []:
                for node in tree:
                    for pick in node.get("goals", []):
                        if cancel:
                            w = str(fmpq(rng.randint(1, 5), rng.randint(1, 5)))
                            pick[:] = [[[0, w], [1, w]], []]
                        elif isinstance(pick[0], list):
                            pick[0] = [[i, str(fmpq(w) * fmpq(rng.randint(1, 8), rng.randint(1, 8)))]
                                       for i, w in pick[0] if rng.random() < 0.8] or [[0, "1"]]
            v = kernel.check(kernel.sign(doc))
            if not v.is_proved:
                continue
            proved += 1
            X = [z3.Real("a"), z3.Real("b")]
            lo, hi = q["set"]["box"]
            s = z3.Solver()
            s.add(*[z3.And(x >= z3_oracle.q(fmpq(a)), x <= z3_oracle.q(fmpq(b))) for x, a, b in zip(X, lo, hi)])
            out = z3_oracle.outputs(net, X)
            for clause in q["goal"]:
                t = [z3.Sum([z3_oracle.q(fmpq(g)) * o for g, o in zip(a[0], out)]) + z3_oracle.q(fmpq(a[1]))
                     for a in clause]
                fails = [val <= 0 if a[2] else val < 0 for val, a in zip(t, clause)]
                s.push()
                s.add(*fails)
                fooled += s.check() == z3.sat
                s.pop()
    assert fooled == 0 and proved > 0


# -- VNN-LIB: inputs cut to a lower dimension, constants, assertions mixing inputs and outputs -------------------

def test_an_input_equality_makes_a_lower_dimensional_set():
    """y = relu(x_0 - x_1) + relu(x_1 - x_0) = |x_0 - x_1|: on the diagonal X_0 = X_1 it is exactly 0 (by hand),
    so Y_0 > 0 is unsat there and Y_0 <= 0 sat at a point of the diagonal; on X_0 + X_1 = 1 in the box,
    x_0 in [0, 1] and y = |2 x_0 - 1| <= 1, equal to 1 only at x_0 = 0 and x_0 = 1."""
    net = ReLUNet([([[1, -1], [-1, 1]], [0, 0]), ([[1, 1]], [0])])
    B = _decl(2, 1) + "(assert (>= X_0 -1))(assert (<= X_0 1))(assert (>= X_1 -1))(assert (<= X_1 1))"
    r = _check_against_z3(net, B + "(assert (= X_0 X_1))(assert (> Y_0 0))")
    assert r.status == "unsat"
    r = _check_against_z3(net, B + "(assert (= X_0 X_1))(assert (<= Y_0 0))")
    assert r.status == "sat" and r.x[0] == r.x[1] and r.y == [0]
    r = _check_against_z3(net, B + "(assert (= (+ X_0 X_1) 1))(assert (>= Y_0 1))")   # x_0 in [0, 1]: |2x_0 - 1|
    assert r.status == "sat" and r.x[0] + r.x[1] == 1 and r.y == [1] and r.x[0] in (0, 1)  # is 1 only at the ends
    assert _check_against_z3(net, B + "(assert (= (+ X_0 X_1) 1))(assert (> Y_0 1))").status == "unsat"


def test_constant_atoms_are_decided_as_read():
    net = ReLUNet([([[1]], [0]), ([[1]], [0])])                                          # relu(x)
    B = _decl(1, 1) + "(assert (>= X_0 -1))(assert (<= X_0 1))"
    p = vnnlib.parse(B + "(assert (<= 0 1))(assert (>= Y_0 1))")
    assert p.goal == [[([-1], 1, True)]] and len(p.boxes) == 1                            # (<= 0 1) is dropped
    r = vnnlib.decide(net, vnnlib.parse(B + "(assert (< 1 1))(assert (>= Y_0 0))"))
    assert r.status == "unsat" and r.certificate is None and "false" in r.reason
    r = vnnlib.decide(net, vnnlib.parse(B + "(assert (<= (* 0 X_0) -1))"))                 # 0 <= -1: false
    assert r.status == "unsat"
    for text in (B + "(assert (or (and (>= Y_0 1) (> 2 3)) (and (<= Y_0 0) (= 2 2))))",   # first disjunct false
                 B + "(assert (or (and (>= Y_0 2) (< 0 1)) (and (> Y_0 5))))",
                 B + "(assert (<= 0 0))"):                     # no output atom: sat iff the box has a point
        _check_against_z3(net, text)
    assert vnnlib.decide(net, vnnlib.parse(B + "(assert (<= 0 0))")).status == "sat"


def test_assertions_mixing_inputs_and_outputs():
    """Each disjunct is its own input set with its own goal (issue 21, item 4)."""
    net = ReLUNet([([[1], [-1]], [0, 0]), ([[1, 1]], [0])])                             # |x|
    D = _decl(1, 1)
    cases = {
        "(assert (or (and (>= X_0 2) (<= X_0 3) (<= Y_0 1)) (and (>= X_0 -1) (<= X_0 0) (>= Y_0 1))))": "sat",
        "(assert (or (and (>= X_0 2) (<= X_0 3) (<= Y_0 1)) (and (>= X_0 -1) (<= X_0 0) (> Y_0 1))))": "unsat",
        "(assert (or (and (>= X_0 2) (<= X_0 1) (<= Y_0 9)) (and (>= X_0 -1) (<= X_0 0) (= Y_0 0.5))))": "sat",
        "(assert (>= X_0 -4))(assert (<= X_0 4))(assert (or (and (>= X_0 1) (<= Y_0 0)) (and (<= X_0 -2) (< Y_0 2))))":
            "unsat",
    }
    for text, want in cases.items():
        r = _check_against_z3(net, D + text)
        assert r.status == want
    p = vnnlib.parse(D + "(assert (or (and (>= X_0 0) (<= X_0 1) (>= Y_0 1)) (and (>= X_0 0) (<= X_0 1) (<= Y_0 0))"
                         "(and (>= X_0 2) (<= X_0 3) (>= Y_0 7))))")
    assert len(p.boxes) == 2 and len(p.goals[0]) == 2 and len(p.goals[1]) == 1 and p.goal is None
    with pytest.raises(vnnlib.VnnlibError, match="inconsistent bounds"):                 # every disjunct empty
        vnnlib.parse(D + "(assert (or (and (>= X_0 2) (<= X_0 1) (<= Y_0 9)) (and (>= X_0 5) (<= X_0 4))))")
    with pytest.raises(vnnlib.VnnlibError, match="X_0 needs a lower"):
        vnnlib.parse(D + "(assert (or (and (>= X_0 2) (<= X_0 3) (<= Y_0 1)) (and (>= X_0 -1) (>= Y_0 1))))")


def _mixed_property(rng, d, m):
    s, glob, disj = _decl(d, m), rng.random() < 0.5, []
    if glob:
        for i in range(d):
            a = rng.randint(-3, 1)
            s += f"(assert (>= X_{i} {a}))(assert (<= X_{i} {a + rng.randint(0, 3)}))"
    for _ in range(rng.randint(1, 3)):
        parts = []
        if not glob or rng.random() < 0.5:
            for i in range(d):
                a = rng.randint(-3, 1)
                parts.append(f"(>= X_{i} {a})(<= X_{i} {a + rng.randint(0, 3)})")
        if d > 1 and rng.random() < 0.3:
            parts.append(f"(= {_term(rng, d, 2, 'X')} 0)")
        for _ in range(rng.randint(0, 2)):
            op = rng.choice(["=", "<=", ">=", "<", ">"])
            parts.append(f"({op} Y_{rng.randrange(m)} {_term(rng, m, min(m, 2), 'Y')})")
        if rng.random() < 0.3:
            parts.append(f"({rng.choice(['<=', '>=', '<', '>', '='])} {rng.randint(0, 2)} {rng.randint(0, 2)})")
        disj.append("(and " + (" ".join(parts) or "(<= 0 1)") + ")")
    if not glob:
        for i in range(d):
            s += f"(assert (>= X_{i} -5))(assert (<= X_{i} 5))"
    return s + "(assert (or " + " ".join(disj) + "))"


@pytest.mark.parametrize("seed", range(16))
def test_mixed_properties_with_equalities_and_constants_agree_with_z3(seed):
    rng = random.Random(5000 + seed)
    d, m = rng.choice([1, 2, 3]), rng.choice([1, 2, 3])
    net = _net(rng, [d, rng.choice([3, 5]), m])
    text = _mixed_property(rng, d, m)
    try:
        vnnlib.parse(text)
    except vnnlib.VnnlibError as e:                      # only when every disjunct's bounds contradict
        assert "inconsistent bounds" in str(e) and _z3_sat(net, text) == "unsat"
        return
    _check_against_z3(net, text)


SMALL = _decl(1, 1) + "(assert (or (and (>= X_0 -1) (<= X_0 1) (>= Y_0 100))))"


def test_vnncomp_smoke_tests_that_mix_inputs_and_outputs():
    """VNN-COMP 2021's test_tiny and test_small (the property file is the same for both): y = relu(x) and, by
    hand, y = 6 relu(4 relu(x + 3/2) + 5/2) + 7/2 = 24 (x + 3/2) + 37/2 on [-1, 1], at most 1 and 157/2 < 100:
    both unsat (VNN-COMP's expected answer for test_tiny).  The networks are rebuilt from the files' weights
    (their MatMul has the constant first)."""
    tiny = ReLUNet([([[1]], [0]), ([[1]], [0])])
    small = ReLUNet([([[1], [1]], ["3/2", "3/2"]), ([[2, 2], [2, 2]], ["5/2", "5/2"]), ([[3, 3]], ["7/2"])])
    assert small([1]) == [fmpq(157, 2)] and small([-1]) == [fmpq(61, 2)]
    for net in (tiny, small):
        r = _check_against_z3(net, SMALL)
        assert r.status == "unsat" and kernel.check(r.certificate).is_proved
    if not VNNCOMP.exists():
        return
    for name in ("tiny", "small"):
        assert vnnlib.read(VNNCOMP / f"test_{name}.vnnlib") == vnnlib.parse(SMALL)       # the files' own text
    pytest.importorskip("onnx")
    from exactmem.cli import load_network
    for name, net in (("tiny", tiny), ("small", small)):
        loaded = load_network(VNNCOMP / f"test_{name}.onnx")                           # MatMul(W, x): the lead's
        assert all(loaded([fmpq(t, 4)]) == net([fmpq(t, 4)]) for t in range(-4, 5))     # importer reads it
        assert vnnlib.decide(loaded, vnnlib.read(VNNCOMP / f"test_{name}.vnnlib")).status == "unsat"


# -- Sets without interior; an l_2 ball cut by a half-plane -------------------------------------------------------

def test_output_range_on_an_l2_ball_cut_by_a_half_plane_leaving_out_its_centre():
    """Was "no point of the set was found": the LP's optimum on the sphere and the row was pulled towards the
    centre, which the half-plane leaves out.  The enclosure is checked with z3 (quadratic constraints, exact)."""
    for seed in (8, 26):                               # the two non-empty cases of 40 random balls and cuts
        rng = random.Random(seed)
        net = _net(rng, [2, 5, 1])
        c, r = [fmpq(rng.randint(-3, 3)) for _ in range(2)], fmpq(rng.randint(1, 4))
        cut = [[rng.randint(-2, 2), rng.randint(-2, 2), rng.randint(-3, 3)]]
        S = ball(c, r, 2, constraints=cut)
        assert not S.S.contains(S.S.x0)
        out = output_range(net, S)
        assert out.verdict.is_proved
        X = [z3.Real("a"), z3.Real("b")]
        inset = [z3_oracle.inside(X, c, r * r, 2, False), cut[0][0] * X[0] + cut[0][1] * X[1] + cut[0][2] >= 0]
        f = z3_oracle.outputs(net, X)[0]
        for bad in (f < z3_oracle.q(out.minimum[0].lo), f > z3_oracle.q(out.maximum[0].hi)):
            assert z3.Solver().check(*inset, bad) == z3.unsat
        for pt, val in ((out.argmin[0], out.minimum[0].hi), (out.argmax[0], out.maximum[0].lo)):
            assert S.S.contains(pt) and net(pt)[0] == val


def test_an_empty_set_is_proved_empty():
    """By hand: the ball of radius 1 around (0, 3) has x >= -1, the constraint asks x <= -3: no point.  The
    kernel proves it empty; the range of an empty set is an error, its constancy vacuous."""
    net = ReLUNet([([[1, 1]], [0]), ([[1]], [0])])
    S = ball([0, 3], 1, 2, constraints=[[-1, 0, -3]])                  # -x - 3 >= 0: x <= -3, the ball x >= -1
    with pytest.raises(InputSetError, match="empty"):
        output_range(net, S)
    v = is_constant_on(net, S)
    assert v.is_proved and "empty" in v.reason and kernel.check(v.details["certificate"]).is_proved


def _segment_sets(rng, d):
    lo = [fmpq(rng.randint(-3, 0)) for _ in range(d)]
    a = [rng.randint(-2, 2) for _ in range(d)]
    b = rng.randint(-2, 2)
    cons = [a + [b], [-t for t in a] + [-b]]                            # a.x + b = 0: a hyperplane
    return lo, a, b, cons


@pytest.mark.parametrize("seed", range(10))
def test_is_constant_on_a_set_cut_to_a_segment_or_a_face(seed):
    """A box, an l_inf or an l_1 ball cut by a.x + b = 0 (a segment in 2-D, a face in 3-D): decided, and z3
    agrees -- PROVED only where no point of the set has other outputs, REFUTED with an exact point of it."""
    rng = random.Random(seed)
    d = rng.choice([2, 3])
    net = _net(rng, [d, 4, 1])
    lo, a, b, cons = _segment_sets(rng, d)
    if not any(a):
        return
    kind = rng.choice(["box", "inf", 1])
    r = fmpq(rng.randint(1, 3))
    S = box(lo, [t + r for t in lo], cons) if kind == "box" else ball(lo, r, kind, constraints=cons)
    v = is_constant_on(net, S)
    X = [z3.Real(f"x{j}") for j in range(d)]
    plane = z3.Sum([a[j] * X[j] for j in range(d)]) + b == 0
    inset = [plane, z3.And(*[z3.And(x >= z3_oracle.q(t), x <= z3_oracle.q(t + r)) for x, t in zip(X, lo)])
             if kind == "box" else z3_oracle.inside(X, lo, r, kind, False)]
    f = z3_oracle.outputs(net, X)[0]
    if z3.Solver().check(*inset) == z3.unsat:
        assert v.is_proved and "empty" in v.reason
    elif v.is_proved:
        assert z3.Solver().check(*inset, f != z3_oracle.q(v.details["value"][0])) == z3.unsat
    else:
        assert v.is_refuted
        w = [fmpq(t) for t in v.witness["x"]]
        assert S.S.contains(w) and sum(fmpq(t) * u for t, u in zip(a, w)) + b == 0
        assert z3.Solver().check(*inset, f != z3_oracle.q(net(w)[0])) == z3.sat


def test_constant_on_a_segment_by_hand():
    """relu(x - y) is 0 on the diagonal of [0, 1]^2 (PROVED); relu(x + y) is 2x there (REFUTED)."""
    seg = box([0, 0], [1, 1], constraints=[[1, -1, 0], [-1, 1, 0]])
    assert is_constant_on(ReLUNet([([[1, -1]], [0]), ([[1]], [0])]), seg).is_proved
    v = is_constant_on(ReLUNet([([[1, 1]], [0]), ([[1]], [0])]), seg)
    x = [fmpq(t) for t in v.witness["x"]]
    assert v.is_refuted and x[0] == x[1] and 0 <= x[0] <= 1


@pytest.mark.parametrize("seed", range(12))
def test_over_set_finds_a_point_exactly_when_one_exists(seed):
    """simplex.over_set against z3: a point (checked exactly) when rows >= 0 and loose rows > 0 meet the set,
    also when an equality (two opposite rows) makes the set flat; otherwise z3 finds none either."""
    rng = random.Random(seed)
    d = rng.choice([1, 2, 3])
    x0 = [fmpq(rng.randint(-2, 2)) for _ in range(d)]
    kind = rng.choice(["box", "inf", 1])
    r = [fmpq(rng.randint(0, 2)) for _ in range(d)] if kind == "box" else fmpq(rng.randint(0, 2))
    S = Set(x0, kind, r, kind != "box" and rng.random() < 0.5)
    row = (lambda: ([fmpq(rng.randint(-2, 2)) for _ in range(d)], fmpq(rng.randint(-3, 3))))
    rows, loose = [row() for _ in range(rng.randint(0, 3))], [row() for _ in range(rng.randint(0, 2))]
    if rng.random() < 0.5:
        c, e = row()
        rows += [(c, e), ([-t for t in c], -e)]
    out = over_set(S, rows, loose)
    X = [z3.Real(f"x{j}") for j in range(d)]
    val = (lambda c, e: z3.Sum([z3_oracle.q(a) * x for a, x in zip(c, X)]) + z3_oracle.q(e))
    inset = [z3.And(x >= z3_oracle.q(c - t), x <= z3_oracle.q(c + t)) for x, c, t in zip(X, x0, r)] if kind == "box" \
        else [z3_oracle.inside(X, x0, r, kind, S.open)]
    s = z3.Solver()
    s.add(*inset, *[val(c, e) >= 0 for c, e in rows], *[val(c, e) > 0 for c, e in loose])
    if out[0] == "point":
        y = out[1]
        assert S.contains(y) and all(sum((a * t for a, t in zip(c, y)), e) >= 0 for c, e in rows)
        assert all(sum((a * t for a, t in zip(c, y)), e) > 0 for c, e in loose)
    else:
        assert out[0] in ("tight", "infeasible") and s.check() == z3.unsat


# -- Radius 0 on the boundary (issue 20: 13 of 70 random cases were UNDECIDED, upper bound ~1e-300) -------------

@pytest.mark.parametrize("p", ["inf", 1, 2])
def test_radius_is_exactly_zero_on_the_edge_of_the_label_set(p):
    """By hand: relu(x + y), relu(x + y) + 0 relu(x - y) and relu(x) are 0 at the centre (label 0) and positive
    at points arbitrarily near it (x + y > 0, x > 0): the radius is exactly 0 -- it was UNDECIDED with an upper
    end near 1e-300.  The certificate proves f != 0 on the whole open segment from the centre to the witness,
    which z3 confirms."""
    for net, x in ((ReLUNet([([[1, 1]], [0]), ([[1]], [0])]), [0, 0]),
                   (ReLUNet([([[1, 1], [1, -1]], [0, 0]), ([[1, 0]], [0])]), [0, 0]),
                   (ReLUNet([([[1]], [0]), ([[1]], [0])]), [0])):
        c = certified_radius(net, x, 0, p=p, semantics="label")
        assert c.lower == c.upper == 0 and c.is_exact and c.verdict.is_proved
        assert kernel.check(c.certificate).is_proved and net(c.witness)[0] != 0
        t = z3.Real("t")
        pt = [z3_oracle.q(fmpq(a)) + t * z3_oracle.q(fmpq(w) - fmpq(a)) for a, w in zip(x, c.witness)]
        assert z3.Solver().check(t > 0, t < 1, z3_oracle.outputs(net, pt)[0] == 0) == z3.unsat


@pytest.mark.parametrize("seed", range(12))
def test_radius_zero_agrees_with_z3_on_random_networks(seed):
    """Small integer weights, an integer centre, label f(x): where z3 finds a failing point within 2^-30 of
    the centre the radius is exactly 0 with a checked segment; elsewhere it is positive (the lower end proved)."""
    rng = random.Random(seed)
    d, h = rng.choice([1, 2, 3]), rng.choice([3, 4, 6])
    net = ReLUNet([([[rng.randint(-2, 2) for _ in range(d)] for _ in range(h)], [rng.randint(-1, 1) for _ in range(h)]),
                   ([[rng.randint(-2, 2) for _ in range(h)]], [rng.randint(-1, 1)])])
    x = [fmpq(rng.randint(-1, 1)) for _ in range(d)]
    y, p = net(x)[0], rng.choice(["inf", 1, 2])
    c = certified_radius(net, x, y, p=p, semantics="label", budget=60)
    X = [z3.Real(f"x{j}") for j in range(d)]
    eps = fmpq(1, 2 ** 30)
    near = z3.Solver().check(z3_oracle.inside(X, x, eps * eps if p == 2 else eps, p, True),
                             z3_oracle.outputs(net, X)[0] != z3_oracle.q(y)) == z3.sat
    assert near == (c.upper == 0)
    if near:
        assert c.is_exact and kernel.check(c.certificate).is_proved and net(c.witness)[0] != y
    else:
        assert c.verdict.is_proved and c.lower > 0


def test_radius_zero_certificate_is_the_kernels():
    """The segment certificate is re-checked by the kernel; mirrored to the other side of 0, where relu(x) = 0
    on the whole segment, the same claim (relu(x) != 0 there) is not PROVED."""
    net = ReLUNet([([[1]], [0]), ([[1]], [0])])                                      # relu(x), label 0 at 0
    c = certified_radius(net, [0], 0, p="inf", semantics="label")
    doc = json.loads(json.dumps(c.certificate))
    assert kernel.check(doc).is_proved
    q = doc["data"]["questions"][0]
    q["set"]["centre"] = [str(-fmpq(q["set"]["centre"][0]))]             # the mirrored segment: relu = 0 there
    assert not kernel.check(kernel.sign(doc)).is_proved
