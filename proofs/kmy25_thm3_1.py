"""KMY25 Theorem 3.1: the lower bound's two terms, evaluated exactly, tied to their constructive witnesses."""
import random

from flint import fmpq

from exactmem import Verdict, all_of
from exactmem.claims import claim
from exactmem.linalg import random_rational_matrix
from exactmem.lower import first_layer_witness, lower_bound, width_dataset


def _hand():
    # values derived by hand:
    # N=100, d=10, rho=9/10: w = 0.81*10 = 8.1 -> 9 neurons, 11*9 = 99 params; k = floor(1/0.19) = 5, VC = 5*50 = 250
    yield "N=100 d=10 rho=9/10", ((100, 10, fmpq(9, 10)), (9, 99, 5, 250, "width"))
    # N=10000, d=4, rho=1/2: w = 1 -> 1 neuron, 5 params; k = floor(4/3) = 1, VC = 5000 -> sqrt ~ 71: VC dominates
    yield "N=10000 d=4 rho=1/2", ((10000, 4, fmpq(1, 2)), (1, 5, 1, 5000, "VC"))
    # N=7, d=50, rho=99/100: w = 0.9801*6 = 5.88 -> 6 neurons, 51*6 = 306 params; k = floor(1/0.0199) = 50 = d, VC = 150
    yield "N=7 d=50 rho=99/100", ((7, 50, fmpq(99, 100)), (6, 306, 50, 150, "width"))


@claim("KMY25.Thm3.1", "lower-bound calculator: exact terms match hand values; the width term's hard instance "
       "defeats every first layer one neuron narrower", {"hand-derived": _hand}, source="Kim, Moon & Yun 2025, Thm 3.1",
       uses=('KMY25.Prop3.2', 'KMY25.Prop3.3'))
def check(inst):
    (N, d, rho), (neurons, params, k, vc, dominant) = inst
    lb = lower_bound(N, d, rho)
    got = (lb.width_neurons, lb.first_layer_params, lb.k, lb.vc_dimension, lb.dominant)
    parts = [Verdict.from_exact(got == (neurons, params, k, vc, dominant), f"calculator {got} vs hand values")]
    if lb.width_neurons > 1 and N <= 200:
        m = lb.width_neurons - 1
        W = random_rational_matrix(random.Random(N + d), m, d)
        w = first_layer_witness(W, width_dataset(N, d), rho)
        parts.append(w.certificate().verify() if w.found else Verdict.refuted(w.message, {"m": m}))
    return all_of(parts, lb.summary())
