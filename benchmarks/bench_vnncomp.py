"""VNN-COMP 2021 instances decided by exactmem and, side by side, by Marabou (issue 21, item 6).

For every instance (a row of a folder's ``*_instances.csv``: network, property, timeout) the harness runs
``exactmem vnnlib NET PROP --out RESULT --cert CERT --budget B`` in a subprocess, killed at B + 30 s, and
measures its CPU and wall time with os.wait4 (the process start, imports and the network's loading
included).  An unsat answer's certificate is re-checked by ``exactmem verify CERT --network NET`` (timed
apart); a sat answer's point is read from the result file and replayed exactly (the network evaluated in
rational arithmetic at the point, the property's constraints tested exactly).  Marabou (maraboupy, which
reads VNN-LIB itself) runs in its own subprocess with the same budget, default options, timed the same way;
its counterexamples are replayed exactly too.  Answers are compared with the competition's ``expected``
answer in results.json (``holds`` = unsat, ``violated`` = sat; ``disputed`` where its tools disagreed).

One JSON line per instance is appended to --out (shards write to one file; an instance already there with
the same budget is skipped unless --rerun), a progress line per instance goes to stderr, and the summary
(Markdown) to stdout at the end, or alone with --summarize FILE.

usage: python benchmarks/bench_vnncomp.py [--dir DIR] [--budget S] [--only acasxu|mnistfc|test] [--limit N]
                                          [--match REGEX] [--expected sat|unsat|disputed] [--shard K/M]
                                          [--out F.jsonl] [--rerun] [--marabou | --no-marabou] [--keep DIR]
       python benchmarks/bench_vnncomp.py --summarize F.jsonl
"""
from __future__ import annotations

import argparse
import csv
import importlib.util
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DIR = ROOT.parent / "shared" / "benchmarks" / "vnncomp2021"
BENCHMARKS = ("acasxu", "mnistfc", "test")
GRACE = 30                      # seconds past the budget before a tool is killed
DECIDED = ("sat", "unsat")


class BenchError(Exception):
    """Bad input to the harness: one line on stderr, exit 2."""


# ---- instances and expected answers -------------------------------------------------------------------------

def load_instances(root, only=None):
    """The instances of each benchmark folder under root (its ``*_instances.csv``), in the files' order."""
    root, out = Path(root), []
    names = [only] if only else [b for b in BENCHMARKS if (Path(root) / b).is_dir()]
    for bench in names:
        files = sorted((root / bench).glob("*_instances.csv"))
        if not files:
            raise BenchError(f"no *_instances.csv in {root / bench}")
        rows = []
        for f in files:
            with open(f, newline="") as fh:
                for n, row in enumerate(csv.reader(fh), 1):
                    if not row or not "".join(row).strip():
                        continue
                    if len(row) < 2:
                        raise BenchError(f"{f}:{n}: expected onnx,vnnlib,timeout, got {row!r}")
                    onnx, prop = row[0].strip(), row[1].strip()
                    timeout = float(row[2]) if len(row) > 2 and row[2].strip() else None
                    rows.append({"benchmark": bench, "onnx": onnx, "vnnlib": prop, "vnncomp_timeout": timeout,
                                 "instance": f"{bench}/{onnx} {prop}"})
        out += rows
    return out


def select(instances, expected, match=None, want=None, limit=None):
    """The instances whose name matches the regular expression ``match`` and whose expected answer is ``want``
    (sat, unsat or disputed), the first ``limit`` of each benchmark."""
    pattern = re.compile(match) if match else None
    out, count = [], {}
    for t in instances:
        if pattern and not pattern.search(t["instance"]):
            continue
        if want and expected.get(t["instance"], {}).get("expected") != want:
            continue
        count[t["benchmark"]] = count.get(t["benchmark"], 0) + 1
        if limit is None or count[t["benchmark"]] <= limit:
            out.append(t)
    return out


def load_expected(root):
    """results.json as {instance: {"expected": sat|unsat|disputed, "votes": {...}}} ({} when absent)."""
    path = Path(root) / "results.json"
    if not path.exists():
        return {}
    with open(path) as fh:
        data = json.load(fh)
    return {k: {"expected": v.get("expected"), "votes": v.get("votes", {})} for k, v in data.items()}


def shard(items, spec):
    """Shard K/M (1 <= K <= M): every M-th item from the K-th, so each shard gets a mix of the benchmarks."""
    if not spec:
        return items
    m = re.fullmatch(r"(\d+)/(\d+)", spec)
    if not m or not 1 <= int(m[1]) <= int(m[2]):
        raise ValueError(f"--shard must be K/M with 1 <= K <= M, got {spec!r}")
    k, n = int(m[1]), int(m[2])
    return items[k - 1::n]


def wrong(answer, expected):
    """True when a definite answer contradicts an agreed expected answer, False when it agrees, None otherwise."""
    if answer not in DECIDED or expected not in DECIDED:
        return None
    return answer != expected


# ---- running a tool -----------------------------------------------------------------------------------------

_RUNNING = set()            # process groups of the tools running now, ended with the harness (see _stop)


def _stop(signum, frame):
    """SIGTERM/SIGHUP: end the running tool's process group (its own session) with the harness."""
    for pid in list(_RUNNING):
        try:
            os.killpg(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    raise SystemExit(128 + signum)


def run_timed(cmd, limit):
    """Run cmd in its own session, killed (with its children) after ``limit`` seconds of wall time.
    Returns exit (negative: the signal), cpu (user + system of the process and its reaped children), wall,
    killed, stdout, stderr."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.monotonic()
        p = subprocess.Popen([str(c) for c in cmd], stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                             start_new_session=True)
        _RUNNING.add(p.pid)
        state = {"done": False, "killed": False}
        lock = threading.Lock()

        def kill():
            with lock:
                if not state["done"]:
                    state["killed"] = True
                    try:
                        os.killpg(p.pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
        timer = threading.Timer(limit, kill)
        timer.start()
        try:
            _, status, ru = os.wait4(p.pid, 0)
        finally:
            with lock:
                state["done"] = True
            timer.cancel()
            _RUNNING.discard(p.pid)
        wall = time.monotonic() - t0
        p.returncode = os.waitstatus_to_exitcode(status)      # reaped here: Popen must not wait again
        out.seek(0)
        err.seek(0)
        return {"exit": p.returncode, "cpu": round(ru.ru_utime + ru.ru_stime, 3), "wall": round(wall, 3),
                "killed": state["killed"], "stdout": out.read().decode("utf-8", "replace"),
                "stderr": err.read().decode("utf-8", "replace")}


def _line(text, last=False):
    lines = [s.strip() for s in text.splitlines() if s.strip()]
    return (lines[-1] if last else lines[0])[:300] if lines else ""


def parse_result(text):
    """A VNN-COMP result file: (status, {"X": {i: value}, "Y": {j: value}}) with the values as written."""
    lines = text.strip().splitlines()
    status = lines[0].strip().lower() if lines else ""
    point = {"X": {}, "Y": {}}
    for kind, i, v in re.findall(r"\(\s*([XY])_(\d+)\s+([^\s()]+)\s*\)", text):
        point[kind][int(i)] = v
    return status, point


def _values(d):
    """The values of {0: v0, 1: v1, ...} in order, or None when an index is missing."""
    return [d[i] for i in range(len(d))] if d and set(d) == set(range(len(d))) else None


def run_exactmem(exe, net, prop, budget, work, verify_limit):
    """exactmem's answer on one instance, its times, the certificate's re-check or the point's replay."""
    result, cert = Path(work) / "exactmem.result.txt", Path(work) / "exactmem.cert.json"
    r = run_timed([exe, "vnnlib", net, prop, "--out", result, "--cert", cert, "--budget", budget], budget + GRACE)
    rec = {"exit": r["exit"], "cpu": r["cpu"], "wall": r["wall"], "killed": r["killed"],
           "message": _line(r["stdout"]) or _line(r["stderr"], last=True)}
    if r["killed"]:
        rec["answer"] = "timeout"
        rec["message"] = f"killed at budget + {GRACE} s"
    elif r["exit"] in (0, 1) and result.exists():
        rec["answer"], point = parse_result(result.read_text())
        if rec["answer"] not in DECIDED + ("timeout", "unknown"):
            rec["message"] = f"the result file starts with {rec['answer'][:50]!r}, not a VNN-COMP status"
            rec["answer"] = "error"
        if rec["answer"] == "sat":
            x = _values(point["X"])
            rec["point"] = x is not None and _values(point["Y"]) is not None
            rec["replay"], rec["replay_note"] = replay(net, prop, x)
    else:
        rec["answer"] = "error"
        rec["message"] = _line(r["stderr"], last=True) or _line(r["stdout"]) or f"exit {r['exit']}, no result file"
    if rec["answer"] == "unsat":
        rec["cert"] = check_certificate(exe, cert, net, verify_limit) if cert.exists() else \
            {"proved": False, "message": "no certificate written"}
    return rec


def check_certificate(exe, cert, net, limit):
    """``exactmem verify CERT --network NET``: exit 0 is PROVED, about exactly this network."""
    r = run_timed([exe, "verify", cert, "--network", net], limit)
    return {"proved": r["exit"] == 0 and not r["killed"], "exit": r["exit"], "cpu": r["cpu"], "wall": r["wall"],
            "killed": r["killed"], "message": _line(r["stdout"]) or _line(r["stderr"], last=True)}


def marabou_available():
    return importlib.util.find_spec("maraboupy") is not None


def run_marabou(net, prop, budget, work):
    """Marabou's answer on one instance, in a subprocess (this script with --marabou-one), timed like exactmem."""
    out = Path(work) / "marabou.json"
    r = run_timed([sys.executable, Path(__file__).resolve(), "--marabou-one", net, prop, budget, out],
                  budget + GRACE)
    rec = {"exit": r["exit"], "cpu": r["cpu"], "wall": r["wall"], "killed": r["killed"]}
    data = json.loads(out.read_text()) if out.exists() and not r["killed"] else None
    if r["killed"]:
        rec.update(answer="timeout", message=f"killed at budget + {GRACE} s")
    elif data is None:
        rec.update(answer="error", message=_line(r["stderr"], last=True) or f"exit {r['exit']}, no answer")
    else:
        rec.update(answer=data["answer"], message=data.get("message", ""))
        said = [t.strip() for t in (r["stderr"] + "\n" + r["stdout"]).splitlines() if "rror" in t]
        if data["answer"] == "error" and said:           # Marabou prints its own errors ("Caught a MarabouError")
            rec["message"] += ": " + said[-1][:300]
        if data["answer"] == "sat":
            rec["point"] = data.get("x") is not None
            x = data.get("x")
            rec["replay"], rec["replay_note"] = replay(net, prop, x)
            if rec["replay"] is False:          # a VNN-COMP result file would hold the floats' shortest decimals
                ok, note = replay(net, prop, [repr(float(t)) for t in x])
                if ok:
                    rec["replay"] = True
                    rec["replay_note"] = f"as the floats' shortest decimals (their binary values: {rec['replay_note']})"
    return rec


def marabou_one(net, prop, budget, out):
    """The worker: maraboupy reads the ONNX network and the VNN-LIB property itself (MarabouCore.loadProperty),
    and solves with createOptions' defaults and timeoutInSeconds = the budget (verbosity 0: quiet)."""
    import warnings
    warnings.filterwarnings("ignore")
    res = {}
    try:
        from maraboupy import Marabou
        network = Marabou.read_onnx(net)
        options = Marabou.createOptions(timeoutInSeconds=int(-(-float(budget) // 1)), verbosity=0)
        code, vals, stats = network.solve(propertyFilename=prop, options=options, verbose=False)
        code = str(code).lower()
        res["answer"] = "timeout" if stats.hasTimedOut() or code == "timeout" else \
            code if code in DECIDED + ("error",) else "unknown"
        res["message"] = f"Marabou exit code {code}"
        if res["answer"] == "sat":
            flat = lambda vs: [float(vals[int(v)]) for arr in vs for v in arr.flatten()]
            res["x"], res["y"] = flat(network.inputVars), flat(network.outputVars)
    except Exception as e:                                       # recorded, not raised: one instance's failure
        res = {"answer": "error", "message": f"{type(e).__name__}: {str(e)[:300]}"}
    Path(out).write_text(json.dumps(res))
    return 0 if res["answer"] != "error" else 2


# ---- exact replay of a counterexample ------------------------------------------------------------------------

def replay(net, prop, x):
    """(True, "") when the point x (decimal strings read exactly, or floats read as their exact binary value)
    meets the property's input constraints and the network's exact outputs there meet its output constraints;
    (False, why) when not; (None, why) when the check itself could not be made."""
    if x is None:
        return None, "no point"
    try:
        import exactmem
        from exactmem import vnnlib
        p = vnnlib.read(prop)
        low = str(net).lower()
        f = exactmem.from_onnx(net) if low.endswith(".onnx") else exactmem.from_nnet(net) if \
            low.endswith(".nnet") else exactmem.ReLUNet.from_json(net)
        x = [exactmem.to_rational(t) for t in x]
        if len(x) != p.n_in:
            return False, f"the point has {len(x)} coordinates, the property {p.n_in} inputs"
        y = f(x)
        inside = False
        for (lo, hi, rows), goal in zip(p.boxes, p.goals):
            if any(t < a or t > b for t, a, b in zip(x, lo, hi)) or \
                    any(sum((a * t for a, t in zip(r[:-1], x)), r[-1]) < 0 for r in rows):
                continue
            inside = True
            for clause in goal:                 # the goal (what unsat means) fails when a clause has no true atom
                if not any(_holds(g, h, strict, y) for g, h, strict in clause):
                    return True, ""
        return False, "the network's exact outputs there meet the property's goal" if inside else \
            "the point is outside the property's input set"
    except Exception as e:                                       # a replay failure must not stop the run
        return None, f"{type(e).__name__}: {str(e)[:200]}"


def _holds(g, h, strict, y):
    s = sum((a * t for a, t in zip(g, y)), h)
    return s > 0 if strict else s >= 0


# ---- records and the summary ---------------------------------------------------------------------------------

def read_records(path):
    """The JSON lines of path, the last one per (instance, budget) kept (a rerun replaces an earlier line)."""
    recs = {}
    with open(path) as fh:
        for n, line in enumerate(fh, 1):
            if line.strip():
                try:
                    r = json.loads(line)
                except json.JSONDecodeError:
                    print(f"bench_vnncomp: {path}:{n}: not a JSON line, skipped", file=sys.stderr)
                    continue
                recs[(r["instance"], r["budget"])] = r
    return list(recs.values())


def _median(xs):
    return statistics.median(xs) if xs else None


def _secs(t, budget):
    if t is None:
        return "—"
    return f"> {budget:g} s" if t == float("inf") else f"{t:.1f} s"


def tool_stats(recs, tool):
    """Counts and the median CPU time (undecided instances count as infinitely long) of one tool."""
    runs = [r[tool] for r in recs if r.get(tool)]
    if not runs:
        return None
    ans = [x["answer"] for x in runs]
    unsat = [x for x in runs if x["answer"] == "unsat"]
    sat = [x for x in runs if x["answer"] == "sat"]
    return {"runs": len(runs), "sat": len(sat), "unsat": len(unsat), "errors": ans.count("error"),
            "wrong": sum(1 for r in recs if r.get(tool) and r[tool].get("wrong")),
            "proved": sum(1 for x in unsat if x.get("cert", {}).get("proved")),
            "replayed": sum(1 for x in sat if x.get("replay") is True),
            "replay_false": sum(1 for x in sat if x.get("replay") is False),
            "median": _median([x["cpu"] if x["answer"] in DECIDED else float("inf") for x in runs])}


def _decided(s):
    return "—" if s is None else f"{s['sat'] + s['unsat']} ({s['sat']}/{s['unsat']})"


def _ratio(a, b):
    if a is None or b is None or a == float("inf") or b == float("inf") or b == 0:
        return "—"
    return f"{a / b:.2f}"


def _short(r):
    net = re.sub(r"^ACASXU_run2a_(\d+_\d+)_batch_2000$", r"\1", Path(r["onnx"]).stem)
    return f"{r['benchmark']} {net} {Path(r['vnnlib']).stem}"


def _cell(x, budget):
    """One tool's answer on one instance, for the per-instance tables."""
    if not x:
        return "not run"
    s = f"{x['answer']} ({x['cpu']:.1f} s)"
    if x["answer"] == "unsat" and "cert" in x:
        s += ", certificate PROVED" if x["cert"].get("proved") else ", certificate NOT proved"
    if x["answer"] == "sat":
        s += {True: ", point replays exactly", False: ", point FAILS exactly"}.get(x.get("replay"),
                                                                                   ", point not checked")
    return s


def summarize(recs):
    """The Markdown summary: one table per budget (per benchmark, both tools), the instances both tools
    decided, the disputed instances one by one, and every wrong answer and error."""
    out = []
    for budget in sorted({r["budget"] for r in recs}):
        group = [r for r in recs if r["budget"] == budget]
        benches = [b for b in BENCHMARKS if any(r["benchmark"] == b for r in group)] + \
            sorted({r["benchmark"] for r in group} - set(BENCHMARKS))
        out += [f"## VNN-COMP 2021, budget {budget:g} s per instance (CPU seconds, load included)", "",
                "| benchmark | instances | expected sat/unsat/disputed | exactmem decided (sat/unsat) | wrong | "
                "errors | certificates PROVED | points replayed | median | Marabou decided (sat/unsat) | wrong | "
                "errors | points replayed | median | exactmem / Marabou |",
                "|" + " --- |" * 15]
        for b in benches + (["all"] if len(benches) > 1 else []):
            rs = group if b == "all" else [r for r in group if r["benchmark"] == b]
            exp = [r.get("expected") for r in rs]
            e, m = tool_stats(rs, "exactmem"), tool_stats(rs, "marabou")
            cells = [b, str(len(rs)), f"{exp.count('sat')}/{exp.count('unsat')}/{exp.count('disputed')}"]
            cells += [_decided(e), str(e["wrong"]), str(e["errors"]), f"{e['proved']}/{e['unsat']}",
                      f"{e['replayed']}/{e['sat']}", _secs(e["median"], budget)] if e else ["—"] * 6
            cells += [_decided(m), str(m["wrong"]), str(m["errors"]), f"{m['replayed']}/{m['sat']}",
                      _secs(m["median"], budget)] if m else ["not run"] + ["—"] * 4
            cells.append(_ratio(e and e["median"], m and m["median"]))
            out.append("| " + " | ".join(cells) + " |")
        out += ["", "Median over all instances of the row, an undecided instance counting as longer than any "
                    "(so \"> budget\" when fewer than half are decided)."]
        both = [r for r in group if r.get("exactmem", {}).get("answer") in DECIDED
                and (r.get("marabou") or {}).get("answer") in DECIDED]
        if both:
            a, c = _median([r["exactmem"]["cpu"] for r in both]), _median([r["marabou"]["cpu"] for r in both])
            differ = [r for r in both if r["exactmem"]["answer"] != r["marabou"]["answer"]]
            out += ["", f"Decided by both: {len(both)} instances, median {a:.1f} s (exactmem) and {c:.1f} s "
                        f"(Marabou), ratio {_ratio(a, c)}; the two answers differ on {len(differ)}."]
        disputed = [r for r in group if r.get("expected") == "disputed"]
        if disputed:
            out += ["", "Disputed instances (VNN-COMP 2021's tools disagreed):", "",
                    "| instance | votes | exactmem | Marabou |", "| --- | --- | --- | --- |"]
            out += [f"| {_short(r)} | " + ", ".join(f"{k} {v}" for k, v in sorted(r.get("votes", {}).items())) +
                    f" | {_cell(r.get('exactmem'), budget)} | {_cell(r.get('marabou'), budget)} |" for r in disputed]
        bad = [(r, t) for r in group for t in ("exactmem", "marabou") if (r.get(t) or {}).get("wrong")]
        if bad:
            out += ["", "WRONG answers (against an agreed expected answer):", ""]
            out += [f"* {_short(r)}: {t} says {r[t]['answer']}, expected {r['expected']}" for r, t in bad]
        errs = [(r, t) for r in group for t in ("exactmem", "marabou") if (r.get(t) or {}).get("answer") == "error"]
        if errs:
            out += ["", "Errors:", ""]
            out += [f"* {_short(r)}: {t}: {r[t].get('message', '')}" for r, t in errs]
        out.append("")
    return "\n".join(out)


# ---- the run -------------------------------------------------------------------------------------------------

def append(path, rec):
    """One line, one write() on a file opened for appending: shards writing to the same file do not interleave."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, (json.dumps(rec, sort_keys=True) + "\n").encode())
    finally:
        os.close(fd)


def progress(i, n, rec):
    def part(name, x):
        if not x:
            return ""
        s = f"{name} {x['answer']} {x['cpu']:.1f} s"
        if "cert" in x:
            c = x["cert"]
            s += f", certificate {'PROVED' if c.get('proved') else 'NOT proved'} ({c.get('cpu', 0):.1f} s)"
        if x["answer"] == "sat":
            s += {True: ", point replays", False: ", point FAILS"}.get(x.get("replay"), ", point not checked")
        return s + (" WRONG" if x.get("wrong") else "")
    tools = " | ".join(p for p in (part("exactmem", rec.get("exactmem")), part("Marabou", rec.get("marabou"))) if p)
    print(f"[{i}/{n}] {_short(rec)} (expected {rec.get('expected') or '?'}): {tools}", file=sys.stderr, flush=True)


def run(args):
    root = Path(args.dir)
    expected = load_expected(root)
    todo = select(load_instances(root, args.only), expected, args.match, args.expected, args.limit)
    todo = shard(todo, args.shard)
    done = set()
    if Path(args.out).exists() and not args.rerun:
        done = {r["instance"] for r in read_records(args.out) if r["budget"] == args.budget}
        if done & {t["instance"] for t in todo}:
            print(f"bench_vnncomp: {len(done & {t['instance'] for t in todo})} instance(s) already in {args.out} "
                  f"with budget {args.budget:g} s are skipped (--rerun runs them again)", file=sys.stderr)
    todo = [t for t in todo if t["instance"] not in done]
    marabou = args.marabou if args.marabou is not None else marabou_available()
    if marabou and not marabou_available():
        raise BenchError(f"--marabou: maraboupy is not installed for {sys.executable} (pip install maraboupy)")
    if not marabou:
        print("bench_vnncomp: Marabou skipped: " + ("--no-marabou" if args.marabou is False else
              f"maraboupy is not installed for {sys.executable} (pip install maraboupy)"), file=sys.stderr)
    for i, inst in enumerate(todo, 1):
        net, prop = root / inst["benchmark"] / inst["onnx"], root / inst["benchmark"] / inst["vnnlib"]
        exp = expected.get(inst["instance"], {})
        rec = dict(inst, budget=args.budget, expected=exp.get("expected"), votes=exp.get("votes", {}),
                   started=time.strftime("%Y-%m-%dT%H:%M:%S"), host_load=round(os.getloadavg()[0], 2))
        work = Path(tempfile.mkdtemp(prefix="bench_vnncomp_"))
        try:
            rec["exactmem"] = run_exactmem(args.exactmem, net, prop, args.budget, work, args.verify_timeout)
            rec["exactmem"]["wrong"] = wrong(rec["exactmem"]["answer"], rec["expected"])
            if marabou:
                rec["marabou"] = run_marabou(net, prop, args.budget, work)
                rec["marabou"]["wrong"] = wrong(rec["marabou"]["answer"], rec["expected"])
            if args.keep:
                dest = Path(args.keep) / re.sub(r"[^\w.-]+", "_", inst["instance"])
                shutil.copytree(work, dest, dirs_exist_ok=True)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        append(args.out, rec)
        progress(i, len(todo), rec)
    if Path(args.out).exists():
        print(summarize(read_records(args.out)))
    return 0


def parser():
    p = argparse.ArgumentParser(prog="bench_vnncomp.py", description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--dir", help=f"the VNN-COMP 2021 folder (acasxu/, mnistfc/, test/, results.json); default "
                                 f"{DEFAULT_DIR}")
    p.add_argument("--budget", type=float, default=120, help="seconds per instance for each tool (default 120); "
                                                             f"a tool is killed at budget + {GRACE} s")
    p.add_argument("--only", choices=BENCHMARKS, help="one benchmark folder")
    p.add_argument("--limit", type=int, help="the first N instances of each benchmark (after --match, --expected)")
    p.add_argument("--match", metavar="REGEX", help="only instances whose name ('acasxu/NET.onnx PROP.vnnlib') "
                                                    "matches")
    p.add_argument("--expected", choices=("sat", "unsat", "disputed"), help="only instances with this expected "
                                                                            "answer in results.json")
    p.add_argument("--shard", metavar="K/M", help="run the K-th of M shards (1 <= K <= M): every M-th instance")
    p.add_argument("--out", default="vnncomp2021.jsonl", help="JSON lines appended here (default vnncomp2021.jsonl)")
    p.add_argument("--rerun", action="store_true", help="run instances already in --out with this budget again")
    p.add_argument("--marabou", action=argparse.BooleanOptionalAction, default=None,
                   help="run Marabou beside exactmem (default: when maraboupy is installed)")
    p.add_argument("--exactmem", default=str(ROOT / ".venv" / "bin" / "exactmem"), help="the exactmem command")
    p.add_argument("--verify-timeout", type=float, default=600, help="seconds for exactmem verify (default 600)")
    p.add_argument("--keep", metavar="DIR", help="keep each instance's result, certificate and Marabou answer here")
    p.add_argument("--summarize", metavar="F.jsonl", help="print the summary of a results file and run nothing")
    p.add_argument("--marabou-one", nargs=4, help=argparse.SUPPRESS)
    return p


def main(argv=None):
    args = parser().parse_args(argv)
    if args.marabou_one:
        return marabou_one(*args.marabou_one)
    if args.summarize:
        if not Path(args.summarize).exists():
            print(f"bench_vnncomp: --summarize: no file {args.summarize}", file=sys.stderr)
            return 2
        print(summarize(read_records(args.summarize)))
        return 0
    try:
        shard([], args.shard)
    except ValueError as e:
        print(f"bench_vnncomp: {e}", file=sys.stderr)
        return 2
    if args.budget <= 0 or (args.limit is not None and args.limit <= 0):
        print("bench_vnncomp: --budget and --limit must be positive", file=sys.stderr)
        return 2
    try:
        re.compile(args.match or "")
    except re.error as e:
        print(f"bench_vnncomp: --match: not a regular expression: {e}", file=sys.stderr)
        return 2
    if args.dir is None:
        if not DEFAULT_DIR.is_dir():                  # make bench on a machine without the shared instances
            print(f"bench_vnncomp: no VNN-COMP 2021 instances at {DEFAULT_DIR}: skipped (give --dir)",
                  file=sys.stderr)
            return 0
        args.dir = str(DEFAULT_DIR)
    if not Path(args.dir).is_dir():
        print(f"bench_vnncomp: --dir: no folder {args.dir}", file=sys.stderr)
        return 2
    if not Path(args.exactmem).exists() and shutil.which(args.exactmem) is None:
        print(f"bench_vnncomp: --exactmem: no command {args.exactmem}", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGHUP, _stop)
    try:
        return run(args)
    except (BenchError, ValueError, OSError) as e:
        print(f"bench_vnncomp: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
