"""Build-context rules (DW5xx): what is sent to the builder, and what ends up in the image."""

from __future__ import annotations

import posixpath
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from dockwright.model.dockerfile import Instruction
from dockwright.model.findings import Cost, Edit, EditKind, Finding, Fix, Group, Severity
from dockwright.model.project import ContextEntry, Service
from dockwright.rules import patterns, pysource
from dockwright.rules.base import Rule, RuleContext

MB = 1024 * 1024
_VCS = {".git", ".hg", ".svn"}
_CACHES = {
    "__pycache__",
    ".pytest_cache",
    ".mypy_cache",
    ".ruff_cache",
    ".tox",
    ".nox",
    ".ipynb_checkpoints",
    "node_modules",
}
_VENV_NAMES = {".venv", "venv"}
_KINDS = {
    "model weights": {
        ".pt",
        ".pth",
        ".bin",
        ".safetensors",
        ".onnx",
        ".ckpt",
        ".h5",
        ".pb",
        ".gguf",
        ".ggml",
        ".tflite",
        ".pkl",
        ".joblib",
        ".npy",
        ".npz",
        ".msgpack",
    },
    "datasets": {
        ".csv",
        ".tsv",
        ".parquet",
        ".arrow",
        ".jsonl",
        ".tfrecord",
        ".feather",
        ".hdf5",
        ".sqlite",
        ".db",
        ".zip",
        ".tar",
        ".tgz",
        ".gz",
        ".7z",
    },
    "audio/video": {
        ".wav",
        ".mp3",
        ".flac",
        ".ogg",
        ".m4a",
        ".aac",
        ".opus",
        ".mp4",
        ".mkv",
        ".avi",
        ".mov",
        ".webm",
    },
}
_MIN_DATA_FILE = 1 * MB


def human(size: int) -> str:
    """Bytes as a short human-readable size."""
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit in {"B", "KB"} else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"


@dataclass(frozen=True)
class Junk:
    """A folder sent to the builder that no image needs."""

    pattern: str  # .dockerignore pattern that drops it
    kind: str
    size: int


def _junk_key(rel: str, venvs: set[str]) -> tuple[str, str] | None:
    parts = rel.split("/")[:-1]
    for index, part in enumerate(parts):
        root = "/".join(parts[: index + 1])
        if part in _VCS:
            return root, "version control"
        if root in venvs or part in _VENV_NAMES:
            return root, "virtualenv"
        if part in _CACHES:
            return f"**/{part}", "tool cache" if part != "node_modules" else "node_modules"
    return None


def junk(service: Service) -> list[Junk]:
    """Junk folders (.git, venvs, node_modules, caches) sent to the builder, biggest first."""
    venvs = {
        e.rel.rsplit("/", 1)[0] for e in service.context_entries if e.rel.endswith("/pyvenv.cfg")
    }
    sizes: Counter[tuple[str, str]] = Counter()
    for entry in service.context_entries:
        key = None if entry.excluded else _junk_key(entry.rel, venvs)
        if key is not None:
            sizes[key] += entry.size
    return [Junk(p, k, s) for (p, k), s in sizes.most_common()]


def _kind(rel: str) -> str | None:
    ext = posixpath.splitext(rel)[1].lower()
    return next((k for k, exts in _KINDS.items() if ext in exts), None)


def data_files(service: Service) -> list[tuple[ContextEntry, str]]:
    """Sent model weights, datasets and media of at least 1 MB (junk folders skipped)."""
    venvs = {
        e.rel.rsplit("/", 1)[0] for e in service.context_entries if e.rel.endswith("/pyvenv.cfg")
    }
    found = []
    for entry in service.context_entries:
        kind = _kind(entry.rel)
        if kind and not entry.excluded and entry.size >= _MIN_DATA_FILE:
            if _junk_key(entry.rel, venvs) is None:
                found.append((entry, kind))
    return found


def _anchor(ctx: RuleContext) -> Instruction:
    """Where a context finding is shown: the first whole-context COPY, else the first FROM."""
    for stage in ctx.dockerfile.stages:
        copy = next((i for i in stage.instructions if patterns.copies_whole_context(i)), None)
        if copy is not None:
            return copy
    return ctx.dockerfile.stages[0].from_instruction


def _baked(ctx: RuleContext, rels: Iterable[str]) -> list[str]:
    """The files among `rels` that a COPY of a runtime stage puts into the image."""
    sources = [s for i in ctx.runtime_context_copies() for s in i.sources]
    return [r for r in rels if any(pysource.covers(s, r) for s in sources)]


def _listing(items: Iterable[tuple[str, int]], limit: int = 5) -> str:
    return ", ".join(f"{name} ({human(size)})" for name, size in list(items)[:limit])


class NoDockerignore(Rule):
    """No .dockerignore applies to the build: the whole folder is sent to the builder.

    Without it `.git`, virtualenvs, caches and local data travel to the builder on every
    build, and a `COPY . .` bakes them into the image (secrets in `.env` included).

    Anti-pattern: a build context without `.dockerignore`.

    Better: a `.dockerignore` next to the context root (`dockwright optimize` writes one)::

        .git
        **/__pycache__
        .venv
        .env
    """

    id = "DW501"
    name = "context.no-dockerignore"
    severity = Severity.WARNING
    group = Group.CONTEXT

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        """Yield this rule's findings for one service."""
        if ctx.service.dockerignore.exists:
            return
        items = [(j.pattern.removeprefix("**/"), j.size) for j in junk(ctx.service)]
        items += [(e.rel, e.size) for e, _ in data_files(ctx.service)]
        wasted = sum(size for _, size in items)
        detail = f", {human(wasted)} of it junk: {_listing(items)}" if items else ""
        yield self.report(
            ctx,
            _anchor(ctx),
            f"no .dockerignore in {ctx.service.context.name}/: all "
            f"{human(ctx.service.sent_bytes)} are sent to the builder{detail}",
            cost=Cost(bytes_rebuilt=wasted, note="junk folders and data files sent on every build"),
        )


class LargeContext(Rule):
    """The build context sent to the builder is larger than `max-context-mb` (default 50).

    Every build first uploads the context; hundreds of megabytes cost seconds to minutes
    before the first layer runs, and a `COPY . .` copies them into the image.

    Anti-pattern: datasets, model weights or a virtualenv inside the context folder.

    Better: exclude them in `.dockerignore`, mount models at run time, or narrow the
    context to the service folder.
    """

    id = "DW502"
    name = "context.large-context"
    severity = Severity.WARNING
    group = Group.CONTEXT
    config_keys = ("max-context-mb",)

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        """Yield this rule's findings for one service."""
        limit = float(ctx.options.get("max-context-mb", 50)) * MB
        sent = ctx.service.sent_bytes
        if sent <= limit:
            return
        folders: Counter[str] = Counter()
        for entry in ctx.service.context_entries:
            if not entry.excluded:
                top, sep, _ = entry.rel.partition("/")
                folders[top + ("/" if sep else "")] += entry.size
        yield self.report(
            ctx,
            _anchor(ctx),
            f"build context is {human(sent)} (limit {human(int(limit))}); biggest: "
            f"{_listing(folders.most_common())}",
            cost=Cost(bytes_rebuilt=sent, note="context uploaded to the builder on every build"),
        )


class VcsOrVenvSent(Rule):
    """`.git`, virtualenvs, node_modules or caches get past the .dockerignore.

    They are sent on every build and, with `COPY . .`, end up in the image. A local
    virtualenv in the image also shadows the one built for the image's platform.

    Anti-pattern: a `.dockerignore` that lists `.venv` but not `venv`, or forgets `.git`.

    Better: exclude them (nested caches with `**/`)::

        .git
        venv
        **/__pycache__
    """

    id = "DW503"
    name = "context.vcs-or-venv-sent"
    severity = Severity.WARNING
    group = Group.CONTEXT
    fixable = True

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        """Yield this rule's findings for one service (DW501 covers a missing .dockerignore)."""
        ignore = ctx.service.dockerignore
        found = junk(ctx.service)
        if ignore.path is None or not found:
            return
        total = sum(j.size for j in found)
        baked = (
            total
            if any(patterns.copies_whole_context(i) for i in ctx.runtime_instructions())
            else None
        )
        lines = ignore.path.read_text(encoding="utf-8", errors="replace").splitlines()
        text = "".join(f"{j.pattern}\n" for j in found)
        edit = Edit(EditKind.INSERT, ignore.path, len(lines) + 1, len(lines) + 1, text)
        yield self.report(
            ctx,
            _anchor(ctx),
            f"{ignore.path.name} lets through {_listing((j.pattern, j.size) for j in found)}",
            cost=Cost(bytes_added=baked, bytes_rebuilt=total, note="sizes of the folders sent"),
            fix=Fix(f"add them to {ignore.path.name}", (edit,)),
        )


class DataOrModelsSent(Rule):
    """Model weights, datasets or audio/video files (1 MB and up) are sent to the builder.

    They slow every build and, copied into the image, make it huge and force a re-push
    of that layer whenever they change.

    Anti-pattern: `models/whisper-small.pt` in the service folder with `COPY . .`.

    Better: exclude them in `.dockerignore` and mount them at run time
    (`volumes: ["./models:/models:ro"]`), or download them in a dedicated early layer.
    """

    id = "DW504"
    name = "context.data-or-models-sent"
    severity = Severity.WARNING
    group = Group.CONTEXT

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        """Yield this rule's findings for one service."""
        found = data_files(ctx.service)
        if not found:
            return
        kinds: Counter[str] = Counter()
        for entry, kind in found:
            kinds[kind] += entry.size
        files = sorted(((e.rel, e.size) for e, _ in found), key=lambda item: -item[1])
        baked = sum(e.size for e, _ in found if _baked(ctx, [e.rel]))
        yield self.report(
            ctx,
            _anchor(ctx),
            f"{_listing(kinds.most_common())} sent to the builder: {_listing(files, 3)}",
            cost=Cost(
                bytes_added=baked or None,
                bytes_rebuilt=sum(kinds.values()),
                note="file sizes; bytes_added counts those a runtime COPY takes",
            ),
        )
