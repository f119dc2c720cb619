"""`dockwright report [PATH]`: the last bench and the history as tables, Markdown or HTML."""

from __future__ import annotations

from pathlib import Path

import typer

from dockwright import api
from dockwright.commands.bench import FormatOpt, OutputOpt, emit
from dockwright.commands.history import PathArg, RunsOpt


def register(app: typer.Typer) -> None:
    """Add the `report` command."""
    app.command("report")(report)


def report(
    path: PathArg = Path(),
    format: FormatOpt = "terminal",
    output: OutputOpt = None,
    runs: RunsOpt = 30,
) -> int:
    """Render the last bench and the history (HTML: one self-contained page with charts)."""
    emit(api.report(api.latest_bench(path), api.history(path, runs=runs), (), format), output)
    return 0
