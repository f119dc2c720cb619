from __future__ import annotations

from pathlib import Path

from dockwright.model.findings import Group, RuleInfo, Severity
from dockwright.report.rules_doc import render, rst_to_markdown
from dockwright.rules.registry import all_rules

DOC = Path(__file__).resolve().parents[3] / "docs" / "rules.md"


def test_committed_rules_doc_is_up_to_date() -> None:
    expected = render([rule.info() for rule in all_rules()])
    current = DOC.read_text(encoding="utf-8") if DOC.exists() else ""
    assert current == expected, "docs/rules.md is out of date: run `make rules-doc` and commit it"


def test_literal_blocks_become_fenced_code() -> None:
    text = "Why it matters.\n\nAnti-pattern::\n\n    COPY . .\n    RUN pip install .\n\nAfter."
    assert rst_to_markdown(text) == (
        "Why it matters.\n\nAnti-pattern:\n\n"
        "```dockerfile\nCOPY . .\nRUN pip install .\n```\n\nAfter.\n"
    )


def test_index_and_sections() -> None:
    rules = [
        RuleInfo("DW202", "size.b", Severity.INFO, Group.SIZE, "Second | rule.", "", False),
        RuleInfo(
            "DW101", "speed.a", Severity.WARNING, Group.SPEED, "First.", "Body.", True, ("DL3020",)
        ),
    ]
    text = render(rules)
    assert "| [DW101](#dw101) | `speed.a` | speed | warning | yes | DL3020 | First. |" in text
    assert "| [DW202](#dw202) | `size.b` | size | info | no | - | Second \\| rule. |" in text
    assert text.index('<a id="dw101"></a>') < text.index('<a id="dw202"></a>')
    assert "## DW101 `speed.a`" in text and "**First.**\n\nBody.\n" in text
