"""The paper's Figure 1 regenerated: log-log parameter bounds against rho, with the remaining gap shaded.

Constants and logarithmic factors are dropped, as in the paper; the curves are the registry's
expressions (floats are used for drawing only).  Upper bounds include the input-layer term d.
"""
from __future__ import annotations

import math
import os

import sympy as sp

from .catalog import PIECEWISE
from .evaluate import validate
from .registry import BoundError, get, rho


def _piecewise_values(family, subs, xs):
    ys = []
    pieces = [get(i) for i in PIECEWISE[family]]
    fns = [(b, sp.lambdify(rho, b.with_additive().subs(subs), "math")) for b in pieces]
    for x in xs:
        val = math.nan
        for b, fn in fns:
            lo, hi = float(b.interval.lo.subs(subs)), float(b.interval.hi.subs(subs))
            if lo < x <= hi or (x == hi and not b.interval.hi_open):
                val = fn(x)
                break
        ys.append(val)
    return ys


def curves(Nv: int, dv: int, points: int = 400) -> dict:
    """The four curves (new/prior x lower/upper) on a log grid of rho in (1/(50 N sqrt d), 1)."""
    subs = validate(Nv, dv)
    lo = 1 / (50 * Nv * math.sqrt(dv))
    xs = [lo * (0.999 / lo) ** (k / (points - 1)) for k in range(points)]
    lb_new = sp.lambdify(rho, get("KMY25.Thm3.1").expr.subs(subs), "math")
    return {"rho": xs,
            "new upper (Thm 4.2)": _piecewise_values("KMY25.Thm4.2", subs, xs),
            "new lower (Thm 3.1)": [lb_new(x) for x in xs],
            "prior upper (Eq. 2)": _piecewise_values("Prior.Eq2", subs, xs),
            "prior lower (Eq. 1)": _piecewise_values("Prior.Eq1", subs, xs)}


def check_class(Nv, dv) -> None:
    """N and d of a class D_{d,N,C} that exists: integers N >= 2 (N >= C >= 2) and d >= 1.

    >>> check_class(1, 1)
    Traceback (most recent call last):
    ...
    exactmem.bounds.registry.BoundError: N must be an integer >= 2 (the class D_{d,N,C} has N >= C >= 2 points), got 1
    """
    for name, v, least, why in (("N", Nv, 2, " (the class D_{d,N,C} has N >= C >= 2 points)"), ("d", dv, 1, "")):
        if isinstance(v, bool) or not isinstance(v, int) or v < least:
            raise BoundError(f"{name} must be an integer >= {least}{why}, got {v!r}")


def _pyplot():
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise BoundError("plotting needs matplotlib: pip install 'exactmem[plot]'") from None
    return plt


def figure_targets(out) -> list:
    """The files a figure goes to: ``out`` itself when its extension is a format matplotlib writes (.png, .pdf,
    .svg, .jpg, ...), FILE.png and FILE.pdf when it has none; another extension, or a folder that cannot be
    written, is refused before anything is drawn.

    >>> figure_targets("fig"), figure_targets("fig.svg")
    (['fig.png', 'fig.pdf'], ['fig.svg'])
    >>> try:
    ...     figure_targets("fig.docx")
    ... except BoundError as e:
    ...     print(str(e)[:52], "..." , ".pdf" in str(e), ".svg" in str(e))
    cannot draw a figure as '.docx' (fig.docx): use one ... True True
    """
    out = os.fspath(out)
    if not out or out.endswith(("/", os.sep)):
        raise BoundError(f"the figure needs a file name, got {out!r}")
    root, ext = os.path.splitext(out)
    if not ext:
        targets = [root + ".png", root + ".pdf"]
    else:
        _pyplot()
        from matplotlib.backend_bases import FigureCanvasBase
        kinds = FigureCanvasBase.get_supported_filetypes()
        if ext[1:].lower() not in kinds:
            raise BoundError(f"cannot draw a figure as {ext!r} ({out}): use one of "
                             f"{', '.join('.' + k for k in sorted(kinds))}, or a name without an extension")
        targets = [out]
    folder = os.path.dirname(os.path.abspath(targets[0]))
    if not os.path.isdir(folder) or not os.access(folder, os.W_OK):
        raise BoundError(f"cannot write to {folder!r}")
    return targets


def save(fig, targets) -> list:
    """Write ``fig`` to every target (closing it); returns the files written."""
    plt = _pyplot()
    written = []
    try:
        for t in targets:
            try:
                fig.savefig(t)
            except OSError as e:
                raise BoundError(f"cannot write {t!r}: {e}") from None
            written.append(t)
    finally:
        plt.close(fig)
    return written


def plot(Nv: int, dv: int, out: str) -> list:
    """Draw the figure to ``out`` (its extension names the format: .png, .pdf, .svg, .jpg, ...; without an
    extension, FILE.png and FILE.pdf).  Returns the files written."""
    check_class(Nv, dv)
    targets = figure_targets(out)
    plt = _pyplot()
    c = curves(Nv, dv)
    fig, ax = plt.subplots(figsize=(7, 4.5))
    xs = c["rho"]
    styles = {"new upper (Thm 4.2)": ("C3", "-"), "new lower (Thm 3.1)": ("C0", "-"),
              "prior upper (Eq. 2)": ("C3", "--"), "prior lower (Eq. 1)": ("C0", "--")}
    for name, (col, ls) in styles.items():
        ax.plot(xs, c[name], color=col, linestyle=ls, label=name)
    up, low = c["new upper (Thm 4.2)"], c["new lower (Thm 3.1)"]
    ax.fill_between(xs, low, up, where=[u > l for u, l in zip(up, low)], color="0.6", alpha=0.35, hatch="//",
                    label="remaining gap")
    for b in (1 / (5 * Nv * math.sqrt(dv)), 1 / (5 * math.sqrt(dv))):
        ax.axvline(b, color="0.4", linewidth=0.6, linestyle=":")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(r"$\rho$")
    ax.set_ylabel("parameters")
    ax.set_title(f"Parameter bounds for robust memorization, N = {Nv}, d = {dv}\n"
                 "(constants and log factors dropped, as in the paper's Figure 1)", fontsize=9)
    ax.legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    return save(fig, targets)
