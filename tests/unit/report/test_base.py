from __future__ import annotations

import os
from pathlib import Path

import pytest

from dockwright.errors import UsageError
from dockwright.model.findings import AnalysisResult
from dockwright.report.base import (
    get_reporter,
    human_bytes,
    relative,
    report_base,
    reporter_names,
    summarize,
    write_atomic,
)


@pytest.mark.parametrize(
    ("count", "text"),
    [
        (0, "0 B"),
        (999, "999 B"),
        (1000, "1.0 kB"),
        (12_300_000, "12.3 MB"),
        (1_200_000_000, "1.20 GB"),
        (999_999, "1000.0 kB"),
        (3_000_000_000_000, "3000.00 GB"),
    ],
)
def test_human_bytes(count: int, text: str) -> None:
    assert human_bytes(count) == text


def test_relative_paths(tmp_path: Path) -> None:
    assert relative(tmp_path / "a" / "Dockerfile", tmp_path) == "a/Dockerfile"
    assert relative(tmp_path.parent / "other" / "x", tmp_path) == "../other/x"
    assert relative(Path("rel/x"), tmp_path) == "rel/x"


def test_report_base_is_common_parent(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "Dockerfile").write_text("FROM x\n")
    assert report_base([tmp_path / "a", tmp_path / "b" / "Dockerfile"]) == tmp_path
    assert report_base([]) is None


def test_summary_line(result: AnalysisResult) -> None:
    summary = summarize(result)
    assert summary.line() == (
        "3 findings: 1 error, 1 warning, 1 info; 1 fixable; 3 services; 1 problem"
    )
    assert summary.by_rule == {"DW101": 1, "DW201": 1, "DW301": 1}


def test_registry_has_builtin_formats() -> None:
    assert reporter_names()[:4] == ("terminal", "json", "sarif", "markdown")
    for name in ("terminal", "json", "sarif", "markdown"):
        assert get_reporter(name).name == name


def test_unknown_format_suggests() -> None:
    with pytest.raises(UsageError, match=r"did you mean 'sarif'"):
        get_reporter("sarf")


def test_write_atomic_replaces_file(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    target.write_text("old")
    write_atomic(target, "new\n")
    assert target.read_text() == "new\n"
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


def test_write_atomic_never_clobbers_a_directory(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    with pytest.raises(UsageError, match="is a directory"):
        write_atomic(tmp_path / "out", "x")
    assert (tmp_path / "out").is_dir()


def test_write_atomic_missing_parent(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="does not exist"):
        write_atomic(tmp_path / "nope" / "r.json", "x")


def test_write_atomic_failure_keeps_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "r.txt"
    target.write_text("old")

    def boom(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError, match="disk full"):
        write_atomic(target, "new")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["r.txt"]


def test_suggest_prefers_smallest_edit() -> None:
    from dockwright.report.base import suggest

    assert suggest("DW1O1", ["DW411", "DW101", "DW102"]) == " (did you mean 'DW101'?)"
    assert suggest("zzz", ["DW101"]) == ""


def test_entry_point_reporters_are_registered(monkeypatch: pytest.MonkeyPatch) -> None:
    from dockwright.report import base

    plugins = {"md2": "dockwright.report.markdown:MarkdownReporter", "json": "x:Y"}
    monkeypatch.setattr(base, "_plugins", lambda: plugins)
    assert reporter_names() == ("terminal", "json", "sarif", "markdown", "md2")
    assert isinstance(get_reporter("md2"), base.Reporter)
    assert get_reporter("json").name == "json"  # a plug-in cannot shadow a built-in
