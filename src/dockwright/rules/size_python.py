"""Image-size rules (DW2xx) about Python packages and models: CUDA torch, caches, dev deps.

Stage-aware like every size rule: only stages whose layers reach the final image count
(plus, for torch and model weights, the stages the final image copies files from).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from dockwright.model.depfiles import Requirement
from dockwright.model.dockerfile import Instruction, Stage
from dockwright.model.findings import Cost, Finding, Group, Location, Severity
from dockwright.rules import _caches, _installs, _layers, _torch
from dockwright.rules._size_support import (
    dev_groups,
    dev_requirement_file,
    human,
    is_dev_tool,
    model_download,
)
from dockwright.rules.base import Rule, RuleContext


class CudaTorchWithoutGpu(Rule):
    """CUDA PyTorch is installed for a service whose code never uses CUDA.

    `torch` from PyPI (directly, or through sentence-transformers, openai-whisper,
    accelerate, torchvision…) is the CUDA build on linux/x86_64: it brings nvidia-* and
    triton wheels of about 4.3 GB that a CPU-only service never loads. Set `cuda = true`
    for the service when it does run on a GPU.

    Anti-pattern::

        RUN pip install sentence-transformers

    Better: install torch from the CPU index first, then the rest::

        RUN pip install torch --index-url https://download.pytorch.org/whl/cpu
        RUN pip install sentence-transformers
    """

    id = "DW203"
    name = "size.cuda-torch-without-gpu"
    severity = Severity.WARNING
    group = Group.SIZE
    config_keys = ("cuda",)

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        """Yield this rule's findings for one service."""
        if ctx.options.get("cuda"):
            return
        stages = _layers.contributing_stages(ctx)
        found = list(self._pullers(ctx, stages))
        if found and not _torch.build_chooses_cpu(ctx, stages) and not _torch.uses_gpu(ctx, stages):
            yield from (self._finding(ctx, where, name) for where, name in found)

    def _pullers(
        self, ctx: RuleContext, stages: list[Stage]
    ) -> Iterator[tuple[Instruction | Location, str]]:
        """Where torch is pulled: a requirement's line, or the RUN naming it."""
        seen: set[Path] = set()
        for inst in _installs.python_installs(stages):
            if inst.has("--find-links", "-f", "--no-index"):
                continue
            files = [d for d in _installs.dep_files_of(ctx, inst) if d.path not in seen]
            seen.update(d.path for d in files)
            puller = _torch.first_puller(files)
            if puller is not None:
                yield Location(puller.path, puller.line), puller.name
            inline = [r for p in inst.packages if (r := _installs.requirement_of(p))]
            hit = next((r for r in inline if _torch.pulls_torch(r.name, r.extras)), None)
            if hit is not None:
                yield inst.ins, hit.name

    def _finding(self, ctx: RuleContext, where: Instruction | Location, name: str) -> Finding:
        what = "`torch` from PyPI is" if name == "torch" else f"`{name}` pulls torch from PyPI,"
        return self.report(
            ctx,
            where,
            f"{what} the CUDA build (~{human(_torch.CUDA_EXTRA_BYTES)} of nvidia-* and triton "
            "wheels) but the service's code never uses CUDA: install torch from "
            "https://download.pytorch.org/whl/cpu first (or set `cuda = true` for a GPU service)",
            cost=Cost(bytes_added=_torch.CUDA_EXTRA_BYTES, note=_torch.COST_NOTE),
        )


class PackageCacheInImage(Rule):
    """pip or uv leaves its download cache in a runtime layer.

    Without a cache mount the wheel cache (~/.cache/pip, ~/.cache/uv) is written into the
    layer and shipped. A BuildKit cache mount keeps it out of the image and speeds up
    rebuilds; `--no-cache-dir` also keeps the image small but defeats the cache mount.

    Anti-pattern::

        RUN pip install -r requirements.txt

    Better::

        RUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt
    """

    id = "DW206"
    name = "size.package-cache-in-image"
    severity = Severity.WARNING
    group = Group.SIZE
    hadolint = ("DL3042",)

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        """Yield this rule's findings for one service."""
        for inst in _installs.python_installs(ctx.runtime_stages()):
            env = _caches.env_before(ctx.dockerfile, inst.ins)
            if inst.tool == "pip" and inst.action == "download" and _download_kept(ctx, inst):
                message = (
                    "`pip download` stores the files in the image layer: download in a "
                    "builder stage or into a cache/bind mount"
                )
            elif inst.tool in {"pip", "uv"} and _caches.pip_cache_left(inst, env):
                target = _caches_target(inst.tool)
                message = (
                    f"{inst.tool} leaves its download cache in the layer: use a cache mount "
                    f"(`RUN --mount=type=cache,target={target} …`), which keeps it out of the "
                    "image and speeds up rebuilds (`--no-cache-dir` would defeat the mount)"
                )
            else:
                continue
            yield self.report(
                ctx, inst.ins, message, cost=Cost(note="about the size of the downloaded wheels")
            )


def _download_kept(ctx: RuleContext, inst: _installs.PythonInstall) -> bool:
    """True unless the RUN deletes the `pip download -d` folder again (or mounts it)."""
    cwd = _layers.workdir_at(ctx.dockerfile, inst.ins)
    dest = _layers.resolve((inst.values("-d", "--dest") or (".",))[-1], cwd)
    removed = _layers.removed_by(inst.ins, cwd)
    mounted = any(m.target and _layers.covers(m.target, dest) for m in inst.ins.mounts())
    return not mounted and not any(_layers.covers(t, dest) for t in removed)


def _caches_target(tool: str) -> str:
    return "/root/.cache/uv" if tool == "uv" else "/root/.cache/pip"


class DevDepsInProduction(Rule):
    """Development and test dependencies are installed in a runtime stage.

    pytest, linters, type checkers and notebooks make the image bigger and widen its
    attack surface; install them in a test stage instead.

    Anti-pattern::

        RUN pip install -r requirements.txt -r requirements-dev.txt
        RUN poetry install

    Better::

        RUN pip install -r requirements.txt
        RUN poetry install --only main
    """

    id = "DW208"
    name = "size.dev-deps-in-production"
    severity = Severity.WARNING
    group = Group.SIZE

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        """Yield this rule's findings for one service."""
        groups = dev_groups(ctx.service.context)
        seen: set[tuple[Path, int]] = set()
        for inst in _installs.python_installs(ctx.runtime_stages()):
            env = _caches.env_before(ctx.dockerfile, inst.ins)
            reason = _dev_install_reason(inst, groups, env)
            if reason:
                yield self.report(
                    ctx, inst.ins, f"{reason} in a stage that is part of the final image"
                )
            for req in self._dev_requirements(ctx, inst):
                if (req.path, req.line) not in seen:
                    seen.add((req.path, req.line))
                    yield self.report(
                        ctx,
                        Location(req.path, req.line),
                        f"`{req.name}` is a development tool installed in the final image",
                    )

    def _dev_requirements(
        self, ctx: RuleContext, inst: _installs.PythonInstall
    ) -> list[Requirement]:
        files = [
            d
            for d in _installs.dep_files_of(ctx, inst)
            if not dev_requirement_file(d.path.name) and not d.is_lock
        ]
        return [r for d in files for r in d.requirements if not r.group and is_dev_tool(r.name)]


def _dev_install_reason(
    inst: _installs.PythonInstall, groups: dict[str, set[str]], env: dict[str, str]
) -> str:
    dev_files = [f for f in inst.values("-r", "--requirement") if dev_requirement_file(f)]
    extras = [
        p
        for p in (*inst.packages, *inst.values("-e", "--editable"))
        if re.search(r"\[[^]]*\b(dev|tests?|testing|lint)\b", p)
    ]
    inline = [
        r.name for p in inst.packages if (r := _installs.requirement_of(p)) and is_dev_tool(r.name)
    ]
    if dev_files or extras or inline:
        return f"installs {', '.join(dev_files + extras + inline)}"
    if inst.tool == "pipenv" and inst.has("--dev", "-d"):
        return f"`pipenv {inst.action} --dev` installs the dev packages"
    if (
        inst.tool == "poetry"
        and groups["poetry"]
        and not inst.has("--only", "--without", "--no-dev", "--only-root")
    ):
        return f"`poetry install` installs the {', '.join(sorted(groups['poetry']))} group(s)"
    no_dev = inst.has("--no-dev", "--only-group", "--no-default-groups", "--no-group") or env.get(
        "UV_NO_DEV"
    )
    if inst.tool == "uv" and inst.action == "sync" and groups["uv"] and not no_dev:
        return "`uv sync` installs the dev group (add `--no-dev`)"
    if inst.tool == "pdm" and groups["pdm"] and not inst.has("--prod", "-P", "--production"):
        return f"`pdm {inst.action}` installs the dev dependencies (add `--prod`)"
    return ""


class ModelWeightsInLayer(Rule):
    r"""Model weights are downloaded into an image layer at build time.

    Weights are hundreds of megabytes to gigabytes: every change above that RUN downloads
    them again, every pull ships them, and every model update is a full image rebuild.

    Anti-pattern::

        RUN python -c "from sentence_transformers import SentenceTransformer; \
            SentenceTransformer('all-MiniLM-L6-v2')"

    Better: mount a models volume (or a cache mount) at run time, or ship the weights as a
    versioned model package or image that changes only when the model does::

        # compose: volumes: [models:/root/.cache/huggingface]
    """

    id = "DW209"
    name = "size.model-weights-in-layer"
    severity = Severity.WARNING
    group = Group.SIZE

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        """Yield this rule's findings for one service."""
        for stage in _layers.contributing_stages(ctx):
            for ins in stage.of("RUN"):
                if _caches.non_system_cache_mount(ins):
                    continue
                found = model_download(ins, _layers.workdir_at(ctx.dockerfile, ins))
                if found is None:
                    continue
                what, size = found
                yield self.report(
                    ctx,
                    ins,
                    f"puts model weights ({what}) into an image layer at build time: mount them "
                    "at run time (a volume or cached models directory) or ship a versioned "
                    "model package",
                    cost=Cost(
                        bytes_added=size, note="typical size of the named model" if size else ""
                    ),
                )


class CondaCacheLeft(Rule):
    """conda/mamba installs leave downloaded package tarballs in a runtime layer.

    Anti-pattern::

        RUN conda install -y numpy

    Better::

        RUN conda install -y numpy && conda clean -afy
    """

    id = "DW216"
    name = "size.conda-cache-left"
    severity = Severity.WARNING
    group = Group.SIZE

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        """Yield this rule's findings for one service."""
        for inst in _installs.python_installs(ctx.runtime_stages()):
            if _caches.conda_cache_left(inst):
                yield self.report(
                    ctx,
                    inst.ins,
                    f"`{inst.tool}` keeps the package tarballs in the layer: add "
                    f"`&& {inst.tool} clean -afy` (or use a cache mount on /opt/conda/pkgs)",
                    cost=Cost(note="the pkgs cache is about as large as the environment"),
                )
