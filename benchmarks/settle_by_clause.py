"""Settle a hard mnistfc instance clause by clause (issue 21, docs/vnncomp2021.md): one linear-bounds search
per clause of the goal, each clause's tree checked by the kernel and kept in a file, then all trees assembled
into one certificate for ``exactmem verify``.

  run       search the named clauses (skipping those with a tree file, or marked as running by another
            process), check each tree with the kernel, write OUT/clause_C.json.gz and a line per 30 s of
            search to OUT/log.txt; several processes may share OUT (one clause each at a time)
  assemble  put the trees of every clause into one certificate (gzipped JSON) and print its leaf count

usage: python benchmarks/settle_by_clause.py run PROP EPS OUT CLAUSE [CLAUSE ...] [-j N] [--nodes N]
       python benchmarks/settle_by_clause.py assemble PROP EPS OUT CERT.json.gz
(PROP, EPS as in mnistfc's file names, e.g. 1 0.03; the competition's files from ../shared/benchmarks.)
Set OPENBLAS_NUM_THREADS=1 when other jobs share the machine: waiting BLAS threads cost CPU time.
With -j N (N > 1) a clause is searched by the linear-bounds work-queue (analysis.bab_queue) on N worker
processes (1.6-1.9x on 2 workers, docs/parallel.md), with its state in OUT/checkpoint_C.json every 60 s, or 20
times as long as a write takes (minutes for the 100-200 MB state of a large clause): a run stopped with Ctrl-C
(SIGINT: the state is written then; a job started in the background by a script must have job control on,
``set -m``, or it ignores SIGINT) and started again on the same machine goes on from there; the kernel then
checks the clause's tree in N shares on the same workers (``certify.parallel``).  A tree the kernel refuses is
kept as OUT/refused_C.json.gz with the reason; the next run searches that clause again with a margin of 1e-4
(as ``exactmem vnnlib``'s second pass does).
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import sys
import time

ROOT = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "benchmarks", "vnncomp2021", "mnistfc")


def _split(prop, eps):
    from exactmem import kernel, vnnlib
    from exactmem.analysis import bab
    from exactmem.analysis.ask import _atom, _doc, box
    from exactmem.importers import from_onnx
    net = from_onnx(os.path.join(ROOT, "mnist-net_256x2.onnx"))
    p = vnnlib.read(os.path.join(ROOT, f"prop_{prop}_{eps}.vnnlib"))
    doc = _doc(net, "the VNN-LIB property is unsat", [{"set": box(lo, hi, rows).spec, "goal": [[_atom(*a) for a in c]
                                                                                              for c in goal]}
                                                     for (lo, hi, rows), goal in zip(p.boxes, p.goals)])
    d, layers, qs = kernel.regions.questions(doc)
    split, _ = bab.by_clause(doc, qs, len(layers[-1][0]))
    return split, d, layers, [(S, [c]) for S, goal in qs for c in goal]


def one_clause(split, c) -> dict:
    """The split document with its question c alone."""
    return {**split, "data": {**split["data"], "questions": [split["data"]["questions"][c]]}}


def certificate(doc, trees, used=None) -> dict:
    """The signed linear-bounds certificate of a document's questions with these trees (and the hint
    ``tighten`` of their sets, as the search used it; ``used``: per question, whether its search did -- trees
    found before the hint existed are checked without it)."""
    from exactmem import kernel
    from exactmem.analysis import bab
    d, layers, qs = kernel.regions.questions(doc)
    hints = bab.hints_of(trees, layers, d, qs)
    if used is not None and "tighten" in hints:
        hints["tighten"] = [t if u else [] for t, u in zip(hints["tighten"], used)]
    return kernel.sign({**doc, "kind": "linear-bounds", "hints": hints})


def run(prop, eps, out, clauses, jobs=1) -> int:
    from exactmem import kernel, parallel
    from exactmem.analysis import bab, bab_queue
    from exactmem.certify import parallel as cpar
    split, d, layers, qs = _split(prop, eps)
    pool = parallel.executor(jobs) if jobs > 1 else None
    clock = time.process_time if pool is None else time.monotonic    # CPU s of this process, or wall s
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "log.txt"), "a") as log:
        for c in clauses:
            tree_file, mark = os.path.join(out, f"clause_{c}.json.gz"), os.path.join(out, f"running_{c}")
            if os.path.exists(tree_file) or os.path.exists(mark):
                continue
            open(mark, "w").close()
            try:
                S, goal = qs[c]
                t0, last = clock(), [clock()]
                unit = "s" if pool is None else f"s wall on {jobs} workers"

                def report(closed, open_, bound, c=c, t0=t0, last=last):
                    if clock() - last[0] > 30:
                        last[0] = clock()
                        print(f"clause {c}: {closed} closed, {open_} open, weakest {bound}, {last[0] - t0:.0f} {unit}",
                              file=log, flush=True)
                refused = os.path.join(out, f"refused_{c}.json.gz")       # a tree the kernel refused at 1e-6:
                margin = 1e-4 if os.path.exists(refused) else 1e-6           # search again with room 1e-4
                tag = "" if margin == 1e-6 else "_1e-4"
                bab.MARGIN[0] = margin
                one = one_clause(split, c)
                ck = os.path.join(out, f"checkpoint_{c}{tag}.json")
                if pool is None:
                    res = bab.search(layers, d, S, goal, None, max_leaves=200000, progress=report)
                else:
                    res = bab_queue.search(one, 0, pool, None, max_leaves=200000, progress=report, every=60,
                                           margin=margin, checkpoint=ck, resume=ck if os.path.exists(ck) else None)
                t1 = clock()
                print(f"clause {c}: search {res[0]}, {res[2] if len(res) > 2 else ''} leaves, {t1 - t0:.0f} {unit}"
                      f" (margin {margin:g})", file=log, flush=True)
                if res[0] != "proved":
                    continue
                cert = certificate(one, [res[1]])
                v = kernel.check(cert) if pool is None else cpar.check(json.dumps(cert), pool)   # in shares on the pool
                t2 = clock()
                print(f"clause {c}: kernel {v.status.name} in {t2 - t1:.0f} {unit}"
                      + ("" if v.is_proved else f": {v.reason[:400]}"), file=log, flush=True)
                kept = {"clause": c, "tree": res[1], "leaves": res[2], "search_s": round(t1 - t0, 1),
                        "check_s": round(t2 - t1, 1), "workers": jobs, "tighten": bab.TIGHTEN[0], "nodes": bab.NODE_TIGHTEN[0]}
                with gzip.open(tree_file if v.is_proved else refused.replace(".json", f"{tag}.json"), "wt") as fh:
                    json.dump(kept if v.is_proved else {**kept, "reason": v.reason}, fh)   # refused: kept to mend
                if os.path.exists(ck):          # proved, or refused (the next run searches with room 1e-4)
                    os.remove(ck)
            finally:                            # stopped, failed or done: the clause is no longer running
                if os.path.exists(mark):
                    os.remove(mark)
    if pool is not None:
        pool.close()
    return 0


def assemble(prop, eps, out, cert_path) -> int:
    split, _, _, qs = _split(prop, eps)
    missing = [c for c in range(len(qs)) if not os.path.exists(os.path.join(out, f"clause_{c}.json.gz"))]
    if missing:
        print(f"no tree yet for clause(s) {missing}", file=sys.stderr)
        return 1
    trees, used = [], []
    for c in range(len(qs)):
        with gzip.open(os.path.join(out, f"clause_{c}.json.gz"), "rt") as fh:
            kept = json.load(fh)
        trees.append(kept["tree"])
        used.append(kept.get("tighten", False))           # files of before stop 35 (2026-12-05): without
    cert = certificate(split, trees, used)
    with gzip.open(cert_path, "wt") as fh:
        json.dump(cert, fh)
    print(f"{sum(1 for t in trees for n in t if 'cut' not in n and 'split' not in n)} leaves in {cert_path}")
    return 0


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0], epilog=__doc__.split("\n\n", 1)[1],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("what", choices=["run", "assemble"])
    p.add_argument("prop")
    p.add_argument("eps")
    p.add_argument("out", help="the folder of the clauses' trees")
    p.add_argument("rest", nargs="+", help="clauses (run) or the certificate file (assemble)")
    p.add_argument("-j", "--jobs", type=int, default=1, help="run: worker processes for each clause's search")
    p.add_argument("--nodes", type=int, default=0, metavar="N",
                   help="run: nodes' bounds every N first-layer splits (bab.NODE_TIGHTEN; default 0, off)")
    a = p.parse_args(argv)
    if a.what == "run":
        try:
            clauses = [int(c) for c in a.rest]
        except ValueError:
            p.error("clauses are integers")
        from exactmem.analysis import bab
        bab.NODE_TIGHTEN[0] = max(0, a.nodes)
        return run(a.prop, a.eps, a.out, clauses, a.jobs)
    return assemble(a.prop, a.eps, a.out, a.rest[0])


if __name__ == "__main__":
    sys.exit(main())
