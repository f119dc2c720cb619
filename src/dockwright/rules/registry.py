"""The rule registry: built-in rule modules plus the `dockwright.rules` entry-point group."""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Iterable, Sequence
from functools import cache
from importlib.metadata import entry_points
from types import ModuleType

from dockwright.rules.base import Rule

BUILTIN_MODULES = (
    "dockwright.rules.speed",
    "dockwright.rules.speed_stages",
    "dockwright.rules.speed_torch",
    "dockwright.rules.size",
    "dockwright.rules.size_python",
    "dockwright.rules.size_system",
    "dockwright.rules.size_bundles",
    "dockwright.rules.security",
    "dockwright.rules.credentials",
    "dockwright.rules.supplychain",
    "dockwright.rules.correctness",
    "dockwright.rules.correctness_health",
    "dockwright.rules.startup",
    "dockwright.rules.context",
    "dockwright.rules.compose",
    "dockwright.rules.compose_runtime",
    "dockwright.rules.deps",
)


def _rules_in(module: ModuleType) -> list[type[Rule]]:
    return [
        obj
        for _, obj in inspect.getmembers(module, inspect.isclass)
        if issubclass(obj, Rule)
        and obj is not Rule
        and getattr(obj, "id", None)
        and obj.__module__ == module.__name__
    ]


def _load(target: object) -> list[type[Rule]]:
    if inspect.isclass(target) and issubclass(target, Rule):
        return [target]
    if isinstance(target, ModuleType):
        return _rules_in(target)
    return []


@cache
def all_rules() -> tuple[type[Rule], ...]:
    """Every registered rule class, sorted by id; duplicate ids are a programming error."""
    found: list[type[Rule]] = []
    for name in BUILTIN_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        found.extend(_rules_in(module))
    for ep in entry_points(group="dockwright.rules"):
        found.extend(_load(ep.load()))
    ids = [r.id for r in found]
    dupes = {i for i in ids if ids.count(i) > 1}
    if dupes:
        raise RuntimeError(f"duplicate rule ids: {sorted(dupes)}")
    return tuple(sorted(found, key=lambda r: r.id))


def _matches(rule: type[Rule], prefixes: Iterable[str]) -> bool:
    return any(rule.id.startswith(p.upper()) or rule.name == p for p in prefixes)


def select(
    rules: Sequence[type[Rule]], select: Sequence[str] = (), ignore: Sequence[str] = ()
) -> list[type[Rule]]:
    """Rules whose id starts with a `select` prefix (all when empty) and no `ignore` prefix."""
    chosen = [r for r in rules if not select or _matches(r, select)]
    return [r for r in chosen if not _matches(r, ignore)]


def known_prefix(prefix: str) -> bool:
    """True when some rule id starts with `prefix` (or a rule has that name)."""
    return any(_matches(r, [prefix]) for r in all_rules())
