from __future__ import annotations

from pathlib import Path

import pytest

from dockwright.model.findings import (
    AnalysisResult,
    Cost,
    Edit,
    EditKind,
    Finding,
    Fix,
    Group,
    Location,
    Problem,
    RuleInfo,
    Severity,
)

RULES = (
    RuleInfo("DW101", "speed.copy-before-deps", Severity.WARNING, Group.SPEED,
             "The whole context is copied before the dependency install.",
             "Every code change re-runs the install.", True, ("DL3020",)),
    RuleInfo("DW301", "security.root-user", Severity.ERROR, Group.SECURITY,
             "The image runs as root.", "", False),
    RuleInfo("DW201", "size.big-layer", Severity.INFO, Group.SIZE,
             "A layer | is large.", "Details.", False),
)  # fmt: skip


def make_result(root: Path) -> AnalysisResult:
    api = root / "services" / "api" / "Dockerfile"
    worker = root / "services" / "worker" / "Dockerfile"
    fix = Fix(
        "copy the dependency files first",
        (
            Edit(
                EditKind.REPLACE,
                api,
                3,
                4,
                "COPY requirements.txt ./\nRUN pip install -r requirements.txt\nCOPY . .\n",
            ),
        ),
    )
    findings = (
        Finding("DW101", "speed.copy-before-deps", Severity.WARNING, Group.SPEED,
                Location(api, 3, 1, 3), "`COPY . .` before the install", RULES[0].summary,
                "api", Cost(bytes_rebuilt=12_300_000, note="context re-sent"), fix),
        Finding("DW301", "security.root-user", Severity.ERROR, Group.SECURITY,
                Location(api, 1, 1), "no USER instruction", RULES[1].summary, "api"),
        Finding("DW201", "size.big-layer", Severity.INFO, Group.SIZE,
                Location(worker, 5, 7), "layer | of torch", RULES[2].summary, "worker",
                Cost(bytes_added=1_200_000_000)),
    )  # fmt: skip
    problems = (Problem(root / "services" / "bad" / "Dockerfile", "unknown instruction: FRM", 2),)
    return AnalysisResult(findings, problems, RULES, ("api", "worker", "clean"), (root,))


@pytest.fixture
def result(tmp_path: Path) -> AnalysisResult:
    return make_result(tmp_path)


@pytest.fixture
def empty(tmp_path: Path) -> AnalysisResult:
    return AnalysisResult((), (), (), ("api",), (tmp_path,))
