"""`dockwright history [PATH]`: stored builds and benches over time; thresholds for CI."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from dockwright import api
from dockwright.commands.bench import (
    FormatOpt,
    OutputOpt,
    SizeLimitOpt,
    TimeLimitOpt,
    emit,
    verdict,
)

PathArg = Annotated[Path, typer.Argument(help="The project (holds .dockwright/history.db).")]
RunsOpt = Annotated[int, typer.Option(min=1, help="How many recent runs to show.")]


def register(app: typer.Typer) -> None:
    """Add the `history` command."""
    app.command("history")(history)


def history(
    path: PathArg = Path(),
    service: Annotated[
        list[str] | None, typer.Option(metavar="NAME", help="Only this service (repeatable).")
    ] = None,
    scenario: Annotated[
        list[str] | None, typer.Option(metavar="NAME", help="Only this scenario (repeatable).")
    ] = None,
    runs: RunsOpt = 30,
    format: FormatOpt = "terminal",
    output: OutputOpt = None,
    max_time_regression: TimeLimitOpt = None,
    max_size_growth: SizeLimitOpt = None,
) -> int:
    """Show build times and image sizes over the recorded runs (exit 1 past a threshold)."""
    points = api.history(path, service or (), scenario or (), runs)
    found = api.regressions(points, max_time_regression, max_size_growth)
    emit(api.report(None, points, found, format), output)
    return verdict(found)
