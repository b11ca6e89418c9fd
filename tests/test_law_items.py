"""The law-of-robustness claims of the reference notes' §7 (items 1, 3-8, 17, 22, 23 here; the others in
test_law_bounds.py and test_law_claims.py): each check is shown able to fail by a mutation of what it relies
on, and docs/law.md's table names a registered claim for every one of the 23 items."""
import pathlib
import re

import pytest
from flint import fmpq

from exactmem import Verdict, claims

claims.discover("proofs")
import proofs.bln21_proxy as bln_proxy            # noqa: E402
import proofs.bs21_product as product             # noqa: E402
import proofs.buck43_cells as buck                # noqa: E402
import proofs.froese25_guard as guard             # noqa: E402
import proofs.law_bound_chain as chain            # noqa: E402
import proofs.law_float_traps as traps            # noqa: E402
import proofs.law_pairwise as pairwise            # noqa: E402
import proofs.law_two_layer as two_layer          # noqa: E402
import proofs.tobler25_power as power             # noqa: E402
import proofs.tsuzuku18_margin as margin          # noqa: E402

IDS = ["Law.pairwise", "Law.two_layer", "Law.bound_chain", "BLN21.proxy", "Buck43.cells", "BS21.Sec3.product",
       "Tobler25.power", "Tsuzuku18.margin", "Froese25.guard", "Law.float_traps"]


@pytest.mark.parametrize("cid", IDS)
def test_claims_are_proved(cid):
    assert claims.run_claim(claims.REGISTRY[cid]).verdict.is_proved


def _first(cid):
    return next(inst for _, inst in claims.REGISTRY[cid].instances())


class _Scaled:
    """A Lipschitz result whose ends are multiplied by a factor (a mutated finder)."""
    def __init__(self, L, f):
        self.__dict__.update(L.__dict__)
        for k in ("upper_sq", "lower_sq", "upper", "lower"):
            if getattr(L, k) is not None:
                setattr(self, k, getattr(L, k) * f)
        self.is_exact = True


def test_mutations_are_refuted(monkeypatch):
    with monkeypatch.context() as m:                  # a kernel that accepts anything: the forged bound passes
        m.setattr(pairwise.kernel, "check", lambda doc: Verdict.proved("anything"))
        assert pairwise.check(_first("Law.pairwise")).is_refuted
    with monkeypatch.context() as m:
        m.setattr(two_layer, "brute_force", lambda *a: fmpq(10 ** 9))
        assert two_layer.check(_first("Law.two_layer")).is_refuted
    with monkeypatch.context() as m:
        m.setattr(chain, "subsets_max", lambda W, a: fmpq(1, 10 ** 6))
        assert chain.check(_first("Law.bound_chain")).is_refuted
    with monkeypatch.context() as m:                  # a finder that overstates Lip 100-fold breaks the proxy bound
        real = bln_proxy.lipschitz_constant
        m.setattr(bln_proxy, "lipschitz_constant", lambda *a, **k: _Scaled(real(*a, **k), 100))
        assert bln_proxy.check(_first("BLN21.proxy")).is_refuted
    with monkeypatch.context() as m:
        m.setattr(buck, "cells", lambda W, b: 10 ** 6)
        assert buck.check(_first("Buck43.cells")).is_refuted
    with monkeypatch.context() as m:                  # a "Gram bound" below sigma_max^2
        m.setattr(product, "gram_bound", lambda W, t: fmpq(1))
        assert product.check(("gram", 1, (3, 2))).is_refuted
    with monkeypatch.context() as m:
        m.setattr(power, "at_least", lambda *a: False)
        assert power.check(_first("Tobler25.power")).is_refuted
    with monkeypatch.context() as m:                  # overstated radii shrink below the margin bound
        real = margin.certified_radius
        m.setattr(margin, "certified_radius", lambda *a, **k: _Scaled(real(*a, **k), fmpq(1, 10 ** 6)))
        assert margin.check(_first("Tsuzuku18.margin")).is_refuted
    with monkeypatch.context() as m:                  # a budgeted answer that misses the exact constant
        real = guard.lipschitz_constant

        def fake(*a, **k):
            L = real(*a, **k)
            return _Scaled(L, fmpq(1, 10)) if "budget" in k else L
        m.setattr(guard, "lipschitz_constant", fake)
        assert guard.check(_first("Froese25.guard")).is_refuted
    with monkeypatch.context() as m:                  # a float32 that happened to agree: nothing to flag
        m.setattr(traps, "float32", lambda x: 1e-9)
        assert traps.check("ulp").is_refuted


def test_cell_counts_by_hand():
    """Three lines in general position cut the plane into 7 cells; k points cut the line into k + 1."""
    W = [[fmpq(1), fmpq(0)], [fmpq(0), fmpq(1)], [fmpq(1), fmpq(1)]]
    assert buck.cells(W, [fmpq(0), fmpq(0), fmpq(-1)]) == 7
    assert buck.cells([[fmpq(1)]] * 4, [fmpq(t) for t in (0, 1, 2, 3)]) == 5
    with pytest.raises(ValueError):                   # parallel normals only: not counted
        buck.cells([[fmpq(1), fmpq(0)]] * 2, [fmpq(0), fmpq(1)])


def test_every_item_of_section_7_has_a_registered_claim():
    text = (pathlib.Path(__file__).parents[1] / "docs" / "law.md").read_text()
    table = text[text.index("## Claims"):]
    rows = [r for r in table.splitlines() if r.startswith("| ") and not r.startswith("| item") and "---" not in r]
    items = {}
    for r in rows:
        cells = [c.strip() for c in r.strip("|").split("|")]
        for cid in re.findall(r"`([^`]+)`", cells[1]):
            items.setdefault(cells[0], []).append(cid)
    assert set(str(i) for i in range(1, 24)) <= set(items), sorted(set(str(i) for i in range(1, 24)) - set(items))
    missing = [c for ids in items.values() for c in ids if c not in claims.REGISTRY]
    assert not missing, missing
