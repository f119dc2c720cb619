"""Shared recognisers for rules: package-manager commands, whole-context copies, mounts."""

from __future__ import annotations

import re
from collections.abc import Iterator

from dockwright.model.dockerfile import Instruction
from dockwright.model.shell import Command

PYTHON_TOOLS = ("pip", "uv", "poetry", "pdm", "pipenv", "conda", "mamba", "micromamba")
PIP_CACHE = "/root/.cache/pip"
UV_CACHE = "/root/.cache/uv"


def _pip_words(cmd: Command) -> tuple[str, ...]:
    """Words after `pip`, handling `python -m pip` and `pip3`."""
    words = cmd.args_after_wrappers()
    if not words:
        return ()
    prog = words[0].rsplit("/", 1)[-1]
    if re.fullmatch(r"pip[0-9.]*", prog):  # not pipenv, pipx, pip-compile
        return words[1:]
    if (
        prog.startswith("python")
        and len(words) > 2
        and words[1] == "-m"
        and words[2].startswith("pip")
    ):
        return words[3:]
    return ()


def tool_of(cmd: Command) -> str | None:
    """Which Python package tool a command installs with (None if it installs nothing)."""
    words = cmd.args_after_wrappers()
    pip = _pip_words(cmd)
    if pip and pip[0] in {"install", "wheel", "download"}:
        return "pip"
    if not words:
        return None
    prog, rest = words[0].rsplit("/", 1)[-1], words[1:]
    if prog == "uv" and (
        rest[:2] in (("pip", "install"), ("pip", "sync")) or rest[:1] == ("sync",)
    ):
        return "uv"
    if prog in {"poetry", "pdm", "pipenv"} and rest[:1] in (("install",), ("sync",)):
        return prog
    if prog in {"conda", "mamba", "micromamba"} and (
        rest[:1] == ("install",) or rest[:2] == ("env", "create")
    ):
        return prog
    return None


def dependency_installs(ins: Instruction) -> Iterator[tuple[Command, str]]:
    """(command, tool) for every Python dependency install in a RUN."""
    if ins.cmd != "RUN":
        return
    for cmd in ins.commands:
        tool = tool_of(cmd)
        if tool:
            yield cmd, tool


def is_apt(cmd: Command) -> bool:
    """apt-get / apt / aptitude install."""
    words = cmd.args_after_wrappers()
    return (
        bool(words)
        and words[0].rsplit("/", 1)[-1] in {"apt-get", "apt", "aptitude"}
        and "install" in words
    )


def apt_packages(cmd: Command) -> list[str]:
    """Package names an apt install names (options skipped)."""
    words = list(cmd.args_after_wrappers())
    if "install" not in words:
        return []
    return [w for w in words[words.index("install") + 1 :] if not w.startswith("-")]


def copies_whole_context(ins: Instruction) -> bool:
    """COPY/ADD of the whole context (`.`, `./`, `*`) from the build context."""
    if ins.cmd not in {"COPY", "ADD"} or ins.flag("from") is not None:
        return False
    return any(src.rstrip("/") in {".", "", "*", "./*"} for src in ins.sources)


def has_cache_mount(ins: Instruction, *targets: str) -> bool:
    """True when the RUN has a cache mount (at one of `targets`, if given)."""
    for mount in ins.mounts():
        if mount.type == "cache" and (not targets or mount.target.rstrip("/") in targets):
            return True
    return False


def cache_target(tool: str) -> str:
    """Default cache directory of a tool when running as root."""
    return {
        "pip": PIP_CACHE,
        "uv": UV_CACHE,
        "poetry": "/root/.cache/pypoetry",
        "pdm": "/root/.cache/pdm",
        "pipenv": "/root/.cache/pipenv",
    }.get(tool, "/opt/conda/pkgs")
