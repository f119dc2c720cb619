"""Progress sinks for parallel builds: a rich live bar per service, or plain lines for logs.

A sink is created per run and passed to the runner (never module-global). The runner calls
`step()` from its worker threads; `start()` and `finish()` frame each service.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from types import TracebackType
from typing import Protocol

from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from dockwright.build.progress import StepRecord
from dockwright.build.runner import BuildResult


@dataclass
class ServiceProgress:
    """What one service's build has done so far, from its step records."""

    steps: dict[int, StepRecord] = field(default_factory=dict)

    def update(self, record: StepRecord) -> None:
        """Take a new or changed step record."""
        if record.is_instruction:
            self.steps[record.vertex] = record

    @property
    def total(self) -> int:
        """Instruction steps known so far: the `[stage i/n]` totals of every stage seen.

        BuildKit shares identical vertices between concurrent builds, so a FROM step may carry
        another build's numbering: a stage's total comes from its later steps, and a stage of
        which only the FROM was seen counts 1.
        """
        totals: dict[str, int] = {}
        for record in self.steps.values():
            stage = record.stage or ""
            later = (record.position or 0) > 1
            totals[stage] = (
                max(totals.get(stage, 1), record.total or 1) if later else totals.get(stage, 1)
            )
        return sum(totals.values())

    @property
    def done(self) -> int:
        """Instruction steps finished (run, cached or failed)."""
        return sum(1 for r in self.steps.values() if r.finished)

    @property
    def cached(self) -> int:
        """Instruction steps answered from cache."""
        return sum(1 for r in self.steps.values() if r.cached)

    @property
    def current(self) -> str:
        """The step running now (else the last one seen)."""
        running = [r for r in self.steps.values() if not r.finished]
        pool = running or list(self.steps.values())
        return max(pool, key=lambda r: r.vertex).name if pool else "waiting"


class BuildSink(Protocol):
    """What `dockwright build` drives: the runner's ProgressSink plus start/finish."""

    def start(self, service: str) -> None:
        """A service is queued."""

    def step(self, service: str, record: StepRecord) -> None:
        """A step of a service started or finished."""

    def finish(self, service: str, result: BuildResult) -> None:
        """A service's build ended."""


class LiveSink:
    """One rich progress bar per service (for terminals)."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.progress = Progress(
            SpinnerColumn(),
            TextColumn("[bold]{task.fields[service]}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.description}"),
            TimeElapsedColumn(),
            console=console,
        )
        self._tasks: dict[str, TaskID] = {}
        self._state: dict[str, ServiceProgress] = {}
        self._lock = threading.Lock()

    def __enter__(self) -> LiveSink:
        self.progress.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.progress.stop()

    def start(self, service: str) -> None:
        """Add the service's bar (queued)."""
        with self._lock:
            self._state[service] = ServiceProgress()
            self._tasks[service] = self.progress.add_task("queued", total=None, service=service)

    def step(self, service: str, record: StepRecord) -> None:
        """Advance the service's bar."""
        with self._lock:
            state = self._state.setdefault(service, ServiceProgress())
            state.update(record)
            if service not in self._tasks:
                return
            text = escape(_short(state.current, self.console.width // 3))
            self.progress.update(
                self._tasks[service], total=state.total or None, completed=state.done,
                description=text,
            )  # fmt: skip

    def finish(self, service: str, result: BuildResult) -> None:
        """Fill the bar and show the outcome."""
        with self._lock:
            state = self._state.get(service, ServiceProgress())
            text = "[green]built" if result.ok else "[red]failed"
            total = max(state.total, state.done, 1)
            done = total if result.ok else state.done
            self.progress.update(
                self._tasks[service], total=total, completed=done, description=text
            )
            self.progress.stop_task(self._tasks[service])


class LineSink:
    """One line per finished step and per finished service (for logs and pipes)."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self._lock = threading.Lock()
        self._printed: set[tuple[str, int]] = set()

    def __enter__(self) -> LineSink:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        return None

    def start(self, service: str) -> None:
        """Nothing to show for a queued service."""

    def step(self, service: str, record: StepRecord) -> None:
        """Print an instruction step once, when it finishes."""
        if not record.is_instruction or not record.finished:
            return
        with self._lock:
            if (service, record.vertex) in self._printed:
                return
            self._printed.add((service, record.vertex))
            how = "CACHED" if record.cached else "ERROR" if record.error else f"{record.seconds}s"
            self.console.print(
                f"{service}: {record.name} [{how}]", markup=False, highlight=False, soft_wrap=True
            )

    def finish(self, service: str, result: BuildResult) -> None:
        """Print the outcome of a service."""
        with self._lock:
            outcome = "built" if result.ok else f"FAILED: {result.error or 'build failed'}"
            self.console.print(
                f"{service}: {outcome}", markup=False, highlight=False, soft_wrap=True
            )


def _short(text: str, width: int) -> str:
    width = max(width, 20)
    return text if len(text) <= width else text[: width - 1] + "…"


def make_sink(console: Console) -> LiveSink | LineSink:
    """A live sink on a terminal, a line sink otherwise."""
    return LiveSink(console) if console.is_terminal else LineSink(console)
