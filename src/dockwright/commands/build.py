"""`dockwright build PATH...`: plan every service's build, run them in parallel, summarise.

Progress goes to stderr (a live bar per service on a terminal, one line per step otherwise);
the summary table goes to stdout. Exit 3 when any build failed, 1 when a build passed but its
validation (`--validate`) did not, else 0.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from dockwright import api
from dockwright.build.plan_project import CacheOptions, PlanOptions
from dockwright.build.session import ServiceOutcome
from dockwright.build.sink import make_sink
from dockwright.build.summary import summary_rows, summary_table
from dockwright.build.validate import ValidateOptions
from dockwright.commands._shared import warn
from dockwright.errors import ExitCode, UsageError

PathsArg = Annotated[
    list[Path],
    typer.Argument(metavar="PATH...", help="Project folders, Dockerfiles or compose files."),
]
TargetOpt = Annotated[
    str | None, typer.Option("--target", metavar="T", help="Build this stage in every service.")
]
JobsOpt = Annotated[
    int | None,
    typer.Option("--jobs", "-j", min=1, metavar="N", help="Parallel builds (default: cores)."),
]
CacheDirOpt = Annotated[
    Path | None,
    typer.Option("--cache-dir", metavar="D", help="Export/import build cache here (buildx)."),
]
CacheRegistryOpt = Annotated[
    str | None,
    typer.Option(
        "--cache-registry", metavar="REF", help="Registry cache prefix, e.g. HOST:PORT/cache."
    ),
]
ServiceOpt = Annotated[
    list[str] | None,
    typer.Option("--service", "-s", metavar="NAME", help="Build only this service (repeatable)."),
]
NoCacheOpt = Annotated[bool, typer.Option("--no-cache", help="Do not use the build cache.")]
ValidateOpt = Annotated[
    bool, typer.Option("--validate", help="Start each built image and check it (see docs).")
]
TimeoutOpt = Annotated[
    float,
    typer.Option("--validate-timeout", metavar="SECS", help="Seconds to wait for healthy."),
]
BuilderOpt = Annotated[
    str | None,
    typer.Option("--builder", metavar="NAME", help="buildx builder (e.g. remote BuildKit)."),
]


def register(app: typer.Typer) -> None:
    """Add the `build` command."""
    app.command("build")(build)


def build(
    paths: PathsArg,
    target: TargetOpt = None,
    jobs: JobsOpt = None,
    cache_dir: CacheDirOpt = None,
    cache_registry: CacheRegistryOpt = None,
    service: ServiceOpt = None,
    no_cache: NoCacheOpt = False,
    validate: ValidateOpt = False,
    validate_timeout: TimeoutOpt = 60.0,
    builder: BuilderOpt = None,
) -> int:
    """Build every service's image in parallel with live progress and a summary table."""
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise UsageError(f"no such file or directory: {', '.join(missing)}")
    cache = CacheOptions(cache_dir.resolve() if cache_dir else None, cache_registry)
    options = PlanOptions(target, cache, no_cache, tuple(service or ()), dict(os.environ))
    engine = api.build_engine(builder)
    steps = api.plan_build(paths, options, engine)
    if not steps:
        raise UsageError(f"no services (Dockerfiles) found under {', '.join(map(str, paths))}")
    checks = ValidateOptions(timeout=validate_timeout) if validate else None
    with make_sink(Console(stderr=True)) as sink:
        outcomes = api.build(engine, steps, sink, jobs, checks)
    Console().print(summary_table(summary_rows(outcomes)))
    _explain(outcomes)
    return int(exit_code(outcomes))


def _explain(outcomes: Sequence[ServiceOutcome]) -> None:
    """Why builds failed and which checks did not pass (stderr)."""
    for outcome in outcomes:
        result = outcome.result
        if not result.ok:
            indented = "\n".join("    " + ln for ln in (result.error or "").splitlines())
            warn(f"{result.service}: build failed\n{indented}".rstrip())
        for warning in result.warnings:
            warn(f"{result.service}: {warning}")
        if outcome.validation is not None:
            for check in outcome.validation.checks:
                mark = "ok  " if check.ok else "FAIL"
                warn(f"{result.service}: {mark} {check.name}: {check.detail}")


def exit_code(outcomes: Sequence[ServiceOutcome]) -> ExitCode:
    """3 when a build failed, 1 when a validation failed, else 0."""
    if any(not o.result.ok for o in outcomes):
        return ExitCode.ENGINE
    if any(o.validation is not None and not o.validation.ok for o in outcomes):
        return ExitCode.FINDINGS
    return ExitCode.OK
