"""Build and bench history in SQLite (`.dockwright/history.db`), with a versioned schema.

`schema_version` holds one row: the number of migrations applied. Each migration is a SQL
script run in one transaction; a database written by a newer dockwright is refused rather
than guessed at. Runs keep their full bench result as JSON (`payload`) so `dockwright report`
can redraw it; `measurements` holds the numbers trends and thresholds read.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import closing, contextmanager
from pathlib import Path

from dockwright.errors import ConfigError
from dockwright.model.measurements import BenchResult, RunInfo, Side, TrendPoint

DB_PATH = Path(".dockwright") / "history.db"
IMAGE = "image"  # scenario column of image-size rows
BUILD = "build"  # scenario column of plain `dockwright build` rows

MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE runs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        kind TEXT NOT NULL,
        started_at TEXT NOT NULL,
        git_commit TEXT,
        engine_version TEXT NOT NULL,
        host TEXT NOT NULL,
        path TEXT NOT NULL,
        payload TEXT NOT NULL
    );
    CREATE TABLE measurements (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        service TEXT NOT NULL,
        scenario TEXT NOT NULL,
        side TEXT NOT NULL,
        seconds REAL,
        image_size INTEGER,
        wasted INTEGER,
        samples INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX measurements_key ON measurements (service, scenario, side, run_id);
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)

Row = tuple[str, str, str, float | None, int | None, int | None, int]


def db_path(root: Path) -> Path:
    """Where the history of the project at `root` lives."""
    return root / DB_PATH


def schema_version(conn: sqlite3.Connection) -> int:
    """Migrations applied so far (0 for a new database)."""
    conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
    row = conn.execute("SELECT version FROM schema_version").fetchone()
    return int(row[0]) if row else 0


def migrate(conn: sqlite3.Connection, where: Path | str = "history.db") -> int:
    """Apply the missing migrations; return the schema version."""
    current = schema_version(conn)
    if current > SCHEMA_VERSION:
        raise ConfigError(
            f"history schema {current} is newer than this dockwright knows ({SCHEMA_VERSION}); "
            "upgrade dockwright or move the file away",
            where,
        )
    for version in range(current, SCHEMA_VERSION):
        bump = f"DELETE FROM schema_version; INSERT INTO schema_version VALUES ({version + 1});"
        conn.executescript(f"BEGIN;\n{MIGRATIONS[version]}\n{bump}\nCOMMIT;")
    return SCHEMA_VERSION


@contextmanager
def open_db(path: Path) -> Iterator[sqlite3.Connection]:
    """A migrated connection (the folder is created when missing); closed on exit."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        conn.execute("PRAGMA foreign_keys = ON")
        migrate(conn, path)
        yield conn


def _insert_run(conn: sqlite3.Connection, kind: str, info: RunInfo, payload: str) -> int:
    cursor = conn.execute(
        "INSERT INTO runs (kind, started_at, git_commit, engine_version, host, path, payload) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            kind,
            info.started_at,
            info.git_commit,
            info.engine_version,
            info.host,
            info.path,
            payload,
        ),
    )
    return int(cursor.lastrowid or 0)


def bench_rows(result: BenchResult) -> list[Row]:
    """Measurement rows of a bench: a median per service/scenario/side, and image sizes."""
    rows: list[Row] = []
    for s in result.summaries:
        for side, median, runs in (
            (Side.BEFORE, s.before, s.before_runs),
            (Side.AFTER, s.after, s.after_runs),
        ):
            if median is not None:
                rows.append((s.service, s.scenario.value, side.value, median, None, None, runs))
    for image in result.images:
        rows.append((image.service, IMAGE, image.side.value, None, image.size, image.wasted, 1))
    return rows


def _write(
    conn: sqlite3.Connection, kind: str, info: RunInfo, payload: str, rows: list[Row]
) -> int:
    conn.execute("BEGIN")
    try:
        run_id = _insert_run(conn, kind, info, payload)
        conn.executemany(
            "INSERT INTO measurements VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [(run_id, *row) for row in rows],
        )
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return run_id


def record_bench(path: Path, result: BenchResult) -> int:
    """Store a bench result; return its run id."""
    with open_db(path) as conn:
        return _write(conn, "bench", result.info, result.model_dump_json(), bench_rows(result))


def record_builds(
    path: Path, info: RunInfo, builds: Iterable[tuple[str, float, int | None]]
) -> int:
    """Store plain builds as (service, seconds, image size or None); return the run id."""
    rows: list[Row] = [
        (s, BUILD, Side.AFTER.value, secs, size, None, 1) for s, secs, size in builds
    ]
    with open_db(path) as conn:
        return _write(conn, "build", info, info.model_dump_json(), rows)


def latest_bench(path: Path) -> BenchResult | None:
    """The most recent stored bench result, or None."""
    if not path.is_file():
        return None
    with open_db(path) as conn:
        row = conn.execute(
            "SELECT payload FROM runs WHERE kind = 'bench' ORDER BY id DESC LIMIT 1"
        ).fetchone()
    return BenchResult.model_validate_json(row[0]) if row else None


def trend_points(
    path: Path, services: Sequence[str] = (), scenarios: Sequence[str] = (), runs: int = 30
) -> list[TrendPoint]:
    """Stored measurements of the last `runs` runs, oldest first (optionally filtered)."""
    if not path.is_file():
        return []
    with open_db(path) as conn:
        rows = conn.execute(
            "SELECT r.id, r.started_at, r.git_commit, r.kind, m.service, m.scenario, m.side, "
            "m.seconds, m.image_size FROM measurements m JOIN runs r ON r.id = m.run_id "
            "WHERE r.id IN (SELECT id FROM runs ORDER BY id DESC LIMIT ?) ORDER BY r.id, m.rowid",
            (runs,),
        ).fetchall()
    points = [
        TrendPoint(
            run_id=r[0],
            started_at=r[1],
            git_commit=r[2],
            kind=r[3],
            service=r[4],
            scenario=r[5],
            side=Side(r[6]),
            seconds=r[7],
            image_size=r[8],
        )
        for r in rows
    ]
    return [
        p
        for p in points
        if (not services or p.service in services) and (not scenarios or p.scenario in scenarios)
    ]
