"""Plain result records of `dockwright deps` (no behaviour; rendered by `deps.render`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Demand:
    """One link of a conflict chain: `who` requires `package` within `spec`.

    `who` is `name==version` for a dependency's metadata, or `""` for the service's own
    requirement, whose file and line are then given.
    """

    package: str
    spec: str
    who: str = ""
    path: Path | None = None
    line: int | None = None


@dataclass(frozen=True)
class Change:
    """Move one directly required package from one version to another."""

    package: str
    old: str
    new: str
    path: Path | None = None
    line: int | None = None

    @property
    def is_upgrade(self) -> bool:
        """True when the new version is higher."""
        from packaging.version import Version

        return Version(self.new) > Version(self.old)


@dataclass(frozen=True)
class ProposedFix:
    """The smallest change found, and whether resolving again with it succeeded."""

    changes: tuple[Change, ...]
    verified: bool
    applied: bool = False

    @property
    def summary(self) -> str:
        """`bump pydantic 2.5.0 -> 2.5.2` (joined with `; `)."""
        words = [
            f"{'bump' if c.is_upgrade else 'lower'} {c.package} {c.old} -> {c.new}"
            for c in self.changes
        ]
        return "; ".join(words)


@dataclass(frozen=True)
class Conflict:
    """A service whose requirements cannot be resolved together."""

    service: str
    packages: tuple[str, ...]
    chain: tuple[Demand, ...]
    message: str
    fix: ProposedFix | None = None


@dataclass(frozen=True)
class DepsError:
    """A service that could not be resolved for another reason: one line naming file and line."""

    service: str
    message: str
    path: Path | None = None
    line: int | None = None

    def one_line(self) -> str:
        """`path:line: message` (parts omitted when unknown)."""
        where = f"{self.path}:{self.line}: " if self.path and self.line else ""
        where = where or (f"{self.path}: " if self.path else "")
        return f"{self.service}: {where}{self.message}"


@dataclass(frozen=True)
class Pin:
    """A resolved package."""

    name: str
    version: str
    via: tuple[str, ...] = ()


@dataclass(frozen=True)
class TorchReport:
    """PyTorch in a service: who pulls it, whether CUDA comes along, and what that costs."""

    pulled_by: tuple[str, ...]
    torch_version: str
    cuda_packages: tuple[str, ...]
    cuda_bytes: int | None  # download bytes of the CUDA-only wheels (plus the torch difference)
    code_uses_cuda: bool
    cpu_resolution: tuple[Pin, ...] = ()
    cpu_source: str = ""
    cpu_error: str = ""


@dataclass(frozen=True)
class NativeNeeds:
    """What the build and run stages need beyond wheels."""

    sdist_only: tuple[str, ...] = ()  # packages without a wheel for the target: need compilers
    system_libraries: tuple[str, ...] = ()  # Debian packages the installed wheels load at run time
    build_packages: tuple[str, ...] = ()  # Debian packages a build stage needs for the sdists


@dataclass(frozen=True)
class Misalignment:
    """One package pinned to different versions in different services."""

    package: str
    versions: dict[str, str]  # service -> pinned version
    proposal: str = ""
    verified: bool = False
    applied: bool = False


@dataclass(frozen=True)
class MissingImport:
    """Shared code imports a module that nothing in the service's resolution provides."""

    service: str
    module: str
    path: Path
    line: int


@dataclass(frozen=True)
class ServiceDeps:
    """Everything `deps` found for one service."""

    service: str
    python: str
    platform: str
    files: tuple[Path, ...]
    resolution: tuple[Pin, ...] = ()
    loose: tuple[str, ...] = ()  # requirements that are not exact pins
    torch: TorchReport | None = None
    native: NativeNeeds = field(default_factory=NativeNeeds)
    cached: bool = False


@dataclass(frozen=True)
class DepsReport:
    """The result of `dockwright deps` over a project."""

    services: tuple[ServiceDeps, ...]
    conflicts: tuple[Conflict, ...] = ()
    errors: tuple[DepsError, ...] = ()
    misalignments: tuple[Misalignment, ...] = ()
    missing_imports: tuple[MissingImport, ...] = ()
    written: tuple[Path, ...] = ()
    roots: tuple[Path, ...] = ()
