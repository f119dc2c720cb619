"""Compose rules (DW6xx) about how services run: file format, bind mounts over the image.

Findings are located in the compose file. Bind-mount paths resolve against the folder of
the base compose file (the project directory), the way `docker compose -f base -f overlay`
resolves them.
"""

from __future__ import annotations

import os
import posixpath
import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from dockwright.model.compose import ComposeFile, ComposeService
from dockwright.model.dockerfile import Instruction
from dockwright.model.findings import Cost, Finding, Group, Location, Severity
from dockwright.model.shell import Command
from dockwright.rules import _layers
from dockwright.rules.base import Rule, RuleContext
from dockwright.rules.compose import line_of, services
from dockwright.rules.correctness_health import (
    expand_shells,
    instruction_commands,
    server_words,
    start_instructions,
)

_VERSION_LINE = re.compile(r"^version\s*:")
_DEV_WORDS = ("dev", "development", "local", "test", "override", "debug")
_SKIP_DIRS = {".git", ".venv", "venv", "node_modules", "__pycache__", ".tox"}
_MAX_WALK = 5000
_MIN_SHADOWED = 1_000_000  # copied files below this size are a config override, not weight


@dataclass(frozen=True)
class BindMount:
    """A bind mount of a compose service: host path as written, container path, entry text."""

    source: str
    target: str
    text: str  # how to find the entry's line (the short form, or the target)


def bind_mounts(raw: dict[str, Any]) -> list[BindMount]:
    """Bind mounts of a service's `volumes:` (short and long syntax; named volumes skipped)."""
    found: list[BindMount] = []
    for item in raw.get("volumes") or []:
        if isinstance(item, str):
            parts = item.split(":")
            if len(parts) >= 2 and parts[0].startswith((".", "/", "~")):
                found.append(BindMount(parts[0], parts[1], item))
        elif isinstance(item, dict) and item.get("type") == "bind":
            source, target = str(item.get("source", "")), str(item.get("target", ""))
            if source and target:
                found.append(BindMount(source, target, target))
    return [m for m in found if "$" not in m.source + m.target and m.target.startswith("/")]


def _project_dir(file: ComposeFile) -> Path:
    return (file.base or file.path).parent


def host_path(file: ComposeFile, mount: BindMount) -> Path:
    """The host path of a bind mount."""
    return _project_dir(file) / Path(mount.source).expanduser()


def has_python(path: Path) -> bool:
    """True when `path` is a .py file or a folder with .py files (venvs, caches skipped)."""
    if path.is_file():
        return path.suffix == ".py"
    seen = 0
    for _, dirs, files in os.walk(path):
        dirs[:] = [d for d in dirs if d not in _SKIP_DIRS]
        if any(f.endswith(".py") for f in files):
            return True
        seen += len(files) + len(dirs)
        if seen > _MAX_WALK:
            return False
    return False


def entry_line(file: ComposeFile, service: ComposeService, text: str) -> int:
    """Line of a `volumes:` entry of the service (fallback: the `volumes:` line)."""
    start = line_of(file.path, service.line, "volumes")
    try:
        lines = file.path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return start
    for number in range(start, len(lines) + 1):
        if text in lines[number - 1]:
            return number
    return start


def _words_of(name: str) -> tuple[str, ...]:
    return tuple(re.split(r"[^a-z]+", name.lower()))


def dev_like(path: Path) -> bool:
    """True for dev/local/test/override/debug compose files (by name)."""
    return any(word in _DEV_WORDS for word in _words_of(path.name))


def prod_named(path: Path) -> bool:
    """True for compose files named for production (`docker-compose.prod.yml`...)."""
    return any(word in {"prod", "production", "release"} for word in _words_of(path.name))


class ObsoleteVersion(Rule):
    """The compose file has the obsolete top-level `version:` key.

    The Compose Specification ignores `version`; Compose v2 prints "the attribute
    `version` is obsolete, it will be ignored" on every command. It only misleads readers
    into thinking a file format is being selected.

    Anti-pattern::

        version: "3.8"
        services:
          api:
            build: .

    Better::

        services:
          api:
            build: .
    """

    id = "DW606"
    name = "compose.obsolete-version"
    severity = Severity.INFO
    group = Group.COMPOSE

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        """Yield this rule's findings for one service (each compose file once)."""
        files = {file.path: file for file, _ in services(ctx)}
        for path in sorted(files):
            line = _version_line(path)
            if line is not None:
                yield self.report(
                    ctx,
                    Location(path, line),
                    "top-level `version:` is obsolete: Compose ignores it and warns; remove it",
                )


def _version_line(path: Path) -> int | None:
    """Line of the top-level `version:` key (None when absent or unreadable)."""
    try:
        text = path.read_text(encoding="utf-8")
        data = yaml.safe_load(text)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None
    if not isinstance(data, dict) or "version" not in data:
        return None
    lines = text.splitlines()
    return next((n for n, line in enumerate(lines, start=1) if _VERSION_LINE.match(line)), None)


def built_services(ctx: RuleContext) -> list[tuple[ComposeFile, ComposeService]]:
    """(file, service) pairs of compose services that run this service's image."""
    mine = {(b.compose_file.parent, b.service) for b in ctx.service.compose}
    return [(f, s) for f, s in services(ctx) if (f.path.parent, s.name) in mine]


def _compose_value(ctx: RuleContext, file: ComposeFile, service: ComposeService, key: str) -> Any:
    """A service key as merged over the base file (the overlay's value wins)."""
    if key in service.raw or file.base is None:
        return service.raw.get(key)
    for base in ctx.project.compose_files:
        if base.path == file.base:
            for other in base.services:
                if other.name == service.name:
                    return other.raw.get(key)
    return None


def _words(value: Any) -> list[str] | None:
    if isinstance(value, str):
        try:
            return shlex.split(value)
        except ValueError:
            return None
    if isinstance(value, list):
        return [str(v) for v in value]
    return None


def run_commands(ctx: RuleContext, file: ComposeFile, service: ComposeService) -> list[Command]:
    """What the container runs: compose `entrypoint`/`command` over the image's."""
    entry = _words(_compose_value(ctx, file, service, "entrypoint"))
    command = _words(_compose_value(ctx, file, service, "command"))
    if entry is not None:
        return [Command(tuple(entry + (command or [])))]
    image = start_instructions(ctx)
    if command is not None:
        head = [w for i in image if i.cmd == "ENTRYPOINT" for w in i.value]
        return [Command(tuple(head + command))] if not head or image[0].exec_form else []
    return [c for i in image for c in instruction_commands(i)]


def environment(ctx: RuleContext, file: ComposeFile, service: ComposeService) -> dict[str, str]:
    """Image ENV overlaid with the compose `environment` of the base file and this file."""
    env = {k: v for i in ctx.runtime_instructions("ENV") for k, v in i.pairs()}
    layers = [_compose_value(ctx, file, service, "environment"), service.raw.get("environment")]
    for layer in layers:
        if isinstance(layer, dict):
            env.update({str(k): "" if v is None else str(v) for k, v in layer.items()})
        elif isinstance(layer, list):
            env.update(dict(str(i).partition("=")[::2] for i in layer))
    return env


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def reloads(program: str, args: tuple[str, ...], env: dict[str, str]) -> bool | None:
    """Whether the server reloads on code changes (None: it may, from a config file)."""
    if any(a.startswith("--reload") for a in args) or "--debug" in args:
        return True
    if {"-c", "--config"} & {a.split("=", 1)[0] for a in args}:
        return None
    if program == "fastapi" and args[:1] == ("dev",):
        return True
    return (
        _truthy(env.get("UVICORN_RELOAD"))
        or _truthy(env.get("FLASK_DEBUG"))
        or "--reload" in env.get("GUNICORN_CMD_ARGS", "")
    )


def _code_dirs(ctx: RuleContext) -> set[str]:
    """Image folders the code lives in: context COPY destinations and the last WORKDIR."""
    df = ctx.dockerfile
    dirs = {
        _layers.resolve(i.destination, _layers.workdir_at(df, i))
        for i in ctx.runtime_context_copies()
    }
    workdirs = ctx.runtime_instructions("WORKDIR")
    if workdirs:
        dirs.add(_layers.resolve(workdirs[-1].value[0], _layers.workdir_at(df, workdirs[-1])))
    return dirs - {"/"}


def _related(target: str, dirs: set[str]) -> bool:
    path = posixpath.normpath(target)
    return any(path == d or path.startswith(d + "/") or d.startswith(path + "/") for d in dirs)


class DevMountWithoutReload(Rule):
    """Source code is bind-mounted into the container, but the server does not reload.

    Mounting the source is meant to make edits show up at once; uvicorn, gunicorn,
    hypercorn, granian and flask only pick them up with `--reload` (or `--debug`), so every
    edit still needs a restart and the mount only hides the image's copy of the code.
    Files named for production, services using `develop: watch`, and servers with a config
    file (which may turn reload on) are left alone.

    Anti-pattern (docker-compose.dev.yml; the image runs `uvicorn app.main:app`)::

        services:
          api:
            volumes:
              - ./src:/app/src

    Better: run the dev server with reload where the source is mounted::

        services:
          api:
            volumes:
              - ./src:/app/src
            command: ["uvicorn", "app.main:app", "--host", "0.0.0.0", "--reload"]
    """

    id = "DW607"
    name = "compose.dev-mount-without-reload"
    severity = Severity.WARNING
    group = Group.COMPOSE

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        """Yield this rule's findings for one service."""
        dirs = _code_dirs(ctx)
        for file, service in built_services(ctx):
            if prod_named(file.path) or "develop" in service.raw:
                continue
            mounts = [
                m
                for m in bind_mounts(service.raw)
                if _related(m.target, dirs) and has_python(host_path(file, m))
            ]
            program = self._no_reload(ctx, file, service) if mounts else None
            for mount in mounts if program else []:
                yield self.report(
                    ctx,
                    Location(file.path, entry_line(file, service, mount.text)),
                    f"service {service.name}: `{mount.source}` is mounted over {mount.target} "
                    f"but {program} runs without --reload: code edits need a restart",
                )

    def _no_reload(self, ctx: RuleContext, file: ComposeFile, service: ComposeService) -> str:
        """The server's name when it runs without reload ('' otherwise or when unknown)."""
        env = environment(ctx, file, service)
        for cmd in expand_shells(run_commands(ctx, file, service)):
            found = server_words(cmd)
            if found is not None:
                program, args = found
                return program if reloads(program, args, env) is False else ""
        return ""


class VolumeShadowsImageContent(Rule):
    """A bind mount hides files the image itself puts at that path.

    The layers that wrote them (a baked model, generated data, copied assets) are shipped
    and pulled but never seen by this deployment; the host folder must be filled some other
    way. Dev files (source mounts are their point), single-file mounts (config overrides),
    folders holding Python code and copied files under 1 MB are left alone.

    Anti-pattern (the Dockerfile runs `RUN python -m app.export_model /models/minilm`)::

        services:
          api:
            volumes:
              - ./models:/models:ro

    Better: either ship the model in the image and drop the mount, or mount it and stop
    baking it in (keep one source of the files)::

        services:
          api:
            volumes:
              - models:/models:ro
    """

    id = "DW608"
    name = "compose.volume-shadows-image-content"
    severity = Severity.WARNING
    group = Group.COMPOSE

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        """Yield this rule's findings for one service."""
        for file, service in built_services(ctx):
            if dev_like(file.path):
                continue
            for mount in bind_mounts(service.raw):
                host = host_path(file, mount)
                if host.is_file() or has_python(host):
                    continue
                fillers, size = _fillers(ctx, posixpath.normpath(mount.target))
                if fillers:
                    lines = ", ".join(str(i.line) for i in fillers)
                    yield self.report(
                        ctx,
                        Location(file.path, entry_line(file, service, mount.text)),
                        f"service {service.name}: the bind mount on {mount.target} hides what "
                        f"the image puts there ({ctx.dockerfile.path.name} line {lines}): "
                        "those layers are shipped but never used",
                        cost=Cost(bytes_added=size, note="copied files the mount hides")
                        if size
                        else None,
                    )


def _fillers(ctx: RuleContext, target: str) -> tuple[list[Instruction], int | None]:
    """Runtime instructions that write under `target`, and the known bytes they copy."""
    if target == "/":
        return [], None
    found: list[Instruction] = []
    copied: list[_layers.Written] = []
    for ins in ctx.runtime_instructions("COPY", "ADD", "RUN"):
        if ins.cmd == "RUN":
            if _layers.run_writes(ins, target):
                found.append(ins)
            continue
        written = [w for w in _layers.copied(ctx, ins) if _layers.covers(target, w.path)]
        if written and (ins.flag("from") is not None or _big(written)):
            found.append(ins)
        copied.extend(written)
    return found, _layers.entries_bytes(copied) if found else None


def _big(written: list[_layers.Written]) -> bool:
    return (_layers.entries_bytes(written) or 0) >= _MIN_SHADOWED
