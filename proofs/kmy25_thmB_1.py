"""KMY25 Theorem B.1 (the extended Theorem 4.2): per regime, the parameters, depth, width and bit complexity of the
memorizer that ``exactmem.memorize`` builds, against the table's rows with docs/sizes.md's explicit constants.

Row (i), small rho: params O~(sqrt N), depth O~(sqrt N), width O~(1), bits O~(sqrt N) -- Theorem B.3's bounds.
Row (ii), moderate rho: params and depth O~(N d^1/4 rho^1/2) = O~(B sqrt g), width O~(1), bits O~(sqrt g) --
Theorem B.5's bounds, with B = ceil(N/g) blocks of g = floor(1/(5 rho sqrt d)) points.
Row (iii), large rho: params O~(N d^2 rho^4), depth O~(N), width O~(rho^2 d) -- Theorem B.14's bounds
(Cases I-III; IV-V by symbolic certificate, KMY25.ThmB.14.IV-V).
The width column is checked to be independent of N in rows (i)-(ii): the bound max(6m + 1, m + 14) involves only
m <= d.  The regime is decided exactly from Theorem 4.2's ranges (squared) and must be the one memorize chose;
Theorem B.5 also covers the small range (rho <= 1/(5 sqrt d)), where it runs with one block.
Every row goes through ``memorize`` (so through ``constructions/regimes.py``'s choice), and the boundaries are
reached: at 1/(5 N sqrt d) and 1/(5 sqrt d) themselves (closed ends: small, moderate), just above each, strictly
between 1/(5 sqrt d) and 1/sqrt(5d), and at 1/sqrt(5d) (large; with d = 4 and d = 5 the boundaries are rational,
1/(10 N), 1/10 and 1/5).  A boundary misplaced in regimes.py either picks another row than Theorem 4.2's range
(REFUTED) or makes ``memorize`` refuse a rho that the theorem covers (REFUTED, with memorize's error).
"""
from flint import fmpq

from exactmem import Verdict, all_of, memorize
from exactmem.claims import claim
from exactmem.errors import ExactmemError


def _cases():
    from exactmem.sizes import seeded_dataset
    for N, d in [(200, 2), (60, 4)]:
        D = seeded_dataset(N, d)
        yield f"N={N} d={d} row (i)", (D, fmpq(1, 5 * N * d), "small")
        yield f"N={N} d={d} row (ii)", (D, fmpq(1, 5 * 10 * d), "moderate")
        yield f"N={N} d={d} row (iii)", (D, fmpq(1, 2), "large")
    D = seeded_dataset(40, 2)
    yield "N=40 d=2 Theorem B.5 in the small range", (D, fmpq(1, 5 * 40 * 2), "moderate-small")


def _boundaries():
    from exactmem.sizes import seeded_dataset
    # the boundaries, by hand (squares compared exactly; sqrt 4 = 2, so 1/(5 N sqrt d) = 1/(10 N), 1/(5 sqrt d) = 1/10)
    D = seeded_dataset(60, 4)
    # 25 N^2 d rho^2 = 25 * 3600 * 4 / 600^2 = 1: the closed end of row (i)
    yield "N=60 d=4 at 1/(5N sqrt d) = 1/600: row (i)", (D, fmpq(1, 600), "small")
    # 25 * 3600 * 4 / 599^2 = 360000/358801 > 1 and 25 * 4 / 599^2 < 1: row (ii)
    yield "N=60 d=4 just above 1/(5N sqrt d), 1/599: row (ii)", (D, fmpq(1, 599), "moderate")
    # 25 * 4 * (101/1000)^2 = 1.0201 > 1: row (iii)
    yield "N=60 d=4 just above 1/(5 sqrt d), 101/1000: row (iii)", (D, fmpq(101, 1000), "large")
    # 25 * 4 / 25 = 4 > 1 (large), while 5 d rho^2 = 20/25 < 1: strictly between 1/(5 sqrt d) and 1/sqrt(5d)
    yield "N=60 d=4 1/5, between 1/(5 sqrt d) and 1/sqrt(5d): row (iii)", (D, fmpq(1, 5), "large")
    D = seeded_dataset(20, 4)
    # 25 * 4 / 100 = 1: the closed end of row (ii) (N = 20 keeps the N blocks of one point each quick)
    yield "N=20 d=4 at 1/(5 sqrt d) = 1/10: row (ii)", (D, fmpq(1, 10), "moderate")
    D = seeded_dataset(20, 5)
    # 5 d rho^2 = 25/25 = 1 exactly (rho = 1/sqrt(5d)); 25 d rho^2 = 5 > 1: row (iii)
    yield "N=20 d=5 at 1/sqrt(5d) = 1/5: row (iii)", (D, fmpq(1, 5), "large")


def regime_of(N, d, rho) -> str:
    """Theorem 4.2's ranges, exactly: rho <= 1/(5 N sqrt d), rho <= 1/(5 sqrt d), else large."""
    r2 = rho * rho
    return "small" if 25 * N * N * d * r2 <= 1 else "moderate" if 25 * d * r2 <= 1 else "large"


@claim("KMY25.ThmB.1", "Theorem B.1's table: for each regime the memorizer built by exactmem.memorize has params, "
       "depth, width and bits within the row's bounds (docs/sizes.md), with the row decided exactly from rho",
       {"one dataset per row": _cases, "regime boundaries": _boundaries},
       source="Kim, Moon & Yun 2025, Theorem B.1 (and Theorem 4.2)", uses=('KMY25.ThmB.3', 'KMY25.ThmB.5', 'KMY25.ThmB.14'))
def check(inst):
    from .kmy25_thmB_14 import check_size as large_sizes
    from .kmy25_thmB_3 import sizes_small
    from .kmy25_thmB_5 import ETA, sizes_moderate
    D, rho, row = inst
    if row == "moderate-small":
        from exactmem.constructions.moderate_rho import moderate_rho_network, moderate_rho_plan
        pl = moderate_rho_plan(D, rho, ETA)
        return all_of([Verdict.from_exact(regime_of(D.N, D.d, rho) == "small" and len(pl["mems"]) == 1,
                                          f"rho in the small range, {len(pl['mems'])} block"),
                       sizes_moderate(D, rho, moderate_rho_network(pl), pl["t"])],
                      "Theorem B.5's construction at a small-regime rho")
    want = regime_of(D.N, D.d, rho)
    try:
        net, cert = memorize(D, rho, eta=ETA if want == "moderate" else None)
    except ExactmemError as e:                      # a rho the theorem covers, refused
        return Verdict.refuted(f"rho = {rho} is in Theorem 4.2's {want} range (row: {row}), but memorize raised "
                               f"{type(e).__name__}: {e}", {"rho": rho, "N": D.N, "d": D.d, "range": want})
    parts = [Verdict.from_exact(want == row == cert.info["regime"],
                                f"rho = {rho}: Theorem 4.2's range {want}, memorize chose {cert.info['regime']}",
                                {"rho": rho, "range": want, "row": row, "memorize": cert.info["regime"]})]
    if not parts[0].is_proved:
        return parts[0]
    if row == "large":
        return all_of(parts + [large_sizes((D, rho))], "row (iii)")
    if row == "small":
        parts.append(sizes_small(D, rho, net))
    else:
        from exactmem.constructions.moderate_rho import moderate_rho_plan
        parts.append(sizes_moderate(D, rho, net, moderate_rho_plan(D, rho, ETA)["t"]))
    return all_of(parts, f"row ({'i' if row == 'small' else 'ii'}): {net.param_count()} params, depth {net.depth}, "
                         f"width {net.width}, bits {net.bit_complexity()}")
