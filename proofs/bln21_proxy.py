"""Bubeck, Li & Nagaraj 2021, the spectral proxy (reference notes on the law of robustness, §7 item 17): for a
two-layer network f = a.relu(W x + b), Lip_2(f) <= Lip(relu) ||W||_op ||a||_2 always (the gradient is
W^T diag(s) a with 0 <= s <= 1).  Checked exactly: Lip_2^2 on R^d (exact) <= ||a||^2 lambda_max(W^T W), the
eigenvalue compared by Descartes' rule.  The proxy bounds Lip from above only: on the rescaled family
relu(t x)/t + ... (``families.rescaled_units``) it grows like t^2 while Lip stays 1."""
from flint import fmpq

from exactmem import Verdict
from exactmem.claims import claim
from exactmem.kernel.lipschitz import at_least
from exactmem.lipschitz import lipschitz_constant
from exactmem.lipschitz.families import rescaled_units

from .law_two_layer import two_layer


def _instances():
    for seed, d, k in ((0, 2, 4), (1, 3, 6), (2, 1, 5), (3, 4, 8), (4, 2, 10)):
        yield f"d = {d}, k = {k}, seed {seed}", ("random", seed, d, k)
    for t in (2, 8, 64):
        yield f"rescaled units, t = {t}", ("rescaled", t, None, None)


def _proxy_sq(net):
    (W, _), (A, _) = net.layers
    a2 = sum((t * t for t in A.entries()), fmpq(0))
    return W, a2


@claim("BLN21.proxy", "Lip_2 <= ||W||_op ||a||_2 for every two-layer ReLU network (the proxy is an upper bound, "
       "never a lower one)", {"seeded and rescaled networks": _instances},
       source="Bubeck, Li & Nagaraj 2021 (COLT), the spectral-proxy version of their conjecture; reference "
       "notes §7 item 17 (the always-true inequality)")
def check(inst):
    kind, seed, d, k = inst
    net = two_layer(seed, d, k) if kind == "random" else rescaled_units(seed)
    L = lipschitz_constant(net, 2).upper_sq
    W, a2 = _proxy_sq(net)
    holds = L == 0 or a2 > 0 and at_least(W.tolist(), 2, L / a2)      # lambda_max(W^T W) >= Lip^2 / ||a||^2
    far = ""
    if kind == "rescaled":
        spec_floor = max(sum((w * w for w in r), fmpq(0)) for r in W.tolist())     # ||W||_op^2 >= max row norm^2
        far = f"; proxy^2 >= {a2 * spec_floor} while Lip^2 = {L}"
        holds = holds and L == 1 and a2 * spec_floor >= fmpq(seed) ** 2 / 4
    return Verdict.from_exact(holds, f"Lip_2^2 = {L} <= ||a||^2 ||W||_op^2 (||a||^2 = {a2}){far}")
