import copy
import json
import random

import pytest
from flint import fmpq

from exactmem import Dataset, choose_regime, memorize, verify
from exactmem.certify import check
from exactmem.errors import CertificateError, NormError, RhoError
from exactmem.robust import ball_probe_points

from reference import resign


def _data(seed, N, d, C=2):
    rng = random.Random(seed)
    pts = set()
    while len(pts) < N:
        pts.add(tuple(fmpq(rng.randint(-40, 40), rng.randint(1, 4)) for _ in range(d)))
    pts = [list(p) for p in pts]
    return Dataset(pts, [1 + i % C for i in range(N)])


def assert_probes_labelled(net, D, rho):
    """Independent sanity (not the proof): exact probe points inside every ball get the ball's label."""
    probes, want = [], []
    for i in range(D.N):
        for x in ball_probe_points(D, i, rho):
            probes.append(x)
            want.append(D.labels[i])
    assert list(net.evaluate(probes).entries()) == want


def _small_rho(D):
    # the top of the small regime when it is rational: 1/(5 N sqrt d) with d a square; else just below
    return fmpq(1, 5 * D.N * 4 * D.d)


@pytest.mark.parametrize("seed, N, d, C", [(0, 3, 1, 2), (1, 12, 2, 3), (2, 30, 3, 2), (3, 20, 4, 4)])
def test_small_regime_end_to_end(seed, N, d, C):
    D = _data(seed, N, d, C)
    rho = _small_rho(D)
    assert choose_regime(D, rho) == "small"
    net, cert = memorize(D, rho)
    assert verify(net, D, rho, cert).is_proved
    assert_probes_labelled(net, D, rho)


def test_tampering_a_weight_is_proved_only_if_the_network_still_works():
    """Change one nonzero weight or bias of the certified network (re-signed, so the kernel must judge the
    mathematics): PROVED is allowed only when the changed network is still right -- checked independently
    by exact probe points in every ball and a Fraction evaluation; otherwise the verdict is not PROVED."""
    from reference import eval_fraction, frac
    from exactmem import ReLUNet
    D = _data(7, 6, 2)
    rho = _small_rho(D)
    net, cert = memorize(D, rho)
    doc = cert.to_json()
    rng = random.Random(1)
    proved = refused = 0
    for _ in range(12):
        bad = copy.deepcopy(doc)
        layer = bad["network"]["layers"][rng.randrange(len(bad["network"]["layers"]))]
        rows = [r for r in layer["W_rows"] if r]
        if rng.random() < 0.5:
            entry = rng.choice(rng.choice(rows))
            entry[1] = str(fmpq(entry[1]) + fmpq(1, 7))
        else:
            k = rng.randrange(len(layer["b"]))
            layer["b"][k] = str(fmpq(layer["b"][k]) + 1)
        with pytest.raises(CertificateError, match="digest"):
            check(bad)                                 # naive tampering: the digest no longer matches
        v = check(resign(bad))
        if v.is_proved:                                # then the tampered network really is correct
            changed = ReLUNet.from_json(bad["network"])
            assert_probes_labelled(changed, D, rho)
            layers = [([[frac(w) for w in row] for row in W.tolist()], [frac(b) for b in bb.entries()])
                      for W, bb in changed.layers]
            assert [eval_fraction(layers, [frac(q) for q in D.point(i)])[0] for i in range(D.N)] == list(D.labels)
            proved += 1
        else:
            refused += 1
    assert refused >= 6, (proved, refused)             # most single changes break a memorizer


def test_certificate_at_rho_proves_smaller_rho_only():
    D = _data(8, 6, 2)
    rho = _small_rho(D)
    net, cert = memorize(D, rho)
    for r in (rho, rho / 2, rho / 10 ** 40):
        assert verify(net, D, r, cert).is_proved
    with pytest.raises(CertificateError, match="less than the rho"):
        verify(net, D, rho * 2, cert)


def test_regime_errors_and_mismatch():
    D = _data(3, 5, 2)
    with pytest.raises(RhoError, match="eta"):
        memorize(D, fmpq(1, 20))
    with pytest.raises(RhoError, match="eta"):
        memorize(D, fmpq(1, 20), eta=2)
    with pytest.raises(RhoError, match="small regime|regime"):
        memorize(D, "9/10", regime="small")
    with pytest.raises(RhoError):
        memorize(D, 1)
    with pytest.raises(NormError):
        memorize(D, fmpq(1, 1000), p=3)
    rho = _small_rho(D)
    net, cert = memorize(D, rho)
    other = _data(4, 5, 2)
    with pytest.raises(CertificateError, match="dataset"):
        verify(net, other, rho, cert)
    with pytest.raises(CertificateError, match="less than the rho"):
        verify(net, D, rho * 2, cert)
    with pytest.raises(CertificateError, match="l_2 balls, not l_inf"):
        verify(net, D, rho, cert, p="inf")
    net2, _ = memorize(D, rho / 2)
    with pytest.raises(CertificateError, match="network"):
        verify(net2, D, rho, cert)
    assert verify(net, D, rho, json.loads(cert.dumps())).is_proved


@pytest.mark.parametrize("seed, N, d, C, rho", [(10, 6, 1, 2, "1/2"), (11, 10, 2, 3, "9/10"), (12, 12, 3, 2, "1/3"),
                                                (13, 8, 2, 2, "99/100"), (14, 9, 4, 3, "1/5")])
def test_large_regime_end_to_end(seed, N, d, C, rho):
    D = _data(seed, N, d, C)
    assert choose_regime(D, rho) == "large"
    net, cert = memorize(D, rho)
    assert cert.info["regime"] == "large" and cert.info["case"] in ("I", "II")
    assert verify(net, D, rho, cert).is_proved
    assert_probes_labelled(net, D, rho)
    bad = cert.to_json()                          # hints are checked, never trusted: wrong centres or no hints
    for q in bad["hints"]["quadratic"]:           # leave a correct network PROVED or UNDECIDED, never REFUTED
        q["centre"] = [str(fmpq(v) + 5) for v in q["centre"]]
    assert not check(resign(bad)).is_refuted
    bad["hints"] = {}
    assert not check(resign(bad)).is_refuted
    bad = cert.to_json()
    bad["network"]["layers"][-1]["b"][0] = str(fmpq(bad["network"]["layers"][-1]["b"][0]) + 1)
    v = check(resign(bad))                        # the output shifted by one: refuted with an exact witness
    assert v.is_refuted and D.in_ball(v.witness["ball"], v.witness["x"], rho)


def test_large_regime_projection_case_iii():
    rng = random.Random(3)
    D = Dataset([[rng.randint(-3, 3) for _ in range(420)] for _ in range(2)], [1, 2])   # N = 2 < 600 ln 2 <= 420
    net, cert = memorize(D, "1/10")
    assert cert.info["case"] == "III" and net.width < 20      # the data-span map to R^2 first
    assert verify(net, D, "1/10", cert).is_proved
    bad = cert.to_json()
    bad["network"]["layers"][-1]["b"][0] = str(fmpq(bad["network"]["layers"][-1]["b"][0]) - 1)
    v = check(resign(bad))
    assert v.is_refuted and D.in_ball(v.witness["ball"], v.witness["x"], "1/10")


def test_large_regime_projection_cases_iv_v_code_path(monkeypatch):
    # Cases IV/V only occur for N >= 600 ln N (N > 4000); exercise the same code on a small instance
    import exactmem.blocks.projection as proj
    import exactmem.constructions.large_rho as lr
    D = _data(21, 12, 16, 2)
    for case in ("IV", "V"):
        monkeypatch.setattr(lr, "b14_case", lambda D_, r_, c=case: c)
        monkeypatch.setattr(proj, "m_case_iv", lambda N, d, r: 12)
        monkeypatch.setattr(proj, "m_case_v", lambda N, r: 12)
        net, cert = lr.large_rho_memorizer(D, "1/2")
        assert cert.info["case"] == case and cert.info["m"] == 12
        assert check(cert.to_json()).is_proved
