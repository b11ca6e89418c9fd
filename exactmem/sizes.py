"""Sizes of the constructions against Theorem 4.2's bounds (the size report, ``exactmem sizes``).

For each (N, d, rho) a seeded dataset is planned with the construction's own plan function (projection,
grid, gamma, integer memorizers, Yu's k, ...), and the layer dimensions of the network are derived from
the plan with the same composition rules the builders use (``dims_*``).  Where the planned parameter
count is at most ``build_limit`` the network is also built; then nonzero parameters and bit complexity
are measured and the planned dimensions must equal the built ones (a consistency check on the planner).
Larger networks are reported from their dimensions only: parameters (Eq. 3, zeros included), depth and
width are exact; nonzero counts and bits are left blank.  Bits are the fixed-point bit complexity; a
network with weights outside any fixed-point format (the large-rho thresholds) shows ``h<bits>``, the
largest numerator-plus-denominator bit length.

>>> rows = size_rows([20], [2], build_limit=10**6)
>>> sorted({r["regime"] for r in rows}), all(r["built"] and r["planned_params"] == r["params"] for r in rows)
(['large', 'moderate', 'small'], True)
"""
from __future__ import annotations

import math
import random

from flint import fmpq

from .blocks.floor import floor_net
from .bounds import evaluate
from .data import Dataset
from .errors import ExactmemError
from .exact import fmt, show

REGIME_BOUND = {"small": "KMY25.Thm4.2.i", "moderate": "KMY25.Thm4.2.ii", "large": "KMY25.Thm4.2.iii"}
ETA = fmpq(1, 100)


# -- dimension algebra (mirrors ReLUNet.then / parallel / carry and constructions.layers) ------------------------

def compose_dims(f: list, g: list) -> list:
    """Dimensions of g o f when f's output layer merges into g's first layer."""
    if f[-1] != g[0]:
        raise ExactmemError(f"cannot compose dims {f[-1]} -> {g[0]}")
    return f[:-1] + g[1:]


def params_of(dims: list) -> int:
    """Eq. (3): sum (d_{l-1} + 1) d_l."""
    return sum((a + 1) * b for a, b in zip(dims, dims[1:]))


def _flatten_dims(m: int, floor_dims: list) -> list:
    return [m] + [m * w for w in floor_dims[1:-1]] + [1]


def dims_small(d: int, m: int, floor_dims: list, mem_dims: list) -> list:
    """Theorem B.3: sigma(W1 x + c) (d -> m -> m), Flatten, memorizer."""
    return compose_dims(compose_dims([d, m, m], _flatten_dims(m, floor_dims)), mem_dims)


def dims_moderate(d: int, m: int, floor_dims: list, mem_dims: list, layout: str) -> list:
    """Theorem B.5 in either layout of ``constructions.layers.moderate_layers``."""
    flat = _flatten_dims(m, floor_dims)
    net = [d, m, m]
    B = len(mem_dims)
    if layout == "chain":
        net = compose_dims(net, [m, m + 1])
        for md in mem_dims:
            f = compose_dims(flat, md)
            g = compose_dims([m + 1, 2 * m + 1], [w + m + 1 for w in f])
            net = compose_dims(net, compose_dims(g, [m + 2, m + 2, m + 1]))
        return compose_dims(net, [m + 1, 1])
    for j in range(B):
        n = m + j
        step = compose_dims([n, m + n], [w + n for w in flat])
        net = compose_dims(net, compose_dims(step, [n + 1, n + 1]))
    net = compose_dims(net, [m + B, B + 1])
    for j, md in enumerate(mem_dims):
        n = B - j + 1
        net = compose_dims(net, compose_dims([w + n - 1 for w in md], [n, n, n - 1]))
    return net


def dims_large(d_in: int, d: int, C: int, k: int, N: int) -> list:
    """Theorem B.14's Yu-style network (``constructions.layers.yu_layers``), after an input map R^d_in -> R^d."""
    block = [3 * d + C, 4 * d + C] + [5 * d + C] * (k - 1) + [d + C + 1, d + C + 1]
    return [d_in, d + C] + block * N + [C, 1]


# -- plans ------------------------------------------------------------------------------------------------

def seeded_dataset(N: int, d: int, seed: int = 0, C: int = 10) -> Dataset:
    """N distinct integer points (coordinates in [-K, K], K^d >> N), labels 1 + i mod C."""
    rng = random.Random(1000003 * N + d + seed)
    K = 8 if 17 ** d >= 100 * N else max(8, math.ceil((100 * N) ** (1 / d)))
    pts = set()
    while len(pts) < N:
        pts.add(tuple(rng.randint(-K, K) for _ in range(d)))
    return Dataset([list(p) for p in sorted(pts)], [1 + i % C for i in range(N)])


def plan_size(D: Dataset, rho, regime: str):
    """(planned dims, builder) for one regime; the builder returns the network."""
    if regime == "small":
        from .constructions.small_rho import small_rho_network, small_rho_plan
        pl = small_rho_plan(D, rho)
        dims = dims_small(D.d, pl["m"], floor_net(pl["n"], pl["t"]).dims, pl["mem"].net.dims)
        return dims, (lambda: small_rho_network(pl)), {"m": pl["m"], "blocks": 1}
    if regime == "moderate":
        from .constructions.moderate_rho import moderate_rho_network, moderate_rho_plan
        pl = moderate_rho_plan(D, rho, ETA)
        dims = dims_moderate(D.d, pl["m"], pl["floor"].dims, [mem.net.dims for mem in pl["mems"]],
                             pl["layout"])
        return dims, (lambda: moderate_rho_network(pl)), {"m": pl["m"], "blocks": len(pl["mems"])}
    from .constructions.layers import yu_layers
    from .constructions.large_rho import b14_case, yu_plan
    from .network import ReLUNet
    case = b14_case(D, rho)
    if case not in ("I", "II"):
        raise ExactmemError(f"the size planner covers Cases I-II of Theorem B.14, not Case {case}")
    pl = yu_plan(D, rho)
    dims = dims_large(D.d, D.d, D.C, pl["k"], D.N)
    return dims, (lambda: ReLUNet.from_sparse(yu_layers(pl), pl["d"])), {"m": D.d, "blocks": D.N, "case": case, "k": pl["k"]}


def grid_rhos(N: int, d: int) -> list:
    """(regime, rho) pairs: the top of the small regime, three group sizes in the moderate regime, and
    large-regime ratios from just above 1/(5 sqrt d) to 9/10."""
    sq = math.isqrt(d) + (0 if math.isqrt(d) ** 2 == d else 1)       # ceil(sqrt d)
    out = [("small", fmpq(1, 5 * N * sq))]
    for g in sorted({max(1, N // 4), max(1, N // 16), max(1, N // 64)}, reverse=True):
        rho = fmpq(1, 5 * g * sq)
        if 25 * N * N * d * rho * rho > 1:
            out.append(("moderate", rho))
    large = {fmpq(1, 3), fmpq(1, 2), fmpq(3, 4), fmpq(9, 10)}
    r0 = fmpq(1, max(1, math.isqrt(4 * d)))
    if 25 * d * r0 * r0 > 1 and r0 < 1:
        large.add(r0)
    out += [("large", r) for r in sorted(large)]
    return out


def size_rows(Ns, ds, build_limit: int = 2 * 10 ** 6, regimes=("small", "moderate", "large"), log=None,
              progress=None) -> list:
    """One row per (N, d, regime, rho) with planned and (when built) measured sizes and the bound's value.
    ``log(row)`` is called after each row, ``progress(done, total, next_row_text)`` before each one."""
    rows = []
    total = sum(1 for N in Ns for d in ds for regime, _ in grid_rhos(N, d) if regime in regimes)
    for N in Ns:
        for d in ds:
            D = None
            for regime, rho in grid_rhos(N, d):
                if regime not in regimes:
                    continue
                if progress:
                    progress(len(rows), total, f"N={N} d={d} {regime} rho={fmt(rho)}")
                if D is None:
                    D = seeded_dataset(N, d)
                dims, build, info = plan_size(D, rho, regime)
                row = {"N": N, "d": d, "regime": regime, "rho": rho, "planned_params": params_of(dims),
                       "depth": len(dims) - 1, "width": max(dims[1:-1], default=0), "built": False,
                       "bound": float(evaluate(REGIME_BOUND[regime], N, d, rho)), **info}
                if row["planned_params"] <= build_limit:
                    net = build()
                    if net.dims != dims:
                        raise ExactmemError(f"planner mismatch at N={N}, d={d}, {regime}, rho={rho}")
                    bits = net.bit_complexity()
                    row.update(built=True, params=net.param_count(), nonzero=net.nonzero_count(),
                               bits=bits if bits is not None else f"h{net.max_height_bits()}")
                row["ratio"] = row["planned_params"] / row["bound"]
                rows.append(row)
                if log:
                    log(row)
    if progress:
        progress(len(rows), total, "")
    return rows


def fit_slope(xs, ys) -> float:
    """Least-squares slope of log y on log x (floats: a descriptive statistic, not a proof)."""
    lx, ly = [math.log(float(x)) for x in xs], [math.log(float(y)) for y in ys]
    mx, my = sum(lx) / len(lx), sum(ly) / len(ly)
    den = sum((a - mx) ** 2 for a in lx)
    return sum((a - mx) * (b - my) for a, b in zip(lx, ly)) / den if den else float("nan")


def exponents(rows) -> list:
    """Fitted exponents: params ~ N^a (small regime, and large regime at rho = 1/2, per d) and
    params ~ rho^b (moderate and large regimes, per N and d), beside the theorem's exponents."""
    out = []
    ds, Ns = sorted({r["d"] for r in rows}), sorted({r["N"] for r in rows})
    for d in ds:
        for regime, pick, paper in (("small", lambda r: True, "1/2 (+ d)"),
                                    ("large", lambda r: r["rho"] == fmpq(1, 2), "1")):
            sel = [r for r in rows if r["d"] == d and r["regime"] == regime and pick(r)]
            if len({r["N"] for r in sel}) >= 2:
                out.append({"regime": regime, "over": "N", "at": f"d={d}", "paper": paper,
                            "fitted": fit_slope([r["N"] for r in sel], [r["planned_params"] for r in sel])})
    for N in Ns:
        for d in ds:
            for regime, paper in (("moderate", "1/2"), ("large", "4")):
                sel = [r for r in rows if r["N"] == N and r["d"] == d and r["regime"] == regime]
                if len(sel) >= 2:
                    out.append({"regime": regime, "over": "rho", "at": f"N={N}, d={d}", "paper": paper,
                                "fitted": fit_slope([r["rho"] for r in sel], [r["planned_params"] for r in sel])})
    return out


def markdown(rows, fits) -> str:
    head = ("| N | d | regime | rho | params | nonzero | depth | width | bits | bound (no logs) | params / bound |\n"
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n")
    lines = []
    for r in rows:
        built = r["built"]
        nz = f"{r['nonzero']:,}" if built else "—"
        bits = r["bits"] if built else "—"
        star = "" if built else " *"
        rho = show(r["rho"], 4)                 # "1/1000 ≈ 0.001"
        lines.append(f"| {r['N']} | {r['d']} | {r['regime']} | {rho} | {r['planned_params']:,}{star} | {nz} | "
                     f"{r['depth']:,} | {r['width']:,} | {bits} | {r['bound']:.4g} | {r['ratio']:.3g} |")
    fit = ["| regime | exponent in | at | paper | fitted |", "| --- | --- | --- | --- | --- |"]
    fit += [f"| {f['regime']} | {f['over']} | {f['at']} | {f['paper']} | {f['fitted']:.2f} |" for f in fits]
    return head + "\n".join(lines) + "\n\n" + "\n".join(fit) + "\n"


def plot(rows, N: int, d: int, out: str) -> list:
    """Figure 1's bound curves for (N, d) with the measured parameter counts of ``rows`` at that (N, d) on top,
    drawn to ``out`` (its extension names the format: .png, .pdf, .svg, ...; without one, FILE.png and
    FILE.pdf).  Returns the files written; ``rows`` without that (N, d) are refused, not drawn empty."""
    from .bounds.figure import check_class, curves, figure_targets, save
    check_class(N, d)
    if not any(r["N"] == N and r["d"] == d for r in rows):
        have = sorted({(r["N"], r["d"]) for r in rows})
        raise ExactmemError(f"no measured sizes at N = {N}, d = {d} to draw; the rows are at (N, d) in "
                            f"{', '.join(f'({a}, {b})' for a, b in have) or 'nothing'}")
    targets = figure_targets(out)
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    c = curves(N, d)
    fig, ax = plt.subplots(figsize=(9.5, 4.5))
    for name, (col, ls) in {"new upper (Thm 4.2)": ("C3", "-"), "new lower (Thm 3.1)": ("C0", "-"),
                            "prior upper (Eq. 2)": ("C3", "--"), "prior lower (Eq. 1)": ("C0", "--")}.items():
        ax.plot(c["rho"], c[name], color=col, linestyle=ls, label=name)
    marks = {"small": "o", "moderate": "s", "large": "^"}
    for regime, mk in marks.items():
        sel = [r for r in rows if r["N"] == N and r["d"] == d and r["regime"] == regime]
        if sel:
            ax.scatter([float(r["rho"]) for r in sel], [r["planned_params"] for r in sel], marker=mk, color="k",
                       facecolors=["k" if r["built"] else "none" for r in sel], zorder=3,
                       label=f"exactmem, {regime} (filled: built)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(r"$\rho$")
    ax.set_ylabel("parameters (Eq. 3)")
    ax.set_title(f"Measured sizes over the bounds (constants and logs dropped), N = {N}, d = {d}", fontsize=9)
    ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.01, 0.5))
    fig.tight_layout()
    return save(fig, targets)
