"""Compute a `.dockerignore` from a service's real build context.

Excluded: git-ignored files (translated from every `.gitignore` in the context), VCS data,
virtualenvs and tool caches, `.env*` and key files, tests and docs, data and model folders
(never folders inside a Python package: those are package data), large data files, and the
folders of the other services sharing the context. Kept: every path a COPY/ADD or a bind
mount of the generated Dockerfile reads, and the README that pyproject names — checked
against the patterns with Docker's own matching rules, and re-included when a pattern
would drop one.
"""

from __future__ import annotations

import posixpath
from pathlib import Path

from dockwright.generate import svc_source
from dockwright.generate.dockerfile import render_dockerfile
from dockwright.generate.files import GeneratedFile, OptimizeOptions
from dockwright.generate.svc_context import ContextPlan
from dockwright.generate.svc_plan import ServicePlan, plan_service
from dockwright.model.context import ContextEntry, scan_context
from dockwright.model.dockerfile import parse_text
from dockwright.model.dockerignore import DockerIgnore, parse_patterns
from dockwright.model.project import Project, Service
from dockwright.rules import registry
from dockwright.rules.engine import analyze_service

__all__ = ["IGNORE_FIXES", "generate_dockerignore", "needed_paths"]

IGNORE_FIXES = frozenset("DW207 DW303 DW501 DW502 DW503 DW504".split())
JUNK = (
    ".git",
    ".hg",
    ".svn",
    "**/__pycache__",
    "**/*.py[cod]",
    "**/.pytest_cache",
    "**/.mypy_cache",
    "**/.ruff_cache",
    "**/.tox",
    "**/.nox",
    "**/.ipynb_checkpoints",
    "**/node_modules",
    "**/.venv",
    "**/venv",
    "**/*.egg-info",
    "**/.coverage",
    "**/htmlcov",
    "**/.DS_Store",
    "**/.idea",
    "**/.vscode",
)
SECRETS = (
    "**/.env",
    "**/.env.*",
    "**/*.pem",
    "**/*.key",
    "**/id_rsa*",
    "**/id_ed25519*",
    "**/.netrc",
    "**/.pypirc",
    "**/.npmrc",
    "**/*.p12",
    "**/*.pfx",
    "**/.aws",
    "**/.ssh",
)
NOT_FOR_PRODUCTION = (
    "**/tests",
    "**/docs",
    "**/*.md",
    "**/conftest.py",
    "**/pytest.ini",
    "**/tox.ini",
    "**/.github",
    "**/docker-compose*.yml",
    "**/docker-compose*.yaml",
    "**/compose*.yml",
    "**/compose*.yaml",
)
DATA_FOLDERS = frozenset("data datasets dataset models model checkpoints weights outputs".split())
DATA_SUFFIXES = frozenset(
    ".pt .pth .bin .safetensors .onnx .ckpt .h5 .gguf .pkl .joblib .npy .npz .parquet .arrow "
    ".csv .tsv .jsonl .sqlite .db .zip .tar .tgz .gz .7z .wav .mp3 .flac .ogg .m4a .mp4 .mkv "
    ".mov".split()
)
BIG_FILE = 1024 * 1024
_JUNK_DIRS = frozenset(p.removeprefix("**/") for p in JUNK if "*" not in p.removeprefix("**/"))


def generate_dockerignore(
    service: Service, project: Project, options: OptimizeOptions
) -> GeneratedFile:
    """The ignore file for the generated Dockerfile's build context (see module docstring)."""
    plan = plan_service(service, project, options)
    where = plan.where
    assert where.ignore_file is not None
    entries = scan_context(where.context, DockerIgnore(None)).entries
    dockerfile = render_dockerfile(plan)
    sections = _sections(service, project, where, entries) + _wheelhouse(plan, options, dockerfile)
    text = _join(sections)
    needed = needed_paths(plan, dockerfile)
    keep = [p for p in needed if _excluded(text, p)]
    if keep:
        text += _join([("Needed by the Dockerfile or the package build", [f"!{p}" for p in keep])])
    notes = [f"re-included for the build: {', '.join(keep)}"] if keep else []
    still = [p for p in needed if _excluded(text, p)]
    notes += [f"still excluded (check by hand): {', '.join(still)}"] if still else []
    return GeneratedFile(where.ignore_file, text, _resolved(service, project), tuple(notes))


def _sections(
    service: Service, project: Project, where: ContextPlan, entries: tuple[ContextEntry, ...]
) -> list[tuple[str, list[str]]]:
    return [
        ("Kept from the existing ignore file", _existing(service)),
        ("Ignored by git", _gitignored(where.context, entries)),
        ("Version control, virtualenvs, caches", list(JUNK)),
        ("Secrets and keys", list(SECRETS)),
        ("Tests, docs and compose files (not needed in the image)", list(NOT_FOR_PRODUCTION)),
        ("Data and model files (mount them at run time)", _data(entries)),
        ("Other services in this context", _other_services(service, project, where)),
    ]


def _wheelhouse(
    plan: ServicePlan, options: OptimizeOptions, dockerfile: str
) -> list[tuple[str, list[str]]]:
    """An unused wheelhouse stays out of the context (a mounted or named one is kept)."""
    folder = (options.wheelhouse or "").strip("/")
    if not folder or svc_source.mounted([plan.install, plan.dev_install]):
        return []
    if posixpath.basename(folder) in dockerfile:
        return []  # a kept instruction may read it
    return [("Wheelhouse (not used by this Dockerfile)", [folder])]


def _join(sections: list[tuple[str, list[str]]]) -> str:
    out: list[str] = []
    for title, lines in sections:
        if lines:
            out += ["" if out else "# Generated by dockwright optimize.", f"# {title}", *lines]
    return "\n".join(out) + "\n"


def _existing(service: Service) -> list[str]:
    path = service.dockerignore.path
    if path is None:
        return []
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    marker = "# Generated by dockwright optimize."
    if lines[:1] == [marker]:
        return []  # our own output: regenerated from scratch
    return [ln for ln in lines if ln.strip()]


def gitignore_pattern(line: str, base: str) -> str | None:
    """A `.gitignore` line (of the file in folder `base`) as a `.dockerignore` pattern."""
    text = line.strip()
    if not text or text.startswith("#"):
        return None
    negate = text.startswith("!")
    body = (text[1:] if negate else text).rstrip("/")
    if not body:
        return None
    anchored = body.startswith("/") or "/" in body
    body = body.lstrip("/")
    pattern = body if anchored or body.startswith("**/") else f"**/{body}"
    pattern = posixpath.join(base, pattern) if base else pattern
    return ("!" if negate else "") + pattern


def _gitignored(context: Path, entries: tuple[ContextEntry, ...]) -> list[str]:
    found: list[str] = []
    for entry in entries:
        in_junk = _JUNK_DIRS & set(entry.rel.split("/")[:-1])
        if not in_junk and (entry.rel == ".gitignore" or entry.rel.endswith("/.gitignore")):
            base = posixpath.dirname(entry.rel)
            text = (context / entry.rel).read_text(encoding="utf-8", errors="replace")
            found += [p for ln in text.splitlines() if (p := gitignore_pattern(ln, base))]
    return list(dict.fromkeys(found))


def _data(entries: tuple[ContextEntry, ...]) -> list[str]:
    packages = {posixpath.dirname(e.rel) for e in entries if e.rel.endswith("__init__.py")}
    folders: set[str] = set()
    files: list[str] = []
    for entry in entries:
        parts = entry.rel.split("/")
        for depth, part in enumerate(parts[:-1]):
            folder = "/".join(parts[: depth + 1])
            if part in DATA_FOLDERS and posixpath.dirname(folder) not in packages:
                folders.add(folder)
                break
        else:
            suffix = posixpath.splitext(entry.rel)[1].lower()
            if entry.size >= BIG_FILE and suffix in DATA_SUFFIXES:
                files.append(entry.rel)
    return [*sorted(folders), *sorted(files)]


def _other_services(service: Service, project: Project, where: ContextPlan) -> list[str]:
    mine = service.dockerfile_path.parent
    shared = [s.path for s in where.shared]
    found: set[str] = set()
    for other in project.services:
        folder = other.dockerfile_path.parent
        if (
            folder == where.context
            or not folder.is_relative_to(where.context)
            or mine.is_relative_to(folder)
            or any(p.is_relative_to(folder) for p in shared)
        ):
            continue
        found.add(where.rel(folder))
    return sorted(found)


def needed_paths(plan: ServicePlan, dockerfile_text: str) -> list[str]:
    """Context paths the generated Dockerfile reads (COPY/ADD sources, bind mounts, README)."""
    df = parse_text(dockerfile_text, plan.where.context / "Dockerfile")
    found: list[str] = []
    for ins in df.instructions():
        if ins.cmd in {"COPY", "ADD"} and ins.flag("from") is None:
            found += [s for s in ins.sources if "://" not in s]
        for mount in ins.mounts() if ins.cmd == "RUN" else []:
            if mount.type == "bind" and "from" not in mount.options:
                found.append(mount.options.get("source", mount.options.get("src", ".")))
    found += [plan.readme] if plan.readme else []
    paths = [posixpath.normpath(p.lstrip("/")) for p in found if not any(c in p for c in "*?[$")]
    return [p for p in dict.fromkeys(paths) if p != "."]


def _excluded(text: str, rel: str) -> bool:
    return DockerIgnore(Path(".dockerignore"), parse_patterns(text)).excluded(rel)


def _resolved(service: Service, project: Project) -> tuple[str, ...]:
    rules = [r for r in registry.all_rules() if r.id in IGNORE_FIXES]
    found, _ = analyze_service(service, project, rules, {})
    return tuple(sorted({f.rule_id for f in found}))
