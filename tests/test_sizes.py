"""The size report: planned dimensions equal built ones; exponents; CLI."""
import math

import pytest
from flint import fmpq

from exactmem import memorize
from exactmem.cli import main
from exactmem.sizes import (compose_dims, dims_large, exponents, fit_slope, grid_rhos, params_of, plan_size,
                            seeded_dataset, size_rows)


def test_dims_algebra_by_hand():
    # [3 -> 4 -> 1] then [1 -> 2 -> 5]: the affine 4 -> 1 merges into 1 -> 2, giving [3, 4, 2, 5]
    assert compose_dims([3, 4, 1], [1, 2, 5]) == [3, 4, 2, 5]
    assert params_of([3, 4, 2, 5]) == 4 * 4 + 5 * 2 + 3 * 5          # (3+1)4 + (4+1)2 + (2+1)5
    with pytest.raises(Exception):
        compose_dims([3, 4], [5, 1])
    # Yu's network: depth N (k + 3) + 3 (the construction's docstring), width 5d + C for k >= 2
    dims = dims_large(4, 4, 3, 2, 7)
    assert len(dims) - 1 == 7 * (2 + 3) + 3 and max(dims[1:-1]) == 5 * 4 + 3


@pytest.mark.parametrize("N, d", [(30, 2), (40, 5), (24, 16)])
def test_planner_matches_builder_every_regime_and_layout(N, d):
    D = seeded_dataset(N, d)
    layouts = set()
    for regime, rho in grid_rhos(N, d):
        dims, build, info = plan_size(D, rho, regime)
        net = build()
        assert net.dims == dims, (regime, rho)
        if regime == "moderate":
            layouts.add("indices" if info["blocks"] <= info["m"] else "chain")
        # the planned network is the one memorize builds (same plan, same seed)
        if regime != "moderate" and N <= 30:
            assert memorize(D, rho)[0].dims == dims
    assert ("indices" if d == 16 else "chain") in layouts      # both layouts of the recipe are covered


def test_grid_rhos_lie_in_their_regimes():
    from exactmem import choose_regime
    for N, d in [(100, 2), (1000, 16), (10000, 784)]:
        assert {r for r, _ in grid_rhos(N, d)} == {"small", "moderate", "large"}
        for regime, rho in grid_rhos(N, d):     # Theorem 4.2's ranges, squared (independent of choose_regime)
            r2 = rho * rho
            got = "small" if 25 * N * N * d * r2 <= 1 else "moderate" if 25 * d * r2 <= 1 else "large"
            assert got == regime, (N, d, rho)
    assert choose_regime(seeded_dataset(20, 2), grid_rhos(20, 2)[0][1]) == "small"


def test_fit_slope_recovers_power_laws():
    xs = [10, 100, 1000]
    assert math.isclose(fit_slope(xs, [3 * x ** 0.5 for x in xs]), 0.5)
    rows = [{"N": N, "d": 2, "regime": "small", "rho": fmpq(1, N), "planned_params": 7 * N ** 0.5} for N in xs]
    rows += [{"N": 10, "d": 2, "regime": "moderate", "rho": fmpq(1, k), "planned_params": 5 / k ** 0.5}
             for k in (10, 40, 160)]
    fits = {(f["regime"], f["over"]): f["fitted"] for f in exponents(rows)}
    assert math.isclose(fits[("small", "N")], 0.5) and math.isclose(fits[("moderate", "rho")], 0.5)


def test_size_rows_and_cli(tmp_path, capsys):
    rows = size_rows([20], [3], build_limit=0, regimes=("small",))
    assert len(rows) == 1 and not rows[0]["built"] and rows[0]["planned_params"] > 0
    out = tmp_path / "s.md"
    assert main(["sizes", "--N", "20", "--d", "2", "--out", str(out)]) == 0
    text = out.read_text()
    assert "| 20 | 2 | small |" in text and "exponent in" in text
    assert main(["sizes", "--N", "x", "--d", "2"]) == 2
    assert "comma-separated" in capsys.readouterr().err


# -- sizes as claims (issue 14, item 1) -------------------------------------------------------------------------

import doctest
import random as _random

from exactmem import ReLUNet, claims as _claims

_claims.discover("proofs")


def _first_instance_verdict(cid, k=0):
    c = _claims.REGISTRY[cid]
    inst = list(c.instances())[k][1]
    return c.check(inst)


def test_size_helpers_doctests():
    import proofs._sizes
    import proofs._symbolic
    for mod in (proofs._sizes, proofs._symbolic):
        assert doctest.testmod(mod).failed == 0


def test_eq3_counts_matrices_not_param_count():
    from proofs._sizes import eq3, width, depth
    rng = _random.Random(5)
    for _ in range(20):                      # random shapes: Eq. 3 by hand is sum (d_{l-1} + 1) d_l
        dims = [rng.randint(1, 5) for _ in range(rng.randint(2, 5))]
        net = ReLUNet([([[rng.randint(-2, 2) for _ in range(a)] for _ in range(b)], [0] * b)
                       for a, b in zip(dims, dims[1:])])
        assert eq3(net) == sum((a + 1) * b for a, b in zip(dims, dims[1:])) == net.param_count()
        assert depth(net) == len(dims) - 1 and width(net) == max(dims[1:-1], default=0)


def test_bound_is_decided_exactly_at_equality():
    from proofs._sizes import Bound
    assert Bound(3, 16, 2).holds(14) and not Bound(3, 16, 2).holds(fmpq(14) + fmpq(1, 10 ** 30))
    assert Bound(b=7).holds(7) and not Bound(b=7).holds(8)
    assert Bound(1, 2, 0).holds(fmpq(141421, 100000)) and not Bound(1, 2, 0).holds(fmpq(141422, 100000))


SIZE_CLAIMS = ["KMY25.LemB.10.size", "KMY25.ThmB.3.size", "KMY25.ThmB.5.size", "KMY25.ThmB.14.size", "KMY25.LemD.2",
               "KMY25.LemB.16", "KMY25.LemB.6", "KMY25.LemB.7", "KMY25.LemB.8", "KMY25.LemB.9", "KMY25.Flatten",
               "KMY25.LemD.1.threshold"]


def test_size_claims_refute_a_param_count_that_ignores_biases(monkeypatch):
    # the mutant: ReLUNet.param_count without the biases.  Every size claim counts Eq. (3) from the
    # matrices itself and compares, so each goes REFUTED on its first instance (LemB.8's first is the triangle map,
    # which has no size part: its second instance is used)
    for cid in SIZE_CLAIMS:
        assert _first_instance_verdict(cid, 1 if cid == "KMY25.LemB.8" else 0).is_proved, cid
    monkeypatch.setattr(ReLUNet, "param_count",
                        lambda self: sum(a * b for a, b in zip(self.dims, self.dims[1:])))
    for cid in SIZE_CLAIMS:
        v = _first_instance_verdict(cid, 1 if cid == "KMY25.LemB.8" else 0)
        assert v.is_refuted and "param_count" in str(v.reason), (cid, str(v))


def test_linear_integer_memorizer_is_refuted(monkeypatch):
    # one group per point: correct and of width 10, but of linear size (about 50 N parameters)
    import proofs.kmy25_lemB_10 as b10
    from exactmem.blocks import integer_memorizer
    linear = lambda pts, labs: integer_memorizer(pts, labs, groups=len(pts))
    monkeypatch.setattr(b10, "integer_memorizer", linear)
    v = _first_instance_verdict("KMY25.LemB.10.size")                 # N = 1000
    assert v.is_refuted and "params" in v.witness, str(v)
    c = _claims.REGISTRY["KMY25.LemB.10"]
    inst = dict(c.instances())["small/N=300"]                          # already at N = 300 in the default family
    assert c.check(inst).is_refuted
    # inside the small-rho construction too
    import exactmem.constructions.small_rho as sr
    monkeypatch.setattr(sr, "integer_memorizer", linear)
    c = _claims.REGISTRY["KMY25.ThmB.3.size"]
    inst = dict(c.instances())["seeded/N=1000 d=1 rho=1/(5Nd*1)"]
    assert c.check(inst).is_refuted


def test_naive_memorizer_breaks_the_B10_parameter_bound():
    # the one-hidden-layer ramp memorizer (about 5 N parameters) is below the bound at small N but not at N = 30000;
    # the parameter bound alone refutes it there (its width 2N would fail too)
    from exactmem.blocks import integer_memorizer, naive_memorizer
    from proofs._sizes import b10_bounds, eq3, natural_bits
    rng = _random.Random(30000)
    N = 30000
    pts = rng.sample(range(20 * N), N)
    labs = [1 + i % 7 for i in range(N)]
    bound = b10_bounds(N, natural_bits(max(pts)), natural_bits(max(labs)))["params"]
    naive = naive_memorizer(pts, labs)
    assert not bound.holds(eq3(naive)) and eq3(naive) > 150000
    assert bound.holds(eq3(integer_memorizer(pts, labs).net))


def test_packed_bits_mutant_breaks_remark_B2(monkeypatch):
    # one packed group: bits grow like N L, so bits x params is far above O~(N)
    import proofs.kmy25_remB_2 as rb2
    from exactmem.blocks import integer_memorizer
    monkeypatch.setattr(rb2, "integer_memorizer", lambda pts, labs: integer_memorizer(pts, labs, groups=1))
    c = _claims.REGISTRY["KMY25.RemB.2"]
    assert c.check(dict(c.instances())["integer memorizer/integer memorizer N=1000"]).is_refuted


def test_case_iv_v_certificates_fail_for_wrong_constants():
    import sympy as sp
    from proofs._symbolic import certify_nonneg
    from proofs.kmy25_thmB_14_plan import region, m_upper, yu_params, u, v, w, l, c, q, s
    g = region("IV")
    dim, rho_sq = g["dim"], g["rho_sq"]
    good = sp.Rational(4, 25) * (9 * dim * rho_sq + s) / dim - sp.Rational(36, 25) * rho_sq
    bad = sp.Rational(4, 25) * (8 * dim * rho_sq + s) / dim - sp.Rational(36, 25) * rho_sq   # m = 8 d rho^2
    assert certify_nonneg(good, [s, u, w, l, v]).is_proved
    assert certify_nonneg(bad, [s, u, w, l, v]).is_refuted
    # the size bound with a constant 10^4 times smaller is not certified (and a sample point breaks it)
    K = 625 * (g["k"] + 4) * (3050 * g["L"] + g["C"] + 21) ** 2 / 10 ** 4
    P = yu_params(g["d"], m_upper("IV", g), g["C"], g["k"], g["N"])
    assert certify_nonneg(K * g["N"] * g["d"] ** 2 * rho_sq ** 2 - P, [u, v, w, l, c, q]).is_refuted
    # Case V without the additive d fails: the first layer's (d + 1) m outgrows N d^2 rho^4
    g = region("V")
    K = 625 * (g["k"] + 4) * (3050 * g["L"] + g["C"] + 21) ** 2
    P = yu_params(g["d"], m_upper("V", g), g["C"], g["k"], g["N"])
    assert not certify_nonneg(K * g["N"] * g["d"] ** 2 * g["rho_sq"] ** 2 - P, [u, v, w, l, c, q]).is_proved


def test_group_of_by_hand_and_against_the_construction():
    from exactmem.constructions.moderate_rho import group_size
    from proofs._sizes import group_of
    # by hand: 1/(5 (1/50) 2) = 5 exactly; 1/(5 (1/100) sqrt 3) = 11.54 -> 11; capped at N
    assert group_of(100, 4, fmpq(1, 50)) == 5 and group_of(100, 3, fmpq(1, 100)) == 11 and group_of(7, 1, fmpq(1, 1000)) == 7
    rng = _random.Random(3)
    for _ in range(200):
        N, d, rho = rng.randint(1, 400), rng.randint(1, 40), fmpq(1, rng.randint(1, 3000))
        D = type("D", (), {"N": N, "d": d})
        assert group_of(N, d, rho) == group_size(D, rho)


def test_grid_bits_bound_covers_the_plans():
    # n from the box diameter only (never from the plan) is at least the plan's n, in both regimes
    from exactmem.constructions.moderate_rho import moderate_rho_plan
    from exactmem.constructions.small_rho import small_rho_plan
    from proofs._sizes import grid_bits_max, group_of
    for N, d in [(30, 1), (50, 3), (20, 6)]:
        D = seeded_dataset(N, d)
        rho = fmpq(1, 5 * N * d)
        assert small_rho_plan(D, rho)["n"] <= grid_bits_max(D, rho, N)
        rho = fmpq(1, 5 * 4 * d)
        assert moderate_rho_plan(D, rho, fmpq(1, 100))["n"] <= grid_bits_max(D, rho, group_of(N, d, rho))
