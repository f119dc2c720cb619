"""Walking a build context the way BuildKit does: what is sent, what `.dockerignore` drops.

Symlinks are listed, never followed (Docker sends the link itself), so symlink loops cannot
recurse; a directory reached twice through bind mounts is skipped. Excluded directories are
not descended into when no `!` exception could re-include something below them; they appear
once as a directory entry with size 0. Unreadable folders and files that vanish mid-walk become
Problems (or are skipped), never exceptions.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from dockwright.model.dockerignore import DockerIgnore, MatchInfo
from dockwright.model.findings import Problem


@dataclass(frozen=True)
class ContextEntry:
    """A file (or a skipped excluded directory) in a build context."""

    rel: str  # '/'-separated, relative to the context
    size: int
    excluded: bool  # excluded by .dockerignore
    is_dir: bool = False  # an excluded directory not walked (size unknown, reported as 0)
    is_symlink: bool = False


@dataclass(frozen=True)
class ContextScan:
    """Result of walking one context with one set of ignore rules."""

    context: Path
    entries: tuple[ContextEntry, ...]
    problems: tuple[Problem, ...] = field(default=())

    @property
    def sent_bytes(self) -> int:
        """Bytes of the files actually sent to the builder."""
        return sum(e.size for e in self.entries if not e.excluded)


@dataclass
class _Walk:
    context: Path
    ignore: DockerIgnore
    entries: list[ContextEntry] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    seen: set[tuple[int, int]] = field(default_factory=set)

    def directory(self, path: str, rel: str, info: MatchInfo, parent_excluded: bool) -> None:
        try:
            st = os.stat(path)  # noqa: PTH116  # str paths: the walk stays in os.*
            if (st.st_dev, st.st_ino) in self.seen:
                self.problems.append(Problem(Path(path), "directory loop (reached twice); skipped"))
                return
            self.seen.add((st.st_dev, st.st_ino))
            with os.scandir(path) as it:
                children = sorted(it, key=lambda e: e.name)
        except FileNotFoundError:
            return
        except OSError as exc:
            if not parent_excluded:
                self.problems.append(Problem(Path(path), f"cannot read folder: {exc.strerror}"))
            return
        for entry in children:
            self.child(entry, f"{rel}/{entry.name}" if rel else entry.name, info)

    def child(self, entry: os.DirEntry[str], rel: str, info: MatchInfo) -> None:
        excluded, my_info = self._match(rel, info)
        try:
            is_dir = entry.is_dir(follow_symlinks=False)
            if is_dir:
                self._dir(entry, rel, excluded, my_info)
                return
            size = entry.stat(follow_symlinks=False).st_size
        except FileNotFoundError:
            return  # vanished while walking
        except OSError as exc:
            if not excluded:
                self.problems.append(Problem(Path(entry.path), f"cannot read: {exc.strerror}"))
            return
        self.entries.append(ContextEntry(rel, size, excluded, False, entry.is_symlink()))

    def _dir(self, entry: os.DirEntry[str], rel: str, excluded: bool, info: MatchInfo) -> None:
        if excluded and self.ignore.can_skip_dir(rel):
            self.entries.append(ContextEntry(rel, 0, True, True))
            return
        self.directory(entry.path, rel, info, excluded)

    def _match(self, rel: str, info: MatchInfo) -> tuple[bool, MatchInfo]:
        if not self.ignore.all_patterns:
            return False, ()
        excluded, my_info, _ = self.ignore.match(rel, info)
        return excluded, my_info


def scan_context(context: Path, ignore: DockerIgnore) -> ContextScan:
    """Walk `context` and classify every file with `ignore`."""
    walk = _Walk(context, ignore)
    if not context.is_dir():
        return ContextScan(context, (), (Problem(context, "build context is not a folder"),))
    walk.directory(str(context), "", (), False)
    return ContextScan(context, tuple(walk.entries), tuple(walk.problems))


def iter_files(scan: ContextScan, *, sent_only: bool = True) -> Iterator[ContextEntry]:
    """Files of a scan (skipped directories left out), optionally only those sent."""
    for entry in scan.entries:
        if not entry.is_dir and (not sent_only or not entry.excluded):
            yield entry
