"""Build-speed rules (DW1xx) about stages built FROM other stages."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from dockwright.model.dockerfile import Dockerfile, Instruction, Stage
from dockwright.model.findings import Cost, Finding, Group, Severity
from dockwright.rules import _layers, patterns
from dockwright.rules.base import Rule, RuleContext

# Instructions that cannot change what a repeated install or copy sees.
_NEUTRAL = frozenset({"ENV", "ARG", "LABEL", "EXPOSE", "HEALTHCHECK", "CMD", "ENTRYPOINT"})
# Variables that steer package tools: an ENV/ARG naming one may make a repeat intended.
_TOOL_VARS = re.compile(r"^(PIP|UV|POETRY|PDM|PIPENV|CONDA|MAMBA|PYTHONUSERBASE|VIRTUAL_ENV|PATH)")


@dataclass(frozen=True)
class _Step:
    """An instruction's comparable form: what it does and the directory it does it in."""

    kind: str
    text: tuple[str, ...]
    cwd: str


def _install_steps(ins: Instruction, cwd: str) -> list[_Step]:
    return [
        _Step("install", cmd.args_after_wrappers(), cwd)
        for cmd, _ in patterns.dependency_installs(ins)
    ]


def _copy_step(ins: Instruction, cwd: str) -> _Step:
    return _Step("copy", (*sorted(ins.flags), *ins.sources, ins.destination), cwd)


def _inherited(df: Dockerfile, stage: Stage) -> set[_Step]:
    """Installs and context copies done by the stages `stage` is built FROM."""
    done: set[_Step] = set()
    for ancestor in _layers.chain(df, stage)[:-1]:
        for ins in ancestor.instructions:
            cwd = _layers.workdir_at(df, ins)
            if ins.cmd == "RUN":
                done.update(_install_steps(ins, cwd))
            elif ins.cmd in {"COPY", "ADD"} and ins.flag("from") is None:
                done.add(_copy_step(ins, cwd))
    return done


def _neutral(ins: Instruction) -> bool:
    if ins.cmd not in _NEUTRAL:
        return False
    names = [name for name, _ in ins.pairs()]
    return not any(_TOOL_VARS.match(name) for name in names)


def _uses(steps: list[_Step], names: set[str]) -> bool:
    """True when an install's words reference one of the variables `names`."""
    words = " ".join(w for step in steps for w in step.text)
    return any(re.search(rf"\$\{{?{re.escape(name)}\b", words) for name in names)


def repeats(df: Dockerfile, stage: Stage) -> Iterator[tuple[Instruction, str]]:
    """(instruction, what) for the leading installs/copies of `stage` its parents already did.

    Only the start of the stage is looked at: a RUN, USER or WORKDIR that is not itself a
    repeat, a copy of other files or an ENV/ARG for a package tool may change what the next
    install does, so scanning stops there.
    """
    done = _inherited(df, stage) if stage.parent is not None else set()
    changed: set[str] = set()
    for ins in stage.instructions if done else ():
        cwd = _layers.workdir_at(df, ins)
        if ins.cmd in {"COPY", "ADD"} and ins.flag("from") is None:
            if _copy_step(ins, cwd) not in done or any("$" in v for v in ins.value):
                return
            if patterns.copies_whole_context(ins):
                yield ins, "copy of the whole context"
        elif ins.cmd == "RUN":
            steps = _install_steps(ins, cwd)
            if not steps or not set(steps) <= done or _uses(steps, changed):
                return
            yield ins, "dependency install"
        elif _neutral(ins):
            changed.update(name for name, _ in ins.pairs())
        else:
            return


class RepeatedInstallAcrossStages(Rule):
    """A stage built FROM another stage repeats the install (or context copy) its parent did.

    "Targets" that start `FROM base` and copy the context again and re-run the same
    `pip install` make every build of that target resend the context, store it twice,
    and re-resolve every requirement on top of packages that are already there; a code
    change re-runs the install twice (once in `base`, once in the target).

    Anti-pattern::

        FROM python:3.11-slim AS base
        COPY . .
        RUN pip install -r requirements.txt

        FROM base AS production
        COPY . .
        RUN pip install -r requirements.txt

    Better: install once; a target only adds what differs::

        FROM python:3.11-slim AS base
        COPY requirements.txt .
        RUN pip install -r requirements.txt
        COPY . .

        FROM base AS production
        CMD ["uvicorn", "app.main:app", "--host", "0.0.0.0"]
    """

    id = "DW113"
    name = "speed.repeated-install-across-stages"
    severity = Severity.WARNING
    group = Group.SPEED

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        """Yield this rule's findings for one service."""
        df = ctx.dockerfile
        for stage in df.stages:
            if stage.parent is None:
                continue
            parent = df.stages[stage.parent].ref
            for ins, what in repeats(df, stage):
                effect = (
                    "it only re-resolves what is already installed"
                    if ins.cmd == "RUN"
                    else "the context is sent and stored a second time"
                )
                yield self.report(
                    ctx,
                    ins,
                    f"stage `{stage.ref}` repeats the {what} of stage `{parent}` "
                    f"(`{ins.original.splitlines()[0].strip()}`): {effect}",
                    cost=self._cost(ctx, ins),
                )

    def _cost(self, ctx: RuleContext, ins: Instruction) -> Cost:
        if ins.cmd == "RUN":
            return Cost(note="every requirement is resolved again on top of the parent's packages")
        in_image = ctx.is_runtime(ins.stage_index)
        size = ctx.service.sent_bytes
        return Cost(
            bytes_added=size if in_image else None,
            bytes_rebuilt=size,
            note="the context is sent and stored again (size of the context sent)",
        )
