"""The library surface that the CLI and users call."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from dockwright.base.image import BaseSpec, build_base_image
from dockwright.build.engine import Engine, find_engine
from typing import Any

from dockwright.config import Config, load_config
from dockwright.model.findings import AnalysisResult
from dockwright.model.project import Project, discover
from dockwright.report.base import ReportOptions, get_reporter
from dockwright.rules.engine import RuleSelection
from dockwright.rules.engine import analyze as _analyze

__all__ = [
    "AnalysisResult",
    "BaseSpec",
    "Config",
    "Engine",
    "Project",
    "RuleSelection",
    "analyze",
    "analyze_with_config",
    "build_base",
    "configure",
    "discover",
    "engine",
    "render",
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
