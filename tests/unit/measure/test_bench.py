from __future__ import annotations

from pathlib import Path

import pytest

from dockwright.build.engine import ClientKind, Engine
from dockwright.build.plan import BuildStep
from dockwright.build.runner import BuildResult
from dockwright.errors import UsageError
from dockwright.measure import bench as bench_module
from dockwright.measure.bench import (
    BenchOptions,
    ColdMode,
    builder_argvs,
    cold_engine,
    interleaved,
    run_bench,
    summarize,
    tag_for,
    targets,
    trees,
)
from dockwright.measure.workspace import copy_tree
from dockwright.model.measurements import BuildSample, ImageRecord, Scenario, Side

CLASSIC = Engine("/usr/bin/docker", ClientKind.CLASSIC_BUILDKIT, "20.10")
BUILDX = Engine("/usr/bin/docker", ClientKind.BUILDX, "27.0")


def sample(
    side: Side, seconds: float, ok: bool = True, scenario: Scenario = Scenario.CODE
) -> BuildSample:
    return BuildSample(
        service="api", side=side, scenario=scenario, repeat=0, seconds=seconds, ok=ok
    )


def test_tag_is_valid_and_unique_per_side() -> None:
    assert tag_for("My_App/x", Side.BEFORE, "ab12") == "dockwright-bench/my_app-x:before-ab12"
    assert tag_for("+++", Side.AFTER, "n") == "dockwright-bench/service:after-n"


def test_summarize_takes_medians_of_successful_builds() -> None:
    samples = [sample(Side.BEFORE, s) for s in (10.0, 30.0, 20.0)]
    samples += [
        sample(Side.AFTER, 2.0),
        sample(Side.AFTER, 4.0),
        sample(Side.AFTER, 99.0, ok=False),
    ]
    (summary,) = summarize(samples)
    assert (summary.before, summary.after, summary.before_runs, summary.after_runs) == (
        20.0,
        3.0,
        3,
        2,
    )
    assert summary.ratio == pytest.approx(0.15)


def test_summarize_without_a_side_has_no_ratio() -> None:
    (summary,) = summarize([sample(Side.AFTER, 1.0, scenario=Scenario.WARM)])
    assert summary.before is None and summary.ratio is None


def test_trees_and_targets_pair_services_on_both_sides(project: Path, tmp_path: Path) -> None:
    baseline = copy_tree(project, tmp_path / "old")
    copies = trees(BenchOptions(project, str(baseline)), tmp_path / "scratch")
    assert set(copies) == {Side.BEFORE, Side.AFTER}
    found = targets(copies, (), "n1")
    assert [(t.service.name, t.side) for t in found] == [
        ("api", Side.BEFORE),
        ("api", Side.AFTER),
        ("worker", Side.BEFORE),
        ("worker", Side.AFTER),
    ]
    assert all(str(t.service.context).startswith(str(tmp_path / "scratch")) for t in found)
    step = found[0].step(no_cache=True)
    assert step.no_cache and step.tags == ("dockwright-bench/api:before-n1",)


def test_interleaving_alternates_which_side_goes_first(project: Path, tmp_path: Path) -> None:
    copies = trees(BenchOptions(project, str(project)), tmp_path)
    found = targets(copies, ["worker"], "n")
    assert [t.side for t in interleaved(found, 0)] == [Side.BEFORE, Side.AFTER]
    assert [t.side for t in interleaved(found, 1)] == [Side.AFTER, Side.BEFORE]


def test_unknown_service_is_a_usage_error(project: Path, tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no service"):
        targets(trees(BenchOptions(project), tmp_path), ["nope"], "n")


def test_throwaway_builder_command_lines() -> None:
    create, remove = builder_argvs(BUILDX, "dw-cold-1")
    assert create == [
        "/usr/bin/docker",
        "buildx",
        "create",
        "--name",
        "dw-cold-1",
        "--driver",
        "docker-container",
        "--bootstrap",
    ]
    assert remove == ["/usr/bin/docker", "buildx", "rm", "--force", "dw-cold-1"]


def test_cold_engine_no_cache_is_the_same_engine_and_builder_needs_buildx() -> None:
    with cold_engine(CLASSIC, ColdMode.NO_CACHE) as engine:
        assert engine is CLASSIC
    with pytest.raises(UsageError, match="buildx"), cold_engine(CLASSIC, ColdMode.BUILDER):
        pass


class FakeBuilds:
    """Stands in for the runner, the image inspection and the cleanup (no process starts)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, failing: str = "") -> None:
        self.calls: list[tuple[str, bool, str]] = []
        self.removed: list[str] = []  # tags, then IDs, in the order they were removed
        self.images: dict[str, str] = {}  # tag -> image ID, as the engine would have it
        self.built: list[str] = []  # every image ID a build produced
        self.sources: dict[str, str] = {}  # tag -> main.py at its last build
        self.failing = failing
        monkeypatch.setattr(bench_module, "run_step", self.run_step)
        monkeypatch.setattr(bench_module, "inspect_image", self.inspect)
        monkeypatch.setattr(bench_module, "image_facts", self.facts)
        monkeypatch.setattr(bench_module, "remove_tags", lambda _e, t: self.removed.extend(t))
        monkeypatch.setattr(bench_module, "remove_ids", lambda _e, i: self.removed.extend(i))
        monkeypatch.setattr(bench_module, "git_commit", lambda _p: "abc")

    def run_step(self, engine: Engine, step: BuildStep) -> BuildResult:
        main = (step.context / "app" / "main.py").read_text()
        self.calls.append((step.tags[0], step.no_cache, main.splitlines()[-1]))
        ok = self.failing not in step.tags[0] or not self.failing
        if ok:  # the same image again only when nothing changed and the cache was used
            same = not step.no_cache and self.sources.get(step.tags[0]) == main
            self.sources[step.tags[0]] = main
            if not same:
                self.images[step.tags[0]] = f"sha256:{len(self.built)}"
                self.built.append(self.images[step.tags[0]])
        return BuildResult(step.service, ok, 1.0, (), step.tags, (), None if ok else "boom")

    def facts(self, engine: Engine, tag: str) -> tuple[str, tuple[str, ...]] | None:
        return (self.images[tag], (tag,)) if tag in self.images else None

    def inspect(self, engine: Engine, tag: str, *args: object) -> ImageRecord:
        service, side = args[-1]  # type: ignore[misc]
        return ImageRecord(service=service, side=side, tag=tag, size=10, layers=())


def test_run_bench_interleaves_sides_and_changes_only_the_copies(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = FakeBuilds(monkeypatch)
    before = copy_tree(project, tmp_path / "old")
    options = BenchOptions(project, str(before), (Scenario.COLD, Scenario.CODE), 2, ("api",))
    result = run_bench(CLASSIC, options)
    sides = [tag.split(":")[1].split("-")[0] for tag, _, _ in fake.calls]
    assert sides == ["before", "after"] * 3 + ["after", "before"] * 2  # prime, r0 x2, r1 x2
    cold = [no_cache for _, no_cache, _ in fake.calls]
    assert cold == [False, False, True, True, False, False, True, True, False, False]
    assert fake.calls[4][2].startswith("# dockwright bench")  # the code change, in the copy
    assert (project / "api" / "app" / "main.py").read_text() == "print('hi')\n"
    assert len(result.samples) == 8 and len(result.images) == 2
    assert {s.scenario for s in result.summaries} == {Scenario.COLD, Scenario.CODE}
    tags = {tag for tag, _, _ in fake.calls}
    assert len(fake.built) == 10  # 2 primes, then every cold build and code change
    assert sorted(fake.removed) == sorted([*tags, *fake.built])  # each ID exactly once
    superseded = fake.removed[: fake.removed.index(min(tags))]
    assert set(superseded) == set(fake.built) - set(fake.images.values())  # removed as it went
    assert result.info.git_commit == "abc" and result.info.baseline == str(before)


def test_run_bench_skips_a_service_whose_first_build_fails(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = FakeBuilds(monkeypatch, failing="worker")
    result = run_bench(CLASSIC, BenchOptions(project, None, (Scenario.WARM,), 1))
    assert [s.service for s in result.samples] == ["api"]
    (skip,) = result.skipped
    assert (skip.service, skip.scenario, skip.side) == ("worker", Scenario.WARM, Side.AFTER)
    assert "first build failed: boom" in skip.reason
    (api,) = fake.built
    assert fake.removed == [*sorted({tag for tag, _, _ in fake.calls}), api]


def test_run_bench_needs_a_repeat(project: Path) -> None:
    with pytest.raises(UsageError, match="--repeat"):
        run_bench(CLASSIC, BenchOptions(project, repeat=0))
