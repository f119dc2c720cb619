"""Image-size rules (DW2xx) about system packages: build tools, apt/apk/rpm leftovers.

Only stages whose layers reach the final image count: a builder stage may install
compilers and keep caches.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from dockwright.model.dockerfile import Instruction
from dockwright.model.findings import Cost, Edit, EditKind, Finding, Fix, Group, Severity
from dockwright.rules import _caches
from dockwright.rules._size_support import (
    build_tools,
    build_tools_bytes,
    human,
)
from dockwright.rules.base import Rule, RuleContext


class BuildToolsInFinalStage(Rule):
    r"""Compilers and build packages are installed in a stage that is part of the final image.

    gcc, build-essential, `*-dev` headers and friends are only needed to build wheels; in the
    final image they add hundreds of megabytes and attack surface. A builder stage is fine.

    Anti-pattern::

        FROM python:3.11-slim
        RUN apt-get update && apt-get install -y build-essential libpq-dev
        RUN pip install -r requirements.txt

    Better: build wheels in a builder stage and install them in a clean runtime stage::

        FROM python:3.11-slim AS builder
        RUN apt-get update && apt-get install -y build-essential libpq-dev
        RUN pip wheel --wheel-dir /wheels -r requirements.txt

        FROM python:3.11-slim
        RUN apt-get update && apt-get install -y --no-install-recommends libpq5 \
            && rm -rf /var/lib/apt/lists/*
        COPY --from=builder /wheels /wheels
        RUN pip install --no-index --find-links /wheels -r requirements.txt
    """

    id = "DW201"
    name = "size.build-tools-in-final-stage"
    severity = Severity.WARNING
    group = Group.SIZE

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        """Yield this rule's findings for one service."""
        git_needed = _pip_uses_git(ctx)
        for ins in ctx.runtime_instructions("RUN"):
            tools = build_tools(ins, git_needed)
            if not tools:
                continue
            size = build_tools_bytes(tools)
            yield self.report(
                ctx,
                ins,
                f"installs build tools ({', '.join(tools)}) in a stage whose layers are in the "
                f"final image (~{human(size)}): build wheels in a builder stage and copy them over",
                cost=Cost(bytes_added=size, note="estimate from typical Debian installed sizes"),
            )


def _pip_uses_git(ctx: RuleContext) -> bool:
    if any("git+" in ins.script for ins in ctx.runtime_instructions("RUN")):
        return True
    return any(r.url.startswith("git+") for d in ctx.service.dep_files for r in d.requirements)


_APT_INSTALL = re.compile(r"\b(apt-get|apt)((?:\s+-[-\w=.:]+)*)\s+install\b")


class AptNoInstallRecommends(Rule):
    r"""`apt-get install` without `--no-install-recommends` in a stage of the final image.

    Recommended packages are not needed by what you install and often double the size.

    Anti-pattern::

        RUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*

    Better::

        RUN apt-get update && apt-get install -y --no-install-recommends curl \
            && rm -rf /var/lib/apt/lists/*
    """

    id = "DW210"
    name = "size.apt-no-install-recommends"
    severity = Severity.INFO
    group = Group.SIZE
    fixable = True
    hadolint = ("DL3015",)

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        """Yield this rule's findings for one service."""
        for ins in ctx.runtime_instructions("RUN"):
            if "Install-Recommends" in ins.script:
                continue
            missing = [
                c
                for c in ins.commands
                if c.program in {"apt-get", "apt"}
                and "install" in c.words
                and "--no-install-recommends" not in c.words
            ]
            if missing:
                yield self.report(
                    ctx,
                    ins,
                    "`apt-get install` without `--no-install-recommends` pulls in "
                    "recommended packages the image does not need",
                    fix=self._fix(ctx, ins),
                    cost=Cost(note="recommended packages often add tens to hundreds of MB"),
                )

    def _fix(self, ctx: RuleContext, ins: Instruction) -> Fix | None:
        if ins.exec_form or ins.heredocs:
            return None
        old = "\n".join(ctx.dockerfile.lines[ins.line - 1 : ins.end_line])

        def add(match: re.Match[str]) -> str:
            rest = re.split(r"&&|\|\||;|\|", old[match.end() :], maxsplit=1)[0]
            return (
                match.group(0)
                if "--no-install-recommends" in rest
                else match.group(0) + " --no-install-recommends"
            )

        new = _APT_INSTALL.sub(add, old)
        edit = Edit(EditKind.REPLACE, ctx.dockerfile.path, ins.line, ins.end_line, new + "\n")
        return Fix("add --no-install-recommends", (edit,)) if new != old else None


class AptListsLeft(Rule):
    r"""`apt-get update` leaves the package lists in a layer of the final image.

    The lists (~40 MB) are only needed while installing; delete them in the same RUN or
    keep them in a cache mount.

    Anti-pattern::

        RUN apt-get update && apt-get install -y --no-install-recommends curl

    Better::

        RUN apt-get update && apt-get install -y --no-install-recommends curl \
            && rm -rf /var/lib/apt/lists/*
    """

    id = "DW211"
    name = "size.apt-lists-left"
    severity = Severity.WARNING
    group = Group.SIZE
    fixable = True
    hadolint = ("DL3009",)

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        """Yield this rule's findings for one service."""
        for ins in ctx.runtime_instructions("RUN"):
            if _caches.apt_lists_left(ins):
                yield self.report(
                    ctx,
                    ins,
                    "apt lists stay in the layer: add `&& rm -rf /var/lib/apt/lists/*` "
                    "to this RUN (or mount a cache at /var/lib/apt/lists)",
                    cost=Cost(bytes_added=_caches.APT_LISTS_BYTES, note=_caches.APT_LISTS_NOTE),
                    fix=self._fix(ctx, ins),
                )

    def _fix(self, ctx: RuleContext, ins: Instruction) -> Fix | None:
        last = ctx.dockerfile.lines[ins.end_line - 1]
        installs = [
            c for c in ins.commands if c.program in {"apt-get", "apt"} and "install" in c.words
        ]
        if ins.exec_form or ins.heredocs or not installs or re.search(r"[;&|\\({]\s*$", last):
            return None
        text = last + " \\\n    && rm -rf /var/lib/apt/lists/*\n"
        edit = Edit(EditKind.REPLACE, ctx.dockerfile.path, ins.end_line, ins.end_line, text)
        return Fix("remove the apt lists in the same RUN", (edit,))


class ApkCacheLeft(Rule):
    """`apk add` without `--no-cache` leaves the package index in a runtime layer.

    Anti-pattern::

        RUN apk update && apk add curl

    Better::

        RUN apk add --no-cache curl
    """

    id = "DW214"
    name = "size.apk-cache-left"
    severity = Severity.INFO
    group = Group.SIZE
    fixable = True
    hadolint = ("DL3019",)

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        """Yield this rule's findings for one service."""
        for ins in ctx.runtime_instructions("RUN"):
            if _caches.apk_cache_left(ins):
                yield self.report(
                    ctx,
                    ins,
                    "`apk add` keeps its cache in the layer: use `apk add --no-cache`",
                    cost=Cost(note="the apk index and cache, typically a few MB"),
                    fix=self._fix(ctx, ins),
                )

    def _fix(self, ctx: RuleContext, ins: Instruction) -> Fix | None:
        if ins.exec_form or ins.heredocs:
            return None
        old = "\n".join(ctx.dockerfile.lines[ins.line - 1 : ins.end_line])
        new = re.sub(r"\bapk\s+add\b(?!(?:\s+-[-\w=]+)*\s+--no-cache)", "apk add --no-cache", old)
        edit = Edit(EditKind.REPLACE, ctx.dockerfile.path, ins.line, ins.end_line, new + "\n")
        return Fix("use apk add --no-cache", (edit,)) if new != old else None


class RpmCacheLeft(Rule):
    """yum/dnf/microdnf/zypper installs leave their package cache in a runtime layer.

    Anti-pattern::

        RUN dnf install -y gcc

    Better::

        RUN dnf install -y gcc && dnf clean all
    """

    id = "DW215"
    name = "size.rpm-cache-left"
    severity = Severity.INFO
    group = Group.SIZE
    hadolint = ("DL3032", "DL3040", "DL3036")

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        """Yield this rule's findings for one service."""
        for ins in ctx.runtime_instructions("RUN"):
            manager = _caches.rpm_cache_left(ins)
            if manager:
                clean = "zypper clean" if manager == "zypper" else f"{manager} clean all"
                yield self.report(
                    ctx,
                    ins,
                    f"`{manager}` keeps its package cache in the layer: add `&& {clean}`",
                    cost=Cost(note="metadata and package cache, often 50-200 MB"),
                )
