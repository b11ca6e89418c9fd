import json
from fractions import Fraction

import numpy as np
import pytest
from flint import fmpq
from hypothesis import given, strategies as st

from exactmem import Dataset
from exactmem.errors import (ContradictoryLabelsError, DatasetError, DimensionMismatchError, DuplicatePointError,
                             ExactmemError, IrrationalError, LabelError, NonFiniteError, NormError, RhoError,
                             SchemaVersionError, SerializationError, ShapeError)
from exactmem.separation import min_cross_label_distance

from reference import frac


def brute(points, labels, p):
    best = None
    for i in range(len(points)):
        for j in range(i + 1, len(points)):
            if labels[i] != labels[j]:
                diff = [a - b for a, b in zip(points[i], points[j])]
                v = sum(t * t for t in diff) if p == 2 else (sum(map(abs, diff)) if p == 1 else max(map(abs, diff)))
                best = v if best is None else min(best, v)
    return best


@st.composite
def datasets(draw, max_n=12, max_d=4):
    d = draw(st.integers(1, max_d))
    n = draw(st.integers(2, max_n))
    coord = st.fractions(min_value=-5, max_value=5, max_denominator=7)
    pts = draw(st.lists(st.tuples(*[coord] * d), min_size=n, max_size=n, unique=True))
    C = draw(st.integers(2, min(4, n)))
    labels = list(range(1, C + 1)) + draw(st.lists(st.integers(1, C), min_size=n - C, max_size=n - C))
    labels = draw(st.permutations(labels))
    return [list(p) for p in pts], labels


@given(datasets())
def test_eps_equals_fraction_brute_force(data):
    pts, labels = data
    D = Dataset(pts, labels)
    assert frac(D.eps_sq) == brute(pts, labels, 2) / 4
    assert frac(D.eps(1)) == brute(pts, labels, 1) / 2
    assert frac(D.eps("inf")) == brute(pts, labels, "inf") / 2
    for p in (1, 2, "inf"):
        i, j = D.eps_pair(p)
        assert labels[i] != labels[j]


@given(datasets(max_n=10, max_d=3), st.sampled_from([1, 2, float("inf")]))
def test_all_backends_agree(data, p):
    pts, labels = data
    D = Dataset(pts, labels)
    rows, _ = D.integer_form
    pp = p if p != float("inf") else float("inf")
    vals = {b: min_cross_label_distance(rows, labels, pp, backend=b)[0] for b in ("float64", "int64", "fmpz")}
    assert len(set(vals.values())) == 1


def test_huge_coordinates_use_exact_fallback():
    big = 2 ** 40
    pts = [[big, 0], [big + 3, 4], [-big, 1], [7, -big]]
    labels = [1, 2, 1, 2]
    D = Dataset(pts, labels)
    assert frac(D.eps_sq) == Fraction(brute([[Fraction(v) for v in r] for r in pts], labels, 2), 4)
    assert D.eps_sq == fmpq(25, 4)


def test_properties_and_example():
    D = Dataset([[0, 0], [1, 0], [0, 1]], [1, 2, 2])
    assert (D.N, D.d, D.C) == (3, 2, 2)
    assert D.eps_sq == fmpq(1, 4) and D.eps(2) == fmpq(1, 2)
    assert D.mu_sq("1/2") == fmpq(1, 16) and D.radius("1/2") == fmpq(1, 4)
    assert D.radius("1/2", "inf") == fmpq(1, 4)


def test_irrational_eps_raises():
    D = Dataset([[0, 0], [1, 1]], [1, 2])  # eps = sqrt(2)/2
    assert D.eps_sq == fmpq(1, 2)
    with pytest.raises(IrrationalError, match="eps_sq"):
        D.eps(2)


def test_open_ball_boundary():
    D = Dataset([[0, 0], [3, 4]], [1, 2])  # eps = 5/2, mu = 5/4 at rho = 1/2
    assert not D.in_ball(0, ["3/4", 1], "1/2")  # |(3/4, 1)| = 5/4 exactly: on the sphere, not inside
    assert D.in_ball(0, ["3/4", "99/100"], "1/2")
    # l1: eps_1 = (3 + 4)/2 = 7/2, mu_1 = 7/4
    assert D.in_ball(0, ["5/8", "5/8"], "1/2", p=1)
    assert D.in_ball(0, ["7/8", "7/8"], "1/2", p=1) is False  # l1 norm exactly 7/4
    assert D.in_ball(0, ["7/8", "6/8"], "1/2", p=1)
    assert D.in_ball(0, ["99/100", "-99/100"], "1/2", p="inf")  # eps_inf = 2, mu = 1
    assert not D.in_ball(0, [1, 0], "1/2", p="inf")


@pytest.mark.parametrize("pts, labels, err, pattern", [
    ([[0], [float("nan")]], [1, 2], NonFiniteError, "finite"),
    ([[0, 1], [2]], [1, 2], ShapeError, "ragged"),
    ([[0], [1]], [0, 1], LabelError, "index 0"),
    ([[0], [1]], [1, -2], LabelError, "index 1"),
    ([[0], [1]], [1, 2.5], LabelError, "index 1"),
    ([[0], [1], [2]], [1, 3, 3], LabelError, r"\[2\]"),
    ([[0], [1]], [1, 1], LabelError, "two classes"),
    ([[0], [1], [0]], [1, 2, 1], DuplicatePointError, "points 0 and 2"),
    ([[0], [1], [0]], [1, 2, 2], ContradictoryLabelsError, "contradiction"),
    ([[0], [1]], [1, 2, 2], ShapeError, "3 labels"),
    ([], [], DatasetError, "at least two"),
    ([[0], [1]], "12", LabelError, "string"),
    ([[0], [1]], [True, 2], LabelError, "index 0"),
])
def test_bad_datasets(pts, labels, err, pattern):
    with pytest.raises(err, match=pattern):
        Dataset(pts, labels)


@pytest.mark.parametrize("rho", [0, 1, -1, "3/2", 1.0, float("nan"), "abc", None, True, 1 + 0j])
def test_bad_rho(rho):
    D = Dataset([[0], [1]], [1, 2])
    with pytest.raises(RhoError):
        D.mu_sq(rho)
    with pytest.raises(ExactmemError):
        D.in_ball(0, [0], rho)


def test_bad_norm_and_dimension():
    D = Dataset([[0], [1]], [1, 2])
    with pytest.raises(NormError):
        D.eps(3)
    with pytest.raises(DimensionMismatchError):
        D.in_ball(0, [0, 0], "1/2")


def test_from_numpy_is_exact():
    X = np.array([[0.1, 0.0], [0.3, 0.5]])
    D = Dataset.from_numpy(X, np.array([1, 2]))
    assert frac(D.point(0)[0]) == Fraction(0.1)


def test_csv_loader(tmp_path):
    p = tmp_path / "d.csv"
    p.write_text("x1,x2,label\n0.1,0,1\n0.3,0.4,2\n1/3,2,2\n")
    D = Dataset.from_csv(p)
    assert D.point(0)[0] == fmpq(1, 10) and D.point(2)[0] == fmpq(1, 3)
    assert D.labels == (1, 2, 2)
    q = tmp_path / "e.csv"
    q.write_text("1,0.1,0\n2,0.3,0.4\n")
    D2 = Dataset.from_csv(q, label_column=0)
    assert D2.labels == (1, 2) and D2.point(1)[1] == fmpq(2, 5)
    with pytest.raises(DatasetError):
        Dataset.from_csv(tmp_path / "missing.csv")
    bad = tmp_path / "bad.csv"
    bad.write_text("0,x,1\n1,2,2\n")
    with pytest.raises(ExactmemError):
        Dataset.from_csv(bad, header=False)


@given(datasets())
def test_json_roundtrip(data):
    D = Dataset(*data)
    assert Dataset.from_json(json.loads(json.dumps(D.to_json()))) == D


def test_bad_json():
    with pytest.raises(SerializationError, match="not valid JSON"):
        Dataset.from_json("{not json")
    D = Dataset([[0], [1]], [1, 2])
    doc = D.to_json()
    doc["schema_version"] = 99
    with pytest.raises(SchemaVersionError):
        Dataset.from_json(doc)
    doc = D.to_json()
    doc["points"][0][0] = "x/y"
    with pytest.raises(ExactmemError):
        Dataset.from_json(doc)


def test_scaling():
    D = Dataset([[0, 0], [1, 2]], [1, 2])
    cD = D.scaled("3/2")
    assert cD.eps_sq == fmpq(9, 4) * D.eps_sq
    with pytest.raises(DatasetError):
        D.scaled(0)


def test_drop_duplicates():
    D = Dataset([[0], [1], [0], [2]], [1, 2, 1, 2], drop_duplicates=True)
    assert D.N == 3 and D.labels == (1, 2, 2)
    with pytest.raises(ContradictoryLabelsError):
        Dataset([[0], [1], [0]], [1, 2, 2], drop_duplicates=True)
    with pytest.raises(DuplicatePointError):
        Dataset([[0], [1], [0]], [1, 2, 1])
