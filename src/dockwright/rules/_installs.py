"""What the install commands of a Dockerfile bring in, for the size rules.

Python installs are read from the command line (`pip install pkg`, `-r file`) and from the
service's dependency files (`DepFile.requirements`), so requirements files, pyproject and lock
files are all handled alike. System packages come from apt/apk/dnf/yum command lines.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from packaging.utils import canonicalize_name

from dockwright.model.depfiles import (
    DepFile,
    DepKind,
    Requirement,
    load_dep_file,
    real_path,
    with_includes,
)
from dockwright.model.dockerfile import Instruction, Stage
from dockwright.model.pyinstall import PythonInstall as PythonInstall
from dockwright.model.pyinstall import python_installs as python_installs
from dockwright.model.pyinstall import python_installs_of as python_installs_of
from dockwright.model.pyinstall import requirement_of as requirement_of
from dockwright.model.shell import Command
from dockwright.rules import _layers
from dockwright.rules.base import RuleContext

_PROJECT_KINDS = frozenset(
    {
        DepKind.PYPROJECT,
        DepKind.SETUP_PY,
        DepKind.SETUP_CFG,
        DepKind.UV_LOCK,
        DepKind.POETRY_LOCK,
        DepKind.PDM_LOCK,
    }
)
_PIPENV_KINDS = frozenset({DepKind.PIPFILE, DepKind.PIPFILE_LOCK})


def _named_file(ctx: RuleContext, ins: Instruction, name: str) -> list[DepFile]:
    """The dependency file a command names: traced through the COPYs, else by file name."""
    path = _layers.context_file(ctx, ins, name.strip("'\""))
    if path is not None:
        known = [d for d in ctx.service.dep_files if d.path.resolve() == path]
        return known or ([load_dep_file(path)] if path.is_file() else [])
    base = name.rstrip("/").rsplit("/", 1)[-1]
    return [d for d in ctx.service.dep_files if d.path.name == base]


def installs_project(inst: PythonInstall) -> bool:
    """True when the command installs the project itself (`.`, `-e .`, poetry/uv/pdm sync)."""
    if inst.tool in {"poetry", "pdm"} or (inst.tool == "uv" and inst.action == "sync"):
        return inst.action in {"install", "sync"}
    local = [*inst.packages, *inst.values("-e", "--editable")]
    return any(p.split("[", 1)[0].strip("'\"") in {".", "./"} or p.startswith("./") for p in local)


def dep_files_of(ctx: RuleContext, inst: PythonInstall) -> list[DepFile]:
    """Dependency files a command installs from (`-r`/`-c` files, the project's own files)."""
    files = list(inst.values("-r", "--requirement", "-c", "--constraint"))
    if inst.action == "pip sync":
        files.extend(inst.packages)
    named = [d for f in files for d in _named_file(ctx, inst.ins, f)]
    if installs_project(inst):
        named.extend(d for d in ctx.service.dep_files if d.kind in _PROJECT_KINDS)
    if inst.tool == "pipenv":
        named.extend(d for d in ctx.service.dep_files if d.kind in _PIPENV_KINDS)
    return with_includes(named, {real_path(d.path): d for d in ctx.service.dep_files})


def env_values(stages: Iterable[Stage]) -> dict[str, str]:
    """ENV and ARG defaults set in the given stages (later ones win)."""
    found: dict[str, str] = {}
    for stage in stages:
        for ins in stage.of("ENV", "ARG"):
            found.update((k, v) for k, v in ins.pairs() if v or ins.cmd == "ENV")
    return found


def system_packages(cmd: Command) -> tuple[str, list[str]]:
    """(manager, packages) a system package install names; ('', []) for other commands."""
    words = list(cmd.args_after_wrappers())
    prog = cmd.program
    verbs = {
        "apt-get": {"install"},
        "apt": {"install"},
        "apk": {"add"},
        "dnf": {"install"},
        "yum": {"install"},
        "microdnf": {"install"},
        "zypper": {"install", "in"},
    }
    verb = next((w for w in words[1:] if w in verbs.get(prog, set())), None)
    if verb is None:
        return "", []
    rest = words[words.index(verb) + 1 :]
    skip = {"--virtual", "-t", "--repository", "-X", "-o"}
    names = [
        w
        for i, w in enumerate(rest)
        if not w.startswith("-") and (i == 0 or rest[i - 1] not in skip)
    ]
    return prog, [re.split(r"[=:<>]", n, maxsplit=1)[0] for n in names if "$" not in n]


def removed_packages(ins: Instruction) -> set[str]:
    """Packages (and apk virtual names) a RUN removes again.

    '*' stands for all of them after `apt-mark auto` followed by an auto-remove.
    """
    removed: set[str] = set()
    for cmd in ins.commands:
        words = list(cmd.args_after_wrappers())
        if cmd.program in {"apt-get", "apt"} and {"purge", "remove", "autoremove"} & set(words):
            removed.update(w for w in words[2:] if not w.startswith("-"))
        elif cmd.program == "apk" and "del" in words:
            removed.update(w for w in words[words.index("del") + 1 :] if not w.startswith("-"))
    marks_auto = any(c.program == "apt-mark" and "auto" in c.words for c in ins.commands)
    if marks_auto and re.search(r"autoremove|--auto-remove", ins.script):
        removed.add("*")
    return removed


def apk_virtuals(cmd: Command) -> str | None:
    """The `--virtual NAME` / `-t NAME` of an `apk add`."""
    words = list(cmd.args_after_wrappers())
    for flag in ("--virtual", "-t"):
        if flag in words and words.index(flag) + 1 < len(words):
            return words[words.index(flag) + 1]
    return None


def requirement_names(reqs: Iterable[Requirement]) -> set[str]:
    """Canonical names of requirements."""
    return {canonicalize_name(r.name) for r in reqs}
