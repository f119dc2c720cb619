"""One exception hierarchy; each class carries the exit code the CLI returns for it."""

from __future__ import annotations

from enum import IntEnum
from pathlib import Path


class ExitCode(IntEnum):
    """Process exit codes (STYLE.md)."""

    OK = 0
    FINDINGS = 1
    USAGE = 2
    ENGINE = 3
    INTERRUPTED = 130


class DockwrightError(Exception):
    """Base class: a one-line, user-facing message and an exit code."""

    exit_code: ExitCode = ExitCode.USAGE

    def __init__(
        self,
        message: str,
        path: Path | str | None = None,
        line: int | None = None,
        column: int | None = None,
    ):
        self.message = message
        self.path = Path(path) if path is not None else None
        self.line = line
        self.column = column
        super().__init__(self.one_line())

    def one_line(self) -> str:
        """Render as `path:line[:column]: message` (parts omitted when unknown)."""
        where = ""
        if self.path is not None:
            where = f"{self.path}:{self.line}" if self.line else f"{self.path}"
            where += f":{self.column}: " if self.line and self.column else ": "
        return f"{where}{self.message}"


class UsageError(DockwrightError):
    """Bad command-line use."""


class ConfigError(DockwrightError):
    """Invalid configuration file or value."""


class InputError(DockwrightError):
    """A user file that cannot be read or parsed (Dockerfile, requirements, compose...)."""


class EngineError(DockwrightError):
    """No working container engine, or an engine call failed."""

    exit_code = ExitCode.ENGINE


class BuildError(DockwrightError):
    """A build failed."""

    exit_code = ExitCode.ENGINE


class ProcessError(DockwrightError):
    """A subprocess exited non-zero."""

    exit_code = ExitCode.ENGINE

    def __init__(self, argv: list[str], returncode: int, output: str):
        self.argv = argv
        self.returncode = returncode
        self.output = output
        indented = "\n".join("    " + ln for ln in output.rstrip().splitlines()[-40:])
        cmd = " ".join(argv)
        super().__init__(f"command failed (exit {returncode}): {cmd}\n{indented}")
