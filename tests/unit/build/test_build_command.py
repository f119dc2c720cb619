"""`dockwright build` wiring: plan from the project, sink, summary, exit codes (no Docker)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from dockwright import api
from dockwright.build.engine import ClientKind, Engine
from dockwright.build.plan import BuildStep
from dockwright.build.runner import BuildResult
from dockwright.build.session import ServiceOutcome
from dockwright.build.sink import BuildSink
from dockwright.build.validate import Check, ValidateOptions, ValidationResult
from dockwright.cli import main

ENGINE = Engine("/usr/bin/docker", ClientKind.CLASSIC_BUILDKIT, "20.10")


class FakeBuild:
    """Stands in for api.build: records what it was given, returns canned outcomes."""

    def __init__(self, failing: set[str], invalid: frozenset[str] = frozenset()) -> None:
        self.failing, self.invalid = failing, invalid
        self.steps: list[BuildStep] = []
        self.validate: ValidateOptions | None = None

    def __call__(
        self,
        engine: Engine,
        steps: Sequence[BuildStep],
        sink: BuildSink,
        jobs: int | None = None,
        validate: ValidateOptions | None = None,
    ) -> list[ServiceOutcome]:
        self.steps, self.validate = list(steps), validate
        return [self._outcome(s) for s in steps]

    def _outcome(self, step: BuildStep) -> ServiceOutcome:
        ok = step.service not in self.failing
        result = BuildResult(
            step.service, ok, 1.0, (), step.tags, (), None if ok else "exit code: 2"
        )
        checks = (Check("non-root", step.service not in self.invalid, "uid 0"),)
        validation = ValidationResult(step.service, step.tags[0], checks) if self.validate else None
        return ServiceOutcome(result, 1000, validation)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("api", "worker"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "Dockerfile").write_text("FROM python:3.11-slim AS prod\n")
    monkeypatch.setattr(api, "build_engine", lambda builder=None: ENGINE)
    return tmp_path


def test_one_failure_exits_3_and_shows_the_table(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    fake = FakeBuild({"worker"})
    monkeypatch.setattr(api, "build", fake)
    assert main(["build", str(repo), "--target", "prod", "-j", "2"]) == 3
    out, err = capsys.readouterr()
    assert [s.tags[0] for s in fake.steps] == ["dockwright/api:prod", "dockwright/worker:prod"]
    assert "build summary" in out and "failed" in out and "built" in out
    assert "worker: build failed\n    exit code: 2" in err and fake.validate is None


def test_validation_failure_exits_1(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    fake = FakeBuild(set(), frozenset({"api"}))
    monkeypatch.setattr(api, "build", fake)
    code = main(["build", str(repo), "--validate", "--validate-timeout", "5", "-s", "api"])
    assert code == 1 and [s.service for s in fake.steps] == ["api"]
    assert fake.validate == ValidateOptions(timeout=5.0)
    assert "api: FAIL non-root: uid 0" in capsys.readouterr().err


def test_all_good_exits_0(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(api, "build", FakeBuild(set()))
    assert main(["build", str(repo)]) == 0


def test_cache_dir_on_the_classic_client_is_one_clear_error(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["build", str(repo), "--cache-dir", str(repo / "c")]) == 3
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "needs docker buildx" in err


def test_missing_path_and_no_services(repo: Path, tmp_path: Path) -> None:
    assert main(["build", str(tmp_path / "nope")]) == 2
    (tmp_path / "empty").mkdir()
    assert main(["build", str(tmp_path / "empty")]) == 2


def test_builder_option_reaches_the_engine_probe(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, str] = {}

    def find(environ: dict[str, str]) -> Engine:
        seen.update(environ)
        return ENGINE

    monkeypatch.setattr(api, "find_engine", find)
    assert api.build_engine("tcp-remote") is ENGINE and seen["DOCKWRIGHT_BUILDER"] == "tcp-remote"
