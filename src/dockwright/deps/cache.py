"""A small on-disk JSON cache (resolutions, index pages), written atomically."""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any


def default_dir(env: Mapping[str, str] | None = None) -> Path:
    """`$DOCKWRIGHT_CACHE_DIR`, else `$XDG_CACHE_HOME/dockwright`, else `~/.cache/dockwright`."""
    env = os.environ if env is None else env
    if env.get("DOCKWRIGHT_CACHE_DIR"):
        return Path(env["DOCKWRIGHT_CACHE_DIR"])
    base = Path(env["XDG_CACHE_HOME"]) if env.get("XDG_CACHE_HOME") else Path.home() / ".cache"
    return base / "dockwright"


class JsonCache:
    """Values by key under one folder; entries older than `max_age` seconds are ignored."""

    def __init__(self, folder: Path, max_age: float | None = None) -> None:
        self.folder = folder
        self.max_age = max_age

    def _path(self, key: str) -> Path:
        return self.folder / f"{key}.json"

    def get(self, key: str) -> Any | None:
        """The stored value, or None (missing, expired or unreadable)."""
        path = self._path(key)
        try:
            if self.max_age is not None and time.time() - path.stat().st_mtime > self.max_age:
                return None
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def put(self, key: str, value: Any) -> None:
        """Store a JSON-serialisable value (a failure to write is not an error)."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.folder, suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(value, handle)
            Path(tmp).replace(self._path(key))
        except OSError:
            return
