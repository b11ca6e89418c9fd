"""Certified building blocks of the paper's constructions, one module per lemma family."""
from .floor import floor_delta_net, floor_net, verify_floor
from .indicator import indicator_net, step_table_net, verify_indicator
from .bits import BIN, bin_net, triangle_net
from .intmem import integer_memorizer, naive_memorizer, verify_integer_memorizer
from .translation import lattice_margin, midpoint_translation, truncated_translation
from .flatten import cell_certificate, flatten_net
from .projection import (data_span, find_projection, householder, m_case_iv, m_case_v, m_small_rho,
                         projected_eps_sq, srht)
from .distance import distance_threshold_net, sawtooth_square_net, verify_square
from .line_codes import point_memorizer, separating_direction
