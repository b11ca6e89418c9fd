"""Import speed: ONNX and NNet networks become exact networks in time proportional to their weights.

For each network the script times (CPU seconds, one process): exactmem's reader without the cross-check,
with it (the ONNX runtime at three points and the exact network there), and in the same run a baseline that
converts the same weights one Python object per entry (``fmpq`` from ``float.as_integer_ratio``, then an
``fmpq_mat``): the cost the importer had before it kept one integer matrix and one power of two per tensor.
It also prints the time to load the file and its tensors into numpy (``load``, the floor for any reader) and
the ratio per-entry / read.  Target (issue 21): mnistfc's 784-256-256-10 in under 1 s.

usage: python benchmarks/bench_import.py [--dir ../shared/benchmarks/vnncomp2021] [--repeat 3]
"""
import argparse
import os
import time

import numpy as np
from flint import fmpq, fmpq_mat

from exactmem.importers import from_onnx

HERE = os.path.dirname(os.path.abspath(__file__))


def per_entry(path):
    """The baseline: every weight of the file as its own Python fmpq, then a matrix per tensor."""
    import onnx
    from onnx import numpy_helper
    mats = []
    for t in onnx.load(path).graph.initializer:
        a = numpy_helper.to_array(t).astype(np.float64)
        a = a.reshape(a.shape[0], -1) if a.ndim else a.reshape(1, 1)
        mats.append(fmpq_mat(a.shape[0], a.shape[1], [fmpq(*float(v).as_integer_ratio()) for v in a.ravel().tolist()]))
    return mats


def load_only(path):
    """Reading the file and its tensors into numpy, nothing more: the floor for any reader."""
    import onnx
    from onnx import numpy_helper
    return [numpy_helper.to_array(t) for t in onnx.load(path).graph.initializer]


def cpu(f, repeat):
    best = float("inf")
    for _ in range(repeat):
        t = time.process_time()
        f()
        best = min(best, time.process_time() - t)
    return best


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dir", default=os.path.join(HERE, "..", "..", "shared", "benchmarks", "vnncomp2021"),
                    help="the VNN-COMP 2021 folder (mnistfc/, acasxu/)")
    ap.add_argument("--repeat", type=int, default=3, help="best of this many runs")
    a = ap.parse_args(argv)
    files = [("mnistfc 784-256-256-10", os.path.join(a.dir, "mnistfc", "mnist-net_256x2.onnx")),
             ("ACAS Xu 1_1 (5-6x50-5)", os.path.join(a.dir, "acasxu", "ACASXU_run2a_1_1_batch_2000.onnx"))]
    from_onnx(files[-1][1])                                       # import onnx / onnxruntime once
    print(f"{'network':26} {'params':>8} {'load':>7} {'read':>7} {'+check':>7} {'per-entry':>9} "
          f"{'per-entry/read':>14}")
    for name, path in files:
        if not os.path.exists(path):
            print(f"{name:26} missing: {path}")
            continue
        net = from_onnx(path)
        t_read = cpu(lambda: from_onnx(path, check=False), a.repeat)
        t_check = cpu(lambda: from_onnx(path), a.repeat)
        t_base = cpu(lambda: per_entry(path), a.repeat)
        t_load = cpu(lambda: load_only(path), a.repeat)
        print(f"{name:26} {net.param_count():>8} {t_load:7.3f} {t_read:7.3f} {t_check:7.3f} {t_base:9.3f} "
              f"{t_base / t_read:14.1f}")


if __name__ == "__main__":
    main()
