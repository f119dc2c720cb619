"""Read the RUN instructions of an original Dockerfile: what the rewriter understands.

A RUN is *absorbed* when every command in it is something the generated Dockerfile does its
own way (apt installs, Python dependency installs, user creation, cache clean-up…). Any other
RUN is carried over verbatim, with a comment, and reported.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field

from dockwright.model.dockerfile import Instruction
from dockwright.model.shell import Command
from dockwright.rules import _installs, patterns

EXPORT_MARK = "import sys,tomllib"
"""Start of the lock-export one-liner the generator writes (recognised when read back)."""
PIPFILE_EXPORT_MARK = "import sys,json"
PROJECT_SRC = "/tmp/src"
"""Where the build stage copies the project to install it (recognised when read back)."""

TOOL_PACKAGES = frozenset(
    "pip setuptools wheel uv poetry poetry-core poetry-plugin-export pdm pipenv virtualenv "
    "watchfiles".split()
)
_APT_VERBS = {"update", "install", "clean", "autoremove", "autoclean", "purge", "remove"}
_CACHE_PATHS = re.compile(
    r"^(/var/lib/apt/lists|/var/cache/apt|/root/\.cache|/tmp|~/\.cache|/etc/apt/apt\.conf\.d/docker-clean)"
)
_USER_TOOLS = {"useradd", "adduser", "groupadd", "addgroup", "usermod", "chown"}
_HARMLESS = {"true", ":", "set", "export", "cd"}


@dataclass
class RunReading:
    """What the understood RUNs of a Dockerfile ask for."""

    apt: list[str] = field(default_factory=list)
    packages: list[str] = field(default_factory=list)  # named on pip/uv command lines
    requirement_args: list[tuple[Instruction, str]] = field(default_factory=list)
    constraint_args: list[tuple[Instruction, str]] = field(default_factory=list)
    project: bool = False
    tools: set[str] = field(default_factory=set)  # pip, uv, poetry, pdm, pipenv
    secrets: list[str] = field(default_factory=list)  # ids of secret mounts


def _is_apt(cmd: Command) -> bool:
    words = cmd.args_after_wrappers()
    return cmd.program in {"apt-get", "apt"} and bool(_APT_VERBS & set(words[1:]))


def _is_cleanup(cmd: Command) -> bool:
    words = cmd.args_after_wrappers()
    if cmd.program != "rm":
        return False
    targets = [w for w in words[1:] if not w.startswith("-")]
    return bool(targets) and all(_CACHE_PATHS.match(t) for t in targets)


def _is_venv(cmd: Command) -> bool:
    words = cmd.args_after_wrappers()
    if cmd.program == "uv" and words[1:2] == ("venv",):
        return True
    if cmd.program == "virtualenv":
        return True
    return cmd.program.startswith("python") and words[1:3] == ("-m", "venv")


def _is_export(cmd: Command) -> bool:
    words = cmd.args_after_wrappers()
    return (
        cmd.program.startswith("python")
        and words[1:2] == ("-c",)
        and len(words) > 2
        and words[2].startswith((EXPORT_MARK, PIPFILE_EXPORT_MARK))
    )


def _is_tool_config(cmd: Command) -> bool:
    words = cmd.args_after_wrappers()
    return cmd.program in {"poetry", "pip", "pdm"} and words[1:2] == ("config",)


def _is_workdir_mkdir(cmd: Command) -> bool:
    return cmd.program == "mkdir" and all(
        w.startswith("-") or w.startswith("/app") for w in cmd.args_after_wrappers()[1:]
    )


def understood(cmd: Command) -> bool:
    """True when the generated Dockerfile covers what this command does."""
    if cmd.piped_from or not cmd.words:
        return False
    if patterns.tool_of(cmd) in {"pip", "uv", "poetry", "pdm", "pipenv"}:
        return True
    checks = (_is_apt, _is_cleanup, _is_venv, _is_export, _is_tool_config, _is_workdir_mkdir)
    if any(check(cmd) for check in checks):
        return True
    return cmd.program in _USER_TOOLS or cmd.program in _HARMLESS


def absorbed(ins: Instruction) -> bool:
    """True when every command of a RUN is understood (heredocs never are)."""
    if ins.cmd != "RUN" or ins.heredocs or ins.exec_form:
        return False
    commands = ins.commands
    return bool(commands) and all(understood(c) for c in commands)


def read_run(ins: Instruction, reading: RunReading, dev: bool = False) -> None:
    """Add what an absorbed RUN installs to `reading` (dev stages add nothing but secrets)."""
    reading.secrets += [m.options.get("id", "") for m in ins.mounts() if m.type == "secret"]
    if dev:
        return
    for cmd in ins.commands:
        if _is_apt(cmd):
            reading.apt += [p for p in patterns.apt_packages(cmd) if "$" not in p]
    for inst in _installs.python_installs_of(ins):
        reading.tools.add(inst.tool)
        skip = inst.has("--no-root", "--no-self", "--no-install-project")
        reading.project |= _installs.installs_project(inst) and not skip
        _read_install(ins, inst, reading)


def _read_install(ins: Instruction, inst: _installs.PythonInstall, reading: RunReading) -> None:
    reading.requirement_args += [(ins, v) for v in inst.values("-r", "--requirement")]
    reading.constraint_args += [(ins, v) for v in inst.values("-c", "--constraint")]
    reading.project |= PROJECT_SRC in inst.packages
    if inst.tool not in {"pip", "uv"} or inst.action not in {"install", "pip install"}:
        return
    for word in inst.packages:
        req = _installs.requirement_of(word)
        if req is not None and req.name.lower() not in TOOL_PACKAGES:
            reading.packages.append(word.strip("'\""))


def bind_source(ins: Instruction, image_path: str) -> str | None:
    """The context path a RUN's bind mount puts at `image_path` (None: not bind-mounted)."""
    for mount in ins.mounts():
        if mount.type != "bind" or "from" in mount.options:
            continue
        target = mount.target.rstrip("/")
        source = mount.options.get("source", mount.options.get("src", "."))
        if image_path == target:
            return posixpath.normpath(source)
        if image_path.startswith(target + "/"):
            return posixpath.normpath(posixpath.join(source, image_path[len(target) + 1 :]))
    return None
