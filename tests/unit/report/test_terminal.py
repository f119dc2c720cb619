from __future__ import annotations

from dockwright.model.findings import AnalysisResult
from dockwright.report.base import ReportOptions
from dockwright.report.terminal import TerminalReporter


def test_grouped_by_service_with_locations_and_costs(result: AnalysisResult) -> None:
    text = TerminalReporter().render(result, ReportOptions())
    lines = text.splitlines()
    assert lines[0] == "api (2)"
    assert lines[1].startswith(
        "  services/api/Dockerfile:3:1  DW101 speed.copy-before-deps  warning"
    )
    assert "(12.3 MB rebuilt per change)  [fixable]" in lines[1]
    assert "services/api/Dockerfile:1:1  DW301 security.root-user  error  no USER" in lines[2]
    assert lines[4] == "worker (1)"
    assert "services/worker/Dockerfile:5:7" in lines[5]
    assert "(+1.20 GB image)" in lines[5]
    assert "[fixable]" not in lines[5]
    assert "no findings: clean" in text
    assert lines[-1] == "3 findings: 1 error, 1 warning, 1 info; 1 fixable; 3 services; 1 problem"


def test_plain_has_no_escape_codes_and_color_has(result: AnalysisResult) -> None:
    assert "\x1b[" not in TerminalReporter().render(result, ReportOptions(color=False))
    assert "\x1b[" in TerminalReporter().render(result, ReportOptions(color=True))


def test_long_lines_are_not_wrapped(result: AnalysisResult) -> None:
    text = TerminalReporter().render(result, ReportOptions(width=40))
    assert any(len(line) > 40 and "DW101" in line for line in text.splitlines())


def test_empty_result(empty: AnalysisResult) -> None:
    text = TerminalReporter().render(empty, ReportOptions())
    assert text.splitlines() == [
        "no findings: api",
        "0 findings: 0 errors, 0 warnings, 0 info; 0 fixable; 1 service; 0 problems",
    ]
