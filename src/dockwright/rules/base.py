"""The Rule base class and the context a rule checks."""

from __future__ import annotations

import inspect
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from dockwright.model.dockerfile import Dockerfile, Instruction, Stage
from dockwright.model.findings import Cost, Finding, Fix, Group, Location, RuleInfo, Severity
from dockwright.model.project import Project, Service


@dataclass(frozen=True)
class RuleContext:
    """What a rule sees: one service, the whole project, and per-service options."""

    service: Service
    project: Project
    options: Mapping[str, Any] = field(default_factory=dict)

    @property
    def dockerfile(self) -> Dockerfile:
        """The service's Dockerfile."""
        return self.service.dockerfile

    @property
    def target(self) -> str | None:
        """The build target (None: the last stage)."""
        return self.service.target

    @property
    def final_stage(self) -> Stage | None:
        """The stage the image is built from."""
        return self.dockerfile.stage(self.target)

    def runtime_stages(self) -> list[Stage]:
        """Stages whose layers end up in the final image (target and its FROM ancestors)."""
        return self.dockerfile.image_stages(self.target)

    def is_runtime(self, stage: Stage | int) -> bool:
        """True when the stage's layers are in the final image."""
        index = stage if isinstance(stage, int) else stage.index
        return any(s.index == index for s in self.runtime_stages())

    def runtime_context_copies(self) -> list[Instruction]:
        """COPY/ADD from the build context (no `--from`) in runtime stages, in file order."""
        return [i for i in self.runtime_instructions("COPY", "ADD") if i.flag("from") is None]

    def runtime_instructions(self, *cmds: str) -> list[Instruction]:
        """Instructions of the given kinds in runtime stages, in file order."""
        stages = sorted(self.runtime_stages(), key=lambda s: s.index)
        return [i for s in stages for i in s.instructions if not cmds or i.cmd in cmds]


class Rule:
    """Base class: subclasses declare id, name, severity, group and implement `check`."""

    id: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[Severity]
    group: ClassVar[Group]
    fixable: ClassVar[bool] = False
    hadolint: ClassVar[tuple[str, ...]] = ()  # hadolint rules this one twins (DLxxxx)
    config_keys: ClassVar[tuple[str, ...]] = ()

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        """Yield findings for one service."""
        raise NotImplementedError

    @classmethod
    def summary(cls) -> str:
        """First line of the docstring."""
        return (inspect.getdoc(cls) or "").splitlines()[0].strip() if cls.__doc__ else ""

    @classmethod
    def rationale(cls) -> str:
        """The docstring after the summary line."""
        doc = inspect.getdoc(cls) or ""
        return "\n".join(doc.splitlines()[1:]).strip()

    @classmethod
    def info(cls) -> RuleInfo:
        """Plain description for reporters and docs."""
        return RuleInfo(
            cls.id,
            cls.name,
            cls.severity,
            cls.group,
            cls.summary(),
            cls.rationale(),
            cls.fixable,
            cls.hadolint,
        )

    def report(
        self,
        ctx: RuleContext,
        where: Instruction | Location,
        message: str,
        *,
        cost: Cost | None = None,
        fix: Fix | None = None,
        column: int = 1,
    ) -> Finding:
        """Build a Finding at an instruction (of the service's Dockerfile) or a location."""
        if isinstance(where, Instruction):
            where = Location(ctx.dockerfile.path, where.line, column, where.end_line)
        return Finding(
            rule_id=self.id,
            rule_name=self.name,
            severity=self.severity,
            group=self.group,
            location=where,
            message=message,
            rationale=self.summary(),
            service=ctx.service.name,
            cost=cost,
            fix=fix,
        )
