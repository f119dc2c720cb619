"""Plan the optimization of a whole repository: every generated file and what it fixes.

`plan_optimization` is pure with respect to the repository: it reads it, asks the
per-service generators (Dockerfile, .dockerignore) and the repository-level writers (compose
overlays, missing-target fixes, bake file, Makefile) for their files, keeps those whose text
differs from the file on disk, and runs `analyze` before and after. The "after" analysis
runs on a scratch copy (hard links) of the repository with the new files in place, so the
plan can say which rule ids each change resolves and which fixable findings remain.
Writing is `generate.writer`'s job.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from dockwright.errors import UsageError
from dockwright.generate.bake import ServiceBuild, generate_bake, needed_context
from dockwright.generate.compose import compose_overlays, compose_root
from dockwright.generate.compose_fix import fix_compose_files
from dockwright.generate.files import GeneratedFile, OptimizeOptions
from dockwright.generate.makefile import MakeContext, generate_makefile
from dockwright.generate.writer import PlannedWrite, atomic_write, copy_tree, read_exact
from dockwright.model import dockerignore
from dockwright.model.dockerfile import parse_text
from dockwright.model.dockerignore import DockerIgnore, parse_patterns
from dockwright.model.findings import AnalysisResult, Finding
from dockwright.model.project import Project, Service, discover
from dockwright.rules.engine import analyze

__all__ = [
    "Analyzer",
    "FileChange",
    "Generators",
    "OptimizationPlan",
    "ServiceGenerator",
    "default_generators",
    "plan_optimization",
]

ServiceGenerator = Callable[[Service, Project, OptimizeOptions], GeneratedFile]
Analyzer = Callable[[Project], AnalysisResult]
ALWAYS_FIXED = frozenset({"DW601"})  # fixed by optimize though the rule carries no Fix


@dataclass(frozen=True)
class Generators:
    """The per-service generators (injectable for tests)."""

    dockerfile: ServiceGenerator
    dockerignore: ServiceGenerator


def default_generators() -> Generators:
    """The real generators (imported lazily: they are large)."""
    from dockwright.generate.dockerfile import optimize_dockerfile
    from dockwright.generate.dockerignore import generate_dockerignore

    return Generators(optimize_dockerfile, generate_dockerignore)


@dataclass(frozen=True)
class FileChange:
    """One file the plan creates or replaces (`path` relative to the root)."""

    path: Path
    before: str | None
    after: str
    resolves: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def created(self) -> bool:
        """True for a new file."""
        return self.before is None


@dataclass(frozen=True)
class OptimizationPlan:
    """The files to write and the analyses before and after them."""

    root: Path
    changes: tuple[FileChange, ...]
    before: AnalysisResult
    after: AnalysisResult
    notes: tuple[str, ...] = ()

    @property
    def resolved(self) -> tuple[Finding, ...]:
        """Findings of the original repository that the optimized one no longer has."""
        left = {_key(f, self.root) for f in self.after.findings}
        return tuple(f for f in self.before.findings if _key(f, self.root) not in left)

    @property
    def remaining_fixable(self) -> tuple[Finding, ...]:
        """Findings of the optimized repository that optimize should have fixed."""
        return tuple(f for f in self.after.findings if is_fixable(f))

    def writes(self) -> list[PlannedWrite]:
        """What the writer needs: relative path, expected current text, new text."""
        return [PlannedWrite(c.path, c.before, c.after) for c in self.changes]


def is_fixable(finding: Finding) -> bool:
    """True for findings `optimize` promises to fix (a Fix attached, or always fixed)."""
    return finding.fixable or finding.rule_id in ALWAYS_FIXED


def inside(path: Path, root: Path) -> Path | None:
    """`path` relative to `root` (symlinks in either resolved if needed); None when outside."""
    for base in dict.fromkeys((root, Path(os.path.realpath(root)))):
        for candidate in dict.fromkeys((path, Path(os.path.realpath(path)))):
            if candidate.is_relative_to(base):
                return candidate.relative_to(base)
    return None


def _rel(path: Path, root: Path) -> str:
    rel = inside(path, root)
    return rel.as_posix() if rel is not None else str(path)


def _key(finding: Finding, root: Path) -> tuple[str, str, str]:
    return finding.rule_id, finding.service, _rel(finding.location.path, root)


def _root(project: Project) -> Path:
    if len(project.roots) != 1 or not project.roots[0].is_dir():
        raise UsageError("optimize takes one repository folder")
    return project.roots[0]


def _image(project: Project, service: Service) -> str | None:
    for build in (b for b in service.compose if not b.is_overlay):
        for file in (f for f in project.compose_files if f.path == build.compose_file):
            found = next((s.image for s in file.services if s.name == build.service), None)
            if found:
                return found
    return None


def _service_files(
    project: Project, options: OptimizeOptions, generators: Generators
) -> tuple[list[GeneratedFile], list[ServiceBuild]]:
    files: list[GeneratedFile] = []
    builds: list[ServiceBuild] = []
    root = Path(os.path.realpath(_root(project)))
    for service in project.services:
        dockerfile = generators.dockerfile(service, project, options)
        ignore = generators.dockerignore(service, project, options)
        files += [dockerfile, ignore]
        parsed = parse_text(dockerfile.text, dockerfile.path)
        context = needed_context(service, parsed, root)
        rules = _ignore_rules(ignore, context, service.dockerfile_path)
        builds.append(ServiceBuild(service, parsed, _image(project, service), context, rules))
    return files, builds


def _ignore_rules(file: GeneratedFile, context: Path, dockerfile: Path) -> DockerIgnore:
    """The ignore rules the optimized build will use: the generated file when it applies."""
    applies = {dockerfile.with_name(dockerfile.name + ".dockerignore"), context / ".dockerignore"}
    if Path(os.path.realpath(file.path)) in applies:
        return DockerIgnore(file.path, parse_patterns(file.text))
    return dockerignore.load(context, dockerfile)


def _repo_files(
    project: Project, builds: Sequence[ServiceBuild], options: OptimizeOptions
) -> list[GeneratedFile]:
    root = _root(project)
    overlays = compose_overlays(builds, options, project.compose_files)
    files = [*overlays, *fix_compose_files(builds)]
    files.append(generate_bake(root, builds))
    files.append(generate_makefile(MakeContext(root, compose_root(builds, root))))
    return files


def _merge(files: Sequence[GeneratedFile]) -> dict[Path, GeneratedFile]:
    """One file per path; two generators asking for different texts is a bug."""
    merged: dict[Path, GeneratedFile] = {}
    for file in files:
        seen = merged.get(file.path)
        if seen is not None and seen.text != file.text:
            raise ValueError(f"two generators produced different texts for {file.path}")
        if seen is not None:
            file = replace(
                seen,
                resolves=tuple(dict.fromkeys(seen.resolves + file.resolves)),
                notes=tuple(dict.fromkeys(seen.notes + file.notes)),
            )
        merged[file.path] = file
    return merged


def _changes(root: Path, files: dict[Path, GeneratedFile]) -> tuple[list[FileChange], list[str]]:
    changes, notes = [], []
    for path, file in sorted(files.items()):
        rel = inside(path, root)
        if rel is None:
            notes.append(f"{path}: outside {root}; not written")
            continue
        before = read_exact(path)
        if before != file.text:
            changes.append(FileChange(rel, before, file.text, file.resolves, file.notes))
    return changes, notes


def _remap(result: AnalysisResult, scratch: Path, root: Path) -> AnalysisResult:
    def moved(finding: Finding) -> Finding:
        rel = inside(finding.location.path, scratch)
        if rel is None:
            return finding
        return replace(finding, location=replace(finding.location, path=root / rel))

    return replace(result, findings=tuple(moved(f) for f in result.findings), roots=(root,))


def analyze_after(root: Path, changes: Sequence[FileChange], analyzer: Analyzer) -> AnalysisResult:
    """`analyzer` on a scratch copy of `root` with the changes applied (paths mapped back)."""
    with tempfile.TemporaryDirectory(prefix="dockwright-plan-") as tmp:
        scratch = Path(os.path.realpath(tmp)) / root.name
        copy_tree(root, scratch, link=True)
        for change in changes:
            atomic_write(scratch / change.path, change.after)
        return _remap(analyzer(discover([scratch])), scratch, root)


def _attribute(
    changes: list[FileChange], plan: OptimizationPlan, dockerfiles: dict[str, Path]
) -> list[FileChange]:
    """Each change's rule ids: findings gone from its file (or its service's Dockerfile)."""
    ids: dict[Path, list[str]] = {c.path: [] for c in changes}
    for finding in plan.resolved:
        rel = Path(_rel(finding.location.path, plan.root))
        target = rel if rel in ids else dockerfiles.get(finding.service)
        if target in ids:
            ids[target].append(finding.rule_id)
    left = {(f.rule_id, _rel(f.location.path, plan.root)) for f in plan.after.findings}
    out = []
    for change in changes:
        claimed = [r for r in change.resolves if (r, change.path.as_posix()) not in left]
        out.append(replace(change, resolves=tuple(sorted({*ids[change.path], *claimed}))))
    return out


def plan_optimization(
    project: Project,
    options: OptimizeOptions | None = None,
    *,
    generators: Generators | None = None,
    analyzer: Analyzer = analyze,
) -> OptimizationPlan:
    """Every file `optimize` would write for `project`, with the rule ids each resolves."""
    root, options = _root(project), options or OptimizeOptions()
    service_files, builds = _service_files(project, options, generators or default_generators())
    merged = _merge([*service_files, *_repo_files(project, builds, options)]) if builds else {}
    changes, notes = _changes(root, merged)
    before = analyzer(project)
    after = analyze_after(root, changes, analyzer) if changes else before
    plan = OptimizationPlan(root, tuple(changes), before, after, tuple(notes))
    dockerfiles = {
        s.name: rel
        for s in project.services
        if (rel := inside(s.dockerfile_path, root)) is not None
    }
    return replace(plan, changes=tuple(_attribute(changes, plan, dockerfiles)))
