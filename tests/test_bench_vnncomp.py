"""The VNN-COMP harness (benchmarks/bench_vnncomp.py) on fake files: instance lists, expected answers, shards,
result files, the judgement of answers, the summary's counts and medians, the exact replay of a point, and the
timed runner's kill.  No verifier is run; the expected numbers are worked out by hand in the comments."""
import importlib.util
import json
import sys
from pathlib import Path

import pytest

_PATH = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_vnncomp.py"
_spec = importlib.util.spec_from_file_location("bench_vnncomp", _PATH)
bv = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bv)


@pytest.fixture
def bench_dir(tmp_path):
    (tmp_path / "acasxu").mkdir()
    (tmp_path / "test").mkdir()
    (tmp_path / "acasxu" / "acasxu_instances.csv").write_text(
        "N_1.onnx,prop_1.vnnlib,116\nN_1.onnx,prop_2.vnnlib,116\n\nN_2.onnx,prop_1.vnnlib,116\n")
    (tmp_path / "test" / "test_instances.csv").write_text("t.onnx,t.vnnlib,60\nu.onnx,t.vnnlib,60\n")
    (tmp_path / "results.json").write_text(json.dumps({
        "acasxu/N_1.onnx prop_1.vnnlib": {"expected": "unsat", "votes": {"holds": 7}, "seconds_vnncomp2021": {}},
        "acasxu/N_1.onnx prop_2.vnnlib": {"expected": "disputed", "votes": {"holds": 3, "violated": 2}},
        "acasxu/N_2.onnx prop_1.vnnlib": {"expected": "sat", "votes": {"violated": 6}}}))
    return tmp_path


def test_instances_expected_answers_filters_and_shards(bench_dir):
    inst = bv.load_instances(bench_dir)
    names = [t["instance"] for t in inst]
    # the CSV rows in order, blank line skipped, named as results.json names them
    assert names == ["acasxu/N_1.onnx prop_1.vnnlib", "acasxu/N_1.onnx prop_2.vnnlib",
                     "acasxu/N_2.onnx prop_1.vnnlib", "test/t.onnx t.vnnlib", "test/u.onnx t.vnnlib"]
    assert inst[0]["vnncomp_timeout"] == 116
    exp = bv.load_expected(bench_dir)
    assert exp["acasxu/N_1.onnx prop_2.vnnlib"] == {"expected": "disputed", "votes": {"holds": 3, "violated": 2}}
    assert [t["instance"] for t in bv.load_instances(bench_dir, "test")] == names[3:]
    # --limit counts per benchmark; --match and --expected filter first
    assert [t["instance"] for t in bv.select(inst, exp, limit=1)] == [names[0], names[3]]
    assert [t["instance"] for t in bv.select(inst, exp, match=r"N_1.* prop_2")] == [names[1]]
    assert [t["instance"] for t in bv.select(inst, exp, want="sat")] == [names[2]]
    # shards: every M-th from the K-th, disjoint, together all of them
    parts = [bv.shard(names, f"{k}/3") for k in (1, 2, 3)]
    assert parts == [[names[0], names[3]], [names[1], names[4]], [names[2]]]
    for bad in ("0/2", "3/2", "1-2", "a/b"):
        with pytest.raises(ValueError):
            bv.shard(names, bad)


def test_missing_instance_list_is_one_clear_error(tmp_path):
    (tmp_path / "mnistfc").mkdir()
    with pytest.raises(bv.BenchError, match="no \\*_instances.csv"):
        bv.load_instances(tmp_path, "mnistfc")


def test_wrong_only_when_a_definite_answer_contradicts_an_agreed_one():
    assert bv.wrong("sat", "unsat") is True and bv.wrong("unsat", "sat") is True
    assert bv.wrong("unsat", "unsat") is False
    assert bv.wrong("timeout", "unsat") is None and bv.wrong("error", "sat") is None
    assert bv.wrong("sat", "disputed") is None and bv.wrong("unsat", None) is None


def test_result_file_status_and_point():
    status, point = bv.parse_result("sat\n((X_0 -0.25)\n (X_1 3)\n (Y_0 1e-3))\n")
    assert status == "sat" and point == {"X": {0: "-0.25", 1: "3"}, "Y": {0: "1e-3"}}
    assert bv._values(point["X"]) == ["-0.25", "3"]
    assert bv._values({0: "1", 2: "2"}) is None                # X_1 missing: no point
    assert bv.parse_result("unsat\n") == ("unsat", {"X": {}, "Y": {}})
    assert bv.parse_result("")[0] == ""


def _rec(name, expected, e, m, budget=10):
    """A fake record: e and m are (answer, cpu, extra) for exactmem and Marabou."""
    r = {"benchmark": "acasxu", "onnx": f"{name}.onnx", "vnnlib": "p.vnnlib",
         "instance": f"acasxu/{name}.onnx p.vnnlib", "budget": budget, "expected": expected, "votes": {"holds": 1, "violated": 1} if expected == "disputed" else {}}
    for tool, (answer, cpu, extra) in (("exactmem", e), ("marabou", m)):
        r[tool] = dict(answer=answer, cpu=cpu, wall=cpu, wrong=bv.wrong(answer, expected), **extra)
    return r


def _records():
    proved, unproved = {"cert": {"proved": True}}, {"cert": {"proved": False}}
    return [_rec("A", "unsat", ("unsat", 2, proved), ("unsat", 1, {})),
            _rec("B", "sat", ("sat", 4, {"replay": True}), ("sat", 3, {"replay": False})),
            _rec("C", "unsat", ("timeout", 10, {}), ("unsat", 5, {})),
            _rec("D", "unsat", ("sat", 6, {"replay": True}), ("timeout", 9, {})),
            _rec("E", "disputed", ("unsat", 8, unproved), ("error", 0.5, {"message": "boom"}))]


def test_summary_counts_medians_and_lists(tmp_path):
    text = bv.summarize(_records())
    row = next(line for line in text.splitlines() if line.startswith("| acasxu |"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    # expected: B sat; A, C, D unsat; E disputed.  exactmem decided A, B, D, E: sat B, D; unsat A, E; wrong D;
    # certificates: A proved, E not; points B, D replay; median of 2, 4, inf, 6, 8 = 6.
    # Marabou decided A, B, C: sat B, unsat A, C; error E; B's point fails; median of 1, 3, 5, inf, inf = 5.
    assert cells == ["acasxu", "5", "1/3/1", "4 (2/2)", "1", "0", "1/2", "2/2", "6.0 s",
                     "3 (1/2)", "0", "1", "0/1", "5.0 s", "1.20"]
    # both decided A and B: medians (2 + 4)/2 = 3 and (1 + 3)/2 = 2
    assert "Decided by both: 2 instances, median 3.0 s (exactmem) and 2.0 s (Marabou), ratio 1.50; " \
           "the two answers differ on 0." in text
    assert "| acasxu E p | holds 1, violated 1 | unsat (8.0 s), certificate NOT proved | error (0.5 s) |" in text
    assert "* acasxu D p: exactmem says sat, expected unsat" in text
    assert "* acasxu E p: marabou: boom" in text


def test_summary_undecided_median_and_budgets_apart():
    recs = [_rec("A", "unsat", ("timeout", 10, {}), ("unsat", 1, {})),
            _rec("B", "unsat", ("unknown", 3, {}), ("unsat", 2, {})),
            _rec("A", "unsat", ("unsat", 7, {"cert": {"proved": True}}), ("unsat", 1, {}), budget=20)]
    text = bv.summarize(recs)
    assert "budget 10 s per instance" in text and "budget 20 s per instance" in text
    first = text.split("budget 20 s")[0]
    row = next(line for line in first.splitlines() if line.startswith("| acasxu |"))
    assert "| > 10 s |" in row and row.endswith("| — |")       # nothing decided: no median, no ratio


def test_records_last_line_wins_and_bad_lines_are_skipped(tmp_path, capsys):
    f = tmp_path / "r.jsonl"
    a, b = _records()[:2]
    bv.append(f, a)
    bv.append(f, b)
    with open(f, "a") as fh:
        fh.write("{not json\n")
    a2 = dict(a, exactmem=dict(a["exactmem"], cpu=99))
    bv.append(f, a2)
    recs = bv.read_records(f)
    assert len(recs) == 2 and next(r for r in recs if r["instance"] == a["instance"])["exactmem"]["cpu"] == 99
    assert "r.jsonl:3: not a JSON line" in capsys.readouterr().err


def test_replay_reads_the_point_exactly(tmp_path):
    from exactmem import ReLUNet
    net = tmp_path / "abs.json"
    ReLUNet([([[1], [-1]], [0, 0]), ([[1, 1]], [0])]).save(net)       # y = |x|
    box = "(declare-const X_0 Real) (declare-const Y_0 Real) (assert (>= X_0 -1)) (assert (<= X_0 1))"
    ge, gt = tmp_path / "ge.vnnlib", tmp_path / "gt.vnnlib"
    ge.write_text(box + " (assert (>= Y_0 0.5))")                    # sat where |x| >= 1/2
    gt.write_text(box + " (assert (> Y_0 0.5))")                     # sat where |x| > 1/2
    assert bv.replay(net, ge, ["-0.75"]) == (True, "")
    assert bv.replay(net, ge, [0.5]) == (True, "")                    # |0.5| = 1/2 exactly: on the boundary
    assert bv.replay(net, gt, [0.5])[0] is False                      # ... which the strict form excludes
    assert bv.replay(net, ge, ["0.25"]) == (False, "the network's exact outputs there meet the property's goal")
    assert bv.replay(net, ge, ["1.0000001"]) == (False, "the point is outside the property's input set")
    assert bv.replay(net, ge, None) == (None, "no point")
    assert bv.replay(tmp_path / "missing.json", ge, ["0"])[0] is None


def test_run_timed_measures_cpu_and_kills_at_the_limit():
    busy = bv.run_timed([sys.executable, "-c", "import time\nt = time.process_time()\n"
                         "while time.process_time() - t < 0.3: pass\nprint('done')"], 20)
    assert busy["exit"] == 0 and not busy["killed"] and busy["stdout"].strip() == "done"
    assert busy["cpu"] >= 0.3 and busy["wall"] >= 0.3                # the child's own CPU time, from wait4
    slow = bv.run_timed([sys.executable, "-c", "import time; time.sleep(30)"], 0.5)
    assert slow["killed"] and slow["exit"] == -9 and slow["wall"] < 10


def test_command_line_refuses_bad_options_and_help_runs_nothing(tmp_path, capsys):
    with pytest.raises(SystemExit) as e:
        bv.main(["--help"])
    assert e.value.code == 0 and "--shard K/M" in capsys.readouterr().out
    assert bv.main(["--summarize", str(tmp_path / "none.jsonl")]) == 2
    assert bv.main(["--dir", str(tmp_path), "--shard", "3/2"]) == 2
    assert bv.main(["--dir", str(tmp_path / "nowhere")]) == 2
    assert bv.main(["--dir", str(tmp_path), "--match", "("]) == 2
    err = capsys.readouterr().err
    assert "--shard must be K/M" in err and "no folder" in err and "--match" in err
