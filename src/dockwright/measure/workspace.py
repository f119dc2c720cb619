"""Temporary copies of the trees a bench builds, and the git facts a run records.

The user's tree is never changed: PATH and a baseline folder are copied, a baseline git ref is
exported with `git archive` (nothing is checked out in, or registered with, the user's repo).
"""

from __future__ import annotations

import shutil
import tarfile
from pathlib import Path

from dockwright import _subprocess
from dockwright.errors import DockwrightError, UsageError

SKIPPED = (
    ".git",
    ".dockwright",
    ".venv",
    "venv",
    "node_modules",
    "__pycache__",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    ".tox",
)


def copy_tree(source: Path, scratch: Path, name: str | None = None) -> Path:
    """Copy `source` to `scratch/<name>` (symlinks kept, caches and VCS folders left out)."""
    if not source.is_dir():
        raise UsageError(f"not a directory: {source}")
    dest = scratch / (name or source.resolve().name)
    shutil.copytree(source, dest, symlinks=True, ignore=shutil.ignore_patterns(*SKIPPED))
    return dest


def _git(path: Path, *args: str) -> str | None:
    try:
        done = _subprocess.run(["git", "-C", str(path), *args], check=False, timeout=60)
    except DockwrightError:  # git not installed
        return None
    return done.stdout.strip() if done.ok else None


def export_ref(repo_path: Path, ref: str, scratch: Path, name: str) -> Path:
    """Export git `ref` of the repository holding `repo_path`; return the folder matching it."""
    top = _git(repo_path, "rev-parse", "--show-toplevel")
    if top is None:
        raise UsageError(f"--baseline {ref}: {repo_path} is not in a git repository")
    if _git(repo_path, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}") is None:
        raise UsageError(f"--baseline {ref}: no such git ref (nor a directory)")
    prefix = _git(repo_path, "rev-parse", "--show-prefix") or ""
    archive = scratch / "baseline.tar"
    _subprocess.run(["git", "-C", top, "archive", "--format=tar", "-o", str(archive), ref])
    dest = scratch / "ref" / name
    with tarfile.open(archive) as tar:
        tar.extractall(dest, filter="data")
    archive.unlink()
    folder = dest / prefix
    if not folder.is_dir():
        raise UsageError(f"--baseline {ref}: {prefix or '.'} does not exist at that ref")
    return folder


def baseline_tree(path: Path, baseline: str, scratch: Path) -> Path:
    """A copy of the baseline: a folder when `baseline` is one, else a git ref of PATH's repo.

    The copy gets PATH's folder name, so services are named alike on both sides.
    """
    candidate = Path(baseline)
    if candidate.is_dir():
        return copy_tree(candidate, scratch, path.resolve().name)
    return export_ref(path, baseline, scratch, path.resolve().name)


def git_commit(path: Path) -> str | None:
    """HEAD of the repository holding `path` (`-dirty` when it has uncommitted changes)."""
    head = _git(path, "rev-parse", "HEAD")
    if head is None:
        return None
    dirty = _git(path, "status", "--porcelain", "--untracked-files=no", "--", ".")
    return f"{head}-dirty" if dirty else head
