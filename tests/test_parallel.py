"""Issue 24: the execution layer (serial, local pool, Dask) and the kernel's check in shares.

Every expected value here is the serial, whole check of the same certificate by the kernel: a check in
shares must give that verdict (status, reason, details) for any number of shares and on any executor, and
the reports that come back from workers must be the same bytes whatever ran them.  Workers are killed on
purpose (SIGKILL, as the out-of-memory killer would) to show that a lost worker changes nothing.
"""
import json
import os
import random
import re
import signal

import pytest
from flint import fmpq

from exactmem import Dataset, ReLUNet, kernel, memorize, parallel
from exactmem.analysis import cover
from exactmem.analysis.ask import box
from exactmem.balls import Balls
from exactmem.certify import check as certify_check
from exactmem.certify import parallel as cpar
from exactmem.certify.records import Certificate
from exactmem.cli import main
from exactmem.errors import CertificateError, OptionError, ParallelError
from exactmem.lipschitz import lipschitz_constant

NO_DASK = "Dask is not installed (pip install 'exactmem[distributed]'); the local pool is tested without it"


def _resign(doc, **changes):
    body = {k: v for k, v in doc.items() if k != "digest"}
    body.update(changes)
    return kernel.sign(body)


def _rnd(rng, a, b):
    return [[rng.randint(-4, 4) for _ in range(a)] for _ in range(b)]


@pytest.fixture(scope="module")
def certs():
    """Small certificates of every kind that is checked in shares, each with several balls or leaves."""
    rng = random.Random(3)
    out = {}
    D = Dataset([[0], [3], [5], [7], [9], [12], [14]], [1, 2, 1, 2, 1, 2, 1])
    out["robust"] = memorize(D, "1/10000")[1].to_json()
    out["moderate"] = memorize(Dataset([[0, 0], [3, 1], [5, 4], [1, 7], [8, 2]], [1, 2, 1, 2, 1]), "1/10",
                               eta="1/100")[1].to_json()
    f = ReLUNet([(_rnd(rng, 2, 6), [rng.randint(-2, 2) for _ in range(6)]),
                 (_rnd(rng, 6, 5), [rng.randint(-2, 2) for _ in range(5)]), (_rnd(rng, 5, 1), [0])])
    out["lipschitz"] = lipschitz_constant(f, 2, box([-1, -1], [1, 1])).certificate
    g = ReLUNet([(_rnd(rng, 2, 6), [rng.randint(-2, 2) for _ in range(6)]), (_rnd(rng, 6, 2), [0, 0])])
    pts = [[rng.randint(-9, 9), rng.randint(-9, 9)] for _ in range(12)]
    labels = [1 + int(o[1] > o[0]) for o in (g.evaluate([p]).tolist()[0] for p in pts)]
    qs = Balls.from_rho(Dataset(pts, labels), "1/32", 2, "argmax").questions(2)
    doc = Certificate("region-cover", "balls", None, g.to_json(sparse=True), {"questions": qs}).to_json()
    _, layers, parsed = kernel.regions.questions(doc)
    out["regions"] = _resign(doc, hints={"trees": [cover.search(layers, S, goal, None)[1] for S, goal in parsed]})
    from exactmem.robust import robustly_memorizes
    out["bounds"] = robustly_memorizes(g, Dataset(pts, labels), "1/32", semantics="argmax").details["certificate"]
    return out


def _same(a, b):
    """Two verdicts agree in status, reason and details (rationals compared exactly)."""
    assert (a.status, a.reason) == (b.status, b.reason)
    assert {k: v for k, v in a.details.items() if k in b.details} == b.details or a.details == b.details


def _whole(doc, **kw):
    v = certify_check(doc, **kw)
    keep = ("question", "leaves", "questions", "balls", "upper", "lower", "attained", "value", "max_error_bound",
            "error_bounds")
    return type(v)(v.status, v.reason, v.witness, {k: v.details[k] for k in keep if k in v.details})


# -- the kernel in shares ----------------------------------------------------------------------------------

def test_kinds_and_sizes_of_the_fixtures(certs):
    """The fixtures are what the tests below need: every shareable kind, several balls or leaves, all PROVED."""
    assert {c["kind"] for c in certs.values()} == set(kernel.shares.KINDS)
    for name, doc in certs.items():
        v = kernel.check(doc)
        assert v.is_proved, (name, v)
        assert len(doc["dataset"]["points"]) >= 5 if "dataset" in doc else v.details["leaves"] >= 12


@pytest.mark.parametrize("name", ["robust", "moderate", "lipschitz", "regions", "bounds"])
def test_shares_compose_to_the_whole_verdict(certs, name):
    """For n = 1, 2, 3 and more shares than balls or leaves, the composed verdict is the whole check's."""
    doc = certs[name]
    want = _whole(doc)
    for n in (1, 2, 3, 40):
        got = cpar.check(doc, parallel.Serial(), shares=n)
        _same(got, want)


def test_share_checks_only_its_part(certs):
    """A share does the costly work on its own residue class only: the leaves of a share add up to the whole."""
    doc = certs["regions"]
    parts = kernel.split(doc, 3)
    leaves = [kernel.check(p).details["leaves"] for p in parts]
    assert sum(leaves) == kernel.check(doc).details["leaves"] and all(0 < k < sum(leaves) for k in leaves)
    assert kernel.check(parts[1]).reason.startswith("share 1 of 3 (only the balls or leaves numbered 1 mod 3): ")


def test_every_ball_is_in_exactly_one_share(certs):
    """With every label wrong, each share names exactly its own balls: together all of them, none twice."""
    rob = certs["robust"]
    wrong = _resign(rob, dataset={**rob["dataset"], "labels": [3 - y for y in rob["dataset"]["labels"]]})
    N = len(rob["dataset"]["labels"])
    for n in (1, 2, 3, 5, 9):
        named = [kernel.check(p).details.get("balls", []) for p in kernel.split(wrong, n)]
        assert sorted(i for b in named for i in b) == list(range(N))
        assert all(i % n == s for s, b in enumerate(named) for i in b)


def test_failures_compose_to_the_whole_verdict(certs):
    """UNDECIDED and REFUTED certificates: the composed verdict names the failure the whole check names."""
    lip = certs["lipschitz"]
    low = _resign(lip, data={**lip["data"], "upper_sq": "1000", "lower_sq": "1000"})   # below the true 1268
    reg = certs["regions"]
    qs = [dict(q) for q in reg["data"]["questions"]]
    qs[3], qs[8] = qs[8], qs[3]                      # two balls asked for each other's goal
    wrong = _resign(reg, data={**reg["data"], "questions": qs})
    rob = certs["robust"]
    flipped = _resign(rob, dataset={**rob["dataset"], "labels": [1, 2, 1, 1, 1, 2, 1]})   # ball 3: label 2 -> 1
    cases = [(low, {}), (wrong, {}), (flipped, {}), (certs["moderate"], {"eta": fmpq(1, 10 ** 40)})]
    for doc, kw in cases:
        want = _whole(doc, **kw)
        assert not want.is_proved
        for n in (2, 3, 5):
            _same(cpar.check(doc, parallel.Serial(), shares=n, **kw), want)
    assert cpar.check(flipped, parallel.Serial(), shares=2).witness["ball"] == 3
    two = _resign(rob, dataset={**rob["dataset"], "labels": [1, 2, 1, 1, 2, 2, 1]})      # balls 3 and 4 wrong
    want = kernel.check(two)                        # the kernel alone: UNDECIDED, naming both balls
    assert want.details["balls"] == [3, 4]
    for n in (2, 3, 4):
        got = kernel.compose(two, [kernel.shares.report(p, kernel.check(p)) for p in kernel.split(two, n)])
        assert (got.status, got.reason, got.details["balls"]) == (want.status, want.reason, [3, 4])


def test_compose_refuses_reports_that_do_not_cover_the_certificate(certs):
    doc = certs["robust"]
    parts = kernel.split(doc, 3)
    reports = [kernel.shares.report(p, kernel.check(p)) for p in parts]
    assert kernel.compose(doc, reports).is_proved
    for bad in (reports[:2], [reports[0], reports[2], reports[1]], reports + [reports[0]], [], reports[:1] * 3):
        with pytest.raises(CertificateError):
            kernel.compose(doc, bad)
    other = kernel.split(certs["moderate"], 3)
    with pytest.raises(CertificateError, match="report 1 is not"):
        kernel.compose(doc, [reports[0], kernel.shares.report(other[1], kernel.check(other[1])), reports[2]])
    forged = [dict(r) for r in reports]
    forged[1] = {**forged[1], "status": "REFUTED", "witness": {"ball": 1, "x": ["3"], "output": "1"}}
    with pytest.raises(CertificateError, match="does not refute"):         # the centre has the right output
        kernel.compose(doc, forged)


@pytest.mark.parametrize("name", ["robust", "regions", "lipschitz"])
def test_a_share_by_argument_is_the_share_document(certs, name):
    """``kernel.check(whole, share=(s, n))`` (what a worker of ``certify.parallel`` runs) reports exactly what the
    signed share document of ``kernel.split`` reports: the same status, reason, details and share field."""
    doc = certs[name]
    for n in (1, 3):
        for s, p in enumerate(kernel.split(doc, n)):
            by_doc, by_arg = kernel.check(p), kernel.check(json.dumps(doc), share=(s, n))
            assert by_arg.reason.startswith(f"share {s} of {n} ")
            assert json.dumps(kernel.shares.report(p, by_doc)) == json.dumps(kernel.shares.report(None, by_arg))


def test_share_fields_are_checked(certs):
    doc = certs["robust"]
    share = kernel.split(doc, 2)[0]
    for bad in ({"of": doc["digest"], "index": 2, "count": 2}, {"of": doc["digest"], "index": 0, "count": 0},
                {"of": "x", "index": 0, "count": 2}, {"of": doc["digest"], "index": 0, "count": 2, "more": 1},
                {"of": doc["digest"], "index": True, "count": 2}):
        with pytest.raises(CertificateError, match="share"):
            kernel.check(_resign(share, share=bad))
    sep = kernel.sign({"format": "exactmem.certificate", "schema_version": 2, "kind": "separation",
                       "dataset": {"points": [["0"], ["3"]], "labels": [1, 2]}, "data": {"eps_sq": "9/4"}})
    with pytest.raises(CertificateError, match="not checked in shares"):
        kernel.check(_resign(sep, share={"of": "0" * 64, "index": 0, "count": 1}))
    for bad in ((2, 2), (0, 0), (True, 2), (0, "2"), [0, 2], (0, 2, 1), 0):
        with pytest.raises(CertificateError, match="share"):
            kernel.check(doc, share=bad)
    with pytest.raises(CertificateError, match="whole certificate"):
        kernel.check(share, share=(0, 1))             # a share of a share
    with pytest.raises(CertificateError, match="not checked in shares"):
        kernel.check(sep, share=(0, 1))
    with pytest.raises(CertificateError, match="whole certificate"):
        kernel.split(share, 2)
    with pytest.raises(CertificateError, match="whole certificate"):
        kernel.split(sep, 2)


def test_a_point_never_refutes_an_eta_claim_given_as_an_override(certs):
    """Found in review: checked with eta (the certificate has none), a robust claim was REFUTED by one exact point,
    as the claim without eta is; a point has measure 0 and does not refute 'wrong with probability below eta'.
    The flipped certificate (ball 3 labelled 1 where the network gives 2) is UNDECIDED with any eta, whole and
    in shares, and REFUTED without it."""
    from exactmem.certify import check
    rob = certs["robust"]
    flipped = _resign(rob, dataset={**rob["dataset"], "labels": [1, 2, 1, 1, 1, 2, 1]})
    assert check(flipped).is_refuted
    for eta in (fmpq(1, 10 ** 40), fmpq(1, 2)):
        assert check(flipped, eta=eta).is_undecided
        assert cpar.check(flipped, parallel.Serial(), shares=2, eta=eta).is_undecided


def test_compose_refuses_malformed_reports_with_a_clear_error(certs):
    """Found in review: forged or damaged reports crashed ``compose`` with TypeError or KeyError, rendered
    'every one of None question(s)', and a share document composed its own 'shares' to PROVED."""
    doc = certs["regions"]
    reports = [kernel.shares.report(None, kernel.check(doc, share=(s, 2))) for s in range(2)]
    assert kernel.compose(doc, reports).is_proved
    bad = [
        None,
        [{**reports[0], "details": {k: v for k, v in reports[0]["details"].items() if k != "questions"}}, reports[1]],
        [{**reports[0], "details": {**reports[0]["details"], "questions": None}}, reports[1]],
        [reports[0], {**reports[1], "details": {**reports[1]["details"], "leaves": "many"}}],
    ]
    for r in bad:
        with pytest.raises(CertificateError):
            kernel.compose(doc, r)
    rob = certs["robust"]
    good = [kernel.shares.report(None, kernel.check(rob, share=(s, 2))) for s in range(2)]
    for balls in (["x"], [None], [-1]):
        forged = [good[0], {**good[1], "status": "UNDECIDED", "details": {**good[1]["details"], "balls": balls}}]
        with pytest.raises(CertificateError):
            kernel.compose(rob, forged)
    share = kernel.split(rob, 2)[0]
    own = [{**good[0], "share": {"of": share["digest"], "index": 0, "count": 1}}]
    with pytest.raises(CertificateError, match="this one is a share"):
        kernel.compose(share, own)


def test_a_dict_is_checked_in_shares_as_its_json_text(certs):
    """The workers read the certificate's JSON text; the parent composes on that same document (a tuple where the
    schema has a list: the whole check of the dict refuses it, the text is a list, the same digest)."""
    rob = certs["robust"]
    odd = {**rob, "dataset": {**rob["dataset"], "labels": tuple(rob["dataset"]["labels"])}}
    assert kernel.digest(odd) == rob["digest"]
    with pytest.raises(CertificateError):
        kernel.check(odd)
    got = cpar.check(odd, parallel.Serial(), shares=2)
    _same(got, _whole(json.dumps(rob)))


def test_a_proved_share_is_not_counted_as_a_proof(certs):
    """``proved_count`` (CERTIFIED claims) grows once for a whole certificate composed from shares, never for a
    share alone."""
    doc = certs["robust"]
    parts = kernel.split(doc, 2)
    before = kernel.proved_count()
    reports = [kernel.shares.report(p, kernel.check(p)) for p in parts]
    assert kernel.proved_count() == before
    assert kernel.compose(doc, reports).is_proved and kernel.proved_count() == before + 1


# -- the executors -------------------------------------------------------------------------------------

def test_jobs_and_work_are_checked():
    assert parallel.jobs_count(None) == 1 and parallel.jobs_count("3") == 3 and parallel.jobs_count(2) == 2
    assert parallel.jobs_count("auto") == (os.cpu_count() or 1)
    for bad in ("0", "-1", "two", 1.5, True, "2.0"):
        with pytest.raises(OptionError):
            parallel.jobs_count(bad)
    with parallel.Serial() as ex:
        with pytest.raises(ParallelError, match="module-level"):
            list(ex.map(lambda x: x, [1]))
        with pytest.raises(ParallelError, match="not plain data"):
            list(ex.map(len, [kernel.parse.rational("1/2", "x")]))
        with pytest.raises(ParallelError, match="dtype object"):
            list(ex.map(len, [__import__("numpy").array([1], dtype=object)]))


def test_scheduler_without_dask_is_a_clear_error(monkeypatch, capsys):
    monkeypatch.setitem(__import__("sys").modules, "distributed", None)        # import distributed fails
    with pytest.raises(ParallelError, match=r"exactmem\[distributed\]"):
        parallel.executor(scheduler="tcp://127.0.0.1:8786")
    assert main(["verify", "x.json", "--scheduler", "tcp://127.0.0.1:8786"]) == 2
    out = capsys.readouterr()
    assert "pip install 'exactmem[distributed]'" in out.err and out.out == ""     # before any file is read


def _jobs(doc, n, **extra):
    return [{"share": json.dumps(p), "rho": None, "eta": None, "budget": None, **extra} for p in kernel.split(doc, n)]


@pytest.fixture(scope="module")
def pool():
    with parallel.executor(2) as ex:
        yield ex


def test_pool_gives_the_serial_bytes(certs, pool):
    """The reports from the pool are the same bytes as in this process, in the same order."""
    for name in ("robust", "regions"):
        jobs = _jobs(certs[name], 4)
        serial = json.dumps(list(parallel.Serial().map(cpar.check_share, jobs)))
        assert json.dumps(list(pool.map(cpar.check_share, jobs))) == serial
        _same(cpar.check(certs[name], pool), _whole(certs[name]))


def die_once(job):
    """A worker's job that kills its own process (SIGKILL) the first time any job of its run starts, then,
    sent again, checks its share."""
    try:
        os.close(os.open(job["marker"], os.O_CREAT | os.O_EXCL))
    except FileExistsError:
        return cpar.check_share(job)
    os.kill(os.getpid(), signal.SIGKILL)


def test_a_lost_pool_worker_loses_nothing(certs, pool, tmp_path):
    jobs = _jobs(certs["regions"], 4, marker=str(tmp_path / "died"))
    want = list(parallel.Serial().map(cpar.check_share, _jobs(certs["regions"], 4)))
    restarts = pool.restarts
    assert list(pool.map(die_once, jobs)) == want
    assert pool.restarts == restarts + 1 and (tmp_path / "died").exists()


def test_workers_that_keep_dying_stop_the_run():
    with parallel.Pool(1) as ex, pytest.raises(ParallelError, match="died 4 times"):
        list(ex.map(os._exit, [3]))


def number_or_die(job):
    """A job's number; with a marker, the first such job to start kills its worker (SIGKILL)."""
    if "marker" in job:
        try:
            os.close(os.open(job["marker"], os.O_CREAT | os.O_EXCL))
        except FileExistsError:
            return job["n"]
        os.kill(os.getpid(), signal.SIGKILL)
    return job["n"]


class _MapOnly:
    """An executor with ``map`` only (as the tests' doubles): its streams go out in batches."""

    def __init__(self):
        self.calls = 0

    def map(self, fn, items):
        self.calls += 1
        return parallel.Serial().map(fn, items)


def test_a_stream_gives_the_results_in_the_order_of_its_items(pool):
    """Items put one at a time, results taken between puts: always in put order, on every executor."""
    doubled = _MapOnly()
    for ex in (parallel.Serial(), pool, doubled):
        s, got = parallel.stream(ex, number_or_die), []
        for n in range(12):
            s.put({"n": n})
            if n % 3 == 2:
                got.append(s.get())
        assert len(s) == 8
        while len(s):
            got.append(s.get())
        assert got == list(range(12))
        with pytest.raises(ParallelError, match="no item in flight"):
            s.get()
    assert doubled.calls == 2                  # a batch only once all sent before are taken: items 0-2, 3-11


def test_a_lost_worker_loses_only_the_unanswered_items_of_streams(pool, tmp_path):
    """Two streams on one pool; a job of one kills its worker: the pool starts again once, every item of both
    streams still unanswered is sent again, and each stream's results come back complete and in order."""
    restarts = pool.restarts
    a, b = parallel.stream(pool, number_or_die), parallel.stream(pool, number_or_die)
    for n in range(6):
        b.put({"n": 100 + n})
        a.put({"n": n, "marker": str(tmp_path / "died")})
    assert [b.get() for _ in range(6)] == list(range(100, 106))
    assert [a.get() for _ in range(6)] == list(range(6))
    assert pool.restarts == restarts + 1 and (tmp_path / "died").exists()


def test_a_stream_whose_workers_keep_dying_stops_and_bad_work_is_refused():
    with parallel.Pool(1) as ex:
        s = parallel.stream(ex, os._exit)
        s.put(3)
        with pytest.raises(ParallelError, match="died 4 times while item 0 of 1 ran"):
            s.get()
    s = parallel.stream(parallel.Serial(), len)
    s.put("ab")
    with pytest.raises(ParallelError, match="work item 1: a fmpq is not plain data"):
        s.put(kernel.parse.rational("1/2", "x"))
    with pytest.raises(ParallelError, match="module-level"):
        parallel.stream(parallel.Serial(), lambda x: x)


def test_errors_in_work_come_back_as_themselves(certs, pool):
    bad = _resign(certs["regions"], hints={"trees": [[{"split": [9, 9]}]] * 12})
    with pytest.raises(CertificateError, match="not a new hidden unit"):
        cpar.check(bad, pool)


# -- Dask ------------------------------------------------------------------------------------------------

def test_dask_gives_the_serial_bytes(certs, dask_client):
    ex = parallel.executor(scheduler=dask_client)
    assert ex.name == "dask" and ex.workers == 2
    for name in ("robust", "lipschitz"):
        jobs = _jobs(certs[name], 3)
        assert json.dumps(list(ex.map(cpar.check_share, jobs))) == \
            json.dumps(list(parallel.Serial().map(cpar.check_share, jobs)))
        _same(cpar.check(certs[name], ex), _whole(certs[name]))


def test_a_lost_dask_worker_loses_nothing(certs, dask_client, tmp_path):
    """The scheduler runs the task of the killed worker again (its nanny starts a new worker)."""
    ex = parallel.executor(scheduler=dask_client)
    pids = set(dask_client.run(os.getpid).values())
    jobs = _jobs(certs["regions"], 4, marker=str(tmp_path / "died"))
    want = list(parallel.Serial().map(cpar.check_share, _jobs(certs["regions"], 4)))
    assert list(ex.map(die_once, jobs)) == want
    assert (tmp_path / "died").exists()
    dask_client.wait_for_workers(2, timeout=30)
    assert set(dask_client.run(os.getpid).values()) != pids        # one worker was replaced


# -- the command line ------------------------------------------------------------------------------------

def test_verify_in_shares_prints_what_serial_prints(certs, tmp_path, capsys):
    files = []
    for name in ("robust", "lipschitz"):
        files.append(str(tmp_path / f"{name}.json"))
        (tmp_path / f"{name}.json").write_text(json.dumps(certs[name]))
    assert main(["verify", *files]) == 0
    serial = capsys.readouterr().out
    assert main(["verify", *files, "-j", "2"]) == 0
    assert capsys.readouterr().out == serial
    share = tmp_path / "share.json"
    share.write_text(json.dumps(kernel.split(certs["robust"], 2)[1]))
    assert main(["verify", str(share)]) == 1
    assert "PROVES LESS: a share of certificate" in capsys.readouterr().out
    assert main(["verify", files[0], "-j", "0"]) == 2
    assert "-j/jobs must be" in capsys.readouterr().err


def test_check_in_workers_prints_what_serial_prints(capsys):
    """Claims run in worker processes: the same lines, table and exit status as a serial run (times aside), and a
    claim CERTIFIED by the kernel in a worker stays CERTIFIED."""
    def untimed(text):                  # times, and the padding the time column's width brings, taken out
        return re.sub(r" +", " ", re.sub(r"\d+\.\d\ds", "T", text))
    for pattern, what in (("KMY25.LemB.15", "1 certified"), ("KMY25.LemC", "3 proved")):
        args = ["check", "-k", pattern]
        code = main(args)
        serial = capsys.readouterr()
        assert main(args + ["-j", "2"]) == code == 0
        par = capsys.readouterr()
        assert untimed(par.out) == untimed(serial.out) and what in serial.out
        assert untimed(par.err) == untimed(serial.err)
