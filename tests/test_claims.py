import pytest

from exactmem import Verdict, claims
from exactmem.cli import main

claims.discover("proofs")
IDS = sorted(claims.REGISTRY)


# every instance of these checks has the kernel prove a certificate (a memorizer certified end to end, or
# eps_D's separation certificate), so they must come out CERTIFIED; these two use no kernel at all (exact
# enclosures of pi; a closed formula compared with the parameter count), so they must not
CERTIFIED = {"KMY25.Def2.1", "KMY25.ThmB.3", "KMY25.ThmB.14", "KMY25.ThmC.11",
             "KMY25.Def2.2.dims", "KMY25.ThmB.4"}      # robust memorization at r*; exact memorization (d >= 2)
NOT_CERTIFIED = {"KMY25.LemB.12", "BLN21.rate"}
WITHDRAWN = {"HB21.proxy_bounds_lip", "HB21.step"}      # Husain & Balle 2021 was withdrawn by its authors


@pytest.mark.parametrize("cid", IDS)
def test_every_registered_claim_is_proved(cid):
    r = claims.run_claim(claims.REGISTRY[cid])
    assert r.instances > 0
    assert r.verdict.is_proved, str(r.verdict)
    assert r.status is (claims.ClaimStatus.WITHDRAWN if cid in WITHDRAWN else r.checked)
    if cid in CERTIFIED:
        assert r.status is claims.ClaimStatus.CERTIFIED and r.certified == r.instances
    if cid in NOT_CERTIFIED:
        assert r.status is claims.ClaimStatus.PROVED and r.certified == 0


def test_status_sets_name_registered_claims():
    assert CERTIFIED | NOT_CERTIFIED | WITHDRAWN <= set(IDS)


def test_seed_claims_present():
    assert {"KMY25.Def2.1", "KMY25.Def2.2", "KMY25.Sec2.4"} <= set(IDS)


def test_runner_reports_refuted_and_exceptions(capsys):
    bad = claims.Claim("ZZTEST.refuted", "deliberately false", lambda x: Verdict.from_exact(x < 0, "x < 0", x),
                       {"f": lambda: [("one", 1)]})
    boom = claims.Claim("ZZTEST.raises", "raises", lambda x: 1 / 0, {"f": lambda: [("one", 1)]})
    notv = claims.Claim("ZZTEST.notverdict", "returns a bool", lambda x: True, {"f": lambda: [("one", 1)]})
    for c in (bad, boom, notv):
        claims.register(c)
    try:
        assert claims.run_claim(bad).verdict.is_refuted
        assert claims.run_claim(boom).verdict.is_undecided
        assert claims.run_claim(notv).verdict.is_undecided
        assert main(["check", "-k", "ZZTEST.refuted"]) == 1
        assert main(["check", "-k", "ZZTEST.raises"]) == 1             # UNDECIDED is not success
        assert main(["check", "-k", "ZZTEST.raises", "--strict"]) == 1
        out = capsys.readouterr().out
        assert "REFUTED" in out and "UNDECIDED" in out
    finally:
        for c in (bad, boom, notv):
            claims.REGISTRY.pop(c.id)


def test_check_list_and_no_match(capsys):
    assert main(["check", "--list"]) == 0
    assert "KMY25.Def2.1" in capsys.readouterr().out
    assert main(["check", "-k", "no-such-claim-xyz"]) == 2
