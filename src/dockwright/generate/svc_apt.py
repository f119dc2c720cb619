"""Split the system packages a Dockerfile installs into build-only and runtime sets."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Packages only needed to compile or fetch dependencies: they stay in the build stage.
BUILD_ONLY = frozenset(
    "build-essential gcc g++ gfortran make cmake ninja-build pkg-config pkgconf autoconf "
    "automake libtool git git-lfs curl wget gnupg unzip swig cython3 "
    "python3-dev python3-pip python3-venv rustc cargo clang llvm patch".split()
)
# Of those, what only compiles (fetch tools such as git stay: VCS requirements need them).
COMPILE_ONLY = BUILD_ONLY - frozenset(
    "git git-lfs curl wget gnupg unzip python3-pip python3-venv".split()
)
# Development headers whose runtime library has a different package name.
DEV_TO_RUNTIME = {
    "libpq-dev": "libpq5",
    "libsndfile1-dev": "libsndfile1",
    "libsndfile-dev": "libsndfile1",
    "libffi-dev": "libffi8",
    "libssl-dev": "libssl3",
    "libxml2-dev": "libxml2",
    "libxslt1-dev": "libxslt1.1",
    "libjpeg-dev": "libjpeg62-turbo",
    "libjpeg62-turbo-dev": "libjpeg62-turbo",
    "libpng-dev": "libpng16-16",
    "zlib1g-dev": "zlib1g",
    "libmariadb-dev": "libmariadb3",
    "default-libmysqlclient-dev": "libmariadb3",
    "libgomp1-dev": "libgomp1",
    "libopenblas-dev": "libopenblas0",
    "libblas-dev": "libblas3",
    "liblapack-dev": "liblapack3",
    "libgl1-mesa-dev": "libgl1",
    "libglib2.0-dev": "libglib2.0-0",
    "libmagic-dev": "libmagic1",
    "libgeos-dev": "libgeos-c1v5",
    "libsqlite3-dev": "libsqlite3-0",
    "libcurl4-openssl-dev": "libcurl4",
    "libportaudio2-dev": "libportaudio2",
    "portaudio19-dev": "libportaudio2",
    "libavcodec-dev": "libavcodec59",
    "libavformat-dev": "libavformat59",
    "libswresample-dev": "libswresample4",
}
_VERSIONED = re.compile(r"^([a-z0-9][a-z0-9+.\-]*)(=.+)?$")


@dataclass(frozen=True)
class AptPlan:
    """System packages for the build stage and for the runtime image, in first-seen order."""

    build: tuple[str, ...] = ()
    runtime: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


def _name(package: str) -> str:
    match = _VERSIONED.match(package)
    return match.group(1) if match else package


def split_packages(packages: list[str]) -> AptPlan:
    """Build-only packages (compilers, `-dev` headers, fetch tools) vs runtime libraries.

    A `-dev` package goes to the build stage; its runtime library (when known) joins the
    runtime set, so `libpq-dev` becomes `libpq5` in production.
    """
    build: dict[str, None] = {}
    runtime: dict[str, None] = {}
    notes: list[str] = []
    for package in packages:
        name = _name(package)
        if name in BUILD_ONLY or name.endswith("-dev"):
            build[package] = None
            if name in DEV_TO_RUNTIME:
                runtime[DEV_TO_RUNTIME[name]] = None
            elif name.endswith("-dev"):
                notes.append(f"apt {name}: build stage only; add its runtime library if needed")
            elif name in {"curl", "wget"}:
                notes.append(f"apt {name}: build stage only (the health check uses Python)")
        else:
            runtime[package] = None
    return AptPlan(tuple(build), tuple(runtime), tuple(notes))


def without_compilers(plan: AptPlan) -> AptPlan:
    """The plan minus compilers and `-dev` headers (every dependency installs from a wheel)."""
    build = tuple(p for p in plan.build if not _compiles(_name(p)))
    dropped = [p for p in plan.build if p not in build]
    note = f"apt {' '.join(dropped)}: dropped, every dependency installs from a wheel (--resolve)"
    return AptPlan(build, plan.runtime, (*plan.notes, note) if dropped else plan.notes)


def _compiles(name: str) -> bool:
    return name in COMPILE_ONLY or name.endswith("-dev")
