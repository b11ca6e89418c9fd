"""The ``exactmem`` command: ``check`` (run the registered claims), ``verify`` (check certificates),
``robust`` (decide robust memorization for any network), ``vnnlib`` (decide a VNN-LIB property), ``bounds`` (the bound registry) and ``sizes``
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
