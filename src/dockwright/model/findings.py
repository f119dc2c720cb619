"""Plain result records shared by rules, the analysis and the reporters."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum, StrEnum
from pathlib import Path


class Severity(Enum):
    """How bad a finding is. Ordered: INFO < WARNING < ERROR."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        """Lower-case name used in output and config."""
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        """Severity from its name (case-insensitive); ValueError when unknown."""
        try:
            return cls[text.strip().upper()]
        except KeyError:
            names = ", ".join(s.label for s in cls)
            raise ValueError(f"unknown severity {text!r} (expected one of: {names})") from None


class Group(StrEnum):
    """Rule groups (what kind of problem a rule finds)."""

    SPEED = "speed"
    SIZE = "size"
    SECURITY = "security"
    CORRECTNESS = "correctness"
    CONTEXT = "context"
    DEPS = "deps"
    COMPOSE = "compose"


@dataclass(frozen=True, order=True)
class Location:
    """A place in a file (1-based line and column)."""

    path: Path
    line: int = 1
    column: int = 1
    end_line: int | None = None


class EditKind(StrEnum):
    """What an edit does to a span of lines."""

    INSERT = "insert"  # insert `text` before `start_line`
    REPLACE = "replace"  # replace lines start_line..end_line (inclusive) with `text`
    DELETE = "delete"  # delete lines start_line..end_line


@dataclass(frozen=True)
class Edit:
    """A typed edit over whole lines of one file. `text` ends with a newline unless empty."""

    kind: EditKind
    path: Path
    start_line: int
    end_line: int
    text: str = ""


@dataclass(frozen=True)
class Fix:
    """An automatic fix: a description and the edits that apply it."""

    description: str
    edits: tuple[Edit, ...]


@dataclass(frozen=True)
class Cost:
    """Estimated cost of a finding, where it can be computed."""

    bytes_added: int | None = None  # bytes the problem adds to the image
    bytes_rebuilt: int | None = None  # bytes rebuilt/re-sent on every code change
    note: str = ""


@dataclass(frozen=True)
class Finding:
    """One problem found by a rule."""

    rule_id: str
    rule_name: str
    severity: Severity
    group: Group
    location: Location
    message: str
    rationale: str
    service: str = ""
    cost: Cost | None = None
    fix: Fix | None = None

    @property
    def fixable(self) -> bool:
        """True when an automatic fix is attached."""
        return self.fix is not None


@dataclass(frozen=True)
class Problem:
    """Bad input that stopped part of the analysis: one line naming the file (and line)."""

    path: Path
    message: str
    line: int | None = None
    service: str = ""

    def one_line(self) -> str:
        """`path:line: message`."""
        where = f"{self.path}:{self.line}" if self.line else f"{self.path}"
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class RuleInfo:
    """Plain description of a rule, for reporters (SARIF rule metadata, docs)."""

    id: str
    name: str
    severity: Severity
    group: Group
    summary: str
    rationale: str
    fixable: bool
    hadolint: tuple[str, ...] = ()


@dataclass(frozen=True)
class AnalysisResult:
    """Everything `analyze` produced: findings, problems, rules that ran, services seen."""

    findings: tuple[Finding, ...]
    problems: tuple[Problem, ...]
    rules: tuple[RuleInfo, ...]
    services: tuple[str, ...]
    roots: tuple[Path, ...] = field(default_factory=tuple)
