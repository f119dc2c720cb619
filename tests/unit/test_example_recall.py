"""Recall of `analyze` on the example stacks' deliberate defects (README "Defects" tables).

Every row of both tables must be covered by `EXPECTED`: either rule ids of which at least
one must be reported, or None with the reason why analyze cannot see the defect statically.
Where a finding naturally sits elsewhere (a leaked `.env` is reported at the COPY that bakes
it in), the entry says where and the rule may be reported anywhere in the stack.

Recall today: 40 of 44 defects are found statically - transcription-system 23 of 25
(not TS22, a resolver conflict, nor TS25, run-time behaviour), voice-connector-llm 17 of 19
(not V16 nor V18, both run-time behaviour of the app).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

from dockwright.api import analyze
from dockwright.model.findings import AnalysisResult

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
STACKS = ("transcription-system", "voice-connector-llm")
_ROW = re.compile(r"^\|\s*([A-Z]+\d+)\s*\|\s*([^|]+?):(\d+)\s*\|")

AT = ""  # the rule must be reported at the row's file:line
# id -> (rule ids, at least one of which is reported | None, AT or where/why)
EXPECTED: dict[str, tuple[tuple[str, ...] | None, str]] = {
    "TS01": (("DW303",), "anywhere: at each COPY that bakes the root .env into an image"),
    "TS02": (("DW501",), "anywhere: at the COPY of each Dockerfile built from the root context"),
    "TS03": (("DW101",), AT),
    "TS04": (("DW201",), AT),
    "TS05": (("DW102",), AT),
    "TS06": (("DW113",), AT),
    "TS07": (("DW401",), AT),
    "TS08": (("DW402",), AT),
    "TS09": (("DW301",), AT),
    "TS10": (("DW208",), AT),
    "TS11": (("DW217",), AT),
    "TS12": (("DW408",), "anywhere: at the `from shared...` import in job_status_api/main.py"),
    "TS13": (("DW101",), AT),
    "TS14": (("DW205",), AT),
    "TS15": (("DW401",), AT),
    "TS16": (("DW402",), AT),
    "TS17": (("DW203",), AT),
    "TS18": (("DW201",), AT),
    "TS19": (("DW101",), AT),
    "TS20": (("DW102",), AT),
    "TS21": (("DW402",), AT),
    "TS22": (None, "a conflict with mistralai's metadata: only a resolver (`dockwright deps`)"),
    "TS23": (("DW101",), AT),
    "TS24": (("DW601",), AT),
    "TS25": (None, "run-time behaviour: the settings code reads .env from the working dir"),
    "V01": (("DW201",), "anywhere: the compilers of the only stage, at its apt-get (line 4)"),
    "V02": (("DW201",), AT),
    "V03": (("DW210", "DW211"), AT),
    "V04": (("DW101",), AT),
    "V05": (("DW501",), AT),
    "V06": (("DW303",), "anywhere: at the COPY . . that bakes .env into the image"),
    "V07": (("DW102",), AT),
    "V08": (("DW203",), AT),
    "V09": (("DW209",), AT),
    "V10": (("DW205",), AT),
    "V11": (("DW401",), AT),
    "V12": (("DW416",), AT),
    "V13": (("DW301",), "anywhere: at the FROM of the final stage (line 1)"),
    "V14": (("DW402",), AT),
    "V15": (("DW606",), AT),
    "V16": (None, "whether the app reads the HF cache is run-time behaviour (offline mode may)"),
    "V17": (("DW607",), AT),
    "V18": (None, "/app/cache is a default computed in Python, named by no ENV or compose key"),
    "V19": (("DW608",), AT),
}


@dataclass(frozen=True)
class Defect:
    """One row of a README defect table."""

    stack: str
    id: str
    path: Path
    line: int


def defects(stack: str) -> list[Defect]:
    """Rows of the "## Defects (before state)" table of a stack's README."""
    root = EXAMPLES / stack
    text = (root / "README.md").read_text(encoding="utf-8")
    section = text.split("## Defects (before state)", 1)[1].split("\n## ", 1)[0]
    return [
        Defect(stack, m.group(1), (root / m.group(2)).resolve(), int(m.group(3)))
        for m in map(_ROW.match, section.splitlines())
        if m
    ]


ALL = [d for stack in STACKS for d in defects(stack)]


@cache
def result(stack: str) -> AnalysisResult:
    """analyze() on one example stack (once per test session)."""
    return analyze([EXAMPLES / stack])


def test_tables_are_read() -> None:
    assert len(ALL) == len({d.id for d in ALL}) >= 40
    assert all(d.path.is_file() for d in ALL)


def test_every_row_is_mapped_and_nothing_else() -> None:
    assert sorted(d.id for d in ALL) == sorted(EXPECTED)


def test_recall_summary_matches_mapping() -> None:
    found = sum(1 for d in ALL if EXPECTED.get(d.id, (None, ""))[0] is not None)
    assert (found, len(ALL)) == (40, 44), "update the recall summary in the module docstring"


VISIBLE = [d for d in ALL if EXPECTED.get(d.id, (None, ""))[0] is not None]


@pytest.mark.parametrize("defect", VISIBLE, ids=lambda d: d.id)
def test_defect_is_reported(defect: Defect) -> None:
    rules, where = EXPECTED[defect.id]
    assert rules is not None
    findings = result(defect.stack).findings
    if where == AT:
        findings = tuple(
            f
            for f in findings
            if f.location.path.resolve() == defect.path and f.location.line == defect.line
        )
    reported = {f.rule_id for f in findings}
    assert reported & set(rules), f"{defect.id}: none of {rules} in {sorted(reported)}"
