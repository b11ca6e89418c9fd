"""The mutation suite of the claims (docs/claims.md, "The mutation suite of the claims"; ``make mutants-claims``).

Each mutant of ``claim_catalog.py`` is one plausible slip of a careless author -- a constant, an exponent, a log
factor, < for <=, a dropped hypothesis, a regime boundary, an off-by-one, an open ball for a closed one -- in
the library code the claims rely on (never exactmem/kernel: that is tests/mutation's job) or in a statement's
own formula under proofs/.  For each, exactmem/ and proofs/ are copied to a temporary directory, the fragment
(which must occur exactly once) is replaced, and the claims that cite the changed code are run in the default
tier, in a subprocess with PYTHONPATH at the copy (``driver.py``).  The mutant is

  killed      some cited claim is REFUTED, or a check crashed (an exception is reported as UNDECIDED "the
              check raised ...", which fails ``exactmem check``), or the run itself failed;
  UNDECIDED   no claim refuted or crashed, but one ended UNDECIDED for another reason, or was stopped after
              CLAIM_SECONDS (driver.py): NOT caught;
  equivalent  every cited claim passed, and the mutant carries a note saying why it computes the same
              thing, backed by an exact probe printing the same output on the original and the mutated copy;
  SURVIVED    every cited claim passed and no equivalence is shown: a gap in the claims;
  STALE       the fragment does not occur exactly once (the source moved on: update claim_catalog.py).

usage: python tests/claim_mutation/claim_run.py [--area AREA] [--json FILE] [--markdown FILE] [--timeout S] [ID ...]
Runs one mutant at a time on one core; exit status 1 if a mutant survived, ended UNDECIDED or is stale.
"""
from __future__ import annotations

import argparse
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import time

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))
from claim_catalog import AREAS, MUTANTS  # noqa: E402

CLASSES = ("killed", "equivalent", "UNDECIDED", "SURVIVED", "STALE")


def fragment_count(m, root=ROOT) -> int:
    """How often the mutant's fragment occurs in its file under ``root``."""
    return (pathlib.Path(root) / m.path).read_text().count(m.old)


def _copy(tmp):
    for pkg in ("exactmem", "proofs"):
        shutil.copytree(ROOT / pkg, pathlib.Path(tmp) / pkg, ignore=shutil.ignore_patterns("__pycache__"))


def _env(path):
    return dict(os.environ, PYTHONPATH=str(path), EXACTMEM_PROGRESS="0", PYTHONDONTWRITEBYTECODE="1")


def _probe(code, path, timeout):
    """The probe's standard output with exactmem/proofs imported from ``path`` (None if it failed)."""
    proc = subprocess.run([sys.executable, "-c", code], env=_env(path), cwd=path, capture_output=True, text=True,
                          timeout=timeout)
    return proc.stdout if proc.returncode == 0 else None


def run_mutant(m, timeout: float = 600) -> dict:
    """Apply mutant ``m`` to a copy, run its cited claims, classify (see the module's doc)."""
    out = {"id": m.id, "area": m.area, "path": m.path, "what": m.what, "claims": list(m.claims), "seconds": 0.0}
    if m.path.startswith("exactmem/kernel/") or not m.path.startswith(("exactmem/", "proofs/")):
        return {**out, "class": "STALE", "detail": f"{m.path}: only exactmem/ (not its kernel) and proofs/ are mutated"}
    t0 = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="claim-mutant-") as tmp:
        _copy(tmp)
        target = pathlib.Path(tmp) / m.path
        text = target.read_text()
        if text.count(m.old) != 1:
            return {**out, "class": "STALE", "detail": f"the fragment occurs {text.count(m.old)} times in {m.path}"}
        target.write_text(text.replace(m.old, m.new))
        try:
            proc = subprocess.run([sys.executable, str(HERE / "driver.py"), *m.claims], env=_env(tmp), cwd=tmp,
                                  capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return {**out, "seconds": time.monotonic() - t0, "class": "killed", "kills": [],
                    "detail": f"the claims did not finish in {timeout:.0f} s"}
        rows = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
        out["seconds"] = time.monotonic() - t0
        where = rows[0] if rows and "exactmem" in rows[0] else {}
        if where and not all(str(where[k]).startswith(tmp) for k in ("exactmem", "proofs")):
            raise RuntimeError(f"{m.id}: the driver imported {where}, not the copy in {tmp}")
        results = [r for r in rows if "claim" in r]
        out["results"] = results
        missing = [r["missing"] for r in rows if "missing" in r]
        if missing:
            return {**out, "class": "STALE", "detail": f"no claim matches {missing[0]}"}
        if proc.returncode or not where:
            last = (proc.stderr.strip().splitlines() or ["no output"])[-1][:160]
            return {**out, "class": "killed", "kills": [], "detail": f"the claims' run failed: {last}"}
        killing = [r for r in results if r["status"] == "REFUTED" or
                   (r["status"] == "UNDECIDED" and " raised " in r["reason"])]
        if killing:
            r = killing[0]
            what = "REFUTED" if r["status"] == "REFUTED" else "crashed"
            return {**out, "class": "killed", "kills": [r["claim"] for r in killing],
                    "detail": f"{r['claim']} {what}: {r['reason'][:140]}"}
        undecided = [r for r in results if r["status"] in ("UNDECIDED", "TIMEOUT")]
        if undecided:
            r = undecided[0]
            return {**out, "class": "UNDECIDED", "detail": f"{r['claim']} UNDECIDED: {r['reason'][:140]}"}
        passed = f"all {len(results)} cited claims passed"
        if m.equivalent and m.probe:
            mine, theirs = _probe(m.probe, tmp, timeout), _probe(m.probe, ROOT, timeout)
            out["seconds"] = time.monotonic() - t0
            if mine is not None and mine == theirs and mine.strip():
                return {**out, "class": "equivalent", "detail": f"{passed}; the probe agrees "
                        f"({len(mine.splitlines())} lines): {m.equivalent}"}
            return {**out, "class": "SURVIVED", "detail": f"{passed}; the equivalence probe "
                    f"{'failed' if mine is None or theirs is None else 'differs'}"}
        return {**out, "class": "SURVIVED", "detail": passed}


def scores(results) -> dict:
    """Per area: mutants and the count of each class."""
    table = {}
    for r in results:
        row = table.setdefault(r["area"], {"mutants": 0, **{c: 0 for c in CLASSES}, "seconds": 0.0})
        row["mutants"] += 1
        row[r["class"]] += 1
        row["seconds"] += r["seconds"]
    return table


def score_lines(results, wall) -> list:
    table = scores(results)
    lines = [f"{'area':32s} {'mutants':>7s} {'killed':>6s} {'equiv':>5s} {'undec':>5s} {'surv':>4s} {'stale':>5s} "
             f"{'score':>6s} {'time':>7s}"]
    total = {"mutants": 0, **{c: 0 for c in CLASSES}, "seconds": 0.0}
    for area in [a for a in AREAS if a in table] + sorted(set(table) - set(AREAS)):
        row = table[area]
        for k in total:
            total[k] += row[k]
        lines.append(_line(area, row))
    lines.append(_line("total", total))
    lines.append(f"wall time {wall:.0f} s ({wall / 60:.1f} min), one mutant at a time")
    return lines


def _line(name, row):
    live = row["mutants"] - row["equivalent"] - row["STALE"]
    score = f"{100 * row['killed'] / live:.0f}%" if live else "-"
    return (f"{name:32s} {row['mutants']:7d} {row['killed']:6d} {row['equivalent']:5d} {row['UNDECIDED']:5d} "
            f"{row['SURVIVED']:4d} {row['STALE']:5d} {score:>6s} {row['seconds']:6.0f}s")


def markdown(results, wall) -> str:
    """The score table per area and the claim-strength table (per claim, the mutants it kills), as in docs/claims.md."""
    table = scores(results)
    out = ["| area | mutants | killed | equivalent | UNDECIDED only | survived | stale |", "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    total = {"mutants": 0, **{c: 0 for c in CLASSES}}
    for area in [a for a in AREAS if a in table]:
        row = table[area]
        for k in total:
            total[k] += row[k]
        out.append(f"| {area} | {row['mutants']} | {row['killed']} | {row['equivalent']} | {row['UNDECIDED']} | "
                   f"{row['SURVIVED']} | {row['STALE']} |")
    out.append(f"| **total** | {total['mutants']} | {total['killed']} | {total['equivalent']} | {total['UNDECIDED']} | "
               f"{total['SURVIVED']} | {total['STALE']} |")
    out += ["", f"Wall time {wall / 60:.1f} minutes, one mutant at a time on one core.", ""]
    out += ["| claim | mutants run | killed by it | equivalent | survived | UNDECIDED only | killed by another claim "
            "| mutants it kills |", "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
    for cid, w in sorted(per_claim(results).items()):
        out.append(f"| `{cid}` | {w['run']} | {w['killed']} | {w['equivalent']} | {w['SURVIVED']} | {w['UNDECIDED']} | "
                   f"{w['other']} | " + (", ".join(f"`{m}`" for m in w["kills"]) or "-") + " |")
    return "\n".join(out) + "\n"


def per_claim(results) -> dict:
    """Per claim that ran under at least one mutant: how many mutants ran it, how many it killed (REFUTED or
    crashed), how many of them were equivalent, survived or ended UNDECIDED only (every cited claim passed), and how
    many another cited claim killed while this one passed; with the ids of the mutants it kills."""
    rows = {}
    for r in results:
        for c in r.get("results") or []:
            w = rows.setdefault(c["claim"], {"run": 0, "killed": 0, "equivalent": 0, "SURVIVED": 0, "UNDECIDED": 0,
                                             "other": 0, "kills": []})
            w["run"] += 1
            if c["claim"] in r.get("kills", []):
                w["killed"] += 1
                w["kills"].append(r["id"])
            elif r["class"] in ("equivalent", "SURVIVED", "UNDECIDED"):
                w[r["class"]] += 1
            else:
                w["other"] += 1
    return rows


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="claim_run.py", description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="killed = REFUTED or a crash; UNDECIDED alone is not caught; see the module doc")
    ap.add_argument("ids", nargs="*", metavar="ID", help="only these mutants (default: all)")
    ap.add_argument("--area", action="append", choices=AREAS, help="only the mutants of this area (repeatable)")
    ap.add_argument("--json", metavar="FILE", help="write every mutant's result as JSON to FILE")
    ap.add_argument("--timeout", type=float, default=600, help="seconds per mutant's claims (default 600)")
    ap.add_argument("--markdown", metavar="FILE", help="write the score and claim-strength tables as Markdown to FILE")
    ap.add_argument("--list", action="store_true", help="list the mutants and exit")
    a = ap.parse_args(argv)
    known = {m.id for m in MUTANTS}
    unknown = [i for i in a.ids if i not in known]
    if unknown:
        ap.error(f"unknown mutant id(s): {', '.join(unknown)}")
    chosen = [m for m in MUTANTS if (not a.ids or m.id in a.ids) and (not a.area or m.area in a.area)]
    if a.list:
        for m in chosen:
            print(f"{m.id:28s} {m.area:28s} {m.path}: {m.what}  [{', '.join(m.claims)}]")
        return 0
    t0, results = time.monotonic(), []
    for k, m in enumerate(chosen, 1):
        r = run_mutant(m, a.timeout)
        results.append(r)
        print(f"[{k}/{len(chosen)}] {m.id:28s} {r['class']:10s} {r['seconds']:6.1f}s  {m.what}\n"
              f"{'':8s}{r['detail']}", flush=True)
    wall = time.monotonic() - t0
    print()
    print("\n".join(score_lines(results, wall)))
    if a.json:
        pathlib.Path(a.json).write_text(json.dumps({"wall_seconds": round(wall, 1), "results": results}, indent=1))
    if a.markdown:
        pathlib.Path(a.markdown).write_text(markdown(results, wall))
    bad = [r for r in results if r["class"] in ("SURVIVED", "UNDECIDED", "STALE")]
    if bad:
        print("not caught: " + ", ".join(f"{r['id']} ({r['class']})" for r in bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
