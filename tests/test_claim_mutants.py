"""Issue 23, weaknesses of six claims: each claim now catches a class of wrong code by a mechanism of its own
(an independent recomputation, instances that reach a hypothesis or a regime, probes in general position), shown
here by a plausible wrong implementation -- a single-point mutant of the library's source, compiled from a copy of
the function and monkeypatched in (the library is never edited) -- that the claim REFUTES in the default tier,
while the correct code still passes.  Before these changes every one of these mutants passed its claim (PROVED);
the report of issue 23's second part lists the verdicts."""
import __future__
import inspect
from types import SimpleNamespace

import pytest
from flint import fmpq, fmpq_mat

from exactmem import claims

claims.discover("proofs")


def mutant(module, name, old, new):
    """``module.name`` compiled from its source with the fragment ``old`` (occurring once) replaced by ``new``, in
    a copy of the module's namespace: a single-point mutation, nothing written to disk."""
    src = inspect.getsource(getattr(module, name))
    assert src.count(old) == 1, f"{old!r} occurs {src.count(old)} times in {name}"
    ns = dict(vars(module))
    exec(compile(src.replace(old, new), module.__file__, "exec", dont_inherit=True,
                 flags=__future__.annotations.compiler_flag), ns)
    return ns[name]


def _verdict(cid):
    return claims.run_claim(claims.REGISTRY[cid]).verdict


# -- Law.pairwise: the floor recomputed by brute force in the claim ---------------------------------------------

@pytest.mark.parametrize("old, new", [
    ("q = dy * dy / n if p == 2", "q = dy / n if p == 2"),       # |dy| / ||v||^2: the square forgotten
    ("for j in range(i):", "for j in range(i - 1):"),            # neighbouring points never paired
])
def test_pairwise_refutes_a_floor_that_is_too_small(monkeypatch, old, new):
    import exactmem.lipschitz.bounds as lb
    from proofs.law_pairwise import steepest_sq
    # by hand: knots (0, 0), (1, 3), (3, 2), (4, 6): slopes 3, 1/2, 4 between neighbours, 2/3, 3/2, 1 otherwise
    assert steepest_sq([[0], [1], [3], [4]], [0, 3, 2, 6]) == 16
    assert _verdict("Law.pairwise").is_proved
    monkeypatch.setattr(lb, "steepest", mutant(lb, "steepest", old, new))
    assert lb.data_bound([[0], [1], [3], [4]], [0, 3, 2, 6], 2).value < 16          # the mutant's floor is low
    v = _verdict("Law.pairwise")
    assert v.is_refuted and "data_bound says" in v.reason, v.reason


# -- BS21.Sec3.product: sub-unit and non-integer matrices ---------------------------------------------------------

def test_product_has_sub_unit_non_integer_instances():
    import proofs.bs21_product as product
    mats = []
    for _, inst in claims.REGISTRY["BS21.Sec3.product"].instances():
        if inst[0] == "gram":
            mats.append(product._matrix(inst[1], *inst[2], *inst[3:]))
        elif inst[0] == "given":
            mats.append(fmpq_mat([[fmpq(t) for t in r] for r in inst[1]]))
    sub = [W for W in mats if sum((t * t for t in W.entries()), fmpq(0)) < 1]     # sigma_max <= ||W||_F < 1
    assert len(sub) >= 5 and all(any(t.q != 1 for t in W.entries()) for W in sub)
    # by hand: W = [[1/3]] has G_t = (1/3)^(2^t), so every Gram bound is ((1/9)^(2^t))^(1/2^t) = 1/9 exactly
    assert [product.gram_bound(fmpq_mat([[fmpq(1, 3)]]), t) for t in range(4)] == [fmpq(1, 9)] * 4


def test_product_refutes_a_root_wrong_below_one(monkeypatch):
    """The mutant returns F itself for F <= 1 ("a value at most 1 needs no root"), but F^(1/k) > F there: right
    for integer matrices (F >= 1 always), a bound below sigma_max^2 for sub-unit ones."""
    import exactmem.lipschitz.bounds as lb
    assert _verdict("BS21.Sec3.product").is_proved
    monkeypatch.setattr(lb, "_root_up", mutant(lb, "_root_up", "if F == 0 or k == 1:", "if F <= 1 or k == 1:"))
    assert lb.gram_bound(fmpq_mat([[fmpq(1, 3)]]), 1) == fmpq(1, 81)                # below sigma^2 = 1/9
    v = _verdict("BS21.Sec3.product")
    assert v.is_refuted and "below sigma_max^2" in v.reason, v.reason


# -- Law.bound_chain: instances outside the hypothesis, where the first step is strict ----------------------------

def test_bound_chain_refutes_a_finder_that_takes_every_pattern_as_realised(monkeypatch):
    import proofs.law_bound_chain as chain
    from exactmem import ReLUNet
    W, b, a = chain._hand(1)
    f = ReLUNet([(W, b), ([a], [0])])                 # relu(x) - 2 relu(x - 1): 0, then slope 1, then slope -1
    assert [f([t])[0] for t in (-1, 0, 1, 2, 3)] == [0, 0, 1, 0, -1]
    assert chain.subsets_max(W, a) == 4 and chain.lipschitz_constant(f, 2).upper_sq == 1
    assert _verdict("Law.bound_chain").is_proved

    def every_pattern(net, p=2, region=None, **kw):   # Lip^2 = max over all 2^k patterns, realised or not
        (W1, _), (A, _) = net.layers
        rows = [[W1[i, j] for j in range(W1.ncols())] for i in range(W1.nrows())]
        return SimpleNamespace(upper_sq=chain.subsets_max(rows, [A[0, j] for j in range(A.ncols())]))
    monkeypatch.setattr(chain, "lipschitz_constant", every_pattern)
    v = _verdict("Law.bound_chain")
    assert v.is_refuted and "strict Lip^2 < subsets" in v.reason, v.reason


# -- KMY25.LemD.1.threshold: probes in general position ------------------------------------------------------------

def test_threshold_probes_are_unit_distance_and_off_axis():
    import random
    from proofs.kmy25_lemD_1 import unit_vector
    rng = random.Random(0)
    for d in (2, 3, 8):
        for _ in range(20):
            s = unit_vector(rng, d)
            assert sum((t * t for t in s), fmpq(0)) == 1 and sum(t != 0 for t in s) >= d - 1


def test_threshold_refutes_an_error_allowance_that_ignores_d(monkeypatch):
    """The mutant sizes the squares' depth and the threshold's allowance for one coordinate's error, not d of
    them: exact on axis-aligned probes (the other coordinates' squares are exact at 0), wrong in general position."""
    import exactmem.blocks.distance as dm
    import proofs.kmy25_lemD_1 as lem
    assert _verdict("KMY25.LemD.1.threshold").is_proved
    wrong = mutant(dm, "distance_threshold_net",
                   "k = square_depth_for(d, B * B, gap)\n    err = d * B * B / 4 ** (k + 1)",
                   "k = square_depth_for(1, B * B, gap)\n    err = B * B / 4 ** (k + 1)")
    monkeypatch.setattr(lem, "distance_threshold_net", wrong)
    v = _verdict("KMY25.LemD.1.threshold")
    assert v.is_refuted and "first inside probe not 1: general" in v.reason, v.reason


# -- KMY25.ThmB.5: up to 25 blocks, and Lemma B.13's union bound recomputed ------------------------------------------

def test_density_ratio_by_hand():
    import math
    from proofs.kmy25_thmB_5 import density_ratio
    assert density_ratio(1) == (fmpq(1, 2), fmpq(1, 2)) and density_ratio(3) == (fmpq(3, 4), fmpq(3, 4))
    for d, want in ((2, 2 / math.pi), (4, 8 / (3 * math.pi)), (5, 15 / 16)):    # V_1/V_2, V_3/V_4, V_4/V_5
        lo, hi = density_ratio(d)
        assert lo <= hi and float(lo) <= want * (1 + 1e-12) and want <= float(hi) * (1 + 1e-12)
        assert float(hi - lo) < 1e-4


def test_thmB5_has_fast_instances_with_many_blocks():
    blocks = []
    for _, (D, rho) in claims.REGISTRY["KMY25.ThmB.5"].instances():
        g = max(h for h in range(1, D.N + 1) if 25 * h * h * rho * rho * D.d <= 1)    # floor(1/(5 rho sqrt d))
        blocks.append(-(-D.N // g))
    assert blocks == [4, 4, 3, 3, 8, 9, 25, 4], blocks            # the construction's counts (the claim's -v;
    #                                                            the last: the second instance scaled by 1000)


@pytest.mark.parametrize("new", [
    "/ eta",                       # gamma sized for one block: the union over the others forgotten
    "* min(B - 1, 3) / eta",       # "a ball meets at most three other blocks": right for B <= 4 only
])
def test_thmB5_refutes_a_gamma_that_ignores_the_union_over_blocks(monkeypatch, new):
    import exactmem.constructions.moderate_rho as mr
    assert _verdict("KMY25.ThmB.5").is_proved
    monkeypatch.setattr(mr, "moderate_rho_plan", mutant(mr, "moderate_rho_plan", "* (B - 1) / eta", new))
    v = _verdict("KMY25.ThmB.5")
    assert v.is_refuted and "union bound" in v.reason and "not below eta" in v.reason, v.reason


# -- Law.random_labels: an average that can differ from 1 ----------------------------------------------------------

def test_envelope_average_by_hand():
    from proofs.law_random_labels import envelope_average, least_constant
    # X = 0, 2 with y = -1, +1: L* = 1; at L = 1/2, g(0) = min(-1, 1 + 1) = -1 and g(2) = min(-1 + 1, 1) = 0,
    # so the average is (1 + 0) / 2 = 1/2; at L = 1 it is (1 + 1) / 2 = 1
    X, y = [[fmpq(0)], [fmpq(2)]], [-1, 1]
    assert least_constant(X, y, 1) == least_constant(X, y, "inf") == 1
    assert envelope_average(X, y, fmpq(1, 2), 1) == fmpq(1, 2) and envelope_average(X, y, fmpq(1), "inf") == 1


def test_random_labels_refutes_a_wrong_norm_that_still_interpolates(monkeypatch):
    """The mutant drops the 1/2 of max(|s|, |t|) = (|s + t| + |s - t|) / 2, so its l_inf cones are twice as steep:
    every McShane fit still interpolates (its own cone is 0 at its point, the others only grow), so the average
    of the fit is 1 as before; the envelope below L* is wrong and its average is not the formula's."""
    import exactmem.lipschitz.mcshane as mc
    assert _verdict("Law.random_labels").is_proved
    monkeypatch.setattr(mc, "_norm_layer", mutant(mc, "_norm_layer", "acc[len(forms) - 1] = _HALF",
                                                  "acc[len(forms) - 1] = 1"))
    X, y = [[0, 0], [2, 1], [1, 3]], [-1, 1, 1]
    assert mc.mcshane_net(X, y, "inf").evaluate(X).entries() == [-1, 1, 1]        # still interpolates
    v = _verdict("Law.random_labels")
    assert v.is_refuted and "the network's average" in v.reason, v.reason


# -- survivors of the claims' mutation suite (tests/claim_mutation, docs/claims.md) -----------------------------------
# Each row is a mutant of tests/claim_mutation/mutants.py that passed every claim citing it before the claim named
# here was strengthened: (the module whose function is mutated, the function, the fragment, its replacement, where
# the mutated function is looked up by the claim -- the same module or a proofs module that imported it by name --,
# the claim, a fragment of the reason it is refuted with).

def _method_mutant(cls, name, old, new):
    """``cls.name`` compiled from its dedented source with ``old`` replaced by ``new``."""
    import textwrap
    import sys
    src = textwrap.dedent(inspect.getsource(getattr(cls, name)))
    assert src.count(old) == 1, f"{old!r} occurs {src.count(old)} times in {cls.__name__}.{name}"
    ns = dict(vars(sys.modules[cls.__module__]))
    exec(compile(src.replace(old, new), cls.__module__, "exec", dont_inherit=True,
                 flags=__future__.annotations.compiler_flag), ns)
    return ns[name]


_SURVIVORS = [
    # mutant id, library module, function, old, new, claim's module (None: the library module), claim, reason
    ("rel.replace.dir", "exactmem.bounds.relations", "_replace", "(hi if (x > 0) == upper else lo)",
     "(lo if (x > 0) == upper else hi)", None, "KMY25.Thm3.1-vs-Thm4.2.region", "the supremum 2 (by hand)"),
    ("rel.N1.lower", "exactmem.bounds.relations", "_cells", "(Mono(sp.Rational(1, 2), ((N, sp.S.One),)),",
     "(Mono(sp.S.One, ((N, sp.S.One),)),", None, "KMY25.Thm3.1-vs-Thm4.2.region", "the supremum 2 (by hand)"),
    ("rel.floor.half", "exactmem.bounds.relations", "_cells", "(Xm * Mono(sp.Rational(1, 2)), Xm)", "(Xm, Xm)",
     None, "KMY25.Thm3.1-vs-Thm4.2.region", "the supremum 3 (by hand)"),
    ("rel.gamma.sqrtd", "exactmem.bounds.relations", "_cells", "(d, sp.Rational(-1, 2)))), False,",
     "(d, sp.Integer(-1)))), False,", None, "KMY25.Thm3.1-vs-Thm4.2.region", "the engine did not prove it"),
    ("ana.path.hi", "exactmem.bounds.analysis", "path_in_interval", "/ hi, N, sp.oo) < 1))", "/ hi, N, sp.oo) <= 1))",
     None, "KMY25.Thm3.1-vs-Thm4.2.region", "(by hand: False, False, True)"),
    ("sub.a1.bound", "exactmem.lower.subspaces", "lemma_a1", '1 - fmpq(k, d)}', '1 - fmpq(k - 1, d)}',
     "proofs.kmy25_lemA_1", "KMY25.LemA.1", "lemma_a1's bound"),
    ("sub.c10.hyp", "exactmem.lower.subspaces", "linf_witness", "if k < d - t + 1:", "if k < d - t:",
     "proofs.kmy25_lemC_10", "KMY25.LemC.10", "outside the hypothesis"),
    ("sizes.width.proofs", "proofs._sizes", "width", "net.layers[:-1]", "net.layers[1:-1]", None, "KMY25.LemB.6",
     "ReLUNet depth, width"),
    ("lip.layer_norm.dual", "exactmem.lipschitz.bounds", "layer_norm", 'if p == "inf" else', 'if p == 1 else',
     "proofs.bs21_product", "BS21.Sec3.product", "by hand"),
    ("lip.path.abs", "exactmem.lipschitz.bounds", "path_bound", "[[abs(W[i, j])", "[[(W[i, j])",
     "proofs.bs21_product", "BS21.Sec3.product", "path bound"),
    ("small.scale", "exactmem.constructions.small_rho", "small_rho_plan", "s = 1 / (4 * N * rho * eps_hi)",
     "s = 1 / (2 * N * rho * eps_hi)", None, "KMY25.ThmB.3", "ball images"),
    ("mod.slab.s", "exactmem.constructions.moderate_rho", "slab_weights", "ratio / (s * mu_lo * w)",
     "ratio / (mu_lo * w)", None, "KMY25.ThmB.5", "scaled by 1000"),
    ("large.case1", "exactmem.constructions.large_rho", "b14_case", "if rho >= fmpq(1, 3):", "if rho > fmpq(1, 3):",
     None, "KMY25.ThmB.14.size", "by hand I"),
    ("large.case2", "exactmem.constructions.large_rho", "b14_case", "    if D.d < t:\n", "    if D.d <= t:\n",
     None, "KMY25.ThmB.14.size", "by hand III"),
    ("large.lo", "exactmem.constructions.large_rho", "yu_plan", "lo = mu_sq + d * B * B / 4 ** (k + 1)",
     "lo = mu_sq + B * B / 4 ** (k + 1)", None, "KMY25.ThmB.14.size", "Lemma D.1 plan"),
    ("lp.inf.scale", "exactmem.constructions.lp", "l2_ratio_sq", "scale = D.d if p == INF else 1", "scale = 1",
     None, "KMY25.ThmC.11", "gamma_p reduction"),
    ("dist.square.err", "exactmem.blocks.distance", "verify_square", "err = fmpq(1, 4 ** (k + 1))",
     "err = fmpq(1, 4 ** k)", "proofs.kmy25_lemD_1", "KMY25.LemD.1.square", "allowance 4^-(k+2) is refuted"),
    ("dist.square.depth", "exactmem.blocks.distance", "square_depth_for", "while d * B_sq / 4 ** (k + 1) > gap / 2:",
     "while B_sq / 4 ** (k + 1) > gap / 2:", None, "KMY25.LemD.1.threshold", "square depth"),
    ("proj.m.b20", "exactmem.blocks.projection", "m_small_rho", "max(ceil_log(N, 864), ceil_log(d, 10))",
     "ceil_log(N, 864)", "proofs.kmy25_lemB_20", "KMY25.LemB.20.m", "by hand 622"),
    ("vol.pi.round", "exactmem.volumes", "slab_density_hi", "q / pi_enclosure(prec).lo", "q / pi_enclosure(prec).hi",
     "proofs.kmy25_lemB_12", "KMY25.LemB.12", "slab_density_hi below the true ratio at d = [2"),
    ("pf.thmB5.ratio", "proofs.kmy25_thmB_5", "density_ratio", "if d % 2 else fmpq(2)", "if d % 2 else fmpq(1)",
     None, "KMY25.ThmB.5", "the library's upper bound"),
    ("pf.lemB18.beta", "proofs.kmy25_lemB_18", "exponent_step", "fmpq(m, 4 * d)", "fmpq(m, d)", None,
     "KMY25.LemB.18", "the exponent step fails, as it must: PROVED"),
    ("layers.running_max", "exactmem.constructions.layers", "_running_max", "[[(k, ONE), (k + 1, ONE)]]",
     "[[(k, ONE), (k + 1, fmpq(2))]]", None, "KMY25.ThmB.5", "wrong at"),
]


# the wrong running max makes the kernel slow on every ball of B.5's instances (about 20 s): run with --runslow
_SLOW = {"layers.running_max"}


@pytest.mark.parametrize("mid, lib, name, old, new, where, cid, reason",
                         [pytest.param(*s, marks=pytest.mark.slow) if s[0] in _SLOW else s for s in _SURVIVORS],
                         ids=[s[0] for s in _SURVIVORS])
def test_claim_suite_survivor_is_refuted(monkeypatch, mid, lib, name, old, new, where, cid, reason):
    import importlib
    module = importlib.import_module(lib)
    assert _verdict(cid).is_proved
    wrong = mutant(module, name, old, new)
    monkeypatch.setattr(module, name, wrong)
    if where is not None:
        monkeypatch.setattr(importlib.import_module(where), name, wrong)
    v = _verdict(cid)
    assert v.is_refuted and reason in v.reason, v.reason


def test_claim_suite_survivor_closed_ball_is_refuted(monkeypatch):
    """shat.closed: shattered points required in the open ball; Proposition C.8's instances on the sphere (p = 1,
    rho = (k - 1)/k, by hand: distance^p = k - 1 = mu^p) put them on its boundary, in the closed ball only."""
    from exactmem.lower.shattering import ShatteringInstance
    assert _verdict("KMY25.PropC.8").is_proved
    monkeypatch.setattr(ShatteringInstance, "check", _method_mutant(
        ShatteringInstance, "check", "dist_p != k - 1 or dist_p > mu_p", "dist_p != k - 1 or dist_p >= mu_p"))
    v = _verdict("KMY25.PropC.8")
    assert v.is_refuted and "on the sphere" in v.reason, v.reason


def test_claim_suite_survivor_k_boundary_is_refuted(monkeypatch):
    """pf.prop33.k: the claim's own k counted with < for <=; only the instances on the sphere reach (k-1)/k = rho^p."""
    import proofs.kmy25_prop3_3 as p33
    import proofs.kmy25_propC_8 as c8
    assert _verdict("KMY25.PropC.8").is_proved
    wrong = mutant(p33, "_check", "fmpq(k_hand, k_hand + 1) <= rp", "fmpq(k_hand, k_hand + 1) < rp")
    monkeypatch.setattr(c8, "_check", wrong)
    v = _verdict("KMY25.PropC.8")
    assert v.is_refuted and "on the sphere" in v.reason and "the largest integer" in v.reason, v.reason


# -- issue 23, third part: claims of their own for Lemma B.13, Theorems C.12-C.14 and the threshold remark, and
# strengthened LemB.20 and BS21.Lem3.1.B -------------------------------------------------------------------------

def test_lemB20_identity_case_refutes_a_projection_where_the_identity_is_due(monkeypatch):
    """The identity case used to check eps^2 >= (25/144) eps^2, true whatever the code does; it now requires
    Stage I to return the identity when d <= max(864 ln N, 10 ln d).  The mutant keeps the shortcut for N < 2 only,
    so an m = d SRHT (an orthonormal, non-identity matrix) is drawn instead."""
    import exactmem.constructions.small_rho as sr
    assert _verdict("KMY25.LemB.20").is_proved
    monkeypatch.setattr(sr, "stage_one_projection", mutant(sr, "stage_one_projection", "    if m == d:\n",
                                                           "    if m == d and N < 2:\n"))
    v = _verdict("KMY25.LemB.20")
    assert v.is_refuted and "projection is the identity: False" in v.reason, v.reason


def test_lem31_B_near_tight_refutes_a_bound_with_W_outside_the_power(monkeypatch):
    """W (sqrt(pQ))^D for (W sqrt(pQ))^D: smaller by W^(D-1), which the seeded networks (bound 42x-21,048x B(w)) never
    noticed; the rank-one +-W network with D = 2, W = 3 has bound^2 / B^2 = 25921/3200 by hand (about 8.1 < 9)."""
    import sympy as sp
    import proofs.bs21_lem3_1 as lem
    from exactmem.bounds.law_catalog import D, Q, W, p
    assert _verdict("BS21.Lem3.1.B").is_proved
    real = lem.law

    def wrong(lid):
        got = real(lid)
        return SimpleNamespace(expr=W * sp.sqrt(p * Q) ** D) if lid == "BS21.Lem3.1.B" else got
    monkeypatch.setattr(lem, "law", wrong)
    runs = claims.run_claim(claims.REGISTRY["BS21.Lem3.1.B"])
    assert runs.verdict.is_refuted
    bad = [r.name for r in runs.records if r.verdict.is_refuted]
    assert bad and all(n.startswith("near tight/") for n in bad), bad          # the seeded networks still pass


@pytest.mark.parametrize("cid", ["KMY25.Rem.threshold"])
def test_one_block_claims_refute_shifts_that_forget_the_radius(monkeypatch, cid):
    """K_j = ceil(-(low - b)) for ceil(r - (low - b)): the lowest ball image's digits start at 0 only at its centre,
    so a ball reaches below 0, outside the grid [0, R): the step floor's digits leave [0, R).  (Lemma B.13's claim
    does not see it: outside the grid the block outputs 0, which the lemma allows on the other balls.)"""
    import exactmem.constructions.moderate_rho as mr
    import proofs.kmy25_lemB_13 as b13
    assert _verdict(cid).status.value in ("PROVED", "CERTIFIED")
    wrong = mutant(mr, "moderate_rho_plan", "K = [ceil_q(r - (lows[k] - b[k]))", "K = [ceil_q(-(lows[k] - b[k]))")
    monkeypatch.setattr(b13, "moderate_rho_plan", wrong)
    assert _verdict(cid).is_refuted


def test_lemB13_refutes_a_gamma_sized_for_one_block(monkeypatch):
    """gamma sized for eta alone, not eta / (B - 1): the slab probability of one block (within a factor 2 of its share
    on the first instance, B = 6) is then above the block's share."""
    import exactmem.constructions.moderate_rho as mr
    import proofs.kmy25_lemB_13 as b13
    assert _verdict("KMY25.LemB.13").is_proved
    wrong = mutant(mr, "moderate_rho_plan", "* (B - 1) / eta", "/ eta")
    monkeypatch.setattr(b13, "moderate_rho_plan", wrong)
    v = _verdict("KMY25.LemB.13")
    assert v.is_refuted and "budget" in v.reason, v.reason


@pytest.mark.parametrize("cid", ["KMY25.ThmC.12", "KMY25.ThmC.13", "KMY25.ThmC.14"])
def test_lp_theorems_refute_an_l2_ratio_without_gamma_p(monkeypatch, cid):
    """lp.inf.scale: the l_2 ratio without the factor d for p = inf (rho2 = rho, not sqrt(d) rho): on the tight data
    (eps_inf = eps_2, the corner of the l_inf ball on the l_2 sphere of radius 2 rho eps_2) rho2 = 2 rho is required."""
    import exactmem.constructions.lp as lp
    assert _verdict(cid).status.value in ("PROVED", "CERTIFIED")
    monkeypatch.setattr(lp, "l2_ratio_sq", mutant(lp, "l2_ratio_sq", "scale = D.d if p == INF else 1", "scale = 1"))
    v = _verdict(cid)
    assert v.is_refuted, v.reason


def test_thmC12_refutes_a_small_regime_open_at_its_end(monkeypatch):
    """reg.small.strict: the top of Theorem C.12's range, rho = 1/(5 N sqrt(d) gamma_p), maps on the tight data to
    rho2 = 1/(5 N sqrt d) exactly, which the mutant sends to the moderate regime."""
    import exactmem.constructions.regimes as rg
    monkeypatch.setattr(rg, "choose_regime", mutant(rg, "choose_regime", "if 25 * D.N * D.N * D.d * r2 <= 1:",
                                                    "if 25 * D.N * D.N * D.d * r2 < 1:"))
    v = _verdict("KMY25.ThmC.12")
    assert v.is_refuted and "the library built: moderate" in v.reason, v.reason


# -- issue 23, last part: a bit bound that wrongly increases in rho is searched for a counterexample ---------------

@pytest.mark.parametrize("bid", ["KMY25.RemB.2.ii", "KMY25.ThmB.1.ii.bits"])
def test_monotone_region_refutes_a_bit_bound_increasing_in_rho(monkeypatch, bid):
    """The bit bounds of regime (ii) must not increase in rho.  A record with rho^(1/2) in the numerator instead of
    the denominator (``cat.bits.rho``) used to leave the claim UNDECIDED (the structural argument gives the wrong
    direction and only decreases were searched); the grid search now returns an exact increasing pair, and by hand
    sqrt(r2)/d^(1/4) > sqrt(r1)/d^(1/4) for r2 > r1."""
    import dataclasses

    import sympy as sp

    from exactmem.bounds.registry import REGISTRY, d, rho
    assert _verdict("KMY25.Thm4.2.monotone.region").is_proved
    wrong = dataclasses.replace(REGISTRY[bid], expr=sp.sqrt(rho) / d ** sp.Rational(1, 4))
    monkeypatch.setitem(REGISTRY, bid, wrong)
    v = _verdict("KMY25.Thm4.2.monotone.region")
    assert v.is_refuted and f"{bid} increases in rho" in v.reason, v.reason
    lo, hi = (sp.Rational(s) for s in v.witness["rho"])
    vlo, vhi = (sp.sympify(s) for s in v.witness["values"])
    assert lo < hi and vhi > vlo


# -- issue 23, last part: the narrow families of B.12, B.18/B.19, B.21 widened ----------------------------------------

def test_lemB12_recursion_by_hand():
    """V_{d-1}/V_d from r_d = d/(d - 1) r_{d-2}: by hand V_0/V_1 = 1/2, V_1/V_2 = 2/pi, V_2/V_3 = pi/(4 pi/3) = 3/4,
    V_3/V_4 = (4 pi/3)/(pi^2/2) = 8/(3 pi); the claim now reaches d = 3000 in the default tier."""
    from proofs.kmy25_lemB_12 import recursion
    assert recursion(4) == [(fmpq(1, 2), 0), (fmpq(2), 1), (fmpq(3, 4), 0), (fmpq(8, 3), 1)]
    assert _verdict("KMY25.LemB.12").is_proved
    assert [t for _, t in claims.REGISTRY["KMY25.LemB.12"].families["exact enclosures"]()] == [3000]


def test_lemB12_refutes_a_library_ratio_off_the_recursion(monkeypatch):
    """vol.odd: 4^k for 4^(k+1) in the odd case; the claim compares every d with its own recursion."""
    import exactmem.volumes as vol
    import proofs.kmy25_lemB_12 as b12
    wrong = mutant(vol, "slab_density_ratio", "4 ** (k + 1) * factorial(k + 1)", "4 ** k * factorial(k + 1)")
    monkeypatch.setattr(b12, "slab_density_ratio", wrong)
    v = _verdict("KMY25.LemB.12")
    assert v.is_refuted and "differs from the recursion at d = [1, 3" in v.reason, v.reason


def test_pair_ratios_by_hand():
    """||W(x_i - x_j)||^2 / ||x_i - x_j||^2 from the Gram matrices, against hand values: W = [[1, 0, 0]] keeps the
    first coordinate of x = (1,1,0), (0,0,0), (1,0,1): pair (0,1) 1/2, pair (0,2) 0/2, pair (1,2) 1/2."""
    from exactmem import Dataset
    from proofs.kmy25_lemB_18 import pair_ratios
    D = Dataset([[1, 1, 0], [0, 0, 0], [1, 0, 1]], [1, 2, 1])
    assert pair_ratios(D, fmpq_mat([[1, 0, 0]])) == [fmpq(1, 2), fmpq(0), fmpq(1, 2)]


def test_lemB18_propB19_reach_hundreds_of_points():
    r18 = claims.run_claim(claims.REGISTRY["KMY25.LemB.18"])
    r19 = claims.run_claim(claims.REGISTRY["KMY25.PropB.19"])
    assert r18.verdict.is_proved and r19.verdict.is_proved
    assert r18.instances >= 11 and r19.instances >= 6


def test_propB21_brute_force_by_hand_and_refutes_reflections_in_the_wrong_order(monkeypatch):
    """cross_min_sq by hand: points (0,0), (3,4), (1,0) labelled 1, 2, 1: cross pairs 25 and 4 + 16 = 20, so
    eps^2 = 20/4 = 5.  The mutant builds Q^T's rows with the reflections in the wrong order: still exactly
    orthonormal, but not onto the data span, so eps_WD^2 / eps_D^2 falls far below 1 - 2^-30."""
    import exactmem.blocks.projection as proj
    from proofs.kmy25_propB_21 import cross_min_sq
    assert cross_min_sq(fmpq_mat([[0, 0], [3, 4], [1, 0]]), [1, 2, 1]) == 5
    assert _verdict("KMY25.PropB.21").is_proved
    monkeypatch.setattr(proj, "householder", mutant(proj, "householder", "in reversed(vs):", "in vs:"))
    v = _verdict("KMY25.PropB.21")
    assert v.is_refuted and "1 - 2^-30 <= ratio <= 1" in v.reason, v.reason
