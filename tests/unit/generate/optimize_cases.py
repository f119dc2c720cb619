"""Golden cases of the per-service generators, and helpers to apply them to a copy.

A case is `tests/golden/optimize-<name>/` with `repo/` (a small repository; for the two
example stacks the repository is under examples/) and `expected/` (every generated file at
its path relative to the repository, plus NOTES.txt). Regenerate after an intended change:

    .venv/bin/python tests/unit/generate/optimize_cases.py [case ...]
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import yaml

from dockwright.generate.dockerfile import optimize_dockerfile
from dockwright.generate.dockerignore import generate_dockerignore
from dockwright.generate.files import GeneratedFile, OptimizeOptions
from dockwright.generate.svc_context import context_plan
from dockwright.model.project import Project, discover

ROOT = Path(__file__).resolve().parents[3]
GOLDEN = ROOT / "tests" / "golden"
EXAMPLES = {
    "optimize-example-transcription": ROOT / "examples" / "transcription-system",
    "optimize-example-voice": ROOT / "examples" / "voice-connector-llm",
}


def cases() -> list[Path]:
    """Every optimize golden case folder."""
    found = GOLDEN.glob("optimize-*")
    return sorted(p for p in found if (p / "repo").is_dir() or p.name in EXAMPLES)


def repo_of(case: Path) -> Path:
    """The repository a case optimizes."""
    return EXAMPLES.get(case.name, case / "repo")


def generate(project: Project, options: OptimizeOptions | None = None) -> list[GeneratedFile]:
    """Dockerfile and ignore file of every service."""
    options = options or OptimizeOptions()
    out: list[GeneratedFile] = []
    for service in project.services:
        out.append(optimize_dockerfile(service, project, options))
        out.append(generate_dockerignore(service, project, options))
    return out


def render_case(case: Path) -> dict[str, str]:
    """Relative path -> text of every generated file (and NOTES.txt) for a case."""
    repo = repo_of(case).resolve()
    files = generate(discover([repo]))
    rendered = {f.path.relative_to(repo).as_posix(): f.text for f in files}
    notes = [f"{f.path.relative_to(repo).as_posix()}: {n}" for f in files for n in f.notes]
    notes += [
        f"{f.path.relative_to(repo).as_posix()} resolves {' '.join(f.resolves)}" for f in files
    ]
    rendered["NOTES.txt"] = "\n".join(notes).replace(str(repo), "ROOT") + "\n"
    return rendered


def apply(project: Project, files: list[GeneratedFile]) -> None:
    """Write generated files in place and point compose at widened contexts (part B's job)."""
    for service in project.services:
        plan = context_plan(service, project)
        for build in service.compose if plan.widened else ():
            data = yaml.safe_load(build.compose_file.read_text())
            data["services"][build.service]["build"] = {
                "context": str(plan.context),
                "dockerfile": str(service.dockerfile_path),
            }
            build.compose_file.write_text(yaml.safe_dump(data))
    for file in files:
        file.path.write_text(file.text)


def copy_repo(case: Path, into: Path) -> Path:
    """A scratch copy of a case's repository (caches of the examples left out)."""
    target = into / repo_of(case).name
    ignore = shutil.ignore_patterns(".mypy_cache", ".ruff_cache", ".pytest_cache", "__pycache__")
    shutil.copytree(repo_of(case), target, ignore=ignore)
    return target


def main(argv: list[str]) -> int:
    for case in [c for c in cases() if not argv or c.name in argv]:
        expected = case / "expected"
        shutil.rmtree(expected, ignore_errors=True)
        for rel, text in render_case(case).items():
            (expected / rel).parent.mkdir(parents=True, exist_ok=True)
            (expected / rel).write_text(text, encoding="utf-8")
        print(f"wrote {expected.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    sys.exit(main(sys.argv[1:]))
