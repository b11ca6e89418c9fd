"""The sqrt(n/k) experiment's rows as a Markdown table, a figure (matplotlib, Agg) and JSON.

Quantities are shown as Lipschitz constants (not squares): ``√(q) ≈ 1.414`` where the square q is an exact
rational short enough to print, ``√(…) ≈ 121.8`` where it is longer (the JSON has it), and ``[a, b]`` for a
certified interval, with the decimals rounded outward.  Decimals are for reading only.

>>> decimal(fmpq(5, 512)), decimal(fmpq(1, 3), up=True), decimal(fmpq(123456789)), decimal(fmpq(-2, 3))
('0.009766', '0.3334', '1.235e+8', '-0.6667')
>>> root_cell(fmpq(2)), root_cell(fmpq(9, 4))
('√(2) ≈ 1.414', '3/2')
"""
from __future__ import annotations

import json
from decimal import Decimal

from flint import fmpq, fmpz

from ..errors import ExactmemError
from ..exact import fmt, sqrt_enclosure

SHORT = 16          # the longest exact square printed in the table
DIGITS = 4


def decimal(q, digits: int = DIGITS, up: bool | None = None) -> str:
    """q to ``digits`` significant decimal digits: rounded to nearest (``up=None``), up, or down (exact)."""
    q = fmpq(q)
    if q == 0:
        return "0"
    a = abs(q)
    e = len(str(a.p)) - len(str(a.q))
    while fmpq(10) ** e > a if e >= 0 else fmpq(1, 10 ** -e) > a:
        e -= 1
    while (fmpq(10) ** (e + 1) if e + 1 >= 0 else fmpq(1, 10 ** -(e + 1))) <= a:
        e += 1
    s = digits - 1 - e
    scale = fmpq(10) ** s if s >= 0 else fmpq(1, 10 ** -s)
    m = a * scale
    if up is None:
        k = int((m + fmpq(1, 2)).floor())
    else:
        k = int(m.ceil() if (up == (q > 0)) else m.floor())
    if k == 10 ** digits:                 # rounding reached the next power of ten
        k, s, e = 10 ** (digits - 1), s - 1, e + 1
    v = Decimal(k).scaleb(-s)
    text = format(v, "f") if -5 <= e < 6 else format(v, f".{digits - 1}e")
    return ("-" if q < 0 else "") + text


def _root(q, up=None):
    enc = sqrt_enclosure(q, 40)
    return decimal(enc.lo if up is not True else enc.hi, up=up) if up is not None else decimal(enc.lo)


def root_cell(q) -> str:
    """sqrt(q) for an exact q >= 0: the exact root when q is a rational square, else ``√(q) ≈ decimal``."""
    q = fmpq(q)
    if fmpz(q.p).is_square() and fmpz(q.q).is_square():
        return fmt(fmpq(fmpz(q.p).isqrt(), fmpz(q.q).isqrt()))
    inner = fmt(q) if len(fmt(q)) <= SHORT else "…"
    return f"√({inner}) ≈ {_root(q)}"


def lip_cell(L) -> str:
    """An exact Lipschitz constant (its square exact) or a certified interval [lower, upper], outward."""
    if L is None:
        return "—"
    if L.is_exact:
        return root_cell(L.upper_sq)
    return f"[{_root(L.lower_sq, up=False)}, {_root(L.upper_sq, up=True)}]"


HEAD = ("| family | n | d | k | p | Lip on R^d | Lip on B(0,1) | regions | path bound | product bound | data bound | "
        "√(n/k) | √(nd/p) |")


def markdown(rows, opts: dict | None = None) -> str:
    """The table, the rows that found no interpolant, and the footer on what such sizes can show."""
    lines = [HEAD, "| " + " | ".join(["---"] * 13) + " |"]
    missing, whole_notes, chain_bad = [], set(), []
    for r in rows:
        cells = [r.family, r.n, r.d, r.k, r.params]
        if r.net is None:
            cells += ["—", "—", "—", "—", "—"]
            missing.append(r)
        else:
            if r.whole is None:
                whole_notes.add(r.whole_note)
            regions = f"{r.whole.regions} / {r.ball.regions}" if r.whole is not None else f"{r.ball.regions}"
            whole = lip_cell(r.whole) if r.whole is not None else "n/a" if r.whole_status == "unsupported" else \
                "failed"
            cells += [whole, lip_cell(r.ball), regions, root_cell(r.path_sq), root_cell(r.product_sq)]
            if not r.chain.is_proved:
                chain_bad.append(r)
        cells += [root_cell(r.data_sq), root_cell(r.n_over_k), root_cell(r.nd_over_p)]
        lines.append("| " + " | ".join(map(str, cells)) + " |")
    out = ["\n".join(lines), ""]
    if opts is not None:
        cmd = (f"exactmem law experiment --n {','.join(map(str, opts['ns']))} --d {','.join(map(str, opts['ds']))} "
               f"--k {','.join(map(str, opts['ks']))} --seed {opts['seed']}"
               + (f" --budget {opts['budget']:g}" if opts.get("budget") else "")
               + (f" --family {','.join(opts['families'])}" if tuple(opts["families"]) != ("trained", "constructed")
                  else "")
               + (f" --steps {opts['steps']}" if opts.get("steps", 2000) != 2000 else ""))
        out.append(f"Produced by `{cmd}`.")
        out.append("")
    out.append(FOOTER)
    if whole_notes:
        out += ["", "Lip on R^d n/a or failed: " + "; ".join(sorted(whole_notes)) + "."]
    if missing:
        out += ["", "No exact interpolant:"]
        out += [f"* {r.family}, n = {r.n}, d = {r.d}, k = {r.k}: {r.note}" for r in missing]
    if chain_bad:
        out += ["", "**The chain data ≤ Lip ≤ bounds FAILED** (a bug somewhere; please report):"]
        out += [f"* {r.family}, n = {r.n}, d = {r.d}, k = {r.k}: {r.chain.reason}" for r in chain_bad]
    return "\n".join(out) + "\n"


FOOTER = """\
Each network interpolates its data exactly (f(x_i) = y_i, proved by exact evaluation). `√(q)`: the square q \
is an exact rational (`√(…)`: too long to print; it is in the JSON); `[a, b]`: a certified interval (the \
budget ran out), decimals rounded outward; regions: the activation regions the exact computation visited \
(R^d / B(0,1)). p = k(d+2)+1. Every row's chain data bound ≤ Lip on B(0,1) ≤ Lip on R^d ≤ path and \
product bounds was checked exactly. trained: Adam and L-BFGS in floats, rounded to dyadics, then the \
least-norm exact correction of (W, b, c) with the activation pattern of the data fixed; constructed: one \
unit per point (k = n).

What this can and cannot show. The conjecture of Bubeck, Li & Nagaraj (COLT 2021) and the theorem of \
Bubeck & Sellke (NeurIPS 2021, Thm 3; Thm 1 informally) are asymptotic, high-probability statements: for \
most datasets, as n and d grow, every interpolant of width k has Lip ≥ c·√(n/k) (resp., with polynomially \
bounded weights and up to logarithms, c·√(nd/p)) for a universal constant c that nobody has computed. A \
handful of tiny instances, one dataset each, neither confirms nor refutes such a law. The law bounds \
*every* width-k interpolant from below, and a row measures *one*: its exact constant is an upper bound on \
the least Lip over width-k interpolants of that dataset, so a row above √(n/k) says nothing about the law, \
and a row below it could only contradict it with a known c, at sizes where "most datasets" has a meaning. \
What the rows establish exactly is the constant of these networks, and the trend from row to row. In low \
dimension the data bound, not capacity, dominates: among n uniform points on S^{d-1} the closest \
oppositely labelled pair is, for most datasets, at distance of order n^{-1/(d-1)} or less (the spacing), \
so every interpolant, whatever its width, has Lip ≥ 2/(that distance) ≳ n^{1/(d-1)}, which for \
small d exceeds √(n/k) (compare the n^{1/d} lower bound of Wu, Huang & Zhang, ICML 2023)."""


def _points(ax, done, ds, colour, xof, legend):
    """The Lipschitz results of ``done`` at x = xof(row): filled markers on R^d, open on B(0,1), bars for
    intervals; returns the x and y values drawn (for the limits)."""
    import math
    xs, ys = [], []
    for family, marker in (("trained", "o"), ("constructed", "s")):
        for d in ds:
            for whole in (True, False):
                sel = [r for r in done if r.family == family and r.d == d and (r.whole is not None) == whole]
                sel = [r for r in sel if xof(r) > 0]
                if not sel:
                    continue
                x = [xof(r) for r in sel]
                lo = [math.sqrt(float(r.best.lower_sq)) for r in sel]
                hi = [math.sqrt(float(r.best.upper_sq)) for r in sel]
                mid = [math.sqrt(a * b) if a > 0 else b for a, b in zip(lo, hi)]
                err = [[m - a for m, a in zip(mid, lo)], [b - m for m, b in zip(mid, hi)]]
                ax.errorbar(x, mid, yerr=err, fmt=marker, color=colour[d], capsize=3, markersize=6, zorder=3,
                            markerfacecolor=colour[d] if whole else "white",
                            label=f"{family}, d = {d}, Lip on {'R^d' if whole else 'B(0,1)'}" if legend else None)
                xs += x
                ys += [t for t in lo + hi if t > 0]
    return xs, ys


def _diagonal(ax, xs, ys, label):
    if xs:
        lo_x, hi_x = min(xs) / 1.5, max(xs) * 1.5
        ax.plot([lo_x, hi_x], [lo_x, hi_x], "k--", linewidth=1, label=label)
        ax.set_xlim(lo_x, hi_x)
        ax.set_ylim(min(ys + [lo_x]) / 1.5, max(ys + [hi_x]) * 1.5)
    ax.set_xscale("log")
    ax.set_yscale("log")
    from matplotlib.ticker import FuncFormatter, NullFormatter
    plain = FuncFormatter(lambda v, _: f"{v:g}")
    ax.xaxis.set_major_formatter(plain)
    ax.yaxis.set_major_formatter(plain)
    few = bool(xs) and max(xs) / min(xs) < 10            # less than a decade: label the minor ticks too
    ax.xaxis.set_minor_formatter(plain if few else NullFormatter())
    ax.tick_params(axis="x", which="minor", labelsize=7)


def figure(rows, path: str) -> str:
    """Left: Lip against √(n/k), log-log, the line Lip = √(n/k), the data bounds as dashes (a zero one is not
    drawn); right: Lip against the data bound, with the line Lip = data bound.  Filled markers: Lip on R^d,
    open: on B(0, 1) (where R^d was not available); bars: certified intervals."""
    import math
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(12, 6.2))
    done = [r for r in rows if r.net is not None]
    ds = sorted({r.d for r in done})
    colour = {d: f"C{i}" for i, d in enumerate(ds)}
    xs, ys = _points(ax, done, ds, colour, lambda r: math.sqrt(float(r.n_over_k)), True)
    for d in ds:
        sel = [r for r in done if r.d == d and r.data_sq > 0]
        y = [math.sqrt(float(r.data_sq)) for r in sel]
        if sel:
            ax.scatter([math.sqrt(float(r.n_over_k)) for r in sel], y, marker="_", s=200, color=colour[d],
                       linewidths=2, zorder=2, label=f"data bound, d = {d}")
        ys += y
    _diagonal(ax, xs, ys, "Lip = √(n/k)")
    ax.set_xlabel("√(n/k)")
    ax.set_ylabel("Lip₂ (exact; bars: certified intervals)")
    ax.set_title("Lip against √(n/k)", fontsize=10)
    xs, ys = _points(bx, done, ds, colour, lambda r: math.sqrt(float(r.data_sq)), False)
    _diagonal(bx, xs, ys, "Lip = data bound (no interpolant is below)")
    bx.set_xlabel("data bound max |y_i − y_j| / |x_i − x_j|")
    bx.set_title("Lip against the data bound", fontsize=10)
    fig.suptitle("Exact interpolants of random signs on $S^{d-1}$", fontsize=11)
    handles, labels = ax.get_legend_handles_labels()
    h2, l2 = bx.get_legend_handles_labels()
    rows_of_legend = -(-(len(labels) + len(l2)) // 4)
    fig.legend(handles + h2, labels + l2, fontsize=7, loc="lower center", ncol=4, bbox_to_anchor=(0.5, 0.0))
    fig.tight_layout(rect=(0, 0.035 * rows_of_legend + 0.02, 1, 1))
    try:
        fig.savefig(path, dpi=110)
    except OSError as e:
        raise ExactmemError(f"cannot write the figure {path!r}: {e}") from None
    finally:
        plt.close(fig)
    return path


def _lip_json(L):
    if L is None:
        return None
    return {"lower_sq": fmt(L.lower_sq), "upper_sq": fmt(L.upper_sq), "exact": L.is_exact, "regions": L.regions,
            "verdict": L.verdict.status.value, "point": None if L.point is None else [fmt(t) for t in L.point]}


def row_json(r) -> dict:
    """A row with exact values as "p/q" strings (squares of Lipschitz constants and bounds)."""
    out = {"family": r.family, "n": r.n, "d": r.d, "k": r.k, "seed": r.seed, "params": r.params,
           "interpolation": None if r.interpolation is None else r.interpolation.status.value, "note": r.note,
           "attempts": [{"seed": s, "bits": b, "reason": t} for s, b, t in r.attempts],
           "data_bound_sq": fmt(r.data_sq), "n_over_k": fmt(r.n_over_k), "nd_over_p": fmt(r.nd_over_p),
           "points": [[fmt(t) for t in x] for x in r.points], "labels": [fmt(t) for t in r.labels]}
    if r.net is not None:
        out.update({"lipschitz_whole": _lip_json(r.whole), "lipschitz_whole_status": r.whole_status,
                    "lipschitz_whole_note": r.whole_note or None,
                    "lipschitz_ball": _lip_json(r.ball), "path_bound_sq": fmt(r.path_sq),
                    "product_bound_sq": fmt(r.product_sq), "chain": r.chain.status.value,
                    "network": r.net.to_json()})
    return out


def to_json_text(rows, opts: dict) -> str:
    doc = {"format": "exactmem.law-experiment", "schema_version": 1,
           "options": {"n": opts["ns"], "d": opts["ds"], "k": opts["ks"], "seed": opts["seed"],
                       "budget": opts["budget"], "families": list(opts["families"]), "steps": opts["steps"]},
           "rows": [row_json(r) for r in rows]}
    return json.dumps(doc, indent=1) + "\n"


def write(path, text: str, what: str) -> None:
    try:
        with open(path, "w") as fh:
            fh.write(text)
    except OSError as e:
        raise ExactmemError(f"cannot write {what} {path!r}: {e}") from None
