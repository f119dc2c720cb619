"""`dockwright bench PATH`: measure builds before and after, per scenario; store and report."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from dockwright import api
from dockwright.commands._shared import warn
from dockwright.errors import ExitCode, UsageError
from dockwright.measure.bench import BenchOptions, ColdMode
from dockwright.measure.scenarios import parse_scenarios
from dockwright.model.measurements import Regression
from dockwright.report.base import write_atomic

FormatOpt = Annotated[
    str, typer.Option("--format", "-f", metavar="FORMAT", help="terminal, markdown or html.")
]
OutputOpt = Annotated[
    Path | None, typer.Option("--output", "-o", metavar="FILE", help="Write the report to FILE.")
]
TimeLimitOpt = Annotated[
    float | None,
    typer.Option(
        "--max-time-regression",
        metavar="PCT",
        help="Exit 1 when a median build time grew more than PCT% since the previous run.",
    ),
]
SizeLimitOpt = Annotated[
    float | None,
    typer.Option(
        "--max-size-growth",
        metavar="PCT",
        help="Exit 1 when an image grew more than PCT% since the previous run.",
    ),
]


def register(app: typer.Typer) -> None:
    """Add the `bench` command."""
    app.command("bench")(bench)


def emit(text: str, output: Path | None) -> None:
    """Print, or write atomically to `output`."""
    if output is None:
        typer.echo(text, nl=False)
    else:
        write_atomic(output, text)
        warn(f"wrote {output}")


def verdict(found: list[Regression]) -> ExitCode:
    """1 (with one stderr line each) when a threshold was crossed."""
    for regression in found:
        warn(f"regression: {regression.line()}")
    return ExitCode.FINDINGS if found else ExitCode.OK


def bench(
    path: Annotated[Path, typer.Argument(help="The project to measure (the 'after' side).")],
    baseline: Annotated[
        str | None,
        typer.Option(metavar="REF|DIR", help="The 'before' side: a folder or a git ref of PATH."),
    ] = None,
    scenarios: Annotated[
        str, typer.Option(metavar="LIST", help="Comma-separated: cold, warm, code, deps.")
    ] = "cold,warm,code,deps",
    repeat: Annotated[int, typer.Option(min=1, help="Builds per scenario and side.")] = 3,
    service: Annotated[
        list[str] | None, typer.Option(metavar="NAME", help="Only this service (repeatable).")
    ] = None,
    cold: Annotated[
        ColdMode, typer.Option(help="no-cache, or builder (a throwaway buildx builder).")
    ] = ColdMode.NO_CACHE,
    format: FormatOpt = "terminal",
    output: OutputOpt = None,
    max_time_regression: TimeLimitOpt = None,
    max_size_growth: SizeLimitOpt = None,
    record: Annotated[bool, typer.Option(help="Store the run in .dockwright/history.db.")] = True,
    keep_images: Annotated[bool, typer.Option(help="Keep the images the bench built.")] = False,
) -> int:
    """Build each service cold, warm, after a code change and after a dependency change."""
    if not path.is_dir():
        raise UsageError(f"not a directory: {path}")
    if format not in api.BENCH_FORMATS:
        raise UsageError(f"unknown format {format!r}; choose from: {', '.join(api.BENCH_FORMATS)}")
    options = BenchOptions(
        path, baseline, parse_scenarios(scenarios), repeat, tuple(service or ()), cold, keep_images
    )
    result = api.bench(path, options=options, record=record, progress=warn)
    points = api.history(path) if record else []
    found = api.regressions(points, max_time_regression, max_size_growth)
    trend = points if format == "html" else []
    emit(api.report(result, trend, found, format), output)
    return verdict(found)
