"""What `dockwright bench` leaves behind: nothing. Image bookkeeping and signal handling.

Every build of a target reuses its tag, so each rebuild that yields a new image leaves the
previous one untagged. The ledger records the image ID a tag names after every build and says
which earlier IDs are superseded (safe to remove now); at the end the tags are removed and then
exactly the IDs this run produced, by ID, never with a prune. An image that also carries a tag
not made by this run (a fully cached build identical to a user's image) is never claimed.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import FrameType

from dockwright import _subprocess
from dockwright.build.engine import Engine

INSPECT_FORMAT = "{{.Id}}{{range .RepoTags}} {{.}}{{end}}"


@dataclass
class ImageLedger:
    """Every image ID a bench produced, and which tag names which ID now (pure bookkeeping)."""

    ours: frozenset[str]  # the tags this run builds
    current: dict[str, str] = field(default_factory=dict)
    owned: set[str] = field(default_factory=set)
    removed: set[str] = field(default_factory=set)

    def record(self, tag: str, image_id: str, repo_tags: Sequence[str]) -> list[str]:
        """Note that TAG now names IMAGE_ID; return the superseded IDs to remove now."""
        previous = self.current.get(tag)
        self.current[tag] = image_id
        if set(repo_tags) <= self.ours:
            self.owned.add(image_id)
        if previous is None or previous in self.current.values() or previous not in self.owned:
            return []
        self.removed.add(previous)
        return [previous]

    def leftovers(self) -> list[str]:
        """IDs this run produced that were not removed yet, in a stable order."""
        return sorted(self.owned - self.removed)


def parse_facts(text: str) -> tuple[str, tuple[str, ...]] | None:
    """(image ID, repo tags) from one line of INSPECT_FORMAT output; None when empty."""
    words = text.split()
    return (words[0], tuple(words[1:])) if words else None


def image_facts(engine: Engine, tag: str) -> tuple[str, tuple[str, ...]] | None:
    """The ID and tags of the image TAG names; None when there is none."""
    argv = engine.docker_argv("image", "inspect", "--format", INSPECT_FORMAT, tag)
    done = _subprocess.run(argv, env=engine.env, check=False, timeout=120)
    return parse_facts(done.stdout) if done.ok else None


def remove_tags(engine: Engine, tags: Sequence[str]) -> None:
    """Remove tags (an image that has other tags keeps them; missing tags are fine)."""
    if tags:
        argv = engine.docker_argv("image", "rm", "-f", *tags)
        _subprocess.run(argv, env=engine.env, check=False, timeout=600)


def remove_ids(engine: Engine, ids: Sequence[str]) -> None:
    """Remove exactly these images by ID, without force (missing ones are fine)."""
    if ids:
        _subprocess.run(engine.docker_argv("image", "rm", *ids), env=engine.env, check=False)


@contextmanager
def interrupts_as_keyboard() -> Iterator[None]:
    """Turn the first SIGTERM or SIGINT into KeyboardInterrupt so `finally` blocks clean up.

    Later signals are ignored until the block ends (the cleanup must finish); the previous
    handlers are restored afterwards. Outside the main thread nothing changes.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    fired = False

    def handler(signum: int, _frame: FrameType | None) -> None:
        nonlocal fired
        if not fired:
            fired = True
            raise KeyboardInterrupt(signal.Signals(signum).name)

    previous = {s: signal.signal(s, handler) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old if old is not None else signal.SIG_DFL)
