"""Records shared by the generators: what a generator produces and the options it obeys."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

__all__ = ["UV_VERSION", "GeneratedFile", "OptimizeOptions", "TorchChoice"]

UV_VERSION = "0.13.9"
"""uv release installed from PyPI in generated build stages (pinned; bump deliberately)."""

TorchChoice = Literal["auto", "cpu", "cuda"]


@dataclass(frozen=True)
class GeneratedFile:
    """One file a generator wants in the user's repository."""

    path: Path
    """Absolute path where the file belongs in the user's repository."""
    text: str
    resolves: tuple[str, ...] = ()
    """Rule ids this file fixes."""
    notes: tuple[str, ...] = ()
    """Things carried over verbatim, not understood, or decided on the user's behalf."""


@dataclass(frozen=True)
class OptimizeOptions:
    """Choices for `dockwright optimize` that change generated files."""

    torch: TorchChoice = "auto"
    """`auto`: CPU wheels unless the service uses CUDA; `cpu`/`cuda` force one variant."""
    wheelhouse: str | None = None
    """Folder inside the build context holding wheels, used with `--find-links` via a bind mount."""
    uid: int = 10001
    """Fixed non-root UID (and GID) of the production user."""
    uv_version: str = UV_VERSION
    """uv release pinned in the build stage."""
    python_base: str | None = None
    """Base image for every stage; None keeps the original Dockerfile's Python base."""
    bytecode: bool = True
    """Compile `.pyc` files at install (faster starts, also on a read-only root filesystem);
    False: smaller images and faster dependency rebuilds, imports compiled at every start."""
    wheels_only: frozenset[str] = frozenset()
    """Services whose every dependency installs from a wheel (`--resolve`, from `deps`): their
    build stage gets no compilers or `-dev` headers."""
