"""The sqrt(n/k) experiment: exact interpolants of random signs on the sphere and their exact Lipschitz constants.

For each (n, d): n rational points exactly on S^{d-1} with independent uniform signs (``sphere``).  For each
width k: a two-layer ReLU net trained in floats and corrected to interpolate exactly (``interpolation``; the
"trained" family), and once per (n, d) the constructed interpolant with one cap per point (k = n; the
"constructed" family).  For each network: Lip_2 on R^d (``region=None``, where the installed
``lipschitz_constant`` supports it) and on the unit ball B(0, 1), which contains the sphere, exact or as the
certified interval a budget allows; the certified upper bounds (path, product); the data bound
max |y_i - y_j| / |x_i - x_j|, which every interpolant reaches; sqrt(n/k) (Bubeck, Li & Nagaraj 2021,
conjecture) and sqrt(nd/p) with p = k(d+2)+1 the network's own parameter count (Bubeck & Sellke 2021, Thm 3).
Every row's chain  data <= Lip_B <= Lip_R^d <= min(path, product)  is checked exactly (``Row.chain``).
``report`` turns the rows into a Markdown table, a figure and JSON; ``run_command`` is ``exactmem law
experiment``.

>>> rows = experiment([4], [2], [4], seed=0)
>>> [(r.family, r.k, r.interpolation.is_proved) for r in rows]
[('trained', 4, True), ('constructed', 4, True)]
>>> rows[0].ball.is_exact, rows[0].chain.is_proved
(True, True)
"""
from __future__ import annotations

import sys
from dataclasses import dataclass, field

from flint import fmpq

from ..errors import ExactmemError, InputSetError
from ..network import ReLUNet
from ..progress import Progress
from ..verdict import Verdict
from .bounds import data_bound, path_bound, product_bound
from .exact import Lipschitz, lipschitz_constant
from .interpolation import DEFAULT_STEPS, cap_interpolant, interpolates, trained_interpolant
from .sphere import random_signs, sphere_points

FAMILIES = ("trained", "constructed")


@dataclass
class Row:
    """One network of the experiment.  ``net`` is None when no exact interpolant was found (``note`` says
    why); ``interpolation``: the verdict of exact evaluation on the data; ``ball`` and ``whole`` are the
    Lipschitz results on B(0, 1) and on R^d (``whole`` None when ``whole_status`` is "unsupported" or
    "failed", ``whole_note`` saying why);
    squared quantities are exact rationals."""

    family: str
    n: int
    d: int
    k: int
    seed: int
    net: ReLUNet | None
    note: str
    data_sq: fmpq
    attempts: list = field(default_factory=list)
    product_sq: fmpq | None = None
    path_sq: fmpq | None = None
    ball: Lipschitz | None = None
    whole: Lipschitz | None = None
    whole_note: str = ""
    whole_status: str = ""
    chain: Verdict | None = None
    interpolation: Verdict | None = None
    points: list = field(default_factory=list, repr=False)
    labels: list = field(default_factory=list, repr=False)

    @property
    def params(self) -> int:
        """k(d+2)+1, the parameter count of a width-k two-layer net with one output (Eq. 3 of KMY25)."""
        return self.k * (self.d + 2) + 1

    @property
    def n_over_k(self) -> fmpq:
        return fmpq(self.n, self.k)

    @property
    def nd_over_p(self) -> fmpq:
        return fmpq(self.n * self.d, self.params)

    @property
    def best(self) -> Lipschitz | None:
        """The Lipschitz result on the largest set available: R^d, else B(0, 1)."""
        return self.whole if self.whole is not None else self.ball


def dataset(n: int, d: int, seed: int):
    """(points, labels): n rational points exactly on S^{d-1} and n independent uniform signs."""
    return sphere_points(n, d, seed), random_signs(n, d, seed)


def _lipschitz(net: ReLUNet, d: int, budget):
    """(on R^d or None, "ok" | "unsupported" | "failed", why not, on the unit ball)."""
    from ..analysis.ask import ball
    whole, status, why = None, "ok", ""
    try:
        whole = lipschitz_constant(net, 2, None, budget)
    except InputSetError as e:
        status, why = "unsupported", f"region=None (all of R^d) is not supported by this lipschitz_constant ({e})"
    except ArithmeticError as e:                     # a failure of the engine on R^d: reported, not hidden
        status, why = "failed", f"lipschitz_constant on R^d failed: {e}"
    return whole, status, why, lipschitz_constant(net, 2, ball([0] * d, 1), budget)


def _chain(r: Row) -> Verdict:
    """data^2 <= Lip_B^2 <= Lip_R^d^2 <= min(path^2, product^2), checked on the certified ends exactly."""
    ups = [("path", r.path_sq), ("product", r.product_sq)]
    sets = [("B(0,1)", r.ball)] + ([("R^d", r.whole)] if r.whole is not None else [])
    for name, L in sets:
        if L.upper_sq < r.data_sq:
            return Verdict.refuted(f"Lip^2 on {name} <= {L.upper_sq} < the data bound {r.data_sq}", name)
        for what, u in ups:
            if L.lower_sq > u:
                return Verdict.refuted(f"Lip^2 on {name} >= {L.lower_sq} > the {what} bound {u}", name)
    if r.whole is not None and r.ball.lower_sq > r.whole.upper_sq:
        return Verdict.refuted("Lip on B(0,1) exceeds Lip on R^d", "R^d")
    return Verdict.proved("data <= Lip_B(0,1) <= Lip_R^d <= min(path, product) on the certified ends, exactly")


def _measure(r: Row, X, y, budget) -> Row:
    v = r.interpolation = interpolates(r.net, X, y)     # proved again, whatever built the network
    if not v.is_proved:
        raise ExactmemError(f"{r.family} network for n={r.n} d={r.d} k={r.k} does not interpolate: {v.reason}")
    r.product_sq, r.path_sq = product_bound(r.net, 2).value, path_bound(r.net, 2).value
    r.whole, r.whole_status, r.whole_note, r.ball = _lipschitz(r.net, r.d, budget)
    r.chain = _chain(r)
    return r


def experiment(ns, ds, ks, seed: int = 0, budget=None, families=FAMILIES, steps: int = DEFAULT_STEPS,
               log=None) -> list:
    """The rows for every (n, d, k), trained family first, then the constructed one (once per (n, d));
    ``log(text)`` is called after each row."""
    ns, ds, ks = _check(ns, "n", 2), _check(ds, "d", 2), _check(ks, "k", 1)
    if isinstance(families, str) or not set(families) <= set(FAMILIES) or not families:
        raise ExactmemError(f"families must be a non-empty selection of {FAMILIES}, got {families!r}")
    rows = []
    total = len(ds) * len(ns) * (len(ks) * ("trained" in families) + ("constructed" in families))
    with Progress("law experiment", "rows", total=total) as bar:
        for d in ds:
            for n in ns:
                bar.step(f"n = {n}, d = {d}")
                rows += _rows_for(n, d, ks, seed, budget, families, steps, log)
                bar.update(len(rows))
    return rows


def _rows_for(n, d, ks, seed, budget, families, steps, log):
    """The rows of one dataset (n points on S^(d-1)): a trained network per width, then the constructed one."""
    rows = []
    X, y = dataset(n, d, seed)
    data_sq = data_bound(X, y, 2).value
    todo = []
    if "trained" in families:
        for k in ks:
            net, attempts = trained_interpolant(X, y, k, seed, steps)
            note = attempts[-1][2] if net is None else \
                f"exact after the correction (training seed {attempts[-1][0]}, weights rounded to " \
                f"2^-{attempts[-1][1]})"
            todo.append(Row("trained", n, d, k, seed, net, note, data_sq, attempts))
    if "constructed" in families:
        todo.append(Row("constructed", n, d, n, seed, cap_interpolant(X, y),
                        "one cap relu((x_i.x - 1 + delta)/delta) per point", data_sq))
    for r in todo:
        r.points, r.labels = X, y
        if r.net is not None:
            _measure(r, X, y, budget)
        rows.append(r)
        if log is not None:
            log(_summary(r))
    return rows


def _check(vals, what, least):
    if isinstance(vals, (str, bytes)) or not hasattr(vals, "__iter__"):
        raise ExactmemError(f"the values of {what} must be a list of integers >= {least}, got {vals!r}")
    vals = list(vals)
    for v in vals:
        if isinstance(v, bool) or not isinstance(v, int) or v < least:
            raise ExactmemError(f"every {what} must be an integer >= {least}, got {v!r}")
    if not vals:
        raise ExactmemError(f"no values of {what}")
    return vals


def _summary(r: Row) -> str:
    head = f"{r.family} n={r.n} d={r.d} k={r.k}: "
    if r.net is None:
        return head + "no exact interpolant: " + r.note
    b = r.best
    where = "R^d" if r.whole is not None else "B(0,1)"
    return head + f"Lip on {where} {'exact' if b.is_exact else 'certified interval'} ({b.regions} regions)"


# -- the command ------------------------------------------------------------------------------------------------

LIMITS = {"--n": 4096, "--d": 1024, "--k": 4096, "--steps": 10 ** 6}    # far beyond what the exact work can reach


def _ints(text, option, least):
    parts = [t.strip() for t in str(text).split(",")]
    try:
        vals = [int(t) for t in parts if len(t) < 12]
    except ValueError:
        vals = []
    if len(vals) != len(parts):
        raise ExactmemError(f"{option} must be a comma-separated list of integers from {least} to "
                            f"{LIMITS[option]}, got {text!r}")
    bad = [v for v in vals if not least <= v <= LIMITS[option]]
    if bad:
        raise ExactmemError(f"{option} must be a comma-separated list of integers from {least} to "
                            f"{LIMITS[option]}, got {bad[0]} in {text!r}")
    return list(dict.fromkeys(vals))


def parse_options(args) -> dict:
    """The validated options of ``exactmem law experiment``; a bad one raises ExactmemError naming it."""
    ns, ds, ks = _ints(args.n, "--n", 2), _ints(args.d, "--d", 2), _ints(args.k, "--k", 1)
    try:
        seed = int(str(args.seed).strip())
    except ValueError:
        raise ExactmemError(f"--seed must be a non-negative integer, got {args.seed!r}") from None
    if seed < 0:
        raise ExactmemError(f"--seed must be a non-negative integer, got {args.seed!r}")
    budget = None
    if args.budget is not None:
        try:
            budget = float(args.budget)
        except ValueError:
            raise ExactmemError(f"--budget must be a positive number of seconds, got {args.budget!r}") from None
        if not budget > 0 or budget == float("inf"):
            raise ExactmemError(f"--budget must be a positive, finite number of seconds, got {args.budget!r}")
    fams = [t.strip() for t in str(getattr(args, "family", ",".join(FAMILIES))).split(",")]
    bad = [f for f in fams if f not in FAMILIES]
    if bad or not fams:
        raise ExactmemError(f"--family must list trained and/or constructed, got {bad[0] if bad else ''!r}")
    steps = _ints(getattr(args, "steps", DEFAULT_STEPS), "--steps", 0)
    if len(steps) != 1:
        raise ExactmemError(f"--steps takes one integer, got {args.steps!r}")
    return {"ns": ns, "ds": ds, "ks": ks, "seed": seed, "budget": budget, "families": tuple(dict.fromkeys(fams)),
            "steps": steps[0]}


def run_command(args) -> int:
    """``exactmem law experiment``: rows, then the Markdown table (standard output or --out), --plot, --json."""
    from . import report
    opts = parse_options(args)
    for path, what in ((args.plot, "--plot"), (args.out, "--out"), (args.json, "--json")):
        if path is not None and not str(path).strip():
            raise ExactmemError(f"{what} needs a file name")
    rows = experiment(opts["ns"], opts["ds"], opts["ks"], opts["seed"], opts["budget"], opts["families"],
                      opts["steps"], log=lambda t: print(t, file=sys.stderr))
    text = report.markdown(rows, opts)
    if args.plot:
        report.figure(rows, args.plot)
    if args.json:
        report.write(args.json, report.to_json_text(rows, opts), "the JSON rows")
    if args.out:
        report.write(args.out, text, "the table")
        print(args.out)
    else:
        print(text)
    return 0 if all(r.chain is None or r.chain.is_proved for r in rows) else 1
