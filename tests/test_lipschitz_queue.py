"""Issue 24: the exact Lipschitz constant's branch and bound as a work-queue over workers
(``exactmem.lipschitz.queue``): the same certificate whatever runs it, the serial loop's constant, a lost worker,
checkpoint and resume (interrupted after some rounds, resumed: the uninterrupted run's certificate, byte for
byte, and no node walked twice).

The instances are small random networks (d = 2 or 3 inputs, one or two hidden layers of 6 to 12 units, weights
k/4) on the box [-1, 1]^d.  The expected constant is derived without the branch and bound: a fine grid of the box
(601^2 points for d = 2, 161^3 for d = 3) gives the activation patterns of the regions it meets, and the exact
Jacobian of each pattern (products of the weights with the pattern's 0/1 diagonals, in rationals) gives its norm.
Every grid point with no pre-activation near 0 lies in a region with interior in the box, so the largest of
these norms is at most the constant; on these instances the grid meets the steepest region, and the constant is
that norm exactly (a coarser 81^3 grid misses it for seed 3: the comparison can fail).  On R^d and a ball the
constant is the serial loop's (``lipschitz_constant`` without an executor).  Nothing here trusts the finder: the
kernel checks every certificate again."""
import json
import random

import numpy as np
import pytest
from flint import fmpq, fmpq_mat

from exactmem import ReLUNet, ball, box, kernel, parallel
from exactmem.errors import OptionError
from exactmem.lipschitz import lipschitz_constant, queue

from dying import Counting, Dying, Interrupting, interrupt_sends

SMALL = {"batch": 2, "per_item": 1, "steps": 2}     # rounds of 2 nodes, 2 walks each: many rounds


def _net(seed, d, widths, m=1):
    rng = random.Random(seed)
    layers, prev = [], d
    for k, w in enumerate(widths + [m]):
        W = [[fmpq(rng.randint(-8, 8), 4) for _ in range(prev)] for _ in range(w)]
        b = [fmpq(rng.randint(-4, 4), 4) if k < len(widths) else fmpq(0) for _ in range(w)]
        layers.append((W, b))
        prev = w
    return ReLUNet(layers)


def _norm(J, p):
    """||J|| as the kernel measures it: one output, the gradient's dual norm (squared for p = 2); several
    outputs and p = inf, the largest row sum of |J|."""
    if len(J) == 1:
        g = J[0]
        return sum((t * t for t in g), fmpq(0)) if p == 2 else sum(map(abs, g), fmpq(0)) if p == "inf" else \
            max(map(abs, g))
    assert p == "inf"
    return max(sum(map(abs, r), fmpq(0)) for r in J)


def _grid_constant(net, d, p, n):
    """The largest exact Jacobian norm over the activation patterns met by the grid of n^d points of [-1, 1]^d."""
    ws, bs = net.to_numpy()                    # floats only to find the patterns; the norms are exact
    axes, patterns = np.linspace(-1, 1, n), set()
    for x0 in axes:                            # one slice x_0 = const at a time
        X = np.stack(np.meshgrid(*[axes] * (d - 1)), -1).reshape(-1, d - 1)
        H = np.hstack([np.full((len(X), 1), x0), X])
        masks, ok = [], np.ones(len(H), dtype=bool)
        for W, b in zip(ws[:-1], bs[:-1]):
            Z = H @ W.T + b
            ok &= np.all(np.abs(Z) > 1e-9, axis=1)
            masks.append(Z > 0)
            H = np.maximum(Z, 0)
        M = np.concatenate(masks, axis=1)[ok]
        patterns.update(np.unique(M @ (1 << np.arange(M.shape[1], dtype=np.int64))).tolist())   # as bit codes
    best, widths = None, [len(b) for b in bs[:-1]]
    for code in sorted(patterns):
        J, at = None, 0
        row = [(code >> i) & 1 for i in range(sum(widths))]
        for (W, _), w in zip(net.layers[:-1], widths):
            D = fmpq_mat(w, w)
            for i in range(w):
                D[i, i] = int(row[at + i])
            at += w
            J = D * W if J is None else D * W * J
        J = net.layers[-1][0] * J
        v = _norm([[J[i, j] for j in range(d)] for i in range(J.nrows())], p)
        best = v if best is None or v > best else best
    return best


@pytest.fixture(scope="module")
def pool():
    with parallel.Pool(2) as ex:
        yield ex


CASES = [(1, 2, [8], 2, 1), (2, 2, [6, 6], "inf", 1), (3, 3, [10], 2, 1), (4, 3, [12], 1, 1),
         (5, 2, [8, 6], "inf", 2), (6, 3, [6, 8], 2, 1)]


@pytest.mark.parametrize("seed, d, widths, p, m", CASES)
def test_the_certificate_is_the_same_whatever_runs_it_and_the_constant_is_the_grids(seed, d, widths, p, m, pool):
    net, S = _net(seed, d, widths, m), box([-1] * d, [1] * d)
    counting = Counting()
    one = queue.search(net, p, S, None, counting, **SMALL)
    two = queue.search(net, p, S, None, pool, **SMALL)
    assert counting.rounds >= 3                                        # the queue did run in rounds
    assert json.dumps(two.certificate) == json.dumps(one.certificate)  # the same bytes on 1 and 2 processes
    assert two.regions == one.regions
    serial = lipschitz_constant(net, p, S)                             # the serial loop (its tree may differ)
    for L in (one, serial):
        assert L.is_exact and kernel.check(L.certificate).is_proved    # the kernel proves each, again
    assert (one.lower, one.upper, one.lower_sq, one.upper_sq) == (serial.lower, serial.upper, serial.lower_sq,
                                                                  serial.upper_sq)
    want = _grid_constant(net, d, p, 601 if d == 2 else 161)
    assert (one.upper_sq if p == 2 else one.upper) == want
    with parallel.executor() as ex:                                    # the default rounds, through the API
        a = lipschitz_constant(net, p, S, executor=ex)
    b = lipschitz_constant(net, p, S, executor=pool)
    assert json.dumps(a.certificate) == json.dumps(b.certificate) and a.is_exact
    assert (a.upper_sq if p == 2 else a.upper) == want


@pytest.mark.parametrize("where", ["all", "ball"])
def test_on_all_of_rd_and_a_ball_the_queue_gives_the_serial_loops_constant(where, pool):
    net = _net(7, 2, [10, 6])
    S = None if where == "all" else ball([fmpq(1, 3), 0], fmpq(3, 2))
    serial = lipschitz_constant(net, 2, S)
    one = queue.search(net, 2, S, None, parallel.Serial(), **SMALL)
    two = queue.search(net, 2, S, None, pool, **SMALL)
    assert json.dumps(two.certificate) == json.dumps(one.certificate)
    assert serial.is_exact and one.is_exact and kernel.check(one.certificate).is_proved
    assert (one.lower_sq, one.upper_sq) == (serial.lower_sq, serial.upper_sq)


def test_a_lost_worker_loses_nothing(pool, tmp_path):
    net, S = _net(3, 3, [10]), box([-1] * 3, [1] * 3)
    want = queue.search(net, 2, S, None, parallel.Serial(), **SMALL)
    restarts = pool.restarts
    got = queue.search(net, 2, S, None, Dying(pool, str(tmp_path / "died"), queue.expand_item), **SMALL)
    assert json.dumps(got.certificate) == json.dumps(want.certificate)
    assert pool.restarts == restarts + 1 and (tmp_path / "died").exists()


def test_the_queue_on_dask_gives_the_same_certificate(dask_client, tmp_path):
    net, S = _net(2, 2, [6, 6]), box([-1, -1], [1, 1])
    want = queue.search(net, "inf", S, None, parallel.Serial(), **SMALL)
    dk = parallel.executor(scheduler=dask_client)
    assert dk.name == "dask"
    assert json.dumps(queue.search(net, "inf", S, None, dk, **SMALL).certificate) == json.dumps(want.certificate)
    got = queue.search(net, "inf", S, None, Dying(dk, str(tmp_path / "died"), queue.expand_item), **SMALL)
    assert json.dumps(got.certificate) == json.dumps(want.certificate)
    assert (tmp_path / "died").exists()                                # a worker did die on the way


def test_a_budget_stops_with_a_certified_interval():
    """A budget already spent after the first round (the root is always walked): the open nodes count with
    their interval bounds, the kernel proves the interval, and it holds the constant."""
    net, S = _net(6, 3, [6, 8]), box([-1] * 3, [1] * 3)
    with parallel.executor() as ex:
        L = lipschitz_constant(net, 2, S, budget=1e-9, executor=ex)
    want = lipschitz_constant(net, 2, S).upper_sq
    assert L.stopped and "budget" in L.stopped and L.verdict.is_proved
    assert L.lower_sq <= want <= L.upper_sq and L.lower_sq < L.upper_sq


@pytest.mark.parametrize("bad", [2, "auto", parallel.Pool, object()])
def test_a_bad_executor_is_a_clear_error(bad):
    with pytest.raises(OptionError, match="executor must be an executor of exactmem.parallel"):
        lipschitz_constant(_net(1, 2, [8]), 2, box([-1, -1], [1, 1]), executor=bad)
    with pytest.raises(OptionError, match="batch, per_item and steps"):
        queue.search(_net(1, 2, [8]), 2, None, None, parallel.Serial(), batch=0)


def test_lipschitz_on_the_command_line_with_workers(tmp_path, capsys):
    from exactmem.cli import main
    net = _net(3, 3, [10])
    (tmp_path / "net.json").write_text(json.dumps(net.to_json()))
    args = ["lipschitz", str(tmp_path / "net.json"), "--box=-1:1,-1:1,-1:1"]
    assert main(args) == 0
    serial = capsys.readouterr().out.splitlines()[0]
    assert main(args + ["-j", "2", "--out", str(tmp_path / "c.json")]) == 0
    out = capsys.readouterr().out.splitlines()[0]
    assert out.startswith("PROVED:") and out.rsplit("(", 1)[0] == serial.rsplit("(", 1)[0]   # the regions may differ
    assert main(["verify", str(tmp_path / "c.json")]) == 0                  # the kernel, from the file, agrees
    assert main(args + ["-j", "0"]) == 2
    assert "-j/jobs" in capsys.readouterr().err


def _walked(monkeypatch):
    """Record the path of every node ``cover.walk`` is asked for (in this process: the serial executors)."""
    from exactmem.analysis import cover
    seen, walk = [], cover.walk

    def counting(layers, S, path, d, memo=None, *a, **k):
        seen.append(tuple(tuple(t) for t in path))
        return walk(layers, S, path, d, memo, *a, **k)
    monkeypatch.setattr(cover, "walk", counting)
    return seen


@pytest.mark.parametrize("seed, d, widths, p, m, after", [(5, 2, [8, 6], "inf", 2, 3), (6, 3, [6, 8], 2, 1, 1),
                                                          (6, 3, [6, 8], 2, 1, 20)])
def test_an_interrupted_search_resumes_with_the_same_certificate_and_walks_no_node_twice(
        seed, d, widths, p, m, after, tmp_path, monkeypatch):
    """Ctrl-C after ``after`` rounds (``Interrupting``) writes the checkpoint; the resumed search (in this process,
    or on a pool of 2 for the first case) ends with the uninterrupted one's certificate, byte for byte, and the
    nodes walked before and after the interruption are those of one uninterrupted run, none of them twice."""
    net, S, ck = _net(seed, d, widths, m), box([-1] * d, [1] * d), str(tmp_path / "ck.json")
    seen = _walked(monkeypatch)
    whole = queue.search(net, p, S, None, Counting(), **SMALL)
    everything, seen[:] = sorted(seen), []
    with pytest.raises(KeyboardInterrupt):
        queue.search(net, p, S, None, Interrupting(after), checkpoint=ck, **SMALL)
    before, seen[:] = list(seen), []
    state = json.load(open(ck))
    assert state["format"] == queue.FORMAT and state["open"] and state["regions"] == len(before)
    assert state["flight"]                                              # items sent, not answered: sent again
    if after == 3:
        with parallel.Pool(2) as two:
            resumed = queue.search(net, p, S, None, two, resume=ck, **SMALL)
        assert not seen                                                 # the walks ran in the workers
        seen = [n for n in everything if n not in set(before)]
    else:
        resumed = queue.search(net, p, S, None, Counting(), resume=ck, **SMALL)
    assert json.dumps(resumed.certificate) == json.dumps(whole.certificate)
    assert resumed.regions == whole.regions and resumed.is_exact
    assert not set(before) & set(seen)                                  # nothing walked again
    assert sorted(before + seen) == everything                          # and nothing missed
    assert kernel.check(resumed.certificate).is_proved


def test_a_search_stopped_on_a_pool_with_items_in_flight_resumes_to_the_same_bytes(pool, tmp_path, monkeypatch):
    """Ctrl-C as the sixth item goes out to a pool of 2, with items still out (computed or not): the checkpoint
    records them, and the resumed search, which sends them again first, ends with the uninterrupted certificate."""
    net, S, ck = _net(5, 2, [8, 6], 2), box([-1, -1], [1, 1]), str(tmp_path / "ck.json")
    whole = queue.search(net, "inf", S, None, pool, **SMALL)
    calls = interrupt_sends(monkeypatch, 6)
    with pytest.raises(KeyboardInterrupt):
        queue.search(net, "inf", S, None, pool, checkpoint=ck, **SMALL)
    assert len(calls) == 6 and json.load(open(ck))["flight"]
    monkeypatch.undo()
    resumed = queue.search(net, "inf", S, None, pool, resume=ck, **SMALL)
    assert json.dumps(resumed.certificate) == json.dumps(whole.certificate) and resumed.is_exact


def test_a_budget_writes_the_checkpoint_and_resume_decides(tmp_path, monkeypatch):
    """A budget spent after the first round (the root is always walked) stops with a certified interval and
    the checkpoint; resumed without a budget, the search walks the root no more and ends with the constant
    of an uninterrupted run (its tree may differ: with a budget the rounds depend on timing)."""
    net, S, ck = _net(6, 3, [6, 8]), box([-1] * 3, [1] * 3), str(tmp_path / "ck.json")
    stopped = lipschitz_constant(net, 2, S, budget=1e-9, checkpoint=ck)
    assert stopped.stopped and "budget" in stopped.stopped and stopped.verdict.is_proved
    seen = _walked(monkeypatch)
    L = lipschitz_constant(net, 2, S, resume=ck)
    assert seen and () not in seen                                      # the walks went on below the root
    want = lipschitz_constant(net, 2, S)
    assert L.is_exact and kernel.check(L.certificate).is_proved
    assert (L.lower_sq, L.upper_sq) == (want.lower_sq, want.upper_sq)
    assert stopped.lower_sq <= L.upper_sq <= stopped.upper_sq


def test_a_checkpoint_of_another_question_or_search_is_refused(tmp_path):
    net, S, ck = _net(1, 2, [8]), box([-1, -1], [1, 1]), str(tmp_path / "ck.json")
    with pytest.raises(KeyboardInterrupt):
        queue.search(net, 2, S, None, Interrupting(2), checkpoint=ck, **SMALL)
    for other in ((_net(2, 2, [8]), 2, S), (net, "inf", S), (net, 2, box([-1, -1], [1, 2]))):
        with pytest.raises(OptionError, match="another network, set or norm"):
            queue.search(*other, None, Counting(), resume=ck, **SMALL)
    from exactmem.analysis import checkpoint
    checkpoint.write(str(tmp_path / "regions.json"), {"format": checkpoint.REGIONS})
    with pytest.raises(OptionError, match="not an exactmem Lipschitz checkpoint \\(it is a region-engine one\\)"):
        queue.search(net, 2, S, None, Counting(), resume=str(tmp_path / "regions.json"), **SMALL)
    state = json.load(open(ck))
    state["open"][0][0] = state["count"]                                # damaged: a clear error, not a traceback
    json.dump(state, open(ck, "w"))
    with pytest.raises(OptionError, match="malformed"):
        queue.search(net, 2, S, None, Counting(), resume=ck, **SMALL)


def test_lipschitz_checkpoint_and_resume_on_the_command_line(tmp_path, capsys, monkeypatch):
    """``exactmem lipschitz --checkpoint``, interrupted (Ctrl-C as it sends its third work item): exit 130 and where
    the search is; ``--resume`` writes the certificate of an uninterrupted run with --checkpoint, byte for byte; a checkpoint
    of another box is refused in one line, and one of the region engine by ``exactmem robust``."""
    from exactmem.cli import main
    (tmp_path / "net.json").write_text(json.dumps(_net(6, 3, [6, 8]).to_json()))
    args, ck = ["lipschitz", str(tmp_path / "net.json"), "--box=-1:1,-1:1,-1:1"], str(tmp_path / "ck.json")
    monkeypatch.setattr(queue, "search", __import__("functools").partial(queue.search, batch=2, steps=2))
    assert main(args + ["--checkpoint", str(tmp_path / "full.json"), "--out", str(tmp_path / "whole.json")]) == 0
    capsys.readouterr()
    calls = interrupt_sends(monkeypatch, 3)
    assert main(args + ["--checkpoint", ck]) == 130 and calls == [queue.expand_item] * 3
    assert f"the search so far is in {ck} (continue with --resume {ck})" in capsys.readouterr().err
    assert main(args + ["--resume", ck, "--out", str(tmp_path / "resumed.json")]) == 0
    assert capsys.readouterr().out.startswith("PROVED:")
    assert (tmp_path / "resumed.json").read_text() == (tmp_path / "whole.json").read_text()
    assert main(args[:2] + ["--box=-1:1,-1:1,-1:2", "--resume", ck]) == 2
    assert capsys.readouterr().err == f"exactmem: error: --resume {ck}: the checkpoint is of another network, set " \
                                      f"or norm\n"
    (tmp_path / "data.csv").write_text("0,0,0,1\n1,1,1,2\n")
    assert main(["robust", str(tmp_path / "net.json"), str(tmp_path / "data.csv"), "--rho", "1/2", "--resume",
                 ck]) == 2
    assert "not an exactmem linear-bounds or region-engine checkpoint (it is a Lipschitz one)" in \
        capsys.readouterr().err
