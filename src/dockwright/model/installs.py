"""Which dependency files and packages a Dockerfile's pip / uv commands install.

`-r`/`-c` paths are traced back through WORKDIR and COPY/ADD to the file in the build context
(`COPY . .` then `pip install -r services/api/requirements.txt` finds that file).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from dockwright.model.dockerfile import Dockerfile, Instruction
from dockwright.model.shell import Command

_FILE_FLAGS = {"-r": "r", "--requirement": "r", "-c": "c", "--constraint": "c"}
_VALUE_FLAGS = frozenset(
    "-i --index-url --extra-index-url -f --find-links -t --target --prefix --root --platform "
    "--python-version --trusted-host --cache-dir -e --editable --only-binary --no-binary "
    "--python -p --extra --group --index-strategy --index --default-index -C".split()
)


@dataclass(frozen=True)
class DockerInstall:
    """One `pip install` / `uv pip install|sync`: files (traced to the context) and packages."""

    instruction: Instruction
    requirement_files: tuple[Path, ...]
    constraint_files: tuple[Path, ...]
    packages: tuple[str, ...]
    installs_project: bool


def _pip_args(cmd: Command) -> list[str] | None:
    words = list(cmd.args_after_wrappers())
    prog = words[0].rsplit("/", 1)[-1] if words else ""
    if re.fullmatch(r"pip[0-9.]*", prog):
        rest = words[1:]
    elif prog.startswith("python") and words[1:3] and words[1] == "-m" and words[2] == "pip":
        rest = words[3:]
    elif prog == "uv" and words[1:2] == ["pip"]:
        rest = words[2:]
    else:
        return None
    return rest[1:] if rest[:1] in (["install"], ["sync"]) else None


def _split(args: list[str]) -> tuple[dict[str, list[str]], list[str]]:
    files: dict[str, list[str]] = {"r": [], "c": []}
    packages: list[str] = []
    index = 0
    while index < len(args):
        word = args[index]
        flag, eq, value = word.partition("=")
        if flag in _FILE_FLAGS or flag in _VALUE_FLAGS:
            if not eq and index + 1 < len(args):
                index += 1
                value = args[index]
            if flag in _FILE_FLAGS:
                files[_FILE_FLAGS[flag]].append(value)
        elif not word.startswith("-"):
            packages.append(word)
        index += 1
    return files, packages


def installs(dockerfile: Dockerfile, context: Path) -> Iterator[DockerInstall]:
    """Every pip / uv pip install of every stage, in file order."""
    for stage in dockerfile.stages:
        for ins in stage.of("RUN"):
            for cmd in ins.commands:
                args = _pip_args(cmd)
                if args is None:
                    continue
                files, packages = _split(args)
                sync_files = packages if cmd.has("sync") else []
                named = [p for p in packages if p not in sync_files]
                yield DockerInstall(
                    ins,
                    _traced(dockerfile, ins, [*files["r"], *sync_files], context),
                    _traced(dockerfile, ins, files["c"], context),
                    tuple(p for p in named if not _is_local(p)),
                    any(_is_local(p) for p in named),
                )


def _is_local(word: str) -> bool:
    return word.split("[", 1)[0].strip("'\"") in {".", "./"} or word.startswith(("./", "/"))


def _traced(df: Dockerfile, ins: Instruction, names: list[str], context: Path) -> tuple[Path, ...]:
    found = [_context_file(df, ins, n.strip("'\""), context) for n in names if "$" not in n]
    return tuple(p for p in found if p is not None)


def _bind_mounted(ins: Instruction, wanted: str, context: Path) -> Path | None:
    """The context file a `RUN --mount=type=bind` of this instruction puts at `wanted`."""
    for mount in ins.mounts():
        if mount.type != "bind" or "from" in mount.options or not mount.target:
            continue
        source = mount.options.get("source", mount.options.get("src", "."))
        target = posixpath.normpath(mount.target)
        path = _source_file(context, source, target, wanted, False)
        if path is not None:
            return path
    return None


def _context_file(df: Dockerfile, ins: Instruction, name: str, context: Path) -> Path | None:
    """The context file that the image path `name` (as seen by `ins`) was mounted or copied from."""
    wanted = posixpath.normpath(posixpath.join(df.workdir_at(ins), name))
    mounted = _bind_mounted(ins, wanted, context)
    if mounted is not None:
        return mounted
    copies = [i for i in df.instructions() if i.cmd in {"COPY", "ADD"} and i.line < ins.line]
    for copy in reversed(copies):
        if copy.flag("from") is not None:
            continue
        dest = posixpath.normpath(posixpath.join(df.workdir_at(copy), copy.destination))
        for source in copy.sources:
            path = _source_file(context, source, dest, wanted, copy.destination.endswith("/"))
            if path is not None:
                return path
    direct = context / name.lstrip("/")
    return direct if direct.is_file() else None


def _source_file(context: Path, source: str, dest: str, wanted: str, into: bool) -> Path | None:
    src = posixpath.normpath(source.lstrip("/"))
    if wanted == dest and not into:
        rel = src
    elif wanted.startswith(dest.rstrip("/") + "/"):
        tail = wanted[len(dest.rstrip("/")) + 1 :]
        is_file = (context / src).is_file()
        rel = src if is_file and posixpath.basename(src) == tail else posixpath.join(src, tail)
    else:
        return None
    path = context / rel
    return path if path.is_file() else None
