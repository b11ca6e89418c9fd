"""Certificate records (built by the constructions) and the kernel's ``check``.

Construction code produces :class:`Certificate` records; :func:`check` is ``exactmem.kernel.check``, which
re-derives every claim exactly and imports no construction code.
"""
from ..kernel import check
from .records import (Certificate, grid_cells_certificate, lattice_margin_certificate, memorization_certificate,
                      projection_certificate, robust_certificate, separation_certificate)

__all__ = ["check", "Certificate", "grid_cells_certificate", "lattice_margin_certificate", "memorization_certificate",
           "projection_certificate", "robust_certificate", "separation_certificate"]
