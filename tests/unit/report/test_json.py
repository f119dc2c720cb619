from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from dockwright.model.findings import AnalysisResult
from dockwright.report.base import ReportOptions
from dockwright.report.json import SCHEMA_FILE, JsonReporter, json_schema


def render(result: AnalysisResult) -> dict:
    return json.loads(JsonReporter().render(result, ReportOptions(tool_version="9.9")))


def test_committed_schema_is_current() -> None:
    committed = json.loads(SCHEMA_FILE.read_text())
    assert committed == json_schema(), (
        "the JSON report schema changed: run `.venv/bin/python scripts/gen-json-schema.py`"
    )


def test_output_validates_against_schema(result: AnalysisResult, empty: AnalysisResult) -> None:
    schema = json.loads(SCHEMA_FILE.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    for case in (result, empty):
        jsonschema.Draft202012Validator(schema).validate(render(case))


def test_findings_fields(result: AnalysisResult) -> None:
    data = render(result)
    assert data["schema_version"] == 1
    assert data["tool"] == {"name": "dockwright", "version": "9.9"}
    first = data["findings"][0]
    assert first == {
        "rule": "DW101", "name": "speed.copy-before-deps", "severity": "warning",
        "group": "speed", "service": "api", "path": "services/api/Dockerfile",
        "line": 3, "column": 1, "end_line": 3, "message": "`COPY . .` before the install",
        "rationale": "The whole context is copied before the dependency install.",
        "cost": {"bytes_added": None, "bytes_rebuilt": 12300000, "note": "context re-sent"},
        "fixable": True,
        "fix": {"description": "copy the dependency files first", "edits": [{
            "kind": "replace", "path": "services/api/Dockerfile", "start_line": 3, "end_line": 4,
            "text": "COPY requirements.txt ./\nRUN pip install -r requirements.txt\nCOPY . .\n",
        }]},
    }  # fmt: skip
    no_cost = data["findings"][1]
    assert no_cost["cost"] == {"bytes_added": None, "bytes_rebuilt": None, "note": ""}
    assert no_cost["fix"] is None and no_cost["fixable"] is False


def test_errors_and_summary(result: AnalysisResult) -> None:
    data = render(result)
    assert data["errors"] == [
        {
            "path": "services/bad/Dockerfile",
            "line": 2,
            "message": "unknown instruction: FRM",
            "service": "",
        }
    ]
    assert data["summary"] == {
        "findings": 3, "errors": 1, "warnings": 1, "info": 1, "fixable": 1, "problems": 1,
        "services": ["api", "worker", "clean"], "by_rule": {"DW101": 1, "DW201": 1, "DW301": 1},
    }  # fmt: skip


def test_no_absolute_paths(result: AnalysisResult, tmp_path: Path) -> None:
    assert str(tmp_path) not in JsonReporter().render(result, ReportOptions())
