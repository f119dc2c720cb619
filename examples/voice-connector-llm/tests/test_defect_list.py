"""The README's defect table stays true: each row's file:line shows its `evidence` snippet."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

STACK = Path(__file__).resolve().parents[1]
HEADING = "## Defects (before state)"
ROW = re.compile(r"^\|\s*(V\d+)\s*\|\s*`?([^`|:]+):(\d+)`?\s*\|(.+)\|\s*`([^`]+)`\s*\|\s*$")


@dataclass(frozen=True)
class Defect:
    id: str
    file: str
    line: int
    text: str
    evidence: str


def defect_rows(readme: str) -> list[Defect]:
    """Rows of the table under HEADING (up to the next heading)."""
    section = readme.split(HEADING, 1)[1].split("\n## ", 1)[0]
    rows: list[Defect] = []
    for line in section.splitlines():
        match = ROW.match(line)
        if match:
            ident, file, number, text, evidence = match.groups()
            rows.append(Defect(ident, file.strip(), int(number), text.strip(), evidence))
    return rows


DEFECTS = defect_rows((STACK / "README.md").read_text(encoding="utf-8"))


def test_table_is_found_and_complete() -> None:
    section = (STACK / "README.md").read_text().split(HEADING, 1)[1].split("\n## ", 1)[0]
    table_lines = [line for line in section.splitlines() if re.match(r"^\|\s*V\d+", line)]
    assert len(DEFECTS) == len(table_lines) >= 15  # every row parsed, none silently skipped
    assert len({d.id for d in DEFECTS}) == len(DEFECTS)


@pytest.mark.parametrize("defect", DEFECTS, ids=[d.id for d in DEFECTS])
def test_row_points_at_its_construct(defect: Defect) -> None:
    lines = (STACK / defect.file).read_text(encoding="utf-8").splitlines()
    assert defect.line <= len(lines), f"{defect.file} has only {len(lines)} lines"
    assert defect.evidence in lines[defect.line - 1], (
        f"{defect.id}: {defect.file}:{defect.line} is {lines[defect.line - 1]!r}, "
        f"expected it to contain {defect.evidence!r}"
    )


def test_no_dockerignore_in_the_build_context() -> None:
    assert not (STACK / "services" / "llm-service" / ".dockerignore").exists()
    assert any(d.file.endswith(".env") for d in DEFECTS)
