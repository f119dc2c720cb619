"""JSON output, built from typed models; its JSON Schema is committed (docs/json-schema.md).

Bump SCHEMA_VERSION when a field is removed or changes meaning; adding fields does not.
"""

from __future__ import annotations

import json as _json
from pathlib import Path
from typing import Any, Literal, cast

from pydantic import BaseModel, ConfigDict, Field

from dockwright.model.findings import AnalysisResult, Cost, Edit, Finding, Fix, Problem, Severity
from dockwright.report.base import ReportOptions, relative, report_base, summarize

SCHEMA_VERSION: Literal[1] = 1
SCHEMA_FILE = Path(__file__).with_name("schemas") / "report-v1.schema.json"


_Level = Literal["info", "warning", "error"]
_EditKind = Literal["insert", "replace", "delete"]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class CostModel(_Model):
    """Estimated cost of a finding (null fields: not computed)."""

    bytes_added: int | None = Field(description="bytes the problem adds to the image")
    bytes_rebuilt: int | None = Field(description="bytes rebuilt or re-sent on every code change")
    note: str = Field(description="how the estimate was made")


class EditModel(_Model):
    """One edit over whole lines of a file."""

    kind: _EditKind
    path: str = Field(description="file to edit, relative to the analysed root")
    start_line: int = Field(ge=1)
    end_line: int = Field(ge=1)
    text: str = Field(description="new text (ends with a newline unless empty)")


class FixModel(_Model):
    """An automatic fix."""

    description: str
    edits: list[EditModel]


class FindingModel(_Model):
    """One finding."""

    rule: str = Field(description="rule id, e.g. DW101")
    name: str = Field(description="rule name, e.g. speed.copy-before-deps")
    severity: _Level
    group: str = Field(description="rule group: speed, size, security, correctness, context, deps")
    service: str = Field(description="service the finding belongs to ('' for project-wide)")
    path: str = Field(description="file, relative to the analysed root ('/'-separated)")
    line: int = Field(ge=1)
    column: int = Field(ge=1)
    end_line: int | None = None
    message: str
    rationale: str = Field(description="why it matters (the rule's summary)")
    cost: CostModel
    fixable: bool
    fix: FixModel | None = None


class ErrorModel(_Model):
    """Input that could not be analysed (a file that does not parse, an unreadable file...)."""

    path: str
    line: int | None = None
    message: str
    service: str = ""


class SummaryModel(_Model):
    """Counts over the whole report."""

    findings: int
    errors: int = Field(description="findings with severity error")
    warnings: int
    info: int
    fixable: int
    problems: int = Field(description="entries in the top-level `errors` list")
    services: list[str]
    by_rule: dict[str, int]


class ToolModel(_Model):
    """The tool that wrote the report."""

    name: Literal["dockwright"] = "dockwright"
    version: str


class ReportModel(_Model):
    """A dockwright analysis report."""

    schema_version: Literal[1] = 1
    tool: ToolModel
    findings: list[FindingModel]
    errors: list[ErrorModel]
    summary: SummaryModel


def _cost(cost: Cost | None) -> CostModel:
    cost = cost or Cost()
    return CostModel(bytes_added=cost.bytes_added, bytes_rebuilt=cost.bytes_rebuilt, note=cost.note)


def _edit(edit: Edit, base: Path | None) -> EditModel:
    return EditModel(
        kind=edit.kind.value,
        path=relative(edit.path, base),
        start_line=edit.start_line,
        end_line=edit.end_line,
        text=edit.text,
    )


def _fix(fix: Fix | None, base: Path | None) -> FixModel | None:
    if fix is None:
        return None
    return FixModel(description=fix.description, edits=[_edit(e, base) for e in fix.edits])


def finding_model(f: Finding, base: Path | None) -> FindingModel:
    """The JSON record of one finding."""
    loc = f.location
    return FindingModel(
        rule=f.rule_id,
        name=f.rule_name,
        severity=cast(_Level, f.severity.label),
        group=str(f.group),
        service=f.service,
        path=relative(loc.path, base),
        line=loc.line,
        column=loc.column,
        end_line=loc.end_line,
        message=f.message,
        rationale=f.rationale,
        cost=_cost(f.cost),
        fixable=f.fixable,
        fix=_fix(f.fix, base),
    )


def error_model(p: Problem, base: Path | None) -> ErrorModel:
    """The JSON record of one problem."""
    return ErrorModel(
        path=relative(p.path, base), line=p.line, message=p.message, service=p.service
    )


def report_model(result: AnalysisResult, version: str) -> ReportModel:
    """The whole report as a typed model."""
    base = report_base(result.roots)
    s = summarize(result)
    summary = SummaryModel(
        findings=s.findings,
        errors=s.by_severity.get(Severity.ERROR, 0),
        warnings=s.by_severity.get(Severity.WARNING, 0),
        info=s.by_severity.get(Severity.INFO, 0),
        fixable=s.fixable,
        problems=s.problems,
        services=list(s.services),
        by_rule=s.by_rule,
    )
    return ReportModel(
        tool=ToolModel(version=version),
        findings=[finding_model(f, base) for f in result.findings],
        errors=[error_model(p, base) for p in result.problems],
        summary=summary,
    )


def json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the report, as committed in SCHEMA_FILE."""
    schema = ReportModel.model_json_schema()
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}


class JsonReporter:
    """Machine-readable report; see docs/json-schema.md."""

    name = "json"

    def render(self, result: AnalysisResult, options: ReportOptions) -> str:
        """Pretty-printed JSON with a trailing newline."""
        data = report_model(result, options.tool_version).model_dump(mode="json")
        return _json.dumps(data, indent=2, ensure_ascii=False) + "\n"
