"""Markdown output (pull-request comments, job summaries): a table per service + summary."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import groupby
from pathlib import Path

from dockwright.model.findings import AnalysisResult, Finding, Problem
from dockwright.report.base import RULES_DOC_URL, ReportOptions, relative, report_base, summarize
from dockwright.report.terminal import PROJECT, cost_text

HEADER = "| Location | Rule | Severity | Message | Cost | Fixable |\n|---|---|---|---|---|---|"


def cell(text: str) -> str:
    """Text made safe for a table cell: pipes escaped, newlines flattened."""
    return " ".join(text.replace("\\", "\\\\").replace("|", "\\|").split())


def row(f: Finding, base: Path | None) -> str:
    """One table row for a finding."""
    where = f"`{relative(f.location.path, base)}:{f.location.line}`"
    rule = f"[{f.rule_id}]({RULES_DOC_URL}#{f.rule_id.lower()}) `{f.rule_name}`"
    fixable = "yes" if f.fixable else ""
    cells = [where, rule, f.severity.label, cell(f.message), cost_text(f.cost), fixable]
    return "| " + " | ".join(cells) + " |"


def _problem(p: Problem, base: Path | None) -> str:
    where = relative(p.path, base) + (f":{p.line}" if p.line else "")
    return f"- `{where}`: {cell(p.message)}"


def _sections(result: AnalysisResult) -> Iterator[str]:
    base = report_base(result.roots)
    yield "# dockwright analysis\n"
    for service, group in groupby(result.findings, key=lambda f: f.service):
        yield f"## {service or PROJECT}\n"
        yield HEADER
        yield from (row(f, base) for f in group)
        yield ""
    clean = [s for s in result.services if s not in {f.service for f in result.findings}]
    if clean:
        yield f"No findings in: {', '.join(f'`{s}`' for s in clean)}\n"
    if result.problems:
        yield "## Problems\n"
        yield from (_problem(p, base) for p in result.problems)
        yield ""
    yield f"**Summary:** {summarize(result).line()}"


class MarkdownReporter:
    """GitHub-flavoured Markdown."""

    name = "markdown"

    def render(self, result: AnalysisResult, options: ReportOptions) -> str:
        """Markdown text with a trailing newline."""
        return "\n".join(_sections(result)) + "\n"
