"""Minimal in-place edits of the user's compose files, keeping comments and layout.

Two edits, each on the lines that hold the value:
- `build.target` naming a stage the optimized Dockerfile lacks (DW601) becomes
  `development` in dev-like files, `production` elsewhere (or the closest stage name);
- a service whose optimized Dockerfile needs a wider context (shared code outside its
  folder) gets `context:` (and `dockerfile:`) rewritten to the wider folder.
Our own overlays (compose.dev.yaml / compose.prod.yaml) are regenerated, never edited.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from dockwright.generate.bake import DEVELOPMENT, PRODUCTION, ServiceBuild, relative
from dockwright.generate.compose import DEV_OVERLAY, NON_PROD_WORDS, PROD_OVERLAY
from dockwright.generate.files import GeneratedFile
from dockwright.generate.writer import read_exact
from dockwright.model.compose import ComposeBuild

__all__ = ["fix_compose_files"]

_PLAIN = re.compile(r"^[\w./@:+-]+$")


@dataclass
class _Edits:
    """Pending edits of one compose file."""

    original: str
    lines: list[str]
    notes: list[str] = field(default_factory=list)
    resolves: set[str] = field(default_factory=set)


def _scalar(text: str) -> str:
    return text if _PLAIN.match(text) else '"' + text.replace('"', '\\"') + '"'


def _replacement(old: str, file: Path, build: ServiceBuild) -> str | None:
    """The stage a missing target should name: development/production by the file's role."""
    dev_like = any(w in file.name.lower() for w in NON_PROD_WORDS[:4])
    wanted = DEVELOPMENT if dev_like else PRODUCTION
    if wanted in build.stages:
        return wanted
    close = difflib.get_close_matches(old, build.stages, n=1)
    return close[0] if close else build.target(PRODUCTION)


def _edit_target(line: str, old: str, new: str) -> str | None:
    pattern = re.compile(rf"(\btarget\s*:\s*)([\"']?){re.escape(old)}\2(?=\s*(?:#|,|}}|$))")
    edited, count = pattern.subn(lambda m: f"{m.group(1)}{m.group(2)}{new}{m.group(2)}", line)
    return edited if count else None


def _fix_target(edits: _Edits, compose: ComposeBuild, new: str) -> bool:
    """Rewrite the target on its line (or the first `target:` line after the build)."""
    start = (compose.target_line or compose.line) - 1
    for index in range(max(start, 0), len(edits.lines)):
        edited = _edit_target(edits.lines[index], compose.target or "", new)
        if edited is not None:
            edits.lines[index] = edited
            return True
    return False


def _target_fixes(build: ServiceBuild) -> list[tuple[ComposeBuild, Path, str]]:
    """(build, file that sets the target, new target) for targets the new Dockerfile lacks."""
    fixes = []
    for compose in build.service.compose:
        if compose.target is None or build.dockerfile.stage(compose.target) is not None:
            continue
        where = compose.target_file or compose.compose_file
        new = _replacement(compose.target, where, build)
        if new is not None and where.name not in {DEV_OVERLAY, PROD_OVERLAY}:
            fixes.append((compose, where, new))
    return fixes


def _apply_target(edits: _Edits, build: ServiceBuild, compose: ComposeBuild, new: str) -> None:
    done = _fix_target(edits, compose, new)
    if done and build.service.dockerfile.stage(compose.target) is None:
        edits.resolves.add("DW601")  # it was missing before the rewrite too
    verb = "now targets" if done else "could not be fixed automatically; it should target"
    edits.notes.append(f"service {compose.service}: `target: {compose.target}` {verb} `{new}`")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _children(lines: list[str], index: int) -> range:
    """Indexes of the lines nested under the mapping key on line `index`."""
    end = index + 1
    while end < len(lines) and (
        not lines[end].strip() or _indent(lines[end]) > _indent(lines[index])
    ):
        end += 1
    return range(index + 1, end)


def _set_key(lines: list[str], block: range, key: str, value: str, after: int) -> int:
    """Set `key: value` in the block (in place, comment kept), else insert it after `after`."""
    pattern = re.compile(rf"^(\s*{key}\s*:\s*)(\S.*?)?(\s+#.*)?$")
    for index in block:
        match = pattern.match(lines[index].rstrip("\n"))
        if match:
            lines[index] = f"{match.group(1)}{value}{match.group(3) or ''}\n"
            return index
    child = next((lines[i] for i in block if lines[i].strip()), None)
    indent = " " * (_indent(child) if child else _indent(lines[after]) + 2)
    lines.insert(after + 1, f"{indent}{key}: {value}\n")
    return after + 1


def _fix_context(edits: _Edits, compose: ComposeBuild, build: ServiceBuild) -> None:
    folder = compose.compose_file.parent
    context = _scalar(relative(build.build_context, folder))
    dockerfile = _scalar(relative(build.service.dockerfile_path, build.build_context))
    index = compose.line - 1
    line = edits.lines[index].rstrip("\n")
    short = re.match(r"^(\s*build\s*:\s*)([^\s#{][^#]*?)(\s+#.*)?$", line)
    if short:
        value = f"{{context: {context}, dockerfile: {dockerfile}}}"
        edits.lines[index] = f"{short.group(1)}{value}{short.group(3) or ''}\n"
    elif re.match(r"^\s*build\s*:\s*(#.*)?$", line):
        at = _set_key(edits.lines, _children(edits.lines, index), "context", context, index)
        _set_key(edits.lines, _children(edits.lines, index), "dockerfile", dockerfile, at)
    else:
        edits.notes.append(f"service {compose.service}: set its build context to {context}")
        return
    edits.notes.append(
        f"service {compose.service}: build context widened to {context} (shared code)"
    )


def fix_compose_files(builds: Sequence[ServiceBuild]) -> list[GeneratedFile]:
    """Every existing compose file that needs a target or context fix, edited minimally."""
    files: dict[Path, _Edits] = {}

    def edits(path: Path) -> _Edits:
        if path not in files:
            text = read_exact(path) or ""
            files[path] = _Edits(text, text.splitlines(keepends=True))
        return files[path]

    widened = [
        (compose, build)
        for build in builds
        if build.build_context != build.service.context
        for compose in build.base_builds
    ]
    for compose, build in sorted(widened, key=lambda p: (p[0].compose_file, -p[0].line)):
        _fix_context(edits(compose.compose_file), compose, build)  # bottom-up: lines may move
    for build in builds:
        for compose, where, new in _target_fixes(build):
            _apply_target(edits(where), build, compose, new)
    return [
        GeneratedFile(path, "".join(e.lines), tuple(sorted(e.resolves)), tuple(e.notes))
        for path, e in sorted(files.items())
    ]
