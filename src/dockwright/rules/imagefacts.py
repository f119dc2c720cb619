"""What common base images ship (programs, users, Python) and what a Dockerfile adds to them.

The table is deliberately small: an image it does not know gives None, and rules that
depend on it stay silent rather than guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dockwright.model.dockerfile import Dockerfile, Stage
from dockwright.model.shell import Command

CHECKED_PROGRAMS = frozenset({"curl", "wget", "nc", "jq", "http"})
_BASE_USERS = frozenset({"root", "daemon", "bin", "sys", "nobody"})
_PACKAGE_PROGRAMS = {
    "curl": "curl",
    "wget": "wget",
    "jq": "jq",
    "httpie": "http",
    "netcat": "nc",
    "netcat-openbsd": "nc",
    "netcat-traditional": "nc",
    "ncat": "nc",
    "nmap-ncat": "nc",
    "busybox": "wget",
}
_INSTALLERS = {
    "apt-get": "install",
    "apt": "install",
    "apk": "add",
    "yum": "install",
    "dnf": "install",
    "microdnf": "install",
    "pip": "install",
    "pip3": "install",
}
_USER_TOOLS = {"useradd", "adduser"}
_PY_VERSION = re.compile(r"^(\d+\.\d+)")


@dataclass(frozen=True)
class BaseFacts:
    """What a known base image contains."""

    image: str
    programs: frozenset[str]  # which of CHECKED_PROGRAMS it ships
    users: frozenset[str]
    has_python: bool


def base_facts(stage: Stage) -> BaseFacts | None:
    """Facts about a stage's base image; None when the image is not in the table."""
    name, tag = stage.base_name.lower(), stage.base_tag.lower()
    last = name.rsplit("/", 1)[-1]
    if name == "scratch":
        return BaseFacts(stage.base, frozenset(), frozenset(), False)
    if "distroless" in name:
        users = frozenset({"root", "nonroot", "nobody"})
        return BaseFacts(stage.base, frozenset(), users, "python" in name)
    if last == "alpine" or "alpine" in tag:
        return BaseFacts(stage.base, frozenset({"wget", "nc"}), _BASE_USERS, last == "python")
    if last in {"python", "node"} and "/" not in name.removeprefix("docker.io/library/"):
        full = "slim" not in tag
        programs = frozenset({"curl", "wget"}) if full else frozenset()
        return BaseFacts(stage.base, programs, _BASE_USERS, last == "python")
    if last in {"debian", "ubuntu"}:
        return BaseFacts(stage.base, frozenset(), _BASE_USERS, False)
    if last == "buildpack-deps":
        return BaseFacts(stage.base, frozenset({"curl", "wget"}), _BASE_USERS, False)
    return None


def root_of(dockerfile: Dockerfile, stage: Stage) -> Stage:
    """The stage of `stage`'s FROM chain that starts from an external image."""
    stages = dockerfile.image_stages(stage.ref)
    return next((s for s in stages if s.parent is None), stage)


def python_version(stage: Stage) -> str | None:
    """`3.11` for `python:3.11-slim`; None when the base is not a versioned python image."""
    if stage.base_name.lower().rsplit("/", 1)[-1] != "python":
        return None
    match = _PY_VERSION.match(stage.base_tag)
    return match.group(1) if match else None


def installed_programs(commands: list[Command]) -> set[str]:
    """Programs of CHECKED_PROGRAMS that package installs among `commands` add."""
    found: set[str] = set()
    for cmd in commands:
        words = cmd.args_after_wrappers()
        if not words:
            continue
        verb = _INSTALLERS.get(words[0].rsplit("/", 1)[-1])
        if verb is None or verb not in words:
            continue
        for word in words[words.index(verb) + 1 :]:
            package = word.split("=", 1)[0].lower()
            if package in _PACKAGE_PROGRAMS:
                found.add(_PACKAGE_PROGRAMS[package])
    return found


def created_users(commands: list[Command]) -> set[str]:
    """Names that useradd/adduser commands create (every non-option word, to stay lenient)."""
    found: set[str] = set()
    for cmd in commands:
        words = cmd.args_after_wrappers()
        if words and words[0].rsplit("/", 1)[-1] in _USER_TOOLS:
            found.update(w for w in words[1:] if not w.startswith("-"))
    return found
