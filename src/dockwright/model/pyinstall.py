"""Python install command lines: tool, action, packages, options and requirement files.

The one reader of `pip install` (`pip3`, `python -m pip`, also `pip wheel|download`),
`uv pip install|sync`, `uv sync`, `poetry|pdm|pipenv install|sync` and
`conda|mamba|micromamba install` / `env create` in a RUN. Leading `VAR=value` assignments and
wrappers (`env`, `sudo`...) are skipped, as `Command.args_after_wrappers` does.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from packaging.requirements import InvalidRequirement
from packaging.requirements import Requirement as PepRequirement

from dockwright.model.dockerfile import Instruction, Stage
from dockwright.model.shell import Command

CONDA_TOOLS = frozenset({"conda", "mamba", "micromamba"})
_VALUE_OPTIONS = frozenset(
    # pip
    "-r --requirement -c --constraint -e --editable -i --index-url --extra-index-url -f "
    "--find-links -t --target --prefix --root --platform --python-version --implementation "
    "--abi --src --upgrade-strategy --progress-bar --trusted-host --cache-dir --log --proxy "
    "--timeout --retries --exists-action --cert --client-cert --global-option --config-settings "
    "-C --only-binary --no-binary --report --root-user-action --keyring-provider -w --wheel-dir "
    "-d --dest "
    # uv
    "--python -p --index --default-index --index-strategy --extra --group --only-group "
    "--no-group --python-platform --resolution --prerelease --link-mode --reinstall-package "
    "--upgrade-package -P --constraints --overrides --exclude-newer -o --output-file "
    # poetry, pdm
    "--with --without --only -E --extras -G "
    # conda
    "-n --name --channel --file".split()
)
_PIP = re.compile(r"pip[0-9.]*")  # not pipenv, pipx, pip-compile
_PIP_ACTIONS = frozenset({"install", "wheel", "download"})
_SYNC = (("install",), ("sync",))
_ACTIONS: dict[str, tuple[tuple[str, ...], ...]] = {
    "uv": (("pip", "install"), ("pip", "sync"), ("sync",)),
    "poetry": _SYNC,
    "pdm": _SYNC,
    "pipenv": _SYNC,
    **dict.fromkeys(CONDA_TOOLS, (("install",), ("env", "create"))),
}


def _pip_words(words: tuple[str, ...]) -> tuple[str, ...]:
    """Words after `pip` (`pip3`, `python -m pip`); () for other programs."""
    prog = words[0].rsplit("/", 1)[-1] if words else ""
    if _PIP.fullmatch(prog):
        return words[1:]
    module = words[2] if words[1:2] == ("-m",) and len(words) > 2 else ""
    if prog.startswith("python") and _PIP.fullmatch(module):
        return words[3:]
    return ()


def split_install(cmd: Command) -> tuple[str, str, tuple[str, ...]] | None:
    """(tool, action, words after the action) of a Python install; None for other commands.

    The action is the subcommand as written: `install`, `pip sync` (uv), `env create` (conda).
    """
    words = cmd.args_after_wrappers()
    pip = _pip_words(words)
    if pip[:1] and pip[0] in _PIP_ACTIONS:
        return "pip", pip[0], pip[1:]
    prog = words[0].rsplit("/", 1)[-1] if words else ""
    for action in _ACTIONS.get(prog, ()):
        if words[1 : 1 + len(action)] == action:
            return prog, " ".join(action), words[1 + len(action) :]
    return None


def tool_of(cmd: Command) -> str | None:
    """Which Python package tool a command installs with (None if it installs nothing)."""
    found = split_install(cmd)
    return found[0] if found else None


def dependency_installs(ins: Instruction) -> Iterator[tuple[Command, str]]:
    """(command, tool) for every Python dependency install in a RUN."""
    for inst in python_installs_of(ins):
        yield inst.cmd, inst.tool


def install_args(cmd: Command, tool: str) -> tuple[str, ...]:
    """Words after the install subcommand (`pip install`, `uv pip install`, `poetry install`...).

    () unless `cmd` installs with `tool`.
    """
    found = split_install(cmd)
    return found[2] if found and found[0] == tool else ()


def is_pip_like(cmd: Command, tool: str) -> bool:
    """pip, or uv's pip interface (both take requirement specifiers as arguments)."""
    return tool == "pip" or (tool == "uv" and cmd.args_after_wrappers()[1:2] == ("pip",))


def parse_args(words: Sequence[str]) -> tuple[list[str], list[tuple[str, str]]]:
    """(positional arguments, (option, value) pairs in order) of the words after the action.

    Options take `--opt=value`, or the next word when they are known to take a value;
    other options get the value ''.
    """
    positional: list[str] = []
    options: list[tuple[str, str]] = []
    index = 0
    while index < len(words):
        word = words[index]
        name, eq, value = word.partition("=")
        if not word.startswith("-"):
            positional.append(word)
        elif not eq and name in _VALUE_OPTIONS and index + 1 < len(words):
            index += 1
            options.append((name, words[index]))
        else:
            options.append((name, value))
        index += 1
    return positional, options


def positionals(args: Sequence[str]) -> list[str]:
    """Non-option arguments (values of options that take one are skipped)."""
    return parse_args(args)[0]


def option_values(args: Sequence[str], *names: str) -> list[str]:
    """Values of the given options, in `--opt value` and `--opt=value` forms, in order."""
    return [value for name, value in parse_args(args)[1] if name in names and value]


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
        """Values given to the options (those of the first name first)."""
        return tuple(v for n in names for v in self.options.get(n, ()))


def python_installs_of(ins: Instruction) -> Iterator[PythonInstall]:
    """The Python install commands of one RUN."""
    if ins.cmd != "RUN":
        return
    for cmd in ins.commands:
        found = split_install(cmd)
        if found is None:
            continue
        tool, action, args = found
        packages, pairs = parse_args(args)
        options: dict[str, tuple[str, ...]] = {}
        for name, value in pairs:
            options[name] = (*options.get(name, ()), value)
        yield PythonInstall(ins, cmd, tool, action, tuple(packages), options)


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
