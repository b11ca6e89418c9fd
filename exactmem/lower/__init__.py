"""Constructive lower bounds (Kim, Moon & Yun 2025, Sec. 3 and App. A, C): hard datasets,
the subspace lemmas, shattering sets, exact failure witnesses and the Theorem 3.1 calculator."""
from .subspaces import lemma_a1, lemma_a2, linf_witness, tight_subspace_a2
from .width import (FirstLayerWitness, extremal_first_layer, first_layer_witness, width_bound, width_dataset)
from .shattering import ShatteringInstance, shattering_instance, vc_k
from .theorem31 import LowerBound, lower_bound

__all__ = ["lemma_a1", "lemma_a2", "linf_witness", "tight_subspace_a2", "FirstLayerWitness",
           "extremal_first_layer", "first_layer_witness", "width_bound", "width_dataset", "ShatteringInstance", "shattering_instance",
           "vc_k", "LowerBound", "lower_bound"]
