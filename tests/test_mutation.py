"""The mutation suite (tests/mutation/run.py): no mutant of construction or block code may make the kernel
PROVE a network that a probe shows wrong; the two mutations named in issue 10 must be killed."""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).parent / "mutation"))

from mutants import MUTANTS  # noqa: E402
from run import run_mutant  # noqa: E402


def test_mutation_suite():
    assert len(MUTANTS) >= 30
    results = {m[0]: run_mutant(*m[:4]) for m in MUTANTS}
    assert not [r for r in results.values() if r["class"] in ("UNSOUND", "STALE")], results
    assert results["layers.yu_output"]["class"] == results["layers.running_max"]["class"] == "killed"
    for r in results.values():               # an equivalent mutant is backed by the kernel and exact probes
        if r["class"] == "equivalent":
            assert all(s["status"] == s.get("expect", "PROVED") and (s["status"] != "PROVED" or s["probes"] > 0 and
                                                                     s["wrong"] == 0) for s in r["scenarios"])
    killed = sum(r["class"] == "killed" for r in results.values())
    assert killed >= 0.8 * len(results)
