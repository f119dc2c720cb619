"""Which dependency files and packages a Dockerfile's pip / uv commands install.

`-r`/`-c` paths are traced back through WORKDIR and COPY/ADD to the file in the build context
(`COPY . .` then `pip install -r services/api/requirements.txt` finds that file).
"""

from __future__ import annotations

import fnmatch
import posixpath
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from dockwright.model.dockerfile import Dockerfile, Instruction, resolve_path
from dockwright.model.pyinstall import PythonInstall, python_installs


@dataclass(frozen=True)
class DockerInstall:
    """One `pip install` / `uv pip install|sync`: files (traced to the context) and packages."""

    instruction: Instruction
    requirement_files: tuple[Path, ...]
    constraint_files: tuple[Path, ...]
    packages: tuple[str, ...]
    installs_project: bool


_PIP_INSTALLS = frozenset({("pip", "install"), ("uv", "pip install"), ("uv", "pip sync")})


def installs(dockerfile: Dockerfile, context: Path) -> Iterator[DockerInstall]:
    """Every pip / uv pip install of every stage, in file order."""
    for inst in python_installs(dockerfile.stages):
        if (inst.tool, inst.action) in _PIP_INSTALLS:
            yield _docker_install(dockerfile, inst, context)


def _docker_install(df: Dockerfile, inst: PythonInstall, context: Path) -> DockerInstall:
    """Requirement files: `-r` values, and the positional files of `uv pip sync`."""
    sync = inst.action == "pip sync"
    named = () if sync else inst.packages
    requirements = [*inst.values("-r", "--requirement"), *(inst.packages if sync else ())]
    return DockerInstall(
        inst.ins,
        _traced(df, inst.ins, requirements, context),
        _traced(df, inst.ins, [*inst.values("-c", "--constraint")], context),
        tuple(p for p in named if not _is_local(p)),
        any(_is_local(p) for p in [*named, *inst.values("-e", "--editable")]),
    )


def _is_local(word: str) -> bool:
    return word.split("[", 1)[0].strip("'\"") in {".", "./"} or word.startswith(("./", "/"))


def _traced(df: Dockerfile, ins: Instruction, names: list[str], context: Path) -> tuple[Path, ...]:
    found = [
        context_file(df, ins, n.strip("'\""), context, fallback=True) for n in names if "$" not in n
    ]
    return tuple(p for p in found if p is not None)


def _never(_: str) -> bool:
    return False


def context_file(
    df: Dockerfile,
    ins: Instruction,
    name: str,
    context: Path,
    excluded: Callable[[str], bool] = _never,
    *,
    fallback: bool = False,
) -> Path | None:
    """The context file that the image path `name` (as seen by `ins`) was mounted or copied from.

    Bind mounts of `ins` first, then the COPY/ADD instructions of its stage chain, latest first
    (single-level globs such as `COPY requirements*.txt ./` included). `excluded` is the
    .dockerignore test (a file it excludes never reaches the build); `fallback` takes
    `context/name` when nothing matches.
    """
    wanted = resolve_path(name, df.workdir_at(ins))
    rel = _bind_mounted(ins, wanted, context) or _copied(df, ins, wanted, context)
    if rel is None and fallback and (context / name.lstrip("/")).is_file():
        rel = posixpath.normpath(name.lstrip("/"))
    return context / rel if rel is not None and not excluded(rel) else None


def _bind_mounted(ins: Instruction, wanted: str, context: Path) -> str | None:
    """The context path a `RUN --mount=type=bind` of this instruction puts at `wanted`."""
    for mount in ins.mounts():
        if mount.type != "bind" or "from" in mount.options or not mount.target:
            continue
        source = mount.options.get("source", mount.options.get("src", "."))
        rel = _source_file(context, source, posixpath.normpath(mount.target), wanted, False)
        if rel is not None:
            return rel
    return None


def _copied(df: Dockerfile, ins: Instruction, wanted: str, context: Path) -> str | None:
    copies = [i for i in df.before(ins) if i.cmd in {"COPY", "ADD"} and i.flag("from") is None]
    for copy in reversed(copies):
        dest = resolve_path(copy.destination, df.workdir_at(copy))
        into = copy.destination.endswith("/")
        for source in copy.sources:
            rel = _source_file(context, source, dest, wanted, into)
            if rel is not None:
                return rel
    return None


def _source_file(context: Path, source: str, dest: str, wanted: str, into: bool) -> str | None:
    """The context path `source`, copied or mounted at `dest`, puts at `wanted`."""
    src = posixpath.normpath(source.lstrip("/"))
    rel: str | None = None
    if wanted == dest and not into:
        rel = src
    elif wanted.startswith(dest.rstrip("/") + "/"):
        rel = _under(context, src, wanted[len(dest.rstrip("/")) + 1 :])
    else:
        return None
    if rel is None or rel.startswith("..") or any(c in rel for c in "*?["):
        return None
    return rel if (context / rel).is_file() else None


def _under(context: Path, src: str, tail: str) -> str | None:
    """`src` copied into a folder: the path of `tail` inside it (globs match one file name)."""
    if any(c in src for c in "*?["):
        head, pattern = posixpath.split(src)
        fits = "/" not in tail and fnmatch.fnmatchcase(tail, pattern)
        return posixpath.normpath(posixpath.join(head, tail)) if fits else None
    if posixpath.basename(src) == tail and (context / src).is_file():
        return src
    return posixpath.normpath(posixpath.join(src, tail))
