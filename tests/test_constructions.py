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


def test_tampering_any_single_number_fails():
    D = _data(7, 6, 2)
    rho = _small_rho(D)
    net, cert = memorize(D, rho)
    doc = cert.to_json()
    rng = random.Random(1)
    targets = [("data", "scale"), ("data", "c", 0), ("data", "c", 1), ("data", "r"), ("data", "gamma"),
               ("data", "rho"), ("dataset", "points", 0, 0), ("dataset", "labels", 2), ("data", "W_full", 0, 1)]
    for _ in range(6):
        layer = rng.randrange(len(doc["network"]["layers"]))
        rows = doc["network"]["layers"][layer]["W"]
        targets.append(("network", "layers", layer, "W", rng.randrange(len(rows)), rng.randrange(len(rows[0]))))
    for path in targets:
        bad = copy.deepcopy(doc)
        obj = bad
        for key in path[:-1]:
            obj = obj[key]
        old = obj[path[-1]]
        obj[path[-1]] = 3 if isinstance(old, int) and not isinstance(old, bool) and path[0] == "dataset" \
            else str(fmpq(str(old)) + fmpq(1, 7)) if isinstance(old, str) else old + 1
        assert check(bad).is_refuted, path             # naive tampering: the digest no longer matches
        if path[0] == "dataset":
            with pytest.raises(CertificateError):      # a different dataset: verify() refuses the certificate
                verify(net, D, rho, bad)
            continue
        try:                                          # re-signed: the mathematics itself must fail
            assert not check(resign(bad)).is_proved, path
        except CertificateError:
            pass


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
    with pytest.raises(CertificateError, match="rho"):
        verify(net, D, rho / 2, cert)
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
    assert cert.data["regime"] == "large" and cert.data["case"] in ("I", "II")
    assert verify(net, D, rho, cert).is_proved
    assert_probes_labelled(net, D, rho)
    bad = cert.to_json()
    bad["data"]["lo"] = str(fmpq(bad["data"]["hi"]) + 1)     # thresholds out of order
    assert not check(resign(bad)).is_proved
    bad = cert.to_json()
    bad["data"]["o"][0] = str(-10 ** 6)                       # offset no longer makes the balls positive
    assert not check(resign(bad)).is_proved


def test_large_regime_projection_case_iii():
    rng = random.Random(3)
    D = Dataset([[rng.randint(-3, 3) for _ in range(420)] for _ in range(2)], [1, 2])   # N = 2 < 600 ln 2 <= 420
    net, cert = memorize(D, "1/10")
    assert cert.data["case"] == "III" and net.width < 20      # the data-span map to R^2 first
    assert verify(net, D, "1/10", cert).is_proved
    bad = cert.to_json()
    bad["data"]["W_full"][0][5] = "1/2"                       # rows no longer orthonormal
    assert check(resign(bad)).is_refuted
    bad = cert.to_json()
    bad["data"]["eps_lo"] = str(10 ** 6)                      # a false enclosure of the projected eps
    assert check(resign(bad)).is_refuted


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
        assert cert.data["case"] == case and len(cert.data["W_full"]) == 12
        assert check(cert.to_json()).is_proved
