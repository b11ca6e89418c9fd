"""exactmem: exact-arithmetic checks of robust memorization in ReLU networks.

>>> import exactmem
>>> D = exactmem.Dataset([[0], [2]], [1, 2])
>>> D.eps(2)
1
"""
from .errors import *  # noqa: F401,F403
from .errors import ExactmemError
from .exact import (Enclosure, exp_enclosure, fmt, log_enclosure, pi_enclosure, sqrt_enclosure, to_int,
                    to_matrix, to_rational, to_vector)
from .verdict import Status, Verdict, all_of
from .norms import check_p, check_rho
from .data import Dataset
from .network import ReLUNet
from .memorize import choose_regime, memorize, verify

__version__ = "0.1.0"

# the exact analysis of any network loads scipy: imported on first use
_LAZY = {"box": "analysis.ask", "ball": "analysis.ask", "output_range": "analysis.ask",
         "is_constant_on": "analysis.ask", "certified_radius": "analysis.ask",
         "lipschitz_constant": "lipschitz.exact",
         "robustly_memorizes": "analysis.decide", "from_onnx": "importers", "from_nnet": "importers",
         "from_torch": "importers", "from_sklearn": "importers"}


def __getattr__(name):
    if name in _LAZY:
        import importlib
        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module 'exactmem' has no attribute {name!r}")

__all__ = ["ExactmemError", "Enclosure", "exp_enclosure", "fmt", "log_enclosure", "pi_enclosure",
           "sqrt_enclosure", "to_int", "to_matrix", "to_rational", "to_vector", "Status", "Verdict", "all_of",
           "check_p", "check_rho", "Dataset", "ReLUNet", "choose_regime", "memorize", "verify", "__version__", *_LAZY]
