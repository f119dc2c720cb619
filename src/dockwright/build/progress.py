"""Parse BuildKit's plain progress output (`--progress plain`) into typed step records.

Lines look like `#7 [base 3/5] COPY requirements.txt .`, `#7 0.512 log text`, `#7 CACHED`,
`#7 DONE 2.3s` and `#7 ERROR: ...`; the same vertex id can reappear interleaved with others.
The parser is fed one line at a time, so a progress sink can show live state.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Protocol

_HEADER = re.compile(
    r"^#(\d+) \[(?:(?P<stage>[^\]\s]+) )?(?P<pos>\d+)/(?P<total>\d+)\] (?P<text>.*)$"
)
_NAMED = re.compile(r"^#(\d+) (?P<text>\[internal\].*|exporting .*|\[[^\]]+\] .*|resolve .*)$")
_DONE = re.compile(r"^#(\d+) DONE (?P<secs>[\d.]+)s$")
_CACHED = re.compile(r"^#(\d+) CACHED$")
_ERROR = re.compile(r"^#(\d+) (?:ERROR|error): ?(?P<msg>.*)$")
_LOG = re.compile(r"^#(\d+) (?:(?P<t>\d+\.\d+) )?(?P<text>.*)$")


@dataclass(frozen=True)
class StepRecord:
    """One BuildKit vertex: a Dockerfile step or an internal one."""

    vertex: int
    name: str
    stage: str | None = None
    position: int | None = None  # i in [stage i/n]
    total: int | None = None
    cached: bool = False
    seconds: float | None = None
    error: str | None = None
    log_tail: tuple[str, ...] = ()

    @property
    def is_instruction(self) -> bool:
        """True for Dockerfile instructions (not internal steps or export)."""
        return self.position is not None

    @property
    def finished(self) -> bool:
        """True once DONE, CACHED or ERROR was seen."""
        return self.cached or self.seconds is not None or self.error is not None


class ProgressSink(Protocol):
    """Receives live step updates for one service."""

    def step(self, service: str, record: StepRecord) -> None:
        """Called whenever a step starts or finishes."""


@dataclass
class ProgressParser:
    """Stateful line parser for one build."""

    service: str = ""
    sink: ProgressSink | None = None
    log_lines: int = 8
    steps: dict[int, StepRecord] = field(default_factory=dict)

    def feed(self, line: str) -> None:
        """Consume one output line."""
        line = line.rstrip("\n")
        for handler in (self._header, self._done, self._cached, self._error, self._log):
            if handler(line):
                return

    def records(self) -> list[StepRecord]:
        """Steps in vertex order."""
        return [self.steps[k] for k in sorted(self.steps)]

    def _update(self, vertex: int, record: StepRecord, notify: bool = True) -> bool:
        self.steps[vertex] = record
        if notify and self.sink is not None:
            self.sink.step(self.service, record)
        return True

    def _header(self, line: str) -> bool:
        match = _HEADER.match(line)
        if match:
            vertex = int(match.group(1))
            record = StepRecord(
                vertex,
                match.group("text"),
                match.group("stage"),
                int(match.group("pos")),
                int(match.group("total")),
            )
            return vertex in self.steps or self._update(vertex, record)
        named = _NAMED.match(line)
        if named and int(named.group(1)) not in self.steps:
            return self._update(
                int(named.group(1)), StepRecord(int(named.group(1)), named.group("text"))
            )
        return False

    def _get(self, vertex: int) -> StepRecord:
        return self.steps.get(vertex) or StepRecord(vertex, f"#{vertex}")

    def _done(self, line: str) -> bool:
        match = _DONE.match(line)
        if not match:
            return False
        vertex = int(match.group(1))
        return self._update(vertex, replace(self._get(vertex), seconds=float(match.group("secs"))))

    def _cached(self, line: str) -> bool:
        match = _CACHED.match(line)
        if not match:
            return False
        vertex = int(match.group(1))
        return self._update(vertex, replace(self._get(vertex), cached=True))

    def _error(self, line: str) -> bool:
        match = _ERROR.match(line)
        if not match:
            return False
        vertex = int(match.group(1))
        return self._update(vertex, replace(self._get(vertex), error=match.group("msg")))

    def _log(self, line: str) -> bool:
        match = _LOG.match(line)
        if not match or not match.group("t"):
            return False
        vertex = int(match.group(1))
        record = self._get(vertex)
        tail = (*record.log_tail, match.group("text"))[-self.log_lines :]
        return self._update(vertex, replace(record, log_tail=tail), notify=False)


def summarize(records: list[StepRecord]) -> tuple[int, int, float]:
    """(instruction steps, cached instruction steps, seconds spent in instruction steps)."""
    steps = [r for r in records if r.is_instruction]
    cached = sum(1 for r in steps if r.cached)
    return len(steps), cached, sum(r.seconds or 0.0 for r in steps)
