"""Pure layer arithmetic: per-layer sizes, wasted bytes, and history-to-Dockerfile attribution.

Nothing here starts a process; `dockwright.measure.images` feeds it what `docker save` wrote.

Wasted bytes follow the OCI layer rules: a later layer that holds the same path again
(overwrite), a `.wh.NAME` whiteout (delete NAME and everything under it) or a
`.wh..wh..opq` opaque marker (delete everything the lower layers had under that folder) makes
the earlier file's bytes dead weight: still shipped, never visible. The bytes are charged to the
layer that added them, i.e. to the Dockerfile line that made them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from dockwright.model.dockerfile import Instruction
from dockwright.model.measurements import WastedFile

WHITEOUT = ".wh."
OPAQUE = ".wh..wh..opq"


@dataclass(frozen=True)
class Entry:
    """One member of a layer tar: normalised path, bytes (regular files) and kind."""

    path: str
    size: int = 0
    regular: bool = True
    is_dir: bool = False


@dataclass
class LayerWaste:
    """Per-layer totals after every layer was applied."""

    content: list[int]
    files: list[int]
    wasted: list[int]
    wasted_files: list[WastedFile] = field(default_factory=list)


def normalise(name: str) -> str:
    """Tar member name as a clean relative path (`./usr/bin/` -> `usr/bin`)."""
    while name.startswith(("./", "/")):
        name = name[2:] if name.startswith("./") else name[1:]
    return name.rstrip("/")


def _deleted(entries: Sequence[Entry]) -> tuple[list[str], list[str]]:
    """(paths deleted with their subtree, folders emptied by an opaque marker)."""
    gone: list[str] = []
    opaque: list[str] = []
    for entry in entries:
        folder, _, base = entry.path.rpartition("/")
        if base == OPAQUE:
            opaque.append(folder)
        elif base.startswith(WHITEOUT):
            gone.append(f"{folder}/{base[len(WHITEOUT) :]}" if folder else base[len(WHITEOUT) :])
    return gone, opaque


@dataclass
class _Live:
    """Files visible so far: path -> (bytes, layer that added them)."""

    files: dict[str, tuple[int, int]] = field(default_factory=dict)

    def kill(self, path: str, by: int, out: LayerWaste) -> None:
        found = self.files.pop(path, None)
        if found is not None and found[0] > 0:
            out.wasted[found[1]] += found[0]
            out.wasted_files.append(
                WastedFile(path=path, size=found[0], layer=found[1], removed_in=by)
            )

    def kill_under(self, folder: str, by: int, out: LayerWaste, itself: bool) -> None:
        prefix = f"{folder}/" if folder else ""
        doomed = [p for p in self.files if p.startswith(prefix) or (itself and p == folder)]
        for path in doomed:
            self.kill(path, by, out)


def waste(layers: Sequence[Sequence[Entry]]) -> LayerWaste:
    """Content bytes, file counts and wasted bytes of each layer (lowest layer first)."""
    out = LayerWaste([0] * len(layers), [0] * len(layers), [0] * len(layers))
    live = _Live()
    for index, entries in enumerate(layers):
        gone, opaque = _deleted(entries)
        for path in gone:
            live.kill_under(path, index, out, itself=True)
        for folder in opaque:
            live.kill_under(folder, index, out, itself=False)
        for entry in entries:
            if entry.is_dir or entry.path.rpartition("/")[2].startswith(WHITEOUT):
                continue
            live.kill(entry.path, index, out)
            live.files[entry.path] = (entry.size if entry.regular else 0, index)
            out.content[index] += entry.size if entry.regular else 0
            out.files[index] += 1
    out.wasted_files.sort(key=lambda w: (-w.size, w.path))
    return out


# --- history entries -> Dockerfile instructions ------------------------------------------

_ARGS_PREFIX = re.compile(r"^\|(\d+)\s+")
_NOP = "/bin/sh -c #(nop) "
_SHELL = "/bin/sh -c "
_STRIP = str.maketrans("", "", '"[],')


def _squash(text: str) -> str:
    return " ".join(text.replace("\\\n", " ").translate(_STRIP).split())


def history_key(created_by: str) -> tuple[str, str]:
    """(instruction, normalised arguments) of a `created_by` history text."""
    text = created_by.strip().removesuffix("# buildkit").strip()
    if text.startswith(_NOP):
        text = text[len(_NOP) :].strip()
    elif text.startswith(_SHELL):  # the classic builder's RUN
        text = "RUN " + text
    cmd, _, rest = text.partition(" ")
    if cmd.upper() == "RUN":
        match = _ARGS_PREFIX.match(rest)
        if match:  # `|2 A=1 B=2 ` build args prefix
            rest = " ".join(rest[match.end() :].split(" ")[int(match.group(1)) :])
        rest = rest.strip().removeprefix(_SHELL)
    return cmd.upper(), _squash(rest)


def instruction_key(ins: Instruction) -> tuple[str, str]:
    """(instruction, normalised arguments) of a Dockerfile instruction, flags dropped."""
    words = ins.original.replace("\\\n", " ").split(None, 1)
    rest = words[1] if len(words) > 1 else ""
    while rest.startswith("--"):
        rest = rest.split(None, 1)[1] if " " in rest.strip() else ""
    return ins.cmd, _squash(rest)


def attribute(created_by: Sequence[str], instructions: Sequence[Instruction]) -> list[int | None]:
    """For each history entry, the index of the instruction that made it (None: base image).

    Best effort: history and instructions are aligned from the end (the image's own
    instructions come last); an entry takes the nearest earlier instruction with the same
    normalised text, or else the nearest one of the same kind within a few instructions
    (build args and variables can make the texts differ).
    """
    keys = [instruction_key(i) for i in instructions]
    found: list[int | None] = [None] * len(created_by)
    cursor = len(instructions)
    for pos in range(len(created_by) - 1, -1, -1):
        match = _match(history_key(created_by[pos]), keys, cursor)
        if match is not None:
            found[pos], cursor = match, match
        if cursor == 0:
            break
    return found


def _match(key: tuple[str, str], keys: Sequence[tuple[str, str]], cursor: int) -> int | None:
    for index in range(cursor - 1, -1, -1):
        if keys[index] == key:
            return index
    for index in range(cursor - 1, max(cursor - 4, 0) - 1, -1):
        if keys[index][0] == key[0]:
            return index
    return None


def image_instructions(stages: Iterable[Sequence[Instruction]]) -> list[Instruction]:
    """Instructions of the image's stage chain, base-most stage first, FROM lines dropped."""
    return [i for body in stages for i in body if i.cmd != "FROM"]
