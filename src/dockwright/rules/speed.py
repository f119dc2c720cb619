"""Build-speed rules (DW1xx): what makes rebuilds slow."""

from __future__ import annotations

from collections.abc import Iterator

from dockwright.model.dockerfile import Instruction
from dockwright.model.findings import Cost, Edit, EditKind, Finding, Fix, Group, Severity
from dockwright.rules import patterns
from dockwright.rules.base import Rule, RuleContext


class CopyBeforeDeps(Rule):
    """The whole context is copied before the dependency install.

    Every code change invalidates the COPY layer, so the dependency install after it
    re-runs on every build.

    Anti-pattern::

        COPY . .
        RUN pip install -r requirements.txt

    Better: copy only the dependency files first, install, then copy the code::

        COPY requirements.txt .
        RUN pip install -r requirements.txt
        COPY . .
    """

    id = "DW101"
    name = "speed.copy-before-deps"
    severity = Severity.WARNING
    group = Group.SPEED
    fixable = True

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for stage in ctx.dockerfile.stages:
            copy = next((i for i in stage.instructions if patterns.copies_whole_context(i)), None)
            if copy is None:
                continue
            later = [i for i in stage.instructions if i.line > copy.line]
            install = next((i for i in later if any(patterns.dependency_installs(i))), None)
            if install is None:
                continue
            yield self.report(
                ctx,
                copy,
                f"`{copy.original.splitlines()[0]}` before the dependency install on line "
                f"{install.line}: every code change re-runs the install",
                cost=Cost(bytes_rebuilt=ctx.service.sent_bytes, note="context re-sent and deps reinstalled"),
                fix=self._fix(ctx, copy, install),
            )

    def _fix(self, ctx: RuleContext, copy: Instruction, install: Instruction) -> Fix | None:
        names = _requirement_files(install)
        between = [i for i in ctx.dockerfile.stages[copy.stage_index].instructions if copy.line < i.line < install.line]
        if not names or any(i.cmd in {"COPY", "ADD", "RUN"} for i in between):
            return None
        lines = ctx.dockerfile.lines
        dest = copy.destination if copy.destination.endswith("/") else copy.destination + "/"
        kept = "".join(ln + "\n" for ln in lines[copy.end_line : install.end_line])
        text = f"COPY {' '.join(names)} {dest}\n" + kept + "".join(
            ln + "\n" for ln in lines[copy.line - 1 : copy.end_line]
        )
        edit = Edit(EditKind.REPLACE, ctx.dockerfile.path, copy.line, install.end_line, text)
        return Fix("copy the dependency files first, install, then copy the code", (edit,))


def _requirement_files(install: Instruction) -> list[str]:
    """Files named by `-r`/`-c` in the install commands (empty when it installs the project)."""
    names: list[str] = []
    for cmd, _ in patterns.dependency_installs(install):
        words = list(cmd.words)
        for index, word in enumerate(words[:-1]):
            if word in {"-r", "--requirement", "-c", "--constraint"}:
                names.append(words[index + 1])
    return names
