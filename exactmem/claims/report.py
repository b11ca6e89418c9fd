"""Status reports of claims: Markdown, one static HTML page with the dependency graph as inline SVG, and a
booktabs LaTeX table of the checked statements.  Every writer reads the JSON document of
``exactmem check --json`` (``runner.to_json``), so a report can be made from a run kept earlier.

>>> from exactmem import Verdict
>>> from exactmem.claims.model import Claim
>>> from exactmem.claims.runner import run_claim, to_json
>>> base = Claim("DEMO.A", "0 < 1", lambda x: Verdict.proved("by hand"), {"f": lambda: [("one", 1)]})
>>> top = Claim("DEMO.B", "1 < 2", lambda x: Verdict.proved("from A"), {"f": lambda: [("one", 1)]}, uses=("DEMO.A",))
>>> doc = to_json([run_claim(base), run_claim(top)])
>>> edges(doc)
[('DEMO.A', 'DEMO.B')]
>>> print(markdown(doc).splitlines()[2])
2 claims: 2 proved, 0 certified, 0 refuted, 0 undecided, 0 withdrawn (default families).
>>> "<svg" in html(doc) and latex(doc).startswith(r"\\begin{longtable}")
True
"""
from __future__ import annotations

import datetime
import html as _html
import json
import os
import unicodedata

from ..errors import ClaimError
from .runner import REPORT_FORMAT, REPORT_VERSION

STATUSES = ("PROVED", "CERTIFIED", "REFUTED", "UNDECIDED", "WITHDRAWN")
COLOURS = {"PROVED": ("#1a7f37", "#dafbe1"), "CERTIFIED": ("#0550ae", "#ddf4ff"), "REFUTED": ("#cf222e", "#ffebe9"),
           "UNDECIDED": ("#9a6700", "#fff8c5"), "WITHDRAWN": ("#57606a", "#eaeef2")}
FORMATS = {"md": "claims.md", "html": "claims.html", "latex": "claims.tex"}


def load(path) -> dict:
    """The document written by ``exactmem check --json FILE``, checked to be one."""
    try:
        with open(path, encoding="utf-8") as fh:
            doc = json.load(fh)
    except OSError as e:
        raise ClaimError(f"cannot read the claim results {str(path)!r}: {e}") from None
    except ValueError as e:
        raise ClaimError(f"the claim results {str(path)!r} are not JSON: {e}") from None
    if not isinstance(doc, dict) or doc.get("format") != REPORT_FORMAT:
        raise ClaimError(f"{str(path)!r} is not a claim results document (format != {REPORT_FORMAT!r}; "
                         f"write one with exactmem check --json FILE)")
    if doc.get("version") != REPORT_VERSION:
        raise ClaimError(f"claim results version {doc.get('version')!r} is not supported (this reads {REPORT_VERSION})")
    if not isinstance(doc.get("claims"), list) or not all(isinstance(c, dict) and "id" in c for c in doc["claims"]):
        raise ClaimError(f"{str(path)!r} has no list of claims")
    return doc


def _claims(doc):
    return doc["claims"]


def _status(c) -> str:
    """The status shown: ``WITHDRAWN (PROVED)`` for a withdrawn claim, else the claim's status."""
    s = c.get("status", "UNDECIDED")
    return f"{s} ({c.get('checked', c['verdict']['status'])})" if s == "WITHDRAWN" else s


def _detail(c) -> str:
    """Witness or reason: the first failing instance's reason (and witness), else what proved it; for an
    UNDECIDED claim declared ``may_be_undecided``, its reason too."""
    v = c.get("verdict", {})
    text = v.get("reason", "")
    if v.get("status") == "REFUTED" and v.get("witness") is not None:
        text += "; witness: " + json.dumps(v["witness"], ensure_ascii=False)
    elif c.get("certified"):
        text += f"; {c['certified']} of {c['instances']} by kernel certificates"
    if _undecided(c) and c.get("may_be_undecided"):
        text = f"may be undecided: {c['may_be_undecided']} -- {text}"
    return text


def _undecided(c) -> bool:
    return c.get("verdict", {}).get("status") == "UNDECIDED"


def undecided_lines(doc) -> list:
    """The UNDECIDED claims of a run: those that fail it (not declared ``may_be_undecided``), and those allowed,
    with their reasons (``runner.undecided_lines`` for a kept run)."""
    bad = [c["id"] for c in _claims(doc) if _undecided(c) and not c.get("may_be_undecided")]
    ok = [c for c in _claims(doc) if _undecided(c) and c.get("may_be_undecided")]
    out = []
    if bad:
        out.append("UNDECIDED and not declared may_be_undecided, so the check fails: " + ", ".join(bad))
    if ok:
        out.append("UNDECIDED, allowed by may_be_undecided: " +
                   "; ".join(f"{c['id']} ({c['may_be_undecided']})" for c in ok))
    return out


def exit_status(doc) -> int:
    """1 when a claim of the run is REFUTED, or UNDECIDED without ``may_be_undecided``; else 0."""
    return 1 if any(c.get("verdict", {}).get("status") == "REFUTED" or
                    (_undecided(c) and not c.get("may_be_undecided")) for c in _claims(doc)) else 0


def _summary(doc) -> str:
    cl = _claims(doc)
    n = {s: sum(1 for c in cl if c.get("status") == s) for s in STATUSES}
    total = sum(c.get("seconds", 0) for c in cl)
    return (f"{len(cl)} claim{'s' if len(cl) != 1 else ''}: " + ", ".join(f"{n[s]} {s.lower()}" for s in STATUSES) +
            f" ({'all' if doc.get('full') else 'default'} families)."), total


def summary_line(doc) -> str:
    return _summary(doc)[0]


def skipped(c, doc) -> list:
    """The slow families of claim ``c`` that the run left out (a run without ``--full`` leaves out all)."""
    if "skipped_families" in c:
        return list(c["skipped_families"] or ())
    return [] if doc.get("full") else list(c.get("slow_families") or ())


def skipped_line(doc) -> str:
    """``skipped (slow, run with --full): A (large), B (larger)``, or empty when the run left nothing out."""
    parts = [f"{c['id']} ({', '.join(skipped(c, doc))})" for c in _claims(doc) if skipped(c, doc)]
    return f"skipped (slow, run with --full): {', '.join(parts)}" if parts else ""


def select(doc, pattern: str | None = None, tags=()) -> dict:
    """The document with only the claims whose id or statement contains ``pattern`` and that carry every tag."""
    keep = doc["claims"]
    if pattern:
        keep = [c for c in keep if pattern.lower() in c["id"].lower() or pattern.lower() in
                str(c.get("statement", "")).lower()]
    for t in tags or ():
        keep = [c for c in keep if t.lower() in (s.lower() for s in c.get("tags", ()))]
    return {**doc, "claims": keep}


# -- the dependency graph ---------------------------------------------------------------------------------
def edges(doc) -> list:
    """``(used, user)`` pairs: the statement ``used`` is listed in the ``uses`` of claim ``user``."""
    return sorted((u, c["id"]) for c in _claims(doc) for u in c.get("uses", ()))


def layers(doc) -> tuple:
    """The graph's nodes in layers (a node after everything it uses; cycles are broken and returned)."""
    ids = {c["id"] for c in _claims(doc)}
    E = edges(doc)
    nodes = sorted({a for a, _ in E} | {b for _, b in E})
    uses = {n: sorted(a for a, b in E if b == n) for n in nodes}
    depth, state, cycles = {}, {}, []

    def visit(n):                                   # iterative DFS: long chains must not hit the recursion limit
        stack = [(n, iter(uses[n]))]
        state[n] = 1
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                stack.pop()
                state[node] = 2
                depth[node] = 1 + max((depth[u] for u in uses[node] if u in depth), default=-1)
            elif state.get(nxt) == 1:
                cycles.append((nxt, node))
            elif nxt not in state:
                state[nxt] = 1
                stack.append((nxt, iter(uses[nxt])))
    for n in nodes:
        if n not in state:
            visit(n)
    out = [[] for _ in range(1 + max(depth.values(), default=-1))]
    for n in nodes:
        out[depth[n]].append(n)
    for k in range(1, len(out)):                    # order each layer by the mean place of what it uses
        place = {n: i for i, n in enumerate(out[k - 1])}
        for j in range(k - 1):
            place.update({n: i for i, n in enumerate(out[j])})
        out[k].sort(key=lambda n: (sum(place.get(u, 0) for u in uses[n]) / max(1, len(uses[n])), n))
    return out, ids, cycles


def svg(doc) -> str:
    """The dependency graph as an SVG element: an arrow from B to A when A uses B; boxes coloured by status,
    dashed for statements that are not among the claims reported."""
    cols, ids, cycles = layers(doc)
    if not cols:
        return ('<svg xmlns="http://www.w3.org/2000/svg" width="560" height="40" role="img" '
                'aria-label="no dependencies"><text x="8" y="24" font-family="sans-serif" font-size="13" '
                'fill="#57606a">No claim lists the statements it uses (uses=...): no graph to draw.</text></svg>')
    by_id = {c["id"]: c for c in _claims(doc)}
    cw, h, gap_y, gap_x, pad = 7.2, 24, 12, 60, 16
    width_of = {n: 16 + cw * len(n) for col in cols for n in col}
    col_w = [max(width_of[n] for n in col) for col in cols]
    xs, x = [], pad
    for w in col_w:
        xs.append(x)
        x += w + gap_x
    legend = "an arrow B → A: claim A uses statement B; dashed: a statement used but not reported here"
    if cycles:
        legend += f"; {len(cycles)} cycle(s) in uses, drawn in red"
    arc = 28 if cycles else 0                       # room above the boxes for the back edges of cycles
    H = pad * 2 + arc + max(len(col) for col in cols) * (h + gap_y)
    W = max(x - gap_x + pad, 2 * pad + 6.2 * len(legend))
    pos = {}
    for k, col in enumerate(cols):
        top = pad + arc + (H - 2 * pad - arc - len(col) * (h + gap_y)) / 2
        for i, n in enumerate(col):
            pos[n] = (xs[k], top + i * (h + gap_y), width_of[n])
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W:.0f}" height="{H + 22:.0f}" '
           f'viewBox="0 0 {W:.0f} {H + 22:.0f}" role="img" aria-label="dependency graph of the claims">',
           '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
           'orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#57606a"/></marker></defs>']
    for a, b in edges(doc):
        xa, ya, wa = pos[a]
        xb, yb, _ = pos[b]
        x1, y1, x2, y2 = xa + wa, ya + h / 2, xb, yb + h / 2
        if x2 <= x1:                                # a cycle's back edge: an arc above the boxes, top to top
            wb = pos[b][2]
            out.append(f'<path d="M {xa + wa / 2:.1f} {ya:.1f} C {xa + wa / 2:.1f} {pad / 2:.1f}, {xb + wb / 2:.1f} '
                       f'{pad / 2:.1f}, {xb + wb / 2:.1f} {yb:.1f}" fill="none" stroke="#cf222e" '
                       f'stroke-dasharray="4 3" marker-end="url(#arrow)"/>')
            continue
        mx = (x1 + x2) / 2
        out.append(f'<path d="M {x1:.1f} {y1:.1f} C {mx:.1f} {y1:.1f}, {mx:.1f} {y2:.1f}, {x2:.1f} {y2:.1f}" '
                   f'fill="none" stroke="#8c959f" stroke-width="1.2" marker-end="url(#arrow)"/>')
    for n, (x0, y0, w) in pos.items():
        c = by_id.get(n)
        st = c.get("status", "UNDECIDED") if c else None
        fg, bg = COLOURS.get(st, ("#57606a", "#ffffff"))
        tip = _html.escape(f"{n}: {_status(c)} -- {c.get('statement', '')}" if c else
                           f"{n}: used, but not among the claims reported", quote=False)
        dash = "" if c else ' stroke-dasharray="4 3"'
        box = (f'<rect x="{x0:.1f}" y="{y0:.1f}" width="{w:.1f}" height="{h}" rx="5" fill="{bg}" stroke="{fg}"'
               f'{dash}/><text x="{x0 + w / 2:.1f}" y="{y0 + h / 2 + 4:.1f}" text-anchor="middle" '
               f'font-family="ui-monospace,Menlo,Consolas,monospace" font-size="12" fill="{fg if c else "#57606a"}">'
               f'{_html.escape(n)}</text>')
        link = f'<a href="#claim-{_anchor(n)}">' if c else ""
        out.append(f'<g>{link}<title>{tip}</title>{box}{"</a>" if c else ""}</g>')
    out.append(f'<text x="{pad}" y="{H + 14:.0f}" font-family="sans-serif" font-size="11" fill="#57606a">'
               f'{_html.escape(legend)}</text></svg>')
    return "\n".join(out)


def _not_run(c, doc) -> str:
    return f" (slow families not run: {', '.join(skipped(c, doc))})" if skipped(c, doc) else ""


def _sentence(s: str) -> str:
    return s[:1].upper() + s[1:] + "."


def _anchor(cid: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in cid)


# -- Markdown ---------------------------------------------------------------------------------------------
def _md(s) -> str:
    """A table cell's text: Markdown's special characters escaped, on one line."""
    s = str(s).replace("\\", "\\\\").replace("\n", " ")
    for ch in "|_*`[]":
        s = s.replace(ch, "\\" + ch)
    return s.replace("<", "&lt;")


def _code(s) -> str:
    """Text inside a code span of a table cell: only the cell separator escaped."""
    return str(s).replace("`", "'").replace("|", r"\|").replace("\n", " ")


def _cut(s: str, n: int) -> str:
    return s if len(s) <= n else s[:n - 1] + "…"


def markdown(doc) -> str:
    """The report as Markdown: a summary, one table row per claim, the instances of every claim not proved,
    and the dependencies as a list."""
    line, total = _summary(doc)
    skip = skipped_line(doc)
    out = ["# Claims report", "", line, f"Checked in {total:.1f} s.", "",
           *([_md(_sentence(skip)), ""] if skip else []),
           "| claim | status | statement | source | instances | time | witness or reason |",
           "| --- | --- | --- | --- | --- | --- | --- |"]
    for c in _claims(doc):
        out.append(f"| `{_code(c['id'])}` | {_status(c)} | {_md(c.get('statement', ''))} | "
                   f"{_md(c.get('source', {}).get('text', ''))} | {c.get('instances', 0)} | "
                   f"{c.get('seconds', 0):.2f} s | {_md(_cut(_detail(c), 300))}{_md(_not_run(c, doc))} |")
    bad = [c for c in _claims(doc) if c.get("status") in ("REFUTED", "UNDECIDED", "WITHDRAWN")]
    if bad:
        out += ["", "## Claims not proved, and withdrawn claims", ""]
        for c in bad:
            out += [f"### `{c['id']}`: {_status(c)}", "", _md(c.get("statement", "")), ""]
            if _undecided(c):
                out += [(f"May be undecided: {_md(c['may_be_undecided'])}" if c.get("may_be_undecided") else
                         "Not declared may\\_be\\_undecided: this fails the check."), ""]
            for i in c.get("per_instance", []):
                w = f"; witness: `{_code(_cut(json.dumps(i['witness'], ensure_ascii=False), 400))}`" \
                    if i.get("status") == "REFUTED" and i.get("witness") is not None else ""
                out.append(f"* {_md(i['name'])}: {i['status']} ({i.get('seconds', 0):.2f} s) "
                           f"{_md(_cut(i.get('reason', ''), 400))}{w}")
            out.append("")
    used = [c for c in _claims(doc) if c.get("uses")]
    if used:
        out += ["## Dependencies", ""] + [f"* `{c['id']}` uses " + ", ".join(f"`{u}`" for u in c["uses"])
                                              for c in used]
    return "\n".join(out).rstrip() + "\n"


# -- HTML -------------------------------------------------------------------------------------------------
_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2em auto;max-width:1300px;color:#1f2328;
padding:0 1em;line-height:1.4}
h1{font-size:1.6em;margin-bottom:.2em}.meta{color:#57606a;margin-top:0}
.counts span{display:inline-block;margin:0 .4em .4em 0;padding:.2em .7em;border-radius:1em;font-weight:600}
table{border-collapse:collapse;width:100%;font-size:.9em}th,td{border-bottom:1px solid #d0d7de;padding:.45em .5em;
text-align:left;vertical-align:top}th{background:#f6f8fa;position:sticky;top:0}
td.id{font-family:ui-monospace,Menlo,Consolas,monospace;white-space:nowrap}
.badge{display:inline-block;padding:.1em .5em;border-radius:.6em;font-size:.85em;font-weight:600;white-space:nowrap}
td.num{text-align:right;white-space:nowrap}.why{color:#57606a;max-width:28em;min-width:14em;overflow-wrap:anywhere}
details summary{cursor:pointer;color:#0969da;font-size:.9em}table.inst{font-size:.95em;margin:.3em 0;width:auto}
tr.sub td{border-bottom:1px solid #d0d7de;padding-top:0}tbody tr:first-child td{border-bottom:none}
table.inst td{border-bottom:1px solid #eaeef2}table.inst td.why{max-width:none}
.graph{overflow-x:auto;border:1px solid #d0d7de;border-radius:6px;padding:.5em;margin:1em 0 1.5em}
code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.95em}
"""


def _badge(status: str, label: str | None = None) -> str:
    fg, bg = COLOURS.get(status, ("#57606a", "#eaeef2"))
    return f'<span class="badge" style="color:{fg};background:{bg}">{_html.escape(label or status)}</span>'


def html(doc, title: str = "Claims report") -> str:
    """The report as one static HTML page (no script, no external file): summary, the dependency graph as
    inline SVG, one row per claim with its instances folded under it."""
    e = _html.escape
    line, total = _summary(doc)
    n = {s: sum(1 for c in _claims(doc) if c.get("status") == s) for s in STATUSES}
    counts = "".join(f'<span style="color:{COLOURS[s][0]};background:{COLOURS[s][1]}">{n[s]} {s.lower()}</span>'
                     for s in STATUSES)
    rows = []
    for c in _claims(doc):
        insts = "".join(
            f"<tr><td>{e(i['name'])}</td><td>{_badge('CERTIFIED' if i.get('certified') else i['status'])}</td>"
            f"<td class=num>{i.get('seconds', 0):.2f} s</td><td class=why>{e(_cut(i.get('reason', ''), 600))}"
            + (f"<br><code>witness: {e(_cut(json.dumps(i['witness'], ensure_ascii=False), 600))}</code>"
               if i.get("status") == "REFUTED" and i.get("witness") is not None else "") + "</td></tr>"
            for i in c.get("per_instance", []))
        uses = (f"<br><small>uses: {', '.join(e(u) for u in c['uses'])}</small>" if c.get("uses") else "")
        tags = (f"<br><small>tags: {', '.join(e(t) for t in c.get('tags', []))}</small>" if c.get("tags") else "")
        tags += f"<br><small>{e(_not_run(c, doc).strip(' ()'))}</small>" if skipped(c, doc) else ""
        rows.append(f'<tbody><tr id="claim-{_anchor(c["id"])}"><td class=id>{e(c["id"])}</td>'
                    f'<td>{_badge(c.get("status", "UNDECIDED"), _status(c))}</td>'
                    f'<td>{e(c.get("statement", ""))}{uses}{tags}</td><td>{e(c.get("source", {}).get("text", ""))}</td>'
                    f'<td class=num>{c.get("instances", 0)}</td><td class=num>{c.get("seconds", 0):.2f} s</td>'
                    f'<td class=why>{e(_cut(_detail(c), 600))}</td></tr>' +
                    (f'<tr class=sub><td></td><td colspan=6><details><summary>the {c.get("instances", 0)} instance'
                     f'{"s" if c.get("instances", 0) != 1 else ""} of {e(c["id"])}</summary><table class=inst>'
                     f'{insts}</table></details></td></tr>' if insts else "") + "</tbody>")
    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return ("<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8><meta name=viewport "
            f'content="width=device-width,initial-scale=1"><title>{e(title)}</title><style>{_CSS}</style></head>'
            f"<body><h1>{e(title)}</h1><p class=meta>{e(line)} Checked in {total:.1f} s; written {when} by "
            f"exactmem report.</p>" + (f"<p class=meta>{e(_sentence(skipped_line(doc)))}</p>"
                                       if skipped_line(doc) else "") + f"<div class=counts>{counts}</div>"
            "<h2>Dependencies</h2><div class=graph>" + svg(doc) + "</div>"
            "<h2>Claims</h2><table><thead><tr><th>claim</th><th>status</th><th>statement</th><th>source</th>"
            "<th>instances</th><th>time</th><th>witness or reason</th></tr></thead>\n" + "\n".join(rows) +
            "\n</table></body></html>\n")


# -- LaTeX ------------------------------------------------------------------------------------------------
_TEX_SPECIAL = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "%": r"\%",
                "#": r"\#", "_": r"\_", "^": r"\^{}", "~": r"\~{}", "<": r"$<$", ">": r"$>$", "|": r"$|$"}
_TEX_UNICODE = {"§": r"\S{}", "–": "--", "—": "---", "…": r"\ldots{}", "≤": r"$\le$", "≥": r"$\ge$",
                "≈": r"$\approx$", "≠": r"$\ne$", "∞": r"$\infty$", "√": r"$\surd$", "·": r"$\cdot$",
                "×": r"$\times$", "−": "$-$", "→": r"$\to$", "↦": r"$\mapsto$", "∈": r"$\in$", "ℓ": r"$\ell$",
                "‖": r"$\|$", "∑": r"$\sum$", "∏": r"$\prod$", "±": r"$\pm$", "‘": "`", "’": "'", "“": "``",
                "”": "''", "é": r"\'e", "è": r"\`e", "ö": r"\"o", "ü": r"\"u", "ä": r"\"a"}
_SUP = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_GREEK_CAPITALS = {"Gamma", "Delta", "Theta", "Lambda", "Xi", "Pi", "Sigma", "Upsilon", "Phi", "Psi", "Omega"}
_SUB = "₀₁₂₃₄₅₆₇₈₉"


def tex_escape(s: str) -> str:
    r"""Plain text (not LaTeX) for pdflatex: special characters escaped, Greek letters and common mathematical
    signs as their commands, anything else outside ASCII as ``[U+XXXX]``.

    >>> print(tex_escape("eps_D <= 1/2 -- 100% § ε² Ω Α ☃"))
    eps\_D $<$= 1/2 -- 100\% \S{} $\varepsilon$$^{2}$ $\Omega$ A [U+2603]
    """
    out = []
    for ch in str(s):
        if ch in _TEX_SPECIAL:
            out.append(_TEX_SPECIAL[ch])
        elif ord(ch) < 128:
            out.append(ch)
        elif ch in _TEX_UNICODE:
            out.append(_TEX_UNICODE[ch])
        elif ch in _SUP:
            out.append(f"$^{{{_SUP.index(ch)}}}$")
        elif ch in _SUB:
            out.append(f"$_{{{_SUB.index(ch)}}}$")
        else:
            name = unicodedata.name(ch, "")
            g = name.split()[-1].lower() if name.startswith(("GREEK SMALL LETTER ", "GREEK CAPITAL LETTER ")) else ""
            g = {"epsilon": "varepsilon", "lamda": "lambda"}.get(g, g)
            if g and "CAPITAL" in name:
                out.append(f"$\\{g.capitalize()}$" if g.capitalize() in _GREEK_CAPITALS else ch_latin(ch))
            elif g:
                out.append("o" if g == "omicron" else f"$\\{g}$")
            else:
                out.append(f"[U+{ord(ch):04X}]")
    return "".join(out)


def ch_latin(ch: str) -> str:
    """A Greek capital written like a Latin one (Alpha, Beta, ...) as that letter."""
    return dict(zip("ΑΒΕΖΗΙΚΜΝΟΡΤΧ", "ABEZHIKMNOPTX")).get(ch, f"[U+{ord(ch):04X}]")


def latex(doc, standalone: bool = False, caption: str = "Checked statements") -> str:
    """The checked statements as a booktabs ``longtable`` (claim, statement, source, status, instances; it needs
    the packages booktabs, longtable and array); ``standalone`` wraps it in a document that pdflatex compiles."""
    line, _ = _summary(doc)
    head = r"Claim & Statement & Source & Status & Instances \\"
    col = "".join(r">{\raggedright\arraybackslash}p{%s\linewidth}" % w for w in ("0.15", "0.37", "0.16", "0.11"))
    if skipped_line(doc):
        line += " " + _sentence(skipped_line(doc))
    body = [r"\begin{longtable}{@{}" + col + r"r@{}}",
            r"\caption{" + tex_escape(f"{caption}. {line}").replace("--full", r"\texttt{-{}-full}") + r"}\\", r"\toprule", head, r"\midrule", r"\endfirsthead",
            r"\toprule", head, r"\midrule", r"\endhead", r"\bottomrule", r"\endlastfoot"]
    for c in _claims(doc):
        cid = r"\texttt{" + tex_escape(c["id"]).replace(".", r".\allowbreak{}") + "}"
        body.append(" & ".join([cid, tex_escape(c.get("statement", "")),
                                tex_escape(c.get("source", {}).get("text", "")), tex_escape(_status(c).lower()),
                                str(c.get("instances", 0))]) + r" \\")
    body.append(r"\end{longtable}")
    frag = "\n".join(body) + "\n"
    if not standalone:
        return frag
    return ("\\documentclass{article}\n\\usepackage[margin=2cm]{geometry}\n\\usepackage{array,booktabs,longtable}\n"
            "\\usepackage{amsmath,amssymb}\n\\begin{document}\n\\small\n" + frag + "\\end{document}\n")


def write(doc, out_dir, formats=("md", "html", "latex"), standalone: bool = True) -> list:
    """Write the report files (``claims.md``, ``claims.html``, ``claims.tex``) into ``out_dir``; return their paths."""
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise ClaimError(f"unknown report format {unknown[0] if unknown else ''!r}; choose from {', '.join(FORMATS)}")
    try:
        os.makedirs(out_dir, exist_ok=True)
    except OSError as e:
        raise ClaimError(f"cannot create the report directory {str(out_dir)!r}: {e}") from None
    makers = {"md": markdown, "html": html, "latex": lambda d: latex(d, standalone)}
    paths = []
    for f in formats:
        path = os.path.join(out_dir, FORMATS[f])
        try:
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(makers[f](doc))
        except OSError as e:
            raise ClaimError(f"cannot write the report {path!r}: {e}") from None
        paths.append(path)
    return paths
