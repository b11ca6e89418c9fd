"""Certificate records (built by the constructions) and ``check``.

Construction code produces :class:`Certificate` records.  :func:`check` asks ``exactmem.kernel.check``,
which re-derives every claim exactly and imports no construction code, and where the kernel cannot prove
a robust-memorization claim it searches for a counterexample that the kernel then checks (``refute``).
"""
from .refute import check
from .records import (Certificate, grid_cells_certificate, lattice_margin_certificate, memorization_certificate,
                      projection_certificate, robust_certificate, separation_certificate)

__all__ = ["check", "Certificate", "grid_cells_certificate", "lattice_margin_certificate", "memorization_certificate",
           "projection_certificate", "robust_certificate", "separation_certificate"]
