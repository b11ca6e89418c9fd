"""The size report: planned dimensions equal built ones; exponents; CLI."""
import math

import pytest
from flint import fmpq

from exactmem import memorize
from exactmem.cli import main
from exactmem.sizes import (compose_dims, dims_large, exponents, fit_slope, grid_rhos, params_of, plan_size,
                            seeded_dataset, size_rows)


def test_dims_algebra_by_hand():
    # [3 -> 4 -> 1] then [1 -> 2 -> 5]: the affine 4 -> 1 merges into 1 -> 2, giving [3, 4, 2, 5]
    assert compose_dims([3, 4, 1], [1, 2, 5]) == [3, 4, 2, 5]
    assert params_of([3, 4, 2, 5]) == 4 * 4 + 5 * 2 + 3 * 5          # (3+1)4 + (4+1)2 + (2+1)5
    with pytest.raises(Exception):
        compose_dims([3, 4], [5, 1])
    # Yu's network: depth N (k + 3) + 3 (the construction's docstring), width 5d + C for k >= 2
    dims = dims_large(4, 4, 3, 2, 7)
    assert len(dims) - 1 == 7 * (2 + 3) + 3 and max(dims[1:-1]) == 5 * 4 + 3


@pytest.mark.parametrize("N, d", [(30, 2), (40, 5), (24, 16)])
def test_planner_matches_builder_every_regime_and_layout(N, d):
    D = seeded_dataset(N, d)
    layouts = set()
    for regime, rho in grid_rhos(N, d):
        dims, build, info = plan_size(D, rho, regime)
        net = build()
        assert net.dims == dims, (regime, rho)
        if regime == "moderate":
            layouts.add("indices" if info["blocks"] <= info["m"] else "chain")
        # the planned network is the one memorize builds (same plan, same seed)
        if regime != "moderate" and N <= 30:
            assert memorize(D, rho)[0].dims == dims
    assert ("indices" if d == 16 else "chain") in layouts      # both layouts of the recipe are covered


def test_grid_rhos_lie_in_their_regimes():
    from exactmem import choose_regime
    for N, d in [(100, 2), (1000, 16), (10000, 784)]:
        assert {r for r, _ in grid_rhos(N, d)} == {"small", "moderate", "large"}
        for regime, rho in grid_rhos(N, d):     # Theorem 4.2's ranges, squared (independent of choose_regime)
            r2 = rho * rho
            got = "small" if 25 * N * N * d * r2 <= 1 else "moderate" if 25 * d * r2 <= 1 else "large"
            assert got == regime, (N, d, rho)
    assert choose_regime(seeded_dataset(20, 2), grid_rhos(20, 2)[0][1]) == "small"


def test_fit_slope_recovers_power_laws():
    xs = [10, 100, 1000]
    assert math.isclose(fit_slope(xs, [3 * x ** 0.5 for x in xs]), 0.5)
    rows = [{"N": N, "d": 2, "regime": "small", "rho": fmpq(1, N), "planned_params": 7 * N ** 0.5} for N in xs]
    rows += [{"N": 10, "d": 2, "regime": "moderate", "rho": fmpq(1, k), "planned_params": 5 / k ** 0.5}
             for k in (10, 40, 160)]
    fits = {(f["regime"], f["over"]): f["fitted"] for f in exponents(rows)}
    assert math.isclose(fits[("small", "N")], 0.5) and math.isclose(fits[("moderate", "rho")], 0.5)


def test_size_rows_and_cli(tmp_path, capsys):
    rows = size_rows([20], [3], build_limit=0, regimes=("small",))
    assert len(rows) == 1 and not rows[0]["built"] and rows[0]["planned_params"] > 0
    out = tmp_path / "s.md"
    assert main(["sizes", "--N", "20", "--d", "2", "--out", str(out)]) == 0
    text = out.read_text()
    assert "| 20 | 2 | small |" in text and "exponent in" in text
    assert main(["sizes", "--N", "x", "--d", "2"]) == 2
    assert "comma-separated" in capsys.readouterr().err
