import pytest
from flint import fmpq

from exactmem import Dataset, ReLUNet
from exactmem.errors import DimensionMismatchError, RhoError
from exactmem.pl1d import breakpoints, constant_on, pieces
from exactmem.ramp1d import ramp_memorizer_1d
from exactmem.robust import memorizes, robustly_memorizes


def test_pieces_of_abs_and_hat():
    f = ReLUNet([([[1], [-1]], [0, 0]), ([[1, 1]], [0])])
    ps = pieces(f)
    assert [(p.slope[0], p.intercept[0]) for p in ps] == [(-1, 0), (1, 0)]
    # hat: sigma(x) - 2 sigma(x - 1) + sigma(x - 2): breakpoints 0, 1, 2 (by hand)
    hat = ReLUNet([([[1], [1], [1]], [0, -1, -2]), ([[1, -2, 1]], [0])])
    assert breakpoints(hat) == [0, 1, 2]
    assert constant_on(hat, 2, 10, 0).is_proved
    assert constant_on(hat, "-1/2", "1/2", 0).is_refuted


def test_ramp_memorizer_is_tight():
    D = Dataset([[0], [4], [5], [9]], [1, 2, 2, 1])  # eps = 2
    f = ramp_memorizer_1d(D, "1/2")
    assert robustly_memorizes(f, D, "1/2").is_proved
    assert robustly_memorizes(f, D, "1/4").is_proved
    v = robustly_memorizes(f, D, "3/5")
    assert v.is_refuted
    i, x = v.witness["ball"], [fmpq(t) for t in v.witness["x"]]
    assert D.in_ball(i, x, "3/5") and f(x)[0] != D.labels[i]
    assert memorizes(f, D).is_proved


def test_multidim_decided_exactly():
    """A 1-D ramp memorizer read through x_1: PROVED in d = 2 (before issue 11 this was UNDECIDED)."""
    D = Dataset([[0, 0], [4, 0]], [1, 2])
    good = ramp_memorizer_1d(Dataset([[0], [4]], [1, 2]), "1/2").pre_affine([[1, 0]])
    assert robustly_memorizes(good, D, "1/2").is_proved
    assert robustly_memorizes(good, D, "3/5").is_refuted
    bad = ReLUNet.affine([[1, 0]], [1])  # x -> x_1 + 1: wrong almost everywhere
    v = robustly_memorizes(bad, D, "1/2")
    assert v.is_refuted and D.in_ball(v.witness["ball"], v.witness["x"], "1/2")


def test_errors():
    D = Dataset([[0], [4]], [1, 2])
    with pytest.raises(DimensionMismatchError):
        robustly_memorizes(ReLUNet.affine([[1, 1]]), D, "1/2")
    with pytest.raises(RhoError):
        robustly_memorizes(ReLUNet.affine([[1]]), D, 1)
    with pytest.raises(DimensionMismatchError):
        ramp_memorizer_1d(Dataset([[0, 0], [1, 1]], [1, 2]), "1/2")


def test_the_kernel_analyses_balls_in_chunks_with_the_same_verdict(monkeypatch):
    """The kernel's robust check runs CHUNK balls at a time: with chunks of 1 and 2 balls the verdicts (and the
    unproved balls) are those of one chunk -- a memorizer that holds, and the ramp memorizer of
    test_ramp_memorizer_is_tight at rho = 3/5 (eps = 2, mu = 6/5): built flat within 1 of each point (rho = 1/2),
    so every ball reaches past its flat part, and all four balls are named."""
    from exactmem import memorize
    from exactmem.certify.records import robust_certificate
    from exactmem.kernel import robust as K
    D = Dataset([[0, 0], [3, 1], [1, 4], [5, 5], [7, 2]], [1, 2, 1, 2, 1])
    _, cert = memorize(D, "1/100")
    wide = robust_certificate(Dataset([[0], [4], [5], [9]], [1, 2, 2, 1]),
                              ramp_memorizer_1d(Dataset([[0], [4], [5], [9]], [1, 2, 2, 1]), "1/2"), fmpq(3, 5))
    runs = []
    for chunk in (4096, 1, 2):
        monkeypatch.setattr(K, "CHUNK", chunk)
        runs.append((K.check(cert.to_json()).status, K.check(wide.to_json()).details.get("balls")))
    assert runs[0][0].name == "PROVED" and runs[0][1] == [0, 1, 2, 3] and runs[0] == runs[1] == runs[2]
