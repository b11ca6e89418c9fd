"""Grid indexing (Flatten, Theorem B.3 Stage III): z -> sum_j R^(j-1) floor(z_j), built from Floor blocks.

flatten_net(m, R, n, t): Floor_n (gamma = 1/t) on each of the m coordinates in parallel, then the
base-R combination.  It equals the index of the unit cell prod_j [k_j, k_j + 1) at every z whose
coordinates lie in [0, 2^n) with frac(z_j) >= 1/t.

cell_certificate(centres, labels, mu, gamma, R): exact facts that make Flatten exact on every
robustness ball B(c_i, mu) (open, any l_p with p >= 1 -- each coordinate moves by less than mu):
* every ball lies in one cell with margin: k_j + gamma <= c_ij - mu and c_ij + mu <= k_j + 1;
* all digits satisfy 0 <= k_j < R, so the base-R index is injective on cells;
* differently labelled balls never share a cell.

>>> cert = cell_certificate([["3/2", "1/2"], ["5/2", "1/2"]], [1, 2], "1/4", "1/8", 4)
>>> cert["ok"], cert["indices"]
(True, [1, 2])
"""
from __future__ import annotations

from ..errors import NetworkError
from ..exact import floor_q, fmt, to_matrix, to_rational
from ..network import ReLUNet
from .floor import floor_net


def flatten_net(m: int, R: int, n: int, t: int) -> ReLUNet:
    """Parallel Floor_n on m coordinates followed by sum_j R^(j-1) floor(z_j)."""
    if m < 1 or R < 2:
        raise NetworkError(f"need m >= 1 and R >= 2, got m={m}, R={R}")
    fl = floor_net(n, t)
    coords = []
    for j in range(m):
        sel = [[1 if k == j else 0 for k in range(m)]]
        coords.append(fl.pre_affine(sel))
    par = ReLUNet.parallel(*coords)
    return par.post_affine([[R ** j for j in range(m)]])


def cell_certificate(centres, labels, mu, gamma, R: int) -> dict:
    C = to_matrix(centres, "centres").tolist()
    mu, gamma = to_rational(mu), to_rational(gamma)
    cells, problems = [], []
    for i, c in enumerate(C):
        k = [floor_q(v) for v in c]
        for j, (v, kj) in enumerate(zip(c, k)):
            if not (kj + gamma <= v - mu and v + mu <= kj + 1):
                problems.append(f"ball {i} is not inside its cell with margin {fmt(gamma)} in coordinate {j}")
            if not (0 <= kj < R):
                problems.append(f"ball {i}: digit {kj} of coordinate {j} outside [0, {R})")
        cells.append(tuple(k))
    owner = {}
    for i, (cell, y) in enumerate(zip(cells, labels)):
        if cell in owner and labels[owner[cell]] != y:
            problems.append(f"balls {owner[cell]} and {i} have different labels but share a cell")
        owner.setdefault(cell, i)
    indices = [sum(kj * R ** j for j, kj in enumerate(cell)) for cell in cells]
    return {"ok": not problems, "problems": problems, "cells": cells, "indices": indices}
