"""Shared recognisers for rules: package-manager commands, whole-context copies, mounts."""

from __future__ import annotations

from dockwright.model.dockerfile import Instruction
from dockwright.model.pyinstall import dependency_installs as dependency_installs
from dockwright.model.pyinstall import tool_of as tool_of
from dockwright.model.shell import Command

PYTHON_TOOLS = ("pip", "uv", "poetry", "pdm", "pipenv", "conda", "mamba", "micromamba")
PIP_CACHE = "/root/.cache/pip"
UV_CACHE = "/root/.cache/uv"


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
