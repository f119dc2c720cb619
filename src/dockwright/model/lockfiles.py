"""Lock files: uv.lock, poetry.lock, pdm.lock (TOML) and Pipfile.lock (JSON).

Each pinned package becomes a Requirement `name==version` at the line of its `name = ...`
(TOML) or `"name": {` (JSON) entry; hashes are kept when the lock records them.
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from typing import Any

from packaging.utils import canonicalize_name

from dockwright.model.depfiles import DepFile, DepKind, Requirement, read_text
from dockwright.model.findings import Problem

_NAME_LINE = re.compile(r"""^name\s*=\s*["']([^"']+)["']""")


def _package_lines(text: str) -> list[int]:
    """Line of the `name =` key of every `[[package]]` table, in file order."""
    lines, inside = [], False
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("["):
            inside = stripped == "[[package]]"
        elif inside and _NAME_LINE.match(stripped):
            lines.append(number)
            inside = False
    return lines


def _hashes(package: dict[str, Any]) -> tuple[str, ...]:
    found: list[str] = []
    sdist = package.get("sdist")
    for entry in [*package.get("wheels", []), *package.get("files", []), sdist]:
        if isinstance(entry, dict) and isinstance(entry.get("hash"), str):
            found.append(entry["hash"])
    return tuple(found)


def _group(package: dict[str, Any], kind: DepKind) -> str:
    if kind is DepKind.POETRY_LOCK:
        category = package.get("category", "main")
        return "" if category == "main" else str(category)
    groups = package.get("groups")
    if kind is DepKind.PDM_LOCK and isinstance(groups, list) and groups:
        return "" if "default" in groups else str(groups[0])
    return ""


def _source_url(package: dict[str, Any]) -> str:
    source = package.get("source")
    if not isinstance(source, dict):
        return ""
    for key in ("editable", "virtual", "path", "directory", "git", "url"):
        if isinstance(source.get(key), str):
            return str(source[key])
    return ""


def load_toml_lock(path: Path, kind: DepKind) -> DepFile:
    """uv.lock / poetry.lock / pdm.lock: every `[[package]]` with name and version."""
    text, problem = read_text(path)
    if problem is not None:
        return DepFile(path, kind, problems=(problem,))
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        line = int(match.group(1)) if match else None
        return DepFile(path, kind, problems=(Problem(path, f"invalid TOML: {exc}", line),))
    packages = [p for p in data.get("package", []) if isinstance(p, dict) and "name" in p]
    lines = _package_lines(text)
    reqs = [
        _locked(path, kind, p, lines[i] if i < len(lines) else 1) for i, p in enumerate(packages)
    ]
    return DepFile(path, kind, tuple(reqs))


def _locked(path: Path, kind: DepKind, package: dict[str, Any], line: int) -> Requirement:
    name, version = str(package["name"]), str(package.get("version", ""))
    url = _source_url(package)
    source = package.get("source")
    editable = isinstance(source, dict) and "editable" in source
    return Requirement(
        canonicalize_name(name),
        f"{name}=={version}" if version else name,
        path,
        line,
        specifier=f"=={version}" if version and not url else "",
        url=url,
        hashes=_hashes(package),
        editable=editable,
        group=_group(package, kind),
    )


def load_pipfile_lock(path: Path) -> DepFile:
    """Pipfile.lock: `default` and `develop` (group 'dev') sections, `_meta.sources`."""
    text, problem = read_text(path)
    kind = DepKind.PIPFILE_LOCK
    if problem is not None:
        return DepFile(path, kind, problems=(problem,))
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return DepFile(
            path, kind, problems=(Problem(path, f"invalid JSON: {exc.msg}", exc.lineno),)
        )
    if not isinstance(data, dict):
        return DepFile(path, kind, problems=(Problem(path, "Pipfile.lock must be an object", 1),))
    lines = text.splitlines()
    reqs = [
        _pipfile_locked(path, name, spec, "" if section == "default" else "dev", lines)
        for section in ("default", "develop")
        for name, spec in (data.get(section) or {}).items()
        if isinstance(spec, dict)
    ]
    sources = (data.get("_meta") or {}).get("sources") or []
    urls = [s["url"] for s in sources if isinstance(s, dict) and isinstance(s.get("url"), str)]
    return DepFile(path, kind, tuple(reqs), tuple(urls[:1]), tuple(urls[1:]))


def _pipfile_locked(
    path: Path, name: str, spec: dict[str, Any], group: str, lines: list[str]
) -> Requirement:
    needle = f'"{name}": {{'
    line = next((n for n, ln in enumerate(lines, 1) if needle in ln), 1)
    version = str(spec.get("version", ""))
    url = next((str(spec[k]) for k in ("git", "file", "path") if isinstance(spec.get(k), str)), "")
    hashes = tuple(h for h in spec.get("hashes", []) if isinstance(h, str))
    marker = spec.get("markers") if isinstance(spec.get("markers"), str) else ""
    return Requirement(
        canonicalize_name(name),
        f"{name}{version}",
        path,
        line,
        specifier=version,
        url=url,
        hashes=hashes,
        marker=str(marker),
        editable=bool(spec.get("editable")),
        group=group,
    )


def load(path: Path, kind: DepKind) -> DepFile:
    """Parse a lock file of `kind`."""
    if kind is DepKind.PIPFILE_LOCK:
        return load_pipfile_lock(path)
    return load_toml_lock(path, kind)
