"""Compose rules (DW6xx): what the compose files ask of the images, located in the compose file.

A rule looks at the compose services that build the service's Dockerfile (base file and
overlays); services that build nothing (`image:` only) are looked at once, with the first
service of the project.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from dockwright.model.compose import ComposeBuild, ComposeFile, ComposeService
from dockwright.model.findings import Finding, Group, Location, Severity
from dockwright.rules.base import Rule, RuleContext

_SECRET_WORDS = re.compile(
    r"(^|_)(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|ACCESS_KEY|PRIVATE_KEY)(_|$)"
)
_NOT_SECRET_SUFFIX = re.compile(
    r"_(FILE|PATH|DIR|URL|HOST|PORT|USER|NAME|TYPE|HEADER|ALGORITHM|EXPIRE|EXPIRES|TTL|"
    r"MINUTES|SECONDS|HOURS|DAYS|LENGTH|ENABLED)$"
)
_NON_PROD = ("dev", "local", "test", "override", "debug")
_ROOT_USERS = {"root", "0", "0:0", "root:root"}
_DANGEROUS_CAPS = {"ALL", "SYS_ADMIN"}


def _family(ctx: RuleContext) -> list[ComposeFile]:
    """Compose files in the folders of the service's compose builds."""
    folders = {b.compose_file.parent for b in _builds(ctx)}
    return [f for f in ctx.project.compose_files if f.path.parent in folders]


def _builds(ctx: RuleContext) -> list[ComposeBuild]:
    """Every compose build of this service's Dockerfile (overlays included), each once."""
    found = {(b.compose_file, b.service): b for b in ctx.service.compose}
    for build in ctx.project.compose_builds(ctx.dockerfile.path, ctx.service.context):
        found.setdefault((build.compose_file, build.service), build)
    return list(found.values())


def _unowned(ctx: RuleContext) -> list[tuple[ComposeFile, ComposeService]]:
    """Services that build nothing in any file: checked with the project's first service."""
    if not ctx.project.services or ctx.project.services[0] is not ctx.service:
        return []
    built = {
        (f.path.parent, s.name) for f in ctx.project.compose_files for s in f.services if s.build
    }
    return [
        (f, s)
        for f in ctx.project.compose_files
        for s in f.services
        if (f.path.parent, s.name) not in built
    ]


def services(ctx: RuleContext) -> list[tuple[ComposeFile, ComposeService]]:
    """(file, service) pairs this service's rules judge: its own compose services, plus unowned."""
    names = {b.service for b in _builds(ctx)}
    mine = [(f, s) for f in _family(ctx) for s in f.services if s.name in names]
    return mine + [pair for pair in _unowned(ctx) if pair not in mine]


def find_line(path: Path, start: int, key: str) -> int | None:
    """Line of `key:` / `- key=` / `- key` at or after `start`; None when absent."""
    pattern = re.compile(rf"^\s*(-\s*)?[\"']?{re.escape(key)}[\"']?\s*(:|=|$)")
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    for number in range(max(start, 1), len(lines) + 1):
        if pattern.match(lines[number - 1]):
            return number
    return None


def line_of(path: Path, start: int, key: str) -> int:
    """Line of `key` at or after `start` (fallback: `start`)."""
    return find_line(path, start, key) or start


def _arg_location(build: ComposeBuild, key: str) -> Location:
    """Where a build arg is set: the build's own file, else the base file under an overlay."""
    for path, start in ((build.compose_file, build.line), (build.base_file, 1)):
        if path is not None:
            line = find_line(path, line_of(path, start, "args"), key)
            if line is not None:
                return Location(path, line)
    return Location(build.compose_file, build.line)


def _pairs(value: Any) -> list[tuple[str, str | None]]:
    """KEY/value pairs of a compose mapping or `KEY=value` list (None: no value given)."""
    if isinstance(value, dict):
        return [(str(k), None if v is None else str(v)) for k, v in value.items()]
    if isinstance(value, list):
        return [
            (str(item).partition("=")[0], str(item).partition("=")[2] if "=" in str(item) else None)
            for item in value
        ]
    return []


def is_secret_name(name: str) -> bool:
    """True for variable names that hold secrets (`OPENAI_API_KEY`, `DB_PASSWORD`...)."""
    upper = name.upper().replace("-", "_")
    return bool(_SECRET_WORDS.search(upper)) and not _NOT_SECRET_SUFFIX.search(upper)


def _literal_secret(value: str | None) -> bool:
    if value is None:
        return False
    text = value.strip()
    if not text or text.startswith("$") or text.lower() in {"true", "false", "none", "null"}:
        return False
    return not text.replace(".", "").isdigit()


class MissingTarget(Rule):
    """`build.target` names a stage the Dockerfile does not have.

    `docker compose build` fails with `target stage "production" could not be found` -
    typically in the prod overlay, which nobody builds locally.

    Anti-pattern (docker-compose.prod.yml)::

        services:
          api:
            build:
              target: production   # the Dockerfile has `AS runtime`

    Better: name an existing stage (`target: runtime`) or add the stage.
    """

    id = "DW601"
    name = "compose.missing-target"
    severity = Severity.ERROR
    group = Group.COMPOSE

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        """Yield this rule's findings for one service."""
        stages = [s.name for s in ctx.dockerfile.stages if s.name]
        for build in _builds(ctx):
            if build.target is None or ctx.dockerfile.stage(build.target) is not None:
                continue
            where = build.target_file or build.compose_file
            line = build.target_line or line_of(where, build.line, "target")
            close = difflib.get_close_matches(build.target, stages, n=1)
            hint = f"; did you mean `{close[0]}`?" if close else ""
            yield self.report(
                ctx,
                Location(where, line),
                f"service {build.service}: target `{build.target}` is not a stage of "
                f"{ctx.dockerfile.path.name} (stages: {', '.join(stages) or 'unnamed'}){hint}",
            )


class SecretInEnvironment(Rule):
    """A secret is written as a literal value in a compose `environment:` block.

    The compose file is committed, so the key is in the repository history and visible
    in `docker inspect` output of every container.

    Anti-pattern::

        environment:
          OPENAI_API_KEY: sk-live-1234

    Better: interpolate from an uncommitted `.env` or the shell, or use compose `secrets:`::

        environment:
          OPENAI_API_KEY: ${OPENAI_API_KEY}
    """

    id = "DW602"
    name = "compose.secret-in-environment"
    severity = Severity.WARNING
    group = Group.COMPOSE

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        """Yield this rule's findings for one service."""
        for file, service in services(ctx):
            start = line_of(file.path, service.line, "environment")
            for key, value in _pairs(service.raw.get("environment")):
                if is_secret_name(key) and _literal_secret(value):
                    yield self.report(
                        ctx,
                        Location(file.path, line_of(file.path, start, key)),
                        f"service {service.name}: `{key}` has a literal value in the compose "
                        "file; use `${" + key + "}` from an uncommitted .env, or `secrets:`",
                    )


class SecretBuildArg(Rule):
    """A secret is passed as a build arg.

    Build args end up in the image metadata (`docker history` shows them) and, through
    `ENV` or a RUN that echoes them, in its layers. BuildKit has secret mounts for this.

    Anti-pattern::

        build:
          args:
            PIP_TOKEN: ${PIP_TOKEN}

    Better (compose + Dockerfile)::

        build:
          secrets: [pip_token]
        # Dockerfile
        RUN --mount=type=secret,id=pip_token PIP_TOKEN=$(cat /run/secrets/pip_token) pip install ...
    """

    id = "DW603"
    name = "compose.secret-build-arg"
    severity = Severity.ERROR
    group = Group.COMPOSE

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        """Yield this rule's findings for one service (only ARGs the Dockerfile declares)."""
        declared = {
            name
            for ins in ctx.dockerfile.instructions()
            if ins.cmd == "ARG"
            for name, _ in ins.pairs()
        }
        for build in _builds(ctx):
            for key in build.args:
                if is_secret_name(key) and key in declared:
                    yield self.report(
                        ctx,
                        _arg_location(build, key),
                        f"service {build.service}: build arg `{key}` is stored in the image "
                        "metadata; use a build secret (`secrets:` + RUN --mount=type=secret)",
                    )


def _prod_like(path: Path) -> bool:
    stem = path.name.lower()
    return not any(word in stem for word in _NON_PROD)


class PrivilegedOrRoot(Rule):
    """A service runs privileged, with all capabilities, or as root outside dev overlays.

    `privileged: true` or `cap_add: [ALL]` gives the container the host's devices and
    kernel: an app bug becomes a host compromise. `user: root` undoes the Dockerfile's
    non-root USER.

    Anti-pattern (docker-compose.prod.yml)::

        api:
          privileged: true
          user: root

    Better: drop both; add only the one capability needed (`cap_add: [NET_BIND_SERVICE]`).
    """

    id = "DW604"
    name = "compose.privileged-or-root"
    severity = Severity.WARNING
    group = Group.COMPOSE

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        """Yield this rule's findings for one service."""
        for file, service in services(ctx):
            for key, message in _privileges(file.path, service.raw):
                line = line_of(file.path, service.line, key)
                yield self.report(
                    ctx, Location(file.path, line), f"service {service.name}: {message}"
                )


def _privileges(path: Path, raw: dict[str, Any]) -> list[tuple[str, str]]:
    found = []
    if raw.get("privileged") is True:
        found.append(("privileged", "`privileged: true` gives the container full host access"))
    caps = {str(c).upper().removeprefix("CAP_") for c in raw.get("cap_add") or []}
    if caps & _DANGEROUS_CAPS:
        found.append(
            ("cap_add", f"cap_add {sorted(caps & _DANGEROUS_CAPS)} is close to privileged")
        )
    if str(raw.get("user", "")).strip() in _ROOT_USERS and _prod_like(path):
        found.append(("user", f"`user: {raw['user']}` runs the container as root"))
    return found


class HealthcheckMissingForDependency(Rule):
    """`depends_on: condition: service_healthy` on a service that has no healthcheck.

    `docker compose up` stops with `dependency failed to start: container ... has no
    healthcheck configured`.

    Anti-pattern::

        worker:
          depends_on:
            redis: {condition: service_healthy}
        redis:
          image: redis:7

    Better: give the dependency a healthcheck::

        redis:
          image: redis:7
          healthcheck:
            test: ["CMD", "redis-cli", "ping"]
    """

    id = "DW605"
    name = "compose.healthcheck-missing-for-dependency"
    severity = Severity.ERROR
    group = Group.COMPOSE

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        """Yield this rule's findings for one service."""
        for file, service in services(ctx):
            for dep in _healthy_deps(service.raw):
                if not _has_healthcheck(ctx, file, dep):
                    line = line_of(file.path, line_of(file.path, service.line, "depends_on"), dep)
                    yield self.report(
                        ctx,
                        Location(file.path, line),
                        f"service {service.name} waits for `{dep}` to be healthy, but `{dep}` "
                        "has no healthcheck (compose file or image)",
                    )


def _healthy_deps(raw: dict[str, Any]) -> list[str]:
    deps = raw.get("depends_on")
    if not isinstance(deps, dict):
        return []
    return [
        str(name)
        for name, spec in deps.items()
        if isinstance(spec, dict) and spec.get("condition") == "service_healthy"
    ]


def _has_healthcheck(ctx: RuleContext, file: ComposeFile, name: str) -> bool:
    folder = file.path.parent
    specs = [
        s
        for f in ctx.project.compose_files
        if f.path.parent == folder
        for s in f.services
        if s.name == name
    ]
    if not specs:
        return True  # defined in a file we did not see: do not guess
    checks = [s.raw["healthcheck"] for s in specs if isinstance(s.raw.get("healthcheck"), dict)]
    if checks:
        return not any(c.get("disable") is True for c in checks)
    return _image_healthcheck(ctx, folder, name)


def _image_healthcheck(ctx: RuleContext, folder: Path, name: str) -> bool:
    """True when the service builds a Dockerfile whose image has a HEALTHCHECK."""
    for service in ctx.project.services:
        if any(b.service == name and b.compose_file.parent == folder for b in service.compose):
            stages = sorted(service.dockerfile.image_stages(service.target), key=lambda s: s.index)
            found = [i for s in stages for i in s.of("HEALTHCHECK")]
            return bool(found) and found[-1].value[:1] != ("NONE",)
    return False
