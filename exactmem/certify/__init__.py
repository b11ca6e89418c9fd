"""Certificates and the independent checker.

Construction code produces :class:`Certificate` records; :func:`check` (the module
``exactmem.certify.checker``) re-derives them exactly without importing construction code.
"""
from .checker import check
from .records import (Certificate, grid_cells_certificate, lattice_margin_certificate, memorization_certificate,
                      projection_certificate, separation_certificate)

__all__ = ["check", "Certificate", "grid_cells_certificate", "lattice_margin_certificate", "memorization_certificate",
           "projection_certificate", "separation_certificate"]
