"""Sizes as claims: an independent count of parameters, depth, width and bits, and exactmem's documented
size bounds (docs/sizes.md, "Size bounds asserted by the claims").

Everything here is counted from the network's own matrices, not from ``ReLUNet.param_count``, ``dims``
or ``bit_complexity``: the claims compare the library's count with this one, so a wrong count in the
library is REFUTED rather than trusted.

A bound is ``a * sqrt(X) + b`` with rationals a, X, b (a = 0 for a plain number); ``holds(v)`` decides
``v <= a sqrt(X) + b`` exactly by squaring.

>>> from exactmem import ReLUNet
>>> net = ReLUNet([([[1, 2], [3, 4], [5, 6]], [0, 0, 1]), ([[1, 1, 1]], [0])])
>>> eq3(net), depth(net), width(net), nonzero(net)          # (2+1)3 + (3+1)1; 6 + 1 + 3 nonzero
(13, 2, 3, 10)
>>> Bound(2, 9, 1).holds(7), Bound(2, 9, 1).holds(8)        # 7 <= 2 sqrt 9 + 1 < 8
(True, False)
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from flint import fmpq

from exactmem import Verdict, all_of


# -- independent counts ---------------------------------------------------------------------------------

def eq3(net) -> int:
    """The paper's Eq. (3), counted from the matrices: every entry of every W_l and b_l, zeros included."""
    return sum(W.nrows() * W.ncols() + b.nrows() for W, b in net.layers)


def depth(net) -> int:
    """L, the number of affine layers."""
    return len(net.layers)


def width(net) -> int:
    """The largest number of rows of a hidden layer (0 for an affine map)."""
    return max((W.nrows() for W, _ in net.layers[:-1]), default=0)


def nonzero(net) -> int:
    """Nonzero weights and biases (Appendix E's count), counted entry by entry."""
    return sum(sum(1 for v in W.entries() if v != 0) + sum(1 for v in b.entries() if v != 0) for W, b in net.layers)


def fixed_point_bits(values) -> int | None:
    """Least I + F such that every value is s k / 2^F with |value| <= 2^I (None if a denominator is not a
    power of two): the bits per parameter of one common fixed-point format, sign not counted."""
    I = F = 0
    for v in values:
        q = int(v.q)
        if q & (q - 1):
            return None
        F = max(F, q.bit_length() - 1)
        a = abs(v)
        if a > 1:
            c = -((-int(a.p)) // int(a.q))            # ceil |v|
            I = max(I, (c - 1).bit_length())
    return I + F


def bits(net, first: int = 0, stop: int | None = None) -> int | None:
    """Fixed-point bit complexity of the layers ``first`` .. ``stop - 1`` (all by default)."""
    return fixed_point_bits(v for W, b in net.layers[first:stop] for v in list(W.entries()) + list(b.entries()))


def data_fraction_bits(D) -> int | None:
    """The largest exponent F with a coordinate of denominator 2^F (None if some denominator is not a power of 2)."""
    F = 0
    for v in D.points.entries():
        q = int(v.q)
        if q & (q - 1):
            return None
        F = max(F, q.bit_length() - 1)
    return F


def first_layer_bits_bound(D, rho, group: int, n: int) -> "Bound":
    """The first layer sigma(s W x + c) with s <= 1/(4 group mu) rounded to 40 significant bits, W dyadic of at
    most 2 log2(d) + 2 fractional bits (identity or SRHT), c = K - b with b a midpoint of the scaled data: at most
    41 + bitlen(ceil(4 group mu)) + 2 log2(d) + F_X + n + 4 bits (F_X: the data's fractional bits)."""
    u = math.isqrt(int((16 * group * group * D.mu_sq(rho)).p // (16 * group * group * D.mu_sq(rho)).q)) + 1
    F = data_fraction_bits(D)
    return Bound(b=41 + u.bit_length() + 2 * D.d.bit_length() + (F or 0) + n + 4)


# -- bounds -------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Bound:
    """a sqrt(X) + b, exact rationals (a, X >= 0)."""

    a: object = 0
    X: object = 0
    b: object = 0

    def __post_init__(self):
        for k in ("a", "X", "b"):
            object.__setattr__(self, k, fmpq(getattr(self, k)))

    def holds(self, v) -> bool:
        v = fmpq(v)
        lhs = v - self.b
        return lhs <= 0 or lhs * lhs <= self.a * self.a * self.X

    def plus(self, c) -> "Bound":
        return Bound(self.a, self.X, self.b + fmpq(c))

    def value(self) -> float:
        """For messages only."""
        return float(self.a) * math.sqrt(float(self.X)) + float(self.b)

    def __str__(self):
        if self.a == 0:
            return str(self.b)
        return f"{self.a} sqrt({self.X}) + {self.b} = {self.value():.6g}"


def b10_bounds(n_points: int, code_bits: int, label_bits: int) -> dict:
    """exactmem's documented sizes of the integer memorizer (Lemma B.10) for N points with codes of
    code_bits bits and labels of label_bits bits, L = max of the two, X = N (L + 2):
    params <= 170 sqrt X + 120 (L + 2) + 60, depth <= 6 sqrt X + 4 (L + 2) + 3, bits <= sqrt(2X) + L + 4,
    width <= 12 (the lemma's)."""
    L = max(code_bits, label_bits)
    X = n_points * (L + 2)
    return {"params": Bound(170, X, 120 * (L + 2) + 60), "depth": Bound(6, X, 4 * (L + 2) + 3),
            "bits": Bound(1, 2 * X, L + 4), "width": Bound(b=12)}


def natural_bits(n: int) -> int:
    """Bits of a natural n (at least 1), the code width of the integer memorizer."""
    return max(1, int(n).bit_length())


def size_verdict(net, bounds: dict, what: str = "") -> Verdict:
    """Compare the library's parameter count with the independent Eq. (3) count, then every measured
    quantity in ``bounds`` (params, depth, width, bits, bits_first, bits_after_first, nonzero) with its Bound."""
    measured = {"params": eq3(net), "depth": depth(net), "width": width(net)}
    if "nonzero" in bounds:
        measured["nonzero"] = nonzero(net)
    if "bits" in bounds:
        measured["bits"] = bits(net)
    if "bits_after_first" in bounds:
        measured["bits_after_first"] = bits(net, 1)
    if "bits_first" in bounds:
        measured["bits_first"] = bits(net, 0, 1)
    lib = net.param_count()
    parts = [Verdict.from_exact(lib == measured["params"],
                                f"ReLUNet.param_count() = {lib} vs Eq. (3) from the matrices = {measured['params']}",
                                witness={"param_count": lib, "eq3": measured["params"]}),
             Verdict.from_exact((net.depth, net.width) == (measured["depth"], measured["width"]),
                                f"ReLUNet depth, width = {net.depth}, {net.width} vs counted from the matrices = "
                                f"{measured['depth']}, {measured['width']}",
                                witness={"library": [net.depth, net.width], "counted": [measured["depth"], measured["width"]]})]
    for key, bound in bounds.items():
        v = measured[key]
        if v is None:
            parts.append(Verdict.refuted(f"{key}: some weight has no fixed-point form", {key: None}))
            continue
        parts.append(Verdict.from_exact(bound.holds(v), f"{key} {v} <= {bound}",
                                        witness={key: v, "bound": str(bound)}))
    text = ", ".join(f"{k} {v}" for k, v in measured.items())
    return all_of(parts, f"{what}: {text}" if what else text)


# -- the constructions' bounds, as functions of (N, d, C, rho) and the data's aspect ratio -----------------------

def box_diameter_sq(D) -> fmpq:
    """sum_j (max_i x_ij - min_i x_ij)^2 >= max_{i,j} ||x_i - x_j||^2: after any map with orthonormal rows,
    every coordinate of the projected data spreads by at most its square root."""
    cols = D.points.transpose().tolist()
    return sum(((max(c) - min(c)) ** 2 for c in cols), fmpq(0))


def grid_bits_max(D, rho, group: int) -> int:
    """An upper bound on n = bitlen(R - 1) for a grid of balls of radius 1/(4 group) built with a scale
    s <= 1/(4 group mu): every digit lies in [0, s diam + 3), so R <= floor(sqrt(diam^2 / (16 group^2 mu^2))) + 3."""
    q = box_diameter_sq(D) / (16 * group * group * D.mu_sq(rho))
    r_max = math.isqrt(int(q.p // q.q)) + 3
    return max(1, (r_max - 1).bit_length())


def group_of(N: int, d: int, rho) -> int:
    """Theorem B.5's group size, from (N, d, rho) alone: the largest g with 25 g^2 rho^2 d <= 1 (g <= 1/(5 rho sqrt d),
    the paper's ceil(N^alpha)), capped at N and at least 1."""
    rho = fmpq(rho)
    q = 1 / (25 * rho * rho * d)
    g = math.isqrt(int(q.p // q.q))          # floor(sqrt q) = isqrt(floor q)
    return max(1, min(g, N))


def small_bounds(N: int, d: int, C: int, m: int, n: int) -> dict:
    """Theorem B.3's network sigma(W1 x + c) -> Flatten (m Floor_n of width 4) -> integer memorizer of at most
    N cell indices of m n bits: params <= (d+1) m + 4 m n (4m + 1) + 12 m + B10, depth <= n + 1 + B10,
    width <= max(4m, 12), bits after the first layer <= B10 + m n + bitlen(4N) + 2."""
    mem = b10_bounds(N, m * n, natural_bits(C))
    return {"params": mem["params"].plus((d + 1) * m + 4 * m * n * (4 * m + 1) + 12 * m),
            "depth": mem["depth"].plus(n + 1), "width": Bound(b=max(4 * m, 12)),
            "bits_after_first": mem["bits"].plus(m * n + natural_bits(4 * N) + 2)}


def moderate_bounds(N: int, d: int, C: int, m: int, n: int, g: int, t: int) -> dict:
    """Theorem B.5's network with B = ceil(N/g) blocks (either layout): per block a Flatten with the carried
    registers (width <= 6m + 1) and an integer memorizer (width <= 10) of at most g indices of m n bits with at
    most m + 1 carried registers: params <= (d+1) m + B [(n+1)(6m+2) max(6m+1, m+11) + (D10 + 2)(m+12)(m+11)]
    + (m + B + 3)^2, depth <= B (n + D10 + 2) + 3, width <= max(6m + 1, m + 14), bits after the first
    layer <= B10 bits + m n + bitlen(t) + 2."""
    B = -(-N // g)
    mem = b10_bounds(g, m * n, natural_bits(C))
    D10 = mem["depth"]
    flat = (n + 1) * (6 * m + 2) * max(6 * m + 1, m + 11)
    k = (m + 12) * (m + 11)
    params = Bound(B * k * D10.a, D10.X, (d + 1) * m + B * (flat + k * (D10.b + 2)) + (m + B + 3) ** 2)
    return {"params": params, "depth": Bound(B * D10.a, D10.X, B * (n + D10.b + 2) + 3),
            "width": Bound(b=max(6 * m + 1, m + 14)),
            "bits_after_first": mem["bits"].plus(m * n + natural_bits(t) + 2), "blocks": B}


def yu_k_ok(k: int, m: int, r_sq) -> bool:
    """Yu's square depth k (least k with m B^2 4^-(k+1) <= (hi - mu^2)/2, B^2 ~ hi = (2 eps - mu)^2) satisfies
    k = 1 or 4^k (1 - r) < 3 m, r = mu / eps the ball radius over the separation (r^2 given exactly)."""
    if k == 1:
        return True
    lhs = 1 - fmpq(3 * m, 4 ** k)            # 4^k (1 - r) < 3m  <=>  1 - 3m / 4^k < r
    return lhs <= 0 or lhs * lhs < fmpq(r_sq)


def yu_bounds(N: int, d_in: int, m: int, C: int, k: int) -> dict:
    """Yu-style network of Theorem B.14 / Lemma D.2 on m coordinates after an input map R^d_in -> R^m:
    params <= (d_in+1)(m+C) + N (k+3)(5m+C+1)(5m+C) + (m+C+2) C + C + 1, depth = N (k+3) + 3,
    width <= 5m + C, nonzero <= (d_in+1) m + N (k+3)(16m + C + 2) + 4C + 1 (Lemma E.3's O(N d k))."""
    return {"params": Bound(b=(d_in + 1) * (m + C) + N * (k + 3) * (5 * m + C + 1) * (5 * m + C) + (m + C + 2) * C
                            + C + 1),
            "depth": Bound(b=N * (k + 3) + 3), "width": Bound(b=5 * m + C),
            "nonzero": Bound(b=(d_in + 1) * m + N * (k + 3) * (16 * m + C + 2) + 4 * C + 1)}


def height(q) -> int:
    """bitlen |p| + bitlen q of a rational p/q."""
    q = fmpq(q)
    return int(abs(q.p)).bit_length() + int(q.q).bit_length()


def max_height(net, first: int = 0) -> int:
    """The largest height of a parameter in the layers from ``first`` on (for weights with no fixed-point form)."""
    return max((height(v) for W, b in net.layers[first:] for v in list(W.entries()) + list(b.entries())), default=0)


def yu_height_bound(D, rho, k: int) -> Bound:
    """The Yu-style network's weights (offsets, centres, 1/B, B^2/(hi - lo), lo/(hi - lo)) are built from the data,
    eps_D^2 and rho with 24-bit roundings: every height after the first layer is at most 16 h0 + 4k + 200, h0 the
    largest height of a coordinate, of eps_D^2 and of rho -- independent of N (the paper's O~(N) bits are for
    rounded weights, Lemma B.23)."""
    h0 = max([height(v) for v in D.points.entries()] + [height(D.eps_sq), height(rho)])
    return Bound(b=16 * h0 + 4 * k + 200)
