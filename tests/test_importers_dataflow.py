"""ONNX read by data flow and cross-checked against the ONNX runtime (issue 20).

The reference for every expected value is onnx's own reference evaluator (``onnx.reference``), an
implementation independent of exactmem's importer, or a value computed by hand where the test says so.
"""
import io

import numpy as np
import pytest
from flint import fmpq

from exactmem import ReLUNet
from exactmem.exact import dyadic_matrix
from exactmem.importers import ImportFormatError, from_nnet, from_onnx
from exactmem.importers import onnx_graph

onnx = pytest.importorskip("onnx")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402
from onnx.reference import ReferenceEvaluator  # noqa: E402


def _model(nodes, inits, in_shape, out_shape, outputs=("y",), extra_inputs=()):
    g = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, list(in_shape))]
                          + list(extra_inputs),
                          [helper.make_tensor_value_info(o, TensorProto.FLOAT, list(out_shape)) for o in outputs],
                          [numpy_helper.from_array(np.asarray(a), name=k) for k, a in inits.items()])
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])


def _reference(model, x, in_shape):
    out = ReferenceEvaluator(model).run(None, {"x": np.asarray(x, dtype=np.float32).reshape(in_shape)})[0]
    return np.asarray(out, dtype=np.float64).ravel()


def _agrees(net, model, x, in_shape):
    """The exact network at x (a float32 point, read exactly) against the reference evaluator in float32."""
    xq = [fmpq(*float(v).as_integer_ratio()) for v in np.asarray(x, dtype=np.float32).ravel()]
    got = np.array([float(v) for v in net(xq)])
    want = _reference(model, x, in_shape)
    return got.shape == want.shape and np.allclose(got, want, rtol=1e-5, atol=1e-5)


def _issue_graph(order=None, check=True):
    """The issue's graph: Gemm -> Relu -> Gemm = t2, an unused Relu(t2), y = Gemm(t2)."""
    W1 = np.array([[1, 0], [0, 1]], dtype=np.float32)
    W2 = np.array([[1, -1]], dtype=np.float32)
    W3 = np.array([[2]], dtype=np.float32)
    z1, z2 = np.zeros(2, np.float32), np.zeros(1, np.float32)
    nodes = [helper.make_node("Gemm", ["x", "W1", "z1"], ["t1"], transB=1),
             helper.make_node("Relu", ["t1"], ["r1"]),
             helper.make_node("Gemm", ["r1", "W2", "z2"], ["t2"], transB=1),
             helper.make_node("Relu", ["t2"], ["dangling"]),
             helper.make_node("Gemm", ["t2", "W3", "z2"], ["y"], transB=1)]
    if order is not None:
        nodes = [nodes[i] for i in order]
    return _model(nodes, {"W1": W1, "W2": W2, "W3": W3, "z1": z1, "z2": z2}, [1, 2], [1, 1])


def test_a_dangling_relu_does_not_start_a_layer():
    """f(x) = 2 (relu(x1) - relu(x2)): f(1, 2) = -2 by hand; the old reader stacked the layers wrongly."""
    m = _issue_graph()
    net = from_onnx(m)
    assert net.dims == [2, 2, 1]
    assert net([1, 2]) == [-2] and net([3, 1]) == [4]
    assert _reference(m, [1, 2], [1, 2])[0] == -2.0


@pytest.mark.parametrize("order", [[4, 3, 2, 1, 0], [2, 0, 4, 1, 3], [3, 1, 4, 0, 2]])
def test_node_order_in_the_file_does_not_matter(order):
    assert from_onnx(_issue_graph(order)) == from_onnx(_issue_graph())


def test_shared_weights_through_identity_reshape_and_transpose():
    """What PyTorch's exporter writes for shared parameters: Identity / Reshape / Transpose on a weight."""
    rng = np.random.default_rng(3)
    W = rng.normal(size=(3, 4)).astype(np.float32)
    b = rng.normal(size=(3,)).astype(np.float32)
    shape = np.array([3, 4], dtype=np.int64)
    nodes = [helper.make_node("Identity", ["Wflat"], ["Wid"]), helper.make_node("Reshape", ["Wid", "shape"], ["W"]),
             helper.make_node("Transpose", ["W"], ["Wt"], perm=[1, 0]),
             helper.make_node("MatMul", ["x", "Wt"], ["a"]), helper.make_node("Add", ["a", "b"], ["h"]),
             helper.make_node("Relu", ["h"], ["r"]), helper.make_node("Reshape", ["Wid", "shape"], ["W2"]),
             helper.make_node("MatMul", ["r", "W2"], ["y"])]
    m = _model(nodes, {"Wflat": W.ravel(), "shape": shape, "b": b}, [1, 4], [1, 4])
    net = from_onnx(m)
    assert net == ReLUNet([(dyadic_matrix(W), dyadic_matrix(b.reshape(-1, 1))),
                           (dyadic_matrix(W.T), dyadic_matrix(np.zeros((4, 1))))])
    for x in rng.normal(size=(4, 4)):
        assert _agrees(net, m, x, [1, 4])


def test_one_dimensional_matmul_weight_and_the_constant_first():
    """x @ w with a 1-D w is a dot product; W @ x with the constant first (VNN-COMP's test networks)."""
    w = np.array([1.5, -2.0, 0.25], dtype=np.float32)
    m = _model([helper.make_node("MatMul", ["x", "w"], ["y"])], {"w": w}, [3], [])
    net = from_onnx(m)
    assert net.dims == [3, 1] and net([1, 1, 4]) == [fmpq(1, 2)]          # 1.5 - 2 + 1, by hand
    W = np.array([[1, 2, 0], [0, -1, 3]], dtype=np.float32)
    m2 = _model([helper.make_node("MatMul", ["W", "x"], ["y"])], {"W": W}, [3, 1], [2, 1])
    assert from_onnx(m2)([1, 1, 1]) == [3, 2]


def test_broadcasting_add_follows_onnx_semantics():
    """(W x) of shape [2, 1] plus a bias of shape [2] broadcasts to [2, 2] in ONNX (numpy's rule): four
    outputs, entry (i, j) = (W x)_i + b_j; the reference evaluator agrees."""
    W = np.array([[1], [2]], dtype=np.float32)
    b = np.array([10, 20], dtype=np.float32)
    m = _model([helper.make_node("MatMul", ["W", "x"], ["a"]), helper.make_node("Add", ["a", "b"], ["y"])],
               {"W": W, "b": b}, [1, 1], [2, 2])
    net = from_onnx(m)
    assert net([1]) == [11, 21, 12, 22]
    assert _agrees(net, m, [0.5], [1, 1])


def test_wrong_length_bias_and_other_bad_graphs_are_named():
    W = np.ones((2, 3), dtype=np.float32)
    bad_bias = _model([helper.make_node("Gemm", ["x", "W", "b"], ["y"], transB=1, name="G")],
                      {"W": W, "b": np.ones(3, np.float32)}, [1, 3], [1, 2])
    with pytest.raises(ImportFormatError, match="Gemm node 'G'"):
        from_onnx(bad_bias)
    bad_add = _model([helper.make_node("Gemm", ["x", "W"], ["a"], transB=1),
                      helper.make_node("Add", ["a", "b"], ["y"], name="A")],
                     {"W": W, "b": np.ones(3, np.float32)}, [1, 3], [1, 2])
    with pytest.raises(ImportFormatError, match="Add node 'A'.*do not broadcast"):
        from_onnx(bad_add)
    skip = _model([helper.make_node("Relu", ["x"], ["r"]), helper.make_node("Add", ["r", "x"], ["y"])], {}, [1, 2], [1, 2])
    with pytest.raises(ImportFormatError, match="not a chain"):
        from_onnx(skip)
    product = _model([helper.make_node("Mul", ["x", "x"], ["y"])], {}, [1, 2], [1, 2])
    with pytest.raises(ImportFormatError, match="not piecewise linear"):
        from_onnx(product)
    with pytest.raises(ImportFormatError, match="not a tensor"):
        from_onnx(_issue_graph(), output="nowhere")


def test_the_cross_check_refuses_a_network_read_wrongly(monkeypatch):
    """Mutation of the reader: swap the last layer's sign; the runtime comparison must refuse the result."""
    real = onnx_graph._Reader.read

    def wrong(self):
        net = real(self)
        (W, b) = net.layers[-1]
        return ReLUNet(net.layers[:-1] + [(-W, b)])
    monkeypatch.setattr(onnx_graph._Reader, "read", wrong)
    with pytest.raises(ImportFormatError, match="differs from the source"):
        from_onnx(_issue_graph())
    assert from_onnx(_issue_graph(), check=False).dims == [2, 2, 1]


def test_mul_div_neg_sub_from_a_constant():
    """y = (c - relu(x) * 3) / 4 with -x in the middle: f by hand at three points."""
    m = _model([helper.make_node("Neg", ["x"], ["n"]), helper.make_node("Neg", ["n"], ["p"]),
                helper.make_node("Relu", ["p"], ["r"]), helper.make_node("Mul", ["r", "three"], ["m"]),
                helper.make_node("Sub", ["c", "m"], ["s"]), helper.make_node("Div", ["s", "four"], ["y"])],
               {"three": np.float32(3), "c": np.array([1, 2], np.float32), "four": np.float32(4)}, [1, 2], [1, 2])
    net = from_onnx(m)
    for x in ([1, -1], [0, 2], ["1/2", 5]):
        xs = [fmpq(v) if not isinstance(v, str) else fmpq(1, 2) for v in x]
        want = [(fmpq(c) - max(v, fmpq(0)) * 3) / 4 for c, v in zip([1, 2], xs)]
        assert net(xs) == want


def test_vnncomp_test_networks_and_mnistfc_read_and_agree():
    """The competition's own test networks (MatMul with the constant first) and mnistfc, cross-checked."""
    import os
    base = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "benchmarks", "vnncomp2021")
    if not os.path.isdir(base):
        pytest.skip("the VNN-COMP 2021 files are not beside the checkout")
    for name, dims in [("test/test_tiny.onnx", [1, 1, 1]), ("test/test_small.onnx", [1, 2, 2, 1]),
                       ("test/test_nano.onnx", [1, 1, 1]), ("mnistfc/mnist-net_256x2.onnx", [784, 256, 256, 10])]:
        assert from_onnx(os.path.join(base, name)).dims == dims


# -- scikit-learn ------------------------------------------------------------------------------------------------
sklearn = pytest.importorskip("sklearn")


def _fit(binary):
    from sklearn.datasets import load_iris
    from sklearn.neural_network import MLPClassifier
    X, y = load_iris(return_X_y=True)
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return MLPClassifier((6,), max_iter=200, random_state=0).fit(X, (y == 1) if binary else y), X


@pytest.mark.parametrize("binary", [False, True])
def test_from_sklearn_gives_the_scores(binary):
    from exactmem.importers import from_sklearn
    model, X = _fit(binary)
    net = from_sklearn(model)
    assert net.dims == [4, 6, 1 if binary else 3]
    # the predicted class is the argmax of the scores (or the sign of the one score), at every iris point
    S = np.array([[float(v) for v in net(list(x))] for x in X[::10]])
    pred = (S[:, 0] > 0).astype(int) if binary else S.argmax(axis=1)
    assert (model.classes_[pred] == model.predict(X[::10])).all()


def test_from_sklearn_refuses_other_models():
    from sklearn.linear_model import LinearRegression
    from sklearn.neural_network import MLPRegressor

    from exactmem.importers import from_sklearn
    with pytest.raises(ImportFormatError, match="LinearRegression"):
        from_sklearn(LinearRegression())
    with pytest.raises(ImportFormatError, match="tanh"):
        from_sklearn(MLPRegressor(activation="tanh"))
    with pytest.raises(ImportFormatError, match="not fitted"):
        from_sklearn(MLPRegressor())


@pytest.mark.parametrize("binary", [False, True])
def test_skl2onnx_export_is_read_at_its_scores(binary):
    """skl2onnx's default export has two outputs (label, probabilities); the reader takes the scores before
    the softmax / sigmoid.  They equal scikit-learn's weights rounded to float32 (what skl2onnx stores)."""
    skl2onnx = pytest.importorskip("skl2onnx")
    model, X = _fit(binary)
    onx = skl2onnx.to_onnx(model, X[:1].astype(np.float32))
    net = from_onnx(onx)
    want = ReLUNet([(dyadic_matrix(W.T.astype(np.float32)), dyadic_matrix(b.astype(np.float32).reshape(-1, 1)))
                    for W, b in zip(model.coefs_, model.intercepts_)])
    assert net == want


# -- NNet ------------------------------------------------------------------------------------------------------
def test_nnet_that_is_not_utf8_is_an_import_error(tmp_path):
    p = tmp_path / "bad.nnet"
    p.write_bytes(b"\xff\xfe\x00garbage\n")
    with pytest.raises(ImportFormatError, match="UTF-8"):
        from_nnet(p)


def test_nnet_cross_check_catches_a_folding_error(monkeypatch):
    """Mutation: fold the output normalisation without the mean; the float formula must disagree."""
    text = "2,1,1,1,\n1,1,1,\n0,\n-10,\n10,\n1,7,\n2,5,\n3,\n0,\n1,\n0,\n"
    net = from_nnet(io.StringIO(text))
    from exactmem.importers import nnet as nnet_module
    real = nnet_module.ReLUNet

    def bent(layers):
        (W, b) = layers[-1]
        return real(layers[:-1] + [(W, [v - 7 for v in b])])
    monkeypatch.setattr(nnet_module, "ReLUNet", bent)
    with pytest.raises(ImportFormatError, match="differs"):
        from_nnet(io.StringIO(text))
    assert net([3])[0] == max(fmpq(0), (fmpq(3) - 1) / 2 * 3) * 5 + 7                # by hand: 22


# -- PyTorch ---------------------------------------------------------------------------------------------------
def test_pickled_pytorch_module_gets_a_plain_hint(tmp_path):
    torch = pytest.importorskip("torch")
    model = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.ReLU(), torch.nn.Linear(3, 1))
    p = tmp_path / "model.pt"
    torch.save(model, p)
    from exactmem.importers import from_torch
    with pytest.raises(ImportFormatError) as e:
        from_torch(p)
    msg = str(e.value)
    assert "state_dict" in msg and "\x1b" not in msg and "\n" not in msg
    torch.save(model.state_dict(), p)
    assert from_torch(p) == from_torch(model)


# -- property: random chains with decorations against the reference evaluator -------------------------------------
from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402


@st.composite
def _chains(draw):
    """A random ReLU chain written with a random mix of Gemm / MatMul (either side) / Add / Sub / Mul / Neg /
    Identity / Reshape, dangling nodes, and a shuffled node order."""
    rng = np.random.default_rng(draw(st.integers(0, 2 ** 32 - 1)))
    dims = [draw(st.integers(1, 4)) for _ in range(draw(st.integers(2, 4)))]
    nodes, inits, cur, k = [], {}, "x", 0

    def name(p):
        nonlocal k
        k += 1
        return f"{p}{k}"
    for l, (a, b) in enumerate(zip(dims, dims[1:])):
        W = rng.normal(size=(b, a)).astype(np.float32)
        bias = rng.normal(size=(b,)).astype(np.float32)
        style = draw(st.sampled_from(["gemm", "matmul", "matmul_t"]))
        wn, bn, out = name("W"), name("b"), name("t")
        if style == "gemm":
            inits[wn], inits[bn] = W, bias
            nodes.append(helper.make_node("Gemm", [cur, wn, bn], [out], transB=1))
        else:
            inits[wn], inits[bn] = W.T.copy(), bias
            mm = name("m")
            nodes += [helper.make_node("MatMul", [cur, wn], [mm]), helper.make_node("Add", [mm, bn], [out])]
        for _ in range(draw(st.integers(0, 2))):
            deco = draw(st.sampled_from(["Identity", "Neg", "Mul", "Sub", "Reshape", "dangling"]))
            nxt = name("d")
            if deco == "Identity":
                nodes.append(helper.make_node("Identity", [out], [nxt]))
            elif deco == "Neg":
                nodes.append(helper.make_node("Neg", [out], [nxt]))
            elif deco == "Mul":
                cn = name("c")
                inits[cn] = rng.normal(size=(b,)).astype(np.float32)
                nodes.append(helper.make_node("Mul", [out, cn], [nxt]))
            elif deco == "Sub":
                cn = name("c")
                inits[cn] = rng.normal(size=(b,)).astype(np.float32)
                nodes.append(helper.make_node("Sub", [cn, out], [nxt]))
            elif deco == "Reshape":
                cn = name("s")
                inits[cn] = np.array([1, b], dtype=np.int64)
                nodes.append(helper.make_node("Reshape", [out, cn], [nxt]))
            else:
                nodes.append(helper.make_node("Relu", [out], [name("unused")]))
                continue
            out = nxt
        if l < len(dims) - 2:
            r = name("r")
            nodes.append(helper.make_node("Relu", [out], [r]))
            cur = r
        else:
            nodes.append(helper.make_node("Identity", [out], ["y"]))
    order = draw(st.permutations(range(len(nodes))))
    shuffled = _model([nodes[i] for i in order], inits, [1, dims[0]], [1, dims[-1]])
    return shuffled, dims, _model(nodes, inits, [1, dims[0]], [1, dims[-1]])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_chains(), st.lists(st.floats(-4, 4, width=32), min_size=4, max_size=4))
def test_random_chains_agree_with_the_reference_evaluator(case, x):
    m, dims, in_order = case                              # the reference evaluator needs nodes in order
    net = from_onnx(m, check=False)                       # the property itself is the cross-check, done here
    assert net.dims == dims
    assert _agrees(net, in_order, x[:dims[0]], [1, dims[0]])
    assert from_onnx(m) == net                            # and the built-in cross-check accepts it


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_chains(), st.data())
def test_mangled_graphs_give_only_import_errors(case, data):
    """Mangle one node (operator, inputs, attributes): the importer answers or raises ImportFormatError."""
    m = case[0]
    g = m.graph
    i = data.draw(st.integers(0, len(g.node) - 1))
    node = g.node[i]
    how = data.draw(st.sampled_from(["op", "input", "drop_input", "attr"]))
    if how == "op":
        node.op_type = data.draw(st.sampled_from(["Gemm", "MatMul", "Add", "Relu", "Div", "Transpose", "Conv",
                                                  "Squeeze", "Flatten", "Softmax", "Reshape"]))
    elif how == "input" and node.input:
        names = [n.output[0] for n in g.node] + [t.name for t in g.initializer] + ["x", "nothing"]
        node.input[data.draw(st.integers(0, len(node.input) - 1))] = data.draw(st.sampled_from(names))
    elif how == "drop_input" and node.input:
        del node.input[-1]
    else:
        node.attribute.append(helper.make_attribute(data.draw(st.sampled_from(["transA", "transB", "alpha", "axis"])),
                                                    data.draw(st.sampled_from([0, 1, 2]))))
    try:
        from_onnx(m)
    except ImportFormatError:
        pass


def test_matmul_on_a_matrix_valued_input_both_sides():
    """x of shape [2, 3]: x @ W (W 3x4) and V @ x (V 4x2) are Kronecker products on the flattened input;
    the reference evaluator decides the expected outputs (and the built-in cross-check runs too)."""
    rng = np.random.default_rng(5)
    W = rng.normal(size=(3, 4)).astype(np.float32)
    V = rng.normal(size=(4, 2)).astype(np.float32)
    for nodes, inits, out in [([helper.make_node("MatMul", ["x", "W"], ["y"])], {"W": W}, [2, 4]),
                              ([helper.make_node("MatMul", ["V", "x"], ["y"])], {"V": V}, [4, 3])]:
        m = _model(nodes, inits, [2, 3], out)
        net = from_onnx(m)
        assert net.dims == [6, out[0] * out[1]]
        for x in rng.normal(size=(3, 6)):
            assert _agrees(net, m, x, [2, 3])
