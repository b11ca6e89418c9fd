"""What a claim is: a numbered statement of a paper, its source, the statements it uses, tags, and a check.

``REGISTRY`` maps claim ids to :class:`Claim` objects; the :func:`claim` decorator registers a check.

>>> s = Source("Kim, Moon & Yun 2025", "Lemma B.12", page=23)
>>> str(s)
'Kim, Moon & Yun 2025, Lemma B.12, p. 23'
>>> c = Claim("DEMO.model", "2 > 1", lambda q: None, {"one": lambda: [("a", 1)]}, source=s,
...           uses=("DEMO.other",), tags=("toy",))
>>> c.uses, c.all_tags, c.withdrawn
(('DEMO.other',), ('toy', 'demo'), False)
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from ..errors import ClaimError

REGISTRY: dict = {}

WITHDRAWN = "withdrawn"


@dataclass(frozen=True)
class Source:
    """Where a statement is: the paper, its numbered statement, and optionally a page, an equation, a link."""

    paper: str
    statement: str = ""
    page: int | str | None = None
    equation: str = ""
    url: str = ""

    def __str__(self):
        parts = [self.paper] + [p for p in (self.statement,) if p]
        if self.page not in (None, ""):
            parts.append(f"p. {self.page}")
        if self.equation:
            parts.append(f"eq. {self.equation}")
        return ", ".join(parts)

    def to_json(self) -> dict:
        return {"text": str(self), "paper": self.paper, "statement": self.statement,
                "page": None if self.page is None else str(self.page), "equation": self.equation, "url": self.url}


def _names(value, what: str, cid: str) -> tuple:
    """A tuple of non-empty strings from a string (one name) or an iterable of strings."""
    if value is None:
        return ()
    if isinstance(value, str):
        value = (value,)
    try:
        out = tuple(value)
    except TypeError:
        raise ClaimError(f"claim {cid!r}: {what} must be a string or a sequence of strings, "
                         f"got {type(value).__name__}") from None
    bad = [v for v in out if not isinstance(v, str) or not v.strip()]
    if bad:
        raise ClaimError(f"claim {cid!r}: every entry of {what} must be a non-empty string, got {bad[0]!r}")
    return tuple(v.strip() for v in out)


@dataclass
class Claim:
    """A checkable statement.

    ``families`` maps a family name to a zero-argument function returning ``(instance_name, instance)``
    pairs; families in ``slow_families`` run only with ``full``.  ``source`` is a string or a
    :class:`Source`; ``uses`` lists the ids of the statements the claim's proof rests on (registered
    claims or not); ``status="withdrawn"`` marks a statement its authors retracted: it is still
    checked for what it says, and reported as withdrawn.  ``may_be_undecided="reason"`` declares that the
    check may legitimately end UNDECIDED (say, an instance beyond what exact arithmetic decides in time):
    ``exactmem check`` then does not fail on it, and shows the reason; any other UNDECIDED claim fails the
    run (exit 1)."""

    id: str
    statement: str
    check: Callable
    families: dict
    source: object = ""
    slow_families: tuple = ()
    uses: tuple = ()
    tags: tuple = ()
    status: str = ""
    module: str = field(default="", compare=False)
    may_be_undecided: str = ""

    def __post_init__(self):
        if not isinstance(self.id, str) or not self.id.strip() or any(ch.isspace() for ch in self.id):
            raise ClaimError(f"a claim id must be a non-empty string without spaces, got {self.id!r}")
        if not isinstance(self.statement, str):
            raise ClaimError(f"claim {self.id!r}: the statement must be a string, got {type(self.statement).__name__}")
        if not callable(self.check):
            raise ClaimError(f"claim {self.id!r}: the check must be callable, got {type(self.check).__name__}")
        if not isinstance(self.families, dict) or not self.families:
            raise ClaimError(f"claim {self.id!r}: families must be a non-empty dict of name -> function "
                             f"returning (instance_name, instance) pairs")
        for name, make in self.families.items():
            if not callable(make):
                raise ClaimError(f"claim {self.id!r}: family {name!r} is not callable")
        if not isinstance(self.source, (str, Source)):
            raise ClaimError(f"claim {self.id!r}: source must be a string or a Source, "
                             f"got {type(self.source).__name__}")
        self.slow_families = _names(self.slow_families, "slow_families", self.id)
        unknown = [f for f in self.slow_families if f not in self.families]
        if unknown:
            raise ClaimError(f"claim {self.id!r}: slow family {unknown[0]!r} is not one of its families "
                             f"({', '.join(map(repr, self.families))})")
        self.uses = _names(self.uses, "uses", self.id)
        self.tags = _names(self.tags, "tags", self.id)
        if self.id in self.uses:
            raise ClaimError(f"claim {self.id!r} lists itself in uses")
        if self.status is None:
            self.status = ""
        if self.status not in ("", WITHDRAWN):
            raise ClaimError(f"claim {self.id!r}: status must be omitted or 'withdrawn', got {self.status!r}")
        if self.may_be_undecided is None:
            self.may_be_undecided = ""
        if not isinstance(self.may_be_undecided, str) or \
                (self.may_be_undecided != "" and not self.may_be_undecided.strip()):
            raise ClaimError(f"claim {self.id!r}: may_be_undecided must be the reason why the claim may end "
                             f"UNDECIDED (a non-empty string), got {self.may_be_undecided!r}")
        self.may_be_undecided = self.may_be_undecided.strip()

    @property
    def withdrawn(self) -> bool:
        return self.status == WITHDRAWN

    @property
    def paper(self) -> str:
        """The id's first part (``KMY25`` of ``KMY25.Def2.1``), used as a tag."""
        return self.id.split(".")[0]

    @property
    def all_tags(self) -> tuple:
        """The declared tags, then the implicit ones: the paper key (lower case), ``slow`` (it has slow
        families) and ``withdrawn``."""
        implicit = [self.paper.lower()] + (["slow"] if self.slow_families else []) + \
            ([WITHDRAWN] if self.withdrawn else [])
        seen = {t.lower() for t in self.tags}
        return self.tags + tuple(t for t in implicit if t not in seen)

    @property
    def source_text(self) -> str:
        return str(self.source)

    def has_slow(self) -> bool:
        return bool(self.slow_families)

    def instances(self, full: bool = False, only_slow: bool = False):
        """``(family/name, instance)`` pairs: the default families, with ``full`` the slow ones too, with
        ``only_slow`` the slow ones alone."""
        for fam, make in self.families.items():
            slow = fam in self.slow_families
            if (slow and not (full or only_slow)) or (only_slow and not slow):
                continue
            for name, inst in make():
                yield f"{fam}/{name}", inst


def register(c: Claim) -> Claim:
    """Add a claim to ``REGISTRY``; a second claim with the same id and another check is an error."""
    if not isinstance(c, Claim):
        raise ClaimError(f"register needs a Claim, got {type(c).__name__}")
    old = REGISTRY.get(c.id)
    if old is not None and old.check is not c.check and not _same_function(old.check, c.check):
        where = f" (first in {old.module})" if old.module else ""
        raise ClaimError(f"claim id {c.id!r} is registered twice{where}")
    REGISTRY[c.id] = c
    return c


def _same_function(f, g) -> bool:
    """The same source function, imported twice (a module imported again under its own name)."""
    def where(h):
        code = getattr(h, "__code__", None)
        return (getattr(h, "__module__", None), getattr(h, "__qualname__", None),
                getattr(code, "co_filename", None), getattr(code, "co_firstlineno", None))
    return where(f) == where(g) and where(f)[2] is not None


def claim(id: str, statement: str, families: dict, source="", slow_families=(), *, uses=(), tags=(), status="",
          may_be_undecided=""):
    """Decorator: register the decorated function as the check of a claim (``may_be_undecided``: the reason
    why it may end UNDECIDED without failing ``exactmem check``).

    >>> from exactmem import Verdict
    >>> @claim("DEMO.half", "1/2 < 1", {"one": lambda: [("half", (1, 2))]}, source=Source("Demo", "Lemma 1"),
    ...        tags=("toy",))
    ... def check(q):
    ...     return Verdict.from_exact(q[0] < q[1], "compare")
    >>> REGISTRY["DEMO.half"].source_text, REGISTRY.pop("DEMO.half").tags
    ('Demo, Lemma 1', ('toy',))
    """
    def deco(fn):
        register(Claim(id, statement, fn, families, source, slow_families, uses, tags, status,
                       module=getattr(fn, "__module__", "") or "", may_be_undecided=may_be_undecided))
        return fn
    return deco
