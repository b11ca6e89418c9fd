"""Rows of a ball that differ only in a lemma unit must not merge (found by review, 2026-12-04).

The engine merges rows of a ball that agree on the registers their split can reach; a unit valued by a lemma
(a step-table bump, a bit stream's output) reads other registers than its weights say, so before the fix it
was never compared and a row could be dropped with a wrong value in it: a false claim was PROVED.  Both
networks below (built by the reviewer) output 2 at (21/2, 21/2), a point of ball 0's open l_inf ball (label 1)
outside every excluded slab -- exact evaluation, and the slab fractions, checked here -- so the claim is false.
"""
import pytest
from flint import fmpq as Q

from exactmem import Dataset, ReLUNet
from exactmem.certify.records import robust_certificate
from exactmem.kernel import parse, robust, steps, streams
from exactmem.kernel.engine import evaluate

Z, O = Q(0), Q(1)
HEAD = [
    ([[O, Z], [Z, O]], [Z, Z]),                                   # sources x0, x1
    ([[Q(100), Z], [Q(100), Z], [Z, Q(100)], [Z, Q(100)]], [Q(-1000), Q(-1001), Q(-1000), Q(-1001)]),
    ([[O, -O, Z, Z], [Z, Z, O, -O]], [Z, Z]),                     # steps s0, s1 at 10 (ramps in excluded slabs)
    ([[O, Z], [O, O]], [Z, -O]),                                  # x = s0; T = relu(s0 + s1 - 1): cuts ball 0 on s0
]


def _row(width, **w):
    r = [Z] * width
    for j, x in w.items():
        r[int(j[1:])] = Q(x)
    return r


def _bump_net():
    """v1 = relu(2x), v2 = relu(x - 1), carry x, W = relu(T - 5) = 0, x2 = relu(2x); F = relu(-1/2 + v1/2 - 2 v2)
    (F(0) = 0, F(1) = 1/2), Wc = relu(W + x2 - 5) = 0; output 1 + 2F + Wc."""
    return HEAD + [([[Q(2), Z], [O, Z], [O, Z], [Z, O], [Q(2), Z]], [Z, -O, Z, Q(-5), Z]),
                   ([[Q(1, 2), Q(-2), Z, Z, Z], [Z, Z, Z, O, O]], [Q(-1, 2), Q(-5)]),
                   ([[Q(2), O]], [O])]


def _stream_net():
    """v = x, p = relu(x - 5), q = relu(x - 6), carry T; four stream steps (H = 16, 8, 4, 2; H' = 8, 4, 2, 1)
    carrying T; Zr = relu(T - 5) = 0, vc = v_k; output 1 + Zr + v_k."""
    layers = HEAD + [([_row(2, c0=1), _row(2, c0=1), _row(2, c0=1), _row(2, c1=1)], [Z, Q(-5), Q(-6), Z])]
    H, H2, first = 16, Q(8), True
    for _ in range(4):
        if first:
            s, a = _row(4, c0=1, c1=-H, c2=H), _row(4, c1=1, c2=-1)
            layers.append(([s, a, s, s, _row(4, c3=1)], [Z, Z, 1 - H2, -H2, Z]))
        else:
            s, a = _row(5, c0=1, c2=-H, c3=H), _row(5, c1=2, c2=1, c3=-1)
            layers.append(([s, a, s, s, _row(5, c4=1)], [Z, Z, 1 - H2, -H2, Z]))
        first, H, H2 = False, H2, H2 / 2
    return layers + [([_row(5, c4=1), _row(5, c0=1)], [Q(-5), Z]), ([[O, O]], [O])]


@pytest.mark.parametrize("make, mod", [(_bump_net, steps), (_stream_net, streams)])
def test_rows_that_differ_only_in_a_lemma_unit_are_not_merged(make, mod, monkeypatch):
    net = ReLUNet([([list(r) for r in W], b) for W, b in make()])
    D = Dataset([[10, 10], [30, 30]], [1, 2])
    hints = {"exclude": [[0, "1/100", "9/10", "1/1000"], [1, "1/100", "9/10", "1/1000"]]}
    doc = robust_certificate(D, net, Q(1, 2), p="inf", eta=Q(1, 2), hints=hints).to_json()
    x = [Q(21, 2), Q(21, 2)]                    # |x - (10, 10)|_inf = 1/2 < mu = 5; frac(x/100 + 9/10) = 1/200
    assert evaluate(parse.network(doc["network"])[1], [x])[0][0] == 2
    assert all(t / 100 + Q(9, 10) - 1 == Q(1, 200) for t in x)
    for use in (True, False):
        monkeypatch.setattr(mod, "USE", [use])
        assert not robust.check(doc).is_proved
