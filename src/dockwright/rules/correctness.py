"""Correctness rules (DW4xx): images that build but do not work, or do not build at all."""

from __future__ import annotations

import json
import posixpath
import re
import shlex
from collections.abc import Iterator

from dockwright.model.dockerfile import Instruction, Stage
from dockwright.model.findings import Edit, EditKind, Finding, Fix, Group, Location, Severity
from dockwright.model.shell import Command, split_commands
from dockwright.rules import imagefacts, pysource
from dockwright.rules.base import Rule, RuleContext

_URL = re.compile(r"^https?://")
_SHELL_SYNTAX = re.compile(r"[&|;<>$`*?~(){}\[\]\\#\n]")
_PY_IN_PATH = re.compile(r"python(\d+\.\d+)")


def _effective(ctx: RuleContext, cmd: str) -> Instruction | None:
    """The last `cmd` instruction of the image's stages (the one that takes effect)."""
    found = ctx.runtime_instructions(cmd)
    return found[-1] if found else None


def _runtime_commands(ctx: RuleContext) -> list[Command]:
    return [c for i in ctx.runtime_instructions("RUN") for c in i.commands]


def _healthcheck_commands(ins: Instruction) -> list[Command]:
    if ins.exec_form:
        return [Command(ins.value[1:])]
    return split_commands(" ".join(ins.value[1:]))


class HealthcheckMissingProgram(Rule):
    r"""HEALTHCHECK calls a program the final image does not have.

    Slim, alpine and distroless bases ship no curl (alpine has busybox wget and nc). A
    check that cannot run always fails: the container is marked unhealthy and
    `depends_on: condition: service_healthy` never starts its dependents.

    Anti-pattern::

        FROM python:3.11-slim
        HEALTHCHECK CMD curl -f http://localhost:8000/health || exit 1

    Better: use the Python that is already in the image::

        HEALTHCHECK CMD ["python3", "-c", \
            "import urllib.request as u; u.urlopen('http://localhost:8000/health', timeout=5)"]
    """

    id = "DW401"
    name = "correctness.healthcheck-missing-program"
    severity = Severity.ERROR
    group = Group.CORRECTNESS
    fixable = True

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        """Yield this rule's findings for one service."""
        check = _effective(ctx, "HEALTHCHECK")
        final = ctx.final_stage
        if check is None or final is None or check.value[:1] != ("CMD",):
            return
        facts = imagefacts.base_facts(imagefacts.root_of(ctx.dockerfile, final))
        if facts is None:
            return
        have = facts.programs | imagefacts.installed_programs(_runtime_commands(ctx))
        have |= _copied_in(ctx)
        commands = _healthcheck_commands(check)
        missing = [p for p in _programs(commands) if p in imagefacts.CHECKED_PROGRAMS - have]
        if missing:
            yield self.report(
                ctx,
                check,
                f"HEALTHCHECK runs `{missing[0]}`, which `{facts.image}` does not ship and no "
                "stage of the image installs: the check always fails",
                fix=_python_check(ctx, check, commands) if facts.has_python else None,
            )


def _programs(commands: list[Command]) -> list[str]:
    return [Command(w).program for c in commands for w in (*c.piped_from, c.words)]


def _copied_in(ctx: RuleContext) -> set[str]:
    names: set[str] = set()
    for ins in ctx.runtime_instructions("COPY", "ADD"):
        if ins.flag("from") is not None:
            names.update(posixpath.basename(v.rstrip("/")) for v in ins.value)
    return names


def _python_check(ctx: RuleContext, ins: Instruction, commands: list[Command]) -> Fix | None:
    main, rest = commands[0], commands[1:]
    urls = [w for w in main.words if _URL.match(w)]
    if (
        main.program not in {"curl", "wget"}
        or len(urls) != 1
        or any(c.words != ("exit", "1") for c in rest)
    ):
        return None
    code = f"import urllib.request; urllib.request.urlopen({urls[0]!r}, timeout=5)"
    flags = "".join(f"{f} " for f in ins.flags)
    text = f"HEALTHCHECK {flags}CMD {json.dumps(['python3', '-c', code])}\n"
    edit = Edit(EditKind.REPLACE, ctx.dockerfile.path, ins.line, ins.end_line, text)
    return Fix("check the URL with Python's urllib instead", (edit,))


class ShellFormCmd(Rule):
    """CMD/ENTRYPOINT in shell form: the app runs under `/bin/sh -c` and never sees SIGTERM.

    `docker stop` signals PID 1, which is the shell; the app is killed after the 10 s grace
    period instead of shutting down cleanly (open requests dropped, workers not drained).

    Anti-pattern::

        CMD uvicorn app.main:app --host 0.0.0.0

    Better (exec form, JSON array)::

        CMD ["uvicorn", "app.main:app", "--host", "0.0.0.0"]
    """

    id = "DW402"
    name = "correctness.shell-form-cmd"
    severity = Severity.WARNING
    group = Group.CORRECTNESS
    fixable = True
    hadolint = ("DL3025",)

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        """Yield this rule's findings for one service."""
        for ins in ctx.runtime_instructions("CMD", "ENTRYPOINT"):
            script = " ".join(ins.value).strip()
            if ins.exec_form or not script or script.startswith("exec "):
                continue
            yield self.report(
                ctx,
                ins,
                f"shell-form {ins.cmd} runs under `/bin/sh -c`: signals do not reach the app",
                fix=_exec_form(ctx, ins, script),
            )


def _exec_form(ctx: RuleContext, ins: Instruction, script: str) -> Fix | None:
    if _SHELL_SYNTAX.search(script):
        return None
    try:
        words = shlex.split(script)
    except ValueError:
        return None
    text = f"{ins.cmd} {json.dumps(words)}\n"
    edit = Edit(EditKind.REPLACE, ctx.dockerfile.path, ins.line, ins.end_line, text)
    return Fix("use the exec form (JSON array)", (edit,))


def _context_sources(ins: Instruction) -> list[str]:
    """Sources of a COPY/ADD from the build context (URLs, variables and --from skipped)."""
    if ins.cmd not in {"COPY", "ADD"} or ins.flag("from") is not None:
        return []
    return [s for s in ins.sources if "$" not in s and not re.match(r"^[a-z]+://|^git@", s)]


def _outside(source: str) -> bool:
    return posixpath.normpath(source.replace("\\", "/")).startswith("..")


class CopyOutsideContext(Rule):
    """COPY/ADD names a path outside the build context (`../shared`).

    The builder only sees the context: `..` cannot reach the parent folder (the legacy
    builder fails, BuildKit silently reads the path inside the context instead).

    Anti-pattern (context `services/api`)::

        COPY ../../shared /app/shared

    Better: widen the context in compose (`context: ../..`, `dockerfile: services/api/Dockerfile`)
    or pass a named context (`additional_contexts: {shared: ../../shared}`) and
    `COPY --from=shared . /app/shared`.
    """

    id = "DW403"
    name = "correctness.copy-outside-context"
    severity = Severity.ERROR
    group = Group.CORRECTNESS

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        """Yield this rule's findings for one service."""
        for stage in ctx.dockerfile.stages:
            for ins in stage.of("COPY", "ADD"):
                for source in _context_sources(ins):
                    if _outside(source):
                        yield self.report(
                            ctx,
                            ins,
                            f"`{source}` is outside the build context {ctx.service.context.name}/: "
                            "the builder cannot read it",
                        )


class CopySourceMissing(Rule):
    """COPY/ADD source that is not in the build context, or that .dockerignore excludes.

    The build fails with `failed to compute cache key: ... not found`. Wildcards that
    match nothing are allowed by BuildKit and are not reported.

    Anti-pattern (with `config/` in .dockerignore)::

        COPY config/ /app/config/

    Better: remove the line, fix the path, or re-include it in .dockerignore (`!config/`).
    """

    id = "DW404"
    name = "correctness.copy-source-missing"
    severity = Severity.ERROR
    group = Group.CORRECTNESS

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        """Yield this rule's findings for one service."""
        for stage in ctx.dockerfile.stages:
            for ins in stage.of("COPY", "ADD"):
                for source in _context_sources(ins):
                    message = self._problem(ctx, source)
                    if message:
                        yield self.report(ctx, ins, message)

    def _problem(self, ctx: RuleContext, source: str) -> str | None:
        rel = posixpath.normpath(source.lstrip("/")) if source.strip("/.") else "."
        if rel == "." or _outside(source) or any(c in rel for c in "*?["):
            return None
        if not (ctx.service.context / rel).exists():
            return f"`{source}` does not exist in the build context {ctx.service.context.name}/"
        pattern = ctx.service.dockerignore.matching_pattern(rel)
        if pattern is None or not ctx.service.dockerignore.excluded(rel):
            return None
        where = (
            ctx.service.dockerignore.path.name if ctx.service.dockerignore.path else ".dockerignore"
        )
        return f"`{source}` is excluded by {where} line {pattern.line} (`{pattern.text}`)"


class CopyFromUnknownStage(Rule):
    """`COPY --from=x` where x is not an earlier stage, a named context or an image.

    BuildKit then tries to pull an image called `x` (`docker.io/library/x:latest`), which
    fails, or silently copies from an unrelated image.

    Anti-pattern::

        FROM python:3.11-slim AS builder
        FROM python:3.11-slim
        COPY --from=buidler /wheels /wheels

    Better: name an existing stage (defined above), or pin an image (`--from=nginx:1.27`).
    """

    id = "DW405"
    name = "correctness.copy-from-unknown-stage"
    severity = Severity.ERROR
    group = Group.CORRECTNESS

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        """Yield this rule's findings for one service."""
        named = {k.lower() for b in ctx.service.compose for k in b.additional_contexts}
        for stage in ctx.dockerfile.stages:
            for ins in stage.of("COPY", "ADD", "RUN"):
                for ref in _from_refs(ins):
                    message = _unknown_from(ctx, stage, ref, named)
                    if message:
                        yield self.report(ctx, ins, message)


def _from_refs(ins: Instruction) -> list[str]:
    if ins.cmd == "RUN":
        return [m.options["from"] for m in ins.mounts() if "from" in m.options]
    ref = ins.flag("from")
    return [ref] if ref else []


def _unknown_from(ctx: RuleContext, stage: Stage, ref: str, named: set[str]) -> str | None:
    if ":" in ref or "/" in ref or "$" in ref or ref.lower() in named:
        return None
    if ref.isdigit():
        ok = int(ref) < stage.index
        return None if ok else f"--from={ref}: stage {ref} is not defined before this one"
    target = ctx.dockerfile.stage(ref)
    if target is not None and target.index < stage.index:
        return None
    if target is not None:
        return f"--from={ref}: stage `{ref}` is defined after this instruction"
    names = ", ".join(s.name for s in ctx.dockerfile.stages[: stage.index] if s.name) or "none"
    return (
        f"--from={ref} is no stage (stages above: {names}) and no named context: "
        f"BuildKit will pull image `{ref}:latest`"
    )


class UnpinnedBase(Rule):
    """Base image without a tag or with `:latest`.

    The image changes under you: a rebuild next month silently gets a new Python or OS,
    and the layer cache differs between machines. A digest (`@sha256:...`) is the
    strongest pin; a full version tag is the minimum.

    Anti-pattern::

        FROM python
        FROM python:latest

    Better::

        FROM python:3.11-slim-bookworm
    """

    id = "DW406"
    name = "correctness.unpinned-base"
    severity = Severity.WARNING
    group = Group.CORRECTNESS
    hadolint = ("DL3006", "DL3007")

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        """Yield this rule's findings for one service."""
        for stage in ctx.dockerfile.stages:
            raw = stage.from_instruction.value[0] if stage.from_instruction.value else ""
            base = stage.base
            if stage.parent is not None or "@" in base or base.lower() == "scratch":
                continue
            if not base or base.endswith(":") or "$" in base:
                continue  # an ARG without default: the tag is chosen at build time
            if stage.base_tag in {"", "latest"}:
                shown = base if raw == base else f"{raw} (= {base})"
                yield self.report(
                    ctx,
                    stage.from_instruction,
                    f"`{shown}` is not pinned: use a version tag or a digest",
                )


class UnpinnedRequirements(Rule):
    """Requirements installed by the Dockerfile without an exact pin (`==`).

    Severity warning: this is an application image, so every rebuild should install the
    same versions. With ranges, a cold CI build and a warm local cache produce different
    images, and a new upstream release breaks a build nobody changed (the pydantic
    conflict of the transcription system). Lock files are pinned by construction.

    Anti-pattern (requirements.txt)::

        fastapi>=0.100
        redis

    Better: generate a lock (`uv pip compile requirements.in -o requirements.txt` or
    `pip-compile`) and install that::

        fastapi==0.110.0
        redis==5.0.3
    """

    id = "DW407"
    name = "correctness.unpinned-requirements"
    severity = Severity.WARNING
    group = Group.CORRECTNESS

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        """Yield this rule's findings for one service."""
        for dep in pysource.installed_requirement_files(ctx):
            pins = pysource.constraint_pins(ctx, dep)
            for req in dep.requirements:
                if req.pinned or req.editable or req.name in pins:
                    continue
                yield self.report(
                    ctx,
                    Location(req.path, req.line),
                    f"`{req.raw}` is not pinned (`==`): generate a lock with "
                    "`uv pip compile` or `pip-compile` and install that",
                )


class ImportsOutsideContext(Rule):
    """The service imports a package of the repository that is outside its build context.

    The code runs locally (the repo root is on the path) but the image fails at start with
    `ModuleNotFoundError`: the package was never sent to the builder.

    Anti-pattern (context `services/api`, package `shared/` at the repo root)::

        from shared.config import settings

    Better: build from the repo root (`context: .` with `dockerfile: services/api/Dockerfile`
    and `COPY shared/ /app/shared/`), pass `shared` as a named context
    (`additional_contexts`), or make `shared` an installable package.
    """

    id = "DW408"
    name = "correctness.imports-outside-context"
    severity = Severity.ERROR
    group = Group.CORRECTNESS

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        """Yield this rule's findings for one service."""
        for path, module, line, found in pysource.outside_imports(ctx):
            rel = (
                found.relative_to(ctx.service.root)
                if found.is_relative_to(ctx.service.root)
                else found
            )
            yield self.report(
                ctx,
                Location(path, line),
                f"`{module}` is imported but lives at {rel}{'/' if found.is_dir() else ''}, "
                f"outside the build context {ctx.service.context.name}/: the image fails with "
                "ModuleNotFoundError",
            )
