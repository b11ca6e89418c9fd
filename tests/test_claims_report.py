"""exactmem report: Markdown, one static HTML page with the dependency graph as inline SVG, and a booktabs
LaTeX table (compiled by pdflatex where it is installed); and reporting a run kept by check --json."""
from html.parser import HTMLParser
import json
import shutil
import subprocess
import xml.etree.ElementTree as ET

import pytest

from exactmem import Verdict
from exactmem.claims import Claim, run_claim
from exactmem.claims.report import edges, html, latex, layers, load, markdown, svg, tex_escape
from exactmem.claims.runner import to_json
from exactmem.cli import main

NASTY = r"eps_D <= 1/2, 100% of {x : |x| > 2^k} & #5 ~ $5 \ ρ ∈ (0, 1) <script>alert(1)</script>"


def _doc():
    """A: base (proved); B uses A and X (X is not a claim here); C uses B (refuted); W withdrawn; U undecided."""
    one = {"f": lambda: [("one", 1)]}
    claims = [Claim("T.A", "base", lambda x: Verdict.proved("by hand"), one),
              Claim("T.B", NASTY, lambda x: Verdict.proved("from A"), one, uses=("T.A", "T.X"),
                    source="Some 2020, Thm 1"),
              Claim("T.C", "top", lambda x: Verdict.from_exact(x > 1, "x > 1", {"x": "1/2"}), one, uses=("T.B",)),
              Claim("T.W", "retracted", lambda x: Verdict.proved("what is left"), one, status="withdrawn"),
              Claim("T.U", "open", lambda x: Verdict.undecided("budget"), one)]
    return to_json([run_claim(c) for c in claims])


def test_graph_layers_and_cycles():
    doc = _doc()
    assert edges(doc) == [("T.A", "T.B"), ("T.B", "T.C"), ("T.X", "T.B")]
    cols, ids, cycles = layers(doc)
    assert cols == [["T.A", "T.X"], ["T.B"], ["T.C"]] and cycles == []
    doc["claims"][0]["uses"] = ["T.C"]                      # A uses C: a cycle A -> B -> C -> A
    cols, _, cycles = layers(doc)
    assert len(cycles) == 1 and sorted(n for c in cols for n in c) == ["T.A", "T.B", "T.C", "T.X"]
    assert "1 cycle(s) in uses" in svg(doc)


def test_svg_is_well_formed_with_one_box_per_statement():
    root = ET.fromstring(svg(_doc()))
    ns = "{http://www.w3.org/2000/svg}"
    boxes = root.findall(f".//{ns}rect")
    assert len(boxes) == 4                                   # A, B, C and the unreported X
    assert [b.get("stroke-dasharray") for b in boxes].count("4 3") == 1
    assert {t.text for t in root.iter(f"{ns}text")} >= {"T.A", "T.B", "T.C", "T.X"}
    empty = to_json([run_claim(Claim("T.Z", "s", lambda x: Verdict.proved("ok"), {"f": lambda: [("o", 1)]}))])
    assert "no graph to draw" in svg(empty)


class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.rows, self.text = [], {}, []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        a = dict(attrs)
        if tag == "tr" and a.get("id", "").startswith("claim-"):
            self.rows[a["id"]] = True

    def handle_data(self, data):
        self.text.append(data)


def test_html_page():
    page = html(_doc())
    p = _Page()
    p.feed(page)
    assert set(p.rows) == {"claim-T.A", "claim-T.B", "claim-T.C", "claim-T.W", "claim-T.U"}
    assert "script" not in p.tags and "link" not in p.tags and p.tags.count("svg") == 1   # static, one file
    text = "".join(p.text)
    assert NASTY in text                                     # escaped in the page, read back verbatim
    assert "<script>alert" not in page
    for label in ("PROVED", "REFUTED", "UNDECIDED", "WITHDRAWN (PROVED)"):
        assert label in text
    assert 'witness: {"x": "1/2"}' in text and "Some 2020, Thm 1" in text and "uses: T.A, T.X" in text


def test_markdown():
    md = markdown(_doc())
    rows = [line for line in md.splitlines() if line.startswith("| `T.")]
    assert len(rows) == 5 and all(r.count(" | ") == 6 for r in rows)   # 7 cells each: the | of NASTY escaped
    assert "5 claims: 2 proved, 0 certified, 1 refuted, 1 undecided, 1 withdrawn (default families)." in md
    assert "* `T.B` uses `T.A`, `T.X`" in md and "### `T.C`: REFUTED" in md and "### `T.W`: WITHDRAWN (PROVED)" in md


def test_latex_escapes():
    assert tex_escape(r"a_b & c% {x} $ # ~ ^ \ < > |") == \
        r"a\_b \& c\% \{x\} \$ \# \~{} \^{} \textbackslash{} $<$ $>$ $|$"
    assert tex_escape("ρ ε Σ Β ₂ ≤ ☃") == r"$\rho$ $\varepsilon$ $\Sigma$ B $_{2}$ $\le$ [U+2603]"
    t = latex(_doc())
    assert t.startswith(r"\begin{longtable}") and r"\toprule" in t and r"\bottomrule" in t
    assert t.count(r" \\" + "\n") >= 5 and "withdrawn (proved)" in t
    assert not latex(_doc()).startswith(r"\documentclass") and latex(_doc(), True).startswith(r"\documentclass")


@pytest.mark.skipif(shutil.which("pdflatex") is None,
                    reason="pdflatex is not installed (CI installs Debian's texlive; locally: apt-get install "
                           "texlive-latex-recommended)")
def test_latex_table_compiles(tmp_path):
    (tmp_path / "claims.tex").write_text(latex(_doc(), standalone=True))
    r = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "claims.tex"], cwd=tmp_path,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout[-2000:]
    assert (tmp_path / "claims.pdf").read_bytes()[:4] == b"%PDF"


def test_report_command_from_results_and_from_a_package(tmp_path, capsys):
    results = tmp_path / "r.json"
    results.write_text(json.dumps(_doc()))
    out = tmp_path / "rep"
    assert main(["report", "--results", str(results), "--out", str(out)]) == 1       # T.C is refuted
    printed = capsys.readouterr().out.splitlines()
    assert printed[:3] == [str(out / "claims.md"), str(out / "claims.html"), str(out / "claims.tex")]
    assert (out / "claims.html").read_text().startswith("<!DOCTYPE html>")
    assert main(["report", "--results", str(results), "--out", str(out), "-k", "T.A", "--format", "md"]) == 0
    assert "1 claim: 1 proved" in (out / "claims.md").read_text()
    assert main(["report", "--results", str(results), "--out", str(out), "--tag", "withdrawn", "--format",
                 "latex", "--fragment"]) == 0
    assert (out / "claims.tex").read_text().startswith(r"\begin{longtable}")
    pkg = tmp_path / "paper_rep"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "claims.py").write_text("from exactmem import Verdict\nfrom exactmem.claims import claim\n"
                                   "@claim('PR.one', '1 = 1', {'f': lambda: [('x', 1)]}, uses=('PR.zero',))\n"
                                   "def check(x):\n    return Verdict.from_exact(x == 1, 'x = 1')\n")
    assert main(["report", "--from", str(pkg), "--out", str(out), "--format", "html"]) == 0
    page = (out / "claims.html").read_text()
    assert "PR.one" in page and "PR.zero" in page and "KMY25" not in page


def test_report_errors(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "something else"}')
    assert main(["report", "--results", str(bad)]) == 2
    assert "is not a claim results document" in capsys.readouterr().err
    bad.write_text("not json")
    assert main(["report", "--results", str(bad)]) == 2
    assert "are not JSON" in capsys.readouterr().err
    good = tmp_path / "r.json"
    good.write_text(json.dumps(_doc()))
    assert main(["report", "--results", str(good), "--format", "pdf", "--out", str(tmp_path)]) == 2
    assert "unknown report format 'pdf'" in capsys.readouterr().err
    assert main(["report", "--results", str(good), "--from", "proofs"]) == 2
    assert main(["report", "--results", str(good), "-k", "nothing-like-this"]) == 2
    with pytest.raises(Exception, match="version"):
        load_doc = dict(_doc(), version=99)
        good.write_text(json.dumps(load_doc))
        load(good)
