"""The bound landscape (Secs. 1, 4, 6 and App. B-E): checks (a)-(f) of exactmem.bounds as claims."""
from exactmem.bounds.checks import CHECKS
from exactmem.claims import Claim, register


def _single(key):
    return lambda: [("symbolic", key)]


for _key, (_cid, _statement, _fn) in CHECKS.items():
    register(Claim(_cid, f"({_key}) {_statement}", lambda key, fn=_fn: fn(), {"registry": _single(_key)},
                   source="Kim, Moon & Yun 2025 and prior work; see docs/bounds.md"))
