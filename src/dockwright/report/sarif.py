"""SARIF 2.1.0 output (for GitHub code scanning and other viewers), built from typed models.

Paths are relative URIs against the `SRCROOT` base id, which `originalUriBaseIds` maps to
the analysed directory. Problems (unparsable input) become tool execution notifications.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

from dockwright.model.findings import (
    AnalysisResult,
    Edit,
    EditKind,
    Finding,
    Fix,
    Problem,
    RuleInfo,
    Severity,
)
from dockwright.report.base import PROJECT_URL, RULES_DOC_URL, ReportOptions, relative, report_base

SARIF_VERSION: Literal["2.1.0"] = "2.1.0"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
BASE_ID = "SRCROOT"
Level = Literal["none", "note", "warning", "error"]
LEVELS: dict[Severity, Level] = {
    Severity.INFO: "note",
    Severity.WARNING: "warning",
    Severity.ERROR: "error",
}


class _Sarif(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, frozen=True)


class Message(_Sarif):
    """A SARIF message."""

    text: str


class ArtifactLocation(_Sarif):
    """A file, relative to a base id."""

    uri: str
    uri_base_id: str | None = None


class Region(_Sarif):
    """Lines and columns (1-based)."""

    start_line: int
    start_column: int | None = None
    end_line: int | None = None
    end_column: int | None = None


class PhysicalLocation(_Sarif):
    """A region of a file."""

    artifact_location: ArtifactLocation
    region: Region | None = None


class Location(_Sarif):
    """Where a result is."""

    physical_location: PhysicalLocation


class ArtifactContent(_Sarif):
    """Inserted text."""

    text: str


class Replacement(_Sarif):
    """Delete a region and insert text there."""

    deleted_region: Region
    inserted_content: ArtifactContent | None = None


class ArtifactChange(_Sarif):
    """The replacements in one file."""

    artifact_location: ArtifactLocation
    replacements: list[Replacement]


class SarifFix(_Sarif):
    """A proposed fix."""

    description: Message
    artifact_changes: list[ArtifactChange]


class ReportingConfiguration(_Sarif):
    """A rule's default level."""

    level: Level


class ReportingDescriptor(_Sarif):
    """Rule metadata."""

    id: str
    name: str
    short_description: Message
    full_description: Message
    help_uri: str
    default_configuration: ReportingConfiguration
    properties: dict[str, Any]


class Result(_Sarif):
    """One finding."""

    rule_id: str
    rule_index: int | None = None
    level: Level
    message: Message
    locations: list[Location]
    fixes: list[SarifFix] | None = None
    properties: dict[str, Any]


class Notification(_Sarif):
    """A problem with the input."""

    level: Level
    message: Message
    locations: list[Location]


class Invocation(_Sarif):
    """The run itself."""

    execution_successful: bool
    tool_execution_notifications: list[Notification]


class ToolComponent(_Sarif):
    """dockwright and its rules."""

    name: str
    version: str
    information_uri: str
    rules: list[ReportingDescriptor]


class Tool(_Sarif):
    """The analysis tool."""

    driver: ToolComponent


class Run(_Sarif):
    """One analysis run."""

    tool: Tool
    invocations: list[Invocation]
    original_uri_base_ids: dict[str, ArtifactLocation]
    column_kind: Literal["unicodeCodePoints"] = "unicodeCodePoints"
    results: list[Result]


class SarifLog(_Sarif):
    """The top-level SARIF document."""

    schema_uri: str = SARIF_SCHEMA
    version: Literal["2.1.0"] = SARIF_VERSION
    runs: list[Run]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict with SARIF property names (`$schema`, camelCase)."""
        data = self.model_dump(mode="json", by_alias=True, exclude_none=True)
        return {"$schema": data.pop("schemaUri"), **data}


def _artifact(path: Path, base: Path | None) -> ArtifactLocation:
    return ArtifactLocation(uri=relative(path, base), uri_base_id=BASE_ID)


def _descriptor(rule: RuleInfo) -> ReportingDescriptor:
    props: dict[str, Any] = {"tags": [str(rule.group)], "fixable": rule.fixable}
    if rule.hadolint:
        props["hadolint"] = list(rule.hadolint)
    return ReportingDescriptor(
        id=rule.id,
        name=rule.name,
        short_description=Message(text=rule.summary),
        full_description=Message(text=rule.rationale or rule.summary),
        help_uri=f"{RULES_DOC_URL}#{rule.id.lower()}",
        default_configuration=ReportingConfiguration(level=LEVELS[rule.severity]),
        properties=props,
    )


def _deleted_region(edit: Edit) -> Region:
    if edit.kind is EditKind.INSERT:
        return Region(
            start_line=edit.start_line, start_column=1, end_line=edit.start_line, end_column=1
        )
    if edit.kind is EditKind.DELETE:
        return Region(
            start_line=edit.start_line, start_column=1, end_line=edit.end_line + 1, end_column=1
        )
    return Region(start_line=edit.start_line, end_line=edit.end_line)  # whole lines, newline kept


def _replacement(edit: Edit) -> Replacement:
    text = (
        edit.text[:-1] if edit.kind is EditKind.REPLACE and edit.text.endswith("\n") else edit.text
    )
    content = ArtifactContent(text=text) if edit.kind is not EditKind.DELETE else None
    return Replacement(deleted_region=_deleted_region(edit), inserted_content=content)


def _fix(fix: Fix, base: Path | None) -> SarifFix:
    by_file: dict[Path, list[Replacement]] = {}
    for edit in fix.edits:
        by_file.setdefault(edit.path, []).append(_replacement(edit))
    changes = [
        ArtifactChange(artifact_location=_artifact(p, base), replacements=r)
        for p, r in by_file.items()
    ]
    return SarifFix(description=Message(text=fix.description), artifact_changes=changes)


def _result(f: Finding, index: int | None, base: Path | None) -> Result:
    loc = f.location
    region = Region(start_line=loc.line, start_column=loc.column, end_line=loc.end_line)
    physical = PhysicalLocation(artifact_location=_artifact(loc.path, base), region=region)
    props: dict[str, Any] = {"service": f.service, "group": str(f.group), "ruleName": f.rule_name}
    if f.cost is not None:
        props["cost"] = {
            "bytesAdded": f.cost.bytes_added,
            "bytesRebuilt": f.cost.bytes_rebuilt,
            "note": f.cost.note,
        }
    return Result(
        rule_id=f.rule_id,
        rule_index=index,
        level=LEVELS[f.severity],
        message=Message(text=f.message),
        locations=[Location(physical_location=physical)],
        fixes=[_fix(f.fix, base)] if f.fix is not None else None,
        properties=props,
    )


def _notification(p: Problem, base: Path | None) -> Notification:
    region = Region(start_line=p.line) if p.line else None
    physical = PhysicalLocation(artifact_location=_artifact(p.path, base), region=region)
    return Notification(
        level="error",
        message=Message(text=p.message),
        locations=[Location(physical_location=physical)],
    )


def sarif_log(result: AnalysisResult, version: str) -> SarifLog:
    """The whole SARIF log as a typed model."""
    base = report_base(result.roots)
    rules = sorted({r.id: r for r in result.rules}.values(), key=lambda r: r.id)
    index = {r.id: i for i, r in enumerate(rules)}
    driver = ToolComponent(
        name="dockwright", version=version, information_uri=PROJECT_URL,
        rules=[_descriptor(r) for r in rules],
    )  # fmt: skip
    root_uri = base.as_uri() + "/" if base is not None else "file:///"
    run = Run(
        tool=Tool(driver=driver),
        invocations=[Invocation(
            execution_successful=True,
            tool_execution_notifications=[_notification(p, base) for p in result.problems],
        )],
        original_uri_base_ids={BASE_ID: ArtifactLocation(uri=root_uri)},
        results=[_result(f, index.get(f.rule_id), base) for f in result.findings],
    )  # fmt: skip
    return SarifLog(runs=[run])


class SarifReporter:
    """SARIF 2.1.0 log."""

    name = "sarif"

    def render(self, result: AnalysisResult, options: ReportOptions) -> str:
        """Pretty-printed SARIF JSON with a trailing newline."""
        data = sarif_log(result, options.tool_version).to_dict()
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
