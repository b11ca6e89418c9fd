"""Three-valued verdicts: PROVED, REFUTED (with an exact witness) or UNDECIDED.

A :class:`Verdict` refuses to be used as a bool, so an undecided check can never
be mistaken for a failed or a passed one.  This module depends on nothing else in
exactmem, so the checking kernel can use it.

>>> v = Verdict.proved("3/7 < 1/2 by cross-multiplication")
>>> v.is_proved
True
>>> bool(v)
Traceback (most recent call last):
...
TypeError: a Verdict is three-valued; test .is_proved / .is_refuted / .is_undecided instead of bool()
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any


class Status(enum.Enum):
    PROVED = "PROVED"
    REFUTED = "REFUTED"
    UNDECIDED = "UNDECIDED"

    def __bool__(self):
        raise TypeError("a verdict status is three-valued; compare it with Status.PROVED etc.")


@dataclass(frozen=True)
class Verdict:
    """Outcome of an exact check.

    ``reason`` says what the verdict rests on (the derivation, or why it is
    undecided); ``witness`` is an exact counterexample for REFUTED (and may hold
    the certifying data for PROVED); ``details`` carries measured quantities.
    """

    status: Status
    reason: str = ""
    witness: Any = None
    details: dict = field(default_factory=dict)

    @classmethod
    def proved(cls, reason: str, witness: Any = None, **details) -> "Verdict":
        return cls(Status.PROVED, reason, witness, details)

    @classmethod
    def refuted(cls, reason: str, witness: Any, **details) -> "Verdict":
        return cls(Status.REFUTED, reason, witness, details)

    @classmethod
    def undecided(cls, reason: str, **details) -> "Verdict":
        return cls(Status.UNDECIDED, reason, None, details)

    @classmethod
    def from_exact(cls, holds: bool, reason: str, witness: Any = None, **details) -> "Verdict":
        """Turn the result of an *exact* comparison into PROVED / REFUTED."""
        if not isinstance(holds, bool):
            raise TypeError(f"from_exact needs a Python bool from an exact comparison, got {type(holds).__name__}")
        return cls.proved(reason, None, **details) if holds else cls.refuted(reason, witness, **details)

    @property
    def is_proved(self) -> bool:
        return self.status is Status.PROVED

    @property
    def is_refuted(self) -> bool:
        return self.status is Status.REFUTED

    @property
    def is_undecided(self) -> bool:
        return self.status is Status.UNDECIDED

    def __bool__(self):
        raise TypeError(
            "a Verdict is three-valued; test .is_proved / .is_refuted / .is_undecided instead of bool()")

    def __str__(self):
        return f"{self.status.value}: {self.reason}" if self.reason else self.status.value


def all_of(verdicts, reason: str = "") -> Verdict:
    """Combine verdicts conjunctively: any REFUTED wins, then any UNDECIDED, else PROVED.

    >>> all_of([Verdict.proved("a"), Verdict.undecided("b")]).is_undecided
    True
    """
    verdicts = list(verdicts)
    for v in verdicts:
        if not isinstance(v, Verdict):
            raise TypeError(f"all_of expects Verdicts, got {type(v).__name__}")
    for v in verdicts:
        if v.is_refuted:
            return Verdict.refuted(f"{reason}: {v.reason}" if reason else v.reason, v.witness, **v.details)
    for v in verdicts:
        if v.is_undecided:
            return Verdict.undecided(f"{reason}: {v.reason}" if reason else v.reason, **v.details)
    return Verdict.proved(reason or f"all {len(verdicts)} parts proved", count=len(verdicts))
