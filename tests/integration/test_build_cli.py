"""`dockwright build` end to end: parallel builds, isolated failure, summary, cache, --validate."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from dockwright import _subprocess
from dockwright.build.engine import Engine
from dockwright.cli import main
from tests.integration.build_fixtures import write_service


@pytest.fixture
def project(tmp_path: Path, engine: Engine, base_image: str) -> Iterator[tuple[Path, str]]:
    """good, root and broken services; their dockwright/<name>:latest images are removed after."""
    suffix = uuid.uuid4().hex[:6]
    for variant in ("good", "root", "broken"):
        write_service(tmp_path, variant, base_image, suffix)
    yield tmp_path, suffix
    for variant in ("good", "root", "broken"):
        tag = f"dockwright/{variant}-{suffix}:latest"
        _subprocess.run(engine.docker_argv("image", "rm", "-f", tag), check=False)


def rows(out: str) -> dict[str, list[str]]:
    """Summary table rows by service (cells split on the table's vertical bars)."""
    table = {}
    for line in out.splitlines():
        cells = [c.strip() for c in line.replace("┃", "│").split("│")[1:-1]]
        if len(cells) == 6 and cells[0] not in {"", "service"}:
            table[cells[0]] = cells[1:]
    return table


def test_build_validate_and_rebuild_from_cache(
    project: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    root, suffix = project
    good, bad, plain = f"good-{suffix}", f"broken-{suffix}", f"root-{suffix}"
    assert main(["build", str(root), "--jobs", "2", "--validate", "--validate-timeout", "30"]) == 3
    out, err = capsys.readouterr()
    table = rows(out)
    assert table[good][0] == "built" and table[bad][0] == "failed"
    assert table[plain][0] == "invalid" and table[good][4].endswith("MB")
    assert f"{bad}: build failed" in err and "exit code: 3" in err
    assert f"{plain}: FAIL non-root: uid 0" in err and f"{good}: ok   read-only" in err
    assert f"{good}: COPY server.py . [" in err  # one line per finished step (not a terminal)

    assert main(["build", str(root), "-s", good]) == 0
    again = rows(capsys.readouterr().out)
    assert list(again) == [good] and again[good][0] == "built"
    steps, cached = int(again[good][2]), int(again[good][3])
    assert steps >= 3 and cached >= steps - 1  # a local FROM image reports DONE, not CACHED
