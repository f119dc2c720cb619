"""A self-contained HTML page of a bench and its history: inline CSS and SVG, nothing fetched.

The page opens offline: no script, no font, no stylesheet from anywhere else. Charts come from
`dockwright.report.charts`; tables share their rows with the text formats.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from dockwright import __version__
from dockwright.model.measurements import BenchResult, Regression, ScenarioSummary, TrendPoint
from dockwright.report import charts
from dockwright.report.base import human_bytes
from dockwright.report.bench_text import (
    IMAGE_HEADER,
    LAYER_HEADER,
    TIME_HEADER,
    headline,
    image_rows,
    layer_rows,
    time_rows,
)

TEMPLATE = "bench.html.j2"
BETTER, WORSE = 0.95, 1.05  # ratios outside this band are coloured


@cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("dockwright.report", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


@dataclass(frozen=True)
class TimeRow:
    """A table row and how its ratio reads (better, worse or '')."""

    cells: tuple[str, ...]
    verdict: str


def verdict(ratio: float | None) -> str:
    """`better` below 0.95, `worse` above 1.05, else ''."""
    if ratio is None:
        return ""
    return "better" if ratio < BETTER else "worse" if ratio > WORSE else ""


def _time_charts(result: BenchResult) -> list[tuple[str, Markup]]:
    by_scenario: dict[str, list[ScenarioSummary]] = {}
    for s in result.summaries:
        by_scenario.setdefault(s.scenario.value, []).append(s)
    return [(name, Markup(charts.time_chart(name, rows))) for name, rows in by_scenario.items()]


def _wasted(result: BenchResult, top: int = 10) -> list[dict[str, str]]:
    files = [(image, w) for image in result.images for w in image.wasted_files]
    files.sort(key=lambda pair: -pair[1].size)
    return [
        {
            "service": i.service,
            "side": i.side.value,
            "path": w.path,
            "size": human_bytes(w.size),
            "added": i.layers[w.layer].where if w.layer < len(i.layers) else str(w.layer),
            "removed": i.layers[w.removed_in].where
            if w.removed_in < len(i.layers)
            else str(w.removed_in),
        }
        for i, w in files[:top]
    ]


def _bench_context(result: BenchResult) -> dict[str, Any]:
    rows = [
        TimeRow(cells, verdict(s.ratio))
        for cells, s in zip(time_rows(result), result.summaries, strict=True)
    ]
    notes = [f"{s.side.value}/{s.service} {s.scenario.value}: {s.reason}" for s in result.skipped]
    return {
        "headline": headline(result),
        "time_charts": _time_charts(result),
        "time_header": TIME_HEADER,
        "time_rows": rows,
        "layer_chart": Markup(charts.layer_chart(result.images)),
        "own_layer_chart": Markup(charts.layer_chart(result.images, own=True)),
        "image_header": IMAGE_HEADER,
        "image_rows": image_rows(result),
        "layer_header": LAYER_HEADER,
        "layer_rows": layer_rows(result),
        "wasted": _wasted(result),
        "notes": notes,
    }


def _trend_context(points: Sequence[TrendPoint]) -> dict[str, Markup | None]:
    times = charts.trend_series([p for p in points if p.seconds is not None], size=False)
    sizes = charts.trend_series([p for p in points if p.image_size is not None], size=True)
    return {
        "time_trend": Markup(charts.trend_chart(times, "seconds")) if times else None,
        "size_trend": Markup(charts.trend_chart(sizes, "bytes")) if sizes else None,
    }


def render_html(
    result: BenchResult | None,
    points: Sequence[TrendPoint] = (),
    regressions: Sequence[Regression] = (),
    title: str = "dockwright bench report",
) -> str:
    """The whole page as one string."""
    context: dict[str, Any] = {
        "title": title,
        "version": __version__,
        "result": result,
        "regressions": regressions,
        **(_bench_context(result) if result is not None else {}),
        **_trend_context(points),
    }
    return _environment().get_template(TEMPLATE).render(**context)
