"""What the install commands of a Dockerfile bring in, for the size rules.

Python installs are read from the command line (`pip install pkg`, `-r file`) and from the
service's dependency files (`DepFile.requirements`), so requirements files, pyproject and lock
files are all handled alike. System packages come from apt/apk/dnf/yum command lines.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from packaging.requirements import InvalidRequirement
from packaging.requirements import Requirement as PepRequirement
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
from dockwright.model.shell import Command
from dockwright.rules import _layers, patterns
from dockwright.rules.base import RuleContext

_VALUE_OPTIONS = frozenset(
    "-r --requirement -c --constraint -i --index-url --extra-index-url -f --find-links -t --target "
    "--prefix --root --platform --python-version --implementation --abi --trusted-host --cache-dir "
    "--src --progress-bar -e --editable --upgrade-strategy --only-binary --no-binary --report -d "
    "--dest -w --wheel-dir --python -p --log --proxy --retries --timeout --exists-action --cert "
    "--client-cert --config-settings -C --global-option --root-user-action --extra --group "
    "--keyring-provider --index-strategy --index --default-index --with --only --without -E".split()
)
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


@dataclass(frozen=True)
class PythonInstall:
    """One Python install command: tool, packages named on the line, options and dep files."""

    ins: Instruction
    cmd: Command
    tool: str
    action: str
    packages: tuple[str, ...]
    options: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def has(self, *names: str) -> bool:
        """True when one of the options (any prefix form, e.g. `--no-cache`) is given."""
        return any(k == n or k.startswith(n) for k in self.options for n in names)

    def values(self, *names: str) -> tuple[str, ...]:
        """Values given to the options."""
        return tuple(v for n in names for v in self.options.get(n, ()))


def _tool_words(cmd: Command, tool: str) -> tuple[str, tuple[str, ...]]:
    """(action, words after the action) of a package-tool command."""
    words = list(cmd.args_after_wrappers())
    if tool == "pip":
        start = next(i for i, w in enumerate(words) if w in {"install", "wheel", "download"})
    elif tool == "uv" and words[1:2] == ["pip"]:
        return f"pip {words[2]}", tuple(words[3:])  # `uv pip install` / `uv pip sync`
    else:
        start = 1
    return words[start], tuple(words[start + 1 :])


def _parse_args(words: Sequence[str]) -> tuple[tuple[str, ...], dict[str, tuple[str, ...]]]:
    packages: list[str] = []
    options: dict[str, list[str]] = {}
    index = 0
    while index < len(words):
        word = words[index]
        if word.startswith("-") and word != "-":
            name, eq, value = word.partition("=")
            if not eq and name in _VALUE_OPTIONS and index + 1 < len(words):
                index += 1
                value = words[index]
            options.setdefault(name, []).append(value)
        else:
            packages.append(word)
        index += 1
    return tuple(packages), {k: tuple(v) for k, v in options.items()}


def python_installs_of(ins: Instruction) -> Iterator[PythonInstall]:
    """The Python install commands of one RUN."""
    for cmd, tool in patterns.dependency_installs(ins):
        action, rest = _tool_words(cmd, tool)
        packages, options = _parse_args(rest)
        yield PythonInstall(ins, cmd, tool, action, packages, options)


def python_installs(stages: Iterable[Stage]) -> Iterator[PythonInstall]:
    """Every Python install command of the given stages, in file order."""
    for stage in stages:
        for ins in stage.of("RUN"):
            yield from python_installs_of(ins)


def requirement_of(word: str) -> PepRequirement | None:
    """A PEP 508 requirement named on a command line (None for paths, URLs, variables)."""
    text = word.strip("'\"")
    if not text or "$" in text or text.startswith((".", "/")) or text.endswith((".whl", ".txt")):
        return None
    try:
        return PepRequirement(text)
    except InvalidRequirement:
        return None


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
