"""Inline SVG charts for the HTML report, drawn in Python (no JavaScript, no CDN).

Every mark carries a class and `data-*` attributes naming what it shows, and a `<title>`
tooltip, so the page can be checked by a browser test and read without the picture.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from dockwright.model.measurements import (
    ImageRecord,
    LayerRecord,
    ScenarioSummary,
    Side,
    TrendPoint,
)
from dockwright.report.base import human_bytes

PALETTE = ("#2563eb", "#d97706", "#059669", "#9333ea", "#dc2626", "#0891b2", "#65a30d", "#db2777")
SIDE_COLOR = {Side.BEFORE: "#9ca3af", Side.AFTER: "#2563eb"}
WASTE_COLOR = "#dc2626"
LABEL_W = 150
BAR_W = 380
ROW_H = 16


def _attrs(**values: object) -> str:
    return " ".join(
        f'{k.rstrip("_").replace("_", "-")}="{escape(str(v))}"' for k, v in values.items()
    )


def _text(x: float, y: float, body: str, **extra: object) -> str:
    return f"<text {_attrs(x=round(x, 1), y=round(y, 1), **extra)}>{escape(body)}</text>"


def _svg(width: int, height: int, body: list[str], **extra: object) -> str:
    head = _attrs(
        xmlns="http://www.w3.org/2000/svg",
        width=width,
        height=height,
        viewBox=f"0 0 {width} {height}",
        role="img",
        **extra,
    )
    return f"<svg {head}>{''.join(body)}</svg>"


def _bar(
    x: float, y: float, w: float, fill: str, tip: str, height: int = ROW_H - 3, **data: object
) -> str:
    rect = _attrs(
        x=round(x, 1),
        y=round(y, 1),
        width=round(max(w, 1.0), 1),
        height=height,
        fill=fill,
        **data,
    )
    return f"<rect {rect}><title>{escape(tip)}</title></rect>"


def time_chart(scenario: str, summaries: Sequence[ScenarioSummary]) -> str:
    """Before/after median build time of each service in one scenario (horizontal bars)."""
    top = max((v for s in summaries for v in (s.before, s.after) if v is not None), default=1.0)
    scale = BAR_W / (top or 1.0)
    body: list[str] = []
    y = 4.0
    for s in summaries:
        body.append(_text(0, y + ROW_H + 4, s.service, class_="label"))
        for side, value in ((Side.BEFORE, s.before), (Side.AFTER, s.after)):
            if value is not None:
                tip = f"{s.service} {scenario} {side.value}: {value:.2f}s"
                body.append(
                    _bar(
                        LABEL_W,
                        y,
                        value * scale,
                        SIDE_COLOR[side],
                        tip,
                        class_=f"bar {side.value}",
                        data_service=s.service,
                        data_seconds=f"{value:.3f}",
                    )
                )
                body.append(
                    _text(
                        LABEL_W + value * scale + 4, y + ROW_H - 5, f"{value:.1f}s", class_="value"
                    )
                )
            y += ROW_H
        ratio = "" if s.ratio is None else f"{s.ratio:.2f}x"
        body.append(
            _text(
                LABEL_W + BAR_W + 60, y - ROW_H + 2, ratio, class_="ratio", data_service=s.service
            )
        )
        y += 8
    return _svg(
        LABEL_W + BAR_W + 120, int(y) + 4, body, class_="chart chart-time", data_scenario=scenario
    )


def _own_layers(image: ImageRecord, own: bool) -> list[LayerRecord]:
    """All layers, or (own) only those the Dockerfile made (the base image's left out)."""
    return [layer for layer in image.layers if not own or layer.line is not None]


def layer_chart(images: Sequence[ImageRecord], own: bool = False) -> str:
    """One stacked bar per image: its layers in order, wasted bytes in red under each.

    `own` leaves the base image's layers out, so the Dockerfile's layers are readable.
    """
    totals = [sum(layer.size for layer in _own_layers(i, own)) for i in images]
    scale = BAR_W / (max(totals, default=1) or 1)
    body: list[str] = []
    y = 4.0
    for image, total in zip(images, totals, strict=True):
        body.append(
            _text(0, y + ROW_H - 4, f"{image.service} ({image.side.value})", class_="label")
        )
        x = float(LABEL_W)
        for layer in _own_layers(image, own):
            body += _layer_marks(image, layer, x, y, scale)
            x += layer.size * scale
        body.append(_text(x + 4, y + ROW_H - 5, human_bytes(total), class_="value"))
        y += ROW_H + 6
    kind = "chart-own-layers" if own else "chart-layers"
    return _svg(LABEL_W + BAR_W + 100, int(y) + 4, body, class_=f"chart {kind}")


def _layer_marks(
    image: ImageRecord, layer: LayerRecord, x: float, y: float, scale: float
) -> list[str]:
    made_by = f"{layer.where} {layer.instruction or ''}".strip()
    tip = f"layer {layer.index}: {human_bytes(layer.size)} - {made_by}"
    color = PALETTE[layer.index % len(PALETTE)]
    marks = [
        _bar(
            x,
            y,
            layer.size * scale,
            color,
            tip,
            class_="layer",
            data_service=image.service,
            data_side=image.side.value,
            data_where=layer.where,
            data_bytes=layer.size,
        )
    ]
    if layer.wasted:
        tip = f"wasted: {human_bytes(layer.wasted)} ({made_by})"
        marks.append(
            _bar(
                x,
                y + ROW_H - 7,
                layer.wasted * scale,
                WASTE_COLOR,
                tip,
                height=4,
                class_="waste",
                data_bytes=layer.wasted,
            )
        )
    return marks


@dataclass(frozen=True)
class Series:
    """A line of a trend chart: a label and (run id, value) points."""

    label: str
    points: tuple[tuple[int, float], ...]


def trend_series(points: Sequence[TrendPoint], size: bool) -> list[Series]:
    """After-side series: build seconds per service/scenario, or image bytes per service."""
    found: dict[str, list[tuple[int, float]]] = {}
    for p in points:
        value = p.image_size if size else p.seconds
        if p.side is Side.AFTER and value is not None:
            label = p.service if size else f"{p.service} {p.scenario}"
            found.setdefault(label, []).append((p.run_id, float(value)))
    return [Series(label, tuple(values)) for label, values in found.items()]


@dataclass(frozen=True)
class _Frame:
    """Where a trend chart puts run `run` with value `value`."""

    runs: tuple[int, ...]
    top: float
    width: int = 620
    left: int = 60
    plot_h: int = 150

    def at(self, run: int, value: float) -> tuple[float, float]:
        step = (self.width - self.left - 20) / max(len(self.runs) - 1, 1)
        x = self.left + self.runs.index(run) * step
        return x, 10 + self.plot_h - value / self.top * self.plot_h


def _line(s: Series, frame: _Frame, color: str, unit: str) -> list[str]:
    coords = [frame.at(run, value) for run, value in s.points]
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
    line = _attrs(points=path, fill="none", stroke=color, class_="trend", data_series=s.label)
    out = [f"<polyline {line}/>"]
    for (x, y), (run, value) in zip(coords, s.points, strict=True):
        dot = _attrs(cx=round(x, 1), cy=round(y, 1), r=3, fill=color, class_="point")
        tip = escape(f"{s.label}, run {run}: {_fmt(value, unit)}")
        out.append(f"<circle {dot}><title>{tip}</title></circle>")
    return out


def trend_chart(series: Sequence[Series], unit: str) -> str:
    """Lines over runs (x: run order, y: value), one colour per series, with a legend."""
    runs = tuple(sorted({run for s in series for run, _ in s.points}))
    frame = _Frame(runs, max((v for s in series for _, v in s.points), default=1.0) or 1.0)
    base = 10 + frame.plot_h
    axis = _attrs(x1=frame.left, y1=base, x2=frame.width - 10, y2=base, class_="axis")
    body = [
        f"<line {axis}/>",
        _text(2, 16, _fmt(frame.top, unit), class_="value"),
        _text(2, base, "0", class_="value"),
    ]
    body += [_text(frame.at(run, 0)[0] - 6, base + 14, f"#{run}", class_="tick") for run in runs]
    for n, s in enumerate(series):
        color = PALETTE[n % len(PALETTE)]
        body += _line(s, frame, color, unit)
        x, y = frame.left + 10 + (n % 3) * 180, base + 30 + (n // 3) * 14
        body.append(_text(x, y, s.label, fill=color, class_="legend"))
    height = base + 24 + ((len(series) + 2) // 3) * 14
    return _svg(frame.width, height, body, class_="chart chart-trend", data_unit=unit)


def _fmt(value: float, unit: str) -> str:
    return human_bytes(int(value)) if unit == "bytes" else f"{value:.1f}s"
