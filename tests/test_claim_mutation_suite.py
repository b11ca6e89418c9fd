"""The mutation suite of the claims (tests/claim_mutation/, ``make mutants-claims``, docs/claims.md) cannot go stale
silently: every mutant's fragment must occur exactly once in today's source, every cited pattern must name a
registered claim, no mutant may touch the kernel, and equivalent mutants must carry their probe.  Three cheap
mutants are run end to end (copy, mutate, run the cited claims in a subprocess) and must be killed; one equivalent
mutant must be classified equivalent by its probe."""
import fnmatch
import pathlib
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "claim_mutation"))

from claim_catalog import AREAS, MUTANTS  # noqa: E402
from claim_run import fragment_count, main, run_mutant  # noqa: E402

from exactmem import claims  # noqa: E402

claims.discover("proofs")
BY_ID = {m.id: m for m in MUTANTS}


def test_enough_mutants_in_every_area():
    assert len(MUTANTS) >= 60 and len(BY_ID) == len(MUTANTS)              # ids are unique
    assert {m.area for m in MUTANTS} == set(AREAS)
    assert all(sum(m.area == a for m in MUTANTS) >= 5 for a in AREAS)


@pytest.mark.parametrize("m", MUTANTS, ids=[m.id for m in MUTANTS])
def test_fragment_occurs_once(m):
    assert m.path.startswith(("exactmem/", "proofs/")) and not m.path.startswith("exactmem/kernel/")
    assert m.old != m.new
    assert fragment_count(m) == 1, f"{m.id}: the fragment occurs {fragment_count(m)} times in {m.path}"


def test_cited_claims_exist_and_equivalents_have_probes():
    ids = list(claims.REGISTRY)
    for m in MUTANTS:
        assert m.claims, m.id
        for pat in m.claims:
            assert fnmatch.filter(ids, pat), f"{m.id}: no claim matches {pat!r}"
        assert bool(m.equivalent) == bool(m.probe), f"{m.id}: an equivalence needs both its reason and its probe"


@pytest.mark.parametrize("mid, claim", [
    ("pf.buck.affine", "Buck43.cells"),             # a statement's own formula: Buck's sum to d - 1
    ("sub.a1.bound", "KMY25.LemA.1"),               # a library bound weakened: the claim's own 1 - k/d and equality
    ("shat.closed", "KMY25.PropC.8"),               # open for closed ball: the instances on the sphere
])
def test_cheap_mutants_are_killed(mid, claim):
    r = run_mutant(BY_ID[mid], timeout=120)
    assert r["class"] == "killed" and claim in r["kills"], r


def test_an_equivalent_mutant_is_shown_by_its_probe():
    r = run_mutant(BY_ID["thm31.k.d1"], timeout=120)
    assert r["class"] == "equivalent" and "probe agrees" in r["detail"], r


def test_stale_fragment_is_reported(capsys):
    m = BY_ID["pf.buck.affine"]._replace(old="this fragment is nowhere")
    assert run_mutant(m)["class"] == "STALE"
    assert main(["--list", "--area", "relations"]) == 0
    out = capsys.readouterr().out
    assert "rel.N1.lower" in out and "pf.buck.affine" not in out


def test_per_claim_table_counts_by_hand():
    """Three made-up results: m1 killed by A (B passed), m2 equivalent (A ran), m3 survived (A and B ran).  By hand,
    A: run 3, killed 1 (m1), equivalent 1, survived 1; B: run 2, killed by another claim 1 (m1), survived 1."""
    from claim_run import markdown, per_claim
    ok = {"status": "PROVED", "reason": ""}
    res = [{"id": "m1", "area": AREAS[0], "class": "killed", "kills": ["A"], "seconds": 1,
            "results": [{"claim": "A", "status": "REFUTED", "reason": ""}, {"claim": "B", **ok}]},
           {"id": "m2", "area": AREAS[0], "class": "equivalent", "seconds": 1, "results": [{"claim": "A", **ok}]},
           {"id": "m3", "area": AREAS[0], "class": "SURVIVED", "seconds": 1,
            "results": [{"claim": "A", **ok}, {"claim": "B", **ok}]}]
    rows = per_claim(res)
    assert {k: rows["A"][k] for k in ("run", "killed", "equivalent", "SURVIVED", "other")} == \
        {"run": 3, "killed": 1, "equivalent": 1, "SURVIVED": 1, "other": 0} and rows["A"]["kills"] == ["m1"]
    assert {k: rows["B"][k] for k in ("run", "killed", "SURVIVED", "other")} == {"run": 2, "killed": 0, "SURVIVED": 1,
                                                                                 "other": 1}
    assert "| `A` | 3 | 1 | 1 | 1 | 0 | 0 | `m1` |" in markdown(res, 60)
