import json
from fractions import Fraction

import numpy as np
import pytest
from flint import fmpq
from hypothesis import given, settings
from hypothesis import strategies as st
from reference import eval_fraction, frac, net_as_fractions

from exactmem import ReLUNet
from exactmem.errors import (
    DimensionMismatchError,
    ExactmemError,
    NetworkError,
    SchemaVersionError,
    SerializationError,
    ShapeError,
)

small = st.fractions(min_value=-4, max_value=4, max_denominator=9)


@st.composite
def nets(draw, d0=None, max_depth=4, max_width=4):
    d0 = d0 or draw(st.integers(1, 3))
    dims = [d0] + draw(st.lists(st.integers(1, max_width), min_size=1, max_size=max_depth))
    layers = []
    for a, b in zip(dims, dims[1:]):
        W = draw(st.lists(st.lists(small, min_size=a, max_size=a), min_size=b, max_size=b))
        c = draw(st.lists(small, min_size=b, max_size=b))
        layers.append((W, c))
    return ReLUNet(layers)


def inputs(d, n=5):
    return st.lists(st.lists(small, min_size=d, max_size=d), min_size=1, max_size=n)


@given(st.data())
def test_evaluate_matches_fraction_reference(data):
    f = data.draw(nets())
    X = data.draw(inputs(f.input_dim))
    out = f.evaluate(X)
    ref = net_as_fractions(f)
    for k, x in enumerate(X):
        assert [frac(v) for v in out.table()[k]] == eval_fraction(ref, x)


@given(st.data())
def test_composition_and_stacking_semantics(data):
    f = data.draw(nets())
    g = data.draw(nets(d0=f.output_dim))
    h = data.draw(nets(d0=f.input_dim))
    x = data.draw(inputs(f.input_dim, 1))[0]
    assert f.then(g)(x) == g(f(x))
    assert ReLUNet.parallel(f, h)(x) == f(x) + h(x)
    assert f.deepen(3)(x) == f(x) and f.deepen(3).depth == f.depth + 3
    z = data.draw(st.lists(small, min_size=2, max_size=2))
    assert f.with_passthrough(2)(list(x) + z) == f(x) + [fmpq(v.numerator, v.denominator) for v in z]
    A = [[1, -2]] * f.input_dim
    y = [Fraction(1, 3), Fraction(-2)]
    Ay = [sum(a * b for a, b in zip(row, y)) + 1 for row in A]
    assert f.pre_affine(A, [1] * f.input_dim)(y) == f(Ay)
    out = f(x)
    assert f.post_affine([[2] * f.output_dim], [5])(x) == [2 * sum(out) + 5]


def test_param_count_by_hand():
    # dims [3, 4, 2, 1]: (3+1)*4 + (4+1)*2 + (2+1)*1 = 16 + 10 + 3 = 29 (Eq. 3 by hand)
    f = ReLUNet([([[0] * 3] * 4, [0] * 4), ([[1] * 4] * 2, [0, 1]), ([[1, 0]], [0])])
    assert f.param_count() == 29
    assert f.nonzero_count() == 8 + 1 + 1
    assert (f.depth, f.width, f.widths, f.dims) == (3, 4, [4, 2], [3, 4, 2, 1])


@pytest.mark.parametrize("weights, bits", [
    ([["1/4"]], 2),          # one fractional... 1/4 = 0.01b: F = 2, I = 0
    ([[8]], 3),              # |8| <= 2**3: I = 3
    ([["7/2"]], 3),          # 7/2 = 11.1b: I = 2 (7/2 <= 4), F = 1
    ([["1/3"]], None),       # not dyadic: no fixed-point form
    ([[1]], 0),
])
def test_bit_complexity_by_hand(weights, bits):
    assert ReLUNet([(weights, [0])]).bit_complexity() == bits


def test_floor_like_bits():
    # weights 2**n * t and 1/2**n with n = 3, t = 4: I = 5, F = 3 -> 2n + log2 t = 8
    f = ReLUNet([([[32], ["1/8"]], [0, 0]), ([[1, 1]], [0])])
    assert f.bit_complexity() == 8


@given(st.data())
def test_json_roundtrip_lossless(data):
    f = data.draw(nets())
    g = ReLUNet.from_json(json.loads(json.dumps(f.to_json())))
    assert g == f


def test_save_load(tmp_path):
    f = ReLUNet([([[1], [-1]], [0, "1/3"]), ([[1, 1]], [0])])
    f.save(tmp_path / "f.json")
    assert ReLUNet.load(tmp_path / "f.json") == f


@pytest.mark.parametrize("mutate, err", [
    (lambda d: d.update(schema_version=2), SchemaVersionError),
    (lambda d: d.update(format="other"), SerializationError),
    (lambda d: d["layers"][0]["W"][0].__setitem__(0, 0.5), SerializationError),
    (lambda d: d["layers"][0]["W"][0].__setitem__(0, "1/0"), SerializationError),
    (lambda d: d["layers"][0]["W"][0].__setitem__(0, "pi"), SerializationError),
    (lambda d: d["layers"][0]["b"].append("1"), SerializationError),
    (lambda d: d["layers"][1]["W"][0].append("1"), SerializationError),
    (lambda d: d.update(dims=[9, 9]), SerializationError),
    (lambda d: d.update(layers=[]), SerializationError),
])
def test_malformed_json(mutate, err):
    doc = ReLUNet([([[1], [-1]], [0, 0]), ([[1, 1]], [0])]).to_json()
    mutate(doc)
    with pytest.raises(err):
        ReLUNet.from_json(doc)


def test_not_json():
    with pytest.raises(SerializationError, match="JSON"):
        ReLUNet.from_json("{oops")


def test_bad_shapes_and_dims():
    with pytest.raises(NetworkError, match="columns"):
        ReLUNet([([[1, 2]], [0]), ([[1, 2]], [0])])
    with pytest.raises(NetworkError, match="b_1"):
        ReLUNet([([[1, 2]], [0, 1])])
    with pytest.raises(ShapeError):
        ReLUNet([([[1, 2], [3]], [0, 0])])
    with pytest.raises(NetworkError):
        ReLUNet([])
    f = ReLUNet([([[1, 2]], [0])])
    with pytest.raises(DimensionMismatchError):
        f.evaluate([[1, 2, 3]])
    with pytest.raises(DimensionMismatchError):
        f.then(ReLUNet([([[1, 2]], [0])]))
    with pytest.raises(ExactmemError):
        f.evaluate([[float("inf"), 1]])


def test_numpy_import_is_exact_and_export_is_float():
    f = ReLUNet.from_numpy([np.array([[0.1, 0.2]]), np.array([[3.0]])], [np.array([0.5]), np.array([0.0])])
    assert frac(f.layers[0][0].entries()[0]) == Fraction(0.1)
    ws, bs = f.to_numpy()
    assert ws[0].dtype == np.float64 and ws[0][0, 0] == 0.1


def test_with_carry_matches_its_definition():
    # independent reference: evaluate f and append z by hand, for z >= 0
    f = ReLUNet([([[1, -1], [2, 1]], [0, -1]), ([[1, 1]], ["1/2"])])
    g = f.with_carry(2)
    for x, z in [((1, 2), (3, "1/3")), ((-4, 5), (0, 7))]:
        assert g(list(x) + list(z)) == f(list(x)) + [fmpq(v) if isinstance(v, str) else v for v in z]
    assert g.dims == [4, 4, 3] and f.with_carry(0) is f
    for bad in (-1, True, 1.5):
        with pytest.raises(NetworkError):
            f.with_carry(bad)


def test_a_huge_declared_width_is_stored_sparse_and_its_dense_views_refused():
    """Issue 20 (review): a sparse layer declaring 10^12 columns used to abort the process inside python-flint.
    Issue 22: networks are stored sparse, so the document loads (one nonzero); the dense views, which would
    allocate 10^12 entries, are refused with a clear error before python-flint sees them."""
    doc = {"format": "exactmem.relunet", "schema_version": 1,
           "layers": [{"cols": 10 ** 12, "W_rows": [[[0, "1"]]], "b": ["0"]}]}
    f = ReLUNet.from_json(doc)
    assert f.dims == [10 ** 12, 1] and f.nonzero_count() == 1 and f.param_count() == 10 ** 12 + 1
    with pytest.raises(NetworkError, match="dense view"):
        f.layers
    with pytest.raises(NetworkError, match="dense document"):
        f.to_json()
    assert f.to_json(sparse=True)["layers"][0]["W_rows"] == [[[0, "1"]]]


@pytest.mark.parametrize("layers, d, where", [
    ([([[(np.int64(0), 1, 5), (np.int64(1), 1)]], [0])], 2, "layer 1, row 0: a row is a list of (column, weight)"),
    ([([[(0, 1, 5), (1, 1)]], [0])], 2, "layer 1, row 0: a row is a list of (column, weight)"),
    ([([[(0, 1)], [(0, 2)], [(0, 3)]], "123")], 1, "layer 1 must be a pair (rows, b)"),
    ([("ab", [0, 0])], 1, "layer 1 must be a pair (rows, b)"),
    ([([[(0, 1)]], [0]), ([[(0, 1)]], ["x"])], 1, "b_2[0]: the string 'x'"),
    ([([[(1, 1), (0, 1)]], [0])], 2, "layer 1, row 0: the columns must increase within 0..1"),
    ([([[(0, 1)]], [0]), ([[(1, 1)]], [0])], 1, "layer 2, row 0: the columns must increase within 0..0"),
    ([([[(True, 1)]], [0])], 1, "layer 1, row 0: a row is a list of (int column, weight)"),
    ([([[(0, "1/0")]], [0])], 1, "layer 1, row 0:"),
    ([([[(0, 1)]], [0, 0])], 1, "b_1 has 2 entries but layer 1 has 1 rows"),
])
def test_from_sparse_names_the_place_of_bad_input(layers, d, where):
    """Review of issue 22: every bad sparse layer is refused with the layer, row or bias entry it is in (a triple
    among numpy-integer columns, a string bias read character by character, a bias entry without its place
    were not)."""
    with pytest.raises(NetworkError) as e:
        ReLUNet.from_sparse(layers, d)
    assert where in str(e.value)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.integers(-3, 3), min_size=3, max_size=3), min_size=1, max_size=4),
       st.lists(st.integers(-3, 3), min_size=4, max_size=4), st.lists(st.integers(-5, 5), min_size=3, max_size=3))
def test_from_sparse_equals_the_dense_network(W, b, x):
    """The sparse constructor and the dense one give the same network (layers compared entry by entry, and
    outputs at a point), whatever the integer type of the columns (numpy or Python)."""
    b = b[:len(W)]
    rows = [[(np.int64(j), w) for j, w in enumerate(r) if w] for r in W]
    sp = ReLUNet.from_sparse([(rows, b), ([[(i, 1) for i in range(len(W))]], [0])], 3)
    de = ReLUNet([(W, b), ([[1] * len(W)], [0])])
    assert [(Wl.tolist(), bl.tolist()) for Wl, bl in sp.layers] == [(Wl.tolist(), bl.tolist()) for Wl, bl in de.layers]
    assert sp(x) == de(x)


# -- shared rows and repeated layers (issue 22: Theorem B.5's memory) -----------------------------------

def _repeating(draw_rows, reps):
    """A network whose layers 1..reps repeat one square layer (a ReLU of x + 1 and of y, carried), built from
    fresh objects each time (so only interning can share them)."""
    layers = [([[(0, fmpq(1))], [(1, fmpq(1))]], [fmpq(0), fmpq(0)])]
    for _ in range(reps):
        layers.append(([[(j, fmpq(w)) for j, w in r] for r in draw_rows], [fmpq(1, 2), fmpq(0)]))
    return ReLUNet.from_sparse(layers + [([[(0, fmpq(1)), (1, fmpq(-1))]], [fmpq(0)])], 2)


def test_equal_rows_lists_and_values_are_one_object():
    """Rows equal by value are one object, and so are equal row lists, bias lists and bias values: the network
    holds each once however often a construction repeats it (fresh objects here, compared by identity)."""
    f = _repeating([[(0, 1)], [(0, "1/3"), (1, 2)]], 5)
    (r1, b1), (r2, b2) = f.sparse_layers()[1:3]
    assert r1 is r2 and b1 is b2 and b1[0] is f.sparse_layers()[3][1][0]
    assert f.sparse_layers()[0][0][0] is r1[0]                  # [(0, 1)]: the first layer's row and the carry's
    g = ReLUNet([([[1, 0], [0, 1]], [0, 0]), ([[1, 0], [0, 1]], [1, 1])])     # dense input: shared as well
    assert g.sparse_layers()[0][0] is g.sparse_layers()[1][0]
    rows = [[(0, Fraction(1))], [(0, Fraction(1, 3)), (1, Fraction(2))]]     # the layers as written, in Fractions
    ref = [([[Fraction(1), 0], [0, Fraction(1)]], [0, 0])] + \
        [([[sum(w for j, w in r if j == c) for c in (0, 1)] for r in rows], [Fraction(1, 2), 0])] * 5 + [([[1, -1]], [0])]
    for x in ([Fraction(-3, 2), Fraction(5)], [Fraction(7), Fraction(-1, 3)]):
        assert [frac(v) for v in f([fmpq(x[0].numerator, x[0].denominator), fmpq(x[1].numerator, x[1].denominator)])] \
            == eval_fraction(ref, x)
    assert ReLUNet.from_json(f.to_json(sparse=True)) == f


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 6), st.data())
def test_repeated_layers_are_written_once(reps, data):
    """Above LIKE_ROWS rows a layer equal to an earlier one is written {"like": k} with k its first occurrence; the
    document reads back as the same network (through its JSON text too), and below LIKE_ROWS it is written whole."""
    import exactmem.network as N
    w = st.sampled_from(["1", "-1", "1/2", "3"])
    rows = data.draw(st.lists(st.lists(st.tuples(st.integers(0, 1), w), min_size=1, max_size=2,
                                       unique_by=lambda e: e[0]).map(sorted), min_size=2, max_size=2))
    f = _repeating(rows, reps)
    whole = f.to_json(sparse=True)
    assert all("like" not in L for L in whole["layers"])
    old = N.LIKE_ROWS
    N.LIKE_ROWS = 1
    try:
        f.__dict__.pop("_json_sparse", None)
        doc = f.to_json(sparse=True)
    finally:
        N.LIKE_ROWS = old
        f.__dict__.pop("_json_sparse", None)
    likes = [L.get("like") for L in doc["layers"]]
    assert likes[2:1 + reps] == [1] * (reps - 1) and likes[:2] == [None, None] and likes[-1] is None
    assert ReLUNet.from_json(doc) == f == ReLUNet.from_json(json.loads(json.dumps(doc)))
    assert ReLUNet.from_json(doc)(["7/3", "-2"]) == f(["7/3", "-2"])


@pytest.mark.parametrize("layer, where", [
    (0, "network.layers[0]: a layer {\"like\": k} has no other field and follows layer k"),
    (3, "network.layers[2].like"),
    ("x", "network.layers[2].like"),
    ({"extra": 1}, "has no other field"),
])
def test_ill_formed_like_layers_are_named(layer, where):
    from exactmem.errors import CertificateError
    from exactmem.kernel import parse
    base = [{"cols": 2, "W_rows": [[[0, "1"]], [[1, "1"]]], "b": ["0", "0"]},
            {"cols": 2, "W_rows": [[[0, "1"], [1, "1"]]], "b": ["1"]}]
    doc = {"format": "exactmem.relunet", "layers": base + [{"like": layer}]}
    if layer == 0:
        doc["layers"] = [{"like": 0}] + base
    elif isinstance(layer, dict):
        doc["layers"] = base + [{"like": 0, **layer}]
    with pytest.raises(CertificateError, match=__import__("re").escape(where)):
        parse.network(doc)
    doc["layers"] = base + [{"like": 0}]                      # layer 0 reads 2 values; layer 2 would read 1
    with pytest.raises(CertificateError, match="layer 0 reads 2 values, this one 1"):
        parse.network(doc)


def test_a_certificate_written_without_repeated_layers_is_for_the_same_network():
    """A certificate whose network document spells every layer out (as before {"like": k}, or from another
    writer) is still recognised as the user's network; a different network is still named by its first weight."""
    import copy

    from exactmem import Dataset, memorize
    from exactmem.certify.records import same_network
    from exactmem.memorize import verify
    f = _repeating([[(0, 1)], [(0, "1/3"), (1, 2)]], 4)
    whole = f.to_json(sparse=True)
    short = dict(whole, layers=[whole["layers"][0], whole["layers"][1]] + [{"like": 1}] * 3 + whole["layers"][5:])
    assert same_network(whole, f) and same_network(short, f) and short != whole
    other = copy.deepcopy(whole)
    other["layers"][2]["b"][0] = "3/2"
    assert not same_network(other, f) and not same_network({"format": "x"}, f)
    D = Dataset([[0, 0], [3, 1], [1, 4], [4, 4]], [1, 2, 2, 1])
    net, cert = memorize(D, "1/2")
    doc = cert.to_json()
    assert verify(net, D, "1/2", doc).is_proved
    with pytest.raises(ExactmemError, match="different network"):
        verify(_repeating([[(0, 1)], [(1, 1)]], 2), D, "1/2", doc)


def test_numpy_columns_with_exact_weights_keep_their_row():
    """A row whose columns are numpy integers and whose weights are already fmpq was returned empty (found by the
    review of 2026-12-05): 2 x + 1 at x = 3 is 7, not 1."""
    f = ReLUNet.from_sparse([([[(np.int64(0), fmpq(2))]], [fmpq(1)])], 1)
    assert f([3]) == [7] and f.sparse_layers()[0][0] == [[(0, fmpq(2))]]


def test_a_certificate_network_that_is_not_a_document_is_not_read():
    """same_network never opens a path or parses a text found in a certificate's network field."""
    from exactmem.certify.records import same_network
    f = ReLUNet([([[1]], [0])])
    assert not same_network("/dev/zero", f) and not same_network("a\x00b", f) and not same_network(None, f)
    assert same_network(f.to_json(sparse=True), f)


def test_a_row_given_again_is_checked_once_and_errors_still_name_their_place():
    """from_sparse reads a row object given in several layers once (Theorem B.5 carries millions); a bad row is
    still named by its layer and row, and a row valid at one width is checked again at another."""
    carry = [(0, fmpq(1))]
    f = ReLUNet.from_sparse([([carry], [fmpq(1)])] + [([carry], [fmpq(0)])] * 3, 1)
    assert f([2]) == [3] and f.sparse_layers()[1][0][0] is f.sparse_layers()[2][0][0]
    wide = [(1, fmpq(1))]
    with pytest.raises(NetworkError, match=r"layer 2, row 0: the columns must increase within 0\.\.0"):
        ReLUNet.from_sparse([([wide], [0]), ([wide], [0])], 2)          # width 2, then width 1
