"""The tables the HTML page shares with the terminal and Markdown formats."""

from __future__ import annotations

from dockwright.report.bench_text import (
    image_rows,
    layer_rows,
    md_table,
    render_markdown,
    render_text,
    text_table,
    time_rows,
)
from tests.unit.measure.sample import sample_result
from tests.unit.report.test_html import trend


def test_time_rows_show_medians_and_ratio() -> None:
    assert time_rows(sample_result()) == [
        ("api", "warm", "2.0s", "1.0s", "0.50x"),
        ("api", "code", "120.0s", "3.0s", "0.03x"),
        ("api", "deps", "130.0s", "-", "-"),
    ]


def test_image_rows_compare_sizes_and_waste() -> None:
    assert image_rows(sample_result()) == [
        ("api", "1.30 GB", "700.0 MB", "0.54x", "400.0 MB", "0 B")
    ]


def test_layer_rows_list_the_largest_layers_with_their_line() -> None:
    rows = layer_rows(sample_result(), top=1)
    assert rows == [
        ("api", "before", "1", "1.10 GB", "400.0 MB", "Dockerfile:2 RUN step1"),
        ("api", "after", "1", "500.0 MB", "0 B", "Dockerfile:2 RUN step1"),
    ]


def test_text_table_aligns_columns() -> None:
    assert text_table(("a", "bb"), [("ccc", "d")]) == ["a    bb", "---  --", "ccc  d"]


def test_markdown_table_escapes_pipes() -> None:
    assert md_table(("h",), [("a|b",)]) == ["| h |", "|---|", "| a\\|b |"]


def test_terminal_report_has_headline_tables_and_skips() -> None:
    text = render_text(sample_result())
    assert text.startswith("dockwright bench: /repo vs baseline main; 2026-01-02T03:04:05Z")
    assert "Build time" in text and "Image size" in text and "Largest layers" in text
    assert "skipped after/api deps: no requirements file" in text


def test_markdown_report_with_history() -> None:
    text = render_markdown(None, trend())
    assert text.startswith("# dockwright bench\n")
    assert (
        "## History" in text
        and "| 3 | 2026-01-03T00:00:00Z | - | api | code | after | 6.0s | - |" in text
    )


def test_nothing_recorded() -> None:
    assert render_text(None) == "no bench or build recorded yet\n"
