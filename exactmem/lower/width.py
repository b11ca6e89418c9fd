"""Proposition 3.2 (and C.6, C.7): a first hidden layer narrower than the bound cannot robustly memorize.

The hard dataset (App. A.2): e_1..e_{N-1} with label 2 and the origin with label 1 when
N - 1 <= d (Case I); when N - 1 > d, the d + 1 points of Case I plus 2e_1, ..., (N-d)e_1 with
label 2 (Case II).  eps_D = 1/2 in every l_p norm.

If the first layer W (m x d) has a null-space vector z with ||e_j - z|| < 2 mu = rho, then with
r = e_j - z the points x = e_j - r/2 (in the ball of e_j) and x' = r/2 (in the ball of the origin)
satisfy W x = W x', so every network with first layer W gives them the same output although their
labels differ.  Lemma A.2 guarantees such j and z whenever m < rho^2 min(N-1, d).

>>> D = width_dataset(N=4, d=3)
>>> w = first_layer_witness([[1, 1, 1]], D, "9/10")      # width 1 < (9/10)^2 * 3
>>> w.found, w.guaranteed
(True, True)
>>> w.certificate().verify().is_proved
True
"""
from __future__ import annotations

from dataclasses import dataclass

from flint import fmpq, fmpq_mat

from ..data import Dataset
from ..errors import DimensionMismatchError, NetworkError
from ..exact import fmt, to_matrix
from ..linalg import nullspace, projector
from ..network import ReLUNet
from ..norms import INF, check_p, check_rho
from .subspaces import linf_witness


def width_dataset(N: int, d: int) -> Dataset:
    """The hard dataset of Proposition 3.2 (Case I if N - 1 <= d, Case II otherwise)."""
    if not (isinstance(N, int) and isinstance(d, int)) or N < 2 or d < 1:
        raise NetworkError(f"need integers N >= 2 and d >= 1, got N={N!r}, d={d!r}")
    t = min(N - 1, d)
    pts = [[1 if k == j else 0 for k in range(d)] for j in range(t)] + [[0] * d]
    labels = [2] * t + [1]
    for c in range(2, N - d + 1) if N - 1 > d else ():
        pts.append([c] + [0] * (d - 1))
        labels.append(2)
    return Dataset(pts, labels)


def width_bound(N: int, d: int, rho, p=2) -> fmpq:
    """The first-layer width bound of Prop. 3.2 / C.6 / C.7 as an exact rational.

    p = 2 and p = inf with rho <= 1/2: rho^2 min(N-1, d); 1 <= p < 2: rho^2 d^(1-2/p) min(N-1, d)
    (p = 1: rho^2 min(N-1, d) / d); p = inf with rho > 1/2: min(N-1, d).
    """
    rho, p = check_rho(rho), check_p(p)
    t = min(N - 1, d)
    if p == INF and rho > fmpq(1, 2):
        return fmpq(t)
    if p == 1:
        return rho * rho * t / d
    return rho * rho * t


def extremal_first_layer(N: int, d: int, m: int) -> fmpq_mat:
    """A width-m first layer that is as hard as possible for the argument (Lemma A.2 with equality): with
    t = min(N - 1, d) and m dividing t, row b is the indicator of the b-th block of t/m consecutive coordinates
    among the first t.  Its null space is ``tight_subspace_a2(d, t, d - m)``, and dist(e_j, Null W)^2 = m/t for
    every j <= t, so the argument finds a witness exactly when m < rho^2 t (open balls), i.e. exactly below
    Proposition 3.2's width bound.

    >>> W = extremal_first_layer(5, 4, 2)
    >>> W.tolist()
    [[1, 1, 0, 0], [0, 0, 1, 1]]
    >>> first_layer_witness(W, width_dataset(5, 4), "1/2").found          # (1/2)^2 * 4 = 1 <= m = 2
    False
    >>> first_layer_witness(W, width_dataset(5, 4), "3/4").found          # (3/4)^2 * 4 = 9/4 > 2
    True
    """
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (N, d, m)) or N < 2 or d < 1:
        raise NetworkError(f"need integers N >= 2, d >= 1 and m, got N={N!r}, d={d!r}, m={m!r}")
    t = min(N - 1, d)
    if not (1 <= m <= t) or t % m:
        raise NetworkError(f"the extremal layer needs 1 <= m <= t = min(N - 1, d) = {t} with m dividing t, got m = {m}")
    size = t // m
    return fmpq_mat([[1 if k < t and k // size == b else 0 for k in range(d)] for b in range(m)])


@dataclass
class FirstLayerWitness:
    """Result of the witness search; ``found`` False means the argument gives no witness here."""

    dataset: Dataset
    W: fmpq_mat
    rho: fmpq
    p: object
    bound: fmpq
    found: bool
    guaranteed: bool
    i: int | None = None
    i_prime: int | None = None
    x: list | None = None
    x_prime: list | None = None
    message: str = ""

    def certificate(self, network: ReLUNet | None = None):
        from ..certify.records import Certificate, dataset_payload
        if not self.found:
            raise NetworkError("no witness was found, so there is nothing to certify")
        return Certificate(
            "first-layer-collision",
            "two points in robustness balls of different labels have equal first-layer pre-activations, so no "
            "network with this first layer rho-robustly memorizes the dataset",
            dataset_payload(self.dataset), network.to_json() if network is not None else None,
            {"W": [[fmt(v) for v in row] for row in self.W.tolist()], "rho": fmt(self.rho),
             "p": "inf" if self.p == INF else str(self.p), "i": self.i, "i_prime": self.i_prime,
             "x": [fmt(v) for v in self.x], "x_prime": [fmt(v) for v in self.x_prime]})


def _first_layer(W_or_net):
    if isinstance(W_or_net, ReLUNet):
        if W_or_net.depth < 2:
            raise NetworkError("the network has no hidden layer")
        return W_or_net.layers[0][0]
    return to_matrix(W_or_net, "first-layer matrix W")


def first_layer_witness(W_or_net, D: Dataset, rho, p=2) -> FirstLayerWitness:
    """Search exactly for x in B_p(e_j, mu), x' in B_p(0, mu) with W x = W x' (see the module docstring).

    ``D`` must contain the origin and basis vectors (e.g. ``width_dataset``); p in {1, 2, inf}.
    """
    W = _first_layer(W_or_net)
    rho, p = check_rho(rho), check_p(p)
    if W.ncols() != D.d:
        raise DimensionMismatchError(f"the first layer takes {W.ncols()} inputs but the data have d = {D.d}")
    m = W.nrows()
    N, d = D.N, D.d
    bound = width_bound(N, d, rho, p)
    guaranteed = m < bound
    origin = next((i for i in range(N) if all(v == 0 for v in D.point(i))), None)
    basis = {}
    for i in range(N):
        pt = D.point(i)
        nz = [k for k, v in enumerate(pt) if v != 0]
        if len(nz) == 1 and pt[nz[0]] == 1 and D.labels[i] != D.labels[origin if origin is not None else i]:
            basis[nz[0]] = i
    if origin is None or not basis:
        raise NetworkError("the dataset must contain the origin and differently labelled basis vectors e_j")
    Z = nullspace(W)
    out = FirstLayerWitness(D, W, rho, p, bound, False, guaranteed)
    if Z.ncols() == 0:
        out.message = "W has a trivial null space: this argument gives no witness"
        return out
    candidates = []  # (j, z) with z in Null(W); tried in order, the first whose points verify wins
    if p == INF:  # Lemma C.10: ||e_j - z'||_inf <= 1/2, enough when rho > 1/2 (Prop. C.7)
        t = max(basis) + 1
        if Z.ncols() >= d - t + 1:
            w = linf_witness(Z, t)
            if w["j"] in basis:
                candidates.append((w["j"], w["z_prime"]))
    P = projector(Z)  # l2 (Prop. 3.2 / C.6): the projection of the nearest e_j onto Null(W)
    for j in sorted(basis, key=lambda j: 1 - P[j, j]):
        candidates.append((j, [P[k, j] for k in range(d)]))
    for j, z in candidates:
        e = [fmpq(1) if k == j else fmpq(0) for k in range(d)]
        r = [a - b for a, b in zip(e, z)]
        x = [a - b / 2 for a, b in zip(e, r)]
        xp = [b / 2 for b in r]
        i, ip = basis[j], origin
        if D.in_ball(i, x, rho, p) and D.in_ball(ip, xp, rho, p):
            out.found, out.i, out.i_prime, out.x, out.x_prime = True, i, ip, x, xp
            out.message = (f"x in B(x_{i}, mu) and x' in B(x_{ip}, mu) have W x = W x' "
                           f"(first-layer width {m}, bound {fmt(bound)})")
            return out
    out.message = (f"first-layer width {m} is not below the bound {fmt(bound)}, and the nearest null-space "
                   f"point is too far: this argument gives no witness") if not guaranteed else \
        "no witness found although the bound guarantees one (please report this)"
    return out
