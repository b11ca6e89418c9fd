"""The balls of a robustness claim: open l_p balls of one radius around a dataset's points, given by a ratio rho
of eps_{D,p} or by an absolute radius, as text and as the questions of a region-cover certificate.

The radius is kept as the kernel keeps it (``size``): r^2 for p = 2 (r = rho eps_D is irrational in general),
r itself for p = 1 and inf.

>>> from exactmem import Dataset
>>> D = Dataset([[0, 0], [3, 4]], [1, 2])                  # eps_D = 5/2
>>> B = Balls.from_rho(D, "1/2", p=2)
>>> B.size, B.rho, B.text()
(25/16, 1/2, 'open l_2 balls of radius 5/4 = 1.25 (rho = 1/2 = 0.5 of eps_D = 5/2 = 2.5)')
>>> Balls.from_radius(D, 1, p=2).text()
'open l_2 balls of radius 1 (rho = 2/5 = 0.4 of eps_D = 5/2 = 2.5)'
>>> print(Balls.from_radius(D, 1, p=2).size < B.size, Balls.from_radius(Dataset([[0], [2]], [1, 2]), "1/2").text())
True open l_2 balls of radius 1/2 = 0.5 (rho = 1/2 = 0.5 of eps_D = 1)
"""
from __future__ import annotations

from dataclasses import dataclass

from flint import fmpq, fmpz

from .data import Dataset
from .errors import RhoError
from .exact import fmt, show, sqrt_enclosure, to_rational
from .norms import KERNEL_NAMES, check_rho, kernel_p

SEMANTICS = ("label", "argmax", "sign")


def default_semantics(outputs: int) -> str:
    """``label`` for a network with one output (Definition 2.2: f(x) = y_i), ``argmax`` for several."""
    return "label" if outputs == 1 else "argmax"


def _root(q: fmpq):
    """The rational square root of q, or None when it is irrational."""
    p, d = fmpz(q.p), fmpz(q.q)
    return fmpq(p.isqrt(), d.isqrt()) if p >= 0 and p.is_square() and d.is_square() else None


def _num(q: fmpq) -> str:
    """q exactly, with its decimal when it is not an integer: ``5/4 = 1.25``, ``1/3 ≈ 0.3333333``."""
    t = show(q)
    if " ≈ " not in t:
        return t
    exact, dec = t.split(" ≈ ", 1)
    return f"{exact} = {dec}" if to_rational(dec) == q else t


def _root_text(q: fmpq) -> str:
    """sqrt(q), exactly when rational, else ``sqrt(q) ≈ decimal``."""
    r = _root(q)
    if r is not None:
        return _num(r)
    e = sqrt_enclosure(q)
    return f"sqrt({fmt(q)}) ≈ {show((e.lo + e.hi) / 2).rpartition('≈ ')[2].split(' (exact')[0]}"


@dataclass
class Balls:
    """Open l_p balls of one radius around the points of ``dataset``; ``size`` is r^2 for p = 2, r otherwise;
    ``semantics`` says what the outputs must do on ball i (label, argmax, sign); ``eta`` an error bound or None."""

    dataset: Dataset
    p: object                       # 1, 2 or "inf" (the kernel's names)
    size: fmpq
    semantics: str = "label"
    eta: fmpq | None = None

    @property
    def eps(self) -> fmpq:
        """eps_D^2 for p = 2, eps_{D,p} otherwise: the same measure as ``size``."""
        return self.dataset.eps_sq if self.p == 2 else self.dataset.eps(self.p)

    @property
    def rho_size(self) -> fmpq:
        """rho^2 for p = 2, rho otherwise (always rational)."""
        return self.size / self.eps

    @property
    def rho(self):
        """rho = r / eps_{D,p}, or None when it is irrational (p = 2)."""
        return _root(self.rho_size) if self.p == 2 else self.rho_size

    @classmethod
    def from_rho(cls, D: Dataset, rho, p=2, semantics="label", eta=None) -> "Balls":
        rho, p = check_rho(rho), kernel_p(p)
        b = cls(D, p, fmpq(0), semantics, eta)
        b.size = rho * rho * b.eps if p == 2 else rho * b.eps
        return b

    @classmethod
    def from_radius(cls, D: Dataset, radius, p=2, semantics="label", eta=None) -> "Balls":
        """Balls of the absolute radius r; 0 < r < eps_{D,p} (rho in (0, 1), as in the paper)."""
        r, p = to_rational(radius), kernel_p(p)
        b = cls(D, p, r * r if p == 2 else r, semantics, eta)
        if not 0 < r or not b.size < b.eps:
            raise RhoError(f"the radius must lie in (0, eps_D) = (0, {_root_text(b.eps) if p == 2 else _num(b.eps)}) "
                           f"(rho in (0, 1)), got {fmt(r)}")
        return b

    def radius_text(self) -> str:
        return _root_text(self.size) if self.p == 2 else _num(self.size)

    def rho_text(self) -> str:
        return _root_text(self.rho_size) if self.p == 2 else _num(self.rho_size)

    def text(self) -> str:
        eps = _root_text(self.eps) if self.p == 2 else _num(self.eps)
        sub = "" if self.p == 2 else f",{KERNEL_NAMES[self.p]}"
        return (f"open l_{KERNEL_NAMES[self.p]} balls of radius {self.radius_text()} (rho = {self.rho_text()} of "
                f"eps_D{sub} = {eps})")

    def same_claim(self, other: "Balls") -> bool:
        """The same centres, labels, norm and semantics (the radii may differ)."""
        return (self.p, self.semantics, self.dataset) == (other.p, other.semantics, other.dataset)

    def questions(self, outputs: int) -> list:
        """The region-cover questions of these balls: ball i and the goal of label y_i under the semantics."""
        from .kernel.regions import goal_of
        key = "radius_sq" if self.p == 2 else "radius"
        out = []
        for x, y in zip(self.dataset.points, self.dataset.labels):
            goal = [[[[fmt(g) for g in a], fmt(h), s] for a, h, s in clause]
                    for clause in goal_of(self.semantics, y, outputs)]
            out.append({"set": {"centre": [fmt(t) for t in x], "p": KERNEL_NAMES[self.p], key: fmt(self.size),
                                "open": True}, "goal": goal})
        return out


def of_questions(qs, outputs: int):
    """Balls when a region-cover certificate's questions (``kernel.regions.questions``) are the open balls of
    one radius and norm around distinct points, each with the goal of one label under one semantics; else None."""
    from .errors import ExactmemError
    from .kernel.regions import goal_of
    if not qs or any(S.p not in (1, 2, "inf") or not S.open or S.cons for S, _ in qs):
        return None
    p, size = qs[0][0].p, qs[0][0].r
    if any(S.p != p or S.r != size for S, _ in qs) or size <= 0:
        return None
    for sem in SEMANTICS:
        labels = [_label_of(sem, goal, outputs) for _, goal in qs]
        if all(y is not None and goal_of(sem, y, outputs) == goal for y, (_, goal) in zip(labels, qs)):
            try:
                D = Dataset([S.x0 for S, _ in qs], labels)
            except ExactmemError:
                return None
            return Balls(D, p, size, sem)
    return None


def _label_of(sem, goal, m):
    """The label whose goal under ``sem`` this could be (checked by the caller), or None."""
    try:
        g, h, _ = goal[0][0]
        if sem == "label":
            y = -h
            return int(y.p) if y.q == 1 and y >= 1 else None
        if sem == "sign":
            return 1 if g[0] < 0 else 2
        return [t > 0 for t in g].index(True) + 1
    except (IndexError, TypeError, ValueError, AttributeError):
        return None
