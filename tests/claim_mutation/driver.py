"""Run the claims named on the command line (ids, or fnmatch patterns such as ``KMY25.Thm4.2.*``) in the
default tier, with whatever exactmem and proofs/ are first on ``sys.path`` (claim_run.py points PYTHONPATH at a
mutated copy), and print one JSON line per claim: its id, status, instances, seconds and the verdict's reason.

The first line says where exactmem and proofs were imported from, so that claim_run.py can make sure the copy,
not the installed tree, was checked.  A claim still running after CLAIM_SECONDS (environment, default 150) is
stopped and reported with status TIMEOUT (claim_run.py does not count that as caught).  Exit status 0 when every pattern
matched a claim, 3 otherwise."""
import fnmatch
import json
import os
import signal
import sys


class _Timeout(BaseException):
    """Raised by the alarm; a BaseException, so that the runner's ``except Exception`` does not turn it into a verdict."""


def _alarm(signum, frame):
    raise _Timeout()


def main(patterns):
    import exactmem
    import proofs
    from exactmem import claims
    from exactmem.claims.runner import run_claim

    print(json.dumps({"exactmem": exactmem.__file__, "proofs": proofs.__file__}), flush=True)
    claims.discover("proofs")
    ids = sorted(claims.REGISTRY)
    chosen, missing = [], []
    for pat in patterns:
        hit = [i for i in ids if fnmatch.fnmatchcase(i, pat)]
        if not hit:
            missing.append(pat)
        chosen += [i for i in hit if i not in chosen]
    limit = int(os.environ.get("CLAIM_SECONDS", "150"))
    signal.signal(signal.SIGALRM, _alarm)
    for cid in chosen:
        signal.alarm(limit)
        try:
            r = run_claim(claims.REGISTRY[cid])
            row = {"claim": cid, "status": r.checked.value, "instances": r.instances, "seconds": round(r.seconds, 3),
                   "reason": r.verdict.reason[:300]}
        except _Timeout:
            row = {"claim": cid, "status": "TIMEOUT", "instances": 0, "seconds": limit,
                   "reason": f"still running after {limit} s"}
        finally:
            signal.alarm(0)
        print(json.dumps(row), flush=True)
    if missing:
        print(json.dumps({"missing": missing}), flush=True)
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
