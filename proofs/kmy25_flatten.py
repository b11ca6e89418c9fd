"""KMY25 Theorem B.3, Stage III: Flatten indexes the grid cells exactly on every robustness ball; m parallel Floor_n
blocks: width <= 5m (the paper's; exactmem 4m), depth n + 1, at most 4 m n (4m + 1) parameters (exactmem's
documented O(m^2 log R), counted from the matrices)."""
import random

from flint import fmpq

from exactmem import Verdict, all_of
from exactmem.blocks import cell_certificate, flatten_net, verify_floor
from exactmem.blocks.floor import floor_net
from exactmem.certify import grid_cells_certificate
from exactmem.claims import claim

from ._sizes import Bound, size_verdict


def _cases():
    for seed, (N, m, R) in enumerate([(5, 2, 4), (20, 3, 6), (40, 2, 16)]):
        rng = random.Random(seed)
        mu, gamma = fmpq(1, 4 * N), fmpq(1, 8 * N)
        cells = rng.sample([tuple(rng.randrange(R) for _ in range(m)) for _ in range(10 * N)], N)
        cells = list(dict.fromkeys(cells))
        centres = [[k + fmpq(1, 2) + fmpq(rng.randint(-N, N), 8 * N * N) for k in cell] for cell in cells]
        yield f"N={len(cells)} m={m} R={R}", (centres, [1 + i % 3 for i in range(len(cells))], mu, gamma, R)


@claim("KMY25.Flatten", "balls lie in single cells above Floor's gamma; labels never share a cell; the base-R index "
       "is injective; the network outputs each ball's index", {"seeded": _cases}, source="Kim, Moon & Yun 2025, Thm B.3",
       uses=('KMY25.LemB.16',))
def check(inst):
    centres, labels, mu, gamma, R = inst
    cert = cell_certificate(centres, labels, mu, gamma, R)
    n = (R - 1).bit_length()
    t = int(1 / gamma)  # gamma = 1/(8N) is the reciprocal of an integer here
    net = flatten_net(len(centres[0]), R, n, t)
    out = net.evaluate(centres).entries()
    parts = [Verdict.from_exact(cert["ok"], "; ".join(cert["problems"]) or "cells with margins, no shared cells"),
             Verdict.from_exact(len(set(cert["indices"])) == len(set(cert["cells"])), "index injective on cells"),
             Verdict.from_exact(list(out) == cert["indices"], "network value at each centre = its cell index"),
             verify_floor(floor_net(n, t), n, gamma),
             grid_cells_certificate(centres, labels, mu, gamma, R).verify(),
             size_verdict(net, {"width": Bound(b=5 * len(centres[0])), "depth": Bound(b=n + 1),
                                "params": Bound(b=4 * len(centres[0]) * n * (4 * len(centres[0]) + 1))}, "Flatten")]
    return all_of(parts, "Flatten exact on every ball (Floor exact where frac >= gamma, proved on its pieces)")
