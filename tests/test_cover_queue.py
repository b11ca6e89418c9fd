"""Issue 24: the region engine's branch and bound (``cover.search``, the finder of region-cover certificates) as a
work-queue over workers (``exactmem.analysis.cover_queue``): the same tree whatever runs it, the serial
search's verdict, exact counterexamples, a lost worker, ``-j`` reaching it through ``vnnlib``, and checkpoint and
resume (interrupted after some rounds, resumed: the uninterrupted run's tree, no region explored twice).

The instances are small random networks on [-1, 1]^2 (d = 2, one or two hidden layers of 4 to 8 units, integer
weights) with the goal f(x) > t.  The answer is known without the region engine: z3 (exact real arithmetic,
``tests/z3_oracle.py``) gives the exact minimum of f on the box, so the goal holds exactly when that minimum
exceeds t; for a refutation, t lies above the smallest value of f on a 301 x 301 grid, and the kernel confirms
the failing grid point exactly.  The kernel checks every certificate made here."""
import json
import math
import random
from fractions import Fraction

import numpy as np
import pytest
import z3
import z3_oracle
from flint import fmpq

from exactmem import ReLUNet, kernel, parallel
from exactmem.analysis import cover, cover_queue, wire
from exactmem.analysis.ask import _atom, _doc, box
from exactmem.errors import OptionError, ParallelError

from dying import Counting, Dying, Interrupting, exact_decimal, interrupt_sends, same_on_dask

SMALL = {"batch": 2, "per_item": 1, "steps": 2}         # rounds of 2 regions, 2 regions each: many rounds


def _net(seed):
    rng = random.Random(seed)
    widths = [rng.randint(4, 8) for _ in range(rng.randint(1, 2))]
    layers, prev = [], 2
    for w in widths + [1]:
        layers.append(([[rng.randint(-4, 4) for _ in range(prev)] for _ in range(w)],
                       [rng.randint(-3, 3) for _ in range(w)]))
        prev = w
    return ReLUNet(layers)


def _grid(net, n=301):
    """The grid points of [-1, 1]^2 and f there (floats, only to choose t and a candidate point)."""
    ws, bs = net.to_numpy()
    g = np.stack(np.meshgrid(np.linspace(-1, 1, n), np.linspace(-1, 1, n)), -1).reshape(-1, 2)
    H = g
    for k, (W, b) in enumerate(zip(ws, bs)):
        H = H @ W.T + b.ravel()
        if k < len(ws) - 1:
            H = np.maximum(H, 0)
    return g, H.ravel()


def _instance(seed, frac=0.005, rows=None):
    """(network, document of f > t on the box, t): t = the grid's minimum less frac of f's range, in 1/1024."""
    net = _net(seed)
    _, v = _grid(net)
    t = Fraction(math.floor((v.min() - frac * (v.max() - v.min() + 1)) * 1024), 1024)
    doc = _doc(net, "f > t", [{"set": box([-1, -1], [1, 1], rows).spec, "goal": [[_atom([1], -t, True)]]}])
    return net, doc, t


def _z3_min(net):
    """The exact minimum of f on [-1, 1]^2 (z3)."""
    x = z3.Reals("x0 x1")
    return z3_oracle.optimum([c for v in x for c in (v >= -1, v <= 1)], z3_oracle.outputs(net, x)[0])


def _certificate(doc, tree):
    return kernel.sign({**doc, "hints": {"trees": [tree]}})


class _Recording(Counting):
    """The serial executor, counting the items of each round that carry the question's text."""

    def __init__(self):
        self.texts = []

    def map(self, fn, items):
        items = list(items)
        self.texts.append(sum("question" in it for it in items))
        return parallel.Serial().map(fn, items)


@pytest.fixture(scope="module")
def pool():
    with parallel.Pool(2) as ex:
        yield ex


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_the_tree_is_the_serial_search_s_whatever_runs_it_and_z3_agrees(seed, pool):
    net, doc, t = _instance(seed)
    holds = _z3_min(net) > fmpq(t.numerator, t.denominator)           # the answer, from z3 alone
    _, layers, qs = kernel.regions.questions(doc)
    serial = cover.search(layers, *qs[0])
    counting = Counting()
    one = cover_queue.search(doc, 0, counting, **SMALL)
    two = cover_queue.search(doc, 0, pool, **SMALL)
    assert one[0] == two[0] == serial[0] == ("proved" if holds else "refuted")
    assert holds                                                       # the grid's t is below the minimum here
    assert counting.rounds >= 3                                        # the queue did run in rounds
    assert len(one[1]) > 10
    assert json.dumps(one[1]) == json.dumps(two[1]) == json.dumps(serial[1])   # the same bytes, all three
    assert kernel.check(_certificate(doc, two[1])).is_proved          # and the kernel proves it


@pytest.mark.parametrize("seed", [4, 5])
def test_a_counterexample_comes_back_exact_and_the_kernel_confirms_it(seed, pool):
    net, doc, _ = _instance(seed, frac=-0.3)                           # t above the grid's minimum
    g, v = _grid(net)
    k = int(np.argmin(v))
    at = [fmpq(Fraction(float(c)).numerator, Fraction(float(c)).denominator) for c in g[k]]
    assert kernel.regions.refute(doc, 0, at).is_refuted                # a grid point fails: the answer is known
    for ex in (Counting(), pool):
        out = cover_queue.search(doc, 0, ex, **SMALL)
        assert out[0] == "refuted" and all(isinstance(c, fmpq) for c in out[1])
        assert kernel.regions.refute(doc, 0, out[1]).is_refuted      # the kernel confirms the exact point
    _, layers, qs = kernel.regions.questions(doc)
    assert cover.search(layers, *qs[0])[0] == "refuted"                # the serial search agrees


def test_default_rounds_and_several_questions():
    """Two questions in one document (the second a refutation): each its own tree or point, through the
    default rounds, with the document's text sent once to the executor."""
    _, doc, t = _instance(1)
    q2 = {**doc["data"]["questions"][0], "goal": [[_atom([1], -(t + 1000), True)]]}      # f > t + 1000: false
    doc2 = {**doc, "data": {**doc["data"], "questions": doc["data"]["questions"] + [q2]}}
    _, layers, qs = kernel.regions.questions(doc2)
    ex = _Recording()
    first = cover_queue.search(doc2, 0, ex)
    sent = len(ex.texts)
    second = cover_queue.search(doc2, 1, ex)
    assert json.dumps(first) == json.dumps(cover.search(layers, *qs[0]))
    assert second[0] == "refuted" and kernel.regions.refute(doc2, 1, second[1]).is_refuted
    # the items sent before a window's answers (16 items of the defaults) were taken, and no later one: with
    # the first search's items only, one or more, never the second's
    assert ex.texts == sorted(ex.texts, reverse=True) and 1 <= sum(ex.texts) < 2 * 16 and len(ex.texts) > sent
    assert sum(ex.texts[sent:]) == 0


class _Forgetting(Counting):
    """The serial executor as if every round ran on new workers: they have not seen the question."""

    def __init__(self):
        self.missing = 0

    def map(self, fn, items):
        cover_queue._CACHE.clear()
        for res in parallel.Serial().map(fn, items):
            self.missing += bool(res.get("missing"))
            yield res


def test_a_worker_that_has_not_seen_the_question_is_sent_it():
    doc = _instance(0)[1]
    with parallel.executor() as ex:
        want = cover_queue.search(doc, 0, ex, **SMALL)
    forgetting = _Forgetting()
    assert json.dumps(cover_queue.search(doc, 0, forgetting, **SMALL)) == json.dumps(want)
    assert forgetting.missing >= 2                          # answered "missing", then sent the text


def test_a_lost_worker_loses_nothing(pool, tmp_path):
    doc = _instance(2)[1]
    with parallel.executor() as ex:
        want = cover_queue.search(doc, 0, ex, **SMALL)
    restarts = pool.restarts
    dying = Dying(pool, str(tmp_path / "died"), cover_queue.expand_item)
    assert json.dumps(cover_queue.search(doc, 0, dying, **SMALL)) == json.dumps(want)
    assert pool.restarts == restarts + 1 and (tmp_path / "died").exists()


def test_the_queue_on_dask_gives_the_same_tree_and_survives_a_lost_worker(dask_client, tmp_path):
    """A Dask LocalCluster of 2 worker processes: the same tree, byte for byte, as in this process; then with a
    worker process killed mid-round (Dask reruns its item), the same tree again."""
    doc = _instance(3)[1]
    same_on_dask(dask_client, lambda ex: cover_queue.search(doc, 0, ex, **SMALL), cover_queue.expand_item, str(tmp_path / "died"))


def test_a_budget_stops_the_search_undecided():
    doc = _instance(0)[1]
    with parallel.executor() as ex:
        out = cover_queue.search(doc, 0, ex, budget=0, **SMALL)
    assert out[0] == "undecided" and out[1].startswith("budget of 0 s spent") and out[2] == 0


def test_a_worker_s_odd_answer_is_a_clear_error():
    class Odd(Counting):
        def map(self, fn, items):
            return iter([{"nothing": 1}] * len(items))
    with pytest.raises(ParallelError, match="not a part of the region tree"):
        cover_queue.search(_instance(0)[1], 0, Odd())


@pytest.mark.parametrize("kw, match", [({"batch": 0}, "batch must be a whole number >= 1"),
                                       ({"steps": 1.5}, "steps must be a whole number >= 1"),
                                       ({"per_item": True}, "per_item must be"),
                                       ({"budget": "10"}, "budget must be a number"),
                                       ({"q": 1}, "question 1 out of range"),
                                       ({"ex": parallel.Serial}, "executor must be an executor")])
def test_bad_arguments_are_option_errors(kw, match):
    args = {"q": 0, "ex": parallel.Serial(), **kw}
    with pytest.raises(OptionError, match=match):
        cover_queue.search(_instance(0)[1], args.pop("q"), args.pop("ex"), **args)


def test_the_memo_entry_travels_exactly():
    """cover.walk's memo entry of a split node, through plain data and back: the same proofs, the same floats."""
    d, layers, qs = kernel.regions.questions(_instance(0)[1])
    memo = {}
    assert cover.walk(layers, qs[0][0], [], d, memo)[0] == "split"
    proofs, P = memo[()]
    back = wire.memo(wire.memo_json((proofs, P)))
    assert back[0] == proofs and back[1].tobytes() == P.tobytes()
    parallel.check_work(cover_queue.expand_item, [{"nodes": [[[[0, 1, 1]], wire.memo_json((proofs, P))]]}])


def _files(tmp_path, seed=1):
    """The instance cut by x_0 + x_1 <= 1 (a linear input constraint: the linear-bounds finder declines it and
    the region engine decides) as a network file and a VNN-LIB property, unsat when the goal f > t holds."""
    net, _, t = _instance(seed, rows=[[-1, -1, 1]])
    (tmp_path / "net.json").write_text(json.dumps(net.to_json()))
    dec = exact_decimal(t)
    (tmp_path / "p.vnnlib").write_text(
        "(declare-const X_0 Real)\n(declare-const X_1 Real)\n(declare-const Y_0 Real)\n"
        "(assert (>= X_0 -1))\n(assert (<= X_0 1))\n(assert (>= X_1 -1))\n(assert (<= X_1 1))\n"
        "(assert (<= (+ X_0 X_1) 1))\n"
        f"(assert (<= Y_0 {dec}))\n")
    return str(tmp_path / "net.json"), str(tmp_path / "p.vnnlib")


def test_vnnlib_j2_runs_the_region_engine_on_the_queue(tmp_path, capsys, monkeypatch):
    """``exactmem vnnlib -j 2`` on a property the region engine decides: the serial run and the run on 2
    processes write the same certificate, and with -j 2 the parent never runs the serial ``cover.search``."""
    from exactmem.cli import main
    net, prop = _files(tmp_path)
    assert main(["vnnlib", net, prop, "--cert", str(tmp_path / "serial.json")]) == 0
    assert capsys.readouterr().out.startswith("unsat:")

    def serial_search(*a, **k):
        raise AssertionError("the serial region engine ran although -j 2 was given")
    monkeypatch.setattr(cover, "search", serial_search)
    assert main(["vnnlib", net, prop, "-j", "2", "--cert", str(tmp_path / "two.json")]) == 0
    assert capsys.readouterr().out.startswith("unsat:")
    assert (tmp_path / "two.json").read_text() == (tmp_path / "serial.json").read_text()
    assert main(["verify", str(tmp_path / "two.json")]) == 0               # the kernel, whole, agrees


def _explored(monkeypatch):
    """Record the path of every region ``cover.explore`` is asked for (in this process: the serial executors)."""
    seen, explore = [], cover.explore

    def counting(layers, S, goal, path, d, memo=None):
        seen.append(tuple(tuple(t) for t in path))
        return explore(layers, S, goal, path, d, memo)
    monkeypatch.setattr(cover, "explore", counting)
    return seen


@pytest.mark.parametrize("after", [1, 4])
def test_an_interrupted_search_resumes_with_the_same_tree_and_explores_no_region_twice(after, tmp_path, monkeypatch):
    """Ctrl-C after ``after`` rounds (``Interrupting``) writes the checkpoint; the resumed search ends with the
    uninterrupted one's tree, byte for byte (and so the same certificate), and the regions explored before and
    after the interruption are those of one uninterrupted run, none of them twice."""
    _, doc, _ = _instance(1)
    ck = str(tmp_path / "ck.json")
    seen = _explored(monkeypatch)
    whole = cover_queue.search(doc, 0, Counting(), **SMALL)
    assert whole[0] == "proved"
    everything, seen[:] = sorted(seen), []
    with pytest.raises(KeyboardInterrupt):
        cover_queue.search(doc, 0, Interrupting(after), checkpoint=ck, **SMALL)
    before, seen[:] = list(seen), []
    state = json.load(open(ck))
    assert state["format"] == cover_queue.FORMAT and state["open"] and len(state["tree"]) == len(before)
    assert state["flight"]                                              # items sent, not answered: sent again
    resumed = cover_queue.search(doc, 0, Counting(), resume=ck, **SMALL)
    assert json.dumps(resumed) == json.dumps(whole)
    assert json.dumps(_certificate(doc, resumed[1])) == json.dumps(_certificate(doc, whole[1]))
    assert not set(before) & set(seen)                                  # nothing explored again
    assert sorted(before + seen) == everything                          # and nothing missed
    assert kernel.check(_certificate(doc, resumed[1])).is_proved


def test_a_search_stopped_on_a_pool_with_items_in_flight_resumes_to_the_same_tree(pool, tmp_path, monkeypatch):
    """Ctrl-C as the sixth item goes out to a pool of 2, with items still out: the checkpoint records them, and
    the resumed search, which sends them again first, ends with the serial search's tree."""
    _, doc, _ = _instance(3)
    _, layers, qs = kernel.regions.questions(doc)
    ck = str(tmp_path / "ck.json")
    calls = interrupt_sends(monkeypatch, 6)
    with pytest.raises(KeyboardInterrupt):
        cover_queue.search(doc, 0, pool, checkpoint=ck, **SMALL)
    assert len(calls) == 6 and json.load(open(ck))["flight"]
    monkeypatch.undo()
    resumed = cover_queue.search(doc, 0, pool, resume=ck, **SMALL)
    assert resumed[0] == "proved" and json.dumps(resumed) == json.dumps(cover.search(layers, *qs[0]))


def test_a_budget_writes_the_checkpoint_and_resume_finishes():
    """A budget already spent stops the search before its first round, with the checkpoint of the root alone;
    resumed (by a pool of 2: the state holds no process's memory), the serial search's tree."""
    _, doc, _ = _instance(2)
    _, layers, qs = kernel.regions.questions(doc)
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        ck = tmp + "/ck.json"
        out = cover_queue.search(doc, 0, Counting(), budget=0, checkpoint=ck, **SMALL)
        assert out[0] == "undecided" and "budget" in out[1]
        assert json.load(open(ck))["open"] == [[[], None]]
        with parallel.Pool(1) as one:
            resumed = cover_queue.search(doc, 0, one, resume=ck, **SMALL)
    assert json.dumps(resumed) == json.dumps(cover.search(layers, *qs[0]))


def test_a_checkpoint_of_another_question_or_search_is_refused(tmp_path):
    _, doc, _ = _instance(1)
    ck = str(tmp_path / "ck.json")
    with pytest.raises(KeyboardInterrupt):
        cover_queue.search(doc, 0, Interrupting(2), checkpoint=ck, **SMALL)
    with pytest.raises(OptionError, match="another network, set or goal"):
        cover_queue.search(_instance(2)[1], 0, Counting(), resume=ck, **SMALL)
    two = {**doc, "data": {**doc["data"], "questions": doc["data"]["questions"] * 2}}
    with pytest.raises(OptionError, match="another network, set or goal"):   # the digest is the document's
        cover_queue.search(two, 1, Counting(), resume=ck, **SMALL)
    from exactmem.analysis import checkpoint
    checkpoint.write(str(tmp_path / "bab.json"), {"format": checkpoint.BAB})
    (tmp_path / "text.json").write_text("not json")
    for path, match in (("bab.json", "not an exactmem region-engine checkpoint \\(it is a linear-bounds one\\)"),
                        ("text.json", "not a checkpoint \\(not JSON\\)"), ("none.json", "cannot read it")):
        with pytest.raises(OptionError, match=match):
            cover_queue.search(doc, 0, Counting(), resume=str(tmp_path / path), **SMALL)
    state = json.load(open(ck))
    state["memos"] = [[[], {"shape": [2], "f8": "!!"}]]                  # damaged: a clear error, not a traceback
    json.dump(state, open(ck, "w"))
    with pytest.raises(OptionError, match="malformed"):
        cover_queue.search(doc, 0, Counting(), resume=ck, **SMALL)


def _two_questions(seed=1):
    """Two questions on the box cut by x_0 + x_1 <= 1 (the linear-bounds finder declines cut sets: the region
    engine decides both): f > t and f > t - 1, both true when the first is."""
    _, doc, t = _instance(seed, rows=[[-1, -1, 1]])
    q = doc["data"]["questions"][0]
    q2 = {**q, "goal": [[_atom([1], -(t - 1), True)]]}
    return {**doc, "data": {**doc["data"], "questions": [q, q2]}}


def test_a_resumed_decision_skips_the_questions_it_had_finished(tmp_path, monkeypatch):
    """``decide._decide`` with a checkpoint, interrupted in its second question: the checkpoint holds the first
    question's tree, and the resumed run explores only what was left of the second; the certificate is the
    uninterrupted run's, byte for byte, and the kernel proves it."""
    import functools

    from exactmem.analysis import decide
    doc, ck = _two_questions(), str(tmp_path / "ck.json")
    monkeypatch.setattr(cover_queue, "search", functools.partial(cover_queue.search, **SMALL))   # many rounds
    seen = _explored(monkeypatch)
    v, whole = decide._decide(doc, None, "regions")                    # the serial cover.search
    assert v.is_proved
    everything, seen[:] = len(seen), []
    rounds = Counting()
    cover_queue.search(doc, 0, rounds)                                  # the first question's rounds
    seen[:] = []
    with pytest.raises(KeyboardInterrupt):
        decide._decide(doc, None, "regions", (Interrupting(rounds.rounds + 2), ck, None))
    before, seen[:] = len(seen), []
    state = json.load(open(ck))
    assert state["q"] == 1 and state["done"] == [whole["hints"]["trees"][0]]
    v2, again = decide._decide(doc, None, "regions", (None, None, ck))
    assert v2.is_proved and json.dumps(again) == json.dumps(whole)
    assert before + len(seen) == everything                             # no region of either question twice
    assert len(seen) < len(whole["hints"]["trees"][1])                  # the first question was not searched


def test_vnnlib_checkpoint_and_resume_of_the_region_engine(tmp_path, capsys, monkeypatch):
    """``exactmem vnnlib --checkpoint`` on a property only the region engine decides, interrupted (Ctrl-C as it
    sends its third work item): exit 130 and where the search is; ``--resume`` writes the uninterrupted run's certificate; a
    checkpoint of another property is refused in one line."""
    from exactmem.cli import main
    net, prop = _files(tmp_path)
    assert main(["vnnlib", net, prop, "--cert", str(tmp_path / "whole.json")]) == 0
    capsys.readouterr()
    calls = interrupt_sends(monkeypatch, 3)
    monkeypatch.setattr(cover_queue, "search", __import__("functools").partial(cover_queue.search, batch=1, steps=1))
    ck = str(tmp_path / "ck.json")
    assert main(["vnnlib", net, prop, "--checkpoint", ck]) == 130
    assert f"the search so far is in {ck} (continue with --resume {ck})" in capsys.readouterr().err
    assert calls == [cover_queue.expand_item] * 3 and json.load(open(ck))["format"] == cover_queue.FORMAT
    assert main(["vnnlib", net, prop, "--resume", ck, "--cert", str(tmp_path / "resumed.json")]) == 0
    assert capsys.readouterr().out.startswith("unsat:")
    assert (tmp_path / "resumed.json").read_text() == (tmp_path / "whole.json").read_text()
    other = tmp_path / "other"
    other.mkdir()
    net2, prop2 = _files(other, seed=2)
    assert main(["vnnlib", net2, prop2, "--resume", ck]) == 2
    err = capsys.readouterr().err
    assert err == f"exactmem: error: --resume {ck}: the checkpoint is of another network, set or goal\n"
