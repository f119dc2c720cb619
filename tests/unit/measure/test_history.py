from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from dockwright.errors import ConfigError
from dockwright.measure import history
from dockwright.model.measurements import Side
from tests.unit.measure.sample import INFO, sample_result


def test_new_database_is_migrated_to_the_current_schema(tmp_path: Path) -> None:
    path = tmp_path / ".dockwright" / "history.db"
    with history.open_db(path) as conn:
        assert history.schema_version(conn) == history.SCHEMA_VERSION
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"schema_version", "runs", "measurements"} <= tables


def test_migrating_twice_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    with history.open_db(path):
        pass
    with history.open_db(path) as conn:
        assert conn.execute("SELECT COUNT(*) FROM schema_version").fetchone()[0] == 1


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
        conn.execute("INSERT INTO schema_version VALUES (99)")
    conn.close()
    with pytest.raises(ConfigError, match="newer"), history.open_db(path):
        pass


def test_bench_round_trips_and_feeds_trends(tmp_path: Path) -> None:
    path = history.db_path(tmp_path)
    first = history.record_bench(path, sample_result())
    second = history.record_bench(path, sample_result("web"))
    assert second > first
    assert history.latest_bench(path) == sample_result("web")
    points = history.trend_points(path, services=["api"])
    assert {p.run_id for p in points} == {first}
    warm = [p for p in points if p.scenario == "warm"]
    assert [(p.side, p.seconds) for p in warm] == [(Side.BEFORE, 2.0), (Side.AFTER, 1.0)]
    sizes = {p.side: p.image_size for p in points if p.scenario == history.IMAGE}
    assert sizes == {Side.BEFORE: 1_300_000_000, Side.AFTER: 700_000_000}
    assert all(p.git_commit == INFO.git_commit for p in points)


def test_trend_points_limit_to_the_last_runs(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    ids = [history.record_bench(path, sample_result()) for _ in range(3)]
    assert {p.run_id for p in history.trend_points(path, runs=2)} == set(ids[1:])
    assert history.trend_points(path, scenarios=["deps"])[0].seconds == 130.0


def test_builds_are_stored_with_their_own_scenario(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    history.record_builds(path, INFO, [("api", 12.5, 800), ("worker", 3.0, None)])
    points = history.trend_points(path)
    assert [(p.kind, p.service, p.scenario, p.seconds, p.image_size) for p in points] == [
        ("build", "api", "build", 12.5, 800),
        ("build", "worker", "build", 3.0, None),
    ]
    assert history.latest_bench(path) is None


def test_missing_database_reads_as_empty(tmp_path: Path) -> None:
    assert history.latest_bench(tmp_path / "none.db") is None
    assert history.trend_points(tmp_path / "none.db") == []
    assert not (tmp_path / "none.db").exists()
