"""DW101's fix: copy the dependency files first, install, then copy the rest of the context."""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from dockwright.model.depfiles import load_requirements
from dockwright.model.dockerfile import Instruction, Stage
from dockwright.model.findings import Edit, EditKind, Fix
from dockwright.model.shell import Command
from dockwright.rules import _speed_installs as inst
from dockwright.rules import _speed_support as sup
from dockwright.rules import patterns
from dockwright.rules.base import RuleContext


def rebuilt_install(ctx: RuleContext, stage: Stage, copy: Instruction) -> Instruction | None:
    """The first dependency install after `copy` that could have run before it."""
    done = inst.deps_families_before(ctx.dockerfile, copy)
    for ins in stage.of("RUN"):
        if ins.line > copy.line and any(
            inst.deps_install(ctx, c, t) and inst.family(c, t) not in done
            for c, t in patterns.dependency_installs(ins)
        ):
            return ins
    return None


_LOCK_INPUTS = {
    "poetry": (("pyproject.toml", True), ("poetry.lock", False), ("poetry.toml", False)),
    "uv": (("pyproject.toml", True), ("uv.lock", False), (".python-version", False)),
    "pdm": (("pyproject.toml", True), ("pdm.lock", False)),
    "pipenv": (("Pipfile", True), ("Pipfile.lock", False)),
}


def _input_files(ctx: RuleContext, cmd: Command, tool: str) -> list[tuple[str, bool]] | None:
    """Files (as the install names them, required?) a deps install reads; None if unsure."""
    args = sup.install_args(cmd, tool)
    if sup.is_pip_like(cmd, tool):
        links = sup.option_values(args, "-f", "--find-links")
        if any("://" not in link for link in links):
            return None  # a local wheelhouse may come from the copied context
        return [
            (f, True) for f in sup.option_values(args, "-r", "--requirement", "-c", "--constraint")
        ]
    if tool in sup.CONDA_TOOLS:
        return [(f, True) for f in sup.option_values(args, "-f", "--file")]
    text = ctx.service.context / "pyproject.toml"
    if tool != "pipenv" and text.is_file() and re.search(r"\bpath\s*=|workspace", text.read_text()):
        return None  # path dependencies / workspaces need more than the lock files
    return list(_LOCK_INPUTS.get(tool, ()))


def _context_rel(
    ctx: RuleContext, copy: Instruction, install: Instruction, name: str
) -> str | None:
    """Where a file the install reads comes from in the context, through `copy`."""
    dockerfile = ctx.dockerfile
    path = PurePosixPath(sup.workdir_at(dockerfile, install)) / name
    dest = PurePosixPath(sup.workdir_at(dockerfile, copy)) / copy.destination
    try:
        rel = path.relative_to(dest).as_posix()
    except ValueError:
        return None
    known = {e.rel for e in ctx.service.context_entries if not e.excluded}
    return rel if rel in known and ".." not in rel.split("/") else None


def _closure(ctx: RuleContext, rel: str) -> list[str] | None:
    """A requirements file and the files it includes; None when it names local paths."""
    root = ctx.service.context.resolve()
    dep = load_requirements(root / rel)
    if dep.problems or any(
        r.editable or (r.url and not re.match(r"\w+://", r.url)) for r in dep.requirements
    ):
        return None
    found = [rel]
    for include in dep.includes:
        try:
            inner = include.resolve().relative_to(root).as_posix()
        except ValueError:
            return None
        sub = _closure(ctx, inner) if inner not in found else []
        if sub is None:
            return None
        found += sub
    return found


_PATH_SETTINGS = frozenset(
    {"PIP_FIND_LINKS", "PIP_CONSTRAINT", "PIP_REQUIREMENT", "UV_FIND_LINKS", "UV_CONSTRAINT"}
)


def _path_settings(ctx: RuleContext, install: Instruction) -> bool:
    """An ARG/ENV that can point the install at files from the context (a wheelhouse...)."""
    return any(
        name in _PATH_SETTINGS
        for i in sup.instructions_before(ctx.dockerfile, install)
        if i.cmd in {"ARG", "ENV"}
        for name, _ in i.pairs()
    )


def _dep_inputs(ctx: RuleContext, copy: Instruction, install: Instruction) -> list[str] | None:
    """Context files the install needs, or None when they cannot be worked out safely."""
    if any(c.program == "cd" for c in install.commands) or _path_settings(ctx, install):
        return None
    rels: list[str] = []
    for cmd, tool in patterns.dependency_installs(install):
        names = _input_files(ctx, cmd, tool) if inst.deps_install(ctx, cmd, tool) else []
        for name, required in names if names is not None else [("", True)]:
            rel = _context_rel(ctx, copy, install, name) if name else None
            more = (
                _closure(ctx, rel)
                if rel and rel.endswith((".txt", ".in"))
                else [rel]
                if rel
                else []
            )
            if more is None or (rel is None and required):
                return None
            rels += more
    return list(dict.fromkeys(rels))


def _dest_for(base: str, parent: str) -> str:
    base = base.rstrip("/") or "/"
    joined = base if not parent else f"{base}/{parent}" if base != "/" else f"/{parent}"
    return joined.rstrip("/") + "/"


def copy_deps_first(ctx: RuleContext, copy: Instruction, install: Instruction) -> Fix | None:
    """Fix: COPY the dependency files, install, then COPY the rest."""
    dockerfile = ctx.dockerfile
    stage = dockerfile.stages[copy.stage_index]
    between = [i for i in stage.instructions if copy.line < i.line < install.line]
    if (
        any(i.cmd in {"COPY", "ADD", "RUN", "WORKDIR", "ONBUILD"} for i in between)
        or "$" in copy.original
    ):
        return None
    rels = _dep_inputs(ctx, copy, install)
    if rels is None:
        return None
    groups: dict[str, list[str]] = {}
    for rel in rels:
        groups.setdefault(
            _dest_for(copy.destination, str(PurePosixPath(rel).parent).strip(".")), []
        ).append(rel)
    head = "".join(f"COPY {' '.join(files)} {dest}\n" for dest, files in groups.items())
    kept = "".join(line + "\n" for line in dockerfile.lines[copy.end_line : install.end_line])
    text = head + kept + inst.instruction_text(dockerfile, copy)
    edit = Edit(EditKind.REPLACE, dockerfile.path, copy.line, install.end_line, text)
    return Fix("copy the dependency files first, install, then copy the code", (edit,))
