"""The claim framework: the model (ids, sources, uses, tags, withdrawn), discovery from modules, directories,
files and entry points, the statuses of the runner (certified detected from the kernel's own verdicts), and
``exactmem check`` on a user's package (--from, -k, --tag, -v, --list, --json, --strict)."""
import json
import sys
import textwrap

import pytest
from flint import fmpq

from exactmem import ClaimError, Dataset, Verdict, kernel
from exactmem.certify import separation_certificate
from exactmem.claims import REGISTRY, Claim, ClaimStatus, Source, claim, discover, register, run_claim, select
from exactmem.claims.discovery import discover_entry_points, entry_points
from exactmem.claims.runner import jsonable, to_json
from exactmem.cli import main

ONE = {"f": lambda: [("one", 1)]}


@pytest.fixture
def registry():
    """Restore REGISTRY and forget the modules a test imported (their claims would stay registered)."""
    saved, mods = dict(REGISTRY), set(sys.modules)
    yield REGISTRY
    REGISTRY.clear()
    REGISTRY.update(saved)
    for m in set(sys.modules) - mods:
        if m.startswith(("mypaper", "paper_", "loose_", "epaper")):
            del sys.modules[m]


PAPER = '''
from flint import fmpq
from exactmem import Verdict
from exactmem.claims import claim, Source

def _n():
    for n in (1, 2, 5):
        yield f"n={n}", n

@claim("{P}.Lemma1", "1/(n(n+1)) = 1/n - 1/(n+1)", {"small": _n, "big": lambda: [("n=99", 99)]},
       source=Source("Me 2026", "Lemma 1", page=3), slow_families=("big",), tags=("telescoping",))
def lemma1(n):
    return Verdict.from_exact(fmpq(1, n * (n + 1)) == fmpq(1, n) - fmpq(1, n + 1), "both sides exactly")

@claim("{P}.Thm2", "sum_(n<=N) 1/(n(n+1)) = 1 - 1/(N+1)", {"small": _n}, source="Me 2026, Theorem 2",
       uses=("{P}.Lemma1",), tags=("telescoping", "main"))
def thm2(N):
    s = sum((fmpq(1, n * (n + 1)) for n in range(1, N + 1)), fmpq(0))
    return Verdict.from_exact(s == 1 - fmpq(1, N + 1), f"the sum is {s}")

@claim("{P}.Wrong", "1/(n+1) < 1/3 for every n >= 1", {"small": _n})
def wrong(n):
    return Verdict.from_exact(fmpq(1, n + 1) < fmpq(1, 3), f"1/{n + 1} < 1/3", {"n": n, "value": fmpq(1, n + 1)})
'''


def _package(tmp_path, name="mypaper", prefix="MYPAPER", sub="claims"):
    pkg = tmp_path / name
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / f"{sub}.py").write_text(PAPER.replace("{P}", prefix))
    return pkg


# -- the model -------------------------------------------------------------------------------------------
def test_old_signature_still_registers(registry):
    # the decorator as every module of proofs/ calls it: positional families, keyword source and slow families
    @claim("ZZ.old", "old style", {"a": lambda: [("x", 1)], "b": lambda: [("y", 2)]}, source="Some paper, Lemma 1",
           slow_families=("b",))
    def check(x):
        return Verdict.proved("ok")
    c = REGISTRY["ZZ.old"]
    assert (c.source, c.slow_families, c.uses, c.tags, c.status, c.module) == \
        ("Some paper, Lemma 1", ("b",), (), (), "", __name__)
    assert [n for n, _ in c.instances()] == ["a/x"] and [n for n, _ in c.instances(full=True)] == ["a/x", "b/y"]
    assert [n for n, _ in c.instances(only_slow=True)] == ["b/y"]


def test_model_fields_and_implicit_tags():
    c = Claim("ABC21.Lem3", "s", lambda x: Verdict.proved("ok"), ONE, source=Source("A, B & C 2021", "Lemma 3",
              page=7, equation="(12)"), uses="ABC21.Lem2", tags=["lp", "Main"], status="withdrawn")
    assert str(c.source) == "A, B & C 2021, Lemma 3, p. 7, eq. (12)"
    assert c.uses == ("ABC21.Lem2",)               # a single string is one id
    assert c.all_tags == ("lp", "Main", "abc21", "withdrawn") and c.withdrawn
    slow = Claim("X.1", "s", lambda x: x, {"a": ONE["f"], "b": ONE["f"]}, slow_families=("b",))
    assert slow.all_tags == ("x", "slow")


@pytest.mark.parametrize("kwargs, match", [
    ({"id": "has space"}, "without spaces"),
    ({"id": ""}, "non-empty"),
    ({"families": {}}, "non-empty dict"),
    ({"families": {"f": 3}}, "not callable"),
    ({"slow_families": ("g",)}, "slow family 'g' is not one of its families"),
    ({"uses": ("Z.1",)}, "lists itself"),
    ({"uses": (3,)}, "non-empty string"),
    ({"tags": 5}, "tags must be a string or a sequence"),
    ({"status": "retracted"}, "status must be omitted or 'withdrawn'"),
    ({"source": 12}, "source must be a string or a Source"),
    ({"check": None}, "check must be callable"),
])
def test_model_rejects_bad_metadata(kwargs, match):
    args = {"id": "Z.1", "statement": "s", "check": lambda x: x, "families": ONE, **kwargs}
    with pytest.raises(ClaimError, match=match):
        Claim(**args)


def test_register_twice_names_the_first_module(registry):
    register(Claim("ZZ.twice", "s", lambda x: 1, ONE, module="pkg.a"))
    with pytest.raises(ClaimError, match=r"registered twice \(first in pkg.a\)"):
        register(Claim("ZZ.twice", "s", lambda x: 2, ONE))


# -- the runner's statuses -------------------------------------------------------------------------------
def _sep(D, eps_sq):
    """A separation certificate with the given eps_sq: the kernel proves it only if it is eps_D^2."""
    doc = separation_certificate(D).to_json()
    return kernel.sign({k: v for k, v in doc.items() if k != "digest"} | {"data": {"p": "2", "eps_sq": eps_sq}})


D2 = Dataset([[0], [3]], [1, 2])                   # eps_D = 3/2 by hand, eps_D^2 = 9/4


def test_certified_only_when_the_kernel_proved_a_certificate():
    assert kernel.check(_sep(D2, "9/4")).is_proved and not kernel.check(_sep(D2, "2")).is_proved
    certified = Claim("Z.cert", "s", lambda x: kernel.check(_sep(D2, "9/4")), ONE)
    rejected = Claim("Z.rej", "s", lambda x: Verdict.from_exact(not kernel.check(_sep(D2, "2")).is_proved, "rej"), ONE)
    plain = Claim("Z.plain", "s", lambda x: Verdict.from_exact(fmpq(1, 3) < fmpq(1, 2), "compare"), ONE)
    original = kernel.check
    r = run_claim(certified)
    assert (r.status, r.certified, r.records[0].certified) == (ClaimStatus.CERTIFIED, 1, True)
    assert run_claim(rejected).status is ClaimStatus.PROVED    # the kernel was asked, but proved nothing
    assert run_claim(plain).status is ClaimStatus.PROVED
    assert kernel.check is original                             # the watch is undone


def test_half_certified_is_proved():
    c = Claim("Z.half", "s", lambda x: kernel.check(_sep(D2, "9/4")) if x == 1 else Verdict.proved("hand"),
              {"f": lambda: [("one", 1), ("two", 2)]})
    r = run_claim(c)
    assert (r.status, r.certified, r.instances) == (ClaimStatus.PROVED, 1, 2)


def test_refuted_undecided_and_withdrawn():
    inst = {"f": lambda: [("a", 1), ("b", -2), ("c", 3)]}
    refuted = run_claim(Claim("Z.r", "x > 0", lambda x: Verdict.from_exact(x > 0, f"{x} > 0", {"x": x}), inst))
    assert refuted.status is ClaimStatus.REFUTED and refuted.verdict.witness == {"x": -2}
    assert refuted.verdict.reason == "instance f/b: -2 > 0" and refuted.fails
    raises = run_claim(Claim("Z.u", "s", lambda x: 1 // (x - 1), inst))
    assert raises.status is ClaimStatus.UNDECIDED and "ZeroDivisionError" in raises.verdict.reason
    assert run_claim(Claim("Z.b", "s", lambda x: True, ONE)).status is ClaimStatus.UNDECIDED
    empty = run_claim(Claim("Z.e", "s", lambda x: Verdict.proved("ok"), {"f": lambda: []}))
    assert empty.status is ClaimStatus.UNDECIDED and empty.verdict.reason == "no instances were run"

    def broken():
        yield "fine", 1
        raise RuntimeError("the family broke")
    making = run_claim(Claim("Z.m", "s", lambda x: Verdict.proved("ok"), {"f": broken}))
    assert making.instances == 2 and making.status is ClaimStatus.UNDECIDED
    assert "making the instances raised RuntimeError: the family broke" in making.verdict.reason
    w_ok = run_claim(Claim("Z.w", "s", lambda x: Verdict.proved("what survives"), ONE, status="withdrawn"))
    assert (w_ok.status, w_ok.checked, w_ok.status_text, w_ok.fails) == \
        (ClaimStatus.WITHDRAWN, ClaimStatus.PROVED, "WITHDRAWN (PROVED)", False)
    w_bad = run_claim(Claim("Z.wb", "s", lambda x: Verdict.from_exact(x > 1, "x > 1", {"x": x}), ONE,
                            status="withdrawn"))
    assert w_bad.status is ClaimStatus.WITHDRAWN and w_bad.fails      # what it still says is refuted


def test_husain_balle_claims_are_withdrawn():
    discover("proofs")
    hb = [c for c in REGISTRY.values() if c.id.startswith("HB21.")]
    assert len(hb) == 2 and all(c.withdrawn and "withdrawn" in c.all_tags for c in hb)
    assert not any(c.withdrawn for c in REGISTRY.values() if not c.id.startswith("HB21."))


def test_select_by_pattern_tags_and_modules(registry):
    for cid, tags, mod in [("S.a", ("x", "y"), "pa.claims"), ("S.b", ("x",), "pa.other"), ("S.c", (), "pb")]:
        register(Claim(cid, f"statement {cid}", lambda q: q, ONE, tags=tags, module=mod))
    ids = lambda cs: [c.id for c in cs if c.id.startswith("S.")]  # noqa: E731
    assert ids(select(tags=["X"])) == ["S.a", "S.b"] and ids(select(tags=["x", "y"])) == ["S.a"]
    assert ids(select(modules=("pa",))) == ["S.a", "S.b"] and ids(select(modules=("pa.claims",))) == ["S.a"]
    assert ids(select(modules=("p",))) == []                       # a prefix of a name is not a package
    assert ids(select("STATEMENT s.c")) == ["S.c"] and ids(select(tags=["s"])) == ["S.a", "S.b", "S.c"]


def test_jsonable():
    assert jsonable({"q": fmpq(5, 512), 3: [2 ** 60, 1.5, None, True]}) == \
        {"q": "5/512", "3": [str(2 ** 60), 1.5, None, True]}
    assert jsonable("x" * 10, limit=4) == "xxxx… (10 characters)"


# -- discovery -------------------------------------------------------------------------------------------
def test_discover_package_by_name_path_file_and_folder(registry, tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(tmp_path))
    _package(tmp_path, "paper_a", "PA")
    assert discover("paper_a") == ["paper_a", "paper_a.claims"]
    assert {c.id for c in select(modules=("paper_a",))} == {"PA.Lemma1", "PA.Thm2", "PA.Wrong"}
    pkg = _package(tmp_path / "elsewhere" if (tmp_path / "elsewhere").mkdir() is None else None, "paper_b", "PB")
    assert discover(str(pkg)) == ["paper_b", "paper_b.claims"]
    loose = tmp_path / "loose_dir"
    loose.mkdir()
    (loose / "loose_one.py").write_text(PAPER.replace("{P}", "LA"))
    (loose / "_helper.py").write_text("raise RuntimeError('helpers are not imported')")
    assert discover(str(loose)) == ["loose_one"]
    single = tmp_path / "loose_file.py"
    single.write_text(PAPER.replace("{P}", "LF"))
    assert discover(str(single)) == ["loose_file"]
    assert REGISTRY["LF.Thm2"].uses == ("LF.Lemma1",) and REGISTRY["LF.Thm2"].module == "loose_file"
    _package(tmp_path, "paper_f", "PF", sub="inner")               # a file or folder inside a package: dotted name
    (tmp_path / "paper_f" / "deep").mkdir()
    (tmp_path / "paper_f" / "deep" / "__init__.py").write_text("")
    (tmp_path / "paper_f" / "deep" / "more.py").write_text(PAPER.replace("{P}", "PG"))
    assert discover(str(tmp_path / "paper_f" / "inner.py")) == ["paper_f.inner"]
    assert discover(str(tmp_path / "paper_f" / "deep")) == ["paper_f.deep", "paper_f.deep.more"]
    assert REGISTRY["PG.Wrong"].module == "paper_f.deep.more"


def test_discover_errors(registry, tmp_path):
    with pytest.raises(ClaimError, match="does not exist"):
        discover(str(tmp_path / "nope"))
    with pytest.raises(ClaimError, match="No module named 'paper_nosuch'"):
        discover("paper_nosuch")
    bad = tmp_path / "paper_bad.py"
    bad.write_text("import math\nmath.frobnicate()\n")
    with pytest.raises(ClaimError, match=r"cannot import the claims of file .*paper_bad.py.*AttributeError"):
        discover(str(bad))
    shadow = tmp_path / "json.py"                                 # 'json' is already imported from the library
    shadow.write_text("")
    with pytest.raises(ClaimError, match="a module of that name is already imported"):
        discover(str(shadow))
    (tmp_path / "empty").mkdir()
    with pytest.raises(ClaimError, match="holds no Python module"):
        discover(str(tmp_path / "empty"))
    (tmp_path / "notes.txt").write_text("")
    with pytest.raises(ClaimError, match="not a Python file"):
        discover(str(tmp_path / "notes.txt"))


def _dist(tmp_path, name, target):
    """An installed distribution declaring an exactmem.claims entry point (as pip writes it)."""
    info = tmp_path / f"{name}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[exactmem.claims]\n{name} = {target}\n")


def test_entry_points(registry, tmp_path, monkeypatch):
    _package(tmp_path, "epaper", "EP")
    _dist(tmp_path, "epaper", "epaper.claims")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert ("epaper", "epaper.claims") in entry_points()
    assert "epaper.claims" in discover_entry_points() and "EP.Thm2" in REGISTRY
    _dist(tmp_path, "epaper_broken", "epaper_missing.claims")
    with pytest.raises(ClaimError, match="entry point 'epaper_broken' of group 'exactmem.claims'"):
        discover_entry_points()


# -- exactmem check --------------------------------------------------------------------------------------
def test_check_from_a_users_package(registry, tmp_path, capsys):
    pkg = _package(tmp_path, "paper_c", "PC")
    assert main(["check", "--from", str(pkg)]) == 1                # PC.Wrong is refuted
    out = capsys.readouterr().out
    assert "PC.Wrong" in out and "REFUTED" in out and 'witness: {"n": 1, "value": "1/2"}' in out
    assert "KMY25" not in out                                      # only the package's claims
    assert out.rstrip().endswith("2 proved, 0 certified, 1 refuted, 0 undecided, 0 withdrawn")
    assert main(["check", "--from", str(pkg), "--tag", "telescoping"]) == 0
    assert main(["check", "--from", str(pkg), "--tag", "telescoping", "--tag", "main", "-v"]) == 0
    out = capsys.readouterr().out
    assert "PC.Thm2" in out and "PC.Lemma1:" not in out
    assert "  uses: PC.Lemma1" in out and "small/n=5: PROVED" in out and "the sum is 5/6" in out
    assert main(["check", "--from", str(pkg), "-k", "wrong", "-v"]) == 1
    out = capsys.readouterr().out
    assert 'small/n=2: REFUTED' in out and 'witness: {"n": 2, "value": "1/3"}' in out
    assert "small/n=5: PROVED" in out


def test_check_list_json_and_files(registry, tmp_path, capsys):
    pkg = _package(tmp_path, "paper_d", "PD")
    assert main(["check", "--from", str(pkg), "--list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [c["id"] for c in listed] == ["PD.Lemma1", "PD.Thm2", "PD.Wrong"]
    assert listed[0]["source"] == {"text": "Me 2026, Lemma 1, p. 3", "paper": "Me 2026", "statement": "Lemma 1",
                                   "page": "3", "equation": "", "url": ""}
    assert main(["check", "--from", str(pkg), "--list", "-v", "-k", "Lemma1"]) == 0
    assert "families: small, big (slow)" in capsys.readouterr().out
    assert main(["check", "--from", str(pkg), "--json", "--full"]) == 1
    doc = json.loads(capsys.readouterr().out)                      # nothing but the JSON on standard output
    assert doc["summary"] == {"proved": 2, "certified": 0, "refuted": 1, "undecided": 0, "withdrawn": 0}
    lemma = doc["claims"][0]
    assert lemma["instances"] == 4 and [i["name"] for i in lemma["per_instance"]][-1] == "big/n=99"
    wrong = doc["claims"][2]
    assert wrong["verdict"]["witness"] == {"n": 1, "value": "1/2"} and wrong["per_instance"][2]["status"] == "PROVED"
    out = tmp_path / "r.json"
    assert main(["check", "--from", str(pkg), "-k", "Thm2", "--json", str(out)]) == 0
    assert "PD.Thm2" in capsys.readouterr().out and json.loads(out.read_text())["claims"][0]["id"] == "PD.Thm2"


def test_check_errors_and_strict(registry, tmp_path, capsys):
    assert main(["check", "--from", str(tmp_path / "nothing-here")]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert main(["check", "--from", "paper_nosuch_either"]) == 2
    assert "No module named" in capsys.readouterr().err
    pkg = _package(tmp_path, "paper_e", "PE")
    assert main(["check", "--from", str(pkg), "-k", "no-such-claim"]) == 2
    (pkg / "more.py").write_text(textwrap.dedent('''
        from exactmem.claims import claim
        @claim("PE.raises", "s", {"f": lambda: [("one", 1)]})
        def check(x):
            raise ValueError("not yet")
    '''))
    assert main(["check", "--from", str(pkg), "-k", "PE.raises"]) == 1     # UNDECIDED, not declared allowed
    assert "the check raised ValueError: not yet" in capsys.readouterr().out
    assert main(["check", "--from", str(pkg), "-k", "PE.raises", "--strict"]) == 1
    assert main(["check", "--from", str(pkg), "-k", "PE.raises", "-v"]) == 1
    assert 'raise ValueError("not yet")' in capsys.readouterr().out   # -v shows where the check raised


def test_to_json_counts_withdrawn():
    r = run_claim(Claim("Z.w", "s", lambda x: Verdict.proved("ok"), ONE, status="withdrawn"))
    doc = to_json([r])
    assert doc["summary"]["withdrawn"] == 1 and doc["claims"][0]["checked"] == "PROVED"
