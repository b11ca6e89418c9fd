"""Finding claims: import a package or module by name, a directory or a ``.py`` file by path, or every
package that declares an ``exactmem.claims`` entry point; importing a module registers its claims.

>>> discover("proofs")[:2]
['proofs', 'proofs.bln21_proxy']
>>> is_path("mypaper.claims"), is_path("./mypaper"), is_path("claims.py")
(False, True, True)
"""
from __future__ import annotations

import importlib
import importlib.util
import os
import pkgutil
import sys
from importlib import metadata

from ..errors import ClaimError

ENTRY_POINT_GROUP = "exactmem.claims"


def is_path(source: str) -> bool:
    """A source names a path when it has a path separator, ends in ``.py`` or is an existing directory."""
    return os.sep in source or "/" in source or source.endswith(".py") or os.path.isdir(source)


def discover(source: str = "proofs") -> list:
    """Import ``source`` -- a module or package name (``mypaper.claims``), a directory, or a ``.py`` file (a
    file or directory inside a package is imported under its dotted name) -- and, for a package or
    directory, every module below it whose name does not start with ``_``; return the names of the modules
    imported (their claims are now in ``REGISTRY``)."""
    if not isinstance(source, str) or not source.strip():
        raise ClaimError(f"a claim source must be a module name or a path, got {source!r}")
    return _discover_path(source) if is_path(source) else _discover_module(source)


def _import(name: str, what: str):
    try:
        return importlib.import_module(name)
    except ClaimError:
        raise
    except Exception as e:  # noqa: BLE001 -- the user's module: say which and why, without a traceback
        raise ClaimError(f"cannot import the claims of {what}: {type(e).__name__}: {e}") from e


def _discover_module(name: str) -> list:
    mod = _import(name, f"module {name!r}")
    names = [mod.__name__]
    if hasattr(mod, "__path__"):
        names += _walk(mod, f"package {name!r}")
    return names


def _walk(pkg, what: str) -> list:
    names = []
    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        sub = _import(f"{pkg.__name__}.{info.name}", f"{what} (module {info.name!r})")
        names.append(sub.__name__)
        if info.ispkg:
            names += _walk(sub, what)
    return names


def _put_on_path(folder: str) -> None:
    folder = os.path.abspath(folder)
    if folder not in [os.path.abspath(p or ".") for p in sys.path]:
        sys.path.insert(0, folder)


def _check_not_shadowed(name: str, file: str) -> None:
    """A module of this name imported from elsewhere would be taken instead of the file: say so."""
    mod = sys.modules.get(name)
    where = getattr(mod, "__file__", None) if mod is not None else None
    if mod is not None and where and os.path.realpath(where) != os.path.realpath(file):
        raise ClaimError(f"cannot import {file!r} as module {name!r}: a module of that name is already "
                         f"imported from {where!r}; rename the file or give its package instead")


def _dotted(stem: str) -> tuple:
    """The folder to put on sys.path and the dotted module name of a file (without .py) or package folder:
    the enclosing folders that are packages (they hold an ``__init__.py``) lead the name."""
    folder, name = os.path.split(stem)
    while os.path.isfile(os.path.join(folder, "__init__.py")):
        folder, pkg = os.path.split(folder)
        name = f"{pkg}.{name}"
    return folder, name


def _discover_path(path: str) -> list:
    if not os.path.exists(path):
        raise ClaimError(f"claim source {path!r} does not exist (give a module name, a directory or a .py file)")
    path = os.path.abspath(path)
    if os.path.isfile(path):
        if not path.endswith(".py"):
            raise ClaimError(f"claim source {path!r} is a file but not a Python file (.py)")
        folder, name = _dotted(path[:-3])
        _put_on_path(folder)
        _check_not_shadowed(name, path)
        return [_import(name, f"file {path!r}").__name__]
    if os.path.isfile(os.path.join(path, "__init__.py")):       # a package: import it by its (dotted) name
        folder, name = _dotted(path.rstrip(os.sep))
        _put_on_path(folder)
        _check_not_shadowed(name, os.path.join(path, "__init__.py"))
        return _discover_module(name)
    _put_on_path(path)                                           # a plain folder of modules
    names = []
    for info in sorted(pkgutil.iter_modules([path]), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        file = os.path.join(path, info.name, "__init__.py") if info.ispkg else os.path.join(path, info.name + ".py")
        _check_not_shadowed(info.name, file)
        names += _discover_module(info.name) if info.ispkg else [_import(info.name, f"file {file!r}").__name__]
    if not names:
        raise ClaimError(f"directory {path!r} holds no Python module (names starting with _ are skipped)")
    return names


def entry_points(group: str = ENTRY_POINT_GROUP) -> list:
    """The ``(name, module)`` pairs that installed packages declare in the entry point group, e.g. in their
    pyproject.toml: ``[project.entry-points."exactmem.claims"]`` ``mypaper = "mypaper.claims"``."""
    return sorted((ep.name, ep.value.split(":")[0].strip()) for ep in metadata.entry_points(group=group))


def discover_entry_points(group: str = ENTRY_POINT_GROUP) -> list:
    """Import the claims of every installed package of the entry point group; return the module names."""
    names = []
    for ep_name, module in entry_points(group):
        try:
            names += _discover_module(module)
        except ClaimError as e:
            raise ClaimError(f"entry point {ep_name!r} of group {group!r}: {e}") from e
    return names
