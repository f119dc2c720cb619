"""The Reporter protocol, the registry of output formats, and helpers the formats share.

A reporter turns the plain records of an `AnalysisResult` into text. Built-in formats are
registered by name below; third-party ones through the `dockwright.reporters` entry-point
group (the entry point names the format and loads a class with a no-argument constructor).
"""

from __future__ import annotations

import difflib
import importlib
import os
import tempfile
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib.metadata import entry_points
from pathlib import Path
from typing import ClassVar, Protocol, runtime_checkable

from dockwright import __version__
from dockwright.errors import UsageError
from dockwright.model.findings import AnalysisResult, Severity

REPORTER_GROUP = "dockwright.reporters"
PROJECT_URL = "https://github.com/dockwright/dockwright"
RULES_DOC_URL = f"{PROJECT_URL}/blob/main/docs/rules.md"

BUILTIN_REPORTERS = {
    "terminal": "dockwright.report.terminal:TerminalReporter",
    "json": "dockwright.report.json:JsonReporter",
    "sarif": "dockwright.report.sarif:SarifReporter",
    "markdown": "dockwright.report.markdown:MarkdownReporter",
}


@dataclass(frozen=True)
class ReportOptions:
    """How to render: colour (terminal only), width, and the tool version to stamp."""

    color: bool = False
    width: int = 100
    tool_version: str = __version__
    path_base: Path | None = None  # human formats: show paths relative to this (e.g. the cwd)

    def base_for(self, result: AnalysisResult) -> Path | None:
        """`path_base`, or the analysed root when unset."""
        return self.path_base or report_base(result.roots)


@runtime_checkable
class Reporter(Protocol):
    """One output format: renders an analysis result to text."""

    name: ClassVar[str]

    def render(self, result: AnalysisResult, options: ReportOptions) -> str:
        """The whole report as text (ending with a newline)."""
        ...


def _load(spec: str) -> type[Reporter]:
    module, _, attr = spec.partition(":")
    cls: type[Reporter] = getattr(importlib.import_module(module), attr)
    return cls


@cache
def _plugins() -> dict[str, str]:
    return {ep.name: ep.value for ep in entry_points(group=REPORTER_GROUP)}


def reporter_names() -> tuple[str, ...]:
    """Every registered format name: built-ins first, then entry-point plug-ins."""
    extra = sorted(n for n in _plugins() if n not in BUILTIN_REPORTERS)
    return (*BUILTIN_REPORTERS, *extra)


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance (insertions, deletions, substitutions)."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def suggest(word: str, choices: Iterable[str]) -> str:
    """` (did you mean 'x'?)` for the closest choice, or '' when nothing is close.

    difflib finds the candidates; the smallest edit distance breaks its ties.
    """
    close = difflib.get_close_matches(word, list(choices), n=5, cutoff=0.6)
    if not close:
        return ""
    best = min(close, key=lambda c: (edit_distance(word, c), close.index(c)))
    return f" (did you mean {best!r}?)"


def get_reporter(name: str) -> Reporter:
    """A reporter instance by format name; UsageError with a suggestion when unknown."""
    spec = BUILTIN_REPORTERS.get(name) or _plugins().get(name)
    if spec is None:
        names = reporter_names()
        raise UsageError(
            f"unknown format {name!r}{suggest(name, names)}; choose from: {', '.join(names)}"
        )
    return _load(spec)()


@dataclass(frozen=True)
class Summary:
    """Counts shown at the end of every report."""

    findings: int
    by_severity: dict[Severity, int]
    fixable: int
    services: tuple[str, ...]
    problems: int
    by_rule: dict[str, int] = field(default_factory=dict)

    def line(self) -> str:
        """`N findings: x errors, y warnings, z info; N fixable; N services; N problems`."""
        sev = self.by_severity
        counts = (
            f"{plural(sev.get(Severity.ERROR, 0), 'error')}, "
            f"{plural(sev.get(Severity.WARNING, 0), 'warning')}, {sev.get(Severity.INFO, 0)} info"
        )
        parts = [
            f"{plural(self.findings, 'finding')}: {counts}",
            f"{self.fixable} fixable",
            plural(len(self.services), "service"),
            plural(self.problems, "problem"),
        ]
        return "; ".join(parts)


def plural(count: int, noun: str) -> str:
    """`1 warning`, `2 warnings`."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def summarize(result: AnalysisResult) -> Summary:
    """Count findings by severity and rule, fixable findings, services and problems."""
    severities = Counter(f.severity for f in result.findings)
    return Summary(
        findings=len(result.findings),
        by_severity={s: severities.get(s, 0) for s in Severity},
        fixable=sum(1 for f in result.findings if f.fixable),
        services=result.services,
        problems=len(result.problems),
        by_rule=dict(sorted(Counter(f.rule_id for f in result.findings).items())),
    )


def report_base(roots: Iterable[Path]) -> Path | None:
    """The directory paths are shown relative to: the common parent of the analysed roots."""
    dirs = [str(r if r.is_dir() else r.parent) for r in roots]
    if not dirs:
        return None
    return Path(os.path.commonpath(dirs))


def relative(path: Path, base: Path | None) -> str:
    """`path` as a '/'-separated path relative to `base` (unchanged when there is no base)."""
    if base is None or not path.is_absolute():
        return path.as_posix()
    try:
        return path.relative_to(base).as_posix()
    except ValueError:
        return Path(os.path.relpath(path, base)).as_posix()


def human_bytes(count: int) -> str:
    """Decimal units as Docker shows them: `512 B`, `12.3 kB`, `4.1 MB`, `1.20 GB`."""
    if count < 1000:
        return f"{count} B"
    for unit, scale in (("kB", 1e3), ("MB", 1e6), ("GB", 1e9)):
        if count < scale * 1000 or unit == "GB":
            value = count / scale
            return f"{value:.2f} {unit}" if unit == "GB" else f"{value:.1f} {unit}"
    raise AssertionError("unreachable")  # pragma: no cover


def write_atomic(path: Path, text: str) -> None:
    """Write `text` to `path` through a temporary file and `os.replace`; never a directory."""
    if path.is_dir():
        raise UsageError(f"{path} is a directory; --output needs a file name")
    parent = path.parent if str(path.parent) else Path()
    if not parent.is_dir():
        raise UsageError(f"cannot write {path}: directory {parent} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        Path(tmp).chmod(path.stat().st_mode & 0o7777 if path.exists() else 0o644)
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
