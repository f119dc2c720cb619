"""Dependency inputs of a service: requirements files, pyproject, lock files, Pipfile, setup.*.

This module only reads files; resolving lives in `dockwright.deps`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement as _Req
from packaging.utils import canonicalize_name

from dockwright.model.findings import Problem


class DepKind(StrEnum):
    """Kinds of dependency input."""

    REQUIREMENTS = "requirements"
    CONSTRAINTS = "constraints"
    PYPROJECT = "pyproject"
    UV_LOCK = "uv.lock"
    POETRY_LOCK = "poetry.lock"
    PDM_LOCK = "pdm.lock"
    PIPFILE = "Pipfile"
    PIPFILE_LOCK = "Pipfile.lock"
    SETUP_PY = "setup.py"
    SETUP_CFG = "setup.cfg"


@dataclass(frozen=True)
class Requirement:
    """One declared requirement with its source position."""

    name: str  # canonical name
    raw: str
    path: Path
    line: int
    specifier: str = ""
    extras: tuple[str, ...] = ()
    marker: str = ""
    url: str = ""
    hashes: tuple[str, ...] = ()
    editable: bool = False
    group: str = ""  # "" for main deps, else the dev/optional group name

    @property
    def pinned(self) -> bool:
        """True for an exact pin (`==X` without wildcard, or `===X`) or a direct URL."""
        if self.url:
            return True
        spec = self.specifier.strip()
        return (spec.startswith("==") and "*" not in spec and "," not in spec) or spec.startswith(
            "==="
        )

    @property
    def pinned_version(self) -> str | None:
        """The exact version when pinned with `==`."""
        if self.pinned and self.specifier.startswith("=="):
            return self.specifier.lstrip("=").strip()
        return None


@dataclass(frozen=True)
class DepFile:
    """A parsed dependency input file."""

    path: Path
    kind: DepKind
    requirements: tuple[Requirement, ...] = ()
    index_urls: tuple[str, ...] = ()
    extra_index_urls: tuple[str, ...] = ()
    find_links: tuple[str, ...] = ()
    trusted_hosts: tuple[str, ...] = ()
    includes: tuple[Path, ...] = ()  # -r / -c targets, resolved
    problems: tuple[Problem, ...] = field(default_factory=tuple)

    @property
    def is_lock(self) -> bool:
        """True for lock files (fully pinned by construction)."""
        return self.kind in {
            DepKind.UV_LOCK,
            DepKind.POETRY_LOCK,
            DepKind.PDM_LOCK,
            DepKind.PIPFILE_LOCK,
        }


def parse_requirement(text: str, path: Path, line: int, group: str = "") -> Requirement:
    """Parse one PEP 508 requirement; raises ValueError with a readable message."""
    editable = False
    body = text
    if body.startswith(("-e ", "--editable ")):
        editable = True
        body = body.split(None, 1)[1]
    hashes = tuple(part.split("=", 1)[1] for part in body.split() if part.startswith("--hash="))
    body = " ".join(p for p in body.split() if not p.startswith("--hash="))
    try:
        req = _Req(body)
    except InvalidRequirement as exc:
        raise ValueError(f"malformed requirement {text!r}: {exc}") from None
    return Requirement(
        name=canonicalize_name(req.name),
        raw=text,
        path=path,
        line=line,
        specifier=str(req.specifier),
        extras=tuple(sorted(req.extras)),
        marker=str(req.marker) if req.marker else "",
        url=req.url or "",
        hashes=hashes,
        editable=editable,
        group=group,
    )


REQUIREMENTS_GLOBS = ("requirements*.txt", "requirements/*.txt", "constraints*.txt")


def _logical_lines(text: str) -> list[tuple[int, str]]:
    """(first line number, text) with backslash continuations joined and comments dropped."""
    out: list[tuple[int, str]] = []
    buffer, start = "", 0
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split(" #", 1)[0].rstrip() if not raw.lstrip().startswith("#") else ""
        if not buffer:
            start = number
        if line.endswith("\\"):
            buffer += line[:-1] + " "
            continue
        buffer += line
        if buffer.strip():
            out.append((start, buffer.strip()))
        buffer = ""
    if buffer.strip():
        out.append((start, buffer.strip()))
    return out


def load_requirements(path: Path, kind: DepKind = DepKind.REQUIREMENTS) -> DepFile:
    """Parse a requirements file (options, markers, hashes; -r/-c recorded as includes)."""
    text = path.read_text(encoding="utf-8", errors="replace")
    reqs: list[Requirement] = []
    opts: dict[str, list[str]] = {"index": [], "extra": [], "links": [], "trusted": []}
    includes: list[Path] = []
    problems: list[Problem] = []
    flags = {"-i": "index", "--index-url": "index", "--extra-index-url": "extra", "-f": "links",
             "--find-links": "links", "--trusted-host": "trusted"}
    for number, line in _logical_lines(text):
        word, _, rest = line.replace("=", " ", 1).partition(" ") if line.startswith("-") else (line, "", "")
        if word in flags:
            opts[flags[word]].append(rest.strip())
        elif word in {"-r", "--requirement", "-c", "--constraint"}:
            includes.append((path.parent / rest.strip()).resolve())
        elif line.startswith("-") and not line.startswith(("-e ", "--editable")):
            continue  # other pip options (--no-binary, --pre...) do not name requirements
        else:
            try:
                reqs.append(parse_requirement(line, path, number))
            except ValueError as exc:
                problems.append(Problem(path, str(exc), number))
    return DepFile(path, kind, tuple(reqs), tuple(opts["index"]), tuple(opts["extra"]),
                   tuple(opts["links"]), tuple(opts["trusted"]), tuple(includes), tuple(problems))


def load_dep_files(context: Path) -> tuple[DepFile, ...]:
    """Dependency inputs found at the top of a build context (includes followed)."""
    found: list[DepFile] = []
    seen: set[Path] = set()
    queue = sorted({p.resolve() for g in REQUIREMENTS_GLOBS for p in context.glob(g) if p.is_file()})
    while queue:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        if not path.is_file():
            continue
        kind = DepKind.CONSTRAINTS if path.name.startswith("constraints") else DepKind.REQUIREMENTS
        dep = load_requirements(path, kind)
        found.append(dep)
        queue.extend(i for i in dep.includes if i not in seen)
    return tuple(found)
