"""`optimize --resolve`: build stages of all-wheel services lose their compilers."""

from __future__ import annotations

from pathlib import Path

from dockwright.deps.native import wheels_only
from dockwright.deps.records import DepsReport, NativeNeeds, Pin, ServiceDeps
from dockwright.generate.files import OptimizeOptions
from dockwright.generate.svc_apt import AptPlan, without_compilers
from tests.unit.generate.test_optimize_parts import make, optimized, stage_text

DOCKERFILE = (
    "FROM python:3.11\nWORKDIR /app\n"
    "RUN apt-get update && apt-get install -y build-essential git libpq-dev\n"
    "COPY . .\nRUN pip install -r requirements.txt\n"
)


def test_without_compilers_keeps_fetch_tools_and_runtime_libraries() -> None:
    plan = AptPlan(("build-essential", "git", "libpq-dev", "gcc=4:12"), ("libpq5",))
    dropped = without_compilers(plan)
    assert dropped.build == ("git",) and dropped.runtime == ("libpq5",)
    assert "build-essential libpq-dev gcc=4:12: dropped" in dropped.notes[-1]
    assert without_compilers(AptPlan(("git",))) == AptPlan(("git",))


def test_a_wheel_only_service_gets_no_compilers(tmp_path: Path) -> None:
    repo = make(tmp_path, DOCKERFILE, {"requirements.txt": "psycopg[binary]==3.2.3\n"})
    kept = stage_text(optimized(repo), "build")
    assert "build-essential" in kept and "libpq-dev" in kept
    options = OptimizeOptions(wheels_only=frozenset({repo.name}))
    build = stage_text(optimized(repo, options), "build")
    assert "build-essential" not in build and "libpq-dev" not in build
    assert "apt-get install -y --no-install-recommends git" in build
    assert "libpq5" in stage_text(optimized(repo, options), "production")


def test_wheels_only_names_services_that_resolved_without_sdists() -> None:
    pin = Pin("alpha", "1.0")
    report = DepsReport(
        services=(
            ServiceDeps("api", "3.11", "linux/amd64", (), resolution=(pin,)),
            ServiceDeps(
                "worker", "3.11", "linux/amd64", (), (pin,), native=NativeNeeds(("beta==1",))
            ),
            ServiceDeps("broken", "3.11", "linux/amd64", ()),
        )
    )
    assert wheels_only(report) == frozenset({"api"})
