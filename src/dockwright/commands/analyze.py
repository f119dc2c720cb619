"""`dockwright analyze PATH...`: find the services, run the rules, report, set the exit code."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from dockwright import api
from dockwright.commands._shared import state, stdout_color, warn
from dockwright.config import Config
from dockwright.errors import ExitCode, UsageError
from dockwright.model.findings import AnalysisResult, Severity
from dockwright.report.base import relative, write_atomic

PathsArg = Annotated[
    list[Path],
    typer.Argument(metavar="PATH...", help="Files or directories to analyse.", show_default=False),
]
FormatOpt = Annotated[
    str | None,
    typer.Option("--format", "-f", metavar="FORMAT", help="terminal, json, sarif or markdown."),
]
OutputOpt = Annotated[
    Path | None, typer.Option("--output", "-o", metavar="FILE", help="Write the report to FILE.")
]
FailOnOpt = Annotated[
    str | None,
    typer.Option(
        "--fail-on", metavar="SEVERITY", help="Exit 1 from this severity on (default: warning)."
    ),
]
SelectOpt = Annotated[
    list[str] | None,
    typer.Option("--select", metavar="PREFIXES", help="Rule id prefixes to run, comma-separated."),
]
IgnoreOpt = Annotated[
    list[str] | None,
    typer.Option("--ignore", metavar="PREFIXES", help="Rule id prefixes to skip, comma-separated."),
]
ExitZeroOpt = Annotated[
    bool | None, typer.Option("--exit-zero", help="Exit 0 even when there are findings.")
]
DebugOpt = Annotated[bool, typer.Option("--debug", help="Show tracebacks of internal errors.")]
ConfigOpt = Annotated[
    Path | None,
    typer.Option(
        "--config", metavar="FILE", help="Config file (default: found from PATH upwards)."
    ),
]


def register(app: typer.Typer) -> None:
    """Add the `analyze` command."""
    app.command("analyze")(analyze)


def analyze(
    ctx: typer.Context,
    paths: PathsArg,
    format: FormatOpt = None,
    output: OutputOpt = None,
    fail_on: FailOnOpt = None,
    select: SelectOpt = None,
    ignore: IgnoreOpt = None,
    exit_zero: ExitZeroOpt = None,
    debug: DebugOpt = False,
    config: ConfigOpt = None,
) -> int:
    """Lint Dockerfiles, compose files and build contexts for slow, large or unsafe builds."""
    state(ctx).debug |= debug
    cli: dict[str, Any] = {
        "format": format, "output": output, "fail-on": fail_on,
        "select": select, "ignore": ignore, "exit-zero": exit_zero,
    }  # fmt: skip
    cfg = api.configure(paths, config, os.environ, cli)
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise UsageError(f"no such file or directory: {', '.join(missing)}")
    result = api.analyze_with_config(paths, cfg)
    _warn_about(result, cfg)
    color = cfg.output is None and stdout_color()
    _emit(api.render(result, cfg.format, color=color, path_base=Path.cwd()), cfg.output)
    return exit_code(result, cfg.fail_on, cfg.exit_zero)


def _warn_about(result: AnalysisResult, cfg: Config) -> None:
    """Problems and config mismatches: one line each on stderr."""
    cwd = Path.cwd()
    for p in result.problems:
        warn(f"error: {relative(p.path, cwd)}{f':{p.line}' if p.line else ''}: {p.message}")
    for message in cfg.misspelt_services(result.services):
        warn(f"warning: {cfg.source}: {message}")
    if not result.services and not result.problems:
        warn("warning: no Dockerfile found under " + ", ".join(str(r) for r in result.roots))


def _emit(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        write_atomic(output, text)


def exit_code(result: AnalysisResult, fail_on: Severity, exit_zero: bool) -> ExitCode:
    """1 when a finding is at least `fail_on` severe or some input could not be analysed."""
    if exit_zero:
        return ExitCode.OK
    failing = any(f.severity.value >= fail_on.value for f in result.findings)
    return ExitCode.FINDINGS if failing or result.problems else ExitCode.OK
