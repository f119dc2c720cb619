"""The table printed after `dockwright build`: one row per service, from plain outcome records."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.table import Table
from rich.text import Text

from dockwright.build.session import ServiceOutcome


@dataclass(frozen=True)
class SummaryRow:
    """One service in the summary."""

    service: str
    result: str  # built, failed, invalid
    seconds: float
    steps: int
    cached: int
    size: int | None

    @property
    def ok(self) -> bool:
        """True when the service built (and validated, when asked)."""
        return self.result == "built"


def summary_rows(outcomes: Sequence[ServiceOutcome]) -> list[SummaryRow]:
    """Rows in plan order."""
    return [_row(o) for o in outcomes]


def _row(outcome: ServiceOutcome) -> SummaryRow:
    result = outcome.result
    status = "built" if result.ok else "failed"
    if result.ok and outcome.validation is not None and not outcome.validation.ok:
        status = "invalid"
    steps = sum(1 for s in result.steps if s.is_instruction)
    return SummaryRow(
        result.service, status, result.seconds, steps, result.cached_steps, outcome.image_size
    )


def human_size(size: int | None) -> str:
    """Bytes as B/kB/MB/GB with one decimal (decimal units, like `docker images`)."""
    if size is None:
        return "-"
    value, unit = float(size), "B"
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if value < 1000 or unit == "TB":
            break
        value /= 1000
    return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"


_STYLE = {"built": "green", "failed": "red", "invalid": "yellow"}


def summary_table(rows: Sequence[SummaryRow]) -> Table:
    """The rich table: service, result, time, steps, cached steps, image size."""
    table = Table(title="build summary", title_justify="left")
    for name, justify in (
        ("service", "left"), ("result", "left"), ("time", "right"),
        ("steps", "right"), ("cached", "right"), ("image size", "right"),
    ):  # fmt: skip
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for row in rows:
        table.add_row(
            row.service,
            Text(row.result, style=_STYLE.get(row.result, "")),
            f"{row.seconds:.1f}s",
            str(row.steps),
            str(row.cached),
            human_size(row.size),
        )
    return table
