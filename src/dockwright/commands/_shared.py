"""What every command shares: per-run state passed through the click context, stderr output."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass

import typer


@dataclass
class RunState:
    """Per-invocation state (created by `cli.main`, never module-global)."""

    debug: bool = False


def state(ctx: typer.Context) -> RunState:
    """The RunState of this invocation (a fresh one when run outside `cli.main`)."""
    return ctx.ensure_object(RunState)


def warn(message: str) -> None:
    """One line to stderr."""
    print(message, file=sys.stderr)


def stdout_color() -> bool:
    """True when stdout is a terminal and NO_COLOR is not set."""
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ
