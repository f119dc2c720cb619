"""CUDA PyTorch detection for DW203: who pulls torch, whether CPU wheels are chosen, who uses CUDA.

Size estimate (`CUDA_EXTRA_MB`): typical installed sizes on linux/x86_64 of what a PyPI
`torch` 2.x (cu12 build) adds over the CPU build from download.pytorch.org/whl/cpu — the
nvidia-* runtime wheels, triton, and the CUDA kernels inside the torch wheel itself. About
4.3 GB in total; an estimate until the deps layer computes it from the real wheel sizes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from packaging.utils import canonicalize_name

from dockwright.model.depfiles import DepFile, DepKind, Requirement
from dockwright.model.dockerfile import Stage
from dockwright.rules import _installs
from dockwright.rules.base import RuleContext

MB = 1000 * 1000  # decimal units, as `docker images` reports sizes
CUDA_EXTRA_MB: dict[str, int] = {
    "nvidia-cudnn-cu12": 1000,
    "nvidia-cublas-cu12": 560,
    "nvidia-cusparse-cu12": 280,
    "nvidia-cufft-cu12": 280,
    "nvidia-cusolver-cu12": 260,
    "nvidia-nccl-cu12": 230,
    "nvidia-curand-cu12": 95,
    "nvidia-cuda-nvrtc-cu12": 70,
    "nvidia-nvjitlink-cu12": 50,
    "nvidia-cuda-cupti-cu12": 25,
    "nvidia-cuda-runtime-cu12": 3,
    "nvidia-nvtx-cu12": 1,
    "triton": 450,
    "torch (CUDA kernels over the CPU build)": 1000,
}
CUDA_EXTRA_BYTES = sum(CUDA_EXTRA_MB.values()) * MB
COST_NOTE = (
    "estimate: typical installed sizes of the nvidia-* and triton wheels and the CUDA kernels "
    "PyPI torch 2.x brings on linux/x86_64 (CPU wheels do without them)"
)

# Packages that depend on torch (hard dependency), so installing them pulls PyPI torch.
TORCH_DEPENDENTS = frozenset(
    canonicalize_name(n)
    for n in (
        "sentence-transformers openai-whisper whisperx accelerate torchvision torchaudio torchtext "
        "lightning pytorch-lightning timm peft bitsandbytes xformers torchmetrics kornia "
        "ultralytics easyocr stanza flair speechbrain pyannote.audio spacy-transformers "
        "nemo-toolkit deepspeed vllm llama-index-embeddings-huggingface langchain-huggingface "
        "gliner fairseq detectron2 torch-geometric open-clip-torch sentencepiece-torch"
    ).split()
)
_CPU = re.compile(r"download\.pytorch\.org/whl/cpu|/whl/cpu\b|\+cpu\b|pytorch-cpu", re.I)
_CUDA_USE = re.compile(
    r"torch\.cuda|\.cuda\(|[\"']cuda(?::\d+)?[\"']|\bcupy\b|CUDA_VISIBLE_DEVICES|torch\.backends\.cudnn"
)
_GPU_ENV = re.compile(r"NVIDIA_VISIBLE_DEVICES|NVIDIA_DRIVER_CAPABILITIES")
_READ_LIMIT = 2_000_000


def pulls_torch(name: str, extras: Iterable[str] = ()) -> bool:
    """True when installing this distribution installs torch."""
    canon = canonicalize_name(name)
    if canon == "torch" or canon in TORCH_DEPENDENTS:
        return True
    return canon == "transformers" and "torch" in set(extras)


def is_cpu_requirement(req: Requirement) -> bool:
    """True for `torch==X+cpu` or a direct URL to a CPU wheel."""
    return bool(_CPU.search(req.specifier) or _CPU.search(req.url) or _CPU.search(req.raw))


def dep_file_is_cpu(dep: DepFile) -> bool:
    """True when the file points pip at a CPU index or a wheelhouse, or pins +cpu wheels."""
    urls = (*dep.index_urls, *dep.extra_index_urls)
    if dep.find_links or any(_CPU.search(u) for u in urls):
        return True
    if dep.kind not in {DepKind.REQUIREMENTS, DepKind.CONSTRAINTS} and _CPU.search(_read(dep.path)):
        return True  # pyproject index tables, lock-file sources
    return any(r.name == "torch" and is_cpu_requirement(r) for r in dep.requirements)


def build_chooses_cpu(ctx: RuleContext, stages: list[Stage]) -> bool:
    """True when the build asks for CPU wheels anywhere: a RUN, ENV/ARG, a pip/uv config file."""
    if any(_CPU.search(ins.script) for s in stages for ins in s.of("RUN")):
        return True
    if any(_CPU.search(v) for v in _installs.env_values(stages).values()):
        return True
    for entry in ctx.service.context_entries:
        if (
            entry.rel.rsplit("/", 1)[-1] in {"pip.conf", "pip.ini", "uv.toml"}
            and not entry.excluded
        ):
            if _CPU.search(_read(ctx.service.context / entry.rel)):
                return True
    return any(dep_file_is_cpu(d) for d in ctx.service.dep_files)


def _read(path: Path) -> str:
    try:
        with path.open(encoding="utf-8", errors="replace") as handle:
            return handle.read(_READ_LIMIT)
    except OSError:
        return ""


def uses_gpu(ctx: RuleContext, stages: list[Stage]) -> bool:
    """True when the service shows it runs on a GPU: CUDA calls in its code, GPU base or compose."""
    if any(_CUDA_USE.search(_read(path)) for path in ctx.service.python_sources):
        return True
    if any(re.search(r"nvidia|cuda", s.base, re.I) for s in stages):
        return True
    if any(_GPU_ENV.search(ins.original) for s in stages for ins in s.of("ENV")):
        return True
    return _compose_gpu(ctx)


def _compose_gpu(ctx: RuleContext) -> bool:
    for compose in ctx.project.compose_files:
        for svc in compose.services:
            if svc.name == ctx.service.name and _wants_gpu(svc.raw):
                return True
    return False


def _wants_gpu(raw: dict[str, Any]) -> bool:
    if raw.get("runtime") == "nvidia" or raw.get("gpus"):
        return True
    node: Any = raw
    for key in ("deploy", "resources", "reservations", "devices"):
        node = node.get(key) if isinstance(node, dict) else None
    text = str(node or "").lower()
    return "gpu" in text or "nvidia" in text


def torch_pullers(reqs: Iterable[Requirement]) -> Iterator[Requirement]:
    """Main (non-dev) requirements that pull torch, `torch` itself first."""
    found = [r for r in reqs if not r.group and pulls_torch(r.name, r.extras)]
    yield from sorted(found, key=lambda r: (r.name != "torch", r.path, r.line))


def first_puller(files: Iterable[DepFile]) -> Requirement | None:
    """The requirement to report: declared files first, lock files only as a fallback."""
    ordered = sorted(files, key=lambda d: d.is_lock)
    declared = [r for d in ordered if not d.is_lock for r in d.requirements]
    locked = [r for d in ordered if d.is_lock for r in d.requirements]
    return next(torch_pullers(declared), None) or next(torch_pullers(locked), None)
