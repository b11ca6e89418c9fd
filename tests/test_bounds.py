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


# ---- exact evaluation (issue 14, item 3) -------------------------------------------------------------------

import itertools  # noqa: E402
from fractions import Fraction  # noqa: E402

import mpmath  # noqa: E402
from hypothesis import given, strategies as st  # noqa: E402

from exactmem.bounds.evaluate import P_RANGES, compare, enclose, enclose_number  # noqa: E402
from exactmem.bounds.registry import GAMMA, gamma_p, p as P_SYM  # noqa: E402
from exactmem.exact import to_rational  # noqa: E402

_MP = [{"Min": min, "Max": max, "Abs": abs}, "mpmath"]


def _mp(q):
    return mpmath.inf if q in ("inf", sp.oo) else mpmath.mpf(Fraction(str(q)).numerator) / Fraction(str(q)).denominator


_LAMBDAS = {}


def _oracle(b, Nv, dv, rv, pv):
    """The bound's expression evaluated independently: lambdify to mpmath at 60 digits (no sympy arithmetic)."""
    if b not in _LAMBDAS:
        _LAMBDAS[b] = sp.lambdify((N, d, rho, P_SYM), b.concrete(b.with_additive()), modules=_MP)
    f = _LAMBDAS[b]
    with mpmath.workdps(60):
        return f(mpmath.mpf(Nv), mpmath.mpf(dv), _mp(rv) if rv else mpmath.mpf(0), _mp(pv) if pv else mpmath.mpf(2))


def _inside(enc, x, rel_digits=55):
    with mpmath.workdps(70):
        lo = mpmath.mpf(int(enc.lo.p)) / int(enc.lo.q)
        hi = mpmath.mpf(int(enc.hi.p)) / int(enc.hi.q)
        tol = abs(x) * mpmath.mpf(10) ** -rel_digits
        return lo - tol <= x <= hi + tol


def _grid_points(b):
    """(N, d, rho, p) with rho at 1/7, 1/2, 6/7 of the bound's range (8 significant digits) and p in its p-range."""
    ps = [None] if b.norm != "lp" else ["1", "3/2", "2", "3", "inf"]
    lo_f = sp.lambdify((N, d, P_SYM), b.interval.lo.subs(GAMMA, gamma_p(P_SYM)), modules=_MP)
    hi_f = sp.lambdify((N, d, P_SYM), b.interval.hi.subs(GAMMA, gamma_p(P_SYM)), modules=_MP)
    for Nv, dv, pv in itertools.product([2, 7, 300], [1, 5, 784], ps):
        if pv is not None and b.id in P_RANGES:
            lo, lc, hi, hc = P_RANGES[b.id]
            q = sp.oo if pv == "inf" else sp.Rational(pv)
            if not ((q >= lo if lc else q > lo) and (q <= hi if hc else q < hi)):
                continue
        if b.interval.lo == 0 and b.interval.hi == 0:
            yield Nv, dv, None, pv
            continue
        pm = _mp(pv) if pv else mpmath.mpf(2)
        with mpmath.workdps(30):
            lo, hi = mpmath.mpf(lo_f(Nv, dv, pm)), mpmath.mpf(hi_f(Nv, dv, pm))
            for t in (Fraction(1, 7), Fraction(1, 2), Fraction(6, 7)):
                r = Fraction(mpmath.nstr(lo + (hi - lo) * t.numerator / t.denominator, 8))
                if 0 < r < 1:
                    yield Nv, dv, str(r), pv


def test_evaluate_matches_an_independent_high_precision_evaluation_on_a_grid():
    # every registered bound, N in {2, 7, 300}, d in {1, 5, 784}, three rho in its range, p in {1, 3/2, 2, 3, inf}
    # where it applies: the exact value's 50-digit enclosure must contain the mpmath value (60 digits)
    n = 0
    for b in select():
        for Nv, dv, rv, pv in _grid_points(b):
            v = evaluate(b.id, Nv, dv, rv, pv)
            assert not v.has(sp.Float) and v.is_number
            enc = enclose_number(v, 50)
            assert (enc.hi - enc.lo) * 10 ** 50 <= max(abs(enc.lo), abs(enc.hi)), (b.id, Nv, dv, rv, pv)
            assert _inside(enc, _oracle(b, Nv, dv, rv, pv)), (b.id, Nv, dv, rv, pv, v)
            n += 1
    assert n > 1500


def test_evaluate_the_issue_instances_by_hand():
    # Thm 3.1 at N = 7, d = 5, rho = 1/1000: (5 10^-6 + 1) 5 = 200001/40000, and
    # Min(1/sqrt(1 - 10^-6), sqrt 5) sqrt 7 = 1000 sqrt 7 / sqrt 999999 = 1000 sqrt(15873) / 47619
    # (999999 = 7 * 142857 and 7 * 999999 = 21^2 * 15873); the old nsimplify answer differs by 3.6e-18
    v = evaluate("KMY25.Thm3.1", N=7, d=5, rho="1/1000")
    assert v == 1000 * sp.sqrt(15873) / 47619 + sp.Rational(200001, 40000)
    old = 5 * 2 ** sp.Rational(429, 496) * 3 ** sp.Rational(25, 62) * 5 ** sp.Rational(365, 496) \
        * 7 ** sp.Rational(195, 248) / 28
    assert compare(v, old) != 0
    # Thm C.5 (2 <= p < oo) continued to p = oo at N = 2, d = 784, rho = 2/3: ((4/9) 2 + 1) 784 = 13328/9 and
    # Min(1/sqrt(1 - 0), 28) sqrt 2 = sqrt 2 (the old answer was a 190-digit rational)
    assert evaluate("KMY25.ThmC.5.2<=p<oo", 2, 784, "2/3", "inf", check_range=False) == sp.sqrt(2) + sp.Rational(13328, 9)
    with pytest.raises(BoundError, match="p-range"):
        evaluate("KMY25.ThmC.5.2<=p<oo", 2, 784, "2/3", "inf")
    # a tie inside Min decided exactly: C.5 (p < 2) at p = 1, rho = 1 - 1/d, d = 9, N = 4: gamma_1(9) = 3,
    # (8/27)^2 * 4 * 9 + 9 + Min(1/sqrt(1/9), 3) * 2 = 256/81 + 15
    assert evaluate("KMY25.ThmC.5.p<2", 4, 9, "8/9", 1) == sp.Rational(1471, 81)


def test_lp_bounds_need_p_and_p_ranges_are_checked():
    for bid in ("KMY25.ThmC.12", "KMY25.ThmC.13", "KMY25.ThmC.14", "KMY25.PropC.8", "Prior.Egosi2025.lp.b"):
        with pytest.raises(BoundError, match="give p"):
            evaluate(bid, N=2, d=784, rho="1/1000")
    with pytest.raises(BoundError, match="l2 bound"):
        evaluate("KMY25.Thm4.2.ii", N=100, d=16, rho="1/400", p=3)
    assert evaluate("KMY25.Thm4.2.ii", N=100, d=16, rho="1/400", p=2) == 26
    with pytest.raises(BoundError, match="p-range"):
        evaluate("KMY25.PropC.6.p<2", N=5, d=4, rho="1/2", p=2)
    with pytest.raises(BoundError, match="p-range"):
        evaluate("Prior.Yu2024.lp", N=5, d=4, rho="1/2", p="inf")
    with pytest.raises(BoundError, match="p must be"):
        evaluate("KMY25.ThmC.14", N=10, d=4, rho="1/4", p="abc")


@given(st.integers(2, 10 ** 6), st.integers(1, 10 ** 4), st.fractions(0, 1, max_denominator=10 ** 9),
       st.fractions(1, 2, max_denominator=50))
def test_evaluate_against_mpmath_random(Nv, dv, r, q):
    if not 0 < r < 1 or q >= 2:
        return
    for bid, pv in (("KMY25.Thm3.1", None), ("KMY25.ThmC.5.p<2", str(q)), ("KMY25.ThmE.1", None)):
        b = get(bid)
        v = evaluate(bid, Nv, dv, str(r), pv)
        assert _inside(enclose_number(v, 45), _oracle(b, Nv, dv, str(r), pv), 40)


def test_enclose_width_and_exact_rationals():
    e = enclose("KMY25.Thm3.1", N=7, d=5, rho="1/1000", digits=40)
    assert e.lo < e.hi and (e.hi - e.lo) * 10 ** 40 <= e.hi
    exact = 1000 * sp.sqrt(15873) / 47619 + sp.Rational(200001, 40000)
    # outward rounded: lo^2, hi^2 bracket the square of the irrational part exactly
    irr_lo, irr_hi = e.lo - fmpq_(200001, 40000), e.hi - fmpq_(200001, 40000)
    assert irr_lo ** 2 < fmpq_(10 ** 6 * 15873, 47619 ** 2) < irr_hi ** 2
    assert compare(exact, sp.Rational(int(e.lo.p), int(e.lo.q))) > 0
    r = enclose("KMY25.Thm4.2.ii", N=100, d=16, rho="1/400", digits=5)
    assert r.lo == r.hi == 26
    with pytest.raises(BoundError, match="digits"):
        enclose("KMY25.Thm4.2.ii", N=100, d=16, rho="1/400", digits=0)


def fmpq_(a, b):
    from flint import fmpq
    return fmpq(a, b)


def test_cli_eval_exact_and_digits(capsys):
    assert main(["bounds", "eval", "KMY25.Thm3.1", "--N", "7", "--d", "5", "--rho", "1/1000"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == "1000*sqrt(15873)/47619 + 200001/40000"
    assert main(["bounds", "eval", "KMY25.Thm3.1", "--N", "7", "--d", "5", "--rho", "1/1000", "--digits", "40"]) == 0
    lo_s, hi_s = capsys.readouterr().out.splitlines()[1].split(" in ")[1].strip("[]").split(", ")
    lo, hi = to_rational(lo_s), to_rational(hi_s)
    assert (hi - lo) * 10 ** 40 <= hi
    with mpmath.workdps(60):
        x = 1000 * mpmath.sqrt(15873) / 47619 + mpmath.mpf(200001) / 40000
        assert mpmath.mpf(int(lo.p)) / int(lo.q) <= x <= mpmath.mpf(int(hi.p)) / int(hi.q)
    assert main(["bounds", "eval", "KMY25.ThmC.14", "--N", "2", "--d", "784", "--rho", "1/1000"]) == 2
    assert "give p" in capsys.readouterr().err
    assert main(["bounds", "eval", "KMY25.ThmC.14", "--N", "2", "--d", "784", "--rho", "1/100", "--p", "2"]) == 0
    assert capsys.readouterr().out.strip() == "306254802/390625 ≈ 784.0123"   # 2 * 784^2 * 10^-8 + 784


# ---- relations proved over regions (issue 14, item 2) -------------------------------------------------------

import dataclasses  # noqa: E402
import time  # noqa: E402

from flint import fmpq  # noqa: E402

from exactmem import claims as claims_mod  # noqa: E402
from exactmem.bounds import registry as breg  # noqa: E402
from exactmem.bounds.analysis import path_in_interval  # noqa: E402
from exactmem.bounds.catalog import MODERATE  # noqa: E402
from exactmem.bounds.checks import REGIME_PATHS, ratio_exponents  # noqa: E402
from exactmem.bounds.domination import Domination, Empty, Mono, dominate, emptiness, feasible  # noqa: E402
from exactmem.bounds.evaluate import _in_interval  # noqa: E402
from exactmem.bounds.relations import Region, dominated, equivalent, gap, identical, rho_direction  # noqa: E402
import proofs.kmy25_bound_relations  # noqa: E402,F401
import proofs.kmy25_bound_rows  # noqa: E402,F401

REGION_CLAIMS = ["KMY25.Thm3.1-vs-Thm4.2.region", "KMY25.ThmE.1-vs-ThmE.2.region", "KMY25.ThmC.5-vs-ThmC.11.region",
                 "KMY25.Sec6.tightness.region", "KMY25.OpenReview.d>=N.region", "KMY25.Sec1.improvement.region",
                 "KMY25.Thm4.2.boundaries.region", "KMY25.Thm4.2.monotone.region", "KMY25.ThmB.1.tightness.region",
                 "KMY25.Thm4.2.iii.cases", "KMY25.ThmE.2.iii.cases", "KMY25.Thm3.1.composition",
                 "KMY25.Table1.rows", "KMY25.ThmC.5.rows", "KMY25.ThmE.rows"]


def _claim(cid):
    return claims_mod.run_claim(claims_mod.REGISTRY[cid])


def test_domination_by_hand():
    # sqrt(N d) <= (N + d)/2 <= N + d: AM-GM with theta = (1/2, 1/2), so C = 1
    v = dominated(sp.sqrt(N * d), N + d, Region())
    assert v.is_proved and v.details["constant"] == "1"
    assert all(c.check() for c in v.details["certificates"] if isinstance(c, Domination))
    # N d^2 rho^4 <= C N d rho^2 fails: the ratio d rho^2 grows along d -> oo with rho fixed
    w = dominated(N * d ** 2 * rho ** 4, N * d * rho ** 2, Region())
    assert w.is_refuted and w.details["certificate"].check()
    assert w.witness["direction"]["d"] != "0"
    # on rho <= 1/(5 sqrt d) (so d rho^2 <= 1/25) the same relation holds with C = 1/25
    u = dominated(N * d ** 2 * rho ** 4, N * d * rho ** 2, Region(breg.Interval(sp.S.Zero, 1 / (5 * sp.sqrt(d)))))
    assert u.is_proved and u.details["constant"] == "1/25"
    # an empty region (rho <= 1/(5 sqrt d) <= 1/5 and rho >= 1/2) proves nothing: UNDECIDED, never PROVED
    e = dominated(N ** 2, N, Region(breg.Interval(sp.S.Zero, 1 / (5 * sp.sqrt(d))), (rho >= sp.Rational(1, 2),)))
    assert e.is_undecided and "empty" in e.reason
    # the emptiness certificate of that region: 5 rho sqrt(d) <= 1, 1/(2 rho) <= 1, 1/d <= 1 -> 5/2 > 1
    cons = [Mono.of(5 * rho * sp.sqrt(d)), Mono.of(1 / (2 * rho)), Mono.of(1 / d)]
    cert = emptiness(cons)
    assert isinstance(cert, Empty) and cert.check()
    assert emptiness([Mono.of(5 * rho * sp.sqrt(d)), Mono.of(1 / d)]) is None
    # the gap form turns the growth path into a proof
    assert gap(N, sp.sqrt(N), Region()).is_proved and gap(sp.sqrt(N), N, Region()).is_refuted
    assert equivalent(N + d, 2 * N + 3 * d, Region()).is_proved


@given(st.lists(st.lists(st.integers(-3, 3), min_size=4, max_size=4), min_size=2, max_size=3),
       st.lists(st.integers(0, 3), min_size=3, max_size=3))
def test_exact_simplex_certificates(rows, b):
    # independent re-check of both answers: x >= 0 with M x = b, or z with z.M_j >= 0 and z.b < 0
    M = [[fmpq(v) for v in row] for row in rows]
    bb = [fmpq(v) for v in b[:len(rows)]]
    status, x = feasible(M, bb)
    if status == "feasible":
        assert all(v >= 0 for v in x)
        assert all(sum((M[i][j] * x[j] for j in range(4)), fmpq(0)) == bb[i] for i in range(len(M)))
    else:
        assert all(sum((x[i] * M[i][j] for i in range(len(M))), fmpq(0)) >= 0 for j in range(4))
        assert sum((x[i] * bb[i] for i in range(len(M))), fmpq(0)) < 0


def test_dominate_certificate_constant_by_hand():
    # sqrt(N) <= K N d^(1/4) sqrt(rho) on rho > 1/(5 N sqrt d): ratio (N d^(1/4) sqrt(rho))^(-1) sqrt(N)
    # = (N rho sqrt d)^(-1/2) < 5^(1/2), so K = sqrt 5 with lambda = 1/2 on the constraint 1/(5 N rho sqrt d) < 1
    cert = dominate(Mono.of(sp.sqrt(N)), [Mono.of(N * d ** sp.Rational(1, 4) * sp.sqrt(rho))],
                    [Mono.of(1 / (5 * N * sp.sqrt(d) * rho))])
    assert isinstance(cert, Domination) and cert.check() and cert.K == sp.sqrt(5)
    assert cert.lam == (fmpq(1, 2),)


@pytest.mark.parametrize("cid", REGION_CLAIMS)
def test_region_claims_are_proved_and_fast(cid):
    t0 = time.perf_counter()
    r = _claim(cid)
    assert r.verdict.is_proved, str(r.verdict)
    assert time.perf_counter() - t0 < 10


def _points_in(iv, n_pts=6):
    """Rational points (N, d, rho) with rho in the interval (membership decided exactly)."""
    out = []
    for Nv, dv in ((2, 1), (3, 7), (50, 20), (400, 3), (10 ** 4, 10 ** 3)):
        for k in range(1, 60):
            r = sp.Rational(k, 60) ** 3 if k % 2 else sp.Rational(k, 60)
            if 0 < r < 1 and _in_interval(iv, r, {N: sp.Integer(Nv), d: sp.Integer(dv)}):
                out.append((Nv, dv, r))
    return out


@pytest.mark.parametrize("r", ["i", "ii", "iii"])
def test_lb_le_ub_constant_holds_at_exact_points(r):
    # independent check of the region proof: the proved constant C must satisfy Thm 3.1 <= C (Thm 4.2 + d)
    # at every rational point of the regime, compared exactly
    ub = get(f"KMY25.Thm4.2.{r}")
    v = dominated(get("KMY25.Thm3.1").expr, ub.with_additive(), Region(ub.interval, N_min=2))
    C = sp.Rational(v.details["constant_upper"])
    pts = _points_in(ub.interval)
    assert len(pts) >= 5
    for Nv, dv, rv in pts:
        lb = evaluate("KMY25.Thm3.1", Nv, dv, str(rv))
        up = evaluate(ub.id, Nv, dv, str(rv))
        assert compare(lb, C * up) <= 0, (r, Nv, dv, rv)


def test_growth_paths_agree_with_the_path_exponents():
    # the gap witness of regime (ii) (a ray in log space) read as an analysis.Path: the old exponent machinery,
    # an independent computation on the registry's own expressions, must see the same positive growth
    v = gap(get("KMY25.Thm4.2.ii").with_additive(), get("KMY25.Thm3.1").expr, Region(MODERATE, N_min=2))
    assert v.is_proved
    y = {k: sp.Rational(val) for k, val in v.witness["direction"].items()}
    assert y["N"] > 0 and "1 - rho^2" not in y
    path = Path(y.get("d", 0) / y["N"], -y.get("rho", 0) / y["N"], sp.Rational(1, 2 ** 12))
    assert path_in_interval(path, get("KMY25.Thm4.2.ii").interval)
    assert exponent(get("KMY25.Thm4.2.ii").with_additive(), path) > exponent(get("KMY25.Thm3.1").expr, path)


def test_region_results_agree_with_the_path_checks():
    # cross-check of checks (c)/(d): LB <= C UB proved on each regime, so no path may show UB/LB decaying;
    # regime (i) is proved tight, so every path has exponent 0; (ii), (iii) have a proved gap, and some path sees it
    for uid in REGIME_PATHS:
        exps = [e for _, e in ratio_exponents(uid)]
        assert all(e >= 0 for e in exps)
        assert all(e == 0 for e in exps) == (uid == "KMY25.Thm4.2.i")


def _mutate(monkeypatch, bid, **changes):
    monkeypatch.setitem(breg.REGISTRY, bid, dataclasses.replace(breg.REGISTRY[bid], **changes))


def test_mutant_E2_iii_is_refuted(monkeypatch):
    # the issue's mutant: Theorem E.2 (iii) changed to N d^2 rho^4 (the total-count bound)
    _mutate(monkeypatch, "KMY25.ThmE.2.iii", expr=N * d ** 2 * rho ** 4)
    r = _claim("KMY25.ThmE.2.iii.cases")
    assert r.verdict.is_refuted
    bad = dict(r.per_instance)
    assert bad["cases/Case IV"].is_refuted and bad["cases/Case I"].is_refuted
    assert bad["cases/Case IV"].details["certificate"].check()


@pytest.mark.parametrize("vc", [
    sp.Min(1 / sp.sqrt(1 - rho ** 2), sp.sqrt(d)) * N,          # sqrt dropped on N
    sp.Min(1 / (1 - rho ** 2), sp.sqrt(d)) * sp.sqrt(N),         # ... on 1/(1 - rho^2)
    sp.Min(1 / sp.sqrt(1 - rho ** 2), d) * sp.sqrt(N),           # ... on d
    sp.Min(1 / (1 - rho ** 2), d) * N,                           # all three
])
def test_mutant_thm31_vc_without_sqrt_is_refuted(monkeypatch, vc):
    _mutate(monkeypatch, "KMY25.Thm3.1", expr=(rho ** 2 * sp.Min(N, d) + 1) * d + vc)
    r = _claim("KMY25.Thm3.1.composition")
    assert r.verdict.is_refuted, str(r.verdict)


def test_other_mutants_are_refuted(monkeypatch):
    with monkeypatch.context() as m:      # Table 1's printed C.14 row encoded instead of the theorem
        _mutate(m, "KMY25.ThmC.14", expr=N * d ** 2 * (rho * GAMMA) ** 2)
        assert _claim("KMY25.Table1.rows").verdict.is_refuted
    with monkeypatch.context() as m:      # Thm 4.2 (iii) too strong: N d rho^2 (the nonzero bound)
        _mutate(m, "KMY25.Thm4.2.iii", expr=N * d * rho ** 2)
        assert _claim("KMY25.Thm4.2.iii.cases").verdict.is_refuted
    with monkeypatch.context() as m:      # Thm 4.2 (ii) with exponent 1 on rho: the boundary values no longer match
        _mutate(m, "KMY25.Thm4.2.ii", expr=N * d ** sp.Rational(1, 4) * rho)
        assert _claim("KMY25.Thm4.2.boundaries.region").verdict.is_refuted
        assert _claim("KMY25.Table1.rows").verdict.is_refuted          # C.13 is no longer 4.2 (ii) with gamma rho
    with monkeypatch.context() as m:      # Theorem E.2 (ii) range changed
        _mutate(m, "KMY25.ThmE.2.ii", interval=breg.Interval(1 / (5 * N * sp.sqrt(d)), 1 / sp.sqrt(d)))
        assert _claim("KMY25.ThmE.rows").verdict.is_refuted
    with monkeypatch.context() as m:      # a bound decreasing in rho
        _mutate(m, "KMY25.ThmE.2.iii", expr=N * d / rho)
        assert _claim("KMY25.Thm4.2.monotone.region").verdict.is_refuted


def test_identical_and_monotone_helpers():
    assert identical((rho * GAMMA) ** 2, rho ** 2 * GAMMA ** 2).is_proved
    v = identical(N * d ** 2 * (rho * GAMMA) ** 2, N * d ** 2 * (rho * GAMMA) ** 4)
    assert v.is_refuted and v.witness["left"] != v.witness["right"]
    assert rho_direction(1 / (sp.root(d, 4) * sp.sqrt(rho))) == (True, -1)
    assert rho_direction(sp.Min(1 / sp.sqrt(1 - rho ** p_sym()), sp.sqrt(d)) * sp.sqrt(N)) == (True, 1)
    assert rho_direction(rho - rho ** 2)[1] is None


def p_sym():
    return breg.p
