"""`dockwright bench`: build every service before and after, per scenario, interleaved.

Plan: copy PATH (after) and the baseline (before) to a temporary folder; discover services in
both copies; build each once (unmeasured, so "warm" is warm) and inspect that image; then, for
each repeat, each scenario and each service, build before and after back to back, alternating
which goes first, so machine drift hits both sides alike. Builds go through the build runner
one at a time (parallel builds would measure each other). Medians and after/before ratios are
computed at the end. Every image a build supersedes is removed once it has been measured, and
at the end the tags, the images and the temporary copies go, also on SIGTERM (measure/cleanup.py).
"""

from __future__ import annotations

import socket
import statistics
import tempfile
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

from dockwright import _subprocess
from dockwright.build.engine import ClientKind, Engine
from dockwright.build.plan import BuildStep
from dockwright.build.runner import BuildResult, run_step
from dockwright.errors import UsageError
from dockwright.measure.cleanup import (
    ImageLedger,
    image_facts,
    interrupts_as_keyboard,
    remove_ids,
    remove_tags,
)
from dockwright.measure.images import inspect_image
from dockwright.measure.scenarios import ALL_SCENARIOS, Edit, code_edit, deps_edit
from dockwright.measure.workspace import baseline_tree, copy_tree, git_commit
from dockwright.model.measurements import (
    BenchResult,
    BuildSample,
    ImageRecord,
    RunInfo,
    Scenario,
    ScenarioSummary,
    Side,
    Skipped,
)
from dockwright.model.project import Service, discover

Log = Callable[[str], None]


class ColdMode(StrEnum):
    """How a cold build is kept away from earlier builds (docs/bench.md)."""

    NO_CACHE = "no-cache"  # --no-cache: layer cache ignored, cache mounts persist
    BUILDER = "builder"  # a throwaway buildx builder per cold build: nothing persists


@dataclass(frozen=True)
class BenchOptions:
    """What to measure."""

    path: Path
    baseline: str | None = None
    scenarios: tuple[Scenario, ...] = ALL_SCENARIOS
    repeat: int = 3
    services: tuple[str, ...] = ()
    cold: ColdMode = ColdMode.NO_CACHE
    keep_images: bool = False


@dataclass(frozen=True)
class Target:
    """One service on one side, in its temporary copy."""

    service: Service
    side: Side
    tag: str
    code: Edit | str  # the edit, or why there is none
    deps: Edit | str

    def step(self, no_cache: bool = False) -> BuildStep:
        """The build step for this target."""
        compose = self.service.compose[0] if self.service.compose else None
        s = self.service
        args = dict(compose.args) if compose else {}
        return BuildStep(
            s.name, s.context, s.dockerfile_path, (self.tag,), s.target, args, no_cache=no_cache
        )

    def edit(self, scenario: Scenario) -> Edit | str | None:
        """The change a scenario makes (None: no change)."""
        return {Scenario.CODE: self.code, Scenario.DEPS: self.deps}.get(scenario)


def tag_for(service: str, side: Side, nonce: str) -> str:
    """A unique, valid image tag."""
    repo = "".join(c if c.isalnum() or c in "._-" else "-" for c in service.lower()).strip("-._")
    return f"dockwright-bench/{repo or 'service'}:{side.value}-{nonce}"


def trees(options: BenchOptions, scratch: Path) -> dict[Side, Path]:
    """Temporary copies of PATH and the baseline (when given)."""
    found = {Side.AFTER: copy_tree(options.path, scratch / "after")}
    if options.baseline:
        found[Side.BEFORE] = baseline_tree(options.path, options.baseline, scratch / "before")
    return found


def targets(copies: dict[Side, Path], wanted: Sequence[str], nonce: str) -> list[Target]:
    """Every (service, side) to build, sorted by service then side."""
    out = []
    for side, root in copies.items():
        for s in discover([root]).services:
            if not wanted or s.name in wanted:
                out.append(
                    Target(s, side, tag_for(s.name, side, nonce), code_edit(s), deps_edit(s))
                )
    if not out:
        raise UsageError(f"no service to bench under {', '.join(str(p) for p in copies.values())}")
    return sorted(out, key=lambda t: (t.service.name, t.side is Side.AFTER))


def _sample(target: Target, scenario: Scenario, repeat: int, result: BuildResult) -> BuildSample:
    return BuildSample(
        service=target.service.name,
        side=target.side,
        scenario=scenario,
        repeat=repeat,
        seconds=result.seconds,
        ok=result.ok,
        steps=sum(1 for s in result.steps if s.is_instruction),
        cached_steps=result.cached_steps,
        error=result.error,
    )


def builder_argvs(engine: Engine, name: str) -> tuple[list[str], list[str]]:
    """(create, remove) command lines of a throwaway docker-container buildx builder (pure)."""
    create = engine.docker_argv("buildx", "create", "--name", name, "--driver", "docker-container")
    return [*create, "--bootstrap"], engine.docker_argv("buildx", "rm", "--force", name)


@contextmanager
def cold_engine(engine: Engine, mode: ColdMode) -> Iterator[Engine]:
    """The engine a cold build uses: the same one, or a fresh builder removed afterwards."""
    if mode is ColdMode.NO_CACHE:
        yield engine
        return
    if engine.kind is not ClientKind.BUILDX:
        raise UsageError("--cold builder needs docker buildx; this client has none (use no-cache)")
    name = f"dockwright-cold-{uuid.uuid4().hex[:8]}"
    create, remove = builder_argvs(engine, name)
    _subprocess.run(create, env=engine.env, timeout=600)
    try:
        yield replace(engine, builder=name)
    finally:
        _subprocess.run(remove, env=engine.env, check=False, timeout=120)


def build_once(
    engine: Engine, target: Target, scenario: Scenario, token: str, cold: ColdMode
) -> BuildResult | str:
    """Make the scenario's change, then build; a string says why it was skipped."""
    edit = target.edit(scenario)
    if isinstance(edit, str):
        return edit
    if edit is not None:
        edit.apply(token)
    if scenario is not Scenario.COLD:
        return run_step(engine, target.step())
    with cold_engine(engine, cold) as isolated:
        return run_step(isolated, target.step(no_cache=True))


def _skip(target: Target, scenario: Scenario, reason: str) -> Skipped:
    return Skipped(service=target.service.name, scenario=scenario, side=target.side, reason=reason)


def track(engine: Engine, ledger: ImageLedger, tag: str) -> None:
    """Record the image TAG names after a build; remove the image it superseded."""
    facts = image_facts(engine, tag)
    if facts is not None:
        remove_ids(engine, ledger.record(tag, *facts))


def prime(
    engine: Engine,
    targets: Sequence[Target],
    scenarios: Sequence[Scenario],
    ledger: ImageLedger,
    log: Log,
) -> tuple[list[Target], list[ImageRecord], list[Skipped]]:
    """Build each target once and inspect the image; (built targets, images, skipped)."""
    ready, images, skipped = [], [], []
    for target in targets:
        name = f"{target.side.value}/{target.service.name}"
        result = run_step(engine, target.step())
        track(engine, ledger, target.tag)
        if not result.ok:
            why = f"the first build failed: {result.error}"
            skipped += [_skip(target, scenario, why) for scenario in scenarios]
            log(f"{name}: build failed, not measured")
            continue
        s = target.service
        images.append(
            inspect_image(engine, target.tag, s.dockerfile, s.target, (s.name, target.side))
        )
        ready.append(target)
        log(f"{name}: built in {result.seconds:.1f}s, image inspected")
    return ready, images, skipped


def interleaved(targets: Sequence[Target], repeat: int) -> list[Target]:
    """Targets of one repeat: per service, before then after (after first on odd repeats)."""
    after_first = repeat % 2 == 1
    return sorted(targets, key=lambda t: (t.service.name, (t.side is Side.AFTER) != after_first))


def measure(
    engine: Engine, ready: Sequence[Target], options: BenchOptions, ledger: ImageLedger, log: Log
) -> tuple[list[BuildSample], list[Skipped]]:
    """Run every repeat of every scenario on every target, interleaving the sides."""
    samples: list[BuildSample] = []
    skipped: dict[tuple[str, Scenario, Side], Skipped] = {}
    nonce = uuid.uuid4().hex[:8]
    for repeat in range(options.repeat):
        for scenario in options.scenarios:
            for target in interleaved(ready, repeat):
                token = f"{nonce}-{repeat}-{target.side.value}-{target.service.name}"
                done = build_once(engine, target, scenario, token, options.cold)
                key = (target.service.name, scenario, target.side)
                if isinstance(done, str):
                    skipped.setdefault(key, _skip(target, scenario, done))
                    continue
                track(engine, ledger, target.tag)
                samples.append(_sample(target, scenario, repeat, done))
                log(_line(samples[-1]))
    return samples, list(skipped.values())


def _median(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None


def _line(s: BuildSample) -> str:
    state = "" if s.ok else " FAILED"
    return (
        f"{s.side.value}/{s.service} {s.scenario.value} #{s.repeat + 1}: {s.seconds:.1f}s "
        f"({s.cached_steps}/{s.steps} steps cached){state}"
    )


def summarize(samples: Sequence[BuildSample]) -> list[ScenarioSummary]:
    """Median seconds of the successful builds per service and scenario, both sides."""
    times: dict[tuple[str, Scenario], dict[Side, list[float]]] = {}
    for s in samples:
        sides = times.setdefault((s.service, s.scenario), {Side.BEFORE: [], Side.AFTER: []})
        if s.ok:
            sides[s.side].append(s.seconds)
    return [
        ScenarioSummary(
            service=service,
            scenario=scenario,
            before=_median(sides[Side.BEFORE]),
            after=_median(sides[Side.AFTER]),
            before_runs=len(sides[Side.BEFORE]),
            after_runs=len(sides[Side.AFTER]),
        )
        for (service, scenario), sides in times.items()
    ]


def run_info(engine: Engine, options: BenchOptions) -> RunInfo:
    """When, where and with what this run happens."""
    return RunInfo(
        started_at=datetime.now(UTC).isoformat(timespec="seconds"),
        git_commit=git_commit(options.path),
        engine_version=engine.server_version,
        client=engine.describe(),
        host=socket.gethostname(),
        path=str(options.path.resolve()),
        baseline=options.baseline,
        repeat=options.repeat,
        cold=options.cold.value,
    )


def remove_images(engine: Engine, ledger: ImageLedger, keep: bool) -> None:
    """Remove the tags (unless kept), then every image this run produced that is left."""
    if not keep:
        remove_tags(engine, sorted(ledger.ours))
    kept = set(ledger.current.values()) if keep else set()
    remove_ids(engine, [i for i in ledger.leftovers() if i not in kept])


def run_bench(engine: Engine, options: BenchOptions, log: Log = lambda _: None) -> BenchResult:
    """Measure every service of PATH (and the baseline) in every scenario."""
    if options.repeat < 1:
        raise UsageError("--repeat must be at least 1")
    info = run_info(engine, options)
    with interrupts_as_keyboard(), tempfile.TemporaryDirectory(prefix="dockwright-bench-") as tmp:
        planned = targets(trees(options, Path(tmp)), options.services, uuid.uuid4().hex[:8])
        ledger = ImageLedger(frozenset(t.tag for t in planned))
        try:
            ready, images, failed = prime(engine, planned, options.scenarios, ledger, log)
            samples, skipped = measure(engine, ready, options, ledger, log)
        finally:
            remove_images(engine, ledger, options.keep_images)
    return BenchResult(
        info=info,
        samples=tuple(samples),
        images=tuple(images),
        summaries=tuple(summarize(samples)),
        skipped=(*failed, *skipped),
    )
