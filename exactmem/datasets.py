"""Built-in real datasets (from scikit-learn, which ships them; nothing is downloaded).

* ``iris()``: 150 flowers, 4 measurements given to one decimal; read as the decimals they are
  (5.1 is 51/10, not the nearest double), labels 1..3; one flower repeats with the same label and
  is dropped, leaving N = 149.
* ``digits()``: 1797 images of 8 x 8 pixels with integer intensities 0..16, labels 1..10 (digit + 1).

Requires the optional dependency scikit-learn (``pip install 'exactmem[data]'``).
"""
from __future__ import annotations

from .data import Dataset
from .errors import ExactmemError


def _sklearn():
    try:
        from sklearn import datasets
    except ImportError:
        raise ExactmemError("the built-in datasets need scikit-learn: pip install 'exactmem[data]'") from None
    return datasets


def iris() -> Dataset:
    X, y = _sklearn().load_iris(return_X_y=True)
    pts = [[repr(float(v)) for v in row] for row in X]  # shortest decimal repr: the published values
    return Dataset(pts, [int(v) + 1 for v in y], drop_duplicates=True)


def digits() -> Dataset:
    X, y = _sklearn().load_digits(return_X_y=True)
    return Dataset(X.astype(int), [int(v) + 1 for v in y])
