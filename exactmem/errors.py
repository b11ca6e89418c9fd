"""The exactmem error hierarchy.

Every error raised on purpose by exactmem derives from :class:`ExactmemError`.
Errors about the *value* of an argument also derive from :class:`ValueError`
and errors about its *type* from :class:`TypeError`, so generic ``except``
clauses keep working (the same pattern as hypothesis' ``InvalidArgument``).

>>> from exactmem import to_rational, ExactmemError
>>> try:
...     to_rational(float("nan"))
... except ExactmemError as e:
...     print(type(e).__name__)
NonFiniteError
"""


class ExactmemError(Exception):
    """Base class of every error exactmem raises deliberately."""


# --- numbers -----------------------------------------------------------------
class ConversionError(ExactmemError, ValueError):
    """A value cannot be converted exactly to a rational number."""


class NonFiniteError(ConversionError):
    """NaN or an infinity where a finite exact number is required."""


class UnsupportedTypeError(ExactmemError, TypeError):
    """A value of a type exactmem does not convert (complex, bool, None, ...)."""


class IrrationalError(ExactmemError, ValueError):
    """An exact rational was requested for a quantity that is irrational."""


# --- shapes ------------------------------------------------------------------
class ShapeError(ExactmemError, ValueError):
    """A vector or matrix has the wrong or an inconsistent shape (ragged rows, ...)."""


class DimensionMismatchError(ShapeError):
    """Two objects that must agree in dimension do not (network vs data, ...)."""


# --- data --------------------------------------------------------------------
class DatasetError(ExactmemError, ValueError):
    """The data are not a dataset of the class D_{d,N,C}."""


class LabelError(DatasetError):
    """A label is not a positive integer, or a class 1..C has no point."""


class DuplicatePointError(DatasetError):
    """Two points of the dataset coincide."""

    def __init__(self, message, pairs=()):
        super().__init__(message)
        self.pairs = tuple(pairs)


class ContradictoryLabelsError(DuplicatePointError):
    """The same point carries two different labels: no function can memorize it."""


class RhoError(ExactmemError, ValueError):
    """A robustness ratio is not a number in the open interval (0, 1)."""


class NormError(ExactmemError, ValueError):
    """An unsupported norm index p."""


# --- networks and files -------------------------------------------------------
class NetworkError(ExactmemError, ValueError):
    """A ReLU network is malformed (layer shapes that do not chain, ...)."""


class InputSetError(ExactmemError, ValueError):
    """An input set is malformed: a lower bound above its upper bound, a negative radius, an unknown norm."""


class OptionError(ExactmemError, ValueError):
    """An option or count out of its range (a negative number of samples, a budget that is not positive)."""


class ProxyMisuseError(ExactmemError, TypeError):
    """A weight-norm proxy used where a bound on the Lipschitz constant is needed (Husain and Balle's error)."""


class SerializationError(ExactmemError, ValueError):
    """A JSON document is not valid for exactmem (not JSON, wrong fields, bad rationals)."""


class SchemaVersionError(SerializationError):
    """A JSON document has a schema version this exactmem does not read."""


class CertificateError(ExactmemError, ValueError):
    """A certificate is malformed, or does not belong to the objects it is checked against."""


class ClaimError(ExactmemError):
    """A claim is registered twice, or a claim's check misbehaves (e.g. returns a non-Verdict)."""


class ParallelError(ExactmemError):
    """Parallel work could not run: Dask asked for but not installed, a scheduler that cannot be reached, worker
    processes that kept dying, or work that is not plain data with a module-level function (``exactmem.parallel``)."""
