"""The kernel's linear-bounds computation against the per-row code it replaced (issue 21, faster leaves).

The kernel once kept each row's scale sigma_r and constant c_r as one python-flint rational per row, updated row
by row; it now keeps sigma_r = S 2^(e_r) (one rational, an integer exponent per row) and the constants as integer
terms summed once (``backsub.Sums``), a leaf's layer bounds as integers over one denominator, and the unit rows'
first step once per network.  None of that may change a number: below, the old code is kept verbatim as a slow
reference (``_R*``, written for one row at a time with fmpq), and on random networks (non-dyadic weights, weights
of 1 to 300 bits, zero rows), boxes, splits, alpha and beta hints (1e-300 .. 1e300) and precisions, every
relaxation the kernel builds on a leaf (slopes, intercepts, kappa, sum min(0, lo), unstable units, emptiness) and
every goal bound must be *equal* to the reference's.  Equal values mean the soundness argument of the old code
carries over unchanged.
"""
import random
from math import gcd

import numpy as np
import pytest
from flint import fmpq, fmpq_mat

from exactmem import ReLUNet
from exactmem.kernel import backsub, bounds

_Z = fmpq(0)
K, PB = backsub.K, backsub.PB


# -- the reference: the kernel's code before the change (per row, fmpq), names prefixed ---------------------------

class _RLayer:
    def __init__(self, N, tau, B, nu):
        width = backsub.limb_width(N.shape[0])
        self.width, self.N = backsub.split(N, width)
        self.b = backsub.split(B.reshape(1, -1), width)[1]
        self.tau, self.nu = tau, nu


def _r_rowsum(parts, width):
    out = [0] * len(parts[0])
    for k, p in enumerate(parts):
        for r, v in enumerate(p):
            out[r] += int(v) << (width * k)
    return out


def _r_bias(M, sigma, c, layer):
    parts = [M @ bl[0] for bl in layer.b]
    for r, v in enumerate(_r_rowsum(parts, layer.width)):
        if v:
            c[r] += sigma[r] * layer.nu * v


def _r_times(M, sigma, layer):
    parts = [M @ Nk for Nk in layer.N]
    if parts[0].size:
        mags = [np.abs(p).max(axis=1) for p in parts]
        top = np.max([np.where(m > 0, np.frexp(m)[1] + layer.width * k, 0) for k, m in enumerate(mags)], axis=0)
        shift = np.maximum(0, top + backsub.bits(len(parts)) - K).astype(np.int64)
    else:
        shift = np.zeros(M.shape[0], dtype=np.int64)
    out = np.zeros_like(parts[0])
    for k, p in enumerate(parts):
        e = (layer.width * k - shift)[:, None]
        tiny = e < -1000
        out += np.where(tiny, np.where(p < 0, -1.0, 0.0), np.floor(np.ldexp(p, np.where(tiny, 0, e))))
    for r in range(M.shape[0]):
        sigma[r] = sigma[r] * layer.tau * (fmpq(2) ** int(shift[r]))
    floored = np.minimum(len(parts), -(-shift // layer.width))
    return out, [int(v) for v in floored]


def _r_keep(M, sigma, c, lmin):
    big = np.abs(M).max(axis=1) if M.size else np.zeros(M.shape[0])
    shift = np.maximum(0, np.frexp(big)[1] - K).astype(np.int64)
    if not shift.any():
        return M
    M = np.floor(np.ldexp(M, -shift[:, None]))
    for r in np.flatnonzero(shift):
        step = fmpq(2) ** int(shift[r])
        c[r] += sigma[r] * step * lmin
        sigma[r] = sigma[r] * step
    return M


def _r_lcm(values):
    d = 1
    for v in values:
        d = d * int(v.q) // gcd(d, int(v.q))
    return d


def _r_gcd(a):
    g = 0
    for v in a.ravel():
        g = gcd(g, int(v))
    return g or 1


class _RNet:
    def __init__(self, d, layers):
        self.layers, self.Wp, self.Wn, self.b = [], [], [], []
        width = d
        for rows, bias in layers:
            D, E = _r_lcm([w for row in rows for _, w in row]), _r_lcm(bias)
            N = np.zeros((len(rows), width), dtype=object)
            Wp, Wn = fmpq_mat(len(rows), width), fmpq_mat(len(rows), width)
            for i, row in enumerate(rows):
                for j, w in row:
                    N[i, j] = int(w.p) * (D // int(w.q))
                    (Wp if w > 0 else Wn)[i, j] = w
            B = np.array([int(t.p) * (E // int(t.q)) for t in bias], dtype=object)
            g, h = _r_gcd(N), _r_gcd(B)
            self.layers.append(_RLayer(N // g, fmpq(g, D), B // h, fmpq(h, E)))
            self.Wp.append(Wp)
            self.Wn.append(Wn)
            self.b.append(list(bias))
            width = len(rows)
        self.L = len(layers)


def _r_down(q, bits):
    if q == 0:
        return q
    p, r = int(q.p), int(q.q)
    e = bits - (abs(p).bit_length() - r.bit_length())
    return fmpq((p << e) // r, 1 << e) if e >= 0 else fmpq((p // (r << -e)) << -e)


def _r_up(q, bits):
    return -_r_down(-q, bits)


def _r_interval(net, k, lo, hi):
    lo_c, hi_c = fmpq_mat(len(lo), 1, lo), fmpq_mat(len(hi), 1, hi)
    a = (net.Wp[k] * lo_c + net.Wn[k] * hi_c).entries()
    b = (net.Wp[k] * hi_c + net.Wn[k] * lo_c).entries()
    return [x + t for x, t in zip(a, net.b[k])], [x + t for x, t in zip(b, net.b[k])]


class _RRelax:
    def __init__(self, lo, up_, inner=()):
        one, A, S, icp = 1 << PB, [], [], []
        for l, u in zip(lo, up_):
            if u <= 0:
                a = s = 0
                c = _Z
            elif l >= 0:
                a, s, c = one, one, _Z
            else:
                ch = u / (u - l)
                s = min(one, -((-int(ch.p) * one) // int(ch.q)))
                a = one if u >= -l else 0
                c = -fmpq(s, one) * l
            A.append(a)
            S.append(s)
            icp.append(c)
        room = backsub.SAFE - K - 1 - backsub.bits(len(lo))
        top = max(icp)
        e = 2 * room - 2 - (int(top.p).bit_length() - int(top.q).bit_length()) if top > 0 else 0
        self.kappa = fmpq(2) ** e
        ints = [-((-int(c.p) * int(self.kappa.p)) // (int(c.q) * int(self.kappa.q))) for c in icp]
        assert max(ints) < 1 << (2 * room)
        self.room = room
        self.I = [np.array([float(v >> room) for v in ints]), np.array([float(v & ((1 << room) - 1)) for v in ints])]
        self.A, self.S = np.array(A, dtype=np.float64), np.array(S, dtype=np.float64)
        self.lmin = sum((l for l in lo if l < 0), _Z)
        self.open = [j for j, (l, u) in enumerate(zip(lo, up_)) if l < 0 < u]
        self.A_in = self.A.copy()                   # later layers' lower slopes: split units' unsplit ones
        for j, a in inner:
            if lo[j] >= 0 or up_[j] <= 0:
                self.A_in[j] = float(a * one)

    def with_alpha(self, alpha):
        out = object.__new__(_RRelax)
        out.__dict__.update(self.__dict__)
        out.A = self.A.copy()
        for j, al in alpha.items():
            if j in set(self.open):
                out.A[j] = float((int(al.p) * (1 << PB)) // int(al.q))
        return out


def _r_back(net, rows, scale, c, top, relax, lo, hi, beta=None, inner=False):
    M = np.array(rows, dtype=np.float64).reshape(len(rows), -1)
    c, sigma = list(c), list(scale)
    for t in range(top, -1, -1):
        layer = net.layers[t]
        _r_bias(M, sigma, c, layer)
        M, limbs = _r_times(M, sigma, layer)
        if t == 0:
            break
        R = relax[t - 1]
        pos = M > 0
        negative = np.where(pos, 0.0, M)
        hi_, lo_ = negative @ R.I[0], negative @ R.I[1]
        for r in range(len(c)):
            v = (int(hi_[r]) << R.room) + int(lo_[r])
            if v:
                c[r] += sigma[r] * v / R.kappa
        M = np.where(pos, M * (R.A_in if inner else R.A), M * R.S)
        unit = fmpq(1, 1 << PB)
        sigma = [sg * unit for sg in sigma]
        for j, w in (beta or {}).get(t - 1, {}).items():
            for r in range(M.shape[0]):
                q = fmpq(int(M[r, j])) - w / sigma[r]
                row = [int(v) for v in M[r]]
                row[j] = int(q.p) // int(q.q)
                shift = max(0, max(backsub.bits(abs(v)) for v in row) - K)
                c[r] += sigma[r] * ((1 << shift) + 1) * R.lmin
                sigma[r] = sigma[r] * (1 << shift)
                M[r] = [v >> shift for v in row]
        M = _r_keep(M, sigma, c, R.lmin)
    lmin = sum((v for v in lo if v < 0), _Z)
    for r in range(M.shape[0]):
        if limbs[r]:
            c[r] += sigma[r] * limbs[r] * lmin
    return _r_over_box(M, sigma, c, lo, hi)


def _r_over_box(M, sigma, c, lo, hi):
    """Exact at every size (the kernel rounded a box of more than 40,000 row x input entries outward until
    2026-12-03; it now splits the box into limbs and is exact, as this reference always was for small ones)."""
    n, d = M.shape
    out = []
    for r in range(n):
        tot = _Z
        for j in np.flatnonzero(M[r]):
            v = int(M[r, j])
            tot += v * (lo[j] if v > 0 else hi[j])
        out.append(c[r] + sigma[r] * tot)
    return out


def _r_leaf_bounds(net, lo_in, hi_in, splits, bits):
    relax, lo, hi = [], lo_in, hi_in
    for k in range(net.L - 1):
        l, u = _r_interval(net, k, lo, hi)
        crown = 0 < k and len(l) <= bounds.CROWN_WIDTH
        lows = [j for j in range(len(l)) if l[j] < 0 < u[j]] if crown else []
        ups = [j for j in range(len(l)) if u[j] > 0] if crown else []
        if lows or ups:
            rows = np.zeros((len(lows) + len(ups), len(l)))
            for r, j in enumerate(lows):
                rows[r, j] = 1
            for r, j in enumerate(ups):
                rows[len(lows) + r, j] = -1
            n = len(rows)
            found = _r_back(net, rows, [fmpq(1)] * n, [_Z] * n, k, relax, lo_in, hi_in)
            if any((R.A_in != R.A).any() for R in relax):       # and with the split units' unsplit slopes
                found = [max(a, b) for a, b in zip(found, _r_back(net, rows, [fmpq(1)] * n, [_Z] * n, k, relax,
                                                                  lo_in, hi_in, inner=True))]
            for r, j in enumerate(lows):
                l[j] = max(l[j], found[r])
            for r, j in enumerate(ups):
                u[j] = min(u[j], -found[len(lows) + r])
        inner = [(j, 1 if u[j] >= -l[j] else 0) for j in splits.get(k, {}) if l[j] < 0 < u[j]]
        for j, s in splits.get(k, {}).items():
            if s > 0:
                l[j] = max(l[j], _Z)
            else:
                u[j] = min(u[j], _Z)
        if any(a > b for a, b in zip(l, u)):
            return relax, True
        l, u = [_r_down(v, bits) for v in l], [_r_up(v, bits) for v in u]
        relax.append(_RRelax(l, u, inner))
        lo, hi = [max(v, _Z) for v in l], [max(v, _Z) for v in u]
    return relax, False


# -- the comparison --------------------------------------------------------------------------------------------

def _same_relax(new, old):
    assert (new.A == old.A).all() and (new.S == old.S).all() and (new.A_in == old.A_in).all()
    assert all((a == b).all() for a, b in zip(new.I, old.I))
    assert (new.kappa, new.lmin, new.room, list(new.open)) == (old.kappa, old.lmin, old.room, old.open)


def _weight(rng, big, dens):
    w = fmpq(rng.randint(-9, 9), rng.choice(dens))
    if big and rng.random() < 0.3:
        w *= fmpq(2) ** rng.choice([-500, -300, -60, 40, 100, 300, 500])     # 2^+-500: limbs of over 900 bits
    if big and rng.random() < 0.1:
        w = fmpq(rng.randrange(-(1 << 200), 1 << 200), rng.randrange(1, 1 << 100))
    return w


def _case(seed):
    rng = random.Random(seed)
    d, big, dens = rng.randint(1, 4), rng.random() < 0.5, rng.choice([[1, 3, 7], [1, 2, 4], [1]])  # dyadic or not
    dims = [d] + [rng.randint(1, 7) for _ in range(rng.randint(1, 4))] + [rng.randint(1, 3)]
    net = ReLUNet([([[_weight(rng, big, dens) for _ in range(a)] if rng.random() > 0.1 else [0] * a for _ in range(b)],
                    [_weight(rng, big, dens) for _ in range(b)]) for a, b in zip(dims, dims[1:])])
    return rng, d, dims, net, dens


@pytest.mark.parametrize("seed", range(120))
def test_every_relaxation_and_goal_bound_equals_the_per_row_reference(seed, monkeypatch):
    """Random leaves (some empty), splits on random units, precision 8, 32 or 1024; unit rows from the per-network
    cache or built per leaf (``UNIT_CACHE`` 0 on odd seeds): the relaxations per layer are identical, and so is the
    bound of every goal row (random integer rows below 2^K over a random denominator, a constant, alpha and beta
    hints) through the whole network."""
    rng, d, dims, net, dens = _case(seed)
    if seed % 2:
        monkeypatch.setattr(bounds, "UNIT_CACHE", 0)
    layers = net.sparse_layers()
    new, old = bounds.Net(d, layers), _RNet(d, layers)
    widths = dims[1:-1]
    for _ in range(4):
        lo = [fmpq(rng.randint(-9, 3), rng.choice(dens + [10])) for _ in range(d)]
        hi = [a + fmpq(rng.choice([0, 1, 2, 7]), rng.choice(dens)) for a in lo]
        splits = {}
        for _ in range(rng.choice([0, 0, 1, 2])):
            l = rng.randrange(len(widths))
            splits.setdefault(l, {})[rng.randrange(widths[l])] = rng.choice([1, -1])
        bits = rng.choice([8, 32, 1024])
        rn, en = bounds.leaf_bounds(new, lo, hi, splits, bits)
        ro, eo = _r_leaf_bounds(old, lo, hi, splits, bits)
        assert en == eo and len(rn) == len(ro)
        for a, b in zip(rn, ro):
            _same_relax(a, b)
        if en:
            continue
        alpha = {l: {rng.randrange(w): fmpq(rng.choice([0, 1, 1, 3]), 3)} for l, w in enumerate(widths)
                 if rng.random() < 0.5}
        rn = [R.with_alpha(alpha.get(k, {})) for k, R in enumerate(rn)]
        ro = [R.with_alpha(alpha.get(k, {})) for k, R in enumerate(ro)]
        beta = {l: {j: rng.choice([fmpq(1, 3), fmpq(7), fmpq(1, 10 ** 300), fmpq(10 ** 300)]) * s
                    for j, s in g.items() if rng.random() < 0.7} for l, g in splits.items()}
        g = [rng.choice([0, rng.randrange(-(1 << K), 1 << K)]) for _ in range(dims[-1])]
        D, h = rng.choice([1, 3, 1 << 20]), fmpq(rng.randint(-99, 99), rng.choice([1, 7]))
        B = backsub.Rows(np.array([g], dtype=np.float64), fmpq(1, D), [h])
        got = bounds._back(new, B, new.L - 1, rn, bounds.Box(lo, hi), beta).values()
        assert got == _r_back(old, [g], [fmpq(1, D)], [h], old.L - 1, ro, lo, hi, beta)


def test_a_wide_final_product_equals_the_reference():
    """More than 40,000 rows x inputs (the box split into limbs): the same bounds as the reference, rows
    with their own powers of two in sigma."""
    rng = random.Random(5)
    n, d = 210, 200
    M = np.array([[rng.randrange(-(1 << 31) + 1, 1 << 31) for _ in range(d)] for _ in range(n)], dtype=np.float64)
    lo = [fmpq(rng.randint(-900, 900), rng.choice([1, 3, 7, 1000])) for _ in range(d)]
    hi = [a + fmpq(rng.randint(0, 900), rng.choice([1, 7, 11])) for a in lo]
    S, e, c = fmpq(5, 7), [rng.randint(-40, 40) for _ in range(n)], [fmpq(rng.randint(-9, 9), 3) for _ in range(n)]
    rows = backsub.Rows(M.copy(), S, c)
    rows.e = np.array(e, dtype=np.int64)
    bounds._over_box(rows, bounds.Box(lo, hi))
    assert rows.c.values() == _r_over_box(M, [S * fmpq(2) ** v for v in e], c, lo, hi)
