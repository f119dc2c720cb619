"""What the Python installs of a Dockerfile do, for the layer-order speed rules."""

from __future__ import annotations

import tomllib
from typing import Any

from dockwright.model.dockerfile import Dockerfile, Instruction, Stage
from dockwright.model.shell import Command
from dockwright.rules import _speed_support as sup
from dockwright.rules import patterns
from dockwright.rules.base import RuleContext


def _pyproject(ctx: RuleContext) -> dict[str, Any] | None:
    path = ctx.service.context / "pyproject.toml"
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None


def _is_package(ctx: RuleContext, tool: str) -> bool:
    """True when `tool` installs the project itself (poetry package-mode, uv/pdm build-system)."""
    data = _pyproject(ctx)
    tables = (data or {}).get("tool", {})
    if tool == "poetry":
        return tables.get("poetry", {}).get("package-mode", True) is not False
    if tool in {"uv", "pdm"}:
        flag = tables.get(tool, {}).get("package" if tool == "uv" else "distribution")
        return bool(flag) if flag is not None else data is not None and "build-system" in data
    return True


def is_project_install(ctx: RuleContext, cmd: Command, tool: str) -> bool:
    """The command installs the project together with its dependencies."""
    return sup.installs_project(cmd, tool) and _is_package(ctx, tool)


def family(cmd: Command, tool: str) -> str:
    return "pip" if sup.is_pip_like(cmd, tool) else tool


def deps_families_before(dockerfile: Dockerfile, ins: Instruction) -> set[str]:
    """Tool families that already installed dependencies before `ins` (bootstraps excluded)."""
    return {
        family(c, t)
        for i in sup.instructions_before(dockerfile, ins)
        for c, t in patterns.dependency_installs(i)
        if not sup.is_bootstrap(c, t)
    }


def deps_install(ctx: RuleContext, cmd: Command, tool: str) -> bool:
    """A downloading install of dependencies only (not bootstrap, not the project)."""
    return (
        sup.downloads(cmd, tool)
        and not sup.is_bootstrap(cmd, tool)
        and not is_project_install(ctx, cmd, tool)
    )


def install_runs(stage: Stage) -> list[Instruction]:
    """RUNs of the stage that download Python or apt packages."""
    return [
        i
        for i in stage.of("RUN")
        if any(sup.downloads(c, t) for c, t in patterns.dependency_installs(i))
        or any(patterns.is_apt(c) for c in i.commands)
    ]


def instruction_text(dockerfile: Dockerfile, ins: Instruction) -> str:
    """The instruction's source lines, newline-terminated."""
    return "".join(line + "\n" for line in dockerfile.lines[ins.line - 1 : ins.end_line])
