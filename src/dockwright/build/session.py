"""One `dockwright build` run: build the plan in parallel, measure images, validate them.

Builds run on the runner's thread pool with a progress sink; validations run one at a time
afterwards (they start containers on the host network, where two services may want one port).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from dockwright import _subprocess
from dockwright.build.engine import Engine
from dockwright.build.plan import BuildStep
from dockwright.build.runner import BuildResult, run_plan
from dockwright.build.sink import BuildSink
from dockwright.build.validate import ValidateOptions, ValidationResult, validate_image
from dockwright.errors import DockwrightError


@dataclass(frozen=True)
class ServiceOutcome:
    """A service's build result, its image size and (when asked) its validation."""

    result: BuildResult
    image_size: int | None = None
    validation: ValidationResult | None = None

    @property
    def service(self) -> str:
        """The service name."""
        return self.result.service

    @property
    def image(self) -> str:
        """The image's primary tag."""
        return self.result.tags[0] if self.result.tags else ""


def image_size(engine: Engine, image: str) -> int | None:
    """The image's size in bytes (None when it cannot be inspected)."""
    argv = engine.docker_argv("image", "inspect", "--format", "{{.Size}}", image)
    try:
        done = _subprocess.run(argv, check=False, timeout=60)
    except DockwrightError:
        return None
    text = done.stdout.strip()
    return int(text) if done.ok and text.isdigit() else None


def run_build(
    engine: Engine,
    steps: Sequence[BuildStep],
    sink: BuildSink,
    jobs: int | None = None,
    validate: ValidateOptions | None = None,
) -> list[ServiceOutcome]:
    """Build every step (one failure does not stop the others), then size and validate images."""
    for step in steps:
        sink.start(step.service)
    results = run_plan(engine, steps, jobs, sink, lambda r: sink.finish(r.service, r))
    return [_outcome(engine, result, validate) for result in results]


def _outcome(
    engine: Engine, result: BuildResult, validate: ValidateOptions | None
) -> ServiceOutcome:
    if not result.ok or not result.tags:
        return ServiceOutcome(result)
    image = result.tags[0]
    checked = validate_image(engine, image, result.service, validate) if validate else None
    return ServiceOutcome(result, image_size(engine, image), checked)
