"""CI thresholds: compare each series' latest point with the one before it.

A series is one service + scenario on the after side (PATH): build time per scenario, image
size from the `image` rows. `--max-time-regression 20` fails when the latest median is more
than 20% slower than the previous one; `--max-size-growth 5` when the image grew by over 5%.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from dockwright.model.measurements import Metric, Regression, Side, TrendPoint


def _series(points: Sequence[TrendPoint], metric: Metric) -> dict[tuple[str, str], list[float]]:
    found: dict[tuple[str, str], list[float]] = defaultdict(list)
    for p in sorted(points, key=lambda p: p.run_id):
        value = p.seconds if metric is Metric.TIME else p.image_size
        if p.side is Side.AFTER and value is not None:
            found[(p.service, p.scenario)].append(float(value))
    return found


def regressions(
    points: Sequence[TrendPoint],
    max_time_regression: float | None = None,
    max_size_growth: float | None = None,
) -> list[Regression]:
    """Every series whose latest value grew past its limit (in percent) since the previous."""
    out: list[Regression] = []
    for metric, limit in ((Metric.TIME, max_time_regression), (Metric.SIZE, max_size_growth)):
        if limit is None:
            continue
        for (service, scenario), values in sorted(_series(points, metric).items()):
            if len(values) < 2 or values[-2] <= 0:
                continue
            previous, latest = values[-2], values[-1]
            if (latest - previous) / previous * 100 > limit:
                out.append(
                    Regression(
                        service=service,
                        scenario=scenario,
                        metric=metric,
                        previous=previous,
                        latest=latest,
                        limit_pct=limit,
                    )
                )
    return out
