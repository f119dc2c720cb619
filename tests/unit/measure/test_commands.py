"""`bench`, `history` and `report` without Docker: usage errors, stored data, exit codes."""

from __future__ import annotations

from pathlib import Path

import pytest

from dockwright.cli import main
from dockwright.measure import history
from tests.unit.measure.sample import sample_result


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "pdf"], "unknown format 'pdf'"),
        (["--scenarios", "warm,hot"], "unknown scenario hot"),
    ],
)
def test_bench_usage_errors_come_before_any_build(
    project: Path, args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["bench", str(project), *args]) == 2
    assert message in capsys.readouterr().err


def test_bench_needs_a_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", str(tmp_path / "nope")]) == 2
    assert "not a directory" in capsys.readouterr().err


def test_report_without_history(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", str(tmp_path)]) == 0
    assert capsys.readouterr().out == "no bench or build recorded yet\n"
    assert not (tmp_path / ".dockwright").exists()


def test_history_fails_past_a_threshold(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = history.db_path(tmp_path)
    first = sample_result()
    history.record_bench(db, first)
    slower = [s.model_copy(update={"after": (s.after or 0) * 1.5}) for s in first.summaries]
    history.record_bench(db, first.model_copy(update={"summaries": tuple(slower)}))
    assert main(["history", str(tmp_path), "--max-time-regression", "60"]) == 0
    assert main(["history", str(tmp_path), "--max-time-regression", "40"]) == 1
    err = capsys.readouterr().err
    assert "regression: api/warm: time 1 -> 1.5 (+50.0%, limit 40%)" in err


def test_report_writes_html_and_markdown(tmp_path: Path) -> None:
    history.record_bench(history.db_path(tmp_path), sample_result())
    html, md = tmp_path / "r.html", tmp_path / "r.md"
    assert main(["report", str(tmp_path), "-f", "html", "-o", str(html)]) == 0
    assert main(["report", str(tmp_path), "-f", "markdown", "-o", str(md)]) == 0
    assert "<svg" in html.read_text() and "| api | code | 120.0s | 3.0s | 0.03x |" in md.read_text()
