"""Lipschitz constants of ReLU networks and the law of robustness: exact constants on R^d, a box or a ball
(``exact``), certified upper and lower bounds and weight-norm proxies kept apart by type (``bounds``), the
McShane interpolant and the Yang et al. classifier as exact networks (``mcshane``), networks whose proxy
grows while their constant stays fixed (``families``), and the sqrt(n/k) experiment (``experiment``)."""
from .bounds import (LowerBound, UpperBound, WeightNormProxy, best, data_bound, gram_bound, layer_norm, path_bound,
                     product_bound, region_bound, weight_norm_proxy)
from .exact import Lipschitz, lipschitz_constant
from .families import husain_balle_demo
from .mcshane import mcshane_net, separation_classifier

__all__ = ["Lipschitz", "lipschitz_constant", "LowerBound", "UpperBound", "WeightNormProxy", "best", "data_bound",
           "gram_bound", "layer_norm", "path_bound", "product_bound", "region_bound", "weight_norm_proxy", "husain_balle_demo",
           "mcshane_net", "separation_classifier"]
