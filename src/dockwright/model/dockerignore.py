r"""`.dockerignore` loading and matching with Docker's real semantics.

A port of moby/patternmatcher (pattern compilation, `MatchesUsingParentResults`) and of the
way BuildKit's context walker (tonistiigi/fsutil `filterFS.Walk`) applies it:

- lines are read like `ignorefile.ReadAll`: a BOM is dropped, lines *starting* with `#` are
  comments, whitespace is trimmed, `!` marks an exception, the rest goes through Go's
  `filepath.Clean` and loses one leading `/` (patterns are anchored at the context root; there is
  no implicit `**/`);
- `*` and `?` never cross `/`, `**` crosses any number of directories, `[...]` is a class
  (`^` negates, `!` does not), `\` escapes the next character;
- a pattern matching a directory excludes everything below it; the last matching pattern wins,
  and a pattern's result for a directory is inherited by everything below it;
- an excluded directory is not walked when no `!` exception could re-include something below it.

`<Dockerfile>.dockerignore` next to the Dockerfile takes precedence over `<context>/.dockerignore`.
The Dockerfile and the ignore file are always treated as sent (the docker CLI adds `!` exceptions
for them, as docker-py's `exclude_paths` does).
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from dockwright.model.findings import Problem

_ESCAPE = set(".+()|{}$")
_PATTERN_CHARS = set("*[]?^\\")
_BOM = "\ufeff"


class MatchKind(Enum):
    """How patternmatcher compares a cleaned pattern with a path."""

    EXACT = "exact"
    PREFIX = "prefix"  # `dir/**`
    SUFFIX = "suffix"  # `**/name`, `**name`
    REGEXP = "regexp"


@dataclass(frozen=True)
class IgnorePattern:
    """One cleaned pattern with its source line (line 0: implicit, added by Docker)."""

    text: str
    exclusion: bool  # True for `!pattern`
    line: int
    regex: re.Pattern[str]  # equivalent of the Go matcher, use with .match()
    kind: MatchKind = MatchKind.REGEXP

    def matches(self, path: str) -> bool:
        """True when this pattern alone matches `path` ('/'-separated, cleaned)."""
        return self.regex.match(path) is not None

    @property
    def stem(self) -> str:
        """The pattern without a trailing `/**` or `/*` (fsutil's prefix test)."""
        text = self.text.removesuffix("/**")
        return text.removesuffix("/*")


def go_clean(path: str) -> str:
    """Go's `filepath.Clean` on a '/'-separated path ('' gives '.')."""
    if not path:
        return "."
    rooted = path.startswith("/")
    cleaned = posixpath.normpath(path)
    if rooted:
        cleaned = "/" + cleaned.lstrip("/")
    return cleaned


def _compile(pattern: str) -> tuple[MatchKind, re.Pattern[str]]:
    """Port of patternmatcher's `Pattern.compile`: detect the match type, build the regex."""
    kind, out, i = MatchKind.EXACT, ["^"], 0
    while i < len(pattern):
        ch = pattern[i]
        if pattern.startswith("**", i):
            i += 3 if pattern.startswith("**/", i) else 2
            if i >= len(pattern):
                kind, piece = (
                    (MatchKind.PREFIX, "") if kind is MatchKind.EXACT else (MatchKind.REGEXP, ".*")
                )
            else:
                kind, piece = MatchKind.REGEXP, "(?:.*/)?"
            out.append(piece)
            if len(out) == 2 and pattern.startswith("**"):
                kind = MatchKind.SUFFIX
            continue
        piece, i, wild = _translate_char(pattern, i, ch)
        out.append(piece)
        if wild:
            kind = MatchKind.REGEXP
    return kind, _regex_for(kind, pattern, "".join(out) + r"\Z")


def _translate_char(pattern: str, i: int, ch: str) -> tuple[str, int, bool]:
    """Regex piece for one pattern character; returns (piece, next index, is-wildcard)."""
    if ch == "*":
        return "[^/]*", i + 1, True
    if ch == "?":
        return "[^/]", i + 1, True
    if ch in _ESCAPE:
        return "\\" + ch, i + 1, False
    if ch == "\\":
        if i + 1 < len(pattern):
            return re.escape(pattern[i + 1]), i + 2, True
        return "\\\\", i + 1, False
    if ch in "[]":
        return ch, i + 1, True
    return ch, i + 1, False


def _regex_for(kind: MatchKind, pattern: str, regex: str) -> re.Pattern[str]:
    if kind is MatchKind.EXACT:
        return re.compile(re.escape(pattern) + r"\Z", re.DOTALL)
    if kind is MatchKind.PREFIX:
        return re.compile(re.escape(pattern[:-2]), re.DOTALL)
    if kind is MatchKind.SUFFIX:
        suffix = pattern[2:]
        alts = [".*" + re.escape(suffix)]
        if suffix.startswith("/"):
            alts.append(re.escape(suffix[1:]))
        return re.compile("(?:" + "|".join(alts) + r")\Z", re.DOTALL)
    try:
        return re.compile(regex, re.DOTALL)
    except re.error:
        return re.compile(r"(?!)")


def is_valid(pattern: str) -> bool:
    """Go's `filepath.Match` syntax check (bad classes, trailing backslash)."""
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            if i + 1 >= len(pattern):
                return False
            i += 2
        elif ch == "[":
            end = _class_end(pattern, i + 1)
            if end < 0:
                return False
            i = end
        else:
            i += 1
    return True


def _class_end(pattern: str, i: int) -> int:
    """Index after the `]` closing a class that starts at `i`, or -1 when malformed."""
    if i < len(pattern) and pattern[i] == "^":
        i += 1
    ranges = 0
    while True:
        if i < len(pattern) and pattern[i] == "]" and ranges > 0:
            return i + 1
        i = _class_char(pattern, i)
        if i < 0:
            return -1
        if pattern[i] == "-":
            i = _class_char(pattern, i + 1)
            if i < 0:
                return -1
        ranges += 1


def _class_char(pattern: str, i: int) -> int:
    """Go's `getEsc`: index after one class character, -1 when malformed or unterminated."""
    if i >= len(pattern) or pattern[i] in "-]":
        return -1
    if pattern[i] == "\\":
        i += 1
    i += 1
    return i if i < len(pattern) else -1


def _read_line(raw: str) -> tuple[str, bool] | None:
    """`ignorefile.ReadAll` for one line: (cleaned pattern, exclusion) or None for none."""
    if raw.startswith("#"):
        return None
    line = raw.strip()
    if not line:
        return None
    exclusion = line.startswith("!")
    if exclusion:
        line = line[1:].strip()
    if line:
        line = go_clean(line)
        if len(line) > 1 and line.startswith("/"):
            line = line[1:]
    return line, exclusion


def make_pattern(text: str, exclusion: bool, line: int) -> IgnorePattern:
    """Compile one already-cleaned pattern."""
    kind, regex = _compile(text)
    return IgnorePattern(text, exclusion, line, regex, kind)


def parse(
    text: str, path: Path | None = None
) -> tuple[tuple[IgnorePattern, ...], tuple[Problem, ...]]:
    """Parse `.dockerignore` text; malformed patterns become Problems (Docker would refuse)."""
    patterns: list[IgnorePattern] = []
    problems: list[Problem] = []
    where = path or Path(".dockerignore")
    for number, raw in enumerate(text.removeprefix(_BOM).splitlines(), start=1):
        read = _read_line(raw)
        if read is None:
            continue
        cleaned, exclusion = read
        if not cleaned:
            problems.append(Problem(where, 'illegal exclusion pattern: "!"', number))
        elif not is_valid(go_clean(cleaned)):
            problems.append(Problem(where, f"syntax error in pattern {cleaned!r}", number))
        else:
            patterns.append(make_pattern(go_clean(cleaned), exclusion, number))
    return tuple(patterns), tuple(problems)


def parse_patterns(text: str) -> tuple[IgnorePattern, ...]:
    """Parse `.dockerignore` text into patterns (comments, blanks and bad patterns skipped)."""
    return parse(text)[0]


MatchInfo = tuple[bool, ...]  # per pattern: did it match this path or one of its parents


@dataclass(frozen=True)
class DockerIgnore:
    """The ignore rules that apply to one build (path None: no .dockerignore at all)."""

    path: Path | None
    patterns: tuple[IgnorePattern, ...] = ()
    implicit: tuple[IgnorePattern, ...] = ()  # `!Dockerfile`, `!.dockerignore` added by Docker
    problems: tuple[Problem, ...] = field(default=(), compare=False)

    @property
    def exists(self) -> bool:
        """True when a .dockerignore file applies."""
        return self.path is not None

    @property
    def all_patterns(self) -> tuple[IgnorePattern, ...]:
        """Patterns in evaluation order (the file's, then Docker's implicit exceptions)."""
        return self.patterns + self.implicit

    def match(self, rel: str, parent: MatchInfo = ()) -> tuple[bool, MatchInfo, int]:
        """Port of patternmatcher's `MatchesUsingParentResults`: (excluded, info, deciding index).

        `parent` is the info returned for the parent directory (empty: unknown, so parents are
        checked here). The deciding index is -1 when no pattern matched.
        """
        matched, decider, info = False, -1, []
        for index, pattern in enumerate(self.all_patterns):
            hit = bool(parent) and parent[index]
            if not hit and pattern.exclusion == matched:
                hit = pattern.matches(rel) or (not parent and _parent_matches(pattern, rel))
            info.append(hit)
            if hit:
                matched, decider = not pattern.exclusion, index
        return matched, tuple(info), decider

    def _walk_to(self, relpath: str) -> tuple[bool, int]:
        rel = go_clean(relpath)
        if rel in {".", "/"} or not self.all_patterns:
            return False, -1
        info: MatchInfo = ()
        parts = rel.split("/")
        for depth in range(1, len(parts)):
            info = self.match("/".join(parts[:depth]), info)[1]
        excluded, _, decider = self.match(rel, info)
        return excluded, decider

    def excluded(self, relpath: str) -> bool:
        """True when `relpath` (relative to the context, '/' separated) is not sent."""
        return self._walk_to(relpath)[0]

    def matching_pattern(self, relpath: str) -> IgnorePattern | None:
        """The last pattern that decides `relpath`'s fate, if any."""
        decider = self._walk_to(relpath)[1]
        return self.all_patterns[decider] if decider >= 0 else None

    def can_skip_dir(self, rel: str) -> bool:
        """For an excluded directory: True when nothing below it can be re-included (fsutil)."""
        exceptions = [p for p in self.all_patterns if p.exclusion]
        if any(_PATTERN_CHARS & set(p.stem) for p in exceptions):
            return False
        prefix = rel + "/"
        return not any((p.stem + "/").startswith(prefix) for p in exceptions)


def _parent_matches(pattern: IgnorePattern, rel: str) -> bool:
    parts = rel.split("/")[:-1]
    return any(pattern.matches("/".join(parts[: n + 1])) for n in range(len(parts)))


def _implicit(ignore: DockerIgnore, keep: tuple[str, ...]) -> tuple[IgnorePattern, ...]:
    """Docker CLI's `TrimBuildFilesFromExcludes`: re-include the build files when excluded."""
    return tuple(make_pattern(rel, True, 0) for rel in keep if ignore.excluded(rel))


def load(context: Path, dockerfile: Path) -> DockerIgnore:
    """The ignore rules for a build: `<Dockerfile>.dockerignore` first, then the context's."""
    for candidate in (
        dockerfile.with_name(dockerfile.name + ".dockerignore"),
        context / ".dockerignore",
    ):
        try:
            text = candidate.read_text(encoding="utf-8", errors="replace")
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            continue
        except OSError as exc:
            return DockerIgnore(candidate, problems=(Problem(candidate, f"cannot read: {exc}"),))
        patterns, problems = parse(text, candidate)
        found = DockerIgnore(candidate, patterns, (), problems)
        keep = tuple(r for r in (_rel(context, candidate), _rel(context, dockerfile)) if r)
        return DockerIgnore(candidate, patterns, _implicit(found, keep), problems)
    return DockerIgnore(None)


def _rel(context: Path, path: Path) -> str | None:
    try:
        return path.relative_to(context).as_posix()
    except ValueError:
        return None
