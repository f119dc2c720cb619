"""Dependency inputs of a service: requirements files, pyproject, lock files, Pipfile, setup.*.

This module only reads files; resolving lives in `dockwright.deps`. Requirements files are read
like pip reads them (`pip._internal.req.req_file`): backslash continuations are joined, `#`
comments need whitespace before them, options may follow a requirement (`--hash=...`), and
`-r`/`-c` includes are followed. `${VAR}` placeholders are kept as written.
"""

from __future__ import annotations

import fnmatch
import os
import re
import shlex
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from packaging.requirements import InvalidRequirement
from packaging.requirements import Requirement as _Req
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

    name: str  # canonical name ('' for an unnamed local path or URL)
    raw: str
    path: Path
    line: int
    specifier: str = ""
    extras: tuple[str, ...] = ()
    marker: str = ""
    url: str = ""  # direct URL, VCS URL or local path
    hashes: tuple[str, ...] = ()
    editable: bool = False
    group: str = ""  # "" for main deps, else the dev/optional group name

    @property
    def pinned(self) -> bool:
        """True for an exact pin (`==X` without wildcard, or `===X`) or a direct URL."""
        if self.url:
            return True
        spec = self.specifier.strip()
        exact = spec.startswith("==") and "*" not in spec and "," not in spec
        return exact or spec.startswith("===")

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
    includes: tuple[Path, ...] = ()  # -r / -c targets (and files a setup.py reads), resolved
    problems: tuple[Problem, ...] = field(default_factory=tuple)
    options: tuple[str, ...] = ()  # other pip options (--no-binary, --pre, --require-hashes...)

    @property
    def is_lock(self) -> bool:
        """True for lock files (fully pinned by construction)."""
        return self.kind in {
            DepKind.UV_LOCK,
            DepKind.POETRY_LOCK,
            DepKind.PDM_LOCK,
            DepKind.PIPFILE_LOCK,
        }

    @property
    def groups(self) -> tuple[str, ...]:
        """Distinct requirement groups, in first-seen order ('' is the main group)."""
        return tuple(dict.fromkeys(r.group for r in self.requirements))


_HASH = re.compile(r"--hash[=\s]+(\S+)")
_PER_REQ_OPTION = re.compile(r"\s--(?:config-settings|global-option|install-option)[=\s]+\S+")
_EGG = re.compile(r"[#&]egg=([A-Za-z0-9_.\-]+)")
_WHEEL = re.compile(r"([A-Za-z0-9_.]+?)-(\d[^-]*)-[^-]+-[^-]+-[^-]+\.whl$")
_URLISH = re.compile(r"^(?:[a-z][a-z0-9+.\-]*://|\.{1,2}(?:/|$)|/)", re.IGNORECASE)


def parse_requirement(text: str, path: Path, line: int, group: str = "") -> Requirement:
    """Parse one requirement line (PEP 508, URL, local path, -e); ValueError when malformed."""
    body, editable = text.strip(), False
    for flag in ("-e", "--editable"):
        if body.startswith((flag + " ", flag + "=")):
            body, editable = body[len(flag) + 1 :].strip(), True
    hashes = tuple(_HASH.findall(body))
    body = _PER_REQ_OPTION.sub("", _HASH.sub("", " " + body)).strip()
    if _URLISH.match(body) or (editable and not _looks_named(body)):
        return _unnamed(text, body, path, line, group, hashes, editable)
    try:
        req = _Req(body)
    except InvalidRequirement as exc:
        raise ValueError(f"malformed requirement {text.strip()!r}: {exc}".splitlines()[0]) from None
    return Requirement(
        name=canonicalize_name(req.name),
        raw=text.strip(),
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


def _looks_named(body: str) -> bool:
    return " @ " in body or bool(re.match(r"^[A-Za-z0-9][A-Za-z0-9._\-]*(\[.*\])?\s*@", body))


def _unnamed(
    text: str, body: str, path: Path, line: int, group: str, hashes: tuple[str, ...], editable: bool
) -> Requirement:
    """A bare URL or local path: the name comes from `#egg=` or a wheel file name, if any."""
    url, _, marker = body.partition(";")
    url = url.strip()
    name = ""
    if match := _EGG.search(url):
        name = match.group(1)
    elif match := _WHEEL.search(url.split("#", 1)[0]):
        name = match.group(1)
    return Requirement(
        canonicalize_name(name) if name else "",
        text.strip(),
        path,
        line,
        url=url,
        marker=marker.strip(),
        hashes=hashes,
        editable=editable,
        group=group,
    )


_COMMENT = re.compile(r"(^|\s+)#.*$")
REQUIREMENTS_GLOBS = (
    "requirements*.txt",
    "requirements*.in",
    "*-requirements.txt",
    "*_requirements.txt",
    "requirements/*.txt",
    "requirements/*.in",
    "constraints*.txt",
)


def logical_lines(text: str) -> list[tuple[int, str]]:
    """(first line number, text): pip's `join_lines` then `ignore_comments`."""
    joined: list[tuple[int, str]] = []
    pending: list[str] = []
    start = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.endswith("\\") or _COMMENT.match(line):
            line = " " + line if _COMMENT.match(line) else line
            joined.append((start, "".join([*pending, line])) if pending else (number, line))
            pending = []
        else:
            start = number if not pending else start
            pending.append(line.strip("\\"))
    if pending:
        joined.append((start, "".join(pending)))
    cleaned = [(n, _COMMENT.sub("", t).strip()) for n, t in joined]
    return [(n, t) for n, t in cleaned if t]


_VALUE_OPTIONS = {
    "-i": "index",
    "--index-url": "index",
    "--extra-index-url": "extra",
    "-f": "links",
    "--find-links": "links",
    "--trusted-host": "trusted",
    "-r": "include",
    "--requirement": "include",
    "-c": "constraint",
    "--constraint": "constraint",
}


@dataclass
class _ReqParse:
    path: Path
    kind: DepKind
    reqs: list[Requirement] = field(default_factory=list)
    opts: dict[str, list[str]] = field(default_factory=dict)
    includes: list[Path] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def line(self, number: int, line: str) -> None:
        if line.startswith("-") and not line.startswith(("-e", "--editable")):
            self.option(number, line)
            return
        try:
            self.reqs.append(parse_requirement(line, self.path, number))
        except ValueError as exc:
            self.problems.append(Problem(self.path, str(exc), number))

    def option(self, number: int, line: str) -> None:
        try:
            words = shlex.split(line)
        except ValueError:
            words = line.split()
        flag, _, value = words[0].partition("=")
        if not value and len(words) > 1 and flag in _VALUE_OPTIONS:
            value = words[1]
        slot = _VALUE_OPTIONS.get(flag)
        if slot is None:
            self.opts.setdefault("other", []).append(line)
        elif not value:
            self.problems.append(Problem(self.path, f"{flag} needs a value", number))
        elif slot in {"include", "constraint"}:
            self.include(number, flag, value)
        else:
            self.opts.setdefault(slot, []).append(value)

    def include(self, number: int, flag: str, value: str) -> None:
        if re.match(r"^[a-z][a-z0-9+.\-]*://", value):
            self.opts.setdefault("other", []).append(f"{flag} {value}")
            return
        target = real_path(self.path.parent / value)
        if "${" not in value and not target.is_file():
            self.problems.append(
                Problem(self.path, f"{flag} {value}: included file not found ({target})", number)
            )
        self.includes.append(target)

    def result(self) -> DepFile:
        o = self.opts
        return DepFile(
            self.path,
            self.kind,
            tuple(self.reqs),
            tuple(o.get("index", ())),
            tuple(o.get("extra", ())),
            tuple(o.get("links", ())),
            tuple(o.get("trusted", ())),
            tuple(self.includes),
            tuple(self.problems),
            tuple(o.get("other", ())),
        )


def load_requirements(path: Path, kind: DepKind = DepKind.REQUIREMENTS) -> DepFile:
    """Parse a requirements file (options, markers, hashes; -r/-c recorded as includes)."""
    text, problem = read_text(path)
    if problem is not None:
        return DepFile(path, kind, problems=(problem,))
    parse = _ReqParse(path, kind)
    for number, line in logical_lines(text):
        parse.line(number, line)
    return parse.result()


def real_path(path: Path) -> Path:
    """Absolute path with symlinks resolved; unlike Path.resolve (3.11) never raises on loops."""
    return Path(os.path.realpath(path))


def read_text(path: Path) -> tuple[str, Problem | None]:
    """A dependency file's text, or a Problem (unreadable, binary, symlink loop)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        return "", Problem(path, f"cannot read: {exc.strerror or exc}")
    if b"\x00" in data:
        return "", Problem(path, "binary file, not a dependency file")
    return data.decode("utf-8", errors="replace").removeprefix("\ufeff"), None


def kind_of(path: Path) -> DepKind | None:
    """The dependency-file kind a file name denotes (None: not a dependency input)."""
    name = path.name
    fixed = {k.value: k for k in DepKind if "." in k.value or k.value[0].isupper()}
    fixed["pyproject.toml"] = DepKind.PYPROJECT
    if name in fixed:
        return fixed[name]
    if path.suffix in {".txt", ".in"}:
        if "constraint" in name:
            return DepKind.CONSTRAINTS
        if "requirement" in name or path.parent.name == "requirements":
            return DepKind.REQUIREMENTS
    return None


def load_dep_file(path: Path) -> DepFile:
    """Parse any dependency input by its name; never raises."""
    from dockwright.model import depformats

    kind = kind_of(path) or DepKind.REQUIREMENTS
    if kind in {DepKind.REQUIREMENTS, DepKind.CONSTRAINTS}:
        return load_requirements(path, kind)
    return depformats.load(path, kind)


TOP_LEVEL_FILES = (
    "pyproject.toml",
    "uv.lock",
    "poetry.lock",
    "pdm.lock",
    "Pipfile",
    "Pipfile.lock",
    "setup.py",
    "setup.cfg",
)


def candidates(context: Path) -> list[Path]:
    """Dependency inputs at the top of a build context (and in `requirements/`)."""
    top = _files(context)
    names = [n for n, is_file in top.items() if is_file]
    if top.get("requirements") is False:
        names += ["requirements/" + n for n, f in _files(context / "requirements").items() if f]
    return sorted(context / n for n in names if n in TOP_LEVEL_FILES or _requirements_name(n))


def _requirements_name(name: str) -> bool:
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in REQUIREMENTS_GLOBS)


def _files(folder: Path) -> dict[str, bool]:
    """Entry names of a folder -> is a regular file (following symlinks); {} when unreadable."""
    try:
        with os.scandir(folder) as entries:
            return {e.name: _is_file(e) for e in entries}
    except OSError:
        return {}


def _is_file(entry: os.DirEntry[str]) -> bool:
    """A file, or a link that is not a folder (a broken link or loop is reported when read)."""
    try:
        return entry.is_file() or (entry.is_symlink() and not entry.is_dir())
    except OSError:
        return entry.is_symlink()


def load_dep_files(
    context: Path, named: tuple[Path, ...] = (), cache: dict[Path, DepFile] | None = None
) -> tuple[DepFile, ...]:
    """`named` files, then the dependency inputs at the top of a context, -r/-c includes followed.

    Named files (those the Dockerfile installs or copies) come first, so the file a service
    really installs is its first requirements file.

    `cache` (path -> DepFile) is shared between services so each file is parsed once.
    """
    cache = {} if cache is None else cache
    queue = [real_path(p) for p in [*named, *candidates(context)]]
    found: dict[Path, DepFile] = {}
    while queue:
        path = queue.pop(0)
        if path in found or not (path.is_file() or path.is_symlink()):
            continue
        if path not in cache:
            cache[path] = load_dep_file(path)
        found[path] = cache[path]
        queue.extend(i for i in found[path].includes if i not in found)
    return tuple(found.values())


def with_includes(
    start: Iterable[DepFile | Path],
    known: Mapping[Path, DepFile],
    loader: Callable[[Path], DepFile] = load_dep_file,
) -> list[DepFile]:
    """`start` and every file its `-r`/`-c` lines include, each once, in discovery order.

    `known` maps real paths to files already parsed; others that exist are read with `loader`.
    """
    out: dict[Path, DepFile] = {}
    todo: list[DepFile | Path] = list(start)
    while todo:
        item = todo.pop(0)
        path = real_path(item.path if isinstance(item, DepFile) else item)
        if path in out:
            continue
        if isinstance(item, DepFile):
            dep = item
        elif path in known:
            dep = known[path]
        elif path.is_file():
            dep = loader(path)
        else:
            continue
        out[path] = dep
        todo.extend(dep.includes)
    return list(out.values())
