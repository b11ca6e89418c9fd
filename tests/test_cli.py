"""The command line as a user meets it (issue 13, item 5): a closed pipe, ``python -m exactmem``, every option
checked with a message naming it (never a traceback), figures at the requested (N, d) and in the requested
format, and exact numbers printed with a decimal beside them."""
import json
import os
import pathlib
import subprocess
import sys

import pytest

from exactmem import Dataset, ReLUNet, memorize
from exactmem.cli import _plot_at, main
from exactmem.errors import ExactmemError

ROOT = pathlib.Path(__file__).resolve().parents[1]


def _run(args, **kw):
    env = dict(os.environ, EXACTMEM_PROGRESS="0")
    return subprocess.run([sys.executable, "-m", "exactmem", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300, **kw)


@pytest.mark.parametrize("args", [["bounds", "list"], ["check", "--list"]])
def test_closed_pipe_ends_quietly_with_the_sigpipe_status(args):
    """``exactmem bounds list | head``: the reader is gone before exactmem writes (a pipe whose read end is
    closed, so the outcome does not depend on timing); exactmem must stop with 128 + SIGPIPE and no traceback
    or 'Exception ignored' message at exit."""
    r, w = os.pipe()
    os.close(r)
    env = dict(os.environ, EXACTMEM_PROGRESS="0")
    p = subprocess.run([sys.executable, "-m", "exactmem", *args], cwd=ROOT, env=env, stdout=w,
                       stderr=subprocess.PIPE, text=True, timeout=300)
    os.close(w)
    assert p.returncode == 141, p.stderr
    assert "Traceback" not in p.stderr and "Exception ignored" not in p.stderr and "BrokenPipe" not in p.stderr


def test_head_reads_the_first_lines():
    """The same through a real shell pipeline with head: the first line arrives, nothing is printed on stderr."""
    env = dict(os.environ, EXACTMEM_PROGRESS="0")
    p = subprocess.run(f"'{sys.executable}' -m exactmem bounds list | head -n 1", shell=True, cwd=ROOT, env=env,
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0 and len(p.stdout.splitlines()) == 1 and "\t" in p.stdout
    assert p.stderr == ""


def test_python_dash_m():
    from exactmem import __version__
    r = _run(["--version"])
    assert r.returncode == 0 and r.stdout.strip() == f"exactmem {__version__}"
    r = _run(["bounds", "eval", "KMY25.Thm4.2.ii", "--N", "100", "--d", "16", "--rho", "1/400"])
    assert r.returncode == 0 and r.stdout.strip() == "26"        # 100 * 2 * (1/20) + 16, by hand
    r = _run(["sizes", "--plot-at", "1"])
    assert r.returncode == 2 and "--plot-at" in r.stderr and "Traceback" not in r.stderr


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """A dataset, a network memorizing it with a certificate, a moderate-regime certificate, a VNN-LIB file."""
    tmp = tmp_path_factory.mktemp("cli")
    D = Dataset([[0], [3], [5]], [1, 2, 1])
    net, cert = memorize(D, "1/100")
    (tmp / "d.json").write_text(json.dumps(D.to_json()))
    (tmp / "n.json").write_text(json.dumps(net.to_json()))
    cert.save(tmp / "c.json")
    _, mod = memorize(D, "1/10", eta="1/100")
    mod.save(tmp / "m.json")
    small = ReLUNet([([[1, 0], [0, 1]], [0, 0]), ([[1, 1]], [0])])
    (tmp / "small.json").write_text(json.dumps(small.to_json()))
    (tmp / "p.vnnlib").write_text("(declare-const X_0 Real)\n(declare-const X_1 Real)\n(declare-const Y_0 Real)\n"
                                  "(assert (>= X_0 0))\n(assert (<= X_0 1))\n(assert (>= X_1 0))\n"
                                  "(assert (<= X_1 1))\n(assert (<= Y_0 -1))\n")
    return tmp


# (argv, the option the message must name); every value is wrong in a way a user may type
BAD = [
    (["verify", "{c}", "--rho", "2"], "--rho"),
    (["verify", "{c}", "--rho", "abc"], "--rho"),
    (["verify", "{c}", "--p", "7"], "--p"),
    (["verify", "{c}", "--eta", "2"], "--eta"),
    (["verify", "{c}", "--dataset", "/nonexistent/d.json"], "--dataset"),
    (["verify", "{c}", "--network", "/nonexistent/n.json"], "--network"),
    (["robust", "{n}", "{d}", "--rho", "0"], "--rho"),
    (["robust", "{n}", "{d}", "--rho", "1/100", "--p", "3"], "--p"),
    (["robust", "{n}", "{d}", "--rho", "1/100", "--semantics", "max"], "--semantics"),
    (["robust", "{n}", "{d}", "--rho", "1/100", "--budget", "-1"], "--budget"),
    (["robust", "{n}", "{d}", "--rho", "1/100", "--out", "/nonexistent/c.json"], "--out"),
    (["lipschitz", "{s}", "--p", "3"], "--p"),
    (["lipschitz", "{s}", "--box", "0:1"], "--box"),
    (["lipschitz", "{s}", "--box", "a:1,0:1"], "--box"),
    (["lipschitz", "{s}", "--box", "1:0,0:1"], "--box"),
    (["lipschitz", "{s}", "--box", "0:0,0:1"], "--box"),
    (["lipschitz", "{s}", "--ball", "0", "--radius", "1"], "--ball"),
    (["lipschitz", "{s}", "--ball", "0,x", "--radius", "1"], "--ball"),
    (["lipschitz", "{s}", "--ball", "0,0", "--radius", "-1"], "--radius"),
    (["lipschitz", "{s}", "--ball", "0,0", "--radius", "x"], "--radius"),
    (["lipschitz", "{s}", "--budget", "0"], "--budget"),
    (["lipschitz", "{s}", "--out", "/nonexistent/c.json"], "--out"),
    (["vnnlib", "{s}", "{v}", "--budget", "x"], "--budget"),
    (["vnnlib", "{s}", "{v}", "--out", "/nonexistent/r"], "--out"),
    (["vnnlib", "{s}", "{v}", "--cert", "/nonexistent/c.json"], "--cert"),
    (["bounds", "table", "--which", "l3"], "--which"),
    (["bounds", "table", "--format", "html"], "--format"),
    (["bounds", "table", "--out", "/nonexistent/t.tex"], "--out"),
    (["bounds", "plot", "--N", "1", "--d", "1", "--out", "{tmp}/f.png"], "--N"),
    (["bounds", "plot", "--N", "10", "--d", "0", "--out", "{tmp}/f.png"], "--d"),
    (["bounds", "plot", "--N", "10", "--d", "2", "--out", "{tmp}/f.docx"], "--out"),
    (["bounds", "plot", "--N", "10", "--d", "2", "--out", "/nonexistent/f.png"], "--out"),
    (["bounds", "plot", "--N", "x", "--d", "2", "--out", "{tmp}/f.png"], "--N"),        # argparse's own check
    (["law", "table", "--format", "html"], "--format"),
    (["law", "table", "--out", "/nonexistent/t.tex"], "--out"),
    (["law", "experiment", "--plot", "{tmp}/f.5"], "--plot"),
    (["law", "experiment", "--json", "/nonexistent/r.json"], "--json"),
    (["sizes", "--N", "1"], "--N"),
    (["sizes", "--N", "x"], "--N"),
    (["sizes", "--d", "2,y"], "--d"),
    (["sizes", "--N", "10" + "0" * 40], "--N"),
    (["sizes", "--build-limit", "-5"], "--build-limit"),
    (["sizes", "--plot-at", "1000,16"], "--plot-at"),                      # without --plot
    (["sizes", "--plot", "{tmp}/f.png", "--plot-at", "1"], "--plot-at"),
    (["sizes", "--plot", "{tmp}/f.png", "--plot-at", "a,b"], "--plot-at"),
    (["sizes", "--N", "20", "--d", "2", "--plot", "{tmp}/f.png", "--plot-at", "1000,16"], "--plot-at"),
    (["sizes", "--plot", "{tmp}/f.jpeg2"], "--plot"),
    (["sizes", "--out", "/nonexistent/s.md"], "--out"),
]


@pytest.mark.parametrize("argv,option", BAD)
def test_every_bad_option_is_named(files, capsys, argv, option):
    """Exit status 2, a one-line 'exactmem: error:' (or argparse's 'argument --X') naming the option; nothing
    written, no traceback (main returns, or argparse exits with 2).  Every case here fails before any long
    work (sizes with the default N, d would take minutes: the option checks come first)."""
    names = {"c": files / "c.json", "n": files / "n.json", "d": files / "d.json", "s": files / "small.json",
             "v": files / "p.vnnlib", "tmp": files}
    args = [a.format(**names) for a in argv]
    try:
        status = main(args)
    except SystemExit as e:             # argparse: a usage error
        status = e.code
    err = capsys.readouterr().err
    assert status == 2
    assert option in err, err
    assert "Traceback" not in err
    assert not list(files.glob("f.*"))


def test_plot_at_default_is_the_requested_n_and_d():
    # one N and one d: that pair; the defaults 100,1000,10000 and 2,16,64,784: their lower medians 1000, 16
    assert _plot_at(None, [100], [2]) == (100, 2)
    assert _plot_at(None, [100, 1000, 10000], [2, 16, 64, 784]) == (1000, 16)
    assert _plot_at("100,2", [100, 200], [2]) == (100, 2)
    with pytest.raises(ExactmemError, match="--plot-at 200,2: N = 200 is not among"):
        _plot_at("200,2", [100], [2])


def test_sizes_plots_the_requested_n_and_d(tmp_path, monkeypatch, capsys):
    """``sizes --N 20 --d 2 --plot f.png`` draws N = 20, d = 2 with the measured points (it drew N = 1000,
    d = 16 and no point before): the figure is asked for at (20, 2) with rows at (20, 2)."""
    from exactmem import sizes
    seen = {}
    real = sizes.plot

    def spy(rows, N, d, out):
        seen.update(N=N, d=d, here=sum(r["N"] == N and r["d"] == d for r in rows))
        return real(rows, N, d, out)
    monkeypatch.setattr(sizes, "plot", spy)
    out = tmp_path / "f.png"
    assert main(["sizes", "--N", "20", "--d", "2", "--build-limit", "0", "--out", str(tmp_path / "s.md"),
                 "--plot", str(out)]) == 0
    assert seen["N"] == 20 and seen["d"] == 2 and seen["here"] == len(sizes.grid_rhos(20, 2)) > 0
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "figure (N = 20, d = 2)" in capsys.readouterr().err
    rows = sizes.size_rows([20], [2], build_limit=0)
    with pytest.raises(ExactmemError, match="no measured sizes at N = 1000, d = 16"):
        sizes.plot(rows, 1000, 16, str(tmp_path / "g.png"))
    with pytest.raises(ExactmemError, match="N must be an integer >= 2"):
        sizes.plot(rows, 1, 2, str(tmp_path / "g.png"))
    assert not (tmp_path / "g.png").exists()


def test_bounds_plot_respects_the_extension(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    jpg = tmp_path / "x.jpg"
    assert main(["bounds", "plot", "--N", "10", "--d", "2", "--out", str(jpg)]) == 0
    assert capsys.readouterr().out.split() == [str(jpg)]
    assert jpg.read_bytes()[:3] == b"\xff\xd8\xff"                 # JPEG's start-of-image marker
    svg = tmp_path / "x.svg"
    assert main(["bounds", "plot", "--N", "10", "--d", "2", "--out", str(svg)]) == 0
    assert b"<svg" in svg.read_bytes()[:500]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.jpg", "x.svg"]      # no x.png, no x.pdf
    assert main(["bounds", "plot", "--N", "10", "--d", "2", "--out", str(tmp_path / "both")]) == 0
    assert (tmp_path / "both.png").exists() and (tmp_path / "both.pdf").exists()


def test_exact_numbers_have_a_decimal_beside_them(files, tmp_path, capsys):
    # the moderate-regime certificate proves the error bound 1/128 (memorize's doctest); 1/128 = 0.0078125
    assert main(["verify", str(files / "m.json")]) == 0
    assert "proved error bound: 1/128 ≈ 0.0078125" in capsys.readouterr().out
    # 1 + x/4 on D = {0 -> 1, 4 -> 2} at rho = 1/2 is refuted at an exact point (refute.py's example)
    (tmp_path / "d.json").write_text(json.dumps(Dataset([[0], [4]], [1, 2]).to_json()))
    (tmp_path / "n.json").write_text(json.dumps(ReLUNet([([[1]], [0]), ([["1/4"]], [1])]).to_json()))
    assert main(["robust", str(tmp_path / "n.json"), str(tmp_path / "d.json"), "--rho", "1/2"]) == 1
    line = [t for t in capsys.readouterr().out.splitlines() if "witness" in t][0]
    x, out = line.split("x = [")[1].split("]")[0], line.split("output = [")[1].split("]")[0]
    assert "≈" in x and "≈" in out
    from exactmem.exact import to_rational
    xq = to_rational(x.split(" ≈ ")[0])
    assert to_rational(out.split(" ≈ ")[0]) == 1 + xq / 4 and 0 < xq < 1          # inside the ball, wrong label
    assert main(["sizes", "--N", "20", "--d", "2", "--build-limit", "0"]) == 0
    out = capsys.readouterr()
    assert "| 20 | 2 | small | 1/200 ≈ 0.005 |" in out.out         # rho = 1/(5 N ceil(sqrt d)) = 1/200
    assert "rho=1/200 ≈ 0.005" in out.err


def test_verify_against_other_data_names_the_difference(files, tmp_path, capsys):
    other = tmp_path / "d.json"
    other.write_text(json.dumps(Dataset([[0], ["3.1"], [5]], [1, 2, 1]).to_json()))
    assert main(["verify", str(files / "c.json"), "--dataset", str(other)]) == 2
    out = capsys.readouterr().out
    assert "MALFORMED" in out and "dataset.points[1][0] (point 1, coordinate 0)" in out
    assert "the certificate has 3, the dataset has 31/10 ≈ 3.1" in out


@pytest.mark.parametrize("p,q", [(664613997892457936, 1074874834134018842), (-123456789, 1000), (7, 3 ** 40)])
def test_long_fractions_in_verdicts_get_a_decimal(p, q):
    from fractions import Fraction

    from exactmem.cli import _readable
    text = f"at most {p}/{q} < eta = 1/100, density 1/2/R_k"
    out = _readable(text)
    exact = f"{p}/{q}"
    assert out.startswith(f"at most {exact} (≈ ") and out.endswith(" < eta = 1/100, density 1/2/R_k")
    dec = float(out.split("(≈ ")[1].split(")")[0])
    assert abs(dec - float(Fraction(p, q))) <= 1e-6 * abs(float(Fraction(p, q)))     # 7 significant digits
    assert _readable(out) == out                                                     # not annotated twice
