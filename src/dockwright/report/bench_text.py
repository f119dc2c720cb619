"""Bench and history results as terminal tables and Markdown.

The rows are computed once here (`time_rows`, `image_rows`, `layer_rows`, `trend_rows`) and
shared by the text formats and the HTML page.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from dockwright.model.measurements import (
    BenchResult,
    ImageRecord,
    Regression,
    Side,
    TrendPoint,
)
from dockwright.report.base import human_bytes

TIME_HEADER = ("Service", "Scenario", "Before", "After", "After/Before")
IMAGE_HEADER = ("Service", "Before", "After", "After/Before", "Wasted before", "Wasted after")
LAYER_HEADER = ("Service", "Side", "Layer", "Size", "Wasted", "Made by")
TREND_HEADER = ("Run", "When (UTC)", "Commit", "Service", "Scenario", "Side", "Time", "Size")


def seconds(value: float | None) -> str:
    """`12.3s`, or `-` when unknown."""
    return "-" if value is None else f"{value:.1f}s"


def ratio(value: float | None) -> str:
    """`0.42x`, or `-` when unknown."""
    return "-" if value is None else f"{value:.2f}x"


def size(value: int | None) -> str:
    """Human bytes, or `-` when unknown."""
    return "-" if value is None else human_bytes(value)


def _size_ratio(before: ImageRecord | None, after: ImageRecord | None) -> float | None:
    if before is None or after is None or before.size <= 0:
        return None
    return after.size / before.size


def time_rows(result: BenchResult) -> list[tuple[str, ...]]:
    """Service, scenario, median before, median after, ratio."""
    return [
        (s.service, s.scenario.value, seconds(s.before), seconds(s.after), ratio(s.ratio))
        for s in result.summaries
    ]


def image_rows(result: BenchResult) -> list[tuple[str, ...]]:
    """Service, size before, size after, ratio, wasted before, wasted after."""
    rows: list[tuple[str, ...]] = []
    for service in result.services:
        before, after = result.image(service, Side.BEFORE), result.image(service, Side.AFTER)
        rows.append(
            (
                service,
                size(before.size if before else None),
                size(after.size if after else None),
                ratio(_size_ratio(before, after)),
                size(before.wasted if before else None),
                size(after.wasted if after else None),
            )
        )
    return rows


def layer_rows(result: BenchResult, top: int = 5) -> list[tuple[str, ...]]:
    """The `top` largest layers of each image, with the Dockerfile line that made them."""
    rows: list[tuple[str, ...]] = []
    for image in result.images:
        biggest = sorted(image.layers, key=lambda layer: -layer.size)[:top]
        for layer in biggest:
            made_by = f"{layer.where} {layer.instruction or ''}".strip()
            rows.append(
                (
                    image.service,
                    image.side.value,
                    str(layer.index),
                    size(layer.size),
                    size(layer.wasted),
                    made_by,
                )
            )
    return rows


def trend_rows(points: Sequence[TrendPoint]) -> list[tuple[str, ...]]:
    """One row per stored measurement, oldest first."""
    return [
        (
            str(p.run_id),
            p.started_at.replace("+00:00", "Z"),
            (p.git_commit or "-")[:12],
            p.service,
            p.scenario,
            p.side.value,
            seconds(p.seconds),
            size(p.image_size),
        )
        for p in points
    ]


def text_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """Columns padded to their widest cell, two spaces apart."""
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
        for row in [header, *rows]
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return lines


def md_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """A GitHub-flavoured Markdown table."""

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"

    return [line(header), "|" + "---|" * len(header), *(line(r) for r in rows)]


def headline(result: BenchResult) -> str:
    """Where, when and against what the bench ran."""
    info = result.info
    against = f" vs baseline {info.baseline}" if info.baseline else ""
    commit = f", commit {info.git_commit[:12]}" if info.git_commit else ""
    return (
        f"{info.path}{against}; {info.started_at.replace('+00:00', 'Z')}, engine "
        f"{info.engine_version} on {info.host}{commit}; median of {info.repeat}, cold = {info.cold}"
    )


def _sections(
    result: BenchResult | None, points: Sequence[TrendPoint]
) -> Iterator[tuple[str, Sequence[str], list[tuple[str, ...]]]]:
    if result is not None:
        yield "Build time (median; After/Before below 1 is faster)", TIME_HEADER, time_rows(result)
        yield "Image size", IMAGE_HEADER, image_rows(result)
        yield "Largest layers", LAYER_HEADER, layer_rows(result)
    if points:
        yield "History", TREND_HEADER, trend_rows(points)


def _notes(result: BenchResult | None, regressions: Sequence[Regression]) -> list[str]:
    notes = [f"regression: {r.line()}" for r in regressions]
    if result is not None:
        notes += [
            f"skipped {s.side.value}/{s.service} {s.scenario.value}: {s.reason}"
            for s in result.skipped
        ]
    return notes


def render_text(
    result: BenchResult | None,
    points: Sequence[TrendPoint] = (),
    regressions: Sequence[Regression] = (),
) -> str:
    """Terminal tables."""
    out = ["dockwright bench: " + headline(result), ""] if result else []
    for title, header, rows in _sections(result, points):
        if rows:
            out += [title, *text_table(header, rows), ""]
    out += _notes(result, regressions)
    return "\n".join(out).rstrip() + "\n" if out else "no bench or build recorded yet\n"


def render_markdown(
    result: BenchResult | None,
    points: Sequence[TrendPoint] = (),
    regressions: Sequence[Regression] = (),
) -> str:
    """Markdown (pull-request comments, CI job summaries)."""
    out = ["# dockwright bench", ""]
    if result is not None:
        out += [headline(result), ""]
    for title, header, rows in _sections(result, points):
        if rows:
            out += [f"## {title}", "", *md_table(header, rows), ""]
    notes = _notes(result, regressions)
    out += [f"- {n}" for n in notes]
    return "\n".join(out).rstrip() + "\n"
