"""The platform and Python version a service's image installs for, read from its base image."""

from __future__ import annotations

import re
from dataclasses import dataclass

from dockwright.model.dockerfile import Dockerfile, Stage

DEFAULT_PYTHON = "3.11"
_PY_IN_TAG = re.compile(r"(?:^|[^0-9.])(3\.\d{1,2})(?:[^0-9]|$)")
_ARCHES = {"arm64": "aarch64", "aarch64": "aarch64", "amd64": "x86_64", "x86_64": "x86_64"}


@dataclass(frozen=True)
class Target:
    """Linux architecture, libc and Python version of an image."""

    python: str = DEFAULT_PYTHON
    arch: str = "x86_64"  # x86_64 or aarch64
    musl: bool = False

    @property
    def uv_platform(self) -> str:
        """The value for `uv pip compile --python-platform`."""
        if self.musl:
            return f"{self.arch}-unknown-linux-musl"
        return f"{self.arch}-manylinux_2_28"

    @property
    def label(self) -> str:
        """`linux/x86_64 cp3.11` style label for reports."""
        return f"linux/{self.arch}{'-musl' if self.musl else ''} python{self.python}"


def _root_stage(dockerfile: Dockerfile, target: str | None) -> Stage | None:
    chain = dockerfile.image_stages(target)
    return chain[-1] if chain else None


def target_of(dockerfile: Dockerfile, stage: str | None = None) -> Target:
    """The target of the image built from `stage` (default: the last).

    Its base image's Python, the FROM's `--platform` (default linux/amd64) and whether the
    base is Alpine (musl).
    """
    root = _root_stage(dockerfile, stage)
    if root is None:
        return Target()
    base = root.base.lower()
    tag = base.rsplit("/", 1)[-1]
    match = _PY_IN_TAG.search(tag.split(":", 1)[1] if ":" in tag else "") or _PY_IN_TAG.search(tag)
    platform = (root.from_instruction.flag("platform") or "").lower()
    arch = _ARCHES.get(platform.rsplit("/", 1)[-1], "x86_64") if platform else "x86_64"
    return Target(match.group(1) if match else DEFAULT_PYTHON, arch, "alpine" in base)
