"""exactmem.pl2d: the exact linear pieces of two-input networks on convex polygons."""
import random

import pytest
from flint import fmpq

from exactmem import ReLUNet
from exactmem.errors import DimensionMismatchError, InputSetError
from exactmem.pl2d import area, ball_polygon, pieces


def test_hand_pieces_of_abs_sum():
    # |x| + |y| = relu(x) + relu(-x) + relu(y) + relu(-y) on the square (-2, 2)^2: four quadrants of area 4, with
    # slopes (+-1, +-1) and intercept 0 (by hand)
    f = ReLUNet([([[1, 0], [-1, 0], [0, 1], [0, -1]], [0, 0, 0, 0]), ([[1, 1, 1, 1]], [0])])
    ps = pieces(f, ball_polygon([0, 0], 2, "inf"))
    assert sorted(p.slope[0] for p in ps) == sorted((fmpq(a), fmpq(b)) for a in (1, -1) for b in (1, -1))
    assert [area(p.vertices) for p in ps] == [4] * 4 and all(p.intercept[0] == 0 for p in ps)
    # the diamond of radius 1 around (1, 0) has x >= 0 (its left vertex is the origin); the line y = 0 cuts it into
    # two triangles of area 1, slopes (1, 1) above and (1, -1) below
    ps = pieces(f, ball_polygon([1, 0], 1, 1))
    assert sorted((p.slope[0], area(p.vertices)) for p in ps) == [((1, -1), 1), ((1, 1), 1)]
    # the diamond of radius 2 around (1, 1) (area 8): the axes cut off the tips (-1, 1), (0, 0), (0, 2) and
    # (1, -1), (0, 0), (2, 0), triangles of area 1; x < 0, y < 0 lies beyond its edge x + y = 0
    ps = pieces(f, ball_polygon([1, 1], 2, 1))
    assert sum(area(p.vertices) for p in ps) == 8
    assert sorted(area(p.vertices) for p in ps if p.slope[0] != (1, 1)) == [1, 1]


def test_pieces_agree_with_evaluation_on_random_networks():
    rng = random.Random(3)
    for _ in range(15):
        h = rng.randint(2, 5)
        W1 = [[fmpq(rng.randint(-3, 3), rng.randint(1, 2)) for _ in range(2)] for _ in range(h)]
        b1 = [fmpq(rng.randint(-3, 3)) for _ in range(h)]
        W2 = [[fmpq(rng.randint(-2, 2)) for _ in range(h)] for _ in range(3)]
        f = ReLUNet([(W1, b1), (W2, [1, -1, 0]), ([[1, -1, 2]], [0])])
        poly = ball_polygon([fmpq(rng.randint(-2, 2)), 1], fmpq(rng.randint(1, 6), 2), rng.choice((1, "inf")))
        ps = pieces(f, poly)
        assert sum(area(p.vertices) for p in ps) == area(poly)      # a partition (the pieces' interiors are disjoint)
        for p in ps:
            for t in [p.interior_point()] + [tuple((3 * a + b) / 4 for a, b in zip(v, p.interior_point()))
                                             for v in p.vertices]:
                assert f(list(t)) == p.value(list(t))                # affine on the piece, closure included


def test_bad_input():
    f = ReLUNet([([[1, 0, 0]], [0]), ([[1]], [0])])
    with pytest.raises(DimensionMismatchError):
        pieces(f, ball_polygon([0, 0], 1, 1))
    g = ReLUNet([([[1, 0]], [0]), ([[1]], [0])])
    with pytest.raises(InputSetError):
        pieces(g, [[0, 0], [1, 1], [2, 2]])                 # no area
    with pytest.raises(InputSetError):
        ball_polygon([0, 0], 1, 2)
    with pytest.raises(InputSetError):
        ball_polygon([0, 0], 0, 1)


def test_disc_area_and_meets_disc():
    from exactmem.exact import pi_enclosure
    from exactmem.pl2d import disc_area, meets_disc
    pi = pi_enclosure(100)
    # the whole disc of radius^2 = 2 inside a square around it: 2 pi; a half-plane through the centre: pi
    whole = disc_area(ball_polygon([1, 1], 2, "inf"), [1, 1], 2)
    half = disc_area([(1, -5), (5, -5), (5, 5), (1, 5)], [1, 1], 2)
    assert whole.lo <= 2 * pi.hi and 2 * pi.lo <= whole.hi and whole.width < fmpq(1, 2 ** 50)
    assert half.lo <= pi.hi and pi.lo <= half.hi
    # a square piece wholly inside the disc: its exact area, enclosed
    inner = disc_area([(0, 0), (1, 0), (1, 1), (0, 1)], [0, 0], 3)
    assert inner.lo <= 1 <= inner.hi
    # tangent: the line x = 1 touches the unit circle; the polygon beyond it does not meet the open disc
    assert not meets_disc([(1, -1), (2, -1), (2, 1), (1, 1)], [0, 0], 1)
    assert meets_disc([(1, -1), (2, -1), (2, 1), (1, 1)], [0, 0], fmpq(101, 100))
    assert meets_disc([(-1, -1), (1, -1), (1, 1), (-1, 1)], [0, 0], fmpq(1, 100))   # centre inside
    with pytest.raises(InputSetError):
        disc_area([(0, 0), (1, 0), (1, 1)], [0, 0], 0)
