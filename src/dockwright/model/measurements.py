"""Plain records of measurements: bench samples, image layers, history points, regressions.

`dockwright.measure` produces them and stores them (SQLite, as JSON); `dockwright.report`
renders them. They are frozen pydantic models so a bench result round-trips through JSON.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class Scenario(StrEnum):
    """What changes before a measured build."""

    COLD = "cold"  # no layer cache (see docs/bench.md for what "cold" means per client)
    WARM = "warm"  # nothing changed since the last build
    CODE = "code"  # one Python source file the image copies was touched
    DEPS = "deps"  # one small pinned package was added to the requirements


class Side(StrEnum):
    """Which tree a measurement comes from."""

    BEFORE = "before"  # the baseline (a folder or a git ref)
    AFTER = "after"  # PATH


class Metric(StrEnum):
    """What a threshold watches."""

    TIME = "time"
    SIZE = "size"


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class BuildSample(_Record):
    """One measured build."""

    service: str
    side: Side
    scenario: Scenario
    repeat: int
    seconds: float
    ok: bool
    steps: int = 0
    cached_steps: int = 0
    error: str | None = None


class LayerRecord(_Record):
    """One filesystem layer of an image, attributed to the instruction that made it."""

    index: int
    size: int  # bytes of the layer tar (what `docker history` shows)
    content: int  # bytes of regular files in it
    wasted: int  # bytes of its files that later layers overwrite or delete
    files: int
    created_by: str
    dockerfile: str | None = None  # set when matched to a Dockerfile instruction
    line: int | None = None
    instruction: str | None = None

    @property
    def where(self) -> str:
        """`Dockerfile:12` when attributed, else `base image`."""
        return f"{self.dockerfile}:{self.line}" if self.dockerfile and self.line else "base image"


class WastedFile(_Record):
    """A file whose bytes stay in the image although a later layer replaced or deleted it."""

    path: str
    size: int
    layer: int  # index of the layer that added it
    removed_in: int  # index of the layer that overwrote or deleted it


class ImageRecord(_Record):
    """Size, layers and wasted bytes of one built image."""

    service: str
    side: Side
    tag: str
    size: int
    layers: tuple[LayerRecord, ...]
    wasted_files: tuple[WastedFile, ...] = ()  # the largest ones

    @property
    def wasted(self) -> int:
        """Total wasted bytes."""
        return sum(layer.wasted for layer in self.layers)


class ScenarioSummary(_Record):
    """Median build time of a service in one scenario, before and after, and their ratio."""

    service: str
    scenario: Scenario
    before: float | None = None
    after: float | None = None
    before_runs: int = 0
    after_runs: int = 0

    @property
    def ratio(self) -> float | None:
        """The after / before ratio (below 1: faster); None when a side is missing."""
        if self.before is None or self.after is None or self.before <= 0:
            return None
        return self.after / self.before


class Skipped(_Record):
    """A scenario that could not be measured for a service, and why."""

    service: str
    scenario: Scenario
    side: Side
    reason: str


class RunInfo(_Record):
    """Where and when a run happened."""

    started_at: str  # UTC, ISO 8601
    git_commit: str | None
    engine_version: str
    client: str
    host: str
    path: str
    baseline: str | None = None
    repeat: int = 1
    cold: str = "no-cache"  # how cold builds were isolated (docs/bench.md)


class BenchResult(_Record):
    """Everything one `dockwright bench` measured."""

    info: RunInfo
    samples: tuple[BuildSample, ...] = ()
    images: tuple[ImageRecord, ...] = ()
    summaries: tuple[ScenarioSummary, ...] = ()
    skipped: tuple[Skipped, ...] = ()

    @property
    def services(self) -> tuple[str, ...]:
        """Service names in first-seen order."""
        names = [s.service for s in self.summaries] + [i.service for i in self.images]
        return tuple(dict.fromkeys(names))

    def image(self, service: str, side: Side) -> ImageRecord | None:
        """The inspected image of a service on one side."""
        return next((i for i in self.images if i.service == service and i.side is side), None)


class TrendPoint(_Record):
    """One stored measurement, for trends over runs."""

    run_id: int
    started_at: str
    git_commit: str | None
    kind: str  # "bench" or "build"
    service: str
    scenario: str  # a Scenario value, or "build"
    side: Side
    seconds: float | None = None
    image_size: int | None = None


class Regression(_Record):
    """A latest measurement past a threshold compared with the previous one."""

    service: str
    scenario: str
    metric: Metric
    previous: float
    latest: float
    limit_pct: float

    @property
    def change_pct(self) -> float:
        """Relative change in percent."""
        return (self.latest - self.previous) / self.previous * 100 if self.previous else 0.0

    def line(self) -> str:
        """One line for terminals and CI logs."""
        return (
            f"{self.service}/{self.scenario}: {self.metric.value} {self.previous:g} -> "
            f"{self.latest:g} (+{self.change_pct:.1f}%, limit {self.limit_pct:g}%)"
        )
