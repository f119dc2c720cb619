"""The library surface that the CLI and users call."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from dockwright.model.findings import AnalysisResult
from dockwright.model.project import Project, discover
from dockwright.rules.engine import RuleSelection
from dockwright.rules.engine import analyze as _analyze

__all__ = ["AnalysisResult", "Project", "RuleSelection", "analyze", "discover"]


def analyze(paths: Sequence[Path | str], selection: RuleSelection | None = None) -> AnalysisResult:
    """Discover the services under `paths` and run the selected rules on each."""
    return _analyze(discover([Path(p) for p in paths]), selection)
