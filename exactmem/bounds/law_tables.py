"""The laws of robustness as one table (booktabs LaTeX or Markdown), generated from the law records.

One row per record of :mod:`exactmem.bounds.law_catalog`: its id, what it bounds (the Lipschitz
constant, a proxy, a probability or a constant of the parametrisation), the bound, its validity
condition, its status and its source.  ``exactmem law table [--format latex|markdown]
[--standalone] [--out FILE]`` prints it.

>>> print(law_table("markdown").splitlines()[0])
| law | bounds | statement | condition | status | source |
>>> law_table("html")
Traceback (most recent call last):
...
exactmem.bounds.registry.BoundError: unknown format 'html' for the law table; choose latex or markdown
"""
from __future__ import annotations

import re

from .law_catalog import LAWS
from .registry import BoundError
from .tables import _tex_escape_text

FORMATS = ("latex", "markdown")
_BOUNDS = {"Lip": "Lip", "proxy": "proxy (an upper bound on Lip)", "probability": "probability",
           "parametrisation": "parametrisation (J, B)"}
HEAD = ["law", "bounds", "statement", "condition", "status", "source"]
CAPTION = (r"Laws of robustness. $K$: number of isoperimetric mixture components (Bubeck--Sellke's $k$); "
           r"$k$: width; $p$: parameters; $c$: isoperimetry constant; $W$, $J$: diameter of the parameter set "
           r"and Lipschitz constant of $w \mapsto f_w$; $\mathbf{W}$: first-layer weight matrix; "
           r"$E_L$: some $f$ fits with empirical square loss $\leq \sigma^2 - \varepsilon$ and "
           r"$\mathrm{Lip}(f) \leq L$. $\tilde{\Omega}$ hides log factors. Constants of Bubeck--Sellke as in "
           r"their NeurIPS 2021 submission (a secondary source quotes $9^4$ for Theorem 2's $8^4$). "
           r"A lower bound on a proxy implies none on Lip.")


def _short_source(src: str) -> str:
    """'Bubeck & Sellke 2021 (NeurIPS; arXiv:...), Theorem 3' -> 'Bubeck & Sellke 2021, Theorem 3'."""
    return re.sub(r"\s*\((?![0-9.]+\))[^()]*\)", "", src).strip()


def _rows() -> list:
    rows = []
    for b in LAWS.values():
        status = b.status + (" (bounds a proxy, not Lip)" if b.status == "withdrawn" else "")
        cond = b.condition_latex()
        rows.append([b.id, _BOUNDS[b.quantity], f"${b.latex()}$", f"${cond}$" if cond else "", status,
                     _short_source(b.source)])
    return rows


def _md_text(s: str) -> str:
    return s.replace("|", r"\|") if s else "–"


def law_table(fmt: str = "latex", standalone: bool = False) -> str:
    """The table of laws; ``fmt`` is 'latex' (needs booktabs and array; ``standalone`` wraps it in a document)
    or 'markdown'."""
    if fmt not in FORMATS:
        raise BoundError(f"unknown format {fmt!r} for the law table; choose latex or markdown")
    rows = _rows()
    if fmt == "markdown":
        lines = ["| " + " | ".join(HEAD) + " |", "|" + "---|" * len(HEAD)]
        lines += ["| " + " | ".join(_md_text(cell) for cell in row) + " |" for row in rows]
        return "\n".join(lines) + "\n\n" + CAPTION.replace("--", "–") + "\n"
    widths = ("2.4cm", "6.6cm", "4.2cm", "1.8cm", "4.8cm")
    cols = "l" + "".join(rf">{{\raggedright\arraybackslash}}p{{{w}}}" for w in widths)
    body = [r"\begin{tabular}{" + cols + "}", r"\toprule",
            " & ".join(HEAD) + r" \\", r"\midrule"]
    for row in rows:   # the statement in display style, so that the fractions of L_BS stay legible
        row[2] = row[2].replace("$", r"$\displaystyle ", 1)
    body += [" & ".join(_tex_escape_text(cell) if cell else "--" for cell in row) + r" \\" for row in rows]
    body += [r"\bottomrule", r"\end{tabular}"]
    frag = ("\\begin{table}[ht]\n\\centering\n\\footnotesize\n" + "\n".join(body) + "\n\\caption{" + CAPTION
            + "}\n\\label{tab:laws}\n\\end{table}\n")
    if not standalone:
        return frag
    return ("\\documentclass{article}\n\\usepackage[margin=1cm,landscape]{geometry}\n\\usepackage{booktabs}\n"
            "\\usepackage{array}\n\\usepackage{amsmath,amssymb}\n\\begin{document}\n" + frag + "\\end{document}\n")
