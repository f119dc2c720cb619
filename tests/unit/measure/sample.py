"""A hand-made bench result shared by the measure and report unit tests."""

from __future__ import annotations

from dockwright.model.measurements import (
    BenchResult,
    BuildSample,
    ImageRecord,
    LayerRecord,
    RunInfo,
    Scenario,
    ScenarioSummary,
    Side,
    Skipped,
    WastedFile,
)

INFO = RunInfo(
    started_at="2026-01-02T03:04:05+00:00",
    git_commit="0123456789abcdef",
    engine_version="20.10.24",
    client="/usr/bin/docker (classic+buildkit)",
    host="ci",
    path="/repo",
    baseline="main",
    repeat=3,
)


def layers(sizes: list[int], wasted: int = 0) -> tuple[LayerRecord, ...]:
    return tuple(
        LayerRecord(
            index=i,
            size=s,
            content=s,
            wasted=wasted if i == 1 else 0,
            files=1,
            created_by="" if i == 0 else f"RUN step{i}",
            dockerfile=None if i == 0 else "Dockerfile",
            line=None if i == 0 else i + 1,
            instruction=None if i == 0 else f"RUN step{i}",
        )
        for i, s in enumerate(sizes)
    )


def sample_result(service: str = "api") -> BenchResult:
    before = ImageRecord(
        service=service,
        side=Side.BEFORE,
        tag="b",
        size=1_300_000_000,
        layers=layers([190_000_000, 1_100_000_000, 10_000_000], wasted=400_000_000),
        wasted_files=(
            WastedFile(path="root/.cache/pip/big.whl", size=400_000_000, layer=1, removed_in=2),
        ),
    )
    after = ImageRecord(
        service=service,
        side=Side.AFTER,
        tag="a",
        size=700_000_000,
        layers=layers([190_000_000, 500_000_000, 10_000_000]),
    )
    summaries = (
        ScenarioSummary(
            service=service,
            scenario=Scenario.WARM,
            before=2.0,
            after=1.0,
            before_runs=3,
            after_runs=3,
        ),
        ScenarioSummary(
            service=service,
            scenario=Scenario.CODE,
            before=120.0,
            after=3.0,
            before_runs=3,
            after_runs=3,
        ),
        ScenarioSummary(
            service=service,
            scenario=Scenario.DEPS,
            before=130.0,
            after=None,
            before_runs=3,
            after_runs=0,
        ),
    )
    samples = (
        BuildSample(
            service=service,
            side=Side.BEFORE,
            scenario=Scenario.WARM,
            repeat=0,
            seconds=2.0,
            ok=True,
            steps=5,
            cached_steps=5,
        ),
    )
    skipped = (
        Skipped(
            service=service, scenario=Scenario.DEPS, side=Side.AFTER, reason="no requirements file"
        ),
    )
    return BenchResult(
        info=INFO, samples=samples, images=(before, after), summaries=summaries, skipped=skipped
    )
