from __future__ import annotations

import re
from html.parser import HTMLParser

from dockwright.model.measurements import Metric, Regression, Side, TrendPoint
from dockwright.report.html import render_html, verdict
from tests.unit.measure.sample import sample_result


class Tags(HTMLParser):
    """Collects start tags with their attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def having(self, tag: str, cls: str) -> list[dict[str, str | None]]:
        return [a for t, a in self.tags if t == tag and cls in (a.get("class") or "").split()]


def parse(text: str) -> Tags:
    tags = Tags()
    tags.feed(text)
    return tags


def trend() -> list[TrendPoint]:
    return [
        TrendPoint(
            run_id=run,
            started_at=f"2026-01-0{run}T00:00:00+00:00",
            git_commit=None,
            kind="bench",
            service="api",
            scenario=scenario,
            side=Side.AFTER,
            seconds=seconds,
            image_size=size,
        )
        for run in (1, 2, 3)
        for scenario, seconds, size in (("code", 3.0 + run, None), ("image", None, 700 + run))
    ]


def test_page_is_self_contained() -> None:
    page = render_html(sample_result(), trend())
    assert page.startswith("<!DOCTYPE html>")
    assert "<script" not in page and "<link" not in page and "@import" not in page
    urls = set(re.findall(r"(?:src|href)=\"([^\"]+)\"", page))
    assert urls == set()
    assert set(re.findall(r"https?://[^\s\"']+", page)) == {"http://www.w3.org/2000/svg"}


def test_time_charts_one_per_scenario_with_both_sides() -> None:
    tags = parse(render_html(sample_result()))
    charts = tags.having("svg", "chart-time")
    assert [c["data-scenario"] for c in charts] == ["warm", "code", "deps"]
    bars = tags.having("rect", "bar")
    sides = [(b["data-service"], b["class"], b["data-seconds"]) for b in bars]
    assert ("api", "bar before", "120.000") in sides and ("api", "bar after", "3.000") in sides
    assert len(bars) == 5  # deps has no after bar


def test_ratios_and_verdicts_in_table_and_chart() -> None:
    page = render_html(sample_result())
    assert "0.03x" in page and "0.50x" in page
    assert re.search(r'<td class="num better">0\.03x</td>', page)
    assert verdict(1.2) == "worse" and verdict(1.0) == "" and verdict(None) == ""


def test_layer_chart_attributes_each_layer_and_shows_waste() -> None:
    tags = parse(render_html(sample_result()))
    layers = tags.having("rect", "layer")
    assert len(layers) == 6 + 4  # every layer, then only the Dockerfile's own
    assert {layer["data-where"] for layer in layers} == {
        "base image",
        "Dockerfile:2",
        "Dockerfile:3",
    }
    assert [w["data-bytes"] for w in tags.having("rect", "waste")] == ["400000000"] * 2
    assert len(tags.having("svg", "chart-own-layers")) == 1
    assert "root/.cache/pip/big.whl" in render_html(sample_result())


def test_history_trends_and_regressions() -> None:
    found = [
        Regression(
            service="api",
            scenario="code",
            metric=Metric.TIME,
            previous=5.0,
            latest=6.0,
            limit_pct=10,
        )
    ]
    page = render_html(None, trend(), found)
    tags = parse(page)
    units = [c["data-unit"] for c in tags.having("svg", "chart-trend")]
    assert units == ["seconds", "bytes"]
    assert [p["data-series"] for p in tags.having("polyline", "trend")] == ["api code", "api"]
    assert len(tags.having("circle", "point")) == 6
    assert "api/code: time 5 -&gt; 6" in page
    assert "chart-time" not in page


def test_names_are_escaped() -> None:
    page = render_html(sample_result("<b>evil</b>"))
    assert "<b>evil</b>" not in page and "&lt;b&gt;evil&lt;/b&gt;" in page


def test_empty_history_says_so() -> None:
    assert "No history recorded yet." in render_html(None)
