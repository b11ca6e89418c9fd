"""Where floating point and exact arithmetic part ways (Jia & Rinard 2021; Zombori et al. 2021; reference notes
on the law of robustness, §7 item 23): exact answers on instances whose float32 answer is wrong.

* a margin below one ulp: f(x) = relu(x + 1) - relu(x) - relu(1) + 2^-30 is exactly 2^-30 > 0 for x >= 0, but
  float32 evaluates it to -1 at x = 2^24 (x + 1 rounds to x); exact output ranges on the box [0, 2^24] and on
  the degenerate box [2^24, 2^24] (lower = upper) give the minimum 2^-30;
* the pattern of Marabou issue 669, {y = x - x, x = 5, y = 0} (reported unsat there): sat, with the point;
* inconsistent bounds, Marabou issue 813 (lower 1.5 > upper 0.5, reported sat there): a clear error, never sat.
(Sign activations are not ReLU networks and are not covered.)"""
import numpy as np
from flint import fmpq

from exactmem import ReLUNet, Verdict, box, output_range, vnnlib
from exactmem.claims import claim
from exactmem.errors import InputSetError

TRAP = ReLUNet([([[1], [1], [0]], [1, 0, 1]), ([[1, -1, -1]], [fmpq(1, 2 ** 30)])])


def float32(x):
    W1, b1 = np.array([[1], [1], [0]], np.float32), np.array([1, 0, 1], np.float32)
    W2, b2 = np.array([[1, -1, -1]], np.float32), np.array([2.0 ** -30], np.float32)
    h = np.maximum((W1 @ np.array([x], np.float32) + b1).astype(np.float32), np.float32(0))
    return float((W2 @ h + b2).astype(np.float32)[0])


def _instances():
    yield "margin below one ulp", "ulp"
    yield "Marabou 669: y = x - x with x = 5, y = 0", "669"
    yield "Marabou 813: lower 1.5 > upper 0.5", "813"


@claim("Law.float_traps", "exact answers where float32 is wrong: a sub-ulp margin, a constant input with y = x - x, "
       "inconsistent bounds", {"instances": _instances},
       source="Jia & Rinard 2021; Zombori et al. 2021; Marabou issues 669 and 813; reference notes on the law of "
       "robustness, §7 item 23")
def check(kind):
    if kind == "ulp":
        big = fmpq(2 ** 24)
        wide, point = output_range(TRAP, box([0], [big])), output_range(TRAP, box([big], [big]))
        eps = fmpq(1, 2 ** 30)
        ok = wide.is_exact and wide.minimum[0].lo == eps and point.is_exact and point.maximum[0].hi == eps
        flagged = float32(2.0 ** 24) <= 0                             # the float answer differs
        return Verdict.from_exact(ok and flagged, f"exact min on [0, 2^24] = {wide.minimum[0].lo}, on [2^24, 2^24] = "
                                  f"{point.minimum[0].lo}; float32 at 2^24 gives {float32(2.0 ** 24)}")
    if kind == "669":
        net = ReLUNet([([[1], [1]], [10, 10]), ([[1, -1]], [0])])           # relu(x + 10) - relu(x + 10): x - x
        text = ("(declare-const X_0 Real)\n(declare-const Y_0 Real)\n(assert (>= X_0 5))\n(assert (<= X_0 5))\n"
                "(assert (= Y_0 0))\n")
        r = vnnlib.decide(net, vnnlib.parse(text))
        ok = r.status == "sat" and r.x == [5] and r.y == [0]
        return Verdict.from_exact(ok, f"{r.status} at x = {r.x}, y = {r.y}")
    text = ("(declare-const X_0 Real)\n(declare-const Y_0 Real)\n(assert (>= X_0 1.5))\n(assert (<= X_0 0.5))\n"
            "(assert (>= Y_0 0))\n")
    try:
        vnnlib.parse(text)
        said = "parsed"
    except vnnlib.VnnlibError as e:
        said = f"VnnlibError: {e}"
    try:
        box([fmpq(3, 2)], [fmpq(1, 2)])
        said2 = "accepted"
    except InputSetError as e:
        said2 = f"InputSetError: {e}"
    ok = said.startswith("VnnlibError") and said2.startswith("InputSetError")
    return Verdict.from_exact(ok, f"VNN-LIB: {said}; box: {said2}")
