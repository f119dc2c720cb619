"""Run the selected rules over every service of a project."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from dockwright.model.findings import AnalysisResult, Finding, Problem, Severity
from dockwright.model.project import Project, Service
from dockwright.rules import registry, suppress
from dockwright.rules.base import Rule, RuleContext


@dataclass(frozen=True)
class RuleSelection:
    """Which rules run: id prefixes to select and ignore, globally and per service."""

    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    per_service: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def for_service(self, name: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(select, ignore) for one service, its overrides applied."""
        over = self.per_service.get(name, {})
        sel = tuple(over.get("select", self.select))
        ign = tuple(self.ignore) + tuple(over.get("ignore", ()))
        return sel, ign


def _run_rule(rule: Rule, ctx: RuleContext) -> tuple[list[Finding], list[Problem]]:
    try:
        return list(rule.check(ctx)), []
    except Exception as exc:  # a broken rule must not stop the analysis
        message = f"internal error in rule {rule.id}: {type(exc).__name__}: {exc}"
        return [], [Problem(ctx.dockerfile.path, message, service=ctx.service.name)]


def analyze_service(
    service: Service, project: Project, rules: Sequence[type[Rule]], options: Mapping[str, Any]
) -> tuple[list[Finding], list[Problem]]:
    """Findings (suppressions applied) and problems for one service."""
    ctx = RuleContext(service, project, options)
    silenced = suppress.parse(service.dockerfile)
    findings: list[Finding] = []
    problems: list[Problem] = []
    for rule_cls in rules:
        found, broken = _run_rule(rule_cls(), ctx)
        problems.extend(broken)
        findings.extend(
            f for f in found if not _silenced(f, rule_cls, silenced, service.dockerfile_path)
        )
    return findings, problems


def _silenced(
    finding: Finding, rule: type[Rule], silenced: suppress.Suppressions, path: object
) -> bool:
    """Suppression comments live in the Dockerfile and only silence findings located there."""
    return finding.location.path == path and silenced.silences(finding, rule.hadolint)


def _dedupe(findings: list[Finding]) -> list[Finding]:
    seen: set[tuple[str, str, int, str]] = set()
    unique = []
    for f in findings:
        key = (f.rule_id, str(f.location.path), f.location.line, f.message)
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return unique


def analyze(project: Project, selection: RuleSelection | None = None) -> AnalysisResult:
    """Run rules on every service; a Dockerfile shared by services is reported once."""
    selection = selection or RuleSelection()
    every = registry.all_rules()
    findings: list[Finding] = []
    problems = list(project.problems)
    ran: dict[str, type[Rule]] = {}
    for service in project.services:
        sel, ign = selection.for_service(service.name)
        rules = registry.select(every, sel, ign)
        ran.update({r.id: r for r in rules})
        found, broken = analyze_service(
            service, project, rules, selection.per_service.get(service.name, {})
        )
        findings.extend(found)
        problems.extend(broken)
    ordered = sorted(
        _dedupe(findings),
        key=lambda f: (f.service, str(f.location.path), f.location.line, f.rule_id),
    )
    return AnalysisResult(
        findings=tuple(ordered),
        problems=tuple(problems),
        rules=tuple(r.info() for r in sorted(ran.values(), key=lambda r: r.id)),
        services=tuple(s.name for s in project.services),
        roots=project.roots,
    )


def worst(findings: Sequence[Finding]) -> Severity | None:
    """Highest severity among findings."""
    return max((f.severity for f in findings), key=lambda s: s.value, default=None)
