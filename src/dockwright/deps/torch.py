"""PyTorch in a resolution.

Who pulls it, the CUDA wheels it brings and their real size, whether the service's code
uses CUDA, and the CPU-only resolution `optimize` installs.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from pathlib import Path

from dockwright.deps.index import PackageIndex, chosen_file
from dockwright.deps.records import Pin, TorchReport
from dockwright.deps.request import ResolveRequest
from dockwright.deps.target import Target
from dockwright.deps.uvrun import Outcome, Resolver

CPU_INDEX = "https://download.pytorch.org/whl/cpu"
CPU_VARIANTS = ("torch", "torchvision", "torchaudio")
_CUDA_USE = re.compile(
    r"torch\.cuda|\.cuda\(|[\"']cuda(?::\d+)?[\"']|\bcupy\b|CUDA_VISIBLE_DEVICES|torch\.backends\.cudnn"
)
_READ_LIMIT = 2_000_000


def is_cuda_package(name: str) -> bool:
    """nvidia-* runtime wheels and triton (what PyPI torch adds on Linux)."""
    return name.startswith("nvidia-") or name in {"triton", "pytorch-triton"}


def pulled_by(pins: tuple[Pin, ...], direct: set[str], name: str = "torch") -> tuple[str, ...]:
    """Direct requirements through which `name` is installed (walking the `via` links)."""
    parents = {p.name: p.via for p in pins}
    found: list[str] = []
    todo, seen = [name], set()
    while todo:
        current = todo.pop(0)
        if current in seen:
            continue
        seen.add(current)
        if current in direct:
            found.append(current)
        todo.extend(parents.get(current, ()))
    return tuple(sorted(found, key=lambda n: (n != name, n)))


def code_uses_cuda(sources: Iterable[Path]) -> bool:
    """True when the service's Python code calls CUDA (torch.cuda, `.cuda()`, "cuda")."""
    for path in sources:
        try:
            with path.open(encoding="utf-8", errors="replace") as handle:
                if _CUDA_USE.search(handle.read(_READ_LIMIT)):
                    return True
        except OSError:
            continue
    return False


def _size(index: PackageIndex, pin: Pin, target: Target) -> int | None:
    files = index.files_of(pin.name, pin.version) if pin.version else ()
    chosen = chosen_file(files, pin.version, target) if files else None
    return chosen.size if chosen else None


def cuda_cost(
    cuda: list[Pin], cpu: tuple[Pin, ...], torch: Pin, index: PackageIndex, target: Target
) -> int | None:
    """Download bytes of the CUDA wheels plus how much bigger the CUDA torch wheel is."""
    sizes = [_size(index, p, target) for p in cuda]
    if not sizes or any(s is None for s in sizes):
        return None
    total = sum(s for s in sizes if s is not None)
    cpu_torch = next((p for p in cpu if p.name == "torch"), None)
    big, small = _size(index, torch, target), _size(index, cpu_torch, target) if cpu_torch else None
    return total + max(0, big - small) if big is not None and small is not None else total


def cpu_request(
    request: ResolveRequest, pins: tuple[Pin, ...], wheelhouse: tuple[str, ...]
) -> ResolveRequest:
    """The same request with torch (and torchvision/torchaudio) forced to `+cpu` builds.

    They come from a wheelhouse when one is given, else from the explicit CPU index.
    """
    base = {p.name: p.version.split("+", 1)[0] for p in pins if p.name in CPU_VARIANTS}
    overrides = tuple(f"{name}=={version}+cpu" for name, version in sorted(base.items()))
    src = request.source
    if wheelhouse:
        source = dataclasses.replace(
            src, find_links=tuple(dict.fromkeys((*wheelhouse, *src.find_links)))
        )
    else:
        source = dataclasses.replace(src, extra_index_urls=(*src.extra_index_urls, CPU_INDEX))
    return dataclasses.replace(request, overrides=overrides, source=source)


def torch_report(
    outcome: Outcome,
    request: ResolveRequest,
    direct: set[str],
    sources: Iterable[Path],
    resolver: Resolver,
    index: PackageIndex,
    wheelhouse: tuple[str, ...] = (),
) -> TorchReport | None:
    """The PyTorch report of a successful resolution (None without torch)."""
    torch = next((p for p in outcome.pins if p.name == "torch"), None)
    if torch is None:
        return None
    cuda = [p for p in outcome.pins if is_cuda_package(p.name)]
    cpu: Outcome | None = (
        resolver.resolve(cpu_request(request, outcome.pins, wheelhouse)) if cuda else None
    )
    cpu_pins = cpu.pins if cpu and cpu.ok else ()
    return TorchReport(
        pulled_by(outcome.pins, direct),
        torch.version,
        tuple(f"{p.name}=={p.version}" for p in cuda),
        cuda_cost(cuda, cpu_pins, torch, index, request.target) if cuda else 0,
        code_uses_cuda(sources),
        cpu_pins,
        _source_label(wheelhouse) if cuda else "",
        "" if cpu is None or cpu.ok else _first_line(cpu.error),
    )


def _source_label(wheelhouse: tuple[str, ...]) -> str:
    return f"wheelhouse {', '.join(wheelhouse)}" if wheelhouse else f"index {CPU_INDEX}"


def _first_line(error: str) -> str:
    lines = [ln.strip().removeprefix("cause:").strip() for ln in error.splitlines() if ln.strip()]
    return lines[-1] if lines else "CPU resolution failed"
