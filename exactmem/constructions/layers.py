"""Layer recipes of the constructions, written out as sparse [(rows, b)] in exact rationals (``exactmem.sparse``:
a row is the sorted list of its nonzeros [(column, fmpq)], so every recipe costs what its nonzeros cost).

The kernel never uses these: it reads the certificate's network itself.

``yu_layers(plan)`` writes out the large-rho memorizer in the style of Yu, Gao & Zhang (2024), as used
by Theorem B.14: with offset inputs X = x + o (non-negative on every ball), centre by centre

    S_i(x) = B^2 sum_j f_k(|X_j - c_ij| / B),   T_i = sigma(1 - sigma((S_i - lo) / (hi - lo))),

accumulated per label, A_c = sum_{i: y_i = c} T_i, and the output sum_c c (1 - sigma(1 - A_c)).
f_k is Yarotsky's sawtooth square (``sawtooth_layers``).  Registers in each hidden layer, in order:
X (d), A (C), then the units of the current step.

``moderate_layers(plan)`` writes out Theorem B.5's network (Flatten blocks, integer memorizers and the
running max); ``compose``, ``parallel_copies`` and ``carry`` are the layer algebra.
"""
from __future__ import annotations

from flint import fmpq

from .. import sparse
from ..sparse import identity, shifted

ZERO, ONE = fmpq(0), fmpq(1)
HALF = fmpq(1, 2)


def in_widths(layers, n_in):
    """The input width of each layer of [(rows, b)] whose first layer reads ``n_in`` values."""
    return [n_in] + [len(rows) for rows, _ in layers[:-1]]


def compose(f, g):
    """g o f for layer lists [(rows, b)]: f's last affine layer merges into g's first."""
    return f[:-1] + [sparse.compose(f[-1], g[0])] + g[1:]


def affine(rows):
    """The linear map with these (sparse) rows as a one-layer network."""
    return [(list(rows), [ZERO] * len(rows))]


def parallel_copies(block, m):
    """x in R^m -> (block(x_1), ..., block(x_m)) for a one-input block: block-diagonal layers."""
    out = []
    for (rows, b), w in zip(block, in_widths(block, 1)):
        out.append(([r for j in range(m) for r in shifted(rows, j * w)], list(b) * m))
    return out


def carry(layers, k, n_in):
    """(x, z) -> (f(x), z) for z >= 0 in R^k and x in R^n_in: each layer gets the identity on z as a diagonal
    block (in hidden layers the ReLU then sees z, which it leaves alone when z >= 0)."""
    return [(rows + identity(k, w), list(b) + [ZERO] * k) for (rows, b), w in zip(layers, in_widths(layers, n_in))]


def _select(order):
    """Rows of the linear map v -> (v[order[0]], v[order[1]], ...); None in order gives 0."""
    return [[] if o is None else sparse.unit(o) for o in order]


def moderate_layers(plan: dict, spans: list | None = None) -> list:
    """Theorem B.5's network as sparse [(rows, b)] from a plan with keys W1 (m x d sparse rows), c0, shifts (one
    c_j per block), R, floor (Floor_n layers), mems (one integer memorizer per block, as sparse layers) and layout.

    z = sigma(W1 x + c0) and I_j = Flatten(z + c_j) (Floor on each coordinate, base-R digits); the output
    is max(0, mem_1(I_1), ..., mem_B(I_B)) through the running max y <- y + sigma(mem_j(I_j) - y).
    layout "chain" is the paper's: block after block on the carried (z, y).  layout "indices" computes all
    B indices first (carrying z through the Flatten blocks only) and then runs the memorizers carrying the
    later indices: the same function, with fewer parameters when B <= m.  Carried indices pass through
    ReLUs, the identity wherever they are exact (non-negative)."""
    W1, c0, shifts, R = plan["W1"], plan["c0"], plan["shifts"], plan["R"]
    m, B = len(W1), len(shifts)
    flat = compose(parallel_copies(plan["floor"], m), affine([[(k, fmpq(R) ** k) for k in range(m)]]))
    net = [(list(W1), list(c0)), (identity(m), [ZERO] * m)]
    if plan["layout"] == "chain":
        net = compose(net, affine(_select(list(range(m)) + [None])))                    # (z, y = 0)
        for c, mem in zip(shifts, plan["mems"]):
            f = compose(compose([(identity(m), list(c))], flat), mem)
            g = compose(affine(_select(list(range(m)) + list(range(m + 1)))), carry(f, m + 1, m))
            a = len(net) - 1
            net = compose(net, compose(g, _running_max(list(range(1, m + 1)), 0, m + 1)))
            if spans is not None:
                spans.append((a, len(net) - 2))
        return compose(net, affine(_select([m])))
    for j, c in enumerate(shifts):                       # state (z, I_1..I_j)
        n = m + j
        f = compose([(identity(m), list(c))], flat)
        step = compose(affine(_select(list(range(m)) + list(range(n)))), carry(f, n, m))   # -> (I, z, I_<)
        net = compose(net, compose(step, affine(_select(list(range(1, n + 1)) + [0]))))
    net = compose(net, affine(_select(list(range(m, m + B)) + [None])))                # (I_1..I_B, y = 0)
    for j, mem in enumerate(plan["mems"]):               # state (I_j..I_B, y)
        n = B - j + 1
        g = carry(mem, n - 1, 1)                                                           # -> (f, I_>, y)
        net = compose(net, compose(g, _running_max(list(range(1, n - 1)), 0, n - 1)))
    return net


def _running_max(keep, f, y):
    """Two layers on a state of values: carry the registers ``keep``, then y <- y + sigma(v_f - y)."""
    hidden = _select(keep + [y]) + [sorted([(f, ONE), (y, -ONE)])]
    k = len(keep)
    out = _select(list(range(k))) + [[(k, ONE), (k + 1, ONE)]]
    return [(hidden, [ZERO] * (k + 2)), (out, [ZERO] * (k + 1))]


def sawtooth_layers(k: int) -> list:
    """f_k(t) = t - sum_{s<=k} g_s(t)/4^s as layers of a one-input network (registers t, [A], u1, u2)."""
    layers = [([[(0, ONE)], [(0, ONE)], [(0, ONE)]], [ZERO, ZERO, -HALF])]            # t, u1, u2
    have_A = False
    for s in range(1, k):
        q = fmpq(1, 4 ** s)
        # previous registers: t, [A], u1, u2 ; g = 2 u1 - 4 u2
        u1 = 2 if have_A else 1
        g = [(u1, fmpq(2)), (u1 + 1, fmpq(-4))]
        A = ([(1, ONE)] if have_A else []) + [(u1, 2 * q), (u1 + 1, -4 * q)]
        layers.append(([[(0, ONE)], A, g, g], [ZERO, ZERO, ZERO, -HALF]))
        have_A = True
    q = fmpq(1, 4 ** k)
    u1 = 2 if have_A else 1
    out = [(0, ONE)] + ([(1, -ONE)] if have_A else []) + [(u1, -2 * q), (u1 + 1, 4 * q)]
    layers.append(([out], [ZERO]))
    return layers


def yu_layers(plan: dict) -> list:
    """The full network as sparse [(rows, b)] from a plan with keys d, C, o, B, k, centres, labels, lo, hi."""
    d, C, k = plan["d"], plan["C"], plan["k"]
    o, B, lo, hi = plan["o"], plan["B"], plan["lo"], plan["hi"]
    centres, labels = plan["centres"], plan["labels"]
    span = hi - lo
    base = d + C                 # registers X (d), A (C), then the units of the step
    # first layer: X = sigma(x + o), A = 0
    layers = [(identity(d) + [[] for _ in range(C)], list(o) + [ZERO] * C)]
    pending = None               # (label, index of the W unit in the previous layer)

    def carry_rows():
        rows = identity(base)
        if pending is not None:
            i = d + pending[0] - 1
            rows[i] = [(i, ONE), (pending[1], ONE)]
        return rows

    inv_B = 1 / B
    for c, y in zip(centres, labels):
        # L1: X, A (+W), P = sigma(X - c), Q = sigma(c - X)
        rows = carry_rows() + identity(d) + identity(d, value=-ONE)
        layers.append((rows, [ZERO] * base + [-t for t in c] + list(c)))
        pending = None
        # L2: X, A, T_j, U1_j, U2_j with t_j = (P_j + Q_j) / B
        t_rows = [[(base + j, inv_B), (base + d + j, inv_B)] for j in range(d)]
        layers.append((carry_rows() + t_rows * 3, [ZERO] * (base + 2 * d) + [-HALF] * d))
        has_S = False
        for s in range(1, k):
            q = fmpq(1, 4 ** s)
            off = 4 if has_S else 3  # register groups after X, A: T, [S], U1, U2
            iT, iS, iU1, iU2 = base, (base + d if has_S else None), base + (off - 2) * d, base + (off - 1) * d
            rows = carry_rows() + identity(d, iT)                                   # T_j carried
            rows += [([(iS + j, ONE)] if has_S else []) + [(iU1 + j, 2 * q), (iU2 + j, -4 * q)]
                     for j in range(d)]                                              # S_j += g / 4^s
            g = [[(iU1 + j, fmpq(2)), (iU2 + j, fmpq(-4))] for j in range(d)]
            rows += g + g                                                            # U1 = sigma(g), U2 = sigma(g - 1/2)
            layers.append((rows, [ZERO] * (base + 3 * d) + [-HALF] * d))
            has_S = True
        # L_V: V = sigma((B^2 sum_j f_j - lo) / span), f_j = T_j - S_j - (2 U1_j - 4 U2_j) / 4^k
        q = fmpq(1, 4 ** k)
        off = 4 if has_S else 3
        iT, iS, iU1, iU2 = base, (base + d if has_S else None), base + (off - 2) * d, base + (off - 1) * d
        a = B * B / span
        r = {}
        for j in range(d):
            r[iT + j] = a
            if has_S:
                r[iS + j] = -a
            r[iU1 + j] = -2 * q * a
            r[iU2 + j] = 4 * q * a
        layers.append((carry_rows() + [sparse.row(r)], [ZERO] * base + [-lo / span]))
        # L_W: W = sigma(1 - V)
        layers.append((carry_rows() + [[(base, -ONE)]], [ZERO] * base + [ONE]))
        pending = (y, base)
    # final: M_c = sigma(1 - A_c), output sum_c c - sum_c c M_c
    rows = []
    for cidx in range(C):
        r = [(d + cidx, -ONE)]
        if pending is not None and pending[0] == cidx + 1:
            r.append((pending[1], -ONE))
        rows.append(r)
    layers.append((rows, [ONE] * C))
    layers.append(([[(c, fmpq(-(c + 1))) for c in range(C)]], [fmpq(C * (C + 1) // 2)]))
    return layers


def yu_threshold_units(d: int, C: int, k: int, N: int) -> list:
    """(layer, unit) of each centre's V = sigma((S - lo) / (hi - lo)) and W = sigma(1 - V) in ``yu_layers``."""
    return [((i * (k + 3) + k + 2, d + C), (i * (k + 3) + k + 3, d + C)) for i in range(N)]
