"""The ``exactmem`` command: ``check`` (run the registered claims), ``verify`` (check certificates),
``robust`` (decide robust memorization for any network), ``lipschitz`` (exact Lipschitz constants), ``law`` (the law of robustness), ``vnnlib`` (decide a VNN-LIB property), ``bounds`` (the bound registry) and ``sizes``
(the size report)."""
from __future__ import annotations

import argparse
import json
import sys

from .errors import ExactmemError


def _cmd_check(args) -> int:
    from . import claims
    claims.discover("proofs")
    if args.list:
        for c in claims.select(args.k):
            print(f"{c.id}\t{c.statement}")
        return 0
    results = claims.run_all(full=args.full, pattern=args.k, progress=sys.stderr)
    if not results:
        print("no claims matched", file=sys.stderr)
        return 2
    print(claims.summary_table(results))
    if any(r.verdict.is_refuted for r in results):
        return 1
    if args.strict and any(r.verdict.is_undecided for r in results):
        return 1
    return 0


def _cmd_verify(args) -> int:
    from .certify import check
    from .progress import Progress
    tied = any(v is not None for v in (args.dataset, args.network, args.rho, args.p, args.eta))
    if tied and len(args.certificates) != 1:
        raise ExactmemError("--dataset/--network/--rho/--p/--eta tie the check to one certificate; give one")
    status = 0
    for path in args.certificates:
        try:
            with Progress(f"{path}: analysing", unit="layers") as bar:
                if tied:
                    v = _verify_tied(path, args, bar.update)
                else:
                    v = check(path, progress=bar.update)
        except ExactmemError as e:
            print(f"{path}: MALFORMED: {e}")
            status = max(status, 2)
            continue
        print(f"{path}: {v}")
        if "max_error_bound" in v.details:
            print(f"    proved error bound: {v.details['max_error_bound']} (~{float(v.details['max_error_bound']):.3g})")
        if not v.is_proved:
            status = max(status, 1)
    return status


def load_network(path):
    """A network from an exactmem JSON file, an ONNX model (.onnx), an NNet file (.nnet) or a PyTorch
    state_dict (.pt, .pth)."""
    from .importers import from_nnet, from_onnx, from_torch
    from .network import ReLUNet
    low = str(path).lower()
    return from_onnx(path) if low.endswith(".onnx") else from_nnet(path) if low.endswith(".nnet") else \
        from_torch(path) if low.endswith((".pt", ".pth")) else ReLUNet.from_json(path)


def _cmd_robust(args) -> int:
    from .data import Dataset
    from .robust import robustly_memorizes
    net, D = load_network(args.network), Dataset.from_json(args.dataset)
    v = robustly_memorizes(net, D, args.rho, p=args.p, semantics=args.semantics, budget=_seconds(args.budget))
    print(v)
    if v.is_refuted:
        print(f"    witness: ball {v.witness['ball']}, x = [{', '.join(v.witness['x'])}], "
              f"output = [{', '.join(v.witness['output'])}]")
    if v.is_proved and args.out:
        _write(args.out, json.dumps(v.details["certificate"]), "the certificate")
        print(f"    certificate written to {args.out} (re-check: exactmem verify {args.out})")
    return 0 if v.is_proved else 1


def _cmd_lipschitz(args) -> int:
    from .analysis.ask import ball, box
    from .exact import show
    from .lipschitz import lipschitz_constant, path_bound, product_bound
    net = load_network(args.network)
    if (args.box is not None and args.ball is not None) or (args.ball is not None) != (args.radius is not None):
        raise ExactmemError("give at most one set: --box=LO:HI,LO:HI,... (one interval per coordinate) or "
                            "--ball=X1,X2,... with --radius R (neither: all of R^d)")
    region, where = None, "R^d"
    if args.box is not None:
        pairs = [t.split(":") for t in args.box.split(",")]
        if not all(len(t) == 2 for t in pairs):
            raise ExactmemError(f"--box needs LO:HI for every coordinate, got {args.box!r}")
        region, where = box([a for a, _ in pairs], [b for _, b in pairs]), "the box"
    elif args.ball is not None:
        region, where = ball(args.ball.split(","), args.radius, p=args.p), "the ball"
    L = lipschitz_constant(net, args.p, region, _seconds(args.budget))
    sq = "^2" if L.p == 2 else ""
    lo, hi = (L.lower_sq, L.upper_sq) if sq else (L.lower, L.upper)
    what = f"Lip_{args.p}{sq}" + (f" ({net.output_dim} outputs, l_{args.p} operator norm)" if net.output_dim > 1 else "")
    print(f"{L.verdict.status.value}: {what} on {where}: " +
          (f"= {show(hi)} (exact)" if lo == hi and L.is_exact else f"in [{show(lo)}, {show(hi)}]") +
          f"  ({L.regions} regions)")
    if sq:
        print(f"    Lip_2 in [{show(L.lower)}, {show(L.upper)}] (rational enclosure)")
    if L.attained and lo != hi:
        print("    attained at the point below: Lip_2^2 is the largest eigenvalue of J^T J there (an algebraic number)")
    if L.stopped:
        print(f"    {L.stopped}: the interval is certified, the constant not decided")
    print(f"    {L.verdict.reason}")
    for bnd in (product_bound(net, args.p), path_bound(net, args.p)):
        print(f"    certified upper bound on {'Lip^2' if sq else 'Lip'} over R^d, {bnd.method}: {show(bnd.value)}")
    if L.point is not None:
        print(f"    steepest region found at the interior point [{', '.join(map(str, L.point))}]")
    if L.certificate is not None and args.out:
        _write(args.out, json.dumps(L.certificate), "the certificate")
        print(f"    certificate written to {args.out} (re-check: exactmem verify {args.out})")
    return 0 if L.verdict.is_proved else 1


def _seconds(text):
    if text is None:
        return None
    try:
        budget = float(text)
    except ValueError:
        budget = -1.0
    if not budget > 0 or budget != budget or budget == float("inf"):
        raise ExactmemError(f"--budget must be a positive number of seconds, got {text!r}")
    return budget


def _write(path, text, what):
    try:
        with open(path, "w") as fh:
            fh.write(text)
    except OSError as e:
        raise ExactmemError(f"cannot write {what} {path!r}: {e}") from None


def _cmd_vnnlib(args) -> int:
    from . import vnnlib
    net, prop = load_network(args.network), vnnlib.read(args.property)
    r = vnnlib.decide(net, prop, _seconds(args.budget))
    print(f"{r.status}: {r.reason}")
    if r.status == "sat":
        show = (lambda v: ", ".join(vnnlib.decimal(t) if vnnlib._places(t) is not None else str(t) for t in v))
        print(f"    x = [{show(r.x)}]\n    y = [{show(r.y)}]")
    if args.out:
        _write(args.out, r.vnncomp(), "the result")
    cert = args.cert or (args.out + ".cert.json" if args.out else None)
    if r.status == "unsat" and cert and r.certificate is not None:
        _write(cert, json.dumps(r.certificate), "the certificate")
        print(f"    certificate written to {cert} (re-check: exactmem verify {cert})")
    return 0 if r.status in ("sat", "unsat") else 1


def _verify_tied(path, args, progress):
    """verify(net, D, rho, cert, p, eta) with the objects from the user's own files (defaults: the certificate's)."""
    from . import kernel
    from .data import Dataset
    from .memorize import verify
    from .network import ReLUNet
    doc = kernel.read(path)
    D = Dataset.from_json(args.dataset) if args.dataset else _dataset_of(doc)
    net = ReLUNet.from_json(args.network) if args.network else ReLUNet.from_json(doc.get("network"))
    data = doc.get("data") if isinstance(doc.get("data"), dict) else {}
    rho = args.rho if args.rho is not None else data.get("rho")
    p = args.p if args.p is not None else data.get("p", "2")
    return verify(net, D, rho, doc, p=p, eta=args.eta, progress=progress)


def _dataset_of(doc):
    from .data import Dataset
    ds = doc.get("dataset")
    if not isinstance(ds, dict):
        raise ExactmemError("the certificate has no dataset")
    return Dataset(ds.get("points"), ds.get("labels"))


def _cmd_bounds(args) -> int:
    from . import bounds
    if args.bounds_command == "table":
        text = bounds.table(args.which, args.format, args.standalone)
        if args.out:
            try:
                with open(args.out, "w") as fh:
                    fh.write(text)
            except OSError as e:
                raise bounds.BoundError(f"cannot write {args.out!r}: {e}") from None
            print(args.out)
        else:
            print(text)
        return 0
    if args.bounds_command == "plot":
        from .bounds.figure import plot
        for f in plot(args.N, args.d, args.out):
            print(f)
        return 0
    if args.bounds_command == "eval":
        print(bounds.evaluate(args.id, args.N, args.d, args.rho, args.p))
        return 0
    if args.bounds_command == "list":
        for b in sorted(bounds.select(), key=lambda b: b.id):
            print(f"{b.id}\t{b.kind} {b.quantity} ({b.norm}) {b.text()} on rho in {b.interval.text()}\t[{b.source}]")
        return 0
    results = bounds.run_all()
    status = 0
    for key, (cid, statement, _) in bounds.CHECKS.items():
        v = results[key]
        print(f"({key}) {cid}: {v.status.value}\n    {statement}\n    {v.reason}")
        if v.is_refuted:
            status = 1
    return status


def _cmd_law(args) -> int:
    """``exactmem law table`` (the laws of robustness as bounds) and ``exactmem law experiment`` (the sqrt(n/k)
    experiment); the work is done in ``bounds.law_tables`` and ``lipschitz.experiment``."""
    if args.law_command == "table":
        from .bounds.law_tables import law_table
        text = law_table(args.format, args.standalone)
        if args.out:
            _write(args.out, text, "the table")
            print(args.out)
        else:
            print(text)
        return 0
    from .lipschitz.experiment import run_command
    return run_command(args)


def _positive_ints(text: str, what: str) -> list:
    try:
        vals = [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise ExactmemError(f"{what} must be a comma-separated list of positive integers, got {text!r}") from None
    if not vals or any(v < 2 for v in vals):
        raise ExactmemError(f"{what} must list integers >= 2, got {text!r}")
    return vals


def _cmd_sizes(args) -> int:
    from . import sizes
    Ns, ds = _positive_ints(args.N, "--N"), _positive_ints(args.d, "--d")

    def log(r):
        print(f"N={r['N']} d={r['d']} {r['regime']} rho={r['rho']}: {r['planned_params']:,} params"
              f"{' (built)' if r['built'] else ''}", file=sys.stderr, flush=True)
    rows = sizes.size_rows(Ns, ds, build_limit=args.build_limit, log=log)
    text = sizes.markdown(rows, sizes.exponents(rows))
    if args.out:
        try:
            with open(args.out, "w") as fh:
                fh.write(text)
        except OSError as e:
            raise ExactmemError(f"cannot write {args.out!r}: {e}") from None
    else:
        print(text)
    if args.plot:
        N, d = (int(v) for v in args.plot_at.split(","))
        sizes.plot(rows, N, d, args.plot)
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="exactmem", description="Exact checks of robust memorization in ReLU nets")
    sub = p.add_subparsers(dest="command", required=True)
    c = sub.add_parser("check", help="run the registered claims of proofs/ and print a summary table")
    c.add_argument("--full", action="store_true", help="also run the slow instance families")
    c.add_argument("-k", metavar="PATTERN", help="only claims whose id or statement contains PATTERN")
    c.add_argument("--list", action="store_true", help="list the claims and exit")
    c.add_argument("--strict", action="store_true", help="exit non-zero on UNDECIDED too")
    c.set_defaults(func=_cmd_check)
    v = sub.add_parser("verify", help="re-check certificate files with the kernel")
    v.add_argument("certificates", nargs="+", metavar="CERT.json")
    v.add_argument("--dataset", metavar="D.json", help="the dataset the claim must be about (exactmem.dataset JSON)")
    v.add_argument("--network", metavar="NET.json", help="the network the claim must be about (exactmem.relunet JSON)")
    v.add_argument("--rho", help="prove robustness at this ratio (at most the certificate's)")
    v.add_argument("--p", help="the norm the claim must be about: 1, 2 or inf")
    v.add_argument("--eta", help="error bound to prove (moderate regime); default: the certificate's")
    v.set_defaults(func=_cmd_verify)
    r = sub.add_parser("robust", help="decide exactly whether a network robustly memorizes a dataset")
    r.add_argument("network", metavar="NET", help="exactmem network JSON, .onnx or .nnet")
    r.add_argument("dataset", metavar="DATA.json", help="exactmem dataset JSON")
    r.add_argument("--rho", required=True, help="the robustness ratio, in (0, 1)")
    r.add_argument("--p", default="2", help="the norm: 1, 2 or inf (default 2)")
    r.add_argument("--semantics", default="label", help="label (default), argmax or sign")
    r.add_argument("--budget", help="seconds before the answer is UNDECIDED")
    r.add_argument("--out", metavar="CERT.json", help="write the certificate here when PROVED")
    r.set_defaults(func=_cmd_robust)
    z = sub.add_parser("lipschitz", help="the exact Lipschitz constant of a network on R^d, a box or a ball")
    z.add_argument("network", metavar="NET", help="exactmem network JSON, .onnx, .nnet or .pt")
    z.add_argument("--p", default="2", help="the input norm: 1, 2 or inf (default 2; the gradient in the dual norm)")
    z.add_argument("--box", metavar="LO:HI,...", help="the box, one interval per coordinate: --box=-1:1,0:1/2")
    z.add_argument("--ball", metavar="X1,X2,...", help="the centre of a closed l_p ball (with --radius); with "
                                                      "neither --box nor --ball: all of R^d")
    z.add_argument("--radius", help="the ball's radius")
    z.add_argument("--budget", help="seconds; then the best certified interval so far")
    z.add_argument("--out", metavar="CERT.json", help="write the certificate here")
    z.set_defaults(func=_cmd_lipschitz)
    n = sub.add_parser("vnnlib", help="decide a VNN-LIB property exactly (sat with an exact point, unsat with a "
                                      "certificate)")
    n.add_argument("network", metavar="NET", help=".onnx, .nnet or exactmem network JSON")
    n.add_argument("property", metavar="PROP.vnnlib")
    n.add_argument("--out", metavar="RESULT", help="write the result in VNN-COMP's format here")
    n.add_argument("--cert", metavar="CERT.json", help="write the certificate of unsat here (default RESULT.cert.json)")
    n.add_argument("--budget", help="seconds before the answer is timeout")
    n.set_defaults(func=_cmd_vnnlib)
    b = sub.add_parser("bounds", help="the bound registry: tables, figure, checks, evaluation")
    bsub = b.add_subparsers(dest="bounds_command", required=True)
    t = bsub.add_parser("table", help="emit a table (l2, B1, table1) as LaTeX or Markdown")
    t.add_argument("--which", default="l2", help="l2 | B1 | table1 (default l2)")
    t.add_argument("--format", default="latex", help="latex | markdown (default latex)")
    t.add_argument("--standalone", action="store_true", help="a complete LaTeX document")
    t.add_argument("--out", help="write to this file instead of standard output")
    pl = bsub.add_parser("plot", help="the paper's Figure 1 for given N and d (PNG and/or PDF)")
    pl.add_argument("--N", type=int, required=True)
    pl.add_argument("--d", type=int, required=True)
    pl.add_argument("--out", required=True, help="FILE.png, FILE.pdf, or a stem for both")
    bsub.add_parser("check", help="run checks (a)-(f) and print their verdicts")
    bsub.add_parser("list", help="list every registered bound")
    ev = bsub.add_parser("eval", help="evaluate one bound exactly (polylogs dropped)")
    ev.add_argument("id")
    ev.add_argument("--N", type=int, required=True)
    ev.add_argument("--d", type=int, required=True)
    ev.add_argument("--rho")
    ev.add_argument("--p")
    b.set_defaults(func=_cmd_bounds)
    w = sub.add_parser("law", help="the law of robustness: the laws as bounds, and the sqrt(n/k) experiment")
    wsub = w.add_subparsers(dest="law_command", required=True)
    wt = wsub.add_parser("table", help="the laws of robustness (BLN, Bubeck-Sellke, Yang et al., Husain-Balle) as a "
                                       "LaTeX or Markdown table")
    wt.add_argument("--format", default="latex", help="latex | markdown (default latex)")
    wt.add_argument("--standalone", action="store_true", help="a complete LaTeX document")
    wt.add_argument("--out", help="write to this file instead of standard output")
    we = wsub.add_parser("experiment", help="interpolate random labels on the sphere with width-k networks and compare "
                                            "their exact Lipschitz constants with sqrt(n/k)")
    we.add_argument("--n", default="8", help="comma-separated numbers of points (default 8)")
    we.add_argument("--d", default="2", help="comma-separated dimensions (default 2)")
    we.add_argument("--k", default="8", help="comma-separated widths (default 8)")
    we.add_argument("--seed", default="0", help="seed of the points, labels and training (default 0)")
    we.add_argument("--budget", help="seconds per exact Lipschitz constant; beyond it, certified bounds")
    we.add_argument("--plot", metavar="F.png", help="draw the figure to this file")
    we.add_argument("--out", metavar="F.md", help="write the Markdown table here instead of standard output")
    we.add_argument("--json", metavar="F.json", help="write every row, exact values as strings, here")
    we.add_argument("--family", default="trained,constructed",
                    help="trained (float training, then an exact correction) and/or constructed (one unit per "
                         "point); default both")
    we.add_argument("--steps", default="2000", help="Adam steps of the training before L-BFGS (default 2000)")
    w.set_defaults(func=_cmd_law)
    z = sub.add_parser("sizes", help="sizes of the constructions against Theorem 4.2 (table, exponents, figure)")
    z.add_argument("--N", default="100,1000,10000", help="comma-separated N values (default 100,1000,10000)")
    z.add_argument("--d", default="2,16,64,784", help="comma-separated d values (default 2,16,64,784)")
    z.add_argument("--build-limit", type=int, default=2 * 10 ** 6,
                   help="build networks with at most this many planned parameters (default 2,000,000)")
    z.add_argument("--out", help="write the Markdown report here instead of standard output")
    z.add_argument("--plot", help="also draw measured sizes over Figure 1's curves to this file")
    z.add_argument("--plot-at", default="1000,16", help="N,d of the figure (default 1000,16)")
    z.set_defaults(func=_cmd_sizes)
    return p


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except ExactmemError as e:
        print(f"exactmem: error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
