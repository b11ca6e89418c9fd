"""The linear-bounds finder on mnistfc clauses with and without the hint ``tighten`` (issue 21).

For each chosen clause of mnistfc's property 1 at ε = 0.03 (one question per clause, ``bab.by_clause``), the
serial search (``bab.search``) runs three ways in this process: without tightened bounds (the baseline),
with the set's bounds (``TIGHTEN``), and with nodes' bounds as well (``NODE_TIGHTEN`` = 2); then the kernel checks
each tree (with the hints the search used).  Printed per clause and way: leaves, search and check CPU seconds,
and the ratios of leaves and of search + check time to the baseline's.  The competition's files are read
from ../shared/benchmarks/vnncomp2021/mnistfc.

usage: python benchmarks/bench_tighten.py [--clauses C ...] [--prop P] [--eps E]
"""
import argparse
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def run(prop, eps, clauses):
    sys.path.insert(0, HERE)
    from settle_by_clause import _split, certificate, one_clause

    from exactmem import kernel
    from exactmem.analysis import bab
    split, d, layers, qs = _split(prop, eps)
    ways = [("baseline", False, 0), ("set", True, 0), ("set + nodes", True, 2)]
    print(f"mnistfc prop {prop} at {eps}: clause, way, leaves, search s, check s, leaves / baseline, time / baseline")
    for c in clauses:
        base = None
        for name, root, node in ways:
            bab.TIGHTEN[0], bab.NODE_TIGHTEN[0] = root, node
            from exactmem.analysis import tighten
            tighten._CACHE.clear()                   # each way computes the set's bounds afresh
            t0 = time.process_time()
            out = bab.search(layers, d, *qs[c], max_leaves=200000)
            t1 = time.process_time()
            v = kernel.check(certificate(one_clause(split, c), [out[1]])) if out[0] == "proved" else None
            t2 = time.process_time()
            leaves = out[2] if len(out) > 2 else None
            if base is None:
                base = (leaves, t2 - t0)
            status = v.status.name if v is not None else out[0]
            print(f"clause {c} ({name}): {status}, {leaves} leaves, search {t1 - t0:.1f} s, check {t2 - t1:.1f} s, "
                  f"leaves {leaves / base[0]:.2f}x, time {(t2 - t0) / base[1]:.2f}x", flush=True)
    bab.TIGHTEN[0], bab.NODE_TIGHTEN[0] = True, 0                    # the defaults again


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0], epilog=__doc__.split("\n\n", 1)[1],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--clauses", type=int, nargs="+", default=[1, 4], help="clauses of the property (default 1 4)")
    p.add_argument("--prop", default="1")
    p.add_argument("--eps", default="0.03")
    a = p.parse_args(argv)
    run(a.prop, a.eps, a.clauses)
    return 0


if __name__ == "__main__":
    sys.exit(main())
