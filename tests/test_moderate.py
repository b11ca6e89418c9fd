"""Moderate regime (Theorem B.5 / Lemma B.13): construction, kernel verdicts, error bound."""
import copy
import math
import pathlib
import sys
from fractions import Fraction

import mpmath
import pytest
from flint import fmpq
from hypothesis import HealthCheck, example, given, settings, strategies as st

from exactmem import Dataset, choose_regime, memorize, verify
from exactmem.certify import check
from exactmem.kernel.numbers import slab_density, sqrt_bounds
from exactmem.constructions.moderate_rho import ball_samples, group_size, moderate_rho_memorizer
from exactmem.errors import CertificateError, RhoError
from exactmem.volumes import slab_density_hi, slab_density_ratio

from reference import resign
sys.path.insert(0, str(pathlib.Path(__file__).parent / "mutation"))
from probe import in_slabs  # noqa: E402  (slab membership recomputed with Fractions from the first layer)
from test_constructions import _data, assert_probes_labelled


def _moderate_rho(D, blocks):
    """A rational rho in the moderate regime whose group size gives about ``blocks`` groups."""
    g = max(1, D.N // blocks)
    rho = fmpq(1, 5 * g * (math.isqrt(D.d) + 1))
    assert choose_regime(D, rho) == "moderate"
    return rho


def test_volume_ratio_against_mpmath():
    # independent: V_d = pi^(d/2) / Gamma(d/2 + 1) evaluated by mpmath at 50 digits
    mpmath.mp.dps = 50
    for d in range(1, 40):
        V = [mpmath.pi ** (k / mpmath.mpf(2)) / mpmath.gamma(k / mpmath.mpf(2) + 1) for k in (d - 1, d)]
        q, e = slab_density_ratio(d)
        exact = mpmath.mpf(int(q.p)) / int(q.q) / mpmath.pi ** e
        assert abs(exact - V[0] / V[1]) < mpmath.mpf(10) ** -40
        for hi in (slab_density_hi(d), slab_density(d, 2)):     # library and kernel bounds: above, and close
            val = mpmath.mpf(int(hi.p)) / int(hi.q)
            assert V[0] / V[1] <= val * (1 + mpmath.mpf(10) ** -40)     # equal for odd d, up to rounding
            assert val < (1 + mpmath.mpf(10) ** -3) * V[0] / V[1]
    # Lemma B.12: V_d / V_{d-1} <= 2 and decreasing, i.e. the density ratio grows from V_0/V_1 = 1/2
    assert slab_density_ratio(1) == (fmpq(1, 2), 0)
    his = [slab_density_hi(d, prec=128) for d in range(1, 30)]
    assert all(a < b for a, b in zip(his, his[1:]))


@given(st.fractions(min_value=0, max_value=10 ** 6), st.integers(-400, 400))
def test_sqrt_bounds_enclose_with_relative_precision(q, e):
    x = fmpq(q.numerator, q.denominator) * fmpq(2) ** e         # tiny and huge scales alike
    lo, hi = sqrt_bounds(x, 40)
    assert lo * lo <= x <= hi * hi
    assert hi - lo <= hi / 2 ** 40


def test_group_size_matches_the_definition():
    D = _data(1, 20, 3)
    for rho in (fmpq(1, 50), fmpq(1, 200), fmpq(1, 7)):
        g = group_size(D, rho)
        # reference: the largest g with g <= 1/(5 rho sqrt d), by Fractions (g^2 * 25 rho^2 d <= 1), capped at N
        ref = max(k for k in range(1, 10 ** 4) if k == 1 or Fraction(25 * k * k) * Fraction(str(rho)) ** 2 * 3 <= 1)
        assert g == max(1, min(ref, D.N))


@pytest.mark.parametrize("seed, N, d, C, blocks", [(20, 8, 1, 2, 3), (21, 12, 2, 3, 4), (22, 15, 3, 2, 3),
                                                   (23, 10, 4, 4, 2)])
def test_moderate_end_to_end(seed, N, d, C, blocks):
    D = _data(seed, N, d, C)
    rho = _moderate_rho(D, blocks)
    net, cert = memorize(D, rho, eta="1/20")
    assert cert.info["regime"] == "moderate" and cert.info["blocks"] >= 2
    v = verify(net, D, rho, cert)
    assert v.is_proved, v
    assert v.details["max_error_bound"] < fmpq(1, 20)
    assert_probes_labelled(net, D, rho)


def test_errors_only_on_slabs_and_bound_dominates_their_frequency():
    """Independent of the kernel: sampled exact points off the slabs are labelled correctly, and the
    frequency of slab hits stays below the certified bound (with a generous binomial margin)."""
    D = _data(31, 6, 1, 2)
    rho = _moderate_rho(D, 3)
    net, cert = moderate_rho_memorizer(D, rho, "9/10")
    v = cert.verify()
    assert v.is_proved
    bounds = v.details["error_bounds"]
    pts, owners = ball_samples(D, rho, 300, seed=5)
    out = net.evaluate(pts).entries()
    hits = in_slabs(cert, pts)
    per_ball = [0] * D.N
    for y, i, h in zip(out, owners, hits):
        if not h:
            assert y == D.labels[i]
        per_ball[i] += h
    for i in range(D.N):
        mean = 300 * float(bounds[i])
        assert per_ball[i] <= mean + 5 * math.sqrt(mean) + 3


def test_monte_carlo_is_reported_not_used():
    D = _data(32, 8, 2, 2)
    rho = _moderate_rho(D, 2)
    net, cert = memorize(D, rho, eta="1/10", mc_samples=3)
    mc = cert.info["monte_carlo"]
    assert mc["samples"] == 3 * D.N and mc["misclassified"] <= mc["samples"]
    doc = cert.to_json()
    doc["info"]["monte_carlo"]["misclassified"] = 10 ** 6      # the kernel never reads it
    assert check(resign(doc)).is_proved


def test_moderate_tampering_and_bad_input():
    D = _data(33, 9, 2, 3)
    rho = _moderate_rho(D, 3)
    net, cert = memorize(D, rho, eta="1/10")
    doc = cert.to_json()
    v = check(doc)
    assert v.is_proved
    D37 = _data(37, 12, 2, 3)                            # here some ball needs its slabs excluded (found by search)
    rho37 = _moderate_rho(D37, 3)
    doc37 = memorize(D37, rho37, eta="1/10")[1].to_json()
    assert check(doc37).is_proved
    doc37["hints"]["exclude"] = []                        # without them a block's Floor is inexact on some ball
    doc37["hints"].pop("blocks", None)                    # (whose slab ranges would now point past the list)
    assert check(resign(doc37)).is_undecided
    bad = copy.deepcopy(doc)                              # wider slabs: still sound, a larger bound
    bad["hints"]["exclude"] = [[k, a, b, str(min(fmpq(1, 2), fmpq(g) * 4))] for k, a, b, g in bad["hints"]["exclude"]]
    w = check(resign(bad), eta=fmpq(99, 100))
    assert w.is_proved and w.details["max_error_bound"] >= v.details["max_error_bound"]
    bad = copy.deepcopy(doc)                              # eta far below the proved bound
    bad["data"]["eta"] = "1/1000000000000000000000000000000"
    assert check(resign(bad)).is_undecided
    bad = copy.deepcopy(doc)                              # exclusions without eta: an exact claim cannot pay for them
    del bad["data"]["eta"]
    with pytest.raises(CertificateError, match="eta"):
        check(resign(bad))
    bad = copy.deepcopy(doc)                              # the running max doubled: y + 2 sigma(f - y)
    for layer in bad["network"]["layers"]:
        for row in layer["W_rows"]:
            if len(row) == 2 and row[0][1] == "1" and row[1][1] == "1":
                row[1][1] = "2"
    assert not check(resign(bad)).is_proved
    assert verify(net, D, rho, cert, eta="1/10").is_proved
    assert verify(net, D, rho, cert, eta=fmpq(1, 10 ** 30)).is_undecided
    with pytest.raises(RhoError, match="eta"):
        memorize(D, rho)
    for eta in (0, 1, "3/2", -1):
        with pytest.raises(RhoError, match="eta"):
            memorize(D, rho, eta=eta)
    with pytest.raises(RhoError, match="1/\\(5 sqrt d\\)"):
        moderate_rho_memorizer(D, "1/2", "1/10")
    with pytest.raises(RhoError, match="moderate"):
        memorize(D, rho, eta="1/10", regime="small")


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.fractions(-20, 20, max_denominator=6), st.fractions(-20, 20, max_denominator=6)),
                min_size=3, max_size=9, unique=True),
       st.integers(2, 4), st.integers(1, 40))
@example([(Fraction(0), Fraction(50, 3)), (Fraction(0), Fraction(-2)), (Fraction(0), Fraction(17)),
          (Fraction(-18), Fraction(-1))], 3, 28)       # every re-branched row of a ball was cut away (was ValueError)
def test_moderate_property_over_rationals(pts, blocks, k):
    labels = [1 + i % 2 for i in range(len(pts))]
    D = Dataset([[fmpq(a.numerator, a.denominator), fmpq(b.numerator, b.denominator)] for a, b in pts], labels)
    rho = fmpq(1, 5 * max(1, D.N // blocks) * 2) * fmpq(40 + k, 80)         # below 1/(5 g sqrt 2)
    if choose_regime(D, rho) != "moderate":
        return
    net, cert = memorize(D, rho, eta="1/5")
    assert verify(net, D, rho, cert).is_proved
    assert list(net.evaluate(D.points).entries()) == list(D.labels)


# -- l_p (Theorems C.11-C.14) ---------------------------------------------------------------------------

def _lp_probes(D, i, rho, p):
    """Exact points inside B_p(x_i, rho eps_p) far from the centre in l_2: corners of the l_inf box, or
    vertices of the l_1 cross, shrunk by 1 - 2^-10 (so strictly inside)."""
    mu = rho * D.eps(p) * (1 - fmpq(1, 2 ** 10))
    x = D.point(i)
    if p == "inf":
        signs = [[(-1) ** ((k >> j) & 1) for j in range(D.d)] for k in range(min(8, 2 ** D.d))]
        return [[a + sg * mu for a, sg in zip(x, s)] for s in signs]
    return [[a + (mu if j == k else 0) * sg for j, a in enumerate(x)] for k in range(D.d) for sg in (1, -1)]


@pytest.mark.parametrize("p", ["1", "inf"])
@pytest.mark.parametrize("seed, N, d, rho", [(40, 6, 2, "1/500"), (41, 8, 3, "1/4"), (42, 5, 2, "1/3")])
def test_lp_end_to_end(p, seed, N, d, rho):
    D = _data(seed, N, d, 2)
    net, cert = memorize(D, rho, p=p)
    assert cert.data["p"] == p and cert.kind == "robust-memorization"
    assert verify(net, D, rho, cert, p=p).is_proved
    pts, want = [], []
    for i in range(D.N):
        for x in _lp_probes(D, i, fmpq(rho), p):
            assert D.in_ball(i, x, rho, p)
            pts.append(x)
            want.append(D.labels[i])
    assert list(net.evaluate(pts).entries()) == want
    # the l_2 ratio is never above the paper's gamma_p(d) rho (exact: squared)
    r2 = fmpq(cert.info["rho2"]) ** 2
    assert r2 >= fmpq(rho) ** 2 * (D.d if p == "inf" else 1) * D.eps(p) ** 2 / D.eps_sq
    # the other norm: the kernel's verdict is PROVED exactly when no probe of those balls is mislabelled and
    # the l_2 balls contain them, i.e. it never proves a false l_q claim (Fraction reference for containment)
    other = "1" if p == "inf" else "inf"
    bad = copy.deepcopy(cert.to_json())
    bad["data"]["p"] = other
    v = check(resign(bad))
    probes = [(x, D.labels[i]) for i in range(D.N) for x in _lp_probes(D, i, fmpq(rho), other)]
    wrong = [x for (x, y), out in zip(probes, net.evaluate([x for x, _ in probes]).entries()) if out != y]
    if wrong:
        assert not v.is_proved
    X = [[Fraction(str(v_)) for v_ in D.point(i)] for i in range(D.N)]
    cross = [(a, b) for a in range(D.N) for b in range(D.N) if D.labels[a] != D.labels[b]]
    e_o = min((sum(abs(u - w) for u, w in zip(X[a], X[b])) if other == "1" else
               max(abs(u - w) for u, w in zip(X[a], X[b]))) for a, b in cross) / 2
    e2 = min(sum((u - w) ** 2 for u, w in zip(X[a], X[b])) for a, b in cross) / 4
    if Fraction(cert.info["rho2"]) ** 2 * e2 >= (d if other == "inf" else 1) * Fraction(rho) ** 2 * e_o ** 2:
        assert v.is_proved                         # contained in the certified l_2 balls: provable


def _lp_moderate_rho(D, p):
    """A rho whose l_2 ratio (rounded up as memorize does) lies in the moderate regime."""
    from exactmem.constructions.lp import l2_ratio_sq
    rhos = [fmpq(1, k) for k in range(5, 2000)]
    lo = [sqrt_bounds(l2_ratio_sq(D, r, p), 30)[0] for r in rhos]
    return next(r for r, s in zip(rhos, lo) if all(choose_regime(D, t) == "moderate" for t in (s, s + fmpq(1, 2 ** 29), 2 * s)))


def test_lp_bad_input():
    D = _data(43, 6, 2, 2)
    with pytest.raises(RhoError, match="gamma_p"):
        memorize(D, "99/100", p="inf")                            # sqrt(2) * 0.99 * eps_inf / eps_2 may exceed 1
    rho = _lp_moderate_rho(D, 1)
    with pytest.raises(RhoError, match="eta"):
        memorize(D, rho, p=1)


@pytest.mark.parametrize("p", ["1", "inf"])
def test_lp_moderate_with_the_brunn_slab_bound(p):
    """Theorem C.13: the l_2 construction, gamma chosen for the uniform measure of the l_p balls."""
    D = _data(44, 9, 2, 3)
    rho = _lp_moderate_rho(D, p)
    net, cert = memorize(D, rho, p=p, eta="1/20")
    assert cert.info["regime"] == "moderate" and cert.data["p"] == p
    v = verify(net, D, rho, cert, p=p, eta="1/20")
    assert v.is_proved and "slab density 1/R_k" in v.reason      # Brunn: d/2 = 1 for d = 2
    pts, want = [], []
    for i in range(D.N):                                         # l_p-ball probes far out in l_2
        for x in _lp_probes(D, i, rho, p):
            pts.append(x)
            want.append(D.labels[i])
    hits = in_slabs(cert, pts)
    out = net.evaluate(pts).entries()
    assert all(y == w for y, w, h in zip(out, want, hits) if not h)     # correct wherever no Floor is in a slab
    assert not all(hits)


def test_brunn_density_bound_against_exact_marginals():
    """d / (2 h_K(w)) bounds the density of w.x on the cube and the cross-polytope; by hand: the cube
    [-1, 1]^2 and w = (1, 1) give the triangle density (2 - |t|)/4, max 1/2 = d / (2 h) with h = 2; the
    cross-polytope |x1| + |x2| <= 1 and w = (1, 0) give density 1 - |t|, max 1 = 2 / (2 * 1)."""
    from exactmem.constructions.moderate_rho import slab_weights
    from exactmem.norms import INF
    from flint import fmpq_mat
    D = Dataset([[0, 0], [4, 0]], [1, 2])                          # eps_inf = eps_1 = 2
    s = fmpq(1)
    w_cube = slab_weights(D, fmpq_mat([[1, 1]]), s, None, (INF, fmpq(1, 2)))[0]     # mu_inf = 1
    assert w_cube == fmpq(1, 2)
    w_cross = slab_weights(D, fmpq_mat([[1, 0]]), s, None, (1, fmpq(1, 2)))[0]     # mu_1 = 1
    assert w_cross == 1


def test_kernel_catches_a_memorizer_that_is_wrong_off_its_group(monkeypatch):
    """A block memorizer that also answers at another ball's cell with the wrong label must not be proved,
    although the network is built consistently and the certificate signed."""
    import exactmem.constructions.moderate_rho as mod
    from exactmem.constructions.moderate_rho import moderate_rho_plan, project
    from exactmem.exact import floor_q
    D = _data(34, 8, 1, 2)
    rho = _moderate_rho(D, 3)
    pl = moderate_rho_plan(D, rho, "1/10")
    assert len(pl["groups"]) >= 2
    i = pl["groups"][1][0]                                   # a ball of group 1, seen by block 0
    z = [v + c for v, c in zip(project(D, pl["W_full"], pl["W1"])[i], pl["c0"])]
    idx = sum(floor_q(v + c) * pl["R"] ** k for k, (v, c) in enumerate(zip(z, pl["shifts"][0])))
    wrong = 1 if D.labels[i] == 2 else 2
    real = mod.integer_memorizer
    calls = []

    def tampered(points, labels):
        calls.append(1)
        if len(calls) == 1 and idx not in points:            # block 0: also "memorize" ball i's cell, wrongly
            return real(list(points) + [idx], list(labels) + [wrong])
        return real(points, labels)
    monkeypatch.setattr(mod, "integer_memorizer", tampered)
    net, cert = moderate_rho_memorizer(D, rho, "1/10")
    v = cert.verify()
    assert not v.is_proved and i in v.details["balls"], v
