"""Helpers for the build-speed rules: install arguments, cache directories, RUN rewrites.

Nothing here is a rule; `dockwright.rules.speed` holds the rules and uses these pieces.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath

from dockwright.model.dockerfile import Dockerfile, Instruction, Mount, substitute
from dockwright.model.findings import Edit, EditKind
from dockwright.model.project import ContextEntry, Service
from dockwright.model.pyinstall import CONDA_TOOLS as CONDA_TOOLS
from dockwright.model.pyinstall import install_args as install_args
from dockwright.model.pyinstall import is_pip_like as is_pip_like
from dockwright.model.pyinstall import option_values as option_values
from dockwright.model.pyinstall import positionals as positionals
from dockwright.model.shell import Command, split_commands
from dockwright.rules import patterns

BOOTSTRAP = frozenset(
    {"pip", "setuptools", "wheel", "poetry", "uv", "pdm", "pipenv", "virtualenv", "pip-tools"}
)
_CACHE_LEAF = {"pip": "pip", "uv": "uv", "poetry": "pypoetry", "pdm": "pdm", "pipenv": "pipenv"}
_CACHE_ENV = {
    "pip": "PIP_CACHE_DIR",
    "uv": "UV_CACHE_DIR",
    "poetry": "POETRY_CACHE_DIR",
    "pdm": "PDM_CACHE_DIR",
    "pipenv": "PIPENV_CACHE_DIR",
    "conda": "CONDA_PKGS_DIRS",
    "mamba": "CONDA_PKGS_DIRS",
    "micromamba": "CONDA_PKGS_DIRS",
}
_NO_CACHE_ENV = ("PIP_NO_CACHE_DIR", "UV_NO_CACHE")
_TRUTHY = frozenset({"1", "true", "yes", "on", "y", "t"})


# --- install commands -----------------------------------------------------------------


def package_name(spec: str) -> str:
    """Distribution name of a requirement specifier (`pip>=23` -> `pip`)."""
    return re.split(r"[<>=!~;\[@ ]", spec, maxsplit=1)[0].strip().lower()


def _is_local_dir(word: str) -> bool:
    path = word.split("[", 1)[0]
    if path.endswith((".whl", ".tar.gz", ".zip", ".txt")) or "*" in path:
        return False
    return path in {".", "./", ".."} or path.startswith(("./", "../", "/"))


def installs_project(cmd: Command, tool: str) -> bool:
    """True when the command installs the project itself together with its dependencies."""
    args = install_args(cmd, tool)
    if is_pip_like(cmd, tool):
        targets = positionals(args) + option_values(args, "-e", "--editable")
        return "--no-deps" not in args and any(_is_local_dir(t) for t in targets)
    flags = {a.split("=", 1)[0] for a in args}
    if tool == "poetry":
        return not flags & {"--no-root", "--only-root", "--no-directory"}
    if tool == "uv":
        return not flags & {"--no-install-project", "--no-install-workspace", "--only-dev"}
    if tool == "pdm":
        return "--no-self" not in flags
    return False


def is_bootstrap(cmd: Command, tool: str) -> bool:
    """A pip install of packaging tools only (pip, setuptools, wheel, poetry, uv...)."""
    if not is_pip_like(cmd, tool):
        return False
    args = install_args(cmd, tool)
    names = positionals(args)
    requirement_files = option_values(args, "-r", "--requirement")
    return (
        bool(names) and not requirement_files and all(package_name(n) in BOOTSTRAP for n in names)
    )


def is_project_only(cmd: Command, tool: str) -> bool:
    """The second step of a two-step install: the project alone, its deps already present."""
    args = install_args(cmd, tool)
    return "--no-deps" in args or (tool == "poetry" and "--only-root" in args)


def downloads(cmd: Command, tool: str) -> bool:
    """False for installs that cannot download (local wheels, offline, project-only)."""
    args = install_args(cmd, tool)
    if {"--no-index", "--offline"} & set(args) or is_project_only(cmd, tool):
        return False
    names = positionals(args)
    local = names and all(n.endswith(".whl") and "://" not in n for n in names)
    return not (local and not option_values(args, "-r", "--requirement"))


# --- build state before an instruction ------------------------------------------------


# The build-state walk lives on the Dockerfile model.
stage_chain = Dockerfile.chain
instructions_before = Dockerfile.before
workdir_at = Dockerfile.workdir_at


@dataclass(frozen=True)
class BuildState:
    """ENV values and the USER in effect at an instruction (as far as the file tells)."""

    env: dict[str, str]
    user: str

    @property
    def is_root(self) -> bool:
        """True when commands run as root."""
        name = self.user.split(":", 1)[0]
        return name in {"", "root", "0"}


def state_at(dockerfile: Dockerfile, ins: Instruction) -> BuildState:
    """ENV and USER in effect when `ins` runs (ARG defaults used for substitution only)."""
    values = {k: v for a in dockerfile.global_args for k, v in a.pairs()}
    env: dict[str, str] = {}
    user = ""
    for before in instructions_before(dockerfile, ins):
        if before.cmd in {"ARG", "ENV"}:
            for key, value in before.pairs():
                value = substitute(value, values) if "$" in value else value
                values[key] = value
                if before.cmd == "ENV":
                    env[key] = value
        elif before.cmd == "USER" and before.value:
            user = substitute(before.value[0], values)
    return BuildState(env, user)


# --- cache mounts ------------------------------------------------------------------------


def cache_dir(dockerfile: Dockerfile, ins: Instruction, cmd: Command, tool: str) -> str | None:
    """Where `tool` keeps its download cache for this command (None when unknown)."""
    explicit = option_values(install_args(cmd, tool), "--cache-dir")
    if explicit:
        return explicit[-1] if "$" not in explicit[-1] else None
    state = state_at(dockerfile, ins)
    env = {**state.env, **dict(w.split("=", 1) for w in _assignments(cmd))}
    var = _CACHE_ENV.get(tool, "")
    if var in env:
        found = env[var]
    elif tool in CONDA_TOOLS:
        found = patterns.cache_target(tool)
    else:
        home = env.get("HOME") or ("/root" if state.is_root else "")
        base = env.get("XDG_CACHE_HOME") or (f"{home.rstrip('/')}/.cache" if home else "")
        found = f"{base}/{_CACHE_LEAF[tool]}" if base else ""
    return found if found and "$" not in found else None


def _assignments(cmd: Command) -> list[str]:
    out: list[str] = []
    for word in cmd.words:
        if not re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", word):
            break
        out.append(word)
    return out


def covering_mount(ins: Instruction, path: str) -> Mount | None:
    """A cache mount whose target is `path` or one of its parents."""
    for mount in ins.mounts():
        target = mount.target.rstrip("/")
        if mount.type == "cache" and target and (path == target or path.startswith(target + "/")):
            return mount
    return None


def tool_mount(ins: Instruction, tool: str) -> Mount | None:
    """A cache mount that is evidently meant for `tool`'s cache (by its last path part)."""
    leaves = {"pkgs"} if tool in CONDA_TOOLS else {_CACHE_LEAF[tool], tool, ".cache"}
    for mount in ins.mounts():
        if mount.type == "cache" and PurePosixPath(mount.target or "/").name in leaves:
            return mount
    return None


def disables_cache(cmd: Command, tool: str) -> list[str]:
    """Words of the command that turn the tool's cache off (`--no-cache-dir`, `UV_NO_CACHE=1`)."""
    found = [w for w in _assignments(cmd) if is_no_cache_setting(*w.split("=", 1))]
    args = install_args(cmd, tool)
    found += [a for a in args if a == "--no-cache-dir" or (a == "--no-cache" and tool != "pip")]
    return found


def is_no_cache_setting(name: str, value: str) -> bool:
    """PIP_NO_CACHE_DIR (any value disables pip's cache) or a truthy UV_NO_CACHE."""
    if name == "PIP_NO_CACHE_DIR":
        return True
    return name == "UV_NO_CACHE" and value.strip("\"'").lower() in _TRUTHY


def no_cache_envs() -> tuple[str, ...]:
    """Names of the environment variables that disable a Python tool's cache."""
    return _NO_CACHE_ENV


# --- editing RUN instructions ------------------------------------------------------------

_KEYWORD = re.compile(r"\s*(RUN)\b", re.IGNORECASE)
_FLAG = re.compile(r"(?:[ \t]|\\\r?\n)+(--\S+)")
_LEAD = re.compile(r"^(?:[ \t]|\\\r?\n)*")


@dataclass(frozen=True)
class RunText:
    """A RUN instruction taken apart: keyword as written, flags, and the script text."""

    keyword: str
    flags: tuple[str, ...]
    script: str

    def render(self) -> str:
        """The instruction text (one line per flag when there are several)."""
        if not self.flags:
            return f"{self.keyword} {self.script}\n"
        if len(self.flags) == 1:
            return f"{self.keyword} {self.flags[0]} {self.script}\n"
        head = " \\\n    ".join(self.flags)
        return f"{self.keyword} {head} \\\n    {self.script}\n"


def run_text(dockerfile: Dockerfile, ins: Instruction) -> RunText | None:
    """Split a RUN's source text; None when it cannot be done faithfully."""
    text = "\n".join(dockerfile.lines[ins.line - 1 : ins.end_line])
    match = _KEYWORD.match(text)
    if ins.cmd != "RUN" or ins.heredocs or match is None:
        return None
    pos, flags = match.end(), []
    while flag := _FLAG.match(text, pos):
        flags.append(flag.group(1))
        pos = flag.end()
    if tuple(flags) != ins.flags:
        return None
    return RunText(match.group(1), tuple(flags), _LEAD.sub("", text[pos:]))


def replace_edit(dockerfile: Dockerfile, ins: Instruction, text: str) -> Edit:
    """Replace the whole instruction with `text`."""
    return Edit(EditKind.REPLACE, dockerfile.path, ins.line, ins.end_line, text)


def remove_words(
    script: str, doomed: Callable[[str], bool], in_command: Callable[[Command], bool]
) -> str | None:
    """Drop words from the commands `in_command` selects; None unless that is all that changed."""
    new = re.sub(r"[ \t]+(\S+)", lambda m: "" if doomed(m.group(1)) else m.group(0), script)
    new = re.sub(r"^(\S+)[ \t]+", lambda m: "" if doomed(m.group(1)) else m.group(0), new)
    expected = [
        Command(tuple(w for w in c.words if not doomed(w)), c.piped_from) if in_command(c) else c
        for c in split_commands(script)
    ]
    return new if split_commands(new) == expected else None


def remove_commands(script: str, pattern: str, doomed: Callable[[Command], bool]) -> str | None:
    """Drop `&&`-joined commands matching the regex `pattern`; None unless that is all it did."""
    sep = r"[ \t]*(?:\\\r?\n[ \t]*)?&&[ \t]*(?:\\\r?\n[ \t]*)?"
    end = r"(?=[ \t]*(?:$|\\?\r?\n|&&|;))"
    new = re.sub(sep + pattern + end, "", script)
    new = re.sub(r"^" + pattern + sep, "", new)
    expected = [c for c in split_commands(script) if not doomed(c)]
    return new if split_commands(new) == expected else None


# --- the build context --------------------------------------------------------------------


def copied_entries(service: Service, ins: Instruction) -> list[ContextEntry]:
    """Context files a COPY/ADD sends into the image (none for --from copies and URLs)."""
    if ins.cmd not in {"COPY", "ADD"} or ins.flag("from") is not None:
        return []
    entries = [e for e in service.context_entries if not e.excluded]
    found: list[ContextEntry] = []
    for source in ins.sources:
        if "://" in source:
            continue
        src = source.removeprefix("./").rstrip("/")
        found += [e for e in entries if _under(e.rel, src)]
    return found


def _under(rel: str, src: str) -> bool:
    if any(ch in src for ch in "*?["):
        parts = rel.split("/")
        return any(fnmatch.fnmatchcase("/".join(parts[: n + 1]), src) for n in range(len(parts)))
    return rel == src or rel.startswith(src + "/")


PY_SOURCE = (".py", ".pyx", ".pxd")


def is_source_copy(service: Service, ins: Instruction) -> bool:
    """A COPY/ADD of Python source from the context that is not the whole context."""
    if patterns.copies_whole_context(ins):
        return False
    return any(e.rel.endswith(PY_SOURCE) for e in copied_entries(service, ins))
