"""Issue 13, item 5, in the library: ``Dataset.points`` indexable, ``mc_samples`` checked, and certificate
mismatches that name the first field that differs with both values."""
import json

import numpy as np
import pytest
from flint import fmpq, fmpq_mat
from hypothesis import given, strategies as st

from exactmem import Dataset, ReLUNet, memorize, verify
from exactmem.errors import CertificateError, NormError, OptionError, RhoError, UnsupportedTypeError


# -- Dataset.points ---------------------------------------------------------------------------------------------

rows = st.lists(st.lists(st.fractions(max_denominator=50), min_size=2, max_size=2), min_size=2, max_size=6,
                unique_by=lambda r: tuple(r))


@given(rows)
def test_points_index_like_the_rows_given(pts):
    """Every way of indexing agrees with the rows the dataset was built from (the input is the oracle)."""
    labels = [1 + i % 2 for i in range(len(pts))]
    D = Dataset(pts, labels)
    P = D.points
    assert len(P) == len(pts)
    for i, r in enumerate(pts):
        want = [fmpq(x.numerator, x.denominator) for x in r]
        assert P[i] == want == D.point(i) == P[i - len(pts)]
        assert [P[i, j] for j in range(2)] == want == [P[i, j - 2] for j in range(2)]
    assert list(P) == [P[i] for i in range(len(pts))]
    assert P[1:3] == [P[i] for i in range(1, min(3, len(pts)))]
    assert P[:, 0] == [P[i][0] for i in range(len(pts))]
    assert P[0, :] == P[0]


def test_points_are_still_the_exact_matrix():
    """Existing code multiplies, transposes and lists D.points: it must still be the fmpq_mat of the points."""
    D = Dataset([[1, "1/2"], [3, 4], [0, -1]], [1, 2, 1])
    assert isinstance(D.points, fmpq_mat) and D.points.nrows() == 3 and D.points.ncols() == 2
    W = fmpq_mat([[1, 1]])
    assert (D.points * W.transpose()).tolist() == [[fmpq(3, 2)], [7], [-1]]    # row sums, by hand
    assert D.points.tolist() == [D.point(i) for i in range(3)]
    assert Dataset(D.points * 2, D.labels) == D.scaled(2)
    assert D.points == fmpq_mat([[1, fmpq(1, 2)], [3, 4], [0, -1]])


def test_points_are_read_only_and_matrix_is_a_copy():
    D = Dataset([[0, 0], [1, 0]], [1, 2])
    with pytest.raises(TypeError, match="read-only"):
        D.points[0, 0] = 5
    M = D.matrix
    M[0, 0] = 5
    assert D.point(0) == [0, 0] and D.eps_sq == fmpq(1, 4)       # the dataset did not change


@pytest.mark.parametrize("key,err", [(2, IndexError), (-3, IndexError), ((0, 2), IndexError), ((5, 0), IndexError),
                                     (0.5, TypeError), (True, TypeError), ("0", TypeError), ((0, 0, 0), TypeError)])
def test_points_bad_index(key, err):
    D = Dataset([[0, 0], [1, 0]], [1, 2])
    with pytest.raises(err):
        D.points[key]


# -- mc_samples ---------------------------------------------------------------------------------------------------

D3 = Dataset([[0], [3], [5]], [1, 2, 1])


@pytest.mark.parametrize("bad,err", [(-5, OptionError), ("abc", UnsupportedTypeError), (2.0, UnsupportedTypeError),
                                     (True, UnsupportedTypeError), (None, UnsupportedTypeError)])
def test_mc_samples_checked(bad, err):
    with pytest.raises(err, match="mc_samples") as e:
        memorize(D3, "1/10", eta="1/100", mc_samples=bad)
    assert "dimension" not in str(e.value)
    assert isinstance(e.value, TypeError if err is UnsupportedTypeError else ValueError)


def test_mc_samples_where_there_is_nothing_to_estimate():
    with pytest.raises(RhoError, match="small regime"):          # 1/1000 <= 1/(5 N sqrt d) = 1/15: small
        memorize(D3, "1/1000", mc_samples=3)
    with pytest.raises(NormError, match="l_2 balls"):
        memorize(D3, "1/10", eta="1/100", p=1, mc_samples=3)
    _, cert = memorize(D3, "1/10", eta="1/100", mc_samples=np.int64(2))     # a numpy integer is an integer
    assert cert.info["monte_carlo"]["per_ball"] == 2 and cert.info["monte_carlo"]["samples"] == 6


# -- mismatches -----------------------------------------------------------------------------------------------------

def test_float_and_decimal_data_named_with_both_values():
    """The issue's case: a certificate made from float data, checked against the decimals they print."""
    X = np.array([[0.1, 0.25], [0.3, 0.0], [0.7, 0.5]])
    floats, decimals = Dataset.from_numpy(X, [1, 2, 1]), Dataset(X.astype(str), [1, 2, 1])
    net, cert = memorize(floats, "1/100")
    with pytest.raises(CertificateError) as e:
        verify(net, decimals, "1/100", cert)
    text = str(e.value)
    # 0.1 = 3602879701896397 / 2^55 as a double (float.as_integer_ratio); point 0 coordinate 0 is the first
    assert "dataset.points[0][0] (point 0, coordinate 0)" in text
    assert "the certificate has 3602879701896397/36028797018963968 ≈ 0.1000000" in text
    assert "the dataset has 1/10 ≈ 0.1" in text
    assert "float 0.1 read as its exact binary value" in text and "X.astype(str)" in text


def test_first_difference_in_words():
    net, cert = memorize(D3, "1/100")
    cases = [(Dataset([[0], [3], [5]], [1, 2, 2]), "dataset.labels[2] (the label of point 2): the certificate has 1, "
                                                   "the dataset has 2"),
             (Dataset([[0], [3], [5], [7]], [1, 2, 1, 2]),
              "dataset.points: 3 points in the certificate, 4 in the dataset"),
             (Dataset([[0], ["3.5"], [5]], [1, 2, 1]), "dataset.points[1][0] (point 1, coordinate 0): the certificate "
                                                       "has 3, the dataset has 7/2 ≈ 3.5")]
    for other, want in cases:
        with pytest.raises(CertificateError) as e:
            verify(net, other, "1/100", cert)
        assert want in str(e.value), str(e.value)
        assert "binary value" not in str(e.value)          # no float hint where no float is involved


def test_network_difference_names_the_weight():
    net, cert = memorize(D3, "1/100")
    doc = net.to_json()
    W = doc["layers"][1]["W"]
    r, c = next((r, c) for r, row in enumerate(W) for c, v in enumerate(row) if v != "0")
    old = W[r][c]
    W[r][c] = str(fmpq(int(old.split("/")[0]) + 1, int(old.split("/")[1])) if "/" in old else int(old) + 1)
    other = ReLUNet.from_json(json.loads(json.dumps(doc)))
    with pytest.raises(CertificateError) as e:
        verify(other, D3, "1/100", cert)
    assert f"network.layers[1].W[{r}][{c}] (layer 1, the weight of unit {r} on input {c})" in str(e.value)
    assert f"the certificate has {old}" in str(e.value) and f"the network has {W[r][c]}" in str(e.value)
    small = ReLUNet([([[1]], [0]), ([[1]], [0])])
    with pytest.raises(CertificateError, match=r"network.dims: the certificate's network has layer widths \[1, "):
        verify(small, D3, "1/100", cert)
