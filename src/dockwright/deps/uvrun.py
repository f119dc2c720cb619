"""Resolve a request with `uv pip compile`; parse its output; cache the outcome.

uv comes from the installed `uv` package (`uv.find_uv_bin()`), never from PATH. It is given
`UV_SYSTEM_CERTS=1` so that a proxy with a system CA works, and no config file is read.
"""

from __future__ import annotations

import importlib.metadata
import re
import tempfile
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Protocol

from dockwright import _subprocess
from dockwright.deps.cache import JsonCache
from dockwright.deps.records import Pin
from dockwright.deps.request import ResolveRequest
from dockwright.errors import ProcessError

UV_ENV = {"UV_SYSTEM_CERTS": "1", "UV_HTTP_RETRIES": "1", "UV_NO_PROGRESS": "1"}


class Status(StrEnum):
    """How a resolution ended."""

    OK = "ok"
    UNSATISFIABLE = "unsatisfiable"  # the requirements conflict (or a package/version is missing)
    INVALID = "invalid"  # a requirement uv cannot parse
    NETWORK = "network"  # the index could not be reached
    FAILED = "failed"  # anything else (a build of a local project failed...)


@dataclass(frozen=True)
class Outcome:
    """What a resolution gave: the pins (OK) or uv's error text."""

    status: Status
    pins: tuple[Pin, ...] = ()
    error: str = ""
    lock_text: str = ""
    cached: bool = False

    @property
    def ok(self) -> bool:
        """True when the requirements resolved."""
        return self.status is Status.OK


class Resolver(Protocol):
    """Anything that resolves a request (uv here, a fake index in unit tests)."""

    def resolve(self, request: ResolveRequest) -> Outcome:
        """Resolve once."""
        ...


def uv_binary() -> str:
    """Path of the uv executable shipped by the `uv` package."""
    import uv

    return str(uv.find_uv_bin())


_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?\s*(?:==\s*(\S+)|@\s*(\S+))")


def parse_compile_output(text: str) -> tuple[Pin, ...]:
    """Pins of `uv pip compile --annotation-style=line` output (hash lines are skipped)."""
    pins = []
    for line in re.sub(r"\\\n", " ", text).splitlines():
        body, _, comment = line.partition("#")
        match = _PIN.match(body.strip())
        if not match:
            continue
        via = comment.strip().removeprefix("via").strip() if "via" in comment else ""
        parents = tuple(
            v.strip() for v in via.split(",") if v.strip() and not v.strip().startswith("-r")
        )
        pins.append(
            Pin(match.group(1).lower().replace("_", "-"), match.group(2) or match.group(3), parents)
        )
    return tuple(pins)


def classify(stderr: str) -> Status:
    """The kind of failure uv's error text describes."""
    if "No solution found" in stderr:
        return Status.UNSATISFIABLE
    if "Couldn't parse requirement" in stderr or "Failed to parse" in stderr:
        return Status.INVALID
    network = ("Failed to fetch", "error sending request", "dns error", "Connect", "timed out")
    return Status.NETWORK if any(n in stderr for n in network) else Status.FAILED


def error_text(stderr: str) -> str:
    """The error lines of uv without warnings and progress."""
    lines = [ln for ln in stderr.splitlines() if not ln.startswith(("warning:", "Resolved "))]
    return "\n".join(lines).strip()


class UvResolver:
    """Resolves with uv, caching outcomes by request.

    Resolutions and conflicts go to `cache`, network and other failures to `failures`
    (give it a short max_age).
    """

    def __init__(
        self,
        cache: JsonCache | None = None,
        timeout: float = 600,
        failures: JsonCache | None = None,
    ) -> None:
        self.cache = cache
        self.failures = failures
        self.timeout = timeout
        self._uv = uv_binary()
        self._version = ""

    @property
    def version(self) -> str:
        """`uv --version` (asked once)."""
        if not self._version:
            self._version = "uv " + importlib.metadata.version("uv")
        return self._version

    def resolve(self, request: ResolveRequest) -> Outcome:
        """Resolve (or read the cached outcome of) one request."""
        key = request.key(self.version)
        for cache in (self.cache, self.failures):
            stored = cache.get(key) if cache else None
            if isinstance(stored, dict):
                return _from_json(stored)
        outcome = self._run(request)
        lasting = outcome.status in {Status.OK, Status.UNSATISFIABLE, Status.INVALID}
        cache = self.cache if lasting else self.failures
        if cache is not None:
            cache.put(key, _to_json(outcome))
        return outcome

    def _run(self, request: ResolveRequest) -> Outcome:
        with tempfile.TemporaryDirectory(prefix="dockwright-deps-") as tmp:
            folder = Path(tmp)
            for name, text in request.files().items():
                (folder / name).write_text(text, encoding="utf-8")
            try:
                done = _subprocess.run(
                    request.argv(self._uv, folder),
                    cwd=folder,
                    env=UV_ENV,
                    timeout=self.timeout,
                    check=False,
                )
            except ProcessError as exc:  # timed out
                return Outcome(Status.NETWORK, error=exc.message.splitlines()[0])
        if done.ok:
            return Outcome(Status.OK, parse_compile_output(done.stdout), lock_text=done.stdout)
        err = error_text(done.stderr)
        return Outcome(classify(err), error=err)


def _to_json(outcome: Outcome) -> dict[str, object]:
    pins = [[p.name, p.version, list(p.via)] for p in outcome.pins]
    return {
        "status": outcome.status.value,
        "pins": pins,
        "error": outcome.error,
        "lock": outcome.lock_text,
    }


def _from_json(data: dict[str, object]) -> Outcome:
    raw = data.get("pins")
    pins = (
        tuple(Pin(str(p[0]), str(p[1]), tuple(p[2])) for p in raw) if isinstance(raw, list) else ()
    )
    return Outcome(
        Status(str(data.get("status"))),
        pins,
        str(data.get("error", "")),
        str(data.get("lock", "")),
        cached=True,
    )
