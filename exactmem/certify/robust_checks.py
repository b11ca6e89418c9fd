"""Independent checks of end-to-end robust-memorization certificates.

Like ``checker``, this module imports no construction code: it has its own exact piece analysis of
one-input networks, its own composition of affine layers, and re-derives every inequality.
"""
from __future__ import annotations

from flint import fmpq, fmpq_mat

from ..errors import CertificateError
from ..verdict import Verdict
from .checker import (_data_object, _dataset, _floor, _matrix, evaluate, _min_sq_cross, _network, _vector, parse_rational,
                      register)
from .recipes import _eye, _matvec, compose, parallel_copies, sawtooth_layers, yu_layers

ZERO = fmpq(0)


def pieces_1d(layers, lo, hi):
    """Exact linear pieces (a, b, slope, intercept) of a one-input, one-output network on (lo, hi)."""
    cur = [(lo, hi, [fmpq(1)], [ZERO])]
    L = len(layers)
    for l, (W, b) in enumerate(layers):
        nxt = []
        for a, z, s, c in cur:
            zs = _matvec(W, s)
            zc = [u + v for u, v in zip(_matvec(W, c), b)]
            if l == L - 1:
                nxt.append((a, z, zs, zc))
                continue
            cuts = sorted({-ic / sl for sl, ic in zip(zs, zc) if sl != 0 and a < -ic / sl < z})
            bounds = [a] + cuts + [z]
            for u, w in zip(bounds, bounds[1:]):
                mid = (u + w) / 2
                on = [(sl * mid + ic) > 0 for sl, ic in zip(zs, zc)]
                nxt.append((u, w, [sl if o else ZERO for sl, o in zip(zs, on)],
                            [ic if o else ZERO for ic, o in zip(zc, on)]))
        cur = nxt
    return [(a, z, s[0], c[0]) for a, z, s, c in cur]


def floor_exact(layers, n, gamma):
    """None if the network equals floor(y) for all y in [0, 2^n) with frac(y) >= gamma, else a witness y."""
    top = fmpq(2 ** n)
    for a, z, s, c in pieces_1d(layers, fmpq(-1), top + 1):
        m0, m1 = max(0, _floor(a - gamma)), min(2 ** n - 1, _floor(z))
        for m in range(m0, m1 + 1):
            lo, hi = max(a, m + gamma), min(z, fmpq(m + 1))
            if lo > hi or (lo == hi and hi == m + 1):
                continue
            if lo == hi:
                if s * lo + c != m:
                    return lo
            elif s != 0 or c != m:
                return lo if s * lo + c != m else (lo + hi) / 2
    return None


def _robust_header(cert):
    """(points, labels, data, rho) of a robust-memorization certificate, with rho checked to lie in (0, 1)."""
    X, labels = _dataset(cert.get("dataset"))
    data = _data_object(cert, "robust-memorization")
    rho = parse_rational(data.get("rho"), "data.rho")
    if not (0 < rho < 1):
        raise CertificateError("data.rho must lie in (0, 1)")
    return X, labels, data, rho


def projection_rows(data, d):
    """(rows of data.W_full, whether they are exactly orthonormal); at least d columns required."""
    full = _matrix(data.get("W_full"), "data.W_full")
    m = len(full)
    if len(full[0]) < d:
        raise CertificateError("W_full has too few columns")
    F = fmpq_mat(full)
    return full, F * F.transpose() == fmpq_mat(_eye(m))


def grid_scalars(data):
    """(scale, r, gamma, R, n) of a grid certificate, validated: positive, gamma < 1, 2 <= R <= 2^n."""
    s, r, gamma = (parse_rational(data.get(key), f"data.{key}") for key in ("scale", "r", "gamma"))
    R, n = data.get("R"), data.get("n")
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (R, n)) or R < 2 or n < 1 or 2 ** n < R:
        raise CertificateError("data.R, data.n must be integers with 2 <= R <= 2^n")
    if not (s > 0 and 0 < gamma < 1 and r > 0):
        raise CertificateError("scale, r and gamma must be positive (gamma < 1)")
    return s, r, gamma, R, n


def grid_header(cert):
    """(X, labels, data, rho, mu^2, W_full rows, (scale, r, gamma, R, n)) of a grid certificate, or a
    refutation when W_full's rows are not exactly orthonormal."""
    X, labels, data, rho = _robust_header(cert)
    mu_sq = rho * rho * _min_sq_cross(X, labels) / 4
    full, orthonormal = projection_rows(data, len(X[0]))
    if not orthonormal:
        return Verdict.refuted("W_full does not have exactly orthonormal rows", {})
    return X, labels, data, rho, mu_sq, full, grid_scalars(data)


def _check_small_rho(cert) -> Verdict:
    head = grid_header(cert)
    if isinstance(head, Verdict):
        return head
    X, labels, data, rho, mu_sq, full, (s, r, gamma, R, n) = head
    N, d, m = len(X), len(X[0]), len(full)
    c = _vector(data.get("c"), m, "data.c")
    # (1) every ball maps into the open ball of radius r: ||s W v|| <= s ||v|| < s mu <= r
    if not s * s * mu_sq <= r * r:
        return Verdict.refuted(f"s^2 mu^2 = {s * s * mu_sq} > r^2 = {r * r}", {})
    W1 = [[s * full[i][j] for j in range(d)] for i in range(m)]
    # (2) cells with margin: coordinates of ball images stay in [k + gamma, k + 1), k in [0, R)
    owner, indices = {}, []
    for i, x in enumerate(X):
        z = [u + v for u, v in zip(_matvec(W1, x), c)]
        cell = tuple(_floor(v) for v in z)
        for j, (v, k) in enumerate(zip(z, cell)):
            if not (k + gamma <= v - r and v + r <= k + 1 and 0 <= k < R):
                return Verdict.refuted(f"ball {i}: coordinate {j} not inside its cell with margin", {"ball": i})
        if cell in owner and labels[owner[cell]] != labels[i]:
            return Verdict.refuted(f"balls {owner[cell]} and {i} share a cell with different labels", {})
        owner.setdefault(cell, i)
        indices.append(sum(k * R ** j for j, k in enumerate(cell)))
    # (3) the Floor block is floor(y) wherever frac(y) >= gamma on [0, 2^n) (own piece analysis)
    floor_layers = _network(data.get("floor"))
    if len(floor_layers[0][0][0]) != 1 or len(floor_layers[-1][0]) != 1:
        raise CertificateError("the floor block must have one input and one output")
    bad = floor_exact(floor_layers, n, gamma)
    if bad is not None:
        return Verdict.refuted(f"the floor block is wrong at y = {bad}", {"y": str(bad)})
    # (4) the memorizer returns y_i at every cell index
    mem = _network(data.get("memorizer"))
    out = [row[0] for row in evaluate(mem, [[fmpq(k)] for k in indices])]
    for i, (v, y) in enumerate(zip(out, labels)):
        if v != y:
            return Verdict.refuted(f"the memorizer gives {v} at the index of ball {i}, label {y}", {"ball": i})
    # (5) the certified network is exactly memorizer o Flatten o sigma(W1 x + c)
    first = [(W1, c), (_eye(m), [ZERO] * m)]
    flat = parallel_copies(floor_layers, m)
    flat = compose(flat, [([[fmpq(R) ** j for j in range(m)]], [ZERO])])
    expected = compose(compose(first, flat), mem)
    given = _network(cert.get("network"))
    if len(given) != len(expected) or any(gW != eW or gb != eb for (gW, gb), (eW, eb) in zip(given, expected)):
        return Verdict.refuted("the certificate's network is not memorizer o Flatten o first layer", {})
    return Verdict.proved(
        f"for x in B(x_i, mu): ||W1 x + c - z_i|| < s mu <= {r}; each coordinate stays in [k + {gamma}, k + 1) of "
        f"its cell (so the ReLU is the identity and Floor is exact, proved on its pieces); Flatten gives the cell "
        f"index; the memorizer maps the {len(set(indices))} indices to their labels; the network is exactly "
        f"this composition. Hence f = y_i on every open ball, N = {N}, rho = {rho}.")


register("robust-memorization-small-rho", _check_small_rho)


def _check_large_rho(cert) -> Verdict:
    X, labels, data, rho = _robust_header(cert)
    N, d = len(X), len(X[0])
    k, C, m = data.get("k"), data.get("C"), data.get("d")
    if not all(isinstance(v, int) and not isinstance(v, bool) and v >= 1 for v in (k, C, m)):
        raise CertificateError("data.k, data.C, data.d must be positive integers")
    if C != max(labels) or sorted(set(labels)) != list(range(1, C + 1)):
        raise CertificateError("data.C does not match the labels")
    eps_sq = _min_sq_cross(X, labels) / 4
    mu_sq = rho * rho * eps_sq
    B, lo, hi = (parse_rational(data.get(key), f"data.{key}") for key in ("B", "lo", "hi"))
    o = _vector(data.get("o"), m, "data.o")
    W = None
    if "W_full" in data:  # projection first: W = first d columns of a matrix with orthonormal rows
        full, orthonormal = projection_rows(data, d)
        if len(full) != m:
            raise CertificateError("data.W_full must have data.d rows and at least d columns")
        if not orthonormal:
            return Verdict.refuted("W_full does not have exactly orthonormal rows", {})
        W = [row[:d] for row in full]
        Y = [_matvec(W, x) for x in X]
        e2 = _min_sq_cross(Y, labels) / 4          # eps of the projected data
        e_lo, m_hi = parse_rational(data.get("eps_lo"), "data.eps_lo"), parse_rational(data.get("mu_hi"), "data.mu_hi")
        if not (e_lo >= 0 and e_lo * e_lo <= e2 and m_hi >= 0 and m_hi * m_hi >= mu_sq and 2 * e_lo > m_hi):
            return Verdict.refuted("the enclosures of the projected eps and of mu do not hold", {})
        far = (2 * e_lo - m_hi) ** 2               # <= (2 eps'' - mu)^2
        centres = Y
    else:
        if m != d:
            raise CertificateError("data.d must equal the data dimension")
        far = (2 - rho) ** 2 * eps_sq               # = (2 eps - mu)^2
        centres = X
    conds = [(hi <= far, "hi <= (2 eps - mu)^2"), (B > 0 and B * B >= hi, "B^2 >= hi"),
             (lo >= mu_sq + m * B * B / 4 ** (k + 1), "lo >= mu^2 + d B^2 4^-(k+1)"), (lo < hi, "lo < hi")]
    for ok, what in conds:
        if not ok:
            return Verdict.refuted(f"condition fails: {what}", {})
    # the offset makes every coordinate positive on every (projected) ball: z_ij + o_j > mu
    for i, z in enumerate(centres):
        for j, v in enumerate(z):
            if not (v + o[j] > 0 and (v + o[j]) ** 2 > mu_sq):
                return Verdict.refuted(f"ball {i}: coordinate {j} is not positive after the offset", {"ball": i})
    # Yarotsky's square on its pieces: t^2 <= f <= t^2 + 4^-(k+1) on [0, 1]; f >= 1 and non-decreasing beyond
    err = fmpq(1, 4 ** (k + 1))
    for a, z, s, c in pieces_1d(sawtooth_layers(k), ZERO, fmpq(2)):
        if a < 1:
            b = min(z, fmpq(1))
            cand = [a, b] + ([s / 2] if a < s / 2 < b else [])
            if any(s * t + c < t * t for t in (a, b)) or any(s * t + c - t * t > err for t in cand):
                return Verdict.refuted("the square approximation is outside [t^2, t^2 + 4^-(k+1)]", {})
        if z > 1 and (s < 0 or s * max(a, fmpq(1)) + c < 1):
            return Verdict.refuted("the square approximation drops below 1 beyond t = 1", {})
    last = pieces_1d(sawtooth_layers(k), fmpq(2), fmpq(3))
    if len(last) != 1 or last[0][2] < 0:  # beyond t = 2 the chain is dead: one non-decreasing affine piece
        return Verdict.refuted("the square approximation is not affine non-decreasing beyond t = 2", {})
    # the network is exactly the recipe for this plan (after x -> W x when projecting)
    plan = {"d": m, "C": C, "o": o, "B": B, "k": k, "lo": lo, "hi": hi,
            "centres": [[v + oj for v, oj in zip(z, o)] for z in centres], "labels": labels}
    expected = yu_layers(plan)
    if W is not None:
        expected = compose([(W, [ZERO] * m)], expected)
    given = _network(cert.get("network"))
    if len(given) != len(expected) or any(gW != eW or gb != eb for (gW, gb), (eW, eb) in zip(given, expected)):
        return Verdict.refuted("the certificate's network is not the recipe for its plan", {})
    proj = "W is 1-Lipschitz (orthonormal rows), so W x lies in B(W x_i, mu); " if W is not None else ""
    return Verdict.proved(
        f"for x in B(x_i, mu): {proj}the offset keeps coordinates positive; S_i <= mu^2 + d B^2 4^-(k+1) <= lo so "
        f"T_i = 1; for y_j != y_i the distance to centre j exceeds 2 eps - mu, so S_j >= hi and T_j = 0; hence the "
        f"output is y_i (N = {N}, rho = {rho}, k = {k}).")


register("robust-memorization-large-rho", _check_large_rho)
