"""Networks from other tools, exactly: ONNX, PyTorch, scikit-learn and the NNet text format (numpy:
``ReLUNet.from_numpy``).

A float32 or float64 weight becomes the dyadic rational it stores; a decimal written in a text file (NNet)
becomes that decimal exactly.  Only feed-forward ReLU networks are read; any other operator is an
``ImportFormatError`` that names it.  Every importer cross-checks the network it built against the source's
own runtime at seeded points (``check=False`` skips it): a file read as a different network is refused.

>>> import io
>>> text = "// |x| as a 1-2-1 network\\n2,1,1,2,\\n1,2,1,\\n0,\\n-1,\\n1,\\n0,0,\\n1,1,\\n1,\\n-1,\\n0,\\n0.5,\\n1,1,\\n0,\\n"
>>> net = from_nnet(io.StringIO(text), normalize=False)     # relu(x) + relu(-x + 1/2)
>>> net([3]), net([-3]), net(["1/4"])
([3], [7/2], [1/2])
"""
from .common import ImportFormatError
from .nnet import from_nnet
from .onnx_graph import SUPPORTED, from_onnx
from .pytorch import from_torch
from .scikit import from_sklearn

__all__ = ["from_nnet", "from_onnx", "from_torch", "from_sklearn", "ImportFormatError", "SUPPORTED"]
