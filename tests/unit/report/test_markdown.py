from __future__ import annotations

from dockwright.model.findings import AnalysisResult
from dockwright.report.base import ReportOptions
from dockwright.report.markdown import MarkdownReporter, cell


def test_table_per_service_and_summary(result: AnalysisResult) -> None:
    text = MarkdownReporter().render(result, ReportOptions())
    assert text.count("| Location | Rule | Severity | Message | Cost | Fixable |") == 2
    assert "## api\n" in text and "## worker\n" in text
    assert "| `services/api/Dockerfile:3` | [DW101](" in text
    assert "#dw101) `speed.copy-before-deps` | warning |" in text
    assert "| 12.3 MB rebuilt per change | yes |" in text
    assert "layer \\| of torch" in text  # a pipe in a message does not break the table
    assert "## Problems\n\n- `services/bad/Dockerfile:2`: unknown instruction: FRM" in text
    assert "No findings in: `clean`" in text
    assert text.rstrip().endswith(
        "**Summary:** 3 findings: 1 error, 1 warning, 1 info; 1 fixable; 3 services; 1 problem"
    )


def test_cell_flattens_newlines() -> None:
    assert cell("a\nb | c") == "a b \\| c"
