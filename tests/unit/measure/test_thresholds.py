from __future__ import annotations

from dockwright.measure.thresholds import regressions
from dockwright.model.measurements import Metric, Side, TrendPoint


def point(
    run: int,
    scenario: str,
    seconds: float | None = None,
    size: int | None = None,
    side: Side = Side.AFTER,
    service: str = "api",
) -> TrendPoint:
    return TrendPoint(
        run_id=run,
        started_at="2026-01-01T00:00:00+00:00",
        git_commit=None,
        kind="bench",
        service=service,
        scenario=scenario,
        side=side,
        seconds=seconds,
        image_size=size,
    )


POINTS = [
    point(1, "warm", 10.0),
    point(1, "image", size=100),
    point(1, "code", 5.0),
    point(2, "warm", 11.9),
    point(2, "image", size=120),
    point(2, "code", 6.5),
    point(2, "code", 50.0, side=Side.BEFORE),
]


def test_time_regression_past_the_limit_only() -> None:
    found = regressions(POINTS, max_time_regression=20)
    assert [(r.service, r.scenario, r.metric) for r in found] == [("api", "code", Metric.TIME)]
    assert round(found[0].change_pct) == 30
    assert "api/code: time 5 -> 6.5 (+30.0%, limit 20%)" == found[0].line()


def test_size_growth_uses_image_rows() -> None:
    found = regressions(POINTS, max_size_growth=10)
    assert [(r.scenario, r.previous, r.latest) for r in found] == [("image", 100, 120)]


def test_no_limits_no_regressions_and_one_run_is_not_a_trend() -> None:
    assert regressions(POINTS) == []
    assert regressions(POINTS[:3], max_time_regression=0, max_size_growth=0) == []


def test_the_latest_pair_counts_not_the_oldest() -> None:
    series = [point(1, "warm", 10.0), point(2, "warm", 20.0), point(3, "warm", 19.0)]
    assert regressions(series, max_time_regression=5) == []
