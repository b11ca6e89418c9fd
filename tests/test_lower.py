import copy

import pytest

from reference import resign
from flint import fmpq

from exactmem import ReLUNet
from exactmem.certify import check
from exactmem.errors import (CertificateError, DimensionMismatchError, ExactmemError, NetworkError, RhoError,
                             ShapeError)
from exactmem.lower import (first_layer_witness, lemma_a2, linf_witness, lower_bound, shattering_instance,
                            tight_subspace_a2, vc_k, width_bound, width_dataset)
from exactmem.lower.demo import train_float_mlp


def test_width_dataset_cases():
    D = width_dataset(4, 3)  # case I: e1, e2, e3 (label 2), 0 (label 1)
    assert D.labels == (2, 2, 2, 1) and D.eps_sq == fmpq(1, 4)
    D = width_dataset(6, 3)  # case II: + 2e1, 3e1 with label 2
    assert D.N == 6 and D.point(4)[0] == 2 and D.point(5)[0] == 3 and D.eps_sq == fmpq(1, 4)


def test_witness_on_float_trained_network():
    D = width_dataset(N=5, d=4)
    net = train_float_mlp(D, hidden=(2, 6), steps=400, seed=3)   # trained in float64, imported exactly
    w = first_layer_witness(net, D, "9/10")                      # width 2 < 0.81 * 4
    assert w.guaranteed and w.found
    x, xp = w.x, w.x_prime
    assert D.in_ball(w.i, x, "9/10") and D.in_ball(w.i_prime, xp, "9/10")
    assert net(x) == net(xp)             # the whole network, not only the first layer, agrees
    cert = w.certificate(net).to_json()
    assert check(cert).is_proved
    tampered = copy.deepcopy(cert)
    tampered["data"]["x"][0] = "1"       # move x onto e_j: W x != W x' now
    assert check(resign(tampered)).is_refuted
    tampered = copy.deepcopy(cert)
    tampered["network"]["layers"][0]["W"][0][0] = "12345"
    with pytest.raises(CertificateError, match="first layer"):
        check(resign(tampered))
    tampered = copy.deepcopy(cert)
    tampered["data"]["rho"] = "1/100"    # balls too small for the witness points
    assert check(resign(tampered)).is_refuted


def test_no_witness_when_wide():
    D = width_dataset(4, 3)
    w = first_layer_witness([[1, 0, 0], [0, 1, 0], [0, 0, 1]], D, "1/2")
    assert not w.found and "no witness" in w.message
    with pytest.raises(NetworkError):
        w.certificate()


def test_linf_witness_for_rho_above_half():
    D = width_dataset(5, 4)
    w = first_layer_witness([[1, 2, 3, 4], [0, 1, 0, 1], [1, 0, 0, 0]], D, "3/5", p="inf")
    assert w.guaranteed and w.found and check(w.certificate().to_json()).is_proved
    assert width_bound(5, 4, "3/5", "inf") == 4 and width_bound(5, 4, "1/2", "inf") == 1


def test_lemma_helpers():
    A = tight_subspace_a2(6, 4, 4)  # k' = 2 inside R^4, s = 2 blocks of size 2
    r = lemma_a2(A, 4)
    assert r["min_dist_sq"] == r["bound"] == fmpq(1, 2)
    with pytest.raises(ShapeError):
        lemma_a2(A, 1)  # k = 4 < d - t = 5
    with pytest.raises(ShapeError):
        tight_subspace_a2(5, 3, 3)  # s = 2 does not divide t = 3
    w = linf_witness([[1], [2], [-4]])
    assert w["j"] == 2 and w["dist_inf"] == fmpq(1, 2)
    with pytest.raises(DimensionMismatchError):
        linf_witness([[1], [0], [0]], t=1)  # dim 1 < d - t + 1 = 3


def test_shattering_values_by_hand():
    # rho = 3/4: rho^2 = 9/16, 1/(1 - 9/16) = 16/7 -> k = 2
    assert vc_k("3/4", 5) == 2 and vc_k("1/2", 5) == 1 and vc_k("999/1000", 3) == 3
    inst = shattering_instance(3, "3/4", 1, [1, -1])
    # x_1 = e1 - e2 (label 2), x_2 = -e1 + e2 (label 1): eps^2 = |2(e1 - e2)|^2 / 4 = 2 = k
    assert inst.dataset.eps_sq == 2 and inst.check().is_proved
    with pytest.raises(NetworkError):
        shattering_instance(3, "3/4", 1, [1, 0])
    with pytest.raises(NetworkError):
        shattering_instance(1, "3/4", 1, [1])


def test_calculator_and_errors():
    lb = lower_bound(100, 10, "9/10")
    assert lb.hard_instance().eps_sq == fmpq(1, 4)
    assert "dominant term: width" in lb.summary()
    vc = lower_bound(10000, 4, "1/2")
    assert vc.dominant == "VC" and vc.hard_instance().N == 2 * (10000 // 2)
    with pytest.raises(RhoError):
        lower_bound(10, 3, 1)
    with pytest.raises(NetworkError):
        lower_bound(1, 3, "1/2")


@pytest.mark.parametrize("W", [[["abc", 1, 1]], [[float("nan"), 1, 1]], [[1j, 1, 1]], [[1, 1]]])
def test_bad_first_layers(W):
    with pytest.raises(ExactmemError):
        first_layer_witness(W, width_dataset(4, 3), "1/2")


def test_network_dimension_mismatch_and_rho():
    D = width_dataset(4, 3)
    with pytest.raises(DimensionMismatchError):
        first_layer_witness(ReLUNet([([[1, 1]], [0]), ([[1]], [0])]), D, "1/2")
    with pytest.raises(RhoError):
        first_layer_witness([[1, 1, 1]], D, "3/2")
    with pytest.raises(NetworkError):
        first_layer_witness(ReLUNet.affine([[1, 1, 1]]), D, "1/2")
