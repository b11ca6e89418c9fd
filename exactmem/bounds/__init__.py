"""The bound landscape of Kim, Moon & Yun (2025) and prior work: registry, checks, tables, figure."""
from .registry import Bound, BoundError, Interval, N, REGISTRY, d, eta, gamma_p, get, p, rho, select
from . import catalog  # noqa: F401  (fills the registry)
from .checks import CHECKS, run_all
from .evaluate import evaluate
from .tables import TABLES, table

__all__ = ["Bound", "BoundError", "Interval", "N", "REGISTRY", "d", "eta", "gamma_p", "get", "p", "rho", "select",
           "CHECKS", "run_all", "evaluate", "TABLES", "table"]
