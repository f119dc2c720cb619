"""Build-speed rules (DW1xx): what makes rebuilds slow."""

from __future__ import annotations

import re
from collections.abc import Iterator

from dockwright.model.dockerfile import Instruction
from dockwright.model.findings import Cost, Finding, Group, Severity
from dockwright.rules import _speed_cache as cache
from dockwright.rules import _speed_depcopy as depcopy
from dockwright.rules import _speed_installs as inst
from dockwright.rules import _speed_layers as layers
from dockwright.rules import _speed_support as sup
from dockwright.rules import patterns
from dockwright.rules.base import Rule, RuleContext

_REBUILD = "full download on every rebuild of this layer"


def _runs(ctx: RuleContext) -> Iterator[Instruction]:
    for stage in ctx.dockerfile.stages:
        yield from stage.of("RUN")


def _first_line(ins: Instruction) -> str:
    return ins.original.splitlines()[0].strip()


class CopyBeforeDeps(Rule):
    """The whole context is copied before the dependency install.

    Every code change invalidates the COPY layer, so the dependency install after it
    re-runs on every build (`ADD . .` and `COPY . /app` alike; `COPY src/ src/` is DW110).

    Anti-pattern::

        COPY . .
        RUN pip install -r requirements.txt

    Better: copy only the dependency files first, install, then copy the code::

        COPY requirements.txt .
        RUN pip install -r requirements.txt
        COPY . .
    """

    id = "DW101"
    name = "speed.copy-before-deps"
    severity = Severity.WARNING
    group = Group.SPEED
    fixable = True

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        """Yield this rule's findings for one service."""
        for stage in ctx.dockerfile.stages:
            copy = next((i for i in stage.instructions if patterns.copies_whole_context(i)), None)
            install = depcopy.rebuilt_install(ctx, stage, copy) if copy else None
            if copy is None or install is None:
                continue
            yield self.report(
                ctx,
                copy,
                f"`{_first_line(copy)}` before the dependency install on line "
                f"{install.line}: every code change re-runs the install",
                cost=Cost(
                    bytes_rebuilt=ctx.service.sent_bytes,
                    note="context re-sent and deps reinstalled",
                ),
                fix=depcopy.copy_deps_first(ctx, copy, install),
            )


class InstallWithoutCacheMount(Rule):
    """A Python dependency install has no BuildKit cache mount for the tool's cache.

    Whenever the layer is rebuilt (a dependency changed, or anything before it), every
    package is downloaded again. A cache mount keeps the downloads between builds and is
    not part of the image, so `--no-cache-dir` is not needed for a small image.

    Anti-pattern::

        RUN pip install --no-cache-dir -r requirements.txt

    Better::

        RUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt
    """

    id = "DW102"
    name = "speed.install-without-cache-mount"
    severity = Severity.WARNING
    group = Group.SPEED
    fixable = True

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        """Yield this rule's findings for one service."""
        for ins in _runs(ctx):
            missing = cache.missing_cache_mounts(ctx.dockerfile, ins)
            if not missing:
                continue
            where = ", ".join(
                f"{tool} ({path or 'cache dir unknown: non-root USER'})" for tool, path in missing
            )
            yield self.report(
                ctx,
                ins,
                f"dependency install without a cache mount for {where}: every rebuild of this "
                "layer downloads all packages again",
                cost=Cost(note=_REBUILD),
                fix=cache.cache_mount_fix(ctx.dockerfile, ins),
            )


class NoCacheDirDefeatsCache(Rule):
    r"""`--no-cache-dir`, `PIP_NO_CACHE_DIR` or `UV_NO_CACHE` switches off a cache mount.

    With a BuildKit cache mount the tool's cache lives outside the image, so turning the
    cache off only forces a full download on every build. pip treats any value of
    PIP_NO_CACHE_DIR (even `0`) as "no cache". Applies to builder and final stages alike.

    Anti-pattern::

        ENV PIP_NO_CACHE_DIR=1
        RUN --mount=type=cache,target=/root/.cache/pip \
            pip install --no-cache-dir -r requirements.txt

    Better::

        RUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt
    """

    id = "DW103"
    name = "speed.no-cache-dir-defeats-cache"
    severity = Severity.WARNING
    group = Group.SPEED
    fixable = True

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        """Yield this rule's findings for one service."""
        for ins in _runs(ctx):
            words = cache.disabling_words_with_mount(ctx.dockerfile, ins)
            if words:
                yield self.report(
                    ctx,
                    ins,
                    f"`{' '.join(words)}` turns the cache off although this RUN has a cache mount "
                    "for it: the mount stays empty and every build downloads everything",
                    cost=Cost(note=_REBUILD),
                    fix=cache.cache_mount_fix(ctx.dockerfile, ins),
                )
        for stage in ctx.dockerfile.stages:
            for env in stage.of("ENV"):
                yield from self._env(ctx, env)

    def _env(self, ctx: RuleContext, env: Instruction) -> Iterator[Finding]:
        for name, value in env.pairs():
            affected = cache.installs_under_env(ctx.dockerfile, env, name, value)
            if affected:
                lines = ", ".join(str(i.line) for i in affected)
                yield self.report(
                    ctx,
                    env,
                    f"`{name}` disables the package cache for the installs on line(s) {lines}: "
                    "use a cache mount instead (it does not end up in the image)",
                    cost=Cost(note=_REBUILD),
                    fix=cache.env_no_cache_fix(ctx.dockerfile, env, name, affected),
                )


class AptWithoutCacheMount(Rule):
    r"""apt-get install runs without locked cache mounts for /var/cache/apt and /var/lib/apt.

    Package lists and .deb files are downloaded again on every rebuild of the layer. Cache
    mounts keep them between builds (outside the image, so no list cleanup is needed);
    `sharing=locked` stops parallel builds from fighting over apt's lock. Cleaning the
    mounted directories (`rm -rf /var/lib/apt/lists/*`, `apt-get clean`) empties the cache.
    Debian images delete downloaded .debs unless /etc/apt/apt.conf.d/docker-clean is removed.
    (Lists left in the final image without any of this are a size finding, not this one.)

    Anti-pattern::

        RUN apt-get update && apt-get install -y --no-install-recommends gcc \
            && rm -rf /var/lib/apt/lists/*

    Better::

        RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
            --mount=type=cache,target=/var/lib/apt,sharing=locked \
            apt-get update && apt-get install -y --no-install-recommends gcc
    """

    id = "DW104"
    name = "speed.apt-without-cache-mount"
    severity = Severity.INFO
    group = Group.SPEED
    fixable = True

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        """Yield this rule's findings for one service."""
        for ins in _runs(ctx):
            problems = cache.apt_cache_problems(ins)
            if problems:
                yield self.report(
                    ctx,
                    ins,
                    "apt-get install " + "; ".join(problems),
                    cost=Cost(
                        note="package lists and .debs downloaded on every rebuild of this layer"
                    ),
                    fix=cache.apt_cache_fix(ctx.dockerfile, ins),
                )


_SPLIT_HINT = {
    "poetry": "copy pyproject.toml + poetry.lock first and run `poetry install --no-root`, "
    "then copy the code and run `poetry install --only-root`",
    "uv": "copy pyproject.toml + uv.lock first and run `uv sync --frozen --no-install-project`, "
    "then copy the code and run `uv sync --frozen`",
    "pdm": "copy pyproject.toml + pdm.lock first and run `pdm install --no-self`, "
    "then copy the code and run `pdm install`",
    "pip": "install the dependencies from a requirements/lock file first, "
    "then copy the code and run `pip install --no-deps .`",
}


class ProjectInstalledBeforeLockCopy(Rule):
    """The project and all its dependencies are installed in one step, after the code is copied.

    `poetry install`, `uv sync`, `pdm install` (and `pip install .`) install the project
    together with its dependencies, so the step needs the source and re-runs, reinstalling
    every dependency, whenever any source file changes. Installing the dependencies from
    pyproject.toml + the lock file alone first caches that layer.

    Anti-pattern::

        COPY . .
        RUN poetry install

    Better::

        COPY pyproject.toml poetry.lock ./
        RUN poetry install --no-root
        COPY . .
        RUN poetry install --only-root
    """

    id = "DW105"
    name = "speed.project-installed-before-lock-copy"
    severity = Severity.WARNING
    group = Group.SPEED

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        """Yield this rule's findings for one service."""
        for ins in _runs(ctx):
            tool = layers.unsplit_project_install(ctx, ins)
            if tool is None:
                continue
            yield self.report(
                ctx,
                ins,
                f"{tool} installs the project and its dependencies in one step: every code change "
                f"reinstalls all dependencies; {_SPLIT_HINT['pip' if tool == 'pip' else tool]}",
                cost=Cost(
                    bytes_rebuilt=ctx.service.sent_bytes,
                    note="all dependencies reinstalled per code change",
                ),
            )


class RemoteAdd(Rule):
    r"""`ADD` of an http(s) URL is fetched on every build and never verified.

    The builder must contact the server on every build to decide whether its cache is
    still valid (and downloads again when the server gives no usable validator); without
    a checksum a changed file silently changes the image. hadolint has no twin (DL3020
    ignores URLs).

    Anti-pattern::

        ADD https://example.com/model.tar.gz /models/

    Better (checksum verified, download cached)::

        RUN --mount=type=cache,target=/var/cache/downloads \
            curl -fsSLo /var/cache/downloads/model.tar.gz https://example.com/model.tar.gz \
            && echo "<sha256>  /var/cache/downloads/model.tar.gz" | sha256sum -c - \
            && tar -xzf /var/cache/downloads/model.tar.gz -C /models
    """

    id = "DW106"
    name = "speed.remote-add"
    severity = Severity.WARNING
    group = Group.SPEED

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        """Yield this rule's findings for one service."""
        for stage in ctx.dockerfile.stages:
            for ins in stage.of("ADD"):
                urls = [
                    s for s in ins.sources if re.match(r"https?://", s, re.I) and not _is_git(s)
                ]
                if urls and ins.flag("checksum") is None:
                    yield self.report(
                        ctx,
                        ins,
                        f"`ADD {urls[0]}` is fetched again on every build and not verified: "
                        "download it in a `RUN --mount=type=cache,...` with curl and "
                        "`sha256sum -c`, "
                        "or use `ADD --checksum=sha256:...` (needs Dockerfile frontend 1.6+)",
                        cost=Cost(note="remote file re-fetched on every build"),
                    )


def _is_git(url: str) -> bool:
    return url.split("#", 1)[0].endswith(".git")


class AptUpdateAlone(Rule):
    """`apt-get update` runs in its own layer, apart from the install that needs it.

    The update layer is cached forever: a later change to the install line reuses stale
    package lists (old versions, or 404s once the mirror drops them). Docker's
    best-practice guide: always combine `apt-get update` with `apt-get install` in the same
    RUN. (hadolint has no twin; DL3009 is about deleting the lists.)

    Anti-pattern::

        RUN apt-get update
        RUN apt-get install -y curl

    Better::

        RUN apt-get update && apt-get install -y curl
    """

    id = "DW107"
    name = "speed.apt-update-alone"
    severity = Severity.WARNING
    group = Group.SPEED
    fixable = True

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        """Yield this rule's findings for one service."""
        for stage in ctx.dockerfile.stages:
            for update in stage.of("RUN"):
                install = layers.install_using_stale_lists(stage, update)
                if install is None:
                    continue
                yield self.report(
                    ctx,
                    update,
                    f"`apt-get update` in its own layer; the install on line {install.line} "
                    "will reuse its cached (stale) package lists",
                    fix=layers.merge_update_fix(ctx.dockerfile, stage, update, install),
                )


class ManyInstallLayers(Rule):
    """Consecutive RUN instructions each pip-install a few packages that could be one install.

    Each RUN starts pip, resolves and writes a layer of its own; later installs may
    upgrade what an earlier layer installed, so bytes are stored twice. One install with
    all packages resolves once. Installs with different options (e.g. a torch index URL)
    are not merged.

    Anti-pattern::

        RUN pip install fastapi
        RUN pip install uvicorn
        RUN pip install redis

    Better::

        RUN pip install fastapi uvicorn redis
    """

    id = "DW108"
    name = "speed.many-install-layers"
    severity = Severity.INFO
    group = Group.SPEED
    fixable = True
    hadolint = ("DL3059",)

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        """Yield this rule's findings for one service."""
        for stage in ctx.dockerfile.stages:
            for group in layers.mergeable_install_runs(stage):
                yield self.report(
                    ctx,
                    group[0],
                    f"{len(group)} consecutive RUN pip installs (lines {group[0].line}-"
                    f"{group[-1].line}) could be one install",
                    fix=layers.merge_installs_fix(ctx.dockerfile, group),
                )


class PipUpgradeEveryBuild(Rule):
    """`pip install --upgrade pip` (or setuptools/wheel) unpinned and without a cache mount.

    The upgrade downloads the newest release on every rebuild of the layer, and what
    "newest" is changes over time, so two builds of the same commit differ. Pin the version
    (`pip install pip==24.2`), use a cache mount, or drop it (recent base images ship a
    recent pip).

    Anti-pattern::

        RUN pip install --upgrade pip && pip install -r requirements.txt

    Better::

        RUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt
    """

    id = "DW109"
    name = "speed.pip-upgrade-every-build"
    severity = Severity.INFO
    group = Group.SPEED

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        """Yield this rule's findings for one service."""
        for ins in _runs(ctx):
            names = cache.unpinned_self_upgrades(ctx.dockerfile, ins)
            if names:
                yield self.report(
                    ctx,
                    ins,
                    f"`--upgrade {' '.join(names)}` unpinned and uncached: downloads the latest "
                    "release on every rebuild and makes builds non-reproducible",
                    cost=Cost(note=_REBUILD),
                )


class InstallAfterSourceCopy(Rule):
    """Python source files are copied before the dependency install.

    Not the whole context (that is DW101), but e.g. `COPY app/ app/` before
    `pip install -r requirements.txt`: every change to the code invalidates the COPY and
    so re-runs the install below it.

    Anti-pattern::

        COPY requirements.txt .
        COPY app/ app/
        RUN pip install -r requirements.txt

    Better::

        COPY requirements.txt .
        RUN pip install -r requirements.txt
        COPY app/ app/
    """

    id = "DW110"
    name = "speed.install-after-copy-in-dev-loop"
    severity = Severity.WARNING
    group = Group.SPEED
    fixable = True

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        """Yield this rule's findings for one service."""
        for stage in ctx.dockerfile.stages:
            for copies, install in layers.source_copies_before_install(ctx, stage):
                size = sum(e.size for c in copies for e in sup.copied_entries(ctx.service, c))
                yield self.report(
                    ctx,
                    copies[0],
                    f"`{_first_line(copies[0])}` copies source code before the dependency install "
                    f"on line {install.line}: every code change re-runs the install",
                    cost=Cost(
                        bytes_rebuilt=size, note="copied sources; their changes re-run the install"
                    ),
                    fix=layers.move_after_fix(ctx.dockerfile, stage, copies, install),
                )


_VOLATILE_ARG = re.compile(
    r"(CACHE_?BUST|BUILD_?(DATE|TIME|TIMESTAMP|NUMBER|ID|VERSION)|TIMESTAMP|"
    r"GIT_?(COMMIT|SHA|REV|REVISION|HASH|REF)|(SOURCE_|CI_|GITHUB_)?COMMIT(_?SHA|_?HASH)?|"
    r"GITHUB_SHA|VCS_REF|REVISION|(APP_)?VERSION|RELEASE)",
    re.IGNORECASE,
)


class VolatileArgBeforeInstall(Rule):
    """A per-build ARG (commit, build date, cache-bust) is declared before the dependency install.

    Every RUN after an ARG sees it as an environment variable, so when its value changes
    (and a commit SHA or build date changes on every build) all those RUN layers rebuild,
    including the dependency install. Declare such ARGs after the installs, where they
    are used.

    Anti-pattern::

        ARG GIT_SHA
        RUN pip install -r requirements.txt
        LABEL org.opencontainers.image.revision=$GIT_SHA

    Better::

        RUN pip install -r requirements.txt
        ARG GIT_SHA
        LABEL org.opencontainers.image.revision=$GIT_SHA
    """

    id = "DW111"
    name = "speed.volatile-arg-before-install"
    severity = Severity.WARNING
    group = Group.SPEED
    fixable = True

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        """Yield this rule's findings for one service."""
        for stage in ctx.dockerfile.stages:
            for arg in stage.of("ARG"):
                names = [n for n, _ in arg.pairs() if _VOLATILE_ARG.fullmatch(n)]
                installs = [i for i in inst.install_runs(stage) if i.line > arg.line]
                if (
                    not names
                    or not installs
                    or layers.arg_used_before(stage, arg, names[0], installs[0])
                ):
                    continue
                yield self.report(
                    ctx,
                    arg,
                    f"`ARG {names[0]}` changes per build and every RUN after it sees it: the "
                    f"install on line {installs[0].line} is rebuilt whenever its value changes",
                    cost=Cost(note="dependency install rebuilt whenever the ARG value changes"),
                    fix=layers.move_arg_fix(ctx.dockerfile, stage, arg, installs[-1]),
                )


class CacheMountWrongDir(Rule):
    r"""The cache mount is not where the tool keeps its cache, so it stays empty.

    After `USER app` pip caches under that user's home, not /root; PIP_CACHE_DIR,
    UV_CACHE_DIR, XDG_CACHE_HOME or `--cache-dir` move the cache too. The mount then
    caches nothing and every build downloads everything.

    Anti-pattern::

        USER app
        RUN --mount=type=cache,target=/root/.cache/pip pip install --user -r requirements.txt

    Better::

        USER app
        RUN --mount=type=cache,target=/home/app/.cache/pip,uid=1000 \
            pip install --user -r requirements.txt
    """

    id = "DW112"
    name = "speed.cache-mount-wrong-dir"
    severity = Severity.WARNING
    group = Group.SPEED
    fixable = True

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        """Yield this rule's findings for one service."""
        for ins in _runs(ctx):
            wrong = cache.misplaced_cache_mounts(ctx.dockerfile, ins)
            if wrong:
                tool, target, actual = wrong[0]
                where = actual or "the home of the non-root USER"
                yield self.report(
                    ctx,
                    ins,
                    f"cache mount at {target} but {tool} caches in {where}: the mount stays empty",
                    cost=Cost(note=_REBUILD),
                    fix=cache.retarget_fix(ctx.dockerfile, ins, wrong),
                )
