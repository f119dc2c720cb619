"""The one place that starts processes. Never shell=True; the executable is looked up first."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from dockwright.errors import EngineError, ProcessError


@dataclass(frozen=True)
class Completed:
    """Result of a finished process."""

    argv: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str
    seconds: float

    @property
    def ok(self) -> bool:
        """True when the process exited 0."""
        return self.returncode == 0


def which(name: str, path: str | None = None) -> str:
    """Return the absolute path of an executable or raise EngineError."""
    if os.sep in name:
        if os.access(name, os.X_OK):
            return name
        raise EngineError(f"executable not found: {name}")
    found = shutil.which(name, path=path)
    if found is None:
        raise EngineError(f"executable not found on PATH: {name}")
    return found


def _merged_env(env: Mapping[str, str] | None) -> dict[str, str]:
    merged = dict(os.environ)
    if env:
        merged.update(env)
    return merged


def run(
    argv: Sequence[str],
    *,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float | None = None,
    check: bool = True,
    input_text: str | None = None,
) -> Completed:
    """Run a command to completion and capture its output as text."""
    resolved = [which(argv[0]), *argv[1:]]
    start = time.perf_counter()
    try:
        proc = subprocess.run(
            resolved,
            cwd=cwd,
            env=_merged_env(env),
            timeout=timeout,
            capture_output=True,
            text=True,
            input=input_text,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise ProcessError(list(resolved), -1, f"timed out after {timeout}s") from exc
    done = Completed(
        tuple(resolved), proc.returncode, proc.stdout, proc.stderr, time.perf_counter() - start
    )
    if check and not done.ok:
        raise ProcessError(list(resolved), proc.returncode, proc.stdout + proc.stderr)
    return done


def stream(
    argv: Sequence[str],
    on_line: Callable[[str], None],
    *,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> Completed:
    """Run a command, feeding each merged stdout/stderr line to `on_line` as it arrives."""
    resolved = [which(argv[0]), *argv[1:]]
    start = time.perf_counter()
    lines: list[str] = []
    with subprocess.Popen(
        resolved,
        cwd=cwd,
        env=_merged_env(env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    ) as proc:
        assert proc.stdout is not None
        try:
            for raw in proc.stdout:
                line = raw.rstrip("\n")
                lines.append(line)
                on_line(line)
                if timeout is not None and time.perf_counter() - start > timeout:
                    proc.kill()
                    break
        except BaseException:  # interrupted (SIGTERM/SIGINT): the child must not outlive us
            proc.kill()
            raise
        returncode = proc.wait()
    out = "\n".join(lines)
    return Completed(tuple(resolved), returncode, out, "", time.perf_counter() - start)
