"""The mutation suite: apply each single-point mutation of ``mutants.py`` to a copy of exactmem, build the
scenarios of ``probe.py`` with it and check them with its (unmutated) kernel.

A mutant is *killed* when building raises or some certificate is not PROVED (REFUTED for a false goal); it is *equivalent* when every
certificate is PROVED and every exact probe point (centres, points just inside each ball, random exact
points) gets its label -- the mutated network still works; it is UNSOUND when a certificate is PROVED but
a probe outside the excluded slabs is wrong: a kernel bug, and the suite fails.

usage: python tests/mutation/run.py [MUTANT_ID ...]      (make mutants)
"""
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import time

HERE = pathlib.Path(__file__).resolve().parent
SRC = HERE.parents[1] / "exactmem"
sys.path.insert(0, str(HERE))
from mutants import MUTANTS  # noqa: E402


def run_mutant(mid, path, old, new, timeout=900):
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copytree(SRC, pathlib.Path(tmp) / "exactmem", ignore=shutil.ignore_patterns("__pycache__"))
        target = pathlib.Path(tmp) / "exactmem" / path
        text = target.read_text()
        if text.count(old) != 1:
            return {"id": mid, "class": "STALE", "detail": f"fragment occurs {text.count(old)} times in {path}"}
        target.write_text(text.replace(old, new))
        bounds = path.startswith("analysis/tighten")          # the linear-bounds scenarios, only for their code
        env = dict(os.environ, PYTHONPATH=tmp, EXACTMEM_PROGRESS="0", PROBE="bounds" if bounds else "networks")
        t0 = time.monotonic()
        proc = subprocess.run([sys.executable, str(HERE / "probe.py")], env=env, capture_output=True, text=True,
                              timeout=timeout, cwd=tmp)
        rows = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
        out = {"id": mid, "seconds": time.monotonic() - t0, "scenarios": rows}
        if proc.returncode or not rows:
            return {**out, "class": "killed", "detail": (proc.stderr.strip().splitlines() or ["no output"])[-1][:120]}
        if any(r["status"] == "PROVED" and r["wrong"] for r in rows):
            bad = next(r for r in rows if r["status"] == "PROVED" and r["wrong"])
            return {**out, "class": "UNSOUND", "detail": f"{bad['scenario']}: PROVED with {bad['wrong']} wrong probes"}
        if all(r["status"] == r.get("expect", "PROVED") for r in rows):      # a false goal: REFUTED expected
            n = sum(r.get("probes", 0) for r in rows)
            return {**out, "class": "equivalent", "detail": f"all as expected; {n} exact probe points labelled correctly"}
        r = next(r for r in rows if r["status"] != r.get("expect", "PROVED"))
        return {**out, "class": "killed", "detail": f"{r['scenario']}: {r['status']}: {r['detail']}"}


def main(ids):
    chosen = [m for m in MUTANTS if not ids or m[0] in ids]
    results = []
    for k, (mid, path, old, new, what) in enumerate(chosen, 1):
        r = run_mutant(mid, path, old, new)
        results.append(r)
        print(f"[{k}/{len(chosen)}] {mid:22s} {r['class']:10s} {r.get('seconds', 0):6.1f}s  {what}\n"
              f"{'':27s}{r['detail']}", flush=True)
    counts = {c: sum(r["class"] == c for r in results) for c in ("killed", "equivalent", "UNSOUND", "STALE")}
    live = len(results) - counts["equivalent"] - counts["STALE"]
    score = counts["killed"] / live if live else 1.0
    print(f"\nmutation score: {counts['killed']}/{live} killed ({100 * score:.0f}%), {counts['equivalent']} "
          f"equivalent, {counts['UNSOUND']} unsound, {counts['STALE']} stale")
    return 1 if counts["UNSOUND"] or counts["STALE"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
