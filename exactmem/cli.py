"""The ``exactmem`` command: ``check`` (run claims from proofs/ or any package), ``report`` (status reports of
claims), ``verify`` (check certificates), ``robust`` (decide robust memorization for any network),
``radius`` (certified radii around data points), ``lipschitz`` (exact Lipschitz constants), ``law`` (the law of
robustness), ``vnnlib`` (decide a VNN-LIB property), ``bounds`` (the bound registry) and ``sizes`` (the size report)."""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import sys

from .errors import ExactmemError, OptionError, ParallelError


def _claim_modules(args):
    """Import the claims of every --from SOURCE (a module, package, directory or .py file) and return the
    modules they live in; without --from, import proofs/ and every installed ``exactmem.claims`` entry point
    and return None (every registered claim)."""
    from . import claims
    if not args.sources:
        claims.discover("proofs")
        claims.discover_entry_points()
        return None
    modules = []
    for source in args.sources:
        modules += claims.discover(source)
    return tuple(modules)


def _cmd_check(args) -> int:
    from . import claims
    from .claims.runner import claim_json, describe_claim
    selected = claims.select(args.k, args.tag, _claim_modules(args))
    if not selected:
        print("no claims matched", file=sys.stderr)
        return 2
    if args.list:
        if args.json is not None:
            _emit_json(args.json, [claim_json(c) for c in selected], "the claim list")
        else:
            for c in selected:
                print(describe_claim(c) if args.verbose else f"{c.id}\t{c.statement}")
        return 0
    with _executor(args) as ex:
        results = claims.run_shown(selected, args.full, args.verbose, executor=_with_workers(ex))
    if args.json is not None:
        _emit_json(args.json, claims.to_json(results, args.full), "the claim results")
    from .claims.runner import exit_status, undecided_lines
    if args.json != "-":
        table = claims.summary_table(results, verbose=args.verbose, strict=args.strict)
        print(_readable(table) if args.verbose else table)       # -v: decimals beside long fractions
    else:                                       # standard output is the JSON: the undecided ones on stderr
        for line in undecided_lines(results, args.strict):
            print(line, file=sys.stderr)
    return exit_status(results, args.strict)   # 1: REFUTED, or UNDECIDED not allowed by may_be_undecided


def _emit_json(dest, doc, what):
    text = json.dumps(doc, indent=1, ensure_ascii=False)
    if dest == "-":
        print(text)
    else:
        _write(dest, text + "\n", what)


def _cmd_report(args) -> int:
    from . import claims
    from .claims import report
    if args.results:
        if args.sources or args.full:
            raise ExactmemError("--results reports a run kept earlier; --from and --full choose claims to run: "
                                "give one or the other")
        doc = report.select(report.load(args.results), args.k, args.tag)
    else:
        selected = claims.select(args.k, args.tag, _claim_modules(args))
        doc = claims.to_json(claims.run_shown(selected, args.full), args.full)
    if not doc["claims"]:
        print("no claims matched", file=sys.stderr)
        return 2
    formats = [f.strip() for f in args.format.split(",") if f.strip()]
    for path in report.write(doc, args.out, formats, standalone=not args.fragment):
        print(path)
    print(report.summary_line(doc))
    if report.skipped_line(doc):
        print(report.skipped_line(doc))
    for line in report.undecided_lines(doc):
        print(line)
    return report.exit_status(doc)


def _cmd_verify(args) -> int:
    from .progress import Progress
    tied = any(v is not None for v in (args.dataset, args.network, args.rho, args.radius, args.p, args.eta))
    if tied and len(args.certificates) != 1:
        raise ExactmemError("--dataset/--network/--rho/--radius/--p/--eta tie the check to one certificate; give one")
    if not tied and (args.label_column is not None or args.labels_from is not None):
        raise ExactmemError("--label-column/--labels-from read the file of --dataset; give --dataset")
    given = _tied_options(args) if tied else None
    files = {"network": args.network, "dataset": args.dataset}
    status = 0
    with _executor(args) as ex:
        for path in args.certificates:
            try:
                with Progress(f"{path}: analysing", unit="layers" if ex.name == "serial" else "shares") as bar:
                    answer, v, lines = _verify_one(path, given, files, bar.update, ex)
            except (OptionError, ParallelError):
                raise                           # an option that does not apply, or no workers: exit 2
            except ExactmemError as e:
                print(f"{path}: MALFORMED: {e}")
                status = max(status, 2)
                continue
            status = max(status, _show(path, answer, v, lines))
    return status


def _show(path, answer, v, lines) -> int:
    print(f"{path}: {answer}")
    for line in lines:
        print(f"    {_readable(line)}")
    return 1 if answer.startswith("PROVES LESS") or not v.is_proved else 0


def _executor(args):
    """The executor of -j/--jobs and --scheduler (``exactmem.parallel``): in this process unless asked."""
    from .parallel import executor
    return executor(args.jobs, args.scheduler)


def _with_workers(ex):
    """``parallel.with_workers``: the executor when it has worker processes, else None (the serial path)."""
    from .parallel import with_workers
    return with_workers(ex)



def _verify_one(path, given, files, progress, ex=None):
    """(the answer line, the kernel's verdict, lines naming what was proved) for one certificate file; with an
    executor other than the serial one the kernel checks it in shares (``certify.parallel``)."""
    from . import kernel
    from .certify import check, parallel
    from .exact import show
    from .proves import Tie, describe, tie
    doc = kernel.read(path)
    t = tie(doc, **given) if given is not None else Tie(doc)
    target = t.doc if t.less is None else doc
    if _with_workers(ex) is not None:
        v = parallel.check(target, ex, rho=t.rho, eta=t.eta, progress=progress)
    else:
        v = check(target, rho=t.rho, eta=t.eta, progress=progress)
    try:
        lines = describe(doc, {k: f for k, f in files.items() if given is not None and f}, None if t.less else t.asked)
    except ExactmemError as e:             # the kernel read it; only naming it in a user's terms failed
        lines = [f"(what it is about cannot be named here: {e})"]
    if "max_error_bound" in v.details:
        lines.append(f"proved error bound: {show(v.details['max_error_bound'])}")
    if doc["kind"] == "lipschitz" and v.is_proved and not v.details.get("attained") and \
            v.details.get("lower") != v.details.get("upper"):
        lines.append("a certified interval: the Lipschitz constant lies in it, its value is not decided")
    if "share" in doc:
        sh = doc["share"]
        return f"PROVES LESS: a share of certificate {str(sh['of'])[:12]}: {_readable(str(v))}", v, lines
    if t.less is not None:
        what = "that much the kernel proves" if v.is_proved else f"and even that is {v.status.value}: {v.reason}"
        return f"PROVES LESS: {t.less} ({what})", v, lines
    return _readable(str(v)), v, lines


_FRACTION = re.compile(r"(?<![\w./])-?\d+/\d+(?![\w/.])(?! \(?≈)")     # not one with a decimal already


def _readable(text: str, longest: int = 7) -> str:
    """A verdict's text with a decimal after every fraction longer than ``longest`` characters (the exact value
    stays): ``... at most 6646139978924579/10748748341340188 (≈ 0.6183176) < eta``.

    >>> _readable("bound 664613997892457936/1074874834134018842 < eta = 1/100; density 65/40/R_k")
    'bound 664613997892457936/1074874834134018842 (≈ 0.6183176) < eta = 1/100; density 65/40/R_k'
    """
    from .exact import show, to_rational

    def note(m):
        t = m.group(0)
        if len(t) <= longest or t.endswith("/0"):
            return t
        return f"{t} (≈ {show(to_rational(t)).rpartition('≈ ')[2].split(' (exact')[0]})"
    return _FRACTION.sub(note, text)


def _option(name: str, convert, value):
    """``convert(value)``, or an exactmem error naming the option (``None`` stays ``None``)."""
    if value is None:
        return None
    try:
        return convert(value)
    except ExactmemError as e:
        raise ExactmemError(f"{name} {value!r}: {e}") from None


def _eta(text):
    from .errors import RhoError
    from .exact import fmt, to_rational
    eta = to_rational(text)
    if not 0 < eta < 1:
        raise RhoError(f"eta must lie in the open interval (0, 1), got {fmt(eta)}")
    return eta


def _tied_options(args) -> dict:
    """The objects and numbers of ``verify --dataset/--network/--rho/--radius/--p/--eta``, read and checked before
    any certificate is (a bad option is the user's error, not a malformed certificate)."""
    from .norms import check_p, check_rho
    labels = _label_options(args)
    return {"dataset": _option("--dataset", lambda f: load_dataset(f, *labels), args.dataset),
            "network": _option("--network", load_network, args.network),
            "rho": _option("--rho", check_rho, args.rho), "radius": _option("--radius", _radius, args.radius),
            "p": _option("--p", check_p, args.p), "eta": _option("--eta", _eta, args.eta)}


def _radius(text):
    from .errors import RhoError
    from .exact import fmt, to_rational
    r = to_rational(text)
    if not r > 0:
        raise RhoError(f"the radius must be > 0, got {fmt(r)}")
    return r


def _label_options(args) -> tuple:
    """(label column or None, first label) from ``--label-column`` and ``--labels-from``."""
    col, first = getattr(args, "label_column", None), getattr(args, "labels_from", None)
    try:
        col = None if col is None else int(col)
    except ValueError:
        raise ExactmemError(f"--label-column must be an integer (0 the first column, -1 the last), got {col!r}") from None
    try:
        first = 1 if first is None else int(first)
    except ValueError:
        raise ExactmemError(f"--labels-from must be an integer (0 for labels 0..C-1), got {first!r}") from None
    return col, first


def load_dataset(path, label_column=None, labels_from=1):
    """A dataset file: exactmem JSON, CSV (``.csv``) or numpy (``.npy``, ``.npz``), with the command's
    ``--label-column`` (CSV and numpy files only) and ``--labels-from``."""
    from .data import Dataset
    low = str(path).lower()
    if label_column is not None and not low.endswith((".csv", ".npy", ".npz")):
        raise ExactmemError("--label-column applies to .csv, .npy and .npz files; exactmem JSON keeps points and "
                            "labels apart")
    return Dataset.load(path, label_column, labels_from)


def _writable(path, option: str) -> None:
    """Refuse, before any long work, an output file that cannot be written (a folder, a missing folder)."""
    import os
    if path is None:
        return
    if not str(path):
        raise ExactmemError(f"{option} needs a file name")
    if os.path.isdir(path):
        raise ExactmemError(f"{option} {str(path)!r} is a folder; give a file name")
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder) or not os.access(folder, os.W_OK):
        raise ExactmemError(f"{option} {str(path)!r}: cannot write there: the folder {folder!r} does not exist or is "
                            f"not writable")


def _checkpoint_files(args) -> None:
    """--checkpoint writable and --resume an existing file, before any long work."""
    _writable(args.checkpoint, "--checkpoint")
    if args.resume is not None and not os.path.isfile(args.resume):
        raise OptionError(f"--resume {args.resume}: no such file")


@contextlib.contextmanager
def _say_where_on_ctrl_c(args):
    """On Ctrl-C, name the --checkpoint file the search was written to and how to continue it."""
    try:
        yield
    except KeyboardInterrupt:
        if args.checkpoint:
            print(f"exactmem: interrupted; the search so far is in {args.checkpoint} (continue with --resume "
                  f"{args.checkpoint})", file=sys.stderr)
        raise


def load_network(path):
    """A network from an exactmem JSON file, an ONNX model (.onnx), an NNet file (.nnet) or a PyTorch
    state_dict (.pt, .pth)."""
    from .importers import from_nnet, from_onnx, from_torch
    from .network import ReLUNet
    low = str(path).lower()
    return from_onnx(path) if low.endswith(".onnx") else from_nnet(path) if low.endswith(".nnet") else \
        from_torch(path) if low.endswith((".pt", ".pth")) else ReLUNet.from_json(path)


def _cmd_robust(args) -> int:
    from .balls import default_semantics
    from .exact import show
    from .norms import check_p, check_rho
    from .robust import robustly_memorizes
    if (args.rho is None) == (args.radius is None):
        raise ExactmemError("give the balls' size: --rho R (relative to eps_D of the data) or --radius R (absolute), "
                            "one of the two")
    rho, radius = _option("--rho", check_rho, args.rho), _option("--radius", _radius, args.radius)
    p, budget = _option("--p", check_p, args.p), _seconds(args.budget)
    net, D = _network_and_data(args)
    if radius is not None:                              # below eps_D: named before any analysis
        from .balls import Balls
        _option("--radius", lambda r: Balls.from_radius(D, r, p), radius)
    semantics = args.semantics or default_semantics(net.output_dim)
    with _executor(args) as ex, _say_where_on_ctrl_c(args):   # -j N / --scheduler: the searches over workers
        v = robustly_memorizes(net, D, rho, p=p, semantics=semantics, budget=budget, radius=radius,
                               executor=_with_workers(ex), checkpoint=args.checkpoint, resume=args.resume)
    print(_readable(str(v)))
    why = "" if args.semantics else f" (the default for a network with {net.output_dim} output" + \
        ("s)" if net.output_dim > 1 else ")")
    print(f"    balls: {v.details['balls'].text()}, semantics {semantics}{why}")
    if v.is_refuted:
        print(f"    witness: ball {v.witness['ball']}, x = [{', '.join(map(show, v.witness['x']))}], "
              f"output = [{', '.join(map(show, v.witness['output']))}]")
    if v.is_proved and args.out:
        _write(args.out, json.dumps(v.details["certificate"]), "the certificate")
        again = f"exactmem verify {args.out} --network {args.network} --dataset {args.dataset}" + \
            "".join(f" {o} {val}" for o, val in (("--label-column", args.label_column),
                                                  ("--labels-from", args.labels_from)) if val is not None)
        print(f"    certificate written to {args.out} (re-check it against your files: {again})")
    return 0 if v.is_proved else 1


def _network_and_data(args):
    """(network, dataset) of ``robust`` and ``radius``: --semantics and --out checked first, then NET and DATA read
    (with --label-column and --labels-from)."""
    from .balls import SEMANTICS
    if args.semantics is not None and args.semantics not in SEMANTICS:
        raise ExactmemError(f"--semantics must be one of {', '.join(SEMANTICS)}, got {args.semantics!r}")
    _writable(args.out, "--out")
    if getattr(args, "checkpoint", None) is not None or getattr(args, "resume", None) is not None:
        _checkpoint_files(args)
    labels = _label_options(args)
    return load_network(args.network), _option("DATA", lambda f: load_dataset(f, *labels), args.dataset)


def _cmd_radius(args) -> int:
    """``exactmem radius NET DATA``: the certified radius around every point, proved lower and failing upper end."""
    from .analysis import radii
    from .balls import default_semantics
    from .exact import show
    from .norms import check_p
    from .progress import Progress
    p, budget = _option("--p", check_p, args.p), _seconds(args.budget)
    net, D = _network_and_data(args)
    if D.d != net.input_dim:
        raise ExactmemError(f"DATA {args.dataset!r}: the points have {D.d} coordinates, the network takes "
                            f"{net.input_dim} inputs")
    semantics = args.semantics or default_semantics(net.output_dim)
    out, proved = [], 0
    print(f"certified radius of the open l_{args.p} ball around each point, semantics {semantics}"
          + ("" if budget is None else f", {budget:g} s a point"))
    dec = (lambda t: show(radii.wire.rational(t)).rpartition("≈ ")[2].split(" (exact")[0])   # the decimal alone
    with _executor(args) as ex:
        if _with_workers(ex) is None:
            def each():
                for i in range(D.N):
                    with Progress(f"radius: point {i + 1}/{D.N}") as bar:
                        bar.update(i, D.N)
                        try:
                            r = radii.row(net, D.point(i), D.labels[i], p, semantics, budget)
                        except ExactmemError as e:
                            raise ExactmemError(f"point {i} of {args.dataset!r}: {e}") from None
                    yield r                             # printed once the bar is gone
            found = each()
        else:                                           # -j N / --scheduler: one point per work item
            try:
                with Progress("radius", "points") as bar:
                    found = radii.rows(net, [D.point(i) for i in range(D.N)], list(D.labels), args.p, semantics,
                                       budget, ex, bar.update)
            except ExactmemError as e:
                raise ExactmemError(f"{args.dataset!r}: {e}") from None
        for i, r in enumerate(found):
            y = D.labels[i]
            if r["missed"]:
                print(f"point {i} (label {y}): MISSED  the network does not give the label at the point itself")
                out.append({"point": i, "label": y, "lower": None, "upper": "0", "proved": False,
                            "reason": r["reason"]})
                continue
            proved += r["proved"]
            lo = f"r^2 >= {show(radii.wire.rational(r['lower_sq']))} (r >= {dec(r['lower'])})" if p == 2 else \
                f"r >= {show(radii.wire.rational(r['lower']))}"
            hi = "no failing point found" if r["upper"] is None else \
                (f"r^2 <= {show(radii.wire.rational(r['upper_sq']))} (r <= {dec(r['upper'])})" if p == 2 else
                 f"r <= {show(radii.wire.rational(r['upper']))}")
            tag = "EXACT" if r["exact"] else "PROVED" if r["proved"] else "ZERO" if r["zero"] else "UNPROVED"
            print(f"point {i} (label {y}): {tag}  {lo}  {hi}")
            out.append({"point": i, "label": y, **{k: r[k] for k in ("lower", "upper", "lower_sq", "upper_sq")},
                        "exact": r["exact"], "proved": r["proved"], "witness": r["witness"], "reason": r["reason"]})
    print(f"{proved} of {D.N} points with a positive proved radius"
          + ("" if proved == D.N else f"; {D.N - proved} without (a larger --budget may prove more)"))
    if args.out:
        _write(args.out, json.dumps({"network": str(args.network), "dataset": str(args.dataset), "p": args.p,
                                     "semantics": semantics, "budget": budget, "points": out}, indent=1),
               "the radii")
        print(f"radii written to {args.out}")
    return 0 if proved == D.N else 1


def _cmd_lipschitz(args) -> int:
    from .analysis.ask import ball, box
    from .exact import show
    from .errors import InputSetError
    from .lipschitz import lipschitz_constant, path_bound, product_bound
    from .norms import check_p
    _option("--p", check_p, args.p)
    budget = _seconds(args.budget)
    if (args.box is not None and args.ball is not None) or (args.ball is not None) != (args.radius is not None):
        raise ExactmemError("give at most one set: --box=LO:HI,LO:HI,... (one interval per coordinate) or "
                            "--ball=X1,X2,... with --radius R (neither: all of R^d)")
    _writable(args.out, "--out")
    _checkpoint_files(args)
    net = load_network(args.network)
    region, where = None, "R^d"
    if args.box is not None:
        pairs = [t.split(":") for t in args.box.split(",")]
        if not all(len(t) == 2 for t in pairs):
            raise ExactmemError(f"--box needs LO:HI for every coordinate, got {args.box!r}")
        if len(pairs) != net.input_dim:
            raise ExactmemError(f"--box gives {len(pairs)} interval(s) but the network takes {net.input_dim} inputs")
        region = _option("--box", lambda _: box([a for a, _ in pairs], [b for _, b in pairs]), args.box)
        where = "the box"
    elif args.ball is not None:
        centre = args.ball.split(",")
        if len(centre) != net.input_dim:
            raise ExactmemError(f"--ball gives a centre of dimension {len(centre)} but the network takes "
                                f"{net.input_dim} inputs")
        from .exact import to_rational
        if _option("--radius", to_rational, args.radius) <= 0:
            raise ExactmemError(f"--radius must be > 0 (the ball needs an interior), got {args.radius!r}")
        region = _option("--ball", lambda _: ball(centre, args.radius, p=args.p), args.ball)
        where = "the ball"
    try:
        with _executor(args) as ex, _say_where_on_ctrl_c(args):   # -j N / --scheduler: a work-queue
            L = lipschitz_constant(net, args.p, region, budget, executor=_with_workers(ex),
                                   checkpoint=args.checkpoint, resume=args.resume)
    except InputSetError as e:                      # e.g. a box with a zero-width interval: no interior
        raise ExactmemError(f"{'--box' if args.box is not None else '--ball'}: {e}") from None
    sq = "^2" if L.p == 2 else ""
    lo, hi = (L.lower_sq, L.upper_sq) if sq else (L.lower, L.upper)
    what = f"Lip_{args.p}{sq}" + (f" ({net.output_dim} outputs, l_{args.p} operator norm)" if net.output_dim > 1 else "")
    status = "PROVED" if L.is_exact else "CERTIFIED INTERVAL" if L.verdict.is_proved else L.verdict.status.value
    print(f"{status}: {what} on {where}: " +
          (f"= {show(hi)} (exact)" if lo == hi and L.is_exact else f"in [{show(lo)}, {show(hi)}]") +
          f"  ({L.regions} regions)")
    if sq:
        dec = lambda q: show(q).rpartition("≈ ")[2].split(" (exact")[0]       # noqa: E731 (the decimal alone)
        if L.lower == L.upper:
            print(f"    Lip_2 = {show(L.upper)}")
        elif L.lower_sq == L.upper_sq:
            print(f"    Lip_2 = sqrt of the above ≈ {dec(L.upper)} (rational enclosures: .lower, .upper)")
        else:
            print(f"    Lip_2 in [{dec(L.lower)}, {dec(L.upper)}] (outward-rounded square roots of the ends above)")
    if L.attained and lo != hi:
        print("    attained at the point below: Lip_2^2 is the largest eigenvalue of J^T J there (an algebraic number)")
    if L.stopped:
        print(f"    {L.stopped}: the interval is certified (the kernel proved both ends), the constant not decided")
    print(f"    {_readable(L.verdict.reason)}")
    for bnd in (product_bound(net, args.p), path_bound(net, args.p)):
        print(f"    certified upper bound on {'Lip^2' if sq else 'Lip'} over R^d, {bnd.method}: {show(bnd.value)}")
    if L.point is not None:
        print(f"    steepest region found at the interior point [{', '.join(map(show, L.point))}]")
    if L.certificate is not None and args.out:
        _write(args.out, json.dumps(L.certificate), "the certificate")
        print(f"    certificate written to {args.out} (re-check: exactmem verify {args.out})")
    return 0 if L.is_exact else 1              # a certified interval is not the constant: not decided


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
    budget = _seconds(args.budget)
    _writable(args.out, "--out")
    _writable(args.cert, "--cert")
    _checkpoint_files(args)
    net, prop = load_network(args.network), vnnlib.read(args.property)
    with _executor(args) as ex, _say_where_on_ctrl_c(args):
        r = vnnlib.decide(net, prop, budget, ex if args.checkpoint or args.resume else _with_workers(ex),
                          args.checkpoint, args.resume)
    print(f"{r.status}: {_readable(r.reason)}")
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


def _cmd_bounds(args) -> int:
    from . import bounds
    if args.bounds_command == "table":
        from .bounds.tables import FORMATS
        if args.which not in bounds.TABLES:
            raise ExactmemError(f"--which: unknown table {args.which!r}; choose one of {', '.join(bounds.TABLES)}")
        if args.format not in FORMATS:
            raise ExactmemError(f"--format: unknown format {args.format!r}; choose {' or '.join(FORMATS)}")
        _writable(args.out, "--out")
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
        from .bounds.figure import check_class, figure_targets, plot
        try:
            check_class(args.N, args.d)                 # "N must be ..." becomes "--N must be ..."
        except ExactmemError as e:
            raise ExactmemError(f"--{e}") from None
        _option("--out", figure_targets, args.out)
        for f in plot(args.N, args.d, args.out):
            print(f)
        return 0
    if args.bounds_command == "eval":
        import sympy
        from .bounds.evaluate import enclose_number
        from .exact import show
        value = bounds.evaluate(args.id, args.N, args.d, args.rho, args.p)
        if isinstance(value, sympy.Rational):                 # exact and rational: with a decimal beside it
            print(show(f"{value.p}/{value.q}"))
        else:                                                 # the exact closed form, and a rigorous enclosure
            print(value)
            print(f"    in {enclose_number(value, args.digits or 12).text()}")
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
        from .bounds.law_tables import FORMATS, law_table
        if args.format not in FORMATS:
            raise ExactmemError(f"--format: unknown format {args.format!r}; choose {' or '.join(FORMATS)}")
        _writable(args.out, "--out")
        text = law_table(args.format, args.standalone)
        if args.out:
            _write(args.out, text, "the table")
            print(args.out)
        else:
            print(text)
        return 0
    import os
    from .lipschitz.experiment import run_command
    for path, what in ((args.plot, "--plot"), (args.out, "--out"), (args.json, "--json")):
        if path:                                    # checked before the experiment runs, not after
            _writable(path, what)
    if args.plot and os.path.splitext(args.plot)[1]:
        from .bounds.figure import figure_targets
        _option("--plot", figure_targets, args.plot)
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
    from .exact import show
    from .progress import Progress
    Ns, ds = _positive_ints(args.N, "--N"), _positive_ints(args.d, "--d")
    if max(Ns) * max(ds) > 10 ** 7:
        raise ExactmemError(f"--N {max(Ns)} with --d {max(ds)}: the planner draws a seeded dataset of N points in R^d, "
                            f"at most 10^7 coordinates (N d <= 10000000)")
    if args.build_limit < 0:
        raise ExactmemError(f"--build-limit must be a number of parameters >= 0, got {args.build_limit}")
    if args.plot is None and args.plot_at is not None:
        raise ExactmemError("--plot-at chooses the (N, d) of the figure; give --plot FILE too")
    at = _plot_at(args.plot_at, Ns, ds) if args.plot is not None else None
    if args.plot is not None:
        from .bounds.figure import figure_targets
        _option("--plot", figure_targets, args.plot)
    _writable(args.out, "--out")
    with Progress("sizes", unit="rows") as bar:
        def log(r):
            bar.write(f"N={r['N']} d={r['d']} {r['regime']} rho={show(r['rho'], 4)}: {r['planned_params']:,} params"
                      f"{' (built)' if r['built'] else ''}")

        def progress(done, total, what):
            bar.update(done, total)
            bar.step(what)
        rows = sizes.size_rows(Ns, ds, build_limit=args.build_limit, log=log, progress=progress)
    text = sizes.markdown(rows, sizes.exponents(rows))
    if args.out:
        _write(args.out, text, "the size report")
    else:
        print(text)
    if at is not None:
        for f in sizes.plot(rows, *at, args.plot):
            print(f"figure (N = {at[0]}, d = {at[1]}): {f}", file=sys.stderr)
    return 0


def _plot_at(text, Ns, ds) -> tuple:
    """The (N, d) of the sizes figure: ``--plot-at N,d`` (one of the computed pairs), by default the median of
    --N and of --d (the lower middle value; the value itself when there is one)."""
    if text is None:
        return sorted(Ns)[(len(Ns) - 1) // 2], sorted(ds)[(len(ds) - 1) // 2]
    parts = text.split(",")
    try:
        N, d = (int(v) for v in parts)
    except ValueError:
        raise ExactmemError(f"--plot-at must be N,d (two integers, e.g. 1000,16), got {text!r}") from None
    for name, v, among in (("N", N, Ns), ("d", d, ds)):
        if v not in among:
            raise ExactmemError(f"--plot-at {text}: {name} = {v} is not among the sizes computed (--{name} "
                                f"{','.join(map(str, among))}), so the figure would have no measured points")
    return N, d


def build_parser() -> argparse.ArgumentParser:
    from . import __version__
    p = argparse.ArgumentParser(prog="exactmem", description="Exact checks of robust memorization in ReLU nets")
    p.add_argument("--version", action="version", version=f"exactmem {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND",
                           help="one of the commands below; exactmem COMMAND --help describes it")
    c = sub.add_parser("check", help="run the claims (proofs/ and installed packages', or --from yours) and print "
                                     "a summary table")
    c.add_argument("--from", dest="sources", action="append", metavar="SOURCE",
                   help="claims of this module or package (mypaper.claims), directory or .py file; repeatable "
                        "(default: proofs/ and every installed exactmem.claims entry point)")
    c.add_argument("--full", action="store_true", help="also run the slow instance families")
    c.add_argument("-k", metavar="PATTERN", help="only claims whose id or statement contains PATTERN")
    c.add_argument("--tag", action="append", default=[], metavar="TAG",
                   help="only claims with this tag (repeatable: every tag given)")
    c.add_argument("-v", "--verbose", action="store_true",
                   help="full statements, sources, uses, tags, and every instance with its reason")
    c.add_argument("--list", action="store_true", help="list the claims and exit")
    c.add_argument("--json", nargs="?", const="-", metavar="FILE",
                   help="the results as JSON, to FILE or (without FILE) to standard output instead of the table")
    c.add_argument("--strict", action="store_true",
                   help="exit 1 on every UNDECIDED claim, also those declared may_be_undecided (without it: "
                        "exit 1 on REFUTED and on UNDECIDED claims not declared may_be_undecided)")
    _parallel_args(c, "run the claims in N worker processes (auto: one per core); output, summary and exit status "
                      "as in a serial run")
    c.set_defaults(func=_cmd_check)
    rp = sub.add_parser("report", help="run the claims and write a status report: Markdown, one HTML page with "
                                       "the dependency graph, a LaTeX table")
    rp.add_argument("--from", dest="sources", action="append", metavar="SOURCE",
                    help="claims of this module, package, directory or .py file; repeatable (default: proofs/ and "
                         "every installed exactmem.claims entry point)")
    rp.add_argument("--results", metavar="F.json", help="report this run of exactmem check --json F.json instead "
                                                        "of running the claims")
    rp.add_argument("--full", action="store_true", help="also run the slow instance families")
    rp.add_argument("-k", metavar="PATTERN", help="only claims whose id or statement contains PATTERN")
    rp.add_argument("--tag", action="append", default=[], metavar="TAG", help="only claims with this tag (repeatable)")
    rp.add_argument("--out", default="claims-report", metavar="DIR",
                    help="directory for claims.md, claims.html, claims.tex (default claims-report)")
    rp.add_argument("--format", default="md,html,latex", help="comma-separated: md, html, latex (default all)")
    rp.add_argument("--fragment", action="store_true", help="LaTeX: the table alone, not a document")
    rp.set_defaults(func=_cmd_report)
    v = sub.add_parser("verify", help="re-check certificate files with the kernel, and say what they prove (network, "
                                      "data, balls or set)")
    v.add_argument("certificates", nargs="+", metavar="CERT.json",
                   help="certificate files (from exactmem robust, lipschitz, vnnlib, or exactmem.memorize); every kind")
    v.add_argument("--dataset", metavar="DATA", help="the dataset the claim must be about: exactmem JSON, CSV or "
                                                     ".npy/.npz (see --label-column, --labels-from)")
    v.add_argument("--network", metavar="NET", help="the network the claim must be about: exactmem JSON, .onnx, .nnet "
                                                    "or a PyTorch .pt/.pth state_dict")
    _ball_size(v, "prove robustness on these balls (at most the certificate's; default the certificate's)")
    v.add_argument("--p", help="the norm the claim must be about: 1, 2 or inf")
    v.add_argument("--eta", help="error bound to prove (moderate regime); default: the certificate's")
    _label_args(v)
    _parallel_args(v, "check each certificate in N shares on N worker processes (auto: one per core), each share by "
                      "the kernel; PROVED only when every share is")
    v.set_defaults(func=_cmd_verify)
    r = sub.add_parser("robust", help="decide exactly whether a network robustly memorizes a dataset (on every "
                                      "point of every ball, not samples)")
    _network_arg(r)
    r.add_argument("dataset", metavar="DATA", help="the dataset: exactmem JSON, CSV (labels in the last column by "
                                                   "default) or .npy/.npz")
    _ball_size(r, "give this or --radius")
    r.add_argument("--p", default="2", help="the norm: 1, 2 or inf (default 2)")
    _semantics_arg(r, "on ball i")
    r.add_argument("--budget", help="seconds before the answer is UNDECIDED")
    r.add_argument("--out", metavar="CERT.json", help="write the certificate here when PROVED")
    _label_args(r)
    _checkpoint_args(r, "the linear-bounds search's or, after it, the region engine's")
    _parallel_args(r, "the linear-bounds search and the region engine as work-queues over N worker processes (auto: "
                      "one per core), and the kernel's check in shares")
    r.set_defaults(func=_cmd_robust)
    a = sub.add_parser("radius", help="the certified radius around every point of a dataset: a proved lower end "
                                      "(kernel-checked) and a failing upper end (an exact point)")
    _network_arg(a)
    a.add_argument("dataset", metavar="DATA", help="the points and their labels: exactmem JSON, CSV (labels in the "
                                                   "last column by default) or .npy/.npz")
    a.add_argument("--p", default="2", help="the norm of the balls: 1, 2 or inf (default 2)")
    _semantics_arg(a, "around point i")
    a.add_argument("--budget", help="seconds per point; then the largest radius proved so far and the smallest "
                                    "failing one found (default: no limit)")
    a.add_argument("--out", metavar="F.json", help="write every point's radius (exact values as strings) here")
    _label_args(a)
    _parallel_args(a, "the points over N worker processes (auto: one per core), one point per work item; the rows "
                      "in the points' order")
    a.set_defaults(func=_cmd_radius)
    z = sub.add_parser("lipschitz", help="the exact Lipschitz constant of a network on R^d, a box or a ball")
    _network_arg(z)
    z.add_argument("--p", default="2", help="the input norm: 1, 2 or inf (default 2; the gradient in the dual norm)")
    z.add_argument("--box", metavar="LO:HI,...", help="the box, one interval per coordinate: --box=-1:1,0:1/2")
    z.add_argument("--ball", metavar="X1,X2,...", help="the centre of a closed l_p ball (with --radius); with "
                                                      "neither --box nor --ball: all of R^d")
    z.add_argument("--radius", help="the ball's radius (with --ball)")
    z.add_argument("--budget", help="seconds; then the best certified interval so far (CERTIFIED INTERVAL, "
                                    "exit 1, unless it closed)")
    z.add_argument("--out", metavar="CERT.json", help="write the certificate here")
    _checkpoint_args(z, "the branch and bound's", " (the branch and bound then runs as the work-queue of -j, in "
                     "this process without -j: its tree may differ from the serial loop's, the constant does not)",
                     " (without --budget: with one, the tree depends on timing)")
    _parallel_args(z, "the branch and bound as a work-queue over N worker processes (auto: one per core); the "
                      "budget is wall time")
    z.set_defaults(func=_cmd_lipschitz)
    n = sub.add_parser("vnnlib", help="decide a VNN-LIB property exactly (sat with an exact point, unsat with a "
                                      "certificate)")
    n.add_argument("network", metavar="NET", help=".onnx, .nnet, a PyTorch .pt/.pth state_dict, or exactmem "
                                                  "network JSON")
    n.add_argument("property", metavar="PROP.vnnlib", help="the VNN-LIB property (input box, output assertions)")
    n.add_argument("--out", metavar="RESULT", help="write the result in VNN-COMP's format here")
    n.add_argument("--cert", metavar="CERT.json", help="write the certificate of unsat here (default RESULT.cert.json)")
    n.add_argument("--budget", help="seconds before the answer is timeout")
    _checkpoint_args(n, "the linear-bounds search's or, after it, the region engine's")
    _parallel_args(n, "the linear-bounds search and then the region engine as work-queues over N worker processes "
                      "(auto: one per core), and the kernel's check in N shares")
    n.set_defaults(func=_cmd_vnnlib)
    b = sub.add_parser("bounds", help="the bound registry: tables, figure, checks, evaluation")
    bsub = b.add_subparsers(dest="bounds_command", required=True, metavar="WHAT", help="what to do with the bounds")
    t = bsub.add_parser("table", help="emit a table (l2, B1, table1) as LaTeX or Markdown")
    t.add_argument("--which", default="l2", help="l2 | B1 | table1 (default l2)")
    t.add_argument("--format", default="latex", help="latex | markdown (default latex)")
    t.add_argument("--standalone", action="store_true", help="a complete LaTeX document")
    t.add_argument("--out", help="write to this file instead of standard output")
    pl = bsub.add_parser("plot", help="the paper's Figure 1 for given N and d (PNG and/or PDF)")
    pl.add_argument("--N", type=int, required=True, help="the number of points N (>= 2)")
    pl.add_argument("--d", type=int, required=True, help="the dimension d (>= 1)")
    pl.add_argument("--out", required=True, help="FILE.png, FILE.pdf (or another format matplotlib writes: .svg, "
                                                 ".jpg, ...), or a name without an extension for FILE.png and "
                                                 "FILE.pdf")
    bsub.add_parser("check", help="run the registry's checks (a)-(f) and print their verdicts; exit 1 on a REFUTED")
    bsub.add_parser("list", help="list every registered bound")
    ev = bsub.add_parser("eval", help="evaluate one bound exactly (polylogs dropped): the exact sympy value, or "
                                      "with --digits K exact decimal bounds [lo, hi] of relative width <= 10^-K")
    ev.add_argument("id", help="the bound's id, e.g. KMY25.Thm4.2.ii (exactmem bounds list shows them)")
    ev.add_argument("--N", type=int, required=True, help="the number of points N")
    ev.add_argument("--d", type=int, required=True, help="the dimension d")
    ev.add_argument("--rho", help="the robustness ratio rho in (0, 1), for bounds that depend on it")
    ev.add_argument("--p", help="the l_p norm for l_p bounds: a number >= 1 or inf")
    ev.add_argument("--digits", type=int, help="print a rigorous enclosure with this many significant digits")
    b.set_defaults(func=_cmd_bounds)
    w = sub.add_parser("law", help="the law of robustness: the laws as bounds, and the sqrt(n/k) experiment")
    wsub = w.add_subparsers(dest="law_command", required=True, metavar="WHAT", help="the table or the experiment")
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
    z.add_argument("--plot", metavar="FILE", help="also draw measured sizes over Figure 1's curves to FILE (.png, "
                                                  ".pdf, .svg, ...; without an extension FILE.png and FILE.pdf)")
    z.add_argument("--plot-at", metavar="N,d", help="N,d of the figure, one of the computed pairs (default: the median "
                                                  "of --N and of --d, e.g. 1000,16 for the defaults)")
    z.set_defaults(func=_cmd_sizes)
    _describe(p)
    return p


def _network_arg(parser) -> None:
    parser.add_argument("network", metavar="NET", help="exactmem network JSON, .onnx, .nnet or a PyTorch .pt/.pth "
                                                       "state_dict")


def _semantics_arg(parser, where: str) -> None:
    parser.add_argument("--semantics", help=f"what the outputs must do {where}: label (one output equal to y_i), "
                                            "argmax (output y_i the largest) or sign (one output, < 0 for label 1, "
                                            "> 0 for 2); default label for a network with one output, argmax for "
                                            "several")


def _ball_size(parser, what: str) -> None:
    parser.add_argument("--rho", help=f"the balls' radius relative to eps_D (half the least distance between "
                                      f"differently labelled points), in (0, 1); {what}")
    parser.add_argument("--radius", help="the balls' absolute radius, in (0, eps_D); the output states both")


def _checkpoint_args(parser, search: str, note: str = "", same: str = "") -> None:
    parser.add_argument("--checkpoint", metavar="FILE", help=f"write {search} state (the tree found, the open "
                        f"regions) here every 10 s, when the budget stops it and on Ctrl-C{note}")
    parser.add_argument("--resume", metavar="FILE", help="continue from a --checkpoint file of the same question "
                        "(one of another is refused): nothing found is searched again, and the answer and "
                        f"certificate are those of an uninterrupted run{same}")


def _parallel_args(parser, what: str) -> None:
    parser.add_argument("-j", "--jobs", metavar="N", help=f"{what} (default: serial, in this process)")
    parser.add_argument("--scheduler", metavar="ADDRESS", help="run on a Dask cluster instead of local processes: "
                        "tcp://HOST:8786, 'dask' (the address in Dask's configuration or DASK_SCHEDULER_ADDRESS) or "
                        "'local' (a Dask cluster of -j N processes here); needs pip install 'exactmem[distributed]'")


def _label_args(parser) -> None:
    parser.add_argument("--label-column", metavar="K", help="CSV, .npy: the column of the labels (0 the first, -1 "
                                                            "the last; default the last)")
    parser.add_argument("--labels-from", metavar="K", help="the first label in the file: 0 for labels 0..C-1 "
                                                           "(scikit-learn's), read as exactmem's 1..C (default 1)")


def _describe(parser) -> None:
    """Every subcommand's --help page opens with its one-line help (argparse shows only a description there)."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for choice in action._choices_actions:
                sub = action.choices[choice.dest]
                if sub.description is None:
                    sub.description = choice.help
                _describe(sub)


def main(argv=None) -> int:
    """Run the command; its exit status: 0 done (PROVED), 1 not proved or refuted, 2 a usage or input error
    (argparse's or an exactmem error, with a message, never a traceback), 141 standard output closed early
    (``exactmem bounds list | head``: quietly, as a command killed by SIGPIPE), 130 interrupted."""
    args = build_parser().parse_args(argv)
    try:
        status = args.func(args)
        sys.stdout.flush()          # a closed pipe shows here, not at exit
        return status
    except ExactmemError as e:
        print(f"exactmem: error: {e}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        _drop_stdout()
        return 128 + 13             # 128 + SIGPIPE, what a shell reports for a tool that SIGPIPE ended
    except KeyboardInterrupt:
        print("exactmem: interrupted", file=sys.stderr)
        return 130


def _drop_stdout() -> None:
    """After EPIPE: point standard output at the null device, so that the final flush at exit does not fail
    again (the recipe of Python's documentation on SIGPIPE)."""
    import os
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (AttributeError, OSError, ValueError):    # stdout is not a file (captured, closed): nothing to flush
        pass


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
