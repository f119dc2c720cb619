from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from dockwright.model.findings import AnalysisResult, Edit, EditKind
from dockwright.report.base import ReportOptions
from dockwright.report.sarif import SarifReporter, _replacement

SCHEMA = json.loads((Path(__file__).parent / "sarif-schema-2.1.0.json").read_text())


def render(result: AnalysisResult) -> dict:
    return json.loads(SarifReporter().render(result, ReportOptions(tool_version="9.9")))


@pytest.mark.parametrize("case", ["result", "empty"])
def test_valid_against_official_schema(case: str, request: pytest.FixtureRequest) -> None:
    data = render(request.getfixturevalue(case))
    validator = jsonschema.Draft4Validator(
        SCHEMA, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER
    )
    errors = sorted(validator.iter_errors(data), key=str)
    assert not errors, errors[0]


def test_rules_metadata(result: AnalysisResult) -> None:
    driver = render(result)["runs"][0]["tool"]["driver"]
    assert driver["name"] == "dockwright" and driver["version"] == "9.9"
    rule = driver["rules"][0]
    assert rule["id"] == "DW101"
    assert rule["name"] == "speed.copy-before-deps"
    assert rule["shortDescription"]["text"].startswith("The whole context")
    assert rule["fullDescription"]["text"] == "Every code change re-runs the install."
    assert rule["helpUri"].endswith("docs/rules.md#dw101")
    assert rule["defaultConfiguration"] == {"level": "warning"}
    assert rule["properties"]["hadolint"] == ["DL3020"]
    levels = {r["id"]: r["defaultConfiguration"]["level"] for r in driver["rules"]}
    assert levels == {"DW101": "warning", "DW201": "note", "DW301": "error"}


def test_results_locations_and_fixes(result: AnalysisResult, tmp_path: Path) -> None:
    run = render(result)["runs"][0]
    assert run["originalUriBaseIds"]["SRCROOT"]["uri"] == tmp_path.as_uri() + "/"
    first = run["results"][0]
    assert first["ruleId"] == "DW101" and first["level"] == "warning"
    assert run["tool"]["driver"]["rules"][first["ruleIndex"]]["id"] == "DW101"
    physical = first["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"] == {
        "uri": "services/api/Dockerfile",
        "uriBaseId": "SRCROOT",
    }
    assert physical["region"] == {"startLine": 3, "startColumn": 1, "endLine": 3}
    change = first["fixes"][0]["artifactChanges"][0]
    assert change["replacements"][0]["deletedRegion"] == {"startLine": 3, "endLine": 4}
    assert "fixes" not in run["results"][1]


def test_problems_become_notifications(result: AnalysisResult) -> None:
    invocation = render(result)["runs"][0]["invocations"][0]
    note = invocation["toolExecutionNotifications"][0]
    assert note["level"] == "error"
    assert note["message"]["text"] == "unknown instruction: FRM"
    assert note["locations"][0]["physicalLocation"]["region"] == {"startLine": 2}


@pytest.mark.parametrize(
    ("kind", "region", "inserted"),
    [
        (EditKind.INSERT, {"startLine": 2, "startColumn": 1, "endLine": 2, "endColumn": 1}, "X\n"),
        (EditKind.DELETE, {"startLine": 2, "startColumn": 1, "endLine": 4, "endColumn": 1}, None),
        (EditKind.REPLACE, {"startLine": 2, "endLine": 3}, "X"),
    ],
)
def test_edit_to_replacement(kind: EditKind, region: dict, inserted: str | None) -> None:
    edit = Edit(kind, Path("/r/Dockerfile"), 2, 3, "" if kind is EditKind.DELETE else "X\n")
    data = _replacement(edit).model_dump(by_alias=True, exclude_none=True)
    assert data["deletedRegion"] == region
    assert data.get("insertedContent", {}).get("text") == inserted
