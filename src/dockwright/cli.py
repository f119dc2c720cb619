"""The `dockwright` command: parse options, run a command module, map errors to exit codes.

Commands live in `dockwright.commands` (one module each); this module only wires them up.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Sequence
from typing import Annotated

import typer
from typer.exceptions import TyperException

from dockwright import __version__, commands
from dockwright.commands._shared import RunState, state
from dockwright.errors import DockwrightError, ExitCode

app = typer.Typer(
    name="dockwright",
    help="Make the container builds of Python services fast, small and safe.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
commands.register_all(app)


def _version(value: bool) -> None:
    if value:
        print(f"dockwright {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    ctx: typer.Context,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
    debug: Annotated[
        bool, typer.Option("--debug", help="Show tracebacks of internal errors.")
    ] = False,
) -> None:
    state(ctx).debug |= debug


def _show(exc: TyperException) -> None:
    """Print a usage error the way click does (usage, hint, `Error: ...`)."""
    show = getattr(exc, "show", None)
    if callable(show):
        show()
    else:  # pragma: no cover - every click exception has show()
        print(f"Error: {exc}", file=sys.stderr)


def _fail(run: RunState, message: str, code: ExitCode) -> int:
    if run.debug:
        traceback.print_exc()
    print(f"dockwright: {message}", file=sys.stderr)
    return int(code)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI with `argv` (default: sys.argv[1:]) and return the exit code."""
    run = RunState()
    command = typer.main.get_command(app)
    try:
        code = command.main(
            args=list(sys.argv[1:] if argv is None else argv),
            prog_name="dockwright",
            standalone_mode=False,
            obj=run,
        )
    except TyperException as exc:  # usage errors: bad option, missing argument...
        _show(exc)
        return int(getattr(exc, "exit_code", ExitCode.USAGE))
    except DockwrightError as exc:
        return _fail(run, exc.one_line(), exc.exit_code)
    except (KeyboardInterrupt, typer.Abort):
        return _fail(run, "interrupted", ExitCode.INTERRUPTED)
    except Exception as exc:
        hint = "" if run.debug else " (run with --debug for the traceback)"
        return _fail(run, f"internal error: {type(exc).__name__}: {exc}{hint}", ExitCode.ENGINE)
    return int(code or 0)
