"""Issue 22, item 5: every script in benchmarks/ answers --help with its usage and options, and starts no work.

Each script runs in a fresh interpreter with a 60 s limit (a script that started its benchmark instead would
print no usage line, or be killed by the limit).  A bad option is refused with argparse's one-line message.
"""
import os
import subprocess
import sys

import pytest

BENCH = os.path.join(os.path.dirname(__file__), "..", "benchmarks")
SCRIPTS = sorted(f for f in os.listdir(BENCH) if f.endswith(".py") and not f.startswith("_"))


@pytest.mark.parametrize("script", SCRIPTS)
def test_every_benchmark_answers_help(script):
    out = subprocess.run([sys.executable, os.path.join(BENCH, script), "--help"], capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.startswith("usage:") and "-h, --help" in out.stdout, out.stdout[:500]


@pytest.mark.parametrize("script", ["bench_eps.py", "bench_eval.py", "bench_small_rho.py", "bench_check.py"])
def test_a_bad_option_is_a_one_line_error(script):
    out = subprocess.run([sys.executable, os.path.join(BENCH, script), "--no-such-option"], capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 2 and "Traceback" not in out.stderr and "error:" in out.stderr, out.stderr[-2000:]
