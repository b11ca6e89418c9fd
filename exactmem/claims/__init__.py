"""Claims: numbered statements of papers kept as exact checks -- the registry and runner behind
``exactmem check``, ``exactmem report`` and the pytest plugin (``pytest --claims mypaper.claims``).

A claim is a numbered statement of a paper (id such as ``KMY25.Def2.1``), a one-line statement in our
words, its source, the statements it uses, tags, instance families, and a check that returns a
:class:`Verdict` for one instance.  ``proofs/`` holds one module per statement; importing a module
registers its claims, and :func:`discover` imports any package, directory or file of them.

>>> c = Claim("DEMO.1", "1/3 < 1/2", lambda inst: Verdict.from_exact(inst[0] < inst[1], "cross-multiply"),
...           {"hand-made": lambda: [("thirds", (1/3, 1/2))]})
>>> run_claim(c).verdict.is_proved
True
"""
from __future__ import annotations

from ..verdict import Verdict
from .discovery import ENTRY_POINT_GROUP, discover, discover_entry_points, entry_points
from .model import REGISTRY, WITHDRAWN, Claim, Source, claim, register
from .runner import (ClaimResult, ClaimStatus, InstanceResult, describe, iter_instances, run_all, run_claim, run_shown,
                     select, summary_table, to_json)

__all__ = ["REGISTRY", "WITHDRAWN", "ENTRY_POINT_GROUP", "Claim", "ClaimResult", "ClaimStatus", "InstanceResult",
           "Source", "Verdict", "claim", "describe", "discover", "discover_entry_points", "entry_points",
           "iter_instances", "register", "run_all", "run_claim", "run_shown", "select", "summary_table",
           "to_json"]
