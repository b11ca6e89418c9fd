"""Write the small ONNX, NNet and VNN-LIB files the tests use (nothing is downloaded).

    python tests/make_files.py DIR

* ``mlp.onnx`` / ``mlp.nnet``: the same 2-8-8-2 network, float32 weights from a fixed seed (the NNet file
  writes each float32 as the finite decimal equal to it, so both files hold exactly the same network);
* ``trap.onnx``: f(x) = relu(x + 1) - relu(x) - relu(1) + 2^-30, exactly 2^-30 > 0 for x >= 0, but -1 in
  float32 at x = 2^24 (x + 1 rounds to x): a margin below one ulp;
* ``local_unsat.vnnlib`` / ``local_sat.vnnlib``: "output 0 is not the largest" on a small box (where the
  network keeps class 0) and on a large one; ``trap.vnnlib``: "f <= 0" on the box [2^24, 2^24]
  (lower = upper), unsat exactly, sat in float32; ``inconsistent.vnnlib``: a lower bound above the upper.
"""
import sys
from pathlib import Path

import numpy as np


def mlp_arrays(seed=11):
    rng = np.random.default_rng(seed)
    return [rng.normal(size=s).astype(np.float32) for s in [(8, 2), (8,), (8, 8), (8,), (2, 8), (2,)]]


def trap_arrays():
    W1 = np.array([[1], [1], [0]], dtype=np.float32)
    b1 = np.array([1, 0, 1], dtype=np.float32)
    W2 = np.array([[1, -1, -1]], dtype=np.float32)
    b2 = np.array([2.0 ** -30], dtype=np.float32)
    return [W1, b1, W2, b2]


def float32_forward(arrays, x):
    """The network evaluated in float32 arithmetic, as a float verifier would."""
    h = np.asarray(x, dtype=np.float32)
    pairs = list(zip(arrays[::2], arrays[1::2]))
    for i, (W, b) in enumerate(pairs):
        h = (W @ h + b).astype(np.float32)
        if i < len(pairs) - 1:
            h = np.maximum(h, np.float32(0))
    return h


def onnx_model(arrays):
    from onnx import TensorProto, helper, numpy_helper
    pairs = list(zip(arrays[::2], arrays[1::2]))
    nodes, inits, cur = [], [], "x"
    for i, (W, b) in enumerate(pairs):
        inits += [numpy_helper.from_array(W, name=f"W{i}"), numpy_helper.from_array(b, name=f"b{i}")]
        out = "y" if i == len(pairs) - 1 else f"h{i}"
        nodes.append(helper.make_node("Gemm", [cur, f"W{i}", f"b{i}"], [out], transB=1))
        if i < len(pairs) - 1:
            nodes.append(helper.make_node("Relu", [out], [f"r{i}"]))
            cur = f"r{i}"
    g = helper.make_graph(nodes, "mlp", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, pairs[0][0].shape[1]])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, pairs[-1][0].shape[0]])], inits)
    return helper.make_model(g)


def nnet_text(arrays):
    pairs = list(zip(arrays[::2], arrays[1::2]))
    sizes = [pairs[0][0].shape[1]] + [W.shape[0] for W, _ in pairs]
    d = sizes[0]
    lines = ["// written by tests/make_files.py", f"{len(pairs)},{sizes[0]},{sizes[-1]},{max(sizes)},",
             ",".join(map(str, sizes)) + ",", "0,", ",".join(["-10"] * d) + ",", ",".join(["10"] * d) + ",",
             ",".join(["0"] * (d + 1)) + ",", ",".join(["1"] * (d + 1)) + ","]
    for W, b in pairs:
        lines += [",".join(_exact(w) for w in row) + "," for row in W]
        lines += [_exact(t) + "," for t in b]
    return "\n".join(lines) + "\n"


def _exact(w):
    """The float's exact value as a finite decimal (every binary float is one)."""
    from flint import fmpq

    from exactmem.vnnlib import decimal
    return decimal(fmpq(*float(w).as_integer_ratio()))


def box_property(lo, hi, outputs, unsafe):
    decl = [f"(declare-const X_{i} Real)" for i in range(len(lo))] + [f"(declare-const Y_{j} Real)" for j in range(outputs)]
    bounds = [f"(assert (>= X_{i} {a}))\n(assert (<= X_{i} {b}))" for i, (a, b) in enumerate(zip(lo, hi))]
    return "; written by tests/make_files.py\n" + "\n".join(decl + bounds) + f"\n(assert {unsafe})\n"


def write(directory):
    import onnx
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    mlp = mlp_arrays()
    onnx.save(onnx_model(mlp), out / "mlp.onnx")
    (out / "mlp.nnet").write_text(nnet_text(mlp))
    onnx.save(onnx_model(trap_arrays()), out / "trap.onnx")
    not_top = "(or (and (>= Y_1 Y_0)))"
    (out / "local_unsat.vnnlib").write_text(box_property(["0.49", "-0.51"], ["0.51", "-0.49"], 2, not_top))
    (out / "local_sat.vnnlib").write_text(box_property(["-8", "-8"], ["8", "8"], 2, not_top))
    (out / "trap.vnnlib").write_text(box_property(["16777216"], ["16777216"], 1, "(<= Y_0 0)"))
    (out / "inconsistent.vnnlib").write_text(box_property(["1", "0"], ["0", "1"], 2, not_top))
    return out


if __name__ == "__main__":
    print(write(sys.argv[1] if len(sys.argv) > 1 else "vnn_files"))
