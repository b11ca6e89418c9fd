"""LaTeX (booktabs) and Markdown tables generated from the bound registry.

Tables: ``l2`` (the l2 summary: prior and new, lower and upper, per regime), ``B1`` (Theorem
B.1: parameters, depth, width, bit complexity per regime) and ``table1`` (Table 1 of
Appendix D.1, l_p).  Each can be a fragment or a standalone document.

>>> print(table("B1", "markdown").splitlines()[0])
| regime | $\\rho$ range | parameters | depth | width | bit complexity |
"""
from __future__ import annotations

from .registry import BoundError, get

TABLES = ("l2", "B1", "table1")
FORMATS = ("latex", "markdown")

_L2_ROWS = [
    ("(i) small", "KMY25.Thm4.2.i", ["Prior.Eq1.a"], ["Prior.Eq2.a"]),
    ("(ii) moderate", "KMY25.Thm4.2.ii", ["Prior.Eq1.a"], ["Prior.Eq2.a"]),
    ("(iii) large", "KMY25.Thm4.2.iii", ["Prior.Eq1.a", "Prior.Eq1.b"], ["Prior.Eq2.a", "Prior.Eq2.b", "Prior.Eq2.c"]),
]
_TABLE1 = ["KMY25.PropC.6.p>=2", "KMY25.PropC.6.p<2", "KMY25.PropC.7", "Prior.Yu2024.LB", "KMY25.PropC.8",
           "Prior.Li2022.LB.T1", "KMY25.ThmC.12", "KMY25.ThmC.13", "Prior.Egosi2025.lp.a", "KMY25.ThmC.14",
           "Prior.Egosi2025.lp.b", "Prior.Yu2024.lp"]
_T1_NORM = {"KMY25.PropC.6.p>=2": "p > 2", "KMY25.PropC.6.p<2": r"p \le 2", "KMY25.PropC.7": r"p = \infty",
            "Prior.Yu2024.LB": r"p = \infty", "KMY25.PropC.8": r"p < \infty", "Prior.Li2022.LB.T1": "p = 2"}


def _piece(bid, with_range=False):
    b = get(bid)
    s = f"${b.latex()}$"
    return s + (f" on ${b.interval.latex()}$" if with_range else "")


def _rows(which):
    if which == "l2":
        head = ["regime", r"$\rho$ range", "prior lower", "new lower (Thm 3.1)", "prior upper", "new upper (Thm 4.2)"]
        rows = []
        for label, new_ub, prior_lb, prior_ub in _L2_ROWS:
            b = get(new_ub)
            many = lambda ids: "; ".join(_piece(i, len(ids) > 1) for i in ids)  # noqa: E731
            new_ub_cell = _piece(new_ub) + (r" (error $\eta$)" if b.exact == "error eta" else "")
            rows.append([label, f"${b.interval.latex()}$", many(prior_lb), _piece("KMY25.Thm3.1"), many(prior_ub),
                         new_ub_cell])
        return head, rows, ("All bounds on the total parameter count, l2. Õ hides polylog factors; "
                            "the upper bounds include the input-layer term d the paper omits.")
    if which == "B1":
        head = ["regime", r"$\rho$ range", "parameters", "depth", "width", "bit complexity"]
        rows = []
        for reg in ("i", "ii", "iii"):
            p = get(f"KMY25.Thm4.2.{reg}")
            rows.append([f"({reg})", f"${p.interval.latex()}$", _piece(f"KMY25.Thm4.2.{reg}")]
                        + [_piece(f"KMY25.ThmB.1.{reg}.{q}") for q in ("depth", "width", "bits")])
        return head, rows, "Theorem B.1 (extended Theorem 4.2); regime (ii) with error at most eta."
    if which == "table1":
        head = ["", r"$\ell_p$", r"$\rho$ range", "bound", "source"]
        rows = []
        for bid in _TABLE1:
            b = get(bid)
            norm = _T1_NORM.get(bid, "any $p$")
            norm = f"${norm}$" if not norm.startswith("any") else norm
            mark = r"$^\dagger$" if b.discrepancy else ""
            rows.append(["LB" if b.kind == "lower" else "UB", norm, f"${b.interval.latex()}$",
                         f"${b.latex(additive=False)}${mark}", b.source.replace("Kim, Moon & Yun 2025, ", "")])
        return head, rows, (r"Table 1 (Appendix D.1), $\gamma_p(d) = d^{|1/p-1/2|}$. "
                            r"$^\dagger$ Table 1 prints $N d^2 (\rho\gamma_p)^2$; Theorem C.14 states "
                            r"$N d^2 \rho^4 \gamma_p^4$, used here.")
    raise BoundError(f"unknown table {which!r}; choose one of {', '.join(TABLES)}")


def _tex_escape_text(s: str) -> str:
    """Escape a text cell for LaTeX, leaving $...$ math alone."""
    out, math = [], False
    for ch in s:
        if ch == "$":
            math = not math
            out.append(ch)
        elif not math and ch in "&%#_":
            out.append("\\" + ch)
        elif not math and ch == "§":
            out.append(r"$\S$")   # the math-mode section sign: no TS1 (textcomp) font needed
        else:
            out.append(ch)
    return "".join(out).replace("Õ", r"$\tilde{O}$")


def table(which: str = "l2", fmt: str = "latex", standalone: bool = False) -> str:
    """Render a table; ``fmt`` is 'latex' or 'markdown'; ``standalone`` wraps LaTeX in a document."""
    if fmt not in FORMATS:
        raise BoundError(f"unknown format {fmt!r}; choose latex or markdown")
    head, rows, caption = _rows(which)
    if fmt == "markdown":
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        lines += ["| " + " | ".join(c.replace("|", r"\|") for c in r) + " |" for r in rows]
        return "\n".join(lines) + f"\n\n{caption}\n"
    cols = "l" * len(head)
    body = [r"\begin{tabular}{" + cols + "}", r"\toprule",
            " & ".join(_tex_escape_text(h) for h in head) + r" \\", r"\midrule"]
    body += [" & ".join(_tex_escape_text(c) for c in r) + r" \\" for r in rows]
    body += [r"\bottomrule", r"\end{tabular}"]
    frag = "\n".join(body)
    frag = "\\begin{table}[ht]\n\\centering\n\\small\n" + frag + "\n\\caption{" + _tex_escape_text(caption) + \
        "}\n\\end{table}\n"
    if not standalone:
        return frag
    return ("\\documentclass{article}\n\\usepackage[margin=1cm,landscape]{geometry}\n\\usepackage{booktabs}\n"
            "\\usepackage{amsmath,amssymb}\n\\begin{document}\n" + frag + "\\end{document}\n")
