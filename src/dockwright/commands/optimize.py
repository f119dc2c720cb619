"""`dockwright optimize PATH [--write | --out DIR]`: plan, show or apply the optimized files.

Without `--write`/`--out` the unified diff goes to stdout (a patch `git apply` takes from
the repository root) and the summary to stderr; the exit code is 1 when there is something
to change, 0 when there is nothing. `--write` and `--out` exit 0 once written.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path
from typing import Annotated, cast, get_args

import typer

from dockwright import api
from dockwright.commands._shared import state, warn
from dockwright.errors import ExitCode, UsageError
from dockwright.generate.files import TorchChoice

PathArg = Annotated[
    Path, typer.Argument(metavar="PATH", help="Repository folder to optimize.", show_default=False)
]
WriteOpt = Annotated[
    bool, typer.Option("--write", help="Apply the changes in place (backups in .dockwright/).")
]
OutOpt = Annotated[
    Path | None,
    typer.Option("--out", metavar="DIR", help="Write an optimized copy of the repository to DIR."),
]
TorchOpt = Annotated[
    str, typer.Option("--torch", metavar="VARIANT", help="PyTorch wheels: auto, cpu or cuda.")
]
UidOpt = Annotated[int, typer.Option("--uid", help="UID/GID of the non-root production user.")]
BaseOpt = Annotated[
    str | None,
    typer.Option("--python-base", metavar="IMAGE", help="Base image for every stage."),
]
WheelhouseOpt = Annotated[
    str | None,
    typer.Option("--wheelhouse", metavar="DIR", help="Wheel folder in the build context."),
]
BytecodeOpt = Annotated[
    bool,
    typer.Option(
        "--bytecode/--no-bytecode",
        help="Compile .pyc files at install: faster starts (default); --no-bytecode: smaller "
        "images and faster dependency rebuilds, imports compiled at every start.",
    ),
]
ResolveOpt = Annotated[
    bool,
    typer.Option(
        "--resolve",
        help="Resolve dependencies first (as `deps` does; needs the package index) and drop "
        "compilers and -dev headers from build stages whose dependencies all come as wheels.",
    ),
]
DebugOpt = Annotated[bool, typer.Option("--debug", help="Show tracebacks of internal errors.")]


def register(app: typer.Typer) -> None:
    """Add the `optimize` command."""
    app.command("optimize")(optimize)


def _options(torch: str, uid: int, base: str | None, wheelhouse: str | None) -> api.OptimizeOptions:
    choices = get_args(TorchChoice)
    if torch not in choices:
        raise UsageError(f"--torch must be one of {', '.join(choices)}, not {torch!r}")
    if uid <= 0:
        raise UsageError("--uid must be a positive (non-root) id")
    return api.OptimizeOptions(
        torch=cast(TorchChoice, torch), uid=uid, python_base=base, wheelhouse=wheelhouse
    )


def _check_args(path: Path, write: bool, out: Path | None) -> None:
    if write and out is not None:
        raise UsageError("use --write or --out, not both")
    if not path.is_dir():
        raise UsageError(f"not a folder: {path}")


def optimize(
    ctx: typer.Context,
    path: PathArg,
    write: WriteOpt = False,
    out: OutOpt = None,
    torch: TorchOpt = "auto",
    uid: UidOpt = 10001,
    python_base: BaseOpt = None,
    wheelhouse: WheelhouseOpt = None,
    resolve: ResolveOpt = False,
    bytecode: BytecodeOpt = True,
    debug: DebugOpt = False,
) -> int:
    """Rewrite builds: multi-stage Dockerfiles, .dockerignore, compose overlays, bake, Makefile."""
    state(ctx).debug |= debug
    _check_args(path, write, out)
    options = replace(_options(torch, uid, python_base, wheelhouse), bytecode=bytecode)
    if resolve:
        options = replace(options, wheels_only=api.wheel_only_services(path))
    plan = api.optimize(path, options)
    if not plan.changes and out is None:
        warn("nothing to change")
        return ExitCode.OK
    warn(api.optimization_summary(plan).rstrip("\n"))
    if not write and out is None:
        sys.stdout.write(api.optimization_diff(plan))
        sys.stdout.flush()
        return ExitCode.FINDINGS
    result = api.write_optimization(plan, out)
    _report(result, out)
    return ExitCode.OK


def _report(result: api.WriteResult, out: Path | None) -> None:
    where = f" in {out}" if out is not None else ""
    warn(f"wrote {len(result.written)} file(s){where}")
    if result.backup_dir is not None:
        warn(f"backups of the replaced files: {result.backup_dir}")
