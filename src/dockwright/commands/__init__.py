"""CLI commands: one module per command, each exposing `register(app)`.

To add a command, write `dockwright/commands/<name>.py` with a `register(app: typer.Typer)`
function and add its module name to COMMAND_MODULES. Commands call `dockwright.api` and
the reporters; nothing imports `dockwright.cli`.
"""

from __future__ import annotations

import importlib

import typer

COMMAND_MODULES = (
    "dockwright.commands.analyze",
    "dockwright.commands.rules",
    "dockwright.commands.base",
    "dockwright.commands.deps",
    "dockwright.commands.build",
    "dockwright.commands.bench",
    "dockwright.commands.history",
    "dockwright.commands.report",
    "dockwright.commands.optimize",
)


def register_all(app: typer.Typer) -> None:
    """Attach every command module's commands to `app`."""
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(app)
