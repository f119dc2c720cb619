"""Package-manager caches and downloads a RUN leaves in its layer (shared by the size rules).

Each predicate answers "does this RUN leave X in its layer?", counting the ways X is avoided:
the tool's no-cache flag or environment variable, a BuildKit cache mount, or a removal in the
same RUN.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from dockwright.model.dockerfile import Dockerfile, Instruction
from dockwright.model.shell import Command
from dockwright.rules import _installs, _layers
from dockwright.rules._installs import PythonInstall
from dockwright.rules._layers import Written

MB = 1000 * 1000  # decimal units, as `docker images` reports sizes
APT_LISTS = "/var/lib/apt/lists"
APT_LISTS_BYTES = 40 * MB
APT_LISTS_NOTE = "estimate: Debian bookworm main+updates+security package lists ≈ 40 MB"
_SYSTEM_CACHES = (
    "/var/cache/apt",
    "/var/lib/apt",
    "/var/cache/apk",
    "/var/cache/dnf",
    "/var/cache/yum",
)
_PIP_SELF = {"pip", "setuptools", "wheel"}
_OFF = {"", "0", "false", "no", "off"}


def non_system_cache_mount(ins: Instruction) -> bool:
    """True when the RUN has a cache mount other than the system package managers' ones."""
    return any(m.type == "cache" and not m.target.startswith(_SYSTEM_CACHES) for m in ins.mounts())


def mounted(ins: Instruction, *prefixes: str) -> bool:
    """True when a cache or tmpfs mount covers one of the paths."""
    return any(
        m.type in {"cache", "tmpfs"}
        and any(p.startswith(m.target.rstrip("/") or "/") for p in prefixes)
        for m in ins.mounts()
        if m.target
    )


def _removes(ins: Instruction, path: str) -> bool:
    cwd = "/"
    return any(
        _layers.overlaps(t, Written(path, None, ins, "", tree=True))
        for t in _layers.removed_by(ins, cwd)
    )


def pip_cache_left(inst: PythonInstall, env: Mapping[str, str]) -> bool:
    """True when a pip (or uv) install leaves its download cache in the layer."""
    ins = inst.ins
    if inst.has("--no-cache-dir", "--no-cache") or non_system_cache_mount(ins):
        return False
    var = "UV_NO_CACHE" if inst.tool == "uv" else "PIP_NO_CACHE_DIR"
    if env.get(var, "").strip().lower() not in _OFF:
        return False
    if inst.tool == "uv":
        return not _removes(ins, "/root/.cache/uv") and "uv cache clean" not in ins.script
    if "pip cache purge" in ins.script or _removes(ins, "/root/.cache/pip"):
        return False
    return _downloads_from_index(inst)


def _downloads_from_index(inst: PythonInstall) -> bool:
    if inst.has("--no-index"):
        return False
    if inst.values("-r", "--requirement"):
        return True
    names = [_installs.requirement_of(p) for p in inst.packages]
    return any(r is not None and r.name.lower() not in _PIP_SELF for r in names)


def apt_lists_left(ins: Instruction) -> bool:
    """True when a RUN runs `apt-get update` and keeps the lists it downloads."""
    updates = any(c.program in {"apt-get", "apt"} and "update" in c.words for c in ins.commands)
    if not updates or mounted(ins, APT_LISTS):
        return False
    return not _removes(ins, APT_LISTS)


def apk_cache_left(ins: Instruction) -> list[Command]:
    """`apk add` commands without `--no-cache` whose cache is neither mounted nor removed."""
    if mounted(ins, "/var/cache/apk") or _removes(ins, "/var/cache/apk"):
        return []
    return [
        c
        for c in ins.commands
        if c.program == "apk" and "add" in c.words and "--no-cache" not in c.words
    ]


_CLEAN = {
    "yum": "yum clean all",
    "dnf": "dnf clean all",
    "microdnf": "microdnf clean all",
    "zypper": "zypper clean",
}
_CACHE_DIR = {
    "yum": "/var/cache/yum",
    "dnf": "/var/cache/dnf",
    "microdnf": "/var/cache/yum",
    "zypper": "/var/cache/zypp",
}


def rpm_cache_left(ins: Instruction) -> str | None:
    """The manager (yum/dnf/microdnf/zypper) whose install leaves its cache, if any."""
    for cmd in ins.commands:
        manager, _ = _installs.system_packages(cmd)
        if manager not in _CLEAN:
            continue
        cleaned = re.search(rf"\b{manager}\s+(-\S+\s+)*clean\b", ins.script)
        if (
            not cleaned
            and not mounted(ins, _CACHE_DIR[manager])
            and not _removes(ins, _CACHE_DIR[manager])
        ):
            return manager
    return None


def conda_cache_left(inst: PythonInstall) -> bool:
    """True when a conda/mamba install keeps its package tarballs (no `clean`, no cache mount)."""
    if inst.tool not in {"conda", "mamba", "micromamba"} or non_system_cache_mount(inst.ins):
        return False
    return not re.search(r"\b(conda|mamba|micromamba)\s+clean\b", inst.ins.script)


def downloads(cmd: Command, cwd: str) -> Iterator[tuple[str, str]]:
    """(image path, url) of files that `curl`/`wget` save to disk."""
    words = list(cmd.args_after_wrappers())
    urls = [w for w in words if re.match(r"^(https?|ftp)://", w)]
    if cmd.program not in {"curl", "wget"} or not urls:
        return
    name = urls[-1].split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
    out = _output_option(words, cmd.program)
    if out == "-" or (cmd.program == "curl" and out is None and not _curl_remote_name(words)):
        return
    if out is None and cmd.program == "wget":
        prefix = words[words.index("-P") + 1] if "-P" in words[:-1] else cwd
        yield _layers.resolve(f"{prefix}/{name}", cwd), urls[-1]
        return
    yield _layers.resolve(out or name, cwd), urls[-1]


def _output_option(words: list[str], program: str) -> str | None:
    long, short = ("--output", "o") if program == "curl" else ("--output-document", "O")
    for index, word in enumerate(words):
        key, eq, value = word.partition("=")
        following = words[index + 1] if index + 1 < len(words) else None
        if key == long:
            return value if eq else following
        match = re.fullmatch(rf"-[A-Za-z]*{short}(.*)", word)
        if match and not word.startswith("--"):
            return match.group(1) or following
    return None


def _curl_remote_name(words: list[str]) -> bool:
    return any(
        w == "--remote-name" or (re.fullmatch(r"-[A-Za-z]*O[A-Za-z]*", w) is not None)
        for w in words
    )


def left_behind(df: Dockerfile, ins: Instruction) -> list[Written]:
    """Caches and downloads a RUN leaves in its layer (what a later `rm` cannot free)."""
    if ins.cmd != "RUN":
        return []
    env = env_before(df, ins)
    out: list[Written] = []
    if apt_lists_left(ins):
        out.append(
            Written(APT_LISTS, APT_LISTS_BYTES, ins, "apt lists from `apt-get update`", tree=True)
        )
    for inst in _installs.python_installs_of(ins):
        if inst.tool in {"pip", "uv"} and pip_cache_left(inst, env):
            out.append(
                Written(f"/root/.cache/{inst.tool}", None, ins, f"the {inst.tool} cache", tree=True)
            )
    if apk_cache_left(ins):
        out.append(Written("/var/cache/apk", None, ins, "the apk cache", tree=True))
    cwd = _layers.workdir_at(df, ins)
    removed = _layers.removed_by(ins, cwd)
    for cmd in ins.commands:
        for path, url in downloads(cmd, cwd):
            if not any(_layers.covers(t, path) for t in removed):
                out.append(Written(path, None, ins, f"the download of {url}"))
    return out


def env_before(df: Dockerfile, ins: Instruction) -> dict[str, str]:
    """ENV (and ARG defaults) in effect for `ins`, from the instructions before it in its image."""
    found: dict[str, str] = {}
    for earlier in _layers.before(df, ins):
        if earlier.cmd in {"ENV", "ARG"}:
            found.update((k, v) for k, v in earlier.pairs() if v or earlier.cmd == "ENV")
    return found
