"""`.dockerignore` loading and matching with Docker's semantics.

Docker (moby/patternmatcher): patterns are cleaned (filepath.Clean), anchored at the context
root (no implicit `**/`), `**` matches any number of directories, `!` re-includes, the last
matching pattern wins, and a pattern that matches a directory excludes everything below it.
`<Dockerfile>.dockerignore` next to the Dockerfile takes precedence over the context's file.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class IgnorePattern:
    """One cleaned pattern with its source line."""

    text: str
    exclusion: bool  # True for `!pattern`
    line: int
    regex: re.Pattern[str]


def _translate(pattern: str) -> re.Pattern[str]:
    out = ["^"]
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if pattern.startswith("**", i):
            i += 2
            if pattern.startswith("/", i):
                i += 1
                out.append("(?:.*/)?")
            else:
                out.append(".*")
            continue
        if ch == "*":
            out.append("[^/]*")
        elif ch == "?":
            out.append("[^/]")
        elif ch == "[":
            end = pattern.find("]", i + 1)
            if end == -1:
                out.append(re.escape(ch))
            else:
                body = pattern[i + 1 : end].replace("\\", "\\\\")
                if body.startswith("^"):
                    body = "!" + body[1:]
                out.append("[" + ("^" + body[1:] if body.startswith("!") else body) + "]")
                i = end
        elif ch == "\\" and i + 1 < len(pattern):
            i += 1
            out.append(re.escape(pattern[i]))
        else:
            out.append(re.escape(ch))
        i += 1
    out.append("$")
    return re.compile("".join(out))


def _clean(text: str) -> str:
    cleaned = posixpath.normpath(text.strip().lstrip("/")) if text.strip() else ""
    return "" if cleaned == "." else cleaned


def parse_patterns(text: str) -> tuple[IgnorePattern, ...]:
    """Parse `.dockerignore` text into patterns (comments and blanks skipped)."""
    patterns = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        exclusion = line.startswith("!")
        cleaned = _clean(line[1:] if exclusion else line)
        if cleaned:
            patterns.append(IgnorePattern(cleaned, exclusion, number, _translate(cleaned)))
    return tuple(patterns)


@dataclass(frozen=True)
class DockerIgnore:
    """The ignore rules that apply to one build (path None: no .dockerignore at all)."""

    path: Path | None
    patterns: tuple[IgnorePattern, ...] = ()

    @property
    def exists(self) -> bool:
        """True when a .dockerignore file applies."""
        return self.path is not None

    def excluded(self, relpath: str) -> bool:
        """True when `relpath` (relative to the context, '/' separated) is not sent."""
        rel = _clean(relpath)
        if not rel:
            return False
        parents = _parents(rel)
        matched = False
        for pattern in self.patterns:
            if any(pattern.regex.match(p) for p in parents):
                matched = not pattern.exclusion
        return matched

    def matching_pattern(self, relpath: str) -> IgnorePattern | None:
        """The last pattern that decides `relpath`'s fate, if any."""
        rel = _clean(relpath)
        found = None
        for pattern in self.patterns:
            if any(pattern.regex.match(p) for p in _parents(rel)):
                found = pattern
        return found


def _parents(rel: str) -> list[str]:
    parts = rel.split("/")
    return ["/".join(parts[: n + 1]) for n in range(len(parts))]


def load(context: Path, dockerfile: Path) -> DockerIgnore:
    """The ignore file for a build: `<Dockerfile>.dockerignore` first, then `<context>/.dockerignore`."""
    for candidate in (dockerfile.with_name(dockerfile.name + ".dockerignore"), context / ".dockerignore"):
        if candidate.is_file():
            text = candidate.read_text(encoding="utf-8", errors="replace")
            return DockerIgnore(candidate, parse_patterns(text))
    return DockerIgnore(None)
