"""Importers (issue 11): ONNX models built here with onnx.helper, NNet text written here; each imported
network is compared exactly with the network built directly from the same stored numbers."""
import io
import json

import numpy as np
import pytest
from flint import fmpq

from exactmem import ReLUNet
from exactmem.importers import ImportFormatError, from_nnet, from_onnx

onnx = pytest.importorskip("onnx")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402


def _model(nodes, inits, n_in, n_out):
    g = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, n_in])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, n_out])],
                          [numpy_helper.from_array(a, name=k) for k, a in inits.items()])
    return helper.make_model(g)


def _mlp_arrays(seed):
    rng = np.random.default_rng(seed)
    return [rng.normal(size=s).astype(np.float32) for s in [(5, 3), (5,), (2, 5), (2,)]]


def test_gemm_chain_is_the_stored_float32_network():
    W1, b1, W2, b2 = _mlp_arrays(0)
    m = _model([helper.make_node("Flatten", ["x"], ["f"]),
                helper.make_node("Gemm", ["f", "W1", "b1"], ["h"], transB=1),
                helper.make_node("Relu", ["h"], ["r"]),
                helper.make_node("Gemm", ["r", "W2", "b2"], ["y"], transB=1)],
               {"W1": W1, "b1": b1, "W2": W2, "b2": b2}, 3, 2)
    net = from_onnx(m.SerializeToString())
    assert net == ReLUNet.from_numpy([W1, W2], [b1, b2])
    # the exact value of a float32 weight, not its decimal: fmpq(float32) is a dyadic with q | 2^149
    w = net.layers[0][0][0, 0]
    assert w == fmpq(*float(W1[0, 0]).as_integer_ratio()) and int(w.q) & (int(w.q) - 1) == 0


def test_matmul_add_sub_constant_identity():
    W1, b1, W2, b2 = _mlp_arrays(1)
    c = helper.make_node("Constant", [], ["c"], value=numpy_helper.from_array(b2, name="cv"))
    m = _model([helper.make_node("MatMul", ["x", "W1t"], ["a"]), helper.make_node("Add", ["a", "b1"], ["h"]),
                helper.make_node("Relu", ["h"], ["r"]), helper.make_node("Identity", ["r"], ["s"]),
                helper.make_node("MatMul", ["s", "W2t"], ["z"]), c, helper.make_node("Sub", ["z", "c"], ["y"])],
               {"W1t": W1.T.copy(), "b1": b1, "W2t": W2.T.copy()}, 3, 2)
    assert from_onnx(m) == ReLUNet.from_numpy([W1, W2], [b1, -b2])


def test_unsupported_operators_and_bad_files_are_named():
    m = _model([helper.make_node("Sigmoid", ["x"], ["y"])], {}, 2, 2)
    with pytest.raises(ImportFormatError, match="Sigmoid"):
        from_onnx(m)
    with pytest.raises(ImportFormatError, match="cannot read"):
        from_onnx(b"not a model")


def test_nnet_normalization_is_folded_exactly():
    """f(x) = relu(((x - 1) / 2) * 3) * 5 + 7 written in NNet with mean 1, range 2 (input) and 7, 5
    (output): the imported network must equal that composition at exact points (by hand)."""
    text = "2,1,1,1,\n1,1,1,\n0,\n-10,\n10,\n1,7,\n2,5,\n3,\n0,\n1,\n0,\n"
    net = from_nnet(io.StringIO(text))
    for x in [fmpq(3), fmpq(-1), fmpq(5, 3)]:
        assert net([x])[0] == max(fmpq(0), (x - 1) / 2 * 3) * 5 + 7
    assert from_nnet(io.StringIO(text), normalize=False)([fmpq(3)])[0] == 9
    with pytest.raises(ImportFormatError):
        from_nnet(io.StringIO("2,1,1,1,\n1,1,\n"))


def test_cli_robust_on_an_onnx_network(tmp_path, capsys):
    """`exactmem robust NET.onnx DATA.json`: PROVED with a certificate that `exactmem verify` re-checks,
    REFUTED with a witness, and exit 2 with a one-line error for a model it cannot read."""
    from exactmem import Dataset
    from exactmem.cli import main
    W1 = np.array([[1, 0], [1, 0]], dtype=np.float32)           # 1 + clip(x_1 - 1, 0, 1) (by hand)
    b1 = np.array([-1, -2], dtype=np.float32)
    W2 = np.array([[1, -1]], dtype=np.float32)
    b2 = np.array([1], dtype=np.float32)
    m = _model([helper.make_node("Gemm", ["x", "W1", "b1"], ["h"], transB=1), helper.make_node("Relu", ["h"], ["r"]),
                helper.make_node("Gemm", ["r", "W2", "b2"], ["y"], transB=1)],
               {"W1": W1, "b1": b1, "W2": W2, "b2": b2}, 2, 1)
    onnx.save(m, tmp_path / "net.onnx")
    (tmp_path / "d.json").write_text(json.dumps(Dataset([[0, 0], [3, 0]], [1, 2]).to_json()))
    cert = tmp_path / "c.json"
    assert main(["robust", str(tmp_path / "net.onnx"), str(tmp_path / "d.json"), "--rho", "1/2", "--p", "inf",
                 "--out", str(cert)]) == 0                      # eps = 3/2, mu = 3/4: balls stay off the ramp
    assert "PROVED" in capsys.readouterr().out
    assert main(["verify", str(cert)]) == 0
    assert main(["robust", str(tmp_path / "net.onnx"), str(tmp_path / "d.json"), "--rho", "9/10"]) == 1
    assert "witness: ball" in capsys.readouterr().out
    (tmp_path / "bad.onnx").write_bytes(b"junk")
    assert main(["robust", str(tmp_path / "bad.onnx"), str(tmp_path / "d.json"), "--rho", "1/2"]) == 2
    assert "cannot read the ONNX model" in capsys.readouterr().err


def test_state_dict_of_numpy_arrays_is_read_without_torch():
    """A state_dict is a mapping name -> tensor; numpy arrays stand in for tensors (no torch needed)."""
    from exactmem.importers import from_torch
    W1, b1, W2, b2 = _mlp_arrays(2)
    net = from_torch({"0.weight": W1, "0.bias": b1, "2.weight": W2, "2.bias": b2})
    assert net == ReLUNet.from_numpy([W1, W2], [b1, b2])
    with pytest.raises(ImportFormatError, match="running_mean"):
        from_torch({"0.weight": W1, "1.running_mean": b1})
    with pytest.raises(ImportFormatError, match="NaN"):
        from_torch({"0.weight": np.full((2, 2), np.nan, dtype=np.float32)})


def test_pytorch_module_state_dict_and_file_are_the_same_network(tmp_path):
    torch = pytest.importorskip("torch")
    from exactmem.importers import from_torch
    torch.manual_seed(0)
    m = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(3, 6), torch.nn.ReLU(), torch.nn.Linear(6, 6),
                            torch.nn.Linear(6, 4), torch.nn.ReLU(), torch.nn.Dropout(0.1), torch.nn.Linear(4, 2))
    net = from_torch(m)
    torch.save(m.state_dict(), tmp_path / "m.pt")
    assert (net.depth, net.input_dim, net.output_dim) == (3, 3, 2)      # Linear(6,6) and Linear(6,4) composed
    x = [fmpq(1, 3), fmpq(-2), fmpq(5, 7)]
    want = m.eval().double()(torch.tensor([[float(t) for t in x]], dtype=torch.float64))[0].detach()
    got = net(x)
    assert all(abs(float(a) - float(b)) < 1e-12 for a, b in zip(got, want))
    # the exact value of a stored float32 (before the module was widened to float64 above)
    m2 = torch.nn.Sequential(torch.nn.Linear(2, 1))
    w = float(m2[0].weight[0, 0].detach())
    assert from_torch(m2).layers[0][0][0, 0] == fmpq(*w.as_integer_ratio())
    seq = torch.nn.Sequential(torch.nn.Linear(3, 6), torch.nn.ReLU(), torch.nn.Linear(6, 2))
    torch.save(seq.state_dict(), tmp_path / "s.pt")
    assert from_torch(tmp_path / "s.pt") == from_torch(seq)
    with pytest.raises(ImportFormatError, match="Sigmoid"):
        from_torch(torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.Sigmoid()))
    (tmp_path / "bad.pt").write_bytes(b"junk")
    with pytest.raises(ImportFormatError, match="cannot read"):
        from_torch(tmp_path / "bad.pt")


def test_tensors_that_hold_no_exact_values_are_named():
    """Ragged lists, meta tensors (no data) and a layer with no inputs are ImportFormatError/NetworkError;
    a sparse tensor is read as the dense matrix it stands for."""
    from exactmem.errors import NetworkError
    from exactmem.importers import from_torch
    with pytest.raises(ImportFormatError, match="0.weight: not a rectangular"):
        from_torch({"0.weight": [[1, 2], [3]], "0.bias": [0, 0]})
    with pytest.raises(NetworkError, match="no columns"):
        from_torch({"0.weight": np.zeros((2, 0)), "0.bias": np.zeros(2)})
    torch = pytest.importorskip("torch")
    with pytest.raises(ImportFormatError, match="meta tensor"):
        from_torch({"0.weight": torch.zeros(2, 2, device="meta"), "0.bias": torch.zeros(2)})
    dense = {"0.weight": torch.tensor([[1.0, 2.0], [0.0, -0.5]]), "0.bias": torch.zeros(2)}
    assert from_torch({**dense, "0.weight": dense["0.weight"].to_sparse()}) == from_torch(dense)
