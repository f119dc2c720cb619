"""Run a build plan on a bounded thread pool; one result per step, never an exception mid-plan."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from dockwright import _subprocess
from dockwright.build.engine import Engine
from dockwright.build.plan import BuildStep, build_argv
from dockwright.build.progress import ProgressParser, ProgressSink, StepRecord
from dockwright.errors import DockwrightError


@dataclass(frozen=True)
class BuildResult:
    """Outcome of one build step."""

    service: str
    ok: bool
    seconds: float
    steps: tuple[StepRecord, ...]
    tags: tuple[str, ...]
    command: tuple[str, ...]
    error: str | None = None
    warnings: tuple[str, ...] = ()  # e.g. a cache push that failed after a good build

    @property
    def cached_steps(self) -> int:
        """Dockerfile steps BuildKit answered from cache."""
        return sum(1 for s in self.steps if s.is_instruction and s.cached)


def _error_text(records: list[StepRecord], output: str) -> str:
    failed = [r for r in records if r.error]
    if failed:
        last = failed[-1]
        return "\n".join([f"{last.name}: {last.error}", *last.log_tail])
    return "\n".join(output.strip().splitlines()[-15:]) or "build failed"


def run_step(engine: Engine, step: BuildStep, sink: ProgressSink | None = None) -> BuildResult:
    """Build one step, streaming BuildKit progress into a parser (and the sink)."""
    argv = build_argv(engine, step)
    parser = ProgressParser(step.service, sink)
    try:
        done = _subprocess.stream(argv, parser.feed, cwd=step.context, env=engine.env)
    except DockwrightError as exc:
        return BuildResult(step.service, False, 0.0, (), step.tags, tuple(argv), exc.one_line())
    records = parser.records()
    error = None if done.ok else _error_text(records, done.stdout)
    warnings = push_tags(engine, step.push) if done.ok else ()
    return BuildResult(
        step.service, done.ok, done.seconds, tuple(records), step.tags, tuple(argv), error, warnings
    )


def push_tags(engine: Engine, tags: Sequence[str]) -> tuple[str, ...]:
    """Push each tag (the inline registry cache); one warning per tag that could not be pushed."""
    warnings = []
    for tag in tags:
        try:
            done = _subprocess.run(engine.docker_argv("push", tag), check=False, timeout=600)
        except DockwrightError as exc:
            warnings.append(f"cache push {tag}: {exc.one_line()}")
            continue
        if not done.ok:
            lines = (done.stderr or done.stdout).strip().splitlines()
            warnings.append(f"cache push {tag} failed: {lines[-1] if lines else done.returncode}")
    return tuple(warnings)


def default_jobs() -> int:
    """Parallel builds by default: the number of cores."""
    return max(1, os.cpu_count() or 1)


def run_plan(
    engine: Engine,
    steps: Sequence[BuildStep],
    jobs: int | None = None,
    sink: ProgressSink | None = None,
    on_done: Callable[[BuildResult], None] | None = None,
) -> list[BuildResult]:
    """Build every step, up to `jobs` at once; results come back in plan order.

    `on_done` (optional) is called from the worker thread as soon as each step's build ends.
    """

    def one(step: BuildStep) -> BuildResult:
        result = run_step(engine, step, sink)
        if on_done is not None:
            on_done(result)
        return result

    with ThreadPoolExecutor(max_workers=jobs or default_jobs()) as pool:
        futures = [pool.submit(one, step) for step in steps]
        return [f.result() for f in futures]
