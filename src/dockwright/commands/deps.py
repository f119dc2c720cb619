"""`dockwright deps PATH...`: resolve every service and explain its conflicts.

Proposes (and with --fix writes) the smallest verified fix, aligns pins across services,
reports PyTorch/CUDA, sdist-only packages and runtime system libraries.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from dockwright import api
from dockwright.commands._shared import warn
from dockwright.errors import ExitCode, UsageError

PathsArg = Annotated[
    list[Path],
    typer.Argument(metavar="PATH...", help="Project folders, Dockerfiles or compose files."),
]
FormatOpt = Annotated[str, typer.Option("--format", "-f", help="terminal or json.")]
FixOpt = Annotated[bool, typer.Option("--fix", help="Write each verified conflict fix.")]
AlignOpt = Annotated[
    bool, typer.Option("--align", help="Align pins across services (verified, then written).")
]
LockOpt = Annotated[
    bool, typer.Option("--lock", help="Write a hashed lock beside loose requirements files.")
]
OfflineOpt = Annotated[
    bool, typer.Option("--offline", help="No network: resolve from --find-links only.")
]
LinksOpt = Annotated[
    list[Path] | None,
    typer.Option("--find-links", metavar="DIR", help="A wheelhouse folder (repeatable)."),
]


def register(app: typer.Typer) -> None:
    """Add the `deps` command."""
    app.command("deps")(deps)


def deps(
    paths: PathsArg,
    format: FormatOpt = "terminal",
    fix: FixOpt = False,
    align: AlignOpt = False,
    lock: LockOpt = False,
    offline: OfflineOpt = False,
    find_links: LinksOpt = None,
) -> int:
    """Resolve each service's dependencies for its image; find and fix conflicts."""
    links = tuple(find_links or ())
    _check(paths, format, offline, links)
    options = api.DepsOptions(fix=fix, align=align, lock=lock, offline=offline, find_links=links)
    report = api.deps(paths, options)
    for error in report.errors:
        warn(f"error: {error.one_line()}")
    sys.stdout.write(api.render_deps(report, format, path_base=Path.cwd()))
    unresolved = [c for c in report.conflicts if not (c.fix and c.fix.applied)]
    return ExitCode.FINDINGS if unresolved or report.errors else ExitCode.OK


def _check(paths: list[Path], format: str, offline: bool, links: tuple[Path, ...]) -> None:
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise UsageError(f"no such file or directory: {', '.join(missing)}")
    if format not in {"terminal", "json"}:
        raise UsageError(f"unknown format {format!r} (expected terminal or json)")
    if offline and not links:
        raise UsageError("--offline needs --find-links DIR (a wheelhouse)")
    bad = [str(p) for p in links if not p.is_dir()]
    if bad:
        raise UsageError(f"--find-links: not a folder: {', '.join(bad)}")
