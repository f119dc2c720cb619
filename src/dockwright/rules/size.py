"""Image-size rules (DW2xx): base images and files that end up in the final image.

Every rule is stage-aware: only stages whose layers reach the final image (the target and
the stages it is built FROM) count. Costs are estimates unless computed from the build
context; their notes say which. Python-package and system-package size rules live in
`size_python` and `size_system`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from dockwright.model.dockerfile import Instruction, Stage, substitute
from dockwright.model.findings import Cost, Edit, EditKind, Finding, Fix, Group, Severity
from dockwright.rules import _caches, _layers
from dockwright.rules._size_support import (
    MB,
    build_tools,
    compiled_requirements,
    full_only_tools_used,
    human,
    junk_kind,
    slim_tag,
    venv_roots,
)
from dockwright.rules.base import Rule, RuleContext


def _names_venv(source: str, venvs: list[str]) -> str | None:
    src = source.strip("/").removeprefix("./")
    return next((r for r in venvs if src == r or src.startswith(r + "/")), None)


class FullPythonBase(Rule):
    """The runtime image is built FROM the full `python:3.X` image where `-slim` would do.

    The full image carries compilers, headers and many libraries (about 1 GB) that a service
    rarely needs at run time; `python:3.X-slim` is about 130 MB. Compile in a builder stage
    if you need the toolchain.

    Anti-pattern::

        FROM python:3.11
        COPY . /app
        RUN pip install -r /app/requirements.txt

    Better::

        FROM python:3.11-slim
        COPY . /app
        RUN pip install -r /app/requirements.txt
    """

    id = "DW202"
    name = "size.full-python-base"
    severity = Severity.WARNING
    group = Group.SIZE
    fixable = True

    _IMAGES = frozenset(
        {"python", "library/python", "docker.io/python", "docker.io/library/python"}
    )

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        """Yield this rule's findings for one service."""
        for stage in ctx.runtime_stages():
            base = self._base(ctx, stage)
            tag = base.rpartition(":")[2] if ":" in base.rsplit("/", 1)[-1] else ""
            new = slim_tag(tag)
            if stage.parent is not None or base.split(":")[0] not in self._IMAGES or new is None:
                continue
            blockers = self._blockers(ctx, stage)
            message = (
                f"`FROM {base}` ships compilers and headers (~1 GB); `python:{new}` is ~130 MB"
            )
            if blockers:
                message += f" (switch after moving {', '.join(blockers)} to a builder stage)"
            final = stage is ctx.final_stage
            fix = self._fix(ctx, stage, new) if final and not blockers else None
            cost = Cost(bytes_added=900 * MB, note="estimate: python:3.X ≈ 1.0 GB, -slim ≈ 130 MB")
            yield self.report(ctx, stage.from_instruction, message, cost=cost, fix=fix)

    def _base(self, ctx: RuleContext, stage: Stage) -> str:
        raw = stage.from_instruction.value[0] if stage.from_instruction.value else ""
        if "$" not in raw:
            return stage.base
        env = {k: v for ins in ctx.dockerfile.global_args for k, v in ins.pairs()}
        for build in ctx.service.compose:
            env.update(build.args)
        resolved = substitute(raw, env)
        return "" if resolved.endswith(":") or "$" in resolved else resolved

    def _blockers(self, ctx: RuleContext, stage: Stage) -> list[str]:
        stages = _layers.chain(ctx.dockerfile, ctx.final_stage or stage)
        tools = [t for ins in stage.of("RUN") for t in build_tools(ins, git_needed=True)]
        return tools + full_only_tools_used(stages) + compiled_requirements(ctx, stages)

    def _fix(self, ctx: RuleContext, stage: Stage, new_tag: str) -> Fix | None:
        ins = stage.from_instruction
        raw = ins.value[0]
        line = ctx.dockerfile.lines[ins.line - 1]
        if "$" in raw or ins.line != ins.end_line or raw not in line:
            return None
        text = line.replace(raw, f"{raw.split(':', 1)[0]}:{new_tag}", 1) + "\n"
        edit = Edit(EditKind.REPLACE, ctx.dockerfile.path, ins.line, ins.line, text)
        return Fix(f"use python:{new_tag}", (edit,))


class RmInLaterLayer(Rule):
    """Files are deleted in a later layer than the one that created them.

    Each instruction adds a layer; deleting a file in a later RUN only hides it — the bytes
    stay in the earlier layer and in the image.

    Anti-pattern::

        RUN apt-get update && apt-get install -y curl
        RUN rm -rf /var/lib/apt/lists/*

    Better: clean up in the same RUN that created the files::

        RUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*
    """

    id = "DW204"
    name = "size.rm-in-later-layer"
    severity = Severity.WARNING
    group = Group.SIZE

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        """Yield this rule's findings for one service."""
        df = ctx.dockerfile
        memo: dict[int, list[_layers.Written]] = {}
        for ins in ctx.runtime_instructions("RUN"):
            targets = _layers.removed_by(ins, _layers.workdir_at(df, ins))
            if not targets:
                continue
            earlier = [w for prev in _layers.before(df, ins) for w in _written(ctx, prev, memo)]
            hits = [w for w in earlier if any(_layers.overlaps(t, w) for t in targets)]
            if not hits or _negligible(hits):
                continue
            first = hits[0]
            size = _layers.entries_bytes(hits)
            yield self.report(
                ctx,
                ins,
                f"removes {first.what} (line {first.ins.line}) in a later layer: it stays in the "
                "image; delete it in the same RUN that created it (or use a cache/bind mount)",
                cost=Cost(
                    bytes_added=size,
                    note="bytes of the copied files left in the earlier layer (apt lists ≈ 40 MB)",
                ),
            )


_NEGLIGIBLE = 64 * 1024


def _negligible(hits: list[_layers.Written]) -> bool:
    """Small copied files (a requirements.txt removed later) are not worth a finding."""
    total = sum(w.size or 0 for w in hits)
    return all(w.size is not None and w.source for w in hits) and total < _NEGLIGIBLE


def _written(
    ctx: RuleContext, ins: Instruction, memo: dict[int, list[_layers.Written]]
) -> list[_layers.Written]:
    """What an instruction leaves in its layer (memoised per check: contexts can be large)."""
    if ins.line not in memo:
        if ins.cmd == "RUN":
            memo[ins.line] = _caches.left_behind(ctx.dockerfile, ins)
        elif ins.cmd == "COPY" or (ins.cmd == "ADD" and not any(map(_is_archive, ins.sources))):
            memo[ins.line] = _layers.copied(ctx, ins)
        else:
            memo[ins.line] = []
    return memo[ins.line]


class RecursiveChownLayer(Rule):
    """`chown -R` / `chmod -R` in its own layer duplicates every file written before it.

    Changing owner or mode rewrites each file into a new layer, so the image holds two
    copies. `COPY --chown=` (and `--chmod=`) sets them while copying, for free.

    Anti-pattern::

        COPY . /app
        RUN chown -R app:app /app

    Better::

        COPY --chown=app:app . /app
    """

    id = "DW205"
    name = "size.recursive-chown-layer"
    severity = Severity.WARNING
    group = Group.SIZE

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        """Yield this rule's findings for one service."""
        df = ctx.dockerfile
        memo: dict[int, list[_layers.Written]] = {}
        for ins in ctx.runtime_instructions("RUN"):
            earlier = _layers.before(df, ins)
            copies = [
                w for p in earlier if p.cmd in {"COPY", "ADD"} for w in _written(ctx, p, memo)
            ]
            for cmd, targets in _layers.recursive_targets(ins, _layers.workdir_at(df, ins)):
                hits = [w for w in copies if any(_layers.overlaps(t, w) for t in targets)]
                runs = [p.line for p in earlier if any(_layers.run_writes(p, t) for t in targets)]
                if hits or runs:
                    yield self._finding(ctx, ins, cmd.program, hits, runs)
                    break

    def _finding(
        self,
        ctx: RuleContext,
        ins: Instruction,
        program: str,
        hits: list[_layers.Written],
        runs: list[int],
    ) -> Finding:
        flag = "--chown" if program in {"chown", "chgrp"} else "--chmod"
        lines = ", ".join(map(str, sorted({w.ins.line for w in hits} | set(runs))))
        better = f"`COPY {flag}=…`" if hits else "the same RUN that writes them"
        return self.report(
            ctx,
            ins,
            f"`{program} -R` rewrites the files written on line(s) {lines} into a new layer "
            f"(the image holds them twice): set owner and mode in {better} instead",
            cost=Cost(bytes_added=_layers.entries_bytes(hits), note="bytes of the copied files"),
        )


class JunkInContextCopy(Rule):
    """A COPY into the runtime image brings caches, tests, VCS data or virtualenvs along.

    `__pycache__`, `.git`, `tests/`, `.pytest_cache`, `.mypy_cache` and local venvs are
    useless at run time; without a `.dockerignore` entry a context COPY ships them.

    Anti-pattern: `COPY . /app` with no `.dockerignore`.

    Better: a `.dockerignore` such as::

        .git
        **/__pycache__
        .pytest_cache
        .mypy_cache
        .venv
        tests
    """

    id = "DW207"
    name = "size.junk-in-context-copy"
    severity = Severity.WARNING
    group = Group.SIZE

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        """Yield this rule's findings for one service."""
        venvs = venv_roots(ctx.service)
        for ins in ctx.runtime_context_copies():
            kinds: dict[str, int] = {}
            for source in ins.sources:
                if _names_venv(source, venvs):
                    continue  # DW213 reports copying a venv on purpose
                for entry, rel in _layers.context_sources(ctx.service, source):
                    kind = junk_kind(rel, entry.rel, venvs)
                    if kind:
                        kinds[kind] = kinds.get(kind, 0) + entry.size
            total = sum(kinds.values())
            if total:
                listed = ", ".join(f"{k} ({human(v)})" for k, v in sorted(kinds.items()))
                yield self.report(
                    ctx,
                    ins,
                    f"copies {listed} into the image: exclude them in .dockerignore",
                    cost=Cost(bytes_added=total, bytes_rebuilt=total, note="bytes in the context"),
                )


def _removed(ctx: RuleContext, ins: Instruction) -> list[str]:
    return _layers.removed_by(ins, _layers.workdir_at(ctx.dockerfile, ins))


def _is_archive(source: str) -> bool:
    local = not re.match(r"^(https?|git)://|^git@", source)
    return local and bool(
        re.search(r"\.(tar|tar\.gz|tgz|tar\.bz2|tbz2?|tar\.xz|txz|tar\.zst)$", source)
    )


class AddArchiveThenRemove(Rule):
    r"""A local archive is extracted by `ADD` and its files are deleted in a later layer.

    `ADD x.tar.gz /dir` unpacks into its own layer; removing the files later only hides
    them. Extract, use and delete in one RUN (with a bind mount) or in a builder stage.

    Anti-pattern::

        ADD vendor.tar.gz /tmp/vendor
        RUN pip install /tmp/vendor/*.whl && rm -rf /tmp/vendor

    Better::

        RUN --mount=type=bind,source=vendor.tar.gz,target=/tmp/vendor.tar.gz \
            mkdir /tmp/vendor && tar -xzf /tmp/vendor.tar.gz -C /tmp/vendor \
            && pip install /tmp/vendor/*.whl && rm -rf /tmp/vendor
    """

    id = "DW212"
    name = "size.add-archive-then-rm"
    severity = Severity.WARNING
    group = Group.SIZE

    _BROAD = frozenset({"/", "/usr", "/usr/local", "/etc", "/var", "/opt", "/home", "/root"})

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        """Yield this rule's findings for one service."""
        df = ctx.dockerfile
        for add in ctx.runtime_instructions("ADD"):
            archives = [s for s in add.sources if _is_archive(s)]
            dest = _layers.resolve(add.destination, _layers.workdir_at(df, add))
            if not archives or dest in self._BROAD or add.flag("from") is not None:
                continue
            tree = _layers.Written(dest, None, add, "", tree=True)
            later = [
                i
                for i in ctx.runtime_instructions("RUN")
                if i.line > add.line and any(_layers.overlaps(t, tree) for t in _removed(ctx, i))
            ]
            if later:
                size = sum(
                    e.size for s in archives for e, _ in _layers.context_sources(ctx.service, s)
                )
                yield self.report(
                    ctx,
                    add,
                    f"`ADD` extracts {', '.join(archives)} into {dest} and line "
                    f"{later[0].line} deletes it again: the files stay in this layer",
                    cost=Cost(
                        bytes_added=size or None, note="compressed size; extracted files are larger"
                    ),
                )


class HostVenvCopied(Rule):
    """A virtualenv from the host is copied into the image.

    A host venv is built for the host's interpreter and platform (its `bin/python` links
    to the host's Python) and carries caches; create the environment inside the build.

    Anti-pattern::

        COPY .venv /app/.venv

    Better::

        RUN python -m venv /opt/venv && /opt/venv/bin/pip install -r requirements.txt
    """

    id = "DW213"
    name = "size.host-venv-copied"
    severity = Severity.WARNING
    group = Group.SIZE

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        """Yield this rule's findings for one service."""
        roots = venv_roots(ctx.service)
        for ins in ctx.runtime_context_copies():
            for source in ins.sources:
                root = _names_venv(source, roots)
                if root is None:
                    continue
                size = sum(e.size for e, _ in _layers.context_sources(ctx.service, source))
                yield self.report(
                    ctx,
                    ins,
                    f"copies the host virtualenv `{root}` into the image: it targets the "
                    "host's Python; create the venv inside the build instead",
                    cost=Cost(bytes_added=size, note="bytes of the venv in the context"),
                )
                break
