"""Layer recipes of the constructions, written out as [(W rows, b)] in exact rationals.

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

from flint import fmpq, fmpq_mat

ZERO, ONE = fmpq(0), fmpq(1)
HALF = fmpq(1, 2)


def _matmul(A, B):
    return (fmpq_mat(A) * fmpq_mat(B)).tolist()


def _matvec(A, v):
    return [sum((a * b for a, b in zip(row, v)), ZERO) for row in A]


def _eye(m):
    return [[ONE if i == j else ZERO for j in range(m)] for i in range(m)]


def compose(f, g):
    """g o f for layer lists [(W rows, b list)]: f's last affine layer merges into g's first."""
    (WL, bL), (G1, c1) = f[-1], g[0]
    merged = (_matmul(G1, WL), [u + v for u, v in zip(_matvec(G1, bL), c1)])
    return f[:-1] + [merged] + g[1:]


def affine(rows):
    """The linear map with these rows as a one-layer network."""
    return [([list(r) for r in rows], [ZERO] * len(rows))]


def parallel_copies(block, m):
    """x in R^m -> (block(x_1), ..., block(x_m)) for a one-input block: block-diagonal layers."""
    out = []
    for l, (W, b) in enumerate(block):
        cols_per = len(W[0])
        big = []
        for j in range(m):
            for row in W:
                full = [ZERO] * (cols_per * m)
                full[j * cols_per:(j + 1) * cols_per] = row
                big.append(full)
        out.append((big, list(b) * m))
    return out


def carry(layers, k):
    """(x, z) -> (f(x), z) for z >= 0 in R^k: each layer gets the identity on z as a diagonal block
    (in hidden layers the ReLU then sees z, which it leaves alone when z >= 0)."""
    out = []
    for W, b in layers:
        cols = len(W[0])
        rows = [list(r) + [ZERO] * k for r in W]
        rows += [[ZERO] * cols + [ONE if i == j else ZERO for j in range(k)] for i in range(k)]
        out.append((rows, list(b) + [ZERO] * k))
    return out


def _select(n, order):
    """Rows of the linear map v in R^n -> (v[order[0]], v[order[1]], ...); None in order gives 0."""
    return [[ONE if (o is not None and c == o) else ZERO for c in range(n)] for o in order]


def moderate_layers(plan: dict) -> list:
    """Theorem B.5's network as [(W rows, b)] from a plan with keys W1 (m x d rows), c0, shifts (one c_j
    per block), R, floor (Floor_n layers), mems (one integer memorizer per block) and layout.

    z = sigma(W1 x + c0) and I_j = Flatten(z + c_j) (Floor on each coordinate, base-R digits); the output
    is max(0, mem_1(I_1), ..., mem_B(I_B)) through the running max y <- y + sigma(mem_j(I_j) - y).
    layout "chain" is the paper's: block after block on the carried (z, y).  layout "indices" computes all
    B indices first (carrying z through the Flatten blocks only) and then runs the memorizers carrying the
    later indices: the same function, with fewer parameters when B <= m.  Carried indices pass through
    ReLUs, the identity wherever they are exact (non-negative)."""
    W1, c0, shifts, R = plan["W1"], plan["c0"], plan["shifts"], plan["R"]
    m, B = len(W1), len(shifts)
    flat = compose(parallel_copies(plan["floor"], m), affine([[fmpq(R) ** k for k in range(m)]]))
    net = [([list(r) for r in W1], list(c0)), (_eye(m), [ZERO] * m)]
    if plan["layout"] == "chain":
        net = compose(net, affine(_select(m, list(range(m)) + [None])))                    # (z, y = 0)
        for c, mem in zip(shifts, plan["mems"]):
            f = compose(compose([(_eye(m), list(c))], flat), mem)
            g = compose(affine(_select(m + 1, list(range(m)) + list(range(m + 1)))), carry(f, m + 1))
            net = compose(net, compose(g, _running_max(m + 2, list(range(1, m + 1)), 0, m + 1)))
        return compose(net, affine(_select(m + 1, [m])))
    for j, c in enumerate(shifts):                       # state (z, I_1..I_j)
        n = m + j
        f = compose([(_eye(m), list(c))], flat)
        step = compose(affine(_select(n, list(range(m)) + list(range(n)))), carry(f, n))   # -> (I, z, I_<)
        net = compose(net, compose(step, affine(_select(n + 1, list(range(1, n + 1)) + [0]))))
    net = compose(net, affine(_select(m + B, list(range(m, m + B)) + [None])))             # (I_1..I_B, y = 0)
    for j, mem in enumerate(plan["mems"]):               # state (I_j..I_B, y)
        n = B - j + 1
        g = carry(mem, n - 1)                                                               # -> (f, I_>, y)
        net = compose(net, compose(g, _running_max(n, list(range(1, n - 1)), 0, n - 1)))
    return net


def _running_max(n, keep, f, y):
    """Two layers on a state of n values: carry the registers ``keep``, then y <- y + sigma(v_f - y)."""
    hidden = _select(n, keep + [y]) + [[(ONE if c == f else -ONE if c == y else ZERO) for c in range(n)]]
    k = len(keep)
    out = _select(k + 2, list(range(k))) + [[ZERO] * k + [ONE, ONE]]
    return [(hidden, [ZERO] * (k + 2)), (out, [ZERO] * (k + 1))]


def sawtooth_layers(k: int) -> list:
    """f_k(t) = t - sum_{s<=k} g_s(t)/4^s as layers of a one-input network (registers t, [A], u1, u2)."""
    layers = [([[ONE], [ONE], [ONE]], [ZERO, ZERO, -HALF])]            # t, u1, u2
    have_A = False
    for s in range(1, k):
        q = fmpq(1, 4 ** s)
        # previous registers: t, [A], u1, u2 ; g = 2 u1 - 4 u2
        def row(t=ZERO, A=ZERO, u1=ZERO, u2=ZERO):
            return [t] + ([A] if have_A else []) + [u1, u2]
        W = [row(t=ONE), row(A=ONE, u1=2 * q, u2=-4 * q), row(u1=fmpq(2), u2=fmpq(-4)), row(u1=fmpq(2), u2=fmpq(-4))]
        layers.append((W, [ZERO, ZERO, ZERO, -HALF]))
        have_A = True
    q = fmpq(1, 4 ** k)
    out = [ONE] + ([-ONE] if have_A else []) + [-2 * q, 4 * q]
    layers.append(([out], [ZERO]))
    return layers


def yu_layers(plan: dict) -> list:
    """The full network as [(W rows, b)] from a plan with keys d, C, o, B, k, centres, labels, lo, hi."""
    d, C, k = plan["d"], plan["C"], plan["k"]
    o, B, lo, hi = plan["o"], plan["B"], plan["lo"], plan["hi"]
    centres, labels = plan["centres"], plan["labels"]
    span = hi - lo
    layers = []
    # first layer: X = sigma(x + o), A = 0
    W = [[ONE if j == i else ZERO for j in range(d)] for i in range(d)] + [[ZERO] * d for _ in range(C)]
    layers.append((W, list(o) + [ZERO] * C))
    prev = d + C              # width of the previous layer; its first d + C registers are X, A
    pending = None            # (label, index of the W unit in the previous layer)

    def carry_rows(extra_cols):
        rows = []
        for i in range(d + C):
            r = [ZERO] * prev
            r[i] = ONE
            if pending is not None and i == d + pending[0] - 1:
                r[pending[1]] = ONE
            rows.append(r)
        return rows

    for c, y in zip(centres, labels):
        # L1: X, A (+W), P = sigma(X - c), Q = sigma(c - X)
        rows = carry_rows(0)
        bias = [ZERO] * (d + C)
        for sgn in (1, -1):
            for j in range(d):
                r = [ZERO] * prev
                r[j] = fmpq(sgn)
                rows.append(r)
                bias.append(-sgn * c[j])
        layers.append((rows, bias))
        pending, prev = None, d + C + 2 * d
        # L2: X, A, T_j, U1_j, U2_j with t_j = (P_j + Q_j) / B
        rows, bias = carry_rows(0), [ZERO] * (d + C)
        for shift in (ZERO, ZERO, -HALF):
            for j in range(d):
                r = [ZERO] * prev
                r[d + C + j] = 1 / B
                r[d + C + d + j] = 1 / B
                rows.append(r)
                bias.append(shift)
        layers.append((rows, bias))
        prev = d + C + 3 * d
        has_S = False
        for s in range(1, k):
            q = fmpq(1, 4 ** s)
            base = d + C
            off = 4 if has_S else 3  # register groups after X, A: T, [S], U1, U2
            iT, iS, iU1, iU2 = base, (base + d if has_S else None), base + (off - 2) * d, base + (off - 1) * d
            rows, bias = carry_rows(0), [ZERO] * (d + C)
            for j in range(d):                       # T_j carried
                r = [ZERO] * prev
                r[iT + j] = ONE
                rows.append(r)
                bias.append(ZERO)
            for j in range(d):                       # S_j += g / 4^s
                r = [ZERO] * prev
                if has_S:
                    r[iS + j] = ONE
                r[iU1 + j] = 2 * q
                r[iU2 + j] = -4 * q
                rows.append(r)
                bias.append(ZERO)
            for shift in (ZERO, -HALF):              # U1 = sigma(g), U2 = sigma(g - 1/2)
                for j in range(d):
                    r = [ZERO] * prev
                    r[iU1 + j] = fmpq(2)
                    r[iU2 + j] = fmpq(-4)
                    rows.append(r)
                    bias.append(shift)
            layers.append((rows, bias))
            has_S, prev = True, d + C + 4 * d
        # L_V: V = sigma((B^2 sum_j f_j - lo) / span), f_j = T_j - S_j - (2 U1_j - 4 U2_j) / 4^k
        q = fmpq(1, 4 ** k)
        base = d + C
        off = 4 if has_S else 3
        iT, iS, iU1, iU2 = base, (base + d if has_S else None), base + (off - 2) * d, base + (off - 1) * d
        rows, bias = carry_rows(0), [ZERO] * (d + C)
        r = [ZERO] * prev
        for j in range(d):
            r[iT + j] = B * B / span
            if has_S:
                r[iS + j] = -B * B / span
            r[iU1 + j] = -2 * q * B * B / span
            r[iU2 + j] = 4 * q * B * B / span
        rows.append(r)
        bias.append(-lo / span)
        layers.append((rows, bias))
        prev = d + C + 1
        # L_W: W = sigma(1 - V)
        rows, bias = carry_rows(0), [ZERO] * (d + C)
        r = [ZERO] * prev
        r[d + C] = -ONE
        rows.append(r)
        bias.append(ONE)
        layers.append((rows, bias))
        prev = d + C + 1
        pending = (y, d + C)
    # final: M_c = sigma(1 - A_c), output sum_c c - sum_c c M_c
    rows, bias = [], []
    for cidx in range(C):
        r = [ZERO] * prev
        r[d + cidx] = -ONE
        if pending is not None and pending[0] == cidx + 1:
            r[pending[1]] = -ONE
        rows.append(r)
        bias.append(ONE)
    layers.append((rows, bias))
    layers.append(([[fmpq(-(c + 1)) for c in range(C)]], [fmpq(C * (C + 1) // 2)]))
    return layers


def yu_threshold_units(d: int, C: int, k: int, N: int) -> list:
    """(layer, unit) of each centre's V = sigma((S - lo) / (hi - lo)) and W = sigma(1 - V) in ``yu_layers``."""
    return [((i * (k + 3) + k + 2, d + C), (i * (k + 3) + k + 3, d + C)) for i in range(N)]
