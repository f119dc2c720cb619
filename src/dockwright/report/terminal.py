"""Human output: findings grouped by service, one line each, coloured with rich."""

from __future__ import annotations

import io
from collections.abc import Iterator
from itertools import groupby
from pathlib import Path

from rich.console import Console
from rich.text import Text

from dockwright.model.findings import AnalysisResult, Cost, Finding, Severity
from dockwright.report.base import ReportOptions, human_bytes, relative, summarize

STYLES = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}
PROJECT = "(project)"


def cost_text(cost: Cost | None) -> str:
    """`+1.20 GB image, 35.0 MB rebuilt per change` (empty when nothing is known)."""
    if cost is None:
        return ""
    parts = []
    if cost.bytes_added:
        parts.append(f"+{human_bytes(cost.bytes_added)} image")
    if cost.bytes_rebuilt:
        parts.append(f"{human_bytes(cost.bytes_rebuilt)} rebuilt per change")
    return ", ".join(parts)


def finding_line(f: Finding, base: Path | None) -> Text:
    """`path:line:col  DW101 speed.copy-before-deps  warning  message  (cost)  [fixable]`."""
    loc = f.location
    line = Text("  ")
    line.append(f"{relative(loc.path, base)}:{loc.line}:{loc.column}", style="bold")
    line.append("  ")
    line.append(f.rule_id, style="magenta")
    line.append(f" {f.rule_name}  ", style="dim")
    line.append(f.severity.label, style=STYLES[f.severity])
    line.append(f"  {f.message}")
    cost = cost_text(f.cost)
    if cost:
        line.append(f"  ({cost})", style="blue")
    if f.fixable:
        line.append("  [fixable]", style="green")
    return line


def _lines(result: AnalysisResult, base: Path | None) -> Iterator[Text]:
    for service, group in groupby(result.findings, key=lambda f: f.service):
        found = list(group)
        yield Text(f"{service or PROJECT} ({len(found)})", style="bold underline")
        yield from (finding_line(f, base) for f in found)
        yield Text("")
    clean = [s for s in result.services if s not in {f.service for f in result.findings}]
    if clean:
        yield Text(f"no findings: {', '.join(clean)}", style="green")
    yield Text(summarize(result).line(), style="bold")


class TerminalReporter:
    """Findings grouped by service with a summary line."""

    name = "terminal"

    def render(self, result: AnalysisResult, options: ReportOptions) -> str:
        """Text with ANSI colours when `options.color`, plain otherwise."""
        buffer = io.StringIO()
        console = Console(
            file=buffer,
            force_terminal=options.color,
            no_color=not options.color,
            color_system="standard" if options.color else None,
            width=options.width,
            highlight=False,
            soft_wrap=True,
        )
        for line in _lines(result, options.base_for(result)):
            console.print(line)
        return buffer.getvalue()
