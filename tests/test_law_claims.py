"""The law-of-robustness claims of issue 12, part 4 (proofs/mcshane34.py, law_*.py, yang20_separation.py,
bs21_clip.py, hb21.py): each check refutes a wrong instance, so that its PROVED means something."""
from flint import fmpq

from exactmem import Dataset, ReLUNet, box
from exactmem.lipschitz import lipschitz_constant
from exactmem.lipschitz.bounds import WeightNormProxy
from proofs import bs21_clip, hb21, law_feasibility, law_homogeneous, law_random_labels, mcshane34, yang20_separation
from proofs._lipschitz_instances import lip_equals, random_net


def test_mcshane_check_refutes_a_wrong_constant():
    X, y = [[0, 0], [2, 0], [0, 1]], [0, 1, -1]
    assert mcshane34.check((X, y, "inf", None, fmpq(1))).is_proved
    assert mcshane34.check((X, y, "inf", None, fmpq(2))).is_refuted            # L* is 1, not 2
    f = ReLUNet([([[3, 4]], [0]), ([[1]], [0])])                               # relu(3x + 4y): Lip_inf = 7
    assert lip_equals(lipschitz_constant(f, "inf", box([-1, -1], [1, 1])), fmpq(6), "x").is_refuted
    assert lip_equals(lipschitz_constant(f, "inf", box([-1, -1], [1, 1])), fmpq(7), "x").is_proved


def test_mcshane_check_refutes_a_network_that_is_not_the_extension(monkeypatch):
    real = mcshane34.mcshane_net
    monkeypatch.setattr(mcshane34, "mcshane_net", lambda X, y, p, L=None: real(X, y, p, 2 if L is None else L))
    v = mcshane34.check(([[0, 0], [2, 0], [0, 1]], [0, 1, -1], "inf", None, None))    # slope 2 > L* = 1
    assert v.is_refuted and "formula" in v.reason and v.witness["x"] == [["4/3", "0"]]


def test_feasibility_check_refutes_a_wrong_eps_and_a_wrong_slope(monkeypatch):
    D = Dataset([[0, 0], [2, 0], [0, 3], [3, 3]], [1, 2, 2, 1])
    assert law_feasibility.check((D, [-1, 1, 1, -1], "inf", fmpq(2))).is_refuted   # eps_D is 1
    real = law_feasibility.mcshane_net
    monkeypatch.setattr(law_feasibility, "mcshane_net", lambda X, y, p: real(X, y, p, 2))
    assert law_feasibility.check((D, [-1, 1, 1, -1], "inf", None)).is_refuted      # Lip 2: radius 1/2 < eps_D


def test_separation_check_refutes_a_radius_beyond_eps():
    D = Dataset([[0, 0], [2, 0], [0, 2], [4, 1]], [1, 2, 2, 3])                  # eps_D = 1
    v = yang20_separation.check((D, fmpq(5, 4), None))                          # classes are not 2r apart
    assert v.is_refuted


def test_output_pruning_keeps_the_function():
    from exactmem.lipschitz.mcshane import separation_classifier
    g = separation_classifier([[0, 0], [2, 0], [0, 2], [4, 1]], [1, 2, 2, 3], 1, "inf")
    for c in range(3):
        h = yang20_separation._output(g, c)
        assert h.output_dim == 1 and h.param_count() < g.param_count()
        for x in ([1, 1], ["1/3", "-5/2"], [4, 0], [7, 7]):
            assert h(x)[0] == g(x)[c]


def test_random_labels_check_refutes_a_non_interpolant(monkeypatch):
    real = law_random_labels.mcshane_net
    monkeypatch.setattr(law_random_labels, "mcshane_net",
                        lambda X, y, p, L=None: real(X, y, p).post_affine([[1]], ["1/7"]))
    inst = next(iter(law_random_labels._seeded()))[1]
    assert law_random_labels.check(inst).is_refuted


def test_clip_check_refutes_a_wrong_clip(monkeypatch):
    inst = next(iter(bs21_clip._instances()))[1]
    assert bs21_clip.check(inst).is_proved
    real = bs21_clip.clipped
    monkeypatch.setattr(bs21_clip, "clipped", lambda g, eta: real(g, eta / 4))   # clip(4g/eta): too steep
    assert bs21_clip.check(inst).is_refuted


def test_clipped_network_by_hand():
    g = ReLUNet.affine([[1]])                                                     # g(x) = x, eta = 1/2
    h = bs21_clip.clipped(g, fmpq(1, 2))
    assert [h([t])[0] for t in (-3, "-1/4", 0, "1/3", 2)] == [-1, fmpq(-1, 2), 0, fmpq(2, 3), 1]
    assert lipschitz_constant(h, "inf", box([-2], [2])).upper == 2               # = Lip(g) / eta


def test_homogeneity_check_refutes_a_network_with_a_bias():
    net = random_net(1200, [2, 4, 1], bias=False)
    assert law_homogeneous.check(net).is_proved
    W, b = net.layers[0]
    b = b.entries()
    b[1] = fmpq(1, 3)
    biased = ReLUNet([(W, b)] + net.layers[1:])
    assert law_homogeneous.check(biased).is_refuted


def test_hb21_checks_refute_a_wrong_proxy_and_a_wrong_floor(monkeypatch):
    inst = dict(hb21._nets())["random [2, 4, 1]"]
    assert hb21.check_upper(inst).is_proved
    monkeypatch.setattr(hb21, "weight_norm_proxy",                              # the last layer's norm alone
                        lambda net: WeightNormProxy(sum((t * t for t in net.layers[-1][0].entries()), fmpq(0)), "x"))
    assert hb21.check_upper(inst).is_refuted
    monkeypatch.undo()
    assert hb21.check_step(("zigzag", 25)).is_proved
    monkeypatch.setattr(hb21, "zigzag_floor", lambda n: fmpq(5 * (n - 2) ** 2))  # too high: the zigzag itself beats it
    assert hb21.check_step(("zigzag", 25)).is_refuted
