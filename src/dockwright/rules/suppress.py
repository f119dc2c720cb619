"""In-file suppressions: `# dockwright: ignore[DW101]`, `ignore-file[...]` and hadolint's own."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from dockwright.model.dockerfile import Dockerfile
from dockwright.model.findings import Finding

_OURS = re.compile(r"#\s*dockwright:\s*(ignore|ignore-file)(?:\[([^\]]*)\])?", re.I)
_HADOLINT = re.compile(r"#\s*hadolint\s+(global\s+)?ignore=([A-Z0-9, ]+)", re.I)
ALL = "*"


@dataclass(frozen=True)
class Suppressions:
    """Which codes are silenced where: per instruction start line, and file-wide."""

    by_line: dict[int, frozenset[str]] = field(default_factory=dict)
    file_wide: frozenset[str] = frozenset()

    def silences(self, finding: Finding, hadolint: tuple[str, ...]) -> bool:
        """True when a comment silences this finding (by id, or a hadolint twin)."""
        codes = {finding.rule_id, *hadolint}
        here = self.by_line.get(finding.location.line, frozenset())
        return (
            any(c in here or c in self.file_wide for c in codes)
            or ALL in here
            or ALL in self.file_wide
        )


def _codes(text: str | None) -> set[str]:
    if text is None or not text.strip():
        return {ALL}
    return {c.strip().upper() for c in text.split(",") if c.strip()}


def parse(dockerfile: Dockerfile) -> Suppressions:
    """Read suppression comments; a line comment applies to the next instruction."""
    starts = sorted(i.line for i in dockerfile.instructions())
    by_line: dict[int, set[str]] = {}
    file_wide: set[str] = set()
    for number, line in enumerate(dockerfile.lines, start=1):
        codes, whole = _line_codes(line)
        if not codes:
            continue
        if whole:
            file_wide |= codes
            continue
        following = next((s for s in starts if s > number), None)
        if following is not None:
            by_line.setdefault(following, set()).update(codes)
    return Suppressions({k: frozenset(v) for k, v in by_line.items()}, frozenset(file_wide))


def _line_codes(line: str) -> tuple[set[str], bool]:
    stripped = line.strip()
    if not stripped.startswith("#"):
        return set(), False
    ours = _OURS.search(stripped)
    if ours:
        return _codes(ours.group(2)), ours.group(1).lower() == "ignore-file"
    theirs = _HADOLINT.search(stripped)
    if theirs:
        return _codes(theirs.group(2)), bool(theirs.group(1))
    return set(), False
