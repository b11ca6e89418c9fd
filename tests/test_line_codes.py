"""exactmem.blocks.line_codes: Theorem B.4 in d >= 2 through a separating integer direction and integer codes."""
import itertools
import random

import pytest
from flint import fmpq

from exactmem import Dataset
from exactmem.blocks import point_memorizer, separating_direction
from exactmem.blocks.line_codes import separates
from exactmem.errors import DuplicatePointError, LabelError, NetworkError, OptionError, ShapeError
from exactmem.robust import memorizes


def test_memorizes_rational_points_in_several_dimensions():
    rng = random.Random(7)
    for d in (2, 3, 5):
        pts = {tuple(fmpq(rng.randint(-9, 9), rng.choice((1, 2, 3))) for _ in range(d)) for _ in range(25)}
        pts = sorted(pts)
        labels = [1 + i % 3 for i in range(len(pts))]
        mem = point_memorizer(pts, labels)
        assert memorizes(mem.net, Dataset([list(p) for p in pts], labels)).is_proved
        # the codes are q w . x - shift, recomputed here with Fractions-free integer arithmetic: q = 6 (lcm of 1, 2, 3)
        assert mem.denominator == 6
        raw = [sum(6 * a * x for a, x in zip(mem.direction, p)) for p in pts]
        assert mem.codes == [int(v - min(raw)) for v in raw] and len(set(mem.codes)) == len(pts)
        assert mem.net.width <= 12


def test_direction_separates_exactly_and_fails_where_none_exists():
    grid = [[a, b] for a in range(4) for b in range(4)]
    # by enumeration (independent of the search): w in {1..3}^2 never separates the 4 x 4 grid, since w_1 / w_2
    # is a ratio a / b with |a|, |b| <= 3, so w . (b, -a) = 0 for a difference vector of the grid
    assert not any(len({w[0] * a + w[1] * b for a, b in grid}) == 16 for w in itertools.product((1, 2, 3), repeat=2))
    with pytest.raises(NetworkError, match="no separating direction"):
        separating_direction(grid, K=3)
    w, draws = separating_direction(grid, K=5)
    assert len({w[0] * a + w[1] * b for a, b in grid}) == 16 and draws >= 1
    assert separates((1, 4), grid) and not separates((2, 2), grid)


def test_bad_input_raises_named_errors():
    with pytest.raises(DuplicatePointError):
        point_memorizer([[0, 0], [0, 0]], [1, 2])
    with pytest.raises(LabelError):
        point_memorizer([[0, 0], [1, 0]], [0, 1])
    with pytest.raises(ShapeError):
        point_memorizer([[0, 0], [1]], [1, 2])
    with pytest.raises(ShapeError):
        point_memorizer([[0, 0], [1, 0]], [1])
    with pytest.raises(OptionError):
        separating_direction([[0, 0], [1, 0]], K=0)
