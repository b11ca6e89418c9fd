"""The bound landscape of Kim, Moon & Yun (2025) and prior work: registry, checks, tables, figure; and the laws
of robustness (Bubeck-Li-Nagaraj, Bubeck-Sellke, ...) as records of their own (``law_catalog``)."""
from .registry import Bound, BoundError, Interval, N, REGISTRY, d, eta, gamma_p, get, p, rho, select
from . import catalog  # noqa: F401  (fills the registry)
from .checks import CHECKS, run_all
from .evaluate import evaluate
from .tables import TABLES, table
from .law_catalog import LAWS, Law, law, select_laws
from .law_evaluate import bs_bound, bs_condition, bs_min_n
from .law_tables import law_table

__all__ = ["Bound", "BoundError", "Interval", "N", "REGISTRY", "d", "eta", "gamma_p", "get", "p", "rho", "select",
           "CHECKS", "run_all", "evaluate", "TABLES", "table",
           "LAWS", "Law", "law", "select_laws", "bs_bound", "bs_condition", "bs_min_n", "law_table"]
