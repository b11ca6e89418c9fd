import random

import pytest
from flint import fmpq

from exactmem import ReLUNet, to_rational
from exactmem.exact import floor_q
from exactmem.blocks import (BIN, bin_net, cell_certificate, data_span, distance_threshold_net, find_projection,
                             flatten_net, floor_delta_net, floor_net, householder, indicator_net, integer_memorizer,
                             lattice_margin, m_small_rho, midpoint_translation, naive_memorizer, projected_eps_sq, srht,
                             step_table_net, truncated_translation, verify_floor, verify_indicator,
                             verify_integer_memorizer)
from exactmem.blocks.program import Program
from exactmem.blocks.projection import identity
from exactmem.errors import NetworkError, ShapeError
from exactmem.robust import memorizes
from exactmem import Dataset


def test_floor_values_and_proofs():
    f = floor_net(4, 8)
    # hand values: floor where frac >= 1/8; exact integers (frac 0) are outside the guarantee
    assert [f([x])[0] for x in ["1/8", "25/8", "31/8", "15.5"]] == [0, 3, 3, 15]
    assert f([3])[0] != 3
    assert verify_floor(f, 4, "1/8").is_proved
    v = verify_floor(f, 4, "1/16")  # the band (k, k + 1/8) is wrong, so a smaller gamma must fail
    x = to_rational(v.witness["x"])
    assert v.is_refuted and f([x])[0] != floor_q(x) and x - floor_q(x) >= fmpq(1, 16)
    assert verify_floor(floor_delta_net(3, 4), 3, "1/4").is_proved
    with pytest.raises(NetworkError):
        floor_net(0, 4)
    with pytest.raises(NetworkError):
        floor_net(3, 1)


def test_indicator_and_step_table():
    F = indicator_net(1, 3, "1/4")
    assert [F([x])[0] for x in ["3/4", "7/8", 1, "11/4", "23/8", 3]] == [0, fmpq(1, 2), 1, 1, fmpq(1, 2), 0]
    assert verify_indicator(F, 1, 3, "1/4").is_proved
    assert verify_indicator(F, 1, 3, "1/8").is_refuted  # wrong transition width is detected
    with pytest.raises(NetworkError):
        indicator_net(3, 1, "1/2")
    T = step_table_net([(0, 2), (4, 4)], [(5,), (9,)])
    assert [T([x])[1] for x in range(7)] == [5, 5, 5, 0, 9, 0, 0]
    with pytest.raises(NetworkError):
        step_table_net([(0, 2), (2, 4)], [(1,), (2,)])  # no gap for the transitions


def test_bits():
    assert BIN(1, 3, 37) == 4 and BIN(4, 6, 37) == 5   # 37 = 100101b
    assert [bin_net(4, 2, 3)([x])[0] for x in (0b1011, 0b0110, 0b1001)] == [1, 3, 0]
    with pytest.raises(NetworkError):
        BIN(3, 2, 5)
    with pytest.raises(NetworkError):
        bin_net(3, 1, 4)


def test_integer_memorizer_exhaustive_small():
    rng = random.Random(5)
    pts = rng.sample(range(60), 25)
    labs = [rng.randint(1, 4) for _ in pts]
    mem = integer_memorizer(pts, labs)
    outs = mem.net.evaluate([[x] for x in range(80)]).entries()
    want = dict(zip(pts, labs))
    assert list(outs) == [want.get(x, 0) for x in range(80)]   # every natural below 80
    assert verify_integer_memorizer(mem).is_proved
    assert mem.net.width <= 12


def test_integer_memorizer_is_sublinear_and_naive_is_linear():
    sizes = {}
    for N in (100, 1600):
        rng = random.Random(N)
        pts = rng.sample(range(10 * N), N)
        labs = [rng.randint(1, 3) for _ in pts]
        sizes[N] = (integer_memorizer(pts, labs).net.param_count(), naive_memorizer(pts, labs).param_count())
        if N == 100:
            D = Dataset([[m] for m in pts], labs)
            assert memorizes(naive_memorizer(pts, labs), D).is_proved
    ours = sizes[1600][0] / sizes[100][0]
    naive = sizes[1600][1] / sizes[100][1]
    assert ours < 16 ** 0.75 and naive > 16 ** 0.9   # 16x more points: ours ~ 4-6x, naive ~ 16x


def test_integer_memorizer_errors():
    with pytest.raises(NetworkError):
        integer_memorizer([1, 1], [1, 2])
    with pytest.raises(NetworkError):
        integer_memorizer([-1, 2], [1, 2])
    with pytest.raises(NetworkError):
        integer_memorizer([1, 2], [0, 2])


def test_translation():
    pts = [[fmpq(i, 7)] for i in range(7)]  # equally spaced: every gap is exactly 1/N
    b, m = midpoint_translation(pts)
    assert m == fmpq(1, 14)                 # = 1/(2N), the guarantee is attained
    bb, mb, K = truncated_translation(pts)
    assert K == 6 and mb >= fmpq(1, 21) and lattice_margin(pts, bb) == mb
    with pytest.raises(ShapeError):
        lattice_margin(pts, [0, 0])


def test_flatten_and_cells():
    f = flatten_net(3, 5, 3, 8)
    assert f([fmpq(9, 2), fmpq(1, 2), fmpq(5, 2)])[0] == 4 + 0 * 5 + 2 * 25
    bad = cell_certificate([["1/2"], ["3/4"]], [1, 2], "1/16", "1/8", 4)   # two labels in one cell
    assert not bad["ok"] and "share a cell" in bad["problems"][0]
    bad = cell_certificate([["1/8"]], [1], "1/16", "1/8", 4)               # too close to the lattice
    assert not bad["ok"]
    bad = cell_certificate([["9/2"]], [1], "1/16", "1/8", 4)               # digit 4 >= R
    assert not bad["ok"]


def test_projections():
    P = srht(20, 7, seed=3)
    assert P.full * P.full.transpose() == identity(7)
    H = householder(9, 4, seed=2)
    assert H.W * H.W.transpose() == identity(4)
    rng = random.Random(7)
    D = Dataset([[rng.randint(-5, 5) for _ in range(16)] for _ in range(12)], [1 + i % 3 for i in range(12)])
    P, tries, succ = find_projection(D, 8, fmpq(1, 10), tries=3)
    assert P is not None and projected_eps_sq(P.W, D) >= fmpq(1, 10) * D.eps_sq
    P, tries, succ = find_projection(D, 8, 2, tries=3)      # kappa^2 > 1 is impossible for a 1-Lipschitz map
    assert P is None and succ == 0
    assert m_small_rho(3, 100) == 100                        # 864 ln 3 = 949.2 > d
    with pytest.raises(NetworkError):
        srht(4, 5)
    with pytest.raises(NetworkError):
        data_span(Dataset([[0], [1], [2]], [1, 2, 1]))


def test_distance_threshold():
    net, facts = distance_threshold_net([0, 0], fmpq(1, 16), fmpq(49, 16), 2)   # mu = 1/4, r_out = 7/4
    assert net([0, "1/5"]) == [1] and net(["7/4", 0]) == [0] and net([5, -5]) == [0]
    with pytest.raises(NetworkError):
        distance_threshold_net([0], 1, fmpq(1, 2), 2)


def test_program_errors():
    p = Program(["x"])
    with pytest.raises(NetworkError):
        p.layer({"y": {"z": 1}})
    with pytest.raises(NetworkError):
        Program(["x", "x"])
    assert isinstance(Program(["x"]).output([{"x": 2}]), ReLUNet)
