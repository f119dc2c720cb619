"""Filesystem effects of instructions, for the size rules: which paths a layer writes or removes.

Paths are image paths (absolute, '/'-separated). Everything here is a pure function of the
parsed Dockerfile and the service's build context.
"""

from __future__ import annotations

import fnmatch
import posixpath
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from dockwright.model import installs
from dockwright.model.dockerfile import Dockerfile, Instruction, Stage, resolve_path
from dockwright.model.project import ContextEntry, Service
from dockwright.model.shell import Command
from dockwright.rules.base import RuleContext

# The build-state walk lives on the Dockerfile model; these names keep rule code short.
chain = Dockerfile.chain
before = Dockerfile.before
workdir_at = Dockerfile.workdir_at
resolve = resolve_path


@dataclass(frozen=True)
class Written:
    """A path an instruction leaves in its layer; `tree` means everything below `path`."""

    path: str
    size: int | None
    ins: Instruction
    what: str
    tree: bool = False
    source: str = ""  # the context file it came from ('/'-separated, relative), if any


def contributing_stages(ctx: RuleContext) -> list[Stage]:
    """Runtime stages plus every stage they copy files from (`COPY --from`), transitively."""
    df = ctx.dockerfile
    todo = list(ctx.runtime_stages())
    seen: dict[int, Stage] = {}
    while todo:
        stage = todo.pop()
        if stage.index in seen:
            continue
        seen[stage.index] = stage
        for ins in stage.of("COPY"):
            ref = ins.flag("from")
            source = df.stage(ref) if ref else None
            if source is not None:
                todo.extend(df.image_stages(source.ref))
    return sorted(seen.values(), key=lambda s: s.index)


def covers(pattern: str, path: str) -> bool:
    """True when removing `pattern` (a path or glob) removes `path`."""
    base = pattern.rstrip("/") or "/"
    if path == base or path.startswith(base.rstrip("/") + "/"):
        return True
    return any(c in base for c in "*?[") and fnmatch.fnmatchcase(path, base)


def overlaps(pattern: str, written: Written) -> bool:
    """True when `pattern` removes (part of) what `written` left in its layer."""
    if covers(pattern, written.path):
        return True
    return written.tree and pattern.startswith(written.path.rstrip("/") + "/")


def context_sources(service: Service, source: str) -> list[tuple[ContextEntry, str]]:
    """Context files a COPY source sends, each with its path relative to the copied root."""
    src = posixpath.normpath(source.lstrip("/")) if source.strip("./") else "."
    out: list[tuple[ContextEntry, str]] = []
    for entry in service.context_entries:
        if entry.excluded:
            continue
        if src == ".":
            out.append((entry, entry.rel))
        elif entry.rel == src or (
            any(c in src for c in "*?[") and fnmatch.fnmatchcase(entry.rel, src)
        ):
            out.append((entry, posixpath.basename(entry.rel)))
        elif entry.rel.startswith(src + "/"):
            out.append((entry, entry.rel[len(src) + 1 :]))
    return out


def copied(ctx: RuleContext, ins: Instruction) -> list[Written]:
    """What a COPY/ADD writes: one entry per context file, or the destination tree otherwise."""
    cwd = workdir_at(ctx.dockerfile, ins)
    dest = resolve(ins.destination, cwd)
    if ins.flag("from") is not None:
        return [Written(dest, None, ins, "files copied from another stage", tree=True)]
    into_dir = ins.destination.endswith(("/", ".")) or dest == cwd or len(ins.sources) > 1
    out: list[Written] = []
    for source in ins.sources:
        for entry, rel in context_sources(ctx.service, source):
            single = entry.rel == posixpath.normpath(source.lstrip("/")) and not into_dir
            path = dest if single else posixpath.join(dest, rel)
            out.append(Written(path, entry.size, ins, f"`{entry.rel}`", source=entry.rel))
    return out


def removed_by(ins: Instruction, cwd: str) -> list[str]:
    """Paths (or globs) removed by `rm` commands of a RUN, resolved against `cwd`."""
    out: list[str] = []
    for cmd in ins.commands if ins.cmd == "RUN" else []:
        if cmd.program == "rm":
            paths = (resolve(a, cwd) for a in operands(cmd))
            out.extend(p for p in paths if "$" not in p)
    return out


def operands(cmd: Command) -> list[str]:
    """Arguments of a command that are not options (`--` ends options)."""
    words = list(cmd.args_after_wrappers()[1:])
    if "--" in words:
        cut = words.index("--")
        return [w for w in words[:cut] if not w.startswith("-")] + words[cut + 1 :]
    return [w for w in words if not w.startswith("-")]


def entries_bytes(written: Sequence[Written]) -> int | None:
    """Sum of known sizes (None when nothing is known)."""
    sizes = [w.size for w in written if w.size is not None]
    return sum(sizes) if sizes else None


def recursive_targets(ins: Instruction, cwd: str) -> Iterator[tuple[Command, list[str]]]:
    """`chown -R` / `chmod -R` / `chgrp -R` commands of a RUN with their resolved targets."""
    for cmd in ins.commands if ins.cmd == "RUN" else []:
        if cmd.program not in {"chown", "chmod", "chgrp"}:
            continue
        words = cmd.args_after_wrappers()[1:]
        recursive = any(
            w == "--recursive" or (w.startswith("-") and not w.startswith("--") and "R" in w)
            for w in words
        )
        args = operands(cmd)
        if recursive and len(args) >= 2:
            yield cmd, [resolve(a, cwd) for a in args[1:] if "$" not in a]


def context_file(ctx: RuleContext, ins: Instruction, name: str) -> Path | None:
    """The context file that an image path used by `ins` was copied from (None when unknown)."""
    service = ctx.service
    excluded = service.dockerignore.excluded
    return installs.context_file(ctx.dockerfile, ins, name, service.context, excluded)


_NO_CONTENT = frozenset(
    "mkdir chown chmod chgrp touch useradd adduser groupadd addgroup ln echo rm test".split()
)


def run_writes(ins: Instruction, target: str) -> bool:
    """True when a RUN writes content under `target` (a command besides mkdir, chown… names it)."""
    if ins.cmd != "RUN" or target in {"/", ""}:
        return False
    pattern = re.compile(rf"(?<![\w./-]){re.escape(target.rstrip('/'))}(?![\w.-])")
    return any(
        cmd.program not in _NO_CONTENT and any(pattern.search(w) for w in cmd.words[1:])
        for cmd in ins.commands
    )
