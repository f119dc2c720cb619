"""Checks and fixes behind the layer-order speed rules (DW105, DW107, DW108, DW110, DW111)."""

from __future__ import annotations

import itertools
import re
import shlex
from typing import Any

from dockwright.model.dockerfile import Dockerfile, Instruction, Stage
from dockwright.model.findings import Edit, EditKind, Fix
from dockwright.model.shell import Command
from dockwright.rules import _speed_installs as inst
from dockwright.rules import _speed_support as sup
from dockwright.rules import patterns
from dockwright.rules.base import RuleContext

# --- DW105: project installed together with its dependencies --------------------------------


def unsplit_project_install(ctx: RuleContext, ins: Instruction) -> str | None:
    """The tool family of a one-step project+deps install with no deps-only step before it."""
    done = inst.deps_families_before(ctx.dockerfile, ins)
    for cmd, tool in patterns.dependency_installs(ins):
        if inst.is_project_install(ctx, cmd, tool) and inst.family(cmd, tool) not in done:
            return inst.family(cmd, tool)
    return None


# --- DW107: apt-get update alone ---------------------------------------------------------------


def _apt_update(cmd: Command) -> bool:
    words = cmd.args_after_wrappers()
    return cmd.program in {"apt-get", "apt"} and "update" in words[1:]


def _apt_changes(cmd: Command) -> bool:
    words = cmd.args_after_wrappers()
    return cmd.program in {"apt-get", "apt", "aptitude"} and bool(
        {"install", "upgrade", "dist-upgrade", "full-upgrade"} & set(words[1:])
    )


def install_using_stale_lists(stage: Stage, update: Instruction) -> Instruction | None:
    """The later apt install that relies on this update-only RUN's lists."""
    if not any(_apt_update(c) for c in update.commands) or any(
        _apt_changes(c) for c in update.commands
    ):
        return None
    for later in stage.of("RUN"):
        if later.line <= update.line:
            continue
        if any(_apt_update(c) for c in later.commands):
            return None
        if any(patterns.is_apt(c) for c in later.commands):
            return later
    return None


def merge_update_fix(
    dockerfile: Dockerfile, stage: Stage, update: Instruction, install: Instruction
) -> Fix | None:
    """Fix: move the update into the install's RUN."""
    between = [i for i in stage.instructions if update.line < i.line < install.line]
    if (
        len(update.commands) != 1
        or update.line != update.end_line
        or install.exec_form
        or update.exec_form
    ):
        return None
    up, inst = sup.run_text(dockerfile, update), sup.run_text(dockerfile, install)
    if up is None or inst is None or any(i.cmd not in {"ENV", "ARG", "LABEL"} for i in between):
        return None
    flags = inst.flags + tuple(f for f in up.flags if f not in inst.flags)
    text = sup.RunText(inst.keyword, flags, f"{up.script.strip()} && {inst.script}").render()
    edits = (
        Edit(EditKind.DELETE, dockerfile.path, update.line, update.end_line),
        sup.replace_edit(dockerfile, install, text),
    )
    return Fix("run apt-get update in the same RUN as the install", edits)


# --- DW108: one-package-per-RUN installs ------------------------------------------------------


def _single_install_key(ins: Instruction) -> tuple[Any, ...] | None:
    """Grouping key of a RUN that is exactly one pip install of named packages."""
    if len(ins.commands) != 1:
        return None
    cmd = ins.commands[0]
    tool = patterns.tool_of(cmd)
    if tool is None or not sup.is_pip_like(cmd, tool) or sup.is_bootstrap(cmd, tool):
        return None
    args = sup.install_args(cmd, tool)
    names = sup.positionals(args)
    if not names or any(
        a.split("=", 1)[0] in {"-r", "--requirement", "-e", "--editable"} for a in args
    ):
        return None
    if any(n.startswith((".", "/")) or "://" in n for n in names):
        return None
    words = cmd.words
    return (
        ins.flags,
        ins.exec_form,
        words[: len(words) - len(args)],
        tuple(a for a in args if a not in names),
    )


def mergeable_install_runs(stage: Stage) -> list[list[Instruction]]:
    """Runs of 2+ consecutive single-install RUNs with identical options."""
    groups: list[list[Instruction]] = []
    current: list[Instruction] = []
    key: tuple[Any, ...] | None = None
    for ins in [*stage.instructions, None]:
        new = _single_install_key(ins) if ins is not None and ins.cmd == "RUN" else None
        if new is not None and new == key and ins is not None:
            current.append(ins)
            continue
        if len(current) >= 2:
            groups.append(current)
        current, key = ([ins] if new is not None and ins is not None else []), new
    return groups


def _blank_between(dockerfile: Dockerfile, first: Instruction, second: Instruction) -> bool:
    return not any(dockerfile.lines[n - 1].strip() for n in range(first.end_line + 1, second.line))


def merge_installs_fix(dockerfile: Dockerfile, group: list[Instruction]) -> Fix | None:
    """Fix: one RUN installing all the packages."""
    if any(i.exec_form or i.line != i.end_line for i in group):
        return None
    if not all(_blank_between(dockerfile, a, b) for a, b in itertools.pairwise(group)):
        return None
    first = sup.run_text(dockerfile, group[0])
    if first is None:
        return None
    extra = []
    for ins in group[1:]:
        cmd = ins.commands[0]
        extra += [
            shlex.quote(n)
            for n in sup.positionals(sup.install_args(cmd, str(patterns.tool_of(cmd))))
        ]
    text = sup.RunText(
        first.keyword, first.flags, first.script.rstrip() + " " + " ".join(extra)
    ).render()
    edit = Edit(EditKind.REPLACE, dockerfile.path, group[0].line, group[-1].end_line, text)
    return Fix("install all packages in one RUN", (edit,))


# --- DW110: source copied before the install ----------------------------------------------------


def _needed_by(ctx: RuleContext, copy: Instruction, install: Instruction) -> bool:
    """True when the install (conservatively) references anything this COPY brings in."""
    entries = sup.copied_entries(ctx.service, copy)
    names = {part for e in entries for part in e.rel.split("/")}
    words = [
        w for c in install.commands for w in c.words if not w.startswith("-") and "://" not in w
    ]
    if any(part in names for w in words for part in w.split("/") if part not in {"", ".", ".."}):
        return True
    local = [
        r
        for d in ctx.service.dep_files
        for r in d.requirements
        if r.editable or r.url.startswith((".", "/", "file:"))
    ]
    return bool(local)


def source_copies_before_install(
    ctx: RuleContext, stage: Stage
) -> list[tuple[list[Instruction], Instruction]]:
    """(source COPYs, install) pairs where code is copied before a deps-only install."""
    found: list[tuple[list[Instruction], Instruction]] = []
    reported: set[int] = set()
    for install in stage.of("RUN"):
        if not any(inst.deps_install(ctx, c, t) for c, t in patterns.dependency_installs(install)):
            continue
        earlier = [i for i in stage.instructions if i.line < install.line]
        if any(patterns.copies_whole_context(i) for i in earlier):
            continue
        copies = [
            c
            for c in earlier
            if c.line not in reported
            and sup.is_source_copy(ctx.service, c)
            and not _needed_by(ctx, c, install)
        ]
        if copies:
            found.append((copies, install))
            reported.update(c.line for c in copies)
    return found


def move_after_fix(
    dockerfile: Dockerfile, stage: Stage, copies: list[Instruction], install: Instruction
) -> Fix | None:
    """Fix: move the source COPYs below the install."""
    span = [i for i in stage.instructions if copies[0].line <= i.line <= install.line]
    if any(i.cmd not in {"COPY", "ADD"} for i in span[:-1]) or any(
        "$" in c.original for c in copies
    ):
        return None
    if not all(_blank_between(dockerfile, a, b) for a, b in itertools.pairwise(span)):
        return None
    moved = {c.line for c in copies}
    kept = [i for i in span if i.line not in moved]
    text = "".join(inst.instruction_text(dockerfile, i) for i in [*kept, *copies])
    edit = Edit(EditKind.REPLACE, dockerfile.path, copies[0].line, install.end_line, text)
    return Fix("copy the source after the dependency install", (edit,))


# --- DW111: volatile ARG before the install ---------------------------------------------


def _references(ins: Instruction, name: str) -> bool:
    return re.search(r"\$\{?" + re.escape(name) + r"\b", ins.original) is not None


def arg_used_before(stage: Stage, arg: Instruction, name: str, install: Instruction) -> bool:
    """True when an instruction from the ARG up to the install uses the ARG explicitly."""
    return any(
        _references(i, name) for i in stage.instructions if arg.line < i.line <= install.line
    )


def move_arg_fix(
    dockerfile: Dockerfile, stage: Stage, arg: Instruction, last: Instruction
) -> Fix | None:
    """Fix: declare the ARG after the last install."""
    pairs = arg.pairs()
    if (
        len(pairs) != 1
        or arg.line != arg.end_line
        or arg_used_before(stage, arg, pairs[0][0], last)
    ):
        return None
    edits = (
        Edit(EditKind.DELETE, dockerfile.path, arg.line, arg.line),
        Edit(
            EditKind.INSERT,
            dockerfile.path,
            last.end_line + 1,
            last.end_line + 1,
            inst.instruction_text(dockerfile, arg),
        ),
    )
    return Fix("declare the ARG after the dependency installs", edits)
