"""Rewrite a service's Dockerfile into `build`, `development` and `production` targets.

The service's behaviour is kept (CMD/ENTRYPOINT, ENV, EXPOSE, WORKDIR, ARGs, LABELs, copied
files); installs are redone with uv, BuildKit cache mounts and bind-mounted dependency
files; whatever the rewriter does not understand is carried over verbatim with a comment and
listed in the file's notes. The skeleton is the jinja2 template `templates/Dockerfile.j2`.
"""

from __future__ import annotations

from functools import cache

import jinja2

from dockwright.generate import svc_torch
from dockwright.generate.files import GeneratedFile, OptimizeOptions
from dockwright.generate.svc_plan import ServicePlan, plan_service
from dockwright.model.project import Project, Service
from dockwright.rules import registry
from dockwright.rules.engine import analyze_service

__all__ = ["DOCKERFILE_FIXES", "optimize_dockerfile", "render_dockerfile"]

DOCKERFILE_FIXES = frozenset(
    "DW101 DW102 DW103 DW104 DW107 DW108 DW109 DW110 DW111 DW112 DW201 DW202 DW205 DW206 "
    "DW208 DW210 DW211 DW301 DW302 DW401 DW402 DW403 DW408 DW411 DW415".split()
)
"""Rules whose findings the generated Dockerfile fixes (reported when the original has them)."""


@cache
def _template() -> jinja2.Template:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("dockwright.generate", "templates"),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
        autoescape=False,
    )
    return env.get_template("Dockerfile.j2")


def render_dockerfile(plan: ServicePlan) -> str:
    """The Dockerfile text for a plan."""
    values = {name: getattr(plan, name) for name in plan.__dataclass_fields__}
    return _template().render(**values, **svc_torch.TEMPLATE_VALUES)


def optimize_dockerfile(
    service: Service, project: Project, options: OptimizeOptions
) -> GeneratedFile:
    """The optimized Dockerfile for `service`, with the rule ids it fixes and notes."""
    plan = plan_service(service, project, options)
    notes = list(plan.notes)
    if plan.where.widened:
        notes.insert(0, f"build context: {plan.where.context} (widened for shared code)")
    return GeneratedFile(
        path=service.dockerfile_path,
        text=render_dockerfile(plan),
        resolves=_resolved(service, project),
        notes=tuple(dict.fromkeys(notes)),
    )


def _resolved(service: Service, project: Project) -> tuple[str, ...]:
    rules = [r for r in registry.all_rules() if r.id in DOCKERFILE_FIXES]
    found, _ = analyze_service(service, project, rules, {})
    return tuple(sorted({f.rule_id for f in found}))
