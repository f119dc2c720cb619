"""Correctness rules (DW409-DW415), continued: does the container start and run as written."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator

from dockwright.model.dockerfile import Instruction, Stage
from dockwright.model.findings import Edit, EditKind, Finding, Fix, Group, Severity
from dockwright.model.shell import Command, split_commands
from dockwright.rules import imagefacts, pysource
from dockwright.rules.base import Rule, RuleContext

_PY_IN_PATH = re.compile(r"python(\d+\.\d+)")
_VENV_HINTS = ("site-packages", "venv", "/.local", "/usr/local/lib/python", "/usr/local/bin")


class WorkdirRelative(Rule):
    """WORKDIR with a relative path.

    A relative WORKDIR is resolved against the previous one (or the base image's), so the
    same line means different folders depending on what came before or which base is used.

    Anti-pattern::

        WORKDIR app

    Better::

        WORKDIR /app
    """

    id = "DW409"
    name = "correctness.workdir-relative"
    severity = Severity.WARNING
    group = Group.CORRECTNESS
    hadolint = ("DL3000",)

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        """Yield this rule's findings for one service."""
        for stage in ctx.dockerfile.stages:
            for ins in stage.of("WORKDIR"):
                path = " ".join(ins.value).strip().strip("\"'")
                if path and not path.startswith(("/", "$")) and not re.match(r"^[A-Za-z]:", path):
                    yield self.report(
                        ctx, ins, f"WORKDIR `{path}` is relative: use an absolute path"
                    )


class DuplicateStageName(Rule):
    """Two stages share a name (`AS builder` twice).

    BuildKit refuses the file (`duplicate stage name`); older builders silently make
    `COPY --from=builder` read the wrong stage.

    Anti-pattern::

        FROM python:3.11 AS builder
        FROM node:20 AS builder

    Better: give every stage its own name (`AS py-builder`, `AS js-builder`).
    """

    id = "DW410"
    name = "correctness.duplicate-stage-name"
    severity = Severity.ERROR
    group = Group.CORRECTNESS
    hadolint = ("DL3024",)

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        """Yield this rule's findings for one service."""
        seen: dict[str, Stage] = {}
        for stage in ctx.dockerfile.stages:
            key = (stage.name or "").lower()
            if key and key in seen:
                first = seen[key].from_instruction.line
                yield self.report(
                    ctx,
                    stage.from_instruction,
                    f"stage name `{stage.name}` is already used on line {first}",
                )
            seen.setdefault(key, stage)


class MultipleCmd(Rule):
    """More than one CMD (or ENTRYPOINT) in a stage: only the last one takes effect.

    The earlier ones are dead code that misleads readers about how the image starts.

    Anti-pattern::

        CMD ["python", "worker.py"]
        CMD ["uvicorn", "app.main:app"]

    Better: keep one; override per service in compose (`command:`) when needed.
    """

    id = "DW411"
    name = "correctness.multiple-cmd"
    severity = Severity.WARNING
    group = Group.CORRECTNESS
    fixable = True
    hadolint = ("DL4003", "DL4004")

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        """Yield this rule's findings for one service."""
        for stage in ctx.dockerfile.stages:
            for kind in ("CMD", "ENTRYPOINT"):
                found = stage.of(kind)
                for ins in found[:-1]:
                    edit = Edit(EditKind.DELETE, ctx.dockerfile.path, ins.line, ins.end_line)
                    yield self.report(
                        ctx,
                        ins,
                        f"{kind} overridden by the {kind} on line {found[-1].line}: it never runs",
                        fix=Fix(f"remove the overridden {kind}", (edit,)),
                    )


class ExposeInvalidPort(Rule):
    """EXPOSE with a port outside 1-65535 or an unknown protocol.

    Anti-pattern::

        EXPOSE 80000
        EXPOSE 8000/http

    Better::

        EXPOSE 8000/tcp
    """

    id = "DW412"
    name = "correctness.expose-invalid-port"
    severity = Severity.ERROR
    group = Group.CORRECTNESS
    hadolint = ("DL3011",)

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        """Yield this rule's findings for one service."""
        for stage in ctx.dockerfile.stages:
            for ins in stage.of("EXPOSE"):
                for value in ins.value:
                    if "$" not in value and not _valid_port(value):
                        yield self.report(
                            ctx, ins, f"EXPOSE `{value}` is not a valid port[/tcp|udp|sctp]"
                        )


def _valid_port(value: str) -> bool:
    port, _, proto = value.partition("/")
    if proto and proto.lower() not in {"tcp", "udp", "sctp"}:
        return False
    low, _, high = port.partition("-")
    numbers = [low, high] if high else [low]
    return all(n.isdigit() and 1 <= int(n) <= 65535 for n in numbers)


class CmdTargetMissing(Rule):
    """CMD/ENTRYPOINT starts a script or app module that never gets into the image.

    `python app.py` or `uvicorn app.main:app` fails at start when the file is absent from
    the build context, excluded by .dockerignore, or never copied by a COPY.

    Anti-pattern::

        COPY requirements.txt .
        RUN pip install -r requirements.txt
        CMD ["uvicorn", "app.main:app"]

    Better: copy the code the command runs::

        COPY app/ ./app/
    """

    id = "DW413"
    name = "correctness.cmd-target-missing"
    severity = Severity.ERROR
    group = Group.CORRECTNESS

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        """Yield this rule's findings for one service."""
        for kind in ("ENTRYPOINT", "CMD"):
            found = ctx.runtime_instructions(kind)
            if not found:
                continue
            for target in pysource.start_targets(_commands(found[-1])):
                message = pysource.target_problem(ctx, target)
                if message:
                    yield self.report(ctx, found[-1], message)


def _commands(ins: Instruction) -> list[Command]:
    if ins.exec_form:
        words = ins.value
        if len(words) >= 3 and words[0].endswith("sh") and words[1] == "-c":
            return split_commands(words[2])
        return [Command(words)]
    return split_commands(" ".join(ins.value))


class UserMissing(Rule):
    """USER names an account that no stage of the image creates.

    The container does not start: `unable to find user appuser: no matching entries in
    passwd file`. A classic slip is creating the user in the builder stage only.

    Anti-pattern::

        FROM python:3.11-slim
        USER appuser

    Better::

        RUN useradd --create-home --uid 10001 appuser
        USER appuser
    """

    id = "DW414"
    name = "correctness.user-missing"
    severity = Severity.ERROR
    group = Group.CORRECTNESS

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        """Yield this rule's findings for one service."""
        users = ctx.runtime_instructions("USER")
        final = ctx.final_stage
        if not users or final is None:
            return
        user = users[-1].value[0].split(":", 1)[0] if users[-1].value else ""
        if not user or user.isdigit() or "$" in user:
            return
        facts = imagefacts.base_facts(imagefacts.root_of(ctx.dockerfile, final))
        if facts is None or user in facts.users or self._created(ctx, user):
            return
        yield self.report(
            ctx,
            users[-1],
            f"USER {user}: `{facts.image}` has no such account and no image stage creates it",
        )

    def _created(self, ctx: RuleContext, user: str) -> bool:
        commands = [c for i in ctx.runtime_instructions("RUN") for c in i.commands]
        if user in imagefacts.created_users(commands):
            return True
        copies = ctx.runtime_instructions("COPY", "ADD")
        return any("/etc/passwd" in v for i in copies for v in i.value)


class PythonEnvMismatch(Rule):
    """A virtualenv or site-packages copied from a builder that does not fit the final image.

    A venv hard-codes its path (script shebangs, pyvenv.cfg) and its Python: copied to a
    different path, or into an image with another Python version, its entry points and
    imports fail at run time although the build succeeds.

    Anti-pattern::

        FROM python:3.12 AS builder
        RUN python -m venv /opt/venv && /opt/venv/bin/pip install -r requirements.txt
        FROM python:3.11-slim
        COPY --from=builder /opt/venv /venv

    Better: same Python version in both stages, same path on both sides::

        FROM python:3.11 AS builder
        ...
        FROM python:3.11-slim
        COPY --from=builder /opt/venv /opt/venv
    """

    id = "DW415"
    name = "correctness.python-env-mismatch"
    severity = Severity.ERROR
    group = Group.CORRECTNESS

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        """Yield this rule's findings for one service."""
        final = ctx.final_stage
        if final is None:
            return
        version = imagefacts.python_version(imagefacts.root_of(ctx.dockerfile, final))
        for ins in ctx.runtime_instructions("COPY"):
            source = ctx.dockerfile.stage(ins.flag("from") or "")
            if source is None or not ins.flag("from"):
                continue
            message = _venv_moved(source, ins) or _version_differs(ctx, source, ins, version)
            if message:
                yield self.report(ctx, ins, message)


def _venv_moved(source: Stage, ins: Instruction) -> str | None:
    venvs = pysource.venv_paths(source)
    dest = ins.destination.rstrip("/")
    for src in (s.rstrip("/") for s in ins.sources):
        if src in venvs and dest.startswith("/") and dest != src:
            return (
                f"the venv {src} is copied to {dest}: its scripts still point at {src}/bin/python"
            )
    return None


def _version_differs(
    ctx: RuleContext, source: Stage, ins: Instruction, version: str | None
) -> str | None:
    if version is None or not any(h in s for s in ins.sources for h in _VENV_HINTS):
        return None
    built = imagefacts.python_version(imagefacts.root_of(ctx.dockerfile, source))
    named = {m.group(1) for s in ins.sources for m in _PY_IN_PATH.finditer(s)}
    other = built if built and built != version else next((n for n in named if n != version), None)
    if other is None:
        return None
    where = posixpath.basename(ins.sources[0].rstrip("/")) or ins.sources[0]
    return f"`{where}` was built for Python {other} but the final image runs Python {version}"
