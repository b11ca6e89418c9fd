"""Issue 14, item 4: the statements that had no claim (Lemmas B.9, B.11, B.17, B.18, B.22, Prop. 3.2 at the
extremal layers, B.19/B.20 at the paper's m) -- their checks against independent oracles, and mutants they catch."""
from fractions import Fraction as Fr

import mpmath
import pytest
from flint import fmpq

from exactmem import claims

claims.discover("proofs")


def _run(cid, name=None, full=False):
    c = claims.REGISTRY[cid]
    if name is None:
        return claims.run_claim(c, full=full).verdict
    return c.check(dict(c.instances(full))[name])


# -- Proposition 3.2 at the extremal first layers ----------------------------------------------------------------

@pytest.mark.parametrize("factor", [2, fmpq(1, 2)])
def test_prop32_extremal_catches_a_wrong_library_width_bound(monkeypatch, factor):
    import exactmem.lower.width as wmod
    assert _run("KMY25.Prop3.2.extremal").is_proved
    orig = wmod.width_bound
    monkeypatch.setattr(wmod, "width_bound", lambda N, d, rho, p=2: factor * orig(N, d, rho, p))
    assert _run("KMY25.Prop3.2.extremal").is_refuted


def test_extremal_layer_distances_by_hand():
    # W = [[1,1,0,0],[0,0,1,1]]: Null W = {x1 = -x2, x3 = -x4}; dist(e_1, Null W)^2 = |(1/2, 1/2, 0, 0)|^2 = 1/2 = m/t
    from exactmem.linalg import nullspace, projector
    from exactmem.lower import extremal_first_layer
    W = extremal_first_layer(5, 4, 2)
    P = projector(nullspace(W))
    assert [1 - P[j, j] for j in range(4)] == [fmpq(1, 2)] * 4
    with pytest.raises(Exception):
        extremal_first_layer(5, 4, 3)                 # 3 does not divide t = 4


# -- Lemma B.11 ------------------------------------------------------------------------------------------------

def test_slab_integrals_against_mpmath():
    from proofs.kmy25_lemB_11 import I_half_power, poly_integral
    for a2 in range(0, 12):
        r, e = I_half_power(a2)
        want = mpmath.quad(lambda t: (1 - t * t) ** (mpmath.mpf(a2) / 2), [-1, 1])
        assert abs(float(r) * float(mpmath.pi) ** e - want) < 1e-12
    for a, lo, hi in [(0, Fr(-1, 2), Fr(1, 3)), (3, Fr(-2), Fr(1, 5)), (5, Fr(9, 10), Fr(3))]:
        want = mpmath.quad(lambda t: (1 - t * t) ** a, [max(-1, float(lo)), min(1, float(hi))])
        assert abs(float(poly_integral(a, lo, hi)) - want) < 1e-12


def test_lemB11_catches_a_wrong_density_constant(monkeypatch):
    import proofs.kmy25_lemB_11 as b11
    from exactmem.volumes import slab_density_ratio
    monkeypatch.setattr(b11, "slab_density_ratio", lambda d: slab_density_ratio(d + 2))
    assert _run("KMY25.LemB.11").is_refuted


# -- Lemma B.17 ------------------------------------------------------------------------------------------------

def test_beta_cdf_against_scipy():
    from scipy.special import betainc
    from proofs.kmy25_lemB_17 import beta_cdf
    for m, d, z in [(2, 8, Fr(1, 3)), (42, 64, Fr(7, 10)), (10, 64, Fr(1, 50)), (128, 256, Fr(1, 2))]:
        assert abs(float(beta_cdf(fmpq(z.numerator, z.denominator), m, d)) - betainc(m / 2, (d - m) / 2, float(z))) < 1e-12


def test_lemB17_median_bound_is_not_vacuous():
    # without the factor 1/2 the median bound is false: for m = d/2 the median of ||phi(x)||^2 is exactly 1/2 = m/d
    from proofs.kmy25_lemB_17 import beta_cdf
    assert beta_cdf(fmpq(1, 2), 64, 128) == fmpq(1, 2)
    assert not beta_cdf(fmpq(1, 2), 64, 128) < fmpq(1, 2)


# -- Lemma B.18 and Prop. B.19 -----------------------------------------------------------------------------------

def test_two_sided_beta_can_fail_and_lipschitz_is_checked():
    from exactmem import Dataset
    from exactmem.blocks import srht
    from proofs.kmy25_lemB_18 import is_pm_orthonormal, paper_m, two_sided_beta
    D = Dataset([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 1]], [1, 2, 1])
    P = srht(4, 2, seed=0)
    beta_sq, lo, hi = two_sided_beta(D, P.W, fmpq(1, 1000), 2)    # alpha = 1/1000: no single beta fits every pair
    assert beta_sq is None and lo > hi
    assert is_pm_orthonormal(P.full) and not is_pm_orthonormal(P.full * 2)
    assert paper_m(2, fmpq(1, 6)) == 599 and paper_m(3, fmpq(1, 2)) == 106    # 864 ln 2 = 598.9; 96 ln 3 = 105.5


def test_lemB20_m_rejects_an_instance_outside_its_case():
    # the old instance N = 1000, d = 1000 is not Case IV (d < 600 ln 1000 = 4144.7) and has m = 4145 > d
    c = claims.REGISTRY["KMY25.LemB.20.m"]
    assert c.check(("IV", (1000, 1000, fmpq(1, 5)), 4145)).is_refuted


# -- Lemma B.22 ------------------------------------------------------------------------------------------------

def test_lemB22_crossing_against_mpmath():
    from proofs.kmy25_lemB_22 import holds_at
    t_star = mpmath.findroot(lambda t: t - 10 * mpmath.log(t), 36)
    assert 35.5 < t_star < 36 < mpmath.e ** 4
    assert holds_at(36).is_proved and holds_at(fmpq(71, 2)).is_refuted and holds_at(55).is_proved


# -- Lemma B.9 ------------------------------------------------------------------------------------------------

def test_lemB9_catches_a_wrong_lookup(monkeypatch):
    import proofs.kmy25_lemB_9 as b9
    from exactmem.blocks import integer_memorizer
    assert _run("KMY25.LemB.9").is_proved
    monkeypatch.setattr(b9, "integer_memorizer",
                        lambda pts, labs, groups=None: integer_memorizer(pts, [y % 3 + 1 for y in labs], groups=groups))
    assert _run("KMY25.LemB.9").is_refuted


# -- Definition 4.1, Lemma C.4, Lemma B.23 ------------------------------------------------------------------------

def test_def41_error_against_a_midpoint_grid():
    # independent oracle: the fraction of cell midpoints of a fine uniform grid of each ball where f != y_i; with
    # K = 3600 cells the pieces' end points fall on cell boundaries, so the midpoint count is exact
    from exactmem import Dataset
    from proofs.kmy25_def4_1 import error_1d, ramp
    D = Dataset([[0], [1]], [1, 2])
    for a, b, rho in [("1/4", "3/4", Fr(3, 4)), ("0", "1/2", Fr(1, 2)), ("1/8", "7/8", Fr(9, 10))]:
        net = ramp(a, b)
        L, errs = error_1d(net, D, fmpq(rho.numerator, rho.denominator))
        mu = rho / 2
        K = 3600
        want = []
        for i, (x, y) in enumerate([(0, 1), (1, 2)]):
            mids = [x - mu + (2 * k + 1) * mu / K for k in range(K)]
            vals = net.evaluate([[fmpq(m.numerator, m.denominator)] for m in mids]).entries()
            want.append(Fr(sum(1 for v in vals if v != y), K))
        assert [Fr(int(e.p), int(e.q)) for e in errs] == want, (a, b, rho)


def test_lemC4_against_floats():
    import random
    from proofs.kmy25_lemC_4 import chain
    rng = random.Random(1)
    for _ in range(200):
        d = rng.randint(1, 6)
        v = [fmpq(rng.randint(-9, 9), rng.randint(1, 4)) for _ in range(d)]
        if all(t == 0 for t in v):
            continue
        f = [float(t) for t in v]
        n1, n2, ni = sum(map(abs, f)), sum(t * t for t in f) ** 0.5, max(map(abs, f))
        assert chain(v, 1, 2)[:2] == (n2 <= n1 + 1e-12, n1 <= d ** 0.5 * n2 + 1e-12)
        assert chain(v, 2, "inf")[:2] == (ni <= n2 + 1e-12, n2 <= d ** 0.5 * ni + 1e-12)


def test_lemB23_coarse_rounding_is_caught():
    from exactmem import ReLUNet
    from exactmem.constructions.large_rho import yu_plan
    from exactmem.constructions.layers import yu_layers
    from proofs._instances import random_dataset
    from proofs.kmy25_lemB_23 import error_bound, rounded
    D = random_dataset(3000, 4, 1, C=2, denom=3, span=4)
    pl = yu_plan(D, fmpq(1, 2))
    net = ReLUNet.from_sparse(yu_layers(pl), pl["d"])
    assert error_bound(net, 10, 2)[0] > fmpq(1, 10)                   # the recursion rejects 2 bits
    b = next(b for b in range(1, 400) if error_bound(net, 10, b)[0] <= fmpq(1, 10))
    assert error_bound(net, 10, b - 1)[0] > fmpq(1, 10) >= error_bound(net, 10, b + 5)[0]
    fine = rounded(net, b)
    assert fine.dims == net.dims and fine != net                      # a different network, within nu at the data
    diffs = (fine.evaluate(D.points) - net.evaluate(D.points)).entries()
    assert max(abs(v) for v in diffs) <= fmpq(1, 10)


def test_lemB23_bit_limit_is_decided_exactly():
    """Issue 23: the limit b <= L log2(4D(M+1)) + log2(R+1) + log2(1/nu) + 4 was compared with float log2.
    By hand: L = D = M = R = 1, nu = 1/2 gives 3 + 1 + 1 + 4 = 9, so b = 9 passes and b = 10 fails (powers of 2,
    where floats are exact as well).  With M + 1 = 2^60 - 1, 4(M + 1) = 2^62 - 4 and log2 of it is 62 - 1.4e-18,
    which a float rounds to 62.0: the float limit is 62 + 1 + 1 + 4 = 68 and accepts b = 68, but exactly
    2^64 > (2^62 - 4) * 2 * 2 = 2^64 - 16, so b = 68 is over the limit and b = 67 within it."""
    import math
    from proofs.kmy25_lemB_23 import within_limit
    assert within_limit(9, 1, 1, 1, 1, fmpq(1, 2)) and not within_limit(10, 1, 1, 1, 1, fmpq(1, 2))
    assert within_limit(-3, 1, 1, 1, 1, fmpq(1, 2))                  # 2^(b-4) below 1 is fine
    M = 2 ** 60 - 2
    as_float = math.log2(4 * (float(M) + 1)) + math.log2(2) + math.log2(2) + 4
    assert 68 <= as_float                                             # what the float comparison accepted
    assert not within_limit(68, 1, 1, M, 1, fmpq(1, 2)) and within_limit(67, 1, 1, M, 1, fmpq(1, 2))
    assert _run("KMY25.LemB.23").is_proved


def test_lemB18_propB19_read_the_instances_own_m(monkeypatch):
    """Issue 23: the symbolic chain of B.18 used m >= 24 alpha^-2 ln N with 24 written in, whatever m the
    instances were run at, so an m computed too small passed whenever the SRHT draw happened to satisfy the
    two-sided bound.  Now each instance decides alpha^2 m/8 >= 3 ln N at its own m.  By hand: N = 2, alpha = 1/2,
    3 ln 2 = 2.0794; m = 67 gives 67/32 = 2.09375 >= 2.0794 and m = 66 gives 66/32 = 2.0625 < 2.0794 (and
    paper_m(2, 1/2) = ceil(96 ln 2) = ceil(66.54) = 67)."""
    import proofs.kmy25_lemB_18 as b18
    import proofs.kmy25_lemB_20 as b20
    from exactmem.exact import ceil_log
    assert b18.paper_m(2, fmpq(1, 2)) == 67
    at, below = b18.exponent_step(2, 128, fmpq(1, 2), 67), b18.exponent_step(2, 128, fmpq(1, 2), 66)
    assert at.is_proved and at.details["exponent"] == str(fmpq(67, 32))
    assert below.is_refuted and below.witness["alpha^2 m/8"] == fmpq(66, 32)   # another m, another quantity
    for cid in ("KMY25.LemB.18", "KMY25.PropB.19"):
        assert _run(cid).is_proved
    # half the constant (m = ceil(12 alpha^-2 ln N), still <= d): both claims are refuted by the exponent step
    half = lambda N, alpha: int(ceil_log(N, 12 / fmpq(alpha) ** 2))     # noqa: E731
    monkeypatch.setattr(b18, "paper_m", half)
    monkeypatch.setattr(b20, "paper_m", half)
    for cid in ("KMY25.LemB.18", "KMY25.PropB.19"):
        v = _run(cid)
        assert v.is_refuted and "alpha^2 m/8" in v.reason and "< 3 ln N" in v.reason, str(v)
    monkeypatch.undo()
    # the symbolic chain reads the constant paper_m uses: with 12 it cannot be certified
    monkeypatch.setattr(b18, "M_FACTOR", 12)
    assert not b18.check(("chain", "exponent")).is_proved


def _regime_mutant(small_k, small_strict, mod_k, mod_strict):
    """constructions/regimes.choose_regime with its constants 25 and its closed ends (<=) replaced."""
    from exactmem.norms import check_rho

    def choose(D, rho):
        r2 = check_rho(rho) ** 2
        a, b = small_k * D.N * D.N * D.d * r2, mod_k * D.d * r2
        if a < 1 or (a == 1 and not small_strict):
            return "small"
        if b < 1 or (b == 1 and not mod_strict):
            return "moderate"
        return "large"
    return choose


@pytest.mark.parametrize("mutant, where", [
    ((25, False, 5, False), "1/sqrt(5d)"),        # the audit's survivor: memorize raised RhoError in between
    ((25, False, 25, True), "at 1/(5 sqrt d) = 1/10"),
    ((25, False, 24, False), "just above 1/(5 sqrt d)"),
    ((25, False, 26, False), "at 1/(5 sqrt d) = 1/10"),
    ((25, True, 25, False), "at 1/(5N sqrt d)"),
    ((24, False, 25, False), "just above 1/(5N sqrt d)"),
    ((26, False, 25, False), "at 1/(5N sqrt d)"),
])
def test_thmB1_catches_a_wrong_regime_boundary(monkeypatch, mutant, where):
    """Issue 23: a boundary misplaced in constructions/regimes.py (a constant, or a closed end made open) is
    REFUTED by KMY25.ThmB.1's fast instances at and around the boundaries -- either memorize picks another row
    than Theorem 4.2's range, or it refuses (RhoError) a rho the theorem covers."""
    import exactmem.constructions.regimes as regimes
    c = claims.REGISTRY["KMY25.ThmB.1"]
    fam = {n: i for n, i in c.instances() if n.startswith("regime boundaries/")}
    assert len(fam) == 6                          # all proved unmutated: tests/test_claims.py runs the claim
    monkeypatch.setattr(regimes, "choose_regime", _regime_mutant(*mutant))
    bad = {n: c.check(i) for n, i in fam.items()}
    refuted = [n for n, v in bad.items() if v.is_refuted]
    assert refuted and any(where in n for n in refuted), {n: str(v)[:200] for n, v in bad.items()}
    assert not any(v.is_undecided for v in bad.values())
    if mutant == (25, False, 5, False):          # memorize's own error, said in the refutation
        v = bad["regime boundaries/N=60 d=4 1/5, between 1/(5 sqrt d) and 1/sqrt(5d): row (iii)"]
        assert "memorize raised RhoError" in v.reason
