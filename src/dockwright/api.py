"""The library surface that the CLI and users call."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from dockwright.base.image import BaseSpec, build_base_image
from dockwright.build.engine import Engine, find_engine
from dockwright.build.plan import BuildStep
from dockwright.build.plan_project import PlanOptions, plan_project
from dockwright.build.session import ServiceOutcome, run_build
from dockwright.build.sink import BuildSink
from dockwright.build.validate import ValidateOptions, ValidationResult, validate_image
from dockwright.config import Config, load_config
from dockwright.deps.native import wheels_only
from dockwright.deps.project import analyse_project
from dockwright.deps.records import DepsReport
from dockwright.deps.render import to_json, to_terminal
from dockwright.deps.sources import DepsOptions
from dockwright.errors import UsageError
from dockwright.generate.diff import render_diff, render_summary
from dockwright.generate.files import OptimizeOptions
from dockwright.generate.project import OptimizationPlan, plan_optimization
from dockwright.generate.writer import WriteResult, write_copy, write_in_place
from dockwright.measure import history as _history
from dockwright.measure.bench import BenchOptions, ColdMode, run_bench
from dockwright.measure.thresholds import regressions as _regressions
from dockwright.model.findings import AnalysisResult
from dockwright.model.measurements import BenchResult, Regression, RunInfo, TrendPoint
from dockwright.model.project import Project, discover
from dockwright.report.base import ReportOptions, get_reporter
from dockwright.report.bench_text import render_markdown as _bench_markdown
from dockwright.report.bench_text import render_text as _bench_text
from dockwright.report.html import render_html as _bench_html
from dockwright.rules.engine import RuleSelection
from dockwright.rules.engine import analyze as _analyze

__all__ = [
    "BENCH_FORMATS",
    "AnalysisResult",
    "BaseSpec",
    "BenchOptions",
    "BenchResult",
    "BuildStep",
    "ColdMode",
    "Config",
    "DepsOptions",
    "DepsReport",
    "Engine",
    "PlanOptions",
    "Project",
    "Regression",
    "RuleSelection",
    "RunInfo",
    "ServiceOutcome",
    "TrendPoint",
    "ValidateOptions",
    "ValidationResult",
    "analyze",
    "analyze_with_config",
    "bench",
    "build",
    "build_base",
    "build_engine",
    "configure",
    "deps",
    "discover",
    "engine",
    "history",
    "latest_bench",
    "plan_build",
    "record_builds",
    "regressions",
    "render",
    "render_deps",
    "report",
    "validate",
    "wheel_only_services",
]


def analyze(paths: Sequence[Path | str], selection: RuleSelection | None = None) -> AnalysisResult:
    """Discover the services under `paths` and run the selected rules on each."""
    return _analyze(discover([Path(p) for p in paths]), selection)


def configure(
    paths: Sequence[Path | str] = (),
    config_file: Path | None = None,
    env: Mapping[str, str] | None = None,
    cli: Mapping[str, Any] | None = None,
) -> Config:
    """The effective configuration: defaults < config file < DOCKWRIGHT_* env < `cli` values.

    `env` defaults to the process environment; pass `{}` to ignore it.
    """
    return load_config(paths, config_file, env, cli)


def analyze_with_config(paths: Sequence[Path | str], config: Config) -> AnalysisResult:
    """Like `analyze`, with select/ignore and rule options (global, per service) from `config`."""
    project = discover([Path(p) for p in paths])
    return _analyze(project, config.selection(s.name for s in project.services))


def render(
    result: AnalysisResult,
    format: str = "terminal",
    *,
    color: bool = False,
    path_base: Path | None = None,
) -> str:
    """The result as text in a registered output format (terminal, json, sarif, markdown...).

    `path_base` makes the terminal format show paths relative to it (e.g. the working
    directory); machine formats always use paths relative to the analysed root.
    """
    options = ReportOptions(color=color, path_base=path_base)
    return get_reporter(format).render(result, options)


def engine() -> Engine:
    """The BuildKit client dockwright will use (raises EngineError with a fix when none works)."""
    return find_engine()


def build_base(spec: BaseSpec, progress: Callable[[str], None] = lambda _: None) -> tuple[str, ...]:
    """Make (or reuse) a local Python base image; returns its tags."""
    return build_base_image(find_engine(), spec, progress)


def build_engine(builder: str | None = None) -> Engine:
    """The BuildKit client for builds; `builder` names a buildx builder (e.g. a remote one)."""
    environ = dict(os.environ)
    if builder:
        environ["DOCKWRIGHT_BUILDER"] = builder
    return find_engine(environ)


def plan_build(
    paths: Sequence[Path | str], options: PlanOptions, engine: Engine | None = None
) -> list[BuildStep]:
    """The build plan (one step per service) of the project under `paths`; starts no build."""
    client = engine or find_engine()
    return plan_project(discover([Path(p) for p in paths]), options, client.kind)


def build(
    engine: Engine,
    steps: Sequence[BuildStep],
    sink: BuildSink,
    jobs: int | None = None,
    validate: ValidateOptions | None = None,
) -> list[ServiceOutcome]:
    """Build the steps in parallel (failures stay per service), then size and validate images."""
    return run_build(engine, steps, sink, jobs, validate)


def validate(
    image: str, service: str = "", options: ValidateOptions | None = None
) -> ValidationResult:
    """Start the image and check health, non-root, read-only root and secret files in layers."""
    return validate_image(find_engine(), image, service, options)


# --- bench, history and the bench report -------------------------------------------------

BENCH_FORMATS = ("terminal", "markdown", "html")


def bench(
    path: Path | str,
    baseline: str | None = None,
    *,
    options: BenchOptions | None = None,
    engine: Engine | None = None,
    record: bool = True,
    progress: Callable[[str], None] = lambda _: None,
) -> BenchResult:
    """Measure the services under `path` (and `baseline`: a folder or a git ref) per scenario.

    The result is stored in `path/.dockwright/history.db` unless `record` is false.
    """
    opts = options or BenchOptions(Path(path), baseline)
    result = run_bench(engine or find_engine(), opts, progress)
    if record:
        _history.record_bench(_history.db_path(opts.path), result)
    return result


def history(
    path: Path | str, services: Sequence[str] = (), scenarios: Sequence[str] = (), runs: int = 30
) -> list[TrendPoint]:
    """Stored build and bench measurements of the project at `path`, oldest first."""
    return _history.trend_points(_history.db_path(Path(path)), services, scenarios, runs)


def latest_bench(path: Path | str) -> BenchResult | None:
    """The last bench stored for the project at `path`."""
    return _history.latest_bench(_history.db_path(Path(path)))


def record_builds(
    path: Path | str, info: RunInfo, builds: Sequence[tuple[str, float, int | None]]
) -> int:
    """Store plain builds (service, seconds, image bytes or None) in the history; the run id."""
    return _history.record_builds(_history.db_path(Path(path)), info, builds)


def regressions(
    points: Sequence[TrendPoint],
    max_time_regression: float | None = None,
    max_size_growth: float | None = None,
) -> list[Regression]:
    """Series whose latest value grew past the limits (percent) since the previous run."""
    return _regressions(points, max_time_regression, max_size_growth)


def report(
    result: BenchResult | None,
    points: Sequence[TrendPoint] = (),
    found: Sequence[Regression] = (),
    format: str = "terminal",
) -> str:
    """A bench result and history as terminal tables, Markdown or a self-contained HTML page."""
    renderers = {"terminal": _bench_text, "markdown": _bench_markdown, "html": _bench_html}
    if format not in renderers:
        raise UsageError(
            f"unknown report format {format!r}; choose from: {', '.join(BENCH_FORMATS)}"
        )
    return renderers[format](result, points, found)


def deps(paths: Sequence[Path | str], options: DepsOptions | None = None) -> DepsReport:
    """Resolve every service's dependencies with uv and report on them.

    Conflicts and their smallest verified fix, alignment across services, PyTorch/CUDA,
    sdist-only packages; fixes, alignment and locks are written only when asked.
    """
    return analyse_project(discover([Path(p) for p in paths]), options or DepsOptions())


def wheel_only_services(path: Path | str, options: DepsOptions | None = None) -> frozenset[str]:
    """Services at `path` whose every dependency installs from a wheel (resolved as `deps` does).

    `OptimizeOptions(wheels_only=...)` takes this: those build stages need no compilers.
    """
    return wheels_only(deps([path], options))


def render_deps(report: DepsReport, format: str = "terminal", path_base: Path | None = None) -> str:
    """A `deps` report as `terminal` text or `json`."""
    return to_json(report) if format == "json" else to_terminal(report, path_base)


__all__ += [
    "OptimizationPlan",
    "OptimizeOptions",
    "WriteResult",
    "optimization_diff",
    "optimization_summary",
    "optimize",
    "write_optimization",
]


def optimize(
    path: Path | str, options: OptimizeOptions | None = None, config: Config | None = None
) -> OptimizationPlan:
    """Plan `dockwright optimize` for the repository at `path`; nothing is written.

    The plan holds every file to create or replace and the analyses before and after
    (with `config`'s rule selection).
    """
    project = discover([Path(path)])
    selection = config.selection(s.name for s in project.services) if config else None
    return plan_optimization(project, options, analyzer=lambda p: _analyze(p, selection))


def write_optimization(plan: OptimizationPlan, out: Path | None = None) -> WriteResult:
    """Apply a plan in place (backups under `.dockwright/backups/`) or into a copy at `out`."""
    if out is not None:
        return write_copy(plan.root, out, plan.writes())
    return write_in_place(plan.root, plan.writes())


def optimization_diff(plan: OptimizationPlan) -> str:
    """A unified diff (git-style a/ b/ paths) of every change in the plan."""
    return render_diff(plan)


def optimization_summary(plan: OptimizationPlan) -> str:
    """Every change with the rule ids it resolves, and the fixable findings left."""
    return render_summary(plan)
