"""Issue 24: checks over several workers, as ratios measured in one run (docs/benchmarks.md, "Issue 24").

1. the kernel's check of a large robust-memorization certificate (memorize, small rho, N points in R^d):
   whole in this process, against 2 shares on a local pool of 2 workers (speed-up), and the same 2 shares
   on a Dask LocalCluster of 2 worker processes (Dask's overhead against the pool); plus what one share
   costs beyond its part (a share with almost no balls) and the size of the messages (share out, report
   back);
2. `exactmem check` (every claim of proofs/, or -k PATTERN) serial against -j 2, wall time of the command,
   and whether the two outputs agree once the times are taken out;
3. the exact Lipschitz constant's branch and bound, d = 6, k = 40 (the network of benchmarks/bench_lipschitz.py,
   Lip_2 on [-1, 1]^6): the serial loop, the work-queue (lipschitz.queue) on the serial executor and on a pool
   of 2, wall time, regions and ratios, whether the constants agree and the two queue certificates are the
   same bytes; then the kernel's check of the certificate alone, whole in one process and in 2 shares on the
   pool (each run above includes its check: whole for the serial runs, in shares for the pool), so that the
   search's own ratio is the difference (--lipschitz-only runs this section alone; --lip-budget S stops each
   run after S seconds, to try it);
4. the region engine's branch and bound (cover.search, the finder of region-cover certificates) on the question
   f > t on [-1, 1]^d, f bench_lipschitz's network with d inputs and k hidden units, t well below f's sampled
   minimum (every activation region of the box becomes a leaf: a few thousand at d = 4, k = 20): the serial
   search, the work-queue (analysis.cover_queue) on the serial executor and on a pool of 2, wall time, regions
   and ratios, whether the three trees are the same bytes, and the kernel's check of the certificate
   (--regions-only runs this section alone; --reg-d, --reg-k choose the size).

5. a hard VNN-COMP 2021 instance: the linear-bounds branch and bound (the finder of linear-bounds certificates)
   on one clause of mnistfc's property 1 at eps = 0.03 (--vnn-clause C, default 1: output 2 against the
   label, 1,211 leaves, about 100 s on one core; clause 0 has 236 leaves): the serial bab.search, the work-queue
   (analysis.bab_queue) on the serial executor and on a pool of 2, wall time, leaves and ratios, whether the two
   queue trees are the same bytes, and the kernel's check of the pool's tree (--vnnlib-only runs this section
   alone; it needs ../shared/benchmarks/vnncomp2021).

6. the kernel's check of a large linear-bounds certificate: the tree of one clause of that instance, proved
   by benchmarks/settle_by_clause.py and kept in benchmarks/results/disputed/mnistfc_prop_1_0.03/ (--vnn-tree C,
   default 1: output 2 against the label, 1,211 leaves), whole in this process against 2 shares on a local
   pool of 2 (--tree-only runs this section alone).

--queues-only runs sections 3, 4 and 5 (the three work-queues).  The machine's load average is printed before
each section and at the end: on 2 cores another job on one of them caps any speed-up near 1.
"""
import argparse
import json
import os
import random
import re
import subprocess
import sys
import time
from fractions import Fraction

import numpy as np

from exactmem import Dataset, kernel, memorize, parallel
from exactmem.certify import parallel as cpar


def timed(f):
    t0 = time.perf_counter()
    out = f()
    return out, time.perf_counter() - t0


def certificate(N, d, seed=1):
    rng = random.Random(seed)
    pts = set()
    while len(pts) < N:
        pts.add(tuple(rng.randint(-1000, 1000) for _ in range(d)))
    D = Dataset([list(p) for p in sorted(pts)], [1 + i % 2 for i in range(N)])
    return memorize(D, "1/1000000")[1].to_json()


def kernel_check(N, d, dask, repeat):
    print(f"1. kernel check of a robust-memorization certificate, N = {N}, d = {d} (small rho)")
    doc, tb = timed(lambda: certificate(N, d))
    size = len(json.dumps(doc))
    print(f"   certificate: {size / 1e6:.2f} MB of JSON, built in {tb:.1f} s")
    def best(f):                                     # the best of `repeat` runs
        return min(timed(f)[1] for _ in range(repeat))
    whole = best(lambda: kernel.check(doc))
    print(f"   whole, in this process:        {whole:6.2f} s")
    halves = [best(lambda p=p: kernel.check(p)) for p in kernel.split(doc, 2)]
    print(f"   its 2 shares, one after the other in this process: {halves[0]:.2f} s + {halves[1]:.2f} s; on 2 idle "
          f"cores at best {whole / max(halves):.2f}x")
    with parallel.Pool(2) as pool:
        _, start = timed(lambda: list(pool.map(len, ["warm", "up"])))
        v = cpar.check(doc, pool)
        assert v.is_proved, v
        two = best(lambda: cpar.check(doc, pool))
        print(f"   2 shares, local pool of 2:     {two:6.2f} s   (pool start {start:.2f} s, not counted)")
    print(f"   speed-up 1 -> 2 workers:       {whole / two:6.2f}x")
    many = min(N, kernel.shares.MAX_SHARES)
    text = json.dumps(doc, separators=(",", ":"))
    fixed = best(lambda: kernel.check(text, share=(0, many)))
    job = {"cert": text, "index": 0, "count": 1000, "rho": None, "eta": None, "budget": None}
    report = json.dumps(cpar.check_share(job))
    print(f"   per share beyond its balls:    {fixed:6.2f} s   (share 0 of {many}: read, eps_D, centres, "
          f"{-(-N // many)} ball(s))")
    print(f"   message sizes:                 {len(text) / 1e6:.2f} MB out per share (the certificate's text), "
          f"{len(report)} bytes back")
    if dask:
        try:
            ex, start = timed(lambda: parallel.executor(2, "local"))
        except Exception as e:  # noqa: BLE001 -- no Dask: say so and go on
            print(f"   Dask: not measured ({e})")
            return
        with ex:
            cpar.check(doc, ex)
            on_dask = best(lambda: cpar.check(doc, ex))
        print(f"   2 shares, Dask LocalCluster 2: {on_dask:6.2f} s   (cluster start {start:.2f} s, not counted)")
        print(f"   Dask / pool overhead:          {on_dask / two:6.2f}x")


def untimed(text):
    """The output without its times, and without the padding that the width of the time column brings."""
    return re.sub(r" +", " ", re.sub(r"\d+\.\d\ds", "T", text))


def claims(pattern):
    print("2. exactmem check" + (f" -k {pattern}" if pattern else "") + ": serial against -j 2 (wall time)")
    cmd = [sys.executable, "-m", "exactmem", "check"] + (["-k", pattern] if pattern else [])
    env = {**os.environ, "EXACTMEM_PROGRESS": "0"}
    runs = {}
    for name, extra in (("serial", []), ("-j 2", ["-j", "2"])):
        r, t = timed(lambda extra=extra: subprocess.run(cmd + extra, capture_output=True, text=True, env=env,
                                                        check=False))
        runs[name] = (r, t)
        print(f"   {name:6}: {t:6.1f} s, exit {r.returncode}")
    (a, ta), (b, tb) = runs["serial"], runs["-j 2"]
    same = untimed(a.stdout) == untimed(b.stdout) and untimed(a.stderr) == untimed(b.stderr) and \
        a.returncode == b.returncode
    print(f"   -j 2 / serial: {tb / ta:.2f}; outputs identical apart from times: {same}")
    each = [float(t) for t in re.findall(r", (\d+\.\d\d)s\)$", a.stderr, re.MULTILINE)]
    free = [0.0, 0.0]                       # the pool's order: the next claim to the worker free first
    for t in each:
        free[free.index(min(free))] += t
    print(f"   the serial run's claim times ({sum(each):.1f} s in all, the longest {max(each, default=0):.1f} s) "
          f"shared out so on 2 idle cores: {max(free):.1f} s, {max(free) / max(sum(each), 1e-9):.2f} of their sum")


def lipschitz(d, k, budget):
    """Section 3: the serial loop, the queue in this process and on a pool of 2 (started before the clock)."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from bench_lipschitz import net

    from exactmem import box
    from exactmem.lipschitz import lipschitz_constant
    print(f"3. Lipschitz branch and bound d = {d}, k = {k} (Lip_2 on [-1, 1]^{d}, bench_lipschitz's network)" +
          ("" if budget is None else f", budget {budget:g} s per run"))
    f, S = net(100 * d + k, d, k), box([-1] * d, [1] * d)
    runs = {}
    runs["serial loop"] = timed(lambda: lipschitz_constant(f, 2, S, budget))
    runs["queue, serial"] = timed(lambda: lipschitz_constant(f, 2, S, budget, executor=parallel.Serial()))
    with parallel.Pool(2) as pool:
        _, start = timed(lambda: list(pool.map(len, ["warm", "up"])))
        runs["queue, pool 2"] = timed(lambda: lipschitz_constant(f, 2, S, budget, executor=pool))
        for name, (L, t) in runs.items():
            state = "exact" if L.is_exact else L.stopped or "not exact"
            print(f"   {name:14} {t:8.2f} s  {L.regions:7} regions  {state}, Lip^2 in [{float(L.lower_sq):.6g}, "
                  f"{float(L.upper_sq):.6g}], kernel {L.verdict.status.value}")
        (a, ta), (b, tb), (c, tc) = runs.values()
        _, tk = timed(lambda: kernel.check(c.certificate))
        _, ts = timed(lambda: cpar.check(c.certificate, pool))
    print(f"   the kernel's check of the certificate: whole in one process {tk:.2f} s, in 2 shares on the pool "
          f"{ts:.2f} s (pool start {start:.2f} s, not counted)")
    print(f"   serial loop / pool 2: {ta / tc:.2f}x;  queue serial / pool 2: {tb / tc:.2f}x;  "
          f"queue serial / serial loop: {tb / ta:.2f}")
    print(f"   the searches alone (each run less its check): serial loop {ta - tk:.2f} s, queue serial {tb - tk:.2f} s, "
          f"pool 2 {tc - ts:.2f} s: serial loop / pool 2 {(ta - tk) / (tc - ts):.2f}x; regions pool / serial loop "
          f"{c.regions / a.regions:.4f}")
    same = json.dumps(b.certificate) == json.dumps(c.certificate)
    agree = (a.lower_sq, a.upper_sq) == (b.lower_sq, b.upper_sq) == (c.lower_sq, c.upper_sq)
    print(f"   the same interval (all three): {agree}; queue certificates serial / pool 2 the same bytes: {same}" +
          ("" if budget is None else " (with a budget neither need hold: each run stops by the clock)"))


def regions(d, k):
    """Section 4: cover.search, the queue in this process and on a pool of 2 (started before the clock)."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from bench_lipschitz import net

    from exactmem.analysis import cover, cover_queue
    from exactmem.analysis.ask import _atom, _doc, box
    print(f"4. region engine d = {d}, k = {k} (f > t on [-1, 1]^{d}, bench_lipschitz's network)")
    f = net(200 * d + k, d, k)
    ws, bs = f.to_numpy()
    X = np.random.default_rng(0).uniform(-1, 1, (20000, d))
    v = (np.maximum(X @ ws[0].T + bs[0].ravel(), 0) @ ws[1].T + bs[1].ravel()).ravel()
    t = Fraction(int(np.floor((v.min() - 0.5 * (v.max() - v.min()) - 1) * 64)), 64)
    doc = _doc(f, "f > t", [{"set": box([-1] * d, [1] * d).spec, "goal": [[_atom([1], -t, True)]]}])
    _, layers, qs = parsed = kernel.regions.questions(doc)
    runs = {"cover.search": timed(lambda: cover.search(layers, *qs[0]))}
    runs["queue, serial"] = timed(lambda: cover_queue.search(doc, 0, parallel.Serial(), parsed=parsed))
    with parallel.Pool(2) as pool:
        _, start = timed(lambda: list(pool.map(len, ["warm", "up"])))
        runs["queue, pool 2"] = timed(lambda: cover_queue.search(doc, 0, pool, parsed=parsed))
    for name, (out, t_) in runs.items():
        size = f"{len(out[1]):7} nodes" if out[0] == "proved" else str(out[1:])[:60]
        print(f"   {name:14} {t_:8.2f} s  {out[0]}, {size}")
    (a, ta), (b, tb), (c, tc) = runs.values()
    if a[0] == "proved":
        cert = kernel.sign({**doc, "hints": {"trees": [c[1]]}})
        v, tk = timed(lambda: kernel.check(cert))
        print(f"   the kernel's check of the pool's certificate: {v.status.value}, {tk:.2f} s (in the parent; "
              f"pool start {start:.2f} s, not counted)")
    print(f"   cover.search / pool 2: {ta / tc:.2f}x;  queue serial / pool 2: {tb / tc:.2f}x;  "
          f"queue serial / cover.search: {tb / ta:.2f}")
    same = json.dumps(a) == json.dumps(b) == json.dumps(c)
    print(f"   the three answers (trees) the same bytes: {same}")


def vnnlib_clause(clause):
    """Section 5: bab.search, the queue in this process and on a pool of 2 (started before the clock)."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from settle_by_clause import ROOT, _split, one_clause
    from settle_by_clause import certificate as clause_certificate

    from exactmem.analysis import bab, bab_queue
    if not os.path.isdir(ROOT):
        print(f"5. skipped: no VNN-COMP 2021 files in {ROOT}")
        return
    print(f"5. linear-bounds branch and bound: mnistfc property 1 at eps = 0.03, clause {clause}")
    split, d, layers, qs = _split("1", "0.03")
    S, goal = qs[clause]
    one = one_clause(split, clause)
    parsed = kernel.regions.questions(one)
    text = json.dumps(one, sort_keys=True, separators=(",", ":"))
    bab.MARGIN[0] = 1e-6
    runs = {"bab.search": timed(lambda: bab.search(layers, d, S, goal, None, max_leaves=200000))}
    runs["queue, serial"] = timed(lambda: bab_queue.search(one, 0, parallel.Serial(), max_leaves=200000,
                                                           parsed=parsed, text=text))
    with parallel.Pool(2) as pool:
        _, start = timed(lambda: list(pool.map(len, ["warm", "up"])))
        runs["queue, pool 2"] = timed(lambda: bab_queue.search(one, 0, pool, max_leaves=200000, parsed=parsed,
                                                               text=text))
    for name, (out, t_) in runs.items():
        print(f"   {name:14} {t_:8.2f} s  {out[0]}, {out[2] if len(out) > 2 else '?'} leaves")
    (_, ta), (b, tb), (c, tc) = runs.values()
    if c[0] == "proved":
        cert = clause_certificate(one, [c[1]])
        v, tk = timed(lambda: kernel.check(cert))
        print(f"   the kernel's check of the pool's tree: {v.status.value}, {tk:.2f} s (pool start {start:.2f} s, "
              f"not counted)")
    print(f"   bab.search / pool 2: {ta / tc:.2f}x;  queue serial / pool 2: {tb / tc:.2f}x;  "
          f"queue serial / bab.search: {tb / ta:.2f}")
    print(f"   the two queue trees the same bytes: {json.dumps(b) == json.dumps(c)}")


def vnnlib_tree(clause):
    """Section 6: the kernel's check of a kept clause tree, whole and in 2 shares on a pool of 2 (one run each:
    a minute or more)."""
    import gzip
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from settle_by_clause import ROOT, _split, one_clause
    from settle_by_clause import certificate as clause_certificate
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results", "disputed", "mnistfc_prop_1_0.03",
                        f"clause_{clause}.json.gz")
    if not os.path.isdir(ROOT) or not os.path.exists(path):
        print(f"6. skipped: no VNN-COMP 2021 files in {ROOT}, or no tree {path}")
        return
    with gzip.open(path, "rt") as fh:
        kept = json.load(fh)
    split, _, _, _ = _split("1", "0.03")
    text = json.dumps(clause_certificate(one_clause(split, clause), [kept["tree"]]), separators=(",", ":"))
    print(f"6. kernel check of a linear-bounds certificate: mnistfc property 1 at eps = 0.03, clause {clause}, "
          f"{kept['leaves']} leaves, {len(text) / 1e6:.2f} MB of JSON")
    v, whole = timed(lambda: kernel.check(text))
    assert v.is_proved, v
    print(f"   whole, in this process:        {whole:7.2f} s")
    with parallel.Pool(2) as pool:
        _, start = timed(lambda: list(pool.map(len, ["warm", "up"])))
        v2, two = timed(lambda: cpar.check(text, pool))
        assert v2.is_proved, v2
    print(f"   2 shares, local pool of 2:     {two:7.2f} s   (pool start {start:.2f} s, not counted)")
    print(f"   speed-up 1 -> 2 workers:       {whole / two:7.2f}x")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__[__doc__.index("1."):])
    ap.add_argument("--N", type=int, default=4000, help="points of the robust certificate (default 4000)")
    ap.add_argument("--d", type=int, default=8, help="their dimension (default 8)")
    ap.add_argument("--repeat", type=int, default=2, help="best of this many runs per timing (default 2)")
    ap.add_argument("--no-dask", action="store_true", help="leave out the Dask LocalCluster")
    ap.add_argument("--claims", metavar="PATTERN", default="",
                    help="time exactmem check -k PATTERN (default: every claim, about 3 minutes for both runs)")
    ap.add_argument("--no-claims", action="store_true", help="leave out exactmem check")
    ap.add_argument("--quick", action="store_true", help="N = 1000 and exactmem check -k KMY25.LemB")
    ap.add_argument("--lipschitz-only", action="store_true", help="run only section 3, the Lipschitz branch and bound")
    ap.add_argument("--no-lipschitz", action="store_true", help="leave out section 3")
    ap.add_argument("--lip-d", type=int, default=6, help="section 3: the input dimension d (default 6)")
    ap.add_argument("--lip-k", type=int, default=40, help="section 3: the hidden width k (default 40)")
    ap.add_argument("--lip-budget", type=float, metavar="S", help="section 3: stop each run after S seconds (a "
                    "certified interval; to try the section quickly)")
    ap.add_argument("--regions-only", action="store_true", help="run only section 4, the region engine")
    ap.add_argument("--queues-only", action="store_true", help="run only sections 3 and 4, the two work-queues")
    ap.add_argument("--no-regions", action="store_true", help="leave out section 4")
    ap.add_argument("--reg-d", type=int, default=4, help="section 4: the input dimension d (default 4)")
    ap.add_argument("--reg-k", type=int, default=20, help="section 4: the hidden width k (default 20)")
    ap.add_argument("--vnnlib-only", action="store_true", help="run only section 5, a hard VNN-COMP clause")
    ap.add_argument("--no-vnnlib", action="store_true", help="leave out section 5")
    ap.add_argument("--vnn-clause", type=int, default=1, help="section 5: the clause of mnistfc's property 1 "
                    "at 0.03 (default 1)")
    ap.add_argument("--tree-only", action="store_true", help="run only section 6, the kernel's check of a clause tree")
    ap.add_argument("--no-tree", action="store_true", help="leave out section 6")
    ap.add_argument("--vnn-tree", type=int, default=1, help="section 6: the clause whose kept tree is checked "
                    "(default 1)")
    args = ap.parse_args(argv)
    if args.quick:
        args.N, args.claims = min(args.N, 1000), args.claims or "KMY25.LemB"
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
    only = args.lipschitz_only or args.regions_only or args.queues_only or args.vnnlib_only or args.tree_only
    if not only:
        kernel_check(args.N, args.d, not args.no_dask, args.repeat)
        if not args.no_claims:
            claims(args.claims)
    if args.queues_only:
        args.lipschitz_only = args.regions_only = args.vnnlib_only = True
    if args.lipschitz_only or (not only and not args.no_lipschitz):
        print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        lipschitz(args.lip_d, args.lip_k, args.lip_budget)
    if args.regions_only or (not only and not args.no_regions):
        print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        regions(args.reg_d, args.reg_k)
    if args.vnnlib_only or (not only and not args.no_vnnlib):
        print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        vnnlib_clause(args.vnn_clause)
    if args.tree_only or (not only and not args.no_tree):
        print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        vnnlib_tree(args.vnn_tree)
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
