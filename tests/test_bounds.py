import pathlib
import re
import shutil
import subprocess

import pytest
import sympy as sp

from exactmem.bounds import CHECKS, BoundError, evaluate, get, select, table
from exactmem.bounds.analysis import Path, exponent
from exactmem.bounds.checks import boundary_values
from exactmem.bounds.registry import N, d, rho
from exactmem.cli import main
from exactmem.errors import RhoError

GOLDEN = pathlib.Path(__file__).parent / "golden"


def test_registry_covers_the_paper():
    ids = {b.id for b in select()}
    must = {"KMY25.Thm3.1", "KMY25.Prop3.2", "KMY25.Prop3.2.params", "KMY25.Prop3.3", "KMY25.Prop3.3.ext",
            "KMY25.Thm4.2.i", "KMY25.Thm4.2.ii", "KMY25.Thm4.2.iii", "KMY25.RemB.2.i", "KMY25.RemB.2.ii",
            "KMY25.ThmE.1", "KMY25.ThmE.2.iii", "KMY25.PropC.6.p<2", "KMY25.PropC.7", "KMY25.PropC.8",
            "KMY25.ThmC.12", "KMY25.ThmC.13", "KMY25.ThmC.14", "KMY25.ThmC.5.p<2", "KMY25.ThmC.5.inf.high",
            "Prior.Eq1.a", "Prior.Eq1.b", "Prior.Eq2.a", "Prior.Eq2.b", "Prior.Eq2.c", "Prior.Li2022.UB",
            "Prior.Li2022.LB", "Prior.Vardi2022", "Prior.Yu2024.lp", "Prior.Egosi2025.lp.b"}
    assert must <= ids
    for reg in ("i", "ii", "iii"):
        for q in ("depth", "width", "bits"):
            assert f"KMY25.ThmB.1.{reg}.{q}" in ids
    assert "rho gamma_p)^2" in get("KMY25.ThmC.14").discrepancy
    assert get("KMY25.Thm4.2.ii").exact == "error eta" and get("KMY25.Thm4.2.iii").additive == d
    assert get("KMY25.Thm4.2.i").full().has(sp.Function("polylog"))


def test_boundary_values_by_hand():
    (b1, l1, r1, _), (b2, l2, r2, _) = boundary_values("KMY25.Thm4.2")
    # N d^(1/4) rho^(1/2) at rho = 1/(5 N sqrt d) is N / sqrt(5 N) = sqrt(N/5); at 1/(5 sqrt d): N / sqrt 5
    assert sp.simplify(r1 - sp.sqrt(N / 5)) == 0 and sp.simplify(l2 - N / sp.sqrt(5)) == 0
    assert sp.simplify(r2 - N / 625) == 0  # N d^2 / (625 d^2)


def test_exponents_by_hand():
    assert exponent(N * d ** 2 * rho ** 4, Path(1, sp.Rational(1, 4))) == 2          # 1 + 2 - 1
    assert exponent(sp.sqrt(N) + d, Path(2, 3)) == 2
    assert exponent(sp.Min(sp.sqrt(N), d), Path(sp.Rational(1, 4), 0)) == sp.Rational(1, 4)
    assert exponent(1 / sp.sqrt(1 - rho ** 2), Path(1, 1)) == 0


def test_every_check_is_proved():
    for key, (cid, _, fn) in CHECKS.items():
        v = fn()
        assert v.is_proved, (key, str(v))


def test_evaluate_by_hand_and_errors():
    assert evaluate("KMY25.Thm4.2.iii", N=10, d=4, rho="1/2") == 10 * 16 * sp.Rational(1, 16) + 4
    assert evaluate("KMY25.ThmC.14", N=10, d=4, rho="1/4", p=1) == 14  # gamma_1(4) = 4^(1/2) = 2
    with pytest.raises(BoundError):
        evaluate("KMY25.Thm4.2.i", N=0, d=3)
    with pytest.raises(BoundError):
        evaluate("KMY25.Thm4.2.i", N=3, d=-1)
    with pytest.raises(RhoError):
        evaluate("KMY25.Thm4.2.ii", N=3, d=3, rho=1)
    with pytest.raises(RhoError):
        evaluate("KMY25.Thm4.2.ii", N=3, d=3)
    with pytest.raises(BoundError, match="outside"):
        evaluate("KMY25.Thm4.2.i", N=3, d=3, rho="1/2")
    with pytest.raises(BoundError, match="p must be"):
        evaluate("KMY25.ThmC.14", N=10, d=4, rho="1/4", p="1/2")
    with pytest.raises(BoundError):
        get("no.such.bound")


@pytest.mark.parametrize("which", ["l2", "B1", "table1"])
def test_tables_match_golden_files(which):
    # snapshots: regenerate deliberately with the script in docs/bounds.md when the registry changes
    assert table(which, "latex", True) == (GOLDEN / f"{which}.tex").read_text()
    assert table(which, "markdown") == (GOLDEN / f"{which}.md").read_text()


@pytest.mark.parametrize("which, rows", [("l2", 3), ("B1", 3), ("table1", 12)])
def test_table_structure(which, rows):
    tex = table(which, "latex")
    lines = tex.splitlines()
    assert lines.count(r"\toprule") == lines.count(r"\midrule") == lines.count(r"\bottomrule") == 1
    body = lines[lines.index(r"\midrule") + 1:lines.index(r"\bottomrule")]
    assert len(body) == rows
    ncols = len(re.search(r"\\begin\{tabular\}\{(l+)\}", tex).group(1))
    for line in body + [lines[lines.index(r"\toprule") + 1]]:
        assert line.endswith(r"\\") and line.count(" & ") == ncols - 1
    assert tex.count("{") == tex.count("}")
    assert sum(line.count("$") for line in body) % 2 == 0
    md = table(which, "markdown").splitlines()
    assert len([m for m in md if m.startswith("| ")]) == rows + 1
    assert not table(which).startswith(r"\documentclass") and table(which, standalone=True).startswith(r"\documentclass")


@pytest.mark.skipif(shutil.which("pdflatex") is None,
                    reason="pdflatex is not installed (CI installs Debian's texlive; locally: apt-get install texlive-latex-recommended)")
@pytest.mark.parametrize("which", ["l2", "B1", "table1"])
def test_standalone_tables_compile(tmp_path, which):
    src = tmp_path / f"{which}.tex"
    src.write_text(table(which, "latex", True))
    r = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", src.name], cwd=tmp_path,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout[-2000:]
    assert (tmp_path / f"{which}.pdf").read_bytes()[:4] == b"%PDF"


def test_bad_table_arguments():
    with pytest.raises(BoundError, match="unknown table"):
        table("nope")
    with pytest.raises(BoundError, match="format"):
        table("l2", "html")


def test_figure(tmp_path):
    pytest.importorskip("matplotlib")
    from exactmem.bounds.figure import curves, plot
    files = plot(200, 150, str(tmp_path / "fig"))
    assert [pathlib.Path(f).suffix for f in files] == [".png", ".pdf"]
    assert pathlib.Path(files[0]).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert pathlib.Path(files[1]).read_bytes()[:4] == b"%PDF"
    c = curves(200, 150)
    # drawing data follow the registry (floats are for drawing only): compare at one grid point
    k = 100
    x = c["rho"][k]
    want = float(get("KMY25.Thm3.1").expr.subs({N: 200, d: 150, rho: x}))
    assert abs(c["new lower (Thm 3.1)"][k] - want) <= 1e-9 * want
    with pytest.raises(BoundError):
        plot(200, 150, "/nonexistent-dir/fig.png")
    with pytest.raises(BoundError):
        plot(0, 150, str(tmp_path / "x.png"))


def test_cli(tmp_path, capsys):
    out = tmp_path / "t.tex"
    assert main(["bounds", "table", "--which", "table1", "--standalone", "--out", str(out)]) == 0
    assert out.read_text().startswith(r"\documentclass")
    assert main(["bounds", "table", "--which", "x"]) == 2
    assert main(["bounds", "table", "--out", "/nonexistent-dir/t.tex"]) == 2
    assert main(["bounds", "check"]) == 0
    assert "(f) KMY25.OpenReview.d>=N: PROVED" in capsys.readouterr().out
    assert main(["bounds", "eval", "KMY25.Thm4.2.ii", "--N", "100", "--d", "16", "--rho", "1/400"]) == 0
    assert capsys.readouterr().out.strip() == "26"
    assert main(["bounds", "eval", "KMY25.Thm4.2.ii", "--N", "-1", "--d", "16", "--rho", "1/400"]) == 2
    assert main(["bounds", "list"]) == 0
