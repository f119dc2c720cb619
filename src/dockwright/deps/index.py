"""Package versions and file listings (with sizes), and the wheel a target would install.

Listings come from an index's JSON simple API (PEP 691, PEP 700) or wheelhouse folders.
"""

from __future__ import annotations

import json
import ssl
import urllib.error
import urllib.request
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Protocol

from packaging.tags import Tag, compatible_tags, cpython_tags
from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import InvalidVersion, Version

from dockwright.deps.cache import JsonCache
from dockwright.deps.target import Target

PYPI_SIMPLE = "https://pypi.org/simple/"
_ACCEPT = "application/vnd.pypi.simple.v1+json"
CA_FILE = "/etc/ssl/certs/ca-certificates.crt"


@dataclass(frozen=True)
class FileInfo:
    """One distribution file of a package version."""

    filename: str
    version: Version
    size: int | None
    tags: frozenset[Tag] = frozenset()  # empty for an sdist

    @property
    def is_wheel(self) -> bool:
        """True for a wheel."""
        return self.filename.endswith(".whl")


class PackageIndex(Protocol):
    """Where versions and files of a package are listed."""

    def files(self, name: str) -> tuple[FileInfo, ...]:
        """Every file of every version ((), when the package is unknown)."""
        ...

    def files_of(self, name: str, version: str) -> tuple[FileInfo, ...]:
        """The files of one version (cheaper than parsing every file name)."""
        ...


def _mentions(filename: str, version: str) -> bool:
    return f"-{version}-" in filename or filename.endswith(
        (f"-{version}.tar.gz", f"-{version}.zip", f"-{version}.tar.bz2")
    )


def file_info(filename: str, size: int | None) -> FileInfo | None:
    """Parse a wheel or sdist file name (None for anything else)."""
    try:
        if filename.endswith(".whl"):
            _, version, _, tags = parse_wheel_filename(filename)
            return FileInfo(filename, version, size, frozenset(tags))
        _, version = parse_sdist_filename(filename)
    except (InvalidWheelFilename, InvalidSdistFilename, InvalidVersion):
        return None
    return FileInfo(filename, version, size)


def versions(index: PackageIndex, name: str) -> tuple[Version, ...]:
    """Sorted distinct versions (pre-releases and yanked-by-name included as listed)."""
    return tuple(sorted({f.version for f in index.files(name)}))


@cache
def target_tags(target: Target) -> dict[Tag, int]:
    """Wheel tags a CPython of the target accepts -> preference rank (0 is best)."""
    major, minor = (int(p) for p in target.python.split(".")[:2])
    arch = target.arch
    if target.musl:
        plats = [f"musllinux_1_{m}_{arch}" for m in range(2, -1, -1)]
    else:
        plats = [f"manylinux_2_{m}_{arch}" for m in range(28, 4, -1)]
        plats += [f"manylinux2014_{arch}", f"manylinux2010_{arch}", f"manylinux1_{arch}"]
    plats.append(f"linux_{arch}")
    py = (major, minor)
    tags = [*cpython_tags(py, platforms=plats), *compatible_tags(py, platforms=plats)]
    return {tag: rank for rank, tag in reversed(list(enumerate(tags)))}


def chosen_file(files: Sequence[FileInfo], version: str, target: Target) -> FileInfo | None:
    """The wheel the target installs for `version`, else its sdist, else None."""
    wanted = Version(version)
    of_version = [f for f in files if f.version == wanted]
    ranks = target_tags(target)
    wheels = [(min(ranks.get(t, 10**6) for t in f.tags), f) for f in of_version if f.is_wheel]
    usable = sorted((r, f.filename, f) for r, f in wheels if r < 10**6)
    if usable:
        return usable[0][2]
    return next((f for f in of_version if not f.is_wheel), None)


class Wheelhouse:
    """Files in find-links folders."""

    def __init__(self, folders: Sequence[Path]) -> None:
        self.folders = folders

    def files(self, name: str) -> tuple[FileInfo, ...]:
        """Files of `name` in the folders."""
        found = []
        for folder in self.folders:
            for path in sorted(folder.glob("*")) if folder.is_dir() else []:
                info = file_info(path.name, path.stat().st_size)
                if info and canonicalize_name(_dist_name(path.name)) == canonicalize_name(name):
                    found.append(info)
        return tuple(found)

    def files_of(self, name: str, version: str) -> tuple[FileInfo, ...]:
        """The files of one version."""
        return tuple(f for f in self.files(name) if _mentions(f.filename, version))


def _dist_name(filename: str) -> str:
    if filename.endswith(".whl"):
        return filename.split("-", 1)[0]
    return filename.rsplit("-", 1)[0]


class SimpleIndex:
    """An index's JSON simple API (PyPI through the proxy by default), cached for a day."""

    def __init__(self, url: str = PYPI_SIMPLE, cache: JsonCache | None = None) -> None:
        self.url = url.rstrip("/") + "/"
        self.cache = cache
        self._memory: dict[str, tuple[FileInfo, ...]] = {}
        self._pages: dict[str, dict[str, Any]] = {}

    def files(self, name: str) -> tuple[FileInfo, ...]:
        """Files of `name` (() when unknown or unreachable)."""
        canon = canonicalize_name(name)
        if canon not in self._memory:
            self._memory[canon] = _parse_page(self.page(canon))
        return self._memory[canon]

    def files_of(self, name: str, version: str) -> tuple[FileInfo, ...]:
        """The files of one version, parsing only the file names that mention it."""
        page = self.page(canonicalize_name(name))
        entries = [e for e in page.get("files") or [] if _mentions(str(e.get("filename")), version)]
        return _parse_page({"files": entries})

    def page(self, canon: str) -> dict[str, Any]:
        """The raw listing of a package (memory, then the disk cache, then the index)."""
        if canon not in self._pages:
            self._pages[canon] = self._load(canon)
        return self._pages[canon]

    def _load(self, canon: str) -> dict[str, Any]:
        key = "index-" + "".join(c if c.isalnum() else "_" for c in self.url + canon)[-120:]
        stored = self.cache.get(key) if self.cache else None
        if isinstance(stored, dict):
            return stored
        page = _fetch(self.url + canon + "/")
        if page and self.cache:
            self.cache.put(key, page)
        return page


def _fetch(url: str) -> dict[str, Any]:
    context = ssl.create_default_context(cafile=CA_FILE if Path(CA_FILE).is_file() else None)
    request = urllib.request.Request(url, headers={"Accept": _ACCEPT})
    try:
        with urllib.request.urlopen(request, timeout=60, context=context) as response:
            data = json.loads(response.read().decode("utf-8"))
    except (urllib.error.URLError, OSError, ValueError):
        return {}
    files = data.get("files") if isinstance(data, dict) else None
    keep = [{"filename": f.get("filename"), "size": f.get("size")} for f in files or []]
    return {"files": keep}


def _parse_page(page: dict[str, Any]) -> tuple[FileInfo, ...]:
    out = []
    for entry in page.get("files") or []:
        size = entry.get("size")
        info = file_info(str(entry.get("filename")), size if isinstance(size, int) else None)
        if info is not None:
            out.append(info)
    return tuple(out)


class MultiIndex:
    """Several indexes and wheelhouses seen as one."""

    def __init__(self, parts: Sequence[PackageIndex]) -> None:
        self.parts = parts

    def files(self, name: str) -> tuple[FileInfo, ...]:
        """Files of `name` from every part."""
        return tuple(f for part in self.parts for f in part.files(name))

    def files_of(self, name: str, version: str) -> tuple[FileInfo, ...]:
        """Files of one version from every part."""
        return tuple(f for part in self.parts for f in part.files_of(name, version))

    def prefetch(self, names: Sequence[str], workers: int = 8) -> None:
        """Load the raw listings of many packages in parallel (network and disk only)."""
        pages = [p.page for p in self.parts if isinstance(p, SimpleIndex)]
        jobs = [(page, canonicalize_name(n)) for page in pages for n in sorted(set(names))]
        with ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(lambda job: job[0](job[1]), jobs))
