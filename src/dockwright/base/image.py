"""Local Python base images built from Debian packages, for offline and air-gapped builds.

`debootstrap` makes a minimal Debian root filesystem with the distribution's Python;
dockwright then makes it behave like the official `python:X-slim` image (no EXTERNALLY-MANAGED
marker, `python` and `pip` on PATH, the official images' apt/dpkg configuration), bakes in the
CA bundle the build network needs (proxies with their own CA), and imports it with `docker
import`. The result is labelled with a key of its inputs, so a second call is instant.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from dockwright import _subprocess
from dockwright.base import debian_config
from dockwright.build.engine import Engine
from dockwright.errors import EngineError, UsageError

SUITES = {"3.9": "bullseye", "3.11": "bookworm", "3.13": "trixie"}
SLIM_PACKAGES = ("python3", "python3-venv", "python3-pip", "ca-certificates")
FULL_EXTRA = ("build-essential", "python3-dev", "curl", "wget", "git", "libffi-dev", "libssl-dev")
DEFAULT_CA = Path("/etc/ssl/certs/ca-certificates.crt")
KEY_LABEL = "dockwright.base.key"
CACHE_DIR = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "dockwright" / "base"


@dataclass(frozen=True)
class BaseSpec:
    """What to build: Python version, variant (slim/full), CA bundle, tags, mirror."""

    python: str = "3.11"
    variant: str = "slim"
    ca_bundle: Path | None = DEFAULT_CA
    tags: tuple[str, ...] = ()
    mirror: str | None = None

    @property
    def suite(self) -> str:
        """Debian suite whose python3 is this version."""
        try:
            return SUITES[self.python]
        except KeyError:
            known = ", ".join(sorted(SUITES))
            raise UsageError(
                f"no Debian suite ships Python {self.python} (known: {known})"
            ) from None

    @property
    def packages(self) -> tuple[str, ...]:
        """Debian packages to include."""
        if self.variant not in {"slim", "full"}:
            raise UsageError(f"unknown base variant {self.variant!r} (slim or full)")
        return SLIM_PACKAGES + (FULL_EXTRA if self.variant == "full" else ())

    @property
    def image_tags(self) -> tuple[str, ...]:
        """Tags to apply (default: python:X-slim, or python:X for the full variant)."""
        if self.tags:
            return self.tags
        return (
            (f"python:{self.python}-slim",)
            if self.variant == "slim"
            else (f"python:{self.python}",)
        )

    def key(self) -> str:
        """Hash of everything that determines the image's content."""
        digest = hashlib.sha256()
        config = sorted(debian_config.config_files(self.variant).items())
        parts = (self.suite, self.variant, ",".join(self.packages), self.mirror or "", str(config))
        for part in parts:
            digest.update(part.encode() + b"\0")
        if self.ca_bundle is not None:
            digest.update(self.ca_bundle.read_bytes())
        return digest.hexdigest()[:16]


def debootstrap_argv(spec: BaseSpec, rootfs: Path) -> list[str]:
    """The debootstrap command for a spec."""
    argv = ["debootstrap", "--variant=minbase", f"--include={','.join(spec.packages)}", spec.suite]
    argv.append(str(rootfs))
    if spec.mirror:
        argv.append(spec.mirror)
    return argv


def import_changes(spec: BaseSpec) -> list[str]:
    """`docker import -c` instructions that make the image behave like the official one."""
    env = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8"
    if spec.ca_bundle is not None:
        ca = "/etc/ssl/certs/ca-certificates.crt"
        env += f" SSL_CERT_FILE={ca} PIP_CERT={ca} REQUESTS_CA_BUNDLE={ca}"
        env += " UV_NATIVE_TLS=1 UV_SYSTEM_CERTS=1"
    return [
        f"ENV {env}",
        f'LABEL {KEY_LABEL}="{spec.key()}" dockwright.base.python="{spec.python}"',
        'CMD ["python3"]',
    ]


def finish_rootfs(rootfs: Path, spec: BaseSpec) -> None:
    """Post-process the tree like the official image: pip, links, CA bundle, apt/dpkg config."""
    debian_config.apply(rootfs, spec.variant)
    marker = rootfs / f"usr/lib/python{spec.python}/EXTERNALLY-MANAGED"
    marker.unlink(missing_ok=True)
    for link, target in (("python", "python3"), ("pip", "pip3")):
        path = rootfs / "usr/bin" / link
        if not path.exists():
            path.symlink_to(target)
    if spec.ca_bundle is not None:
        shutil.copyfile(spec.ca_bundle, rootfs / "etc/ssl/certs/ca-certificates.crt")
    for junk in ("var/cache/apt/archives", "var/lib/apt/lists"):
        for child in (rootfs / junk).glob("*"):
            if child.is_file():
                child.unlink()


def cached_key(engine: Engine, tag: str) -> str | None:
    """The input key of an existing image with this tag (None when absent)."""
    fmt = '{{index .Config.Labels "' + KEY_LABEL + '"}}'
    done = _subprocess.run(
        engine.docker_argv("image", "inspect", "--format", fmt, tag), check=False
    )
    return done.stdout.strip() if done.ok else None


def build_base_image(
    engine: Engine, spec: BaseSpec, progress: Callable[[str], None] = lambda _: None
) -> tuple[str, ...]:
    """Make (or reuse) the base image; returns the tags that now point at it."""
    key = spec.key()
    tags = spec.image_tags
    if all(cached_key(engine, tag) == key for tag in tags):
        progress(f"base image {', '.join(tags)} is up to date ({key})")
        return tags
    tarball = _rootfs_tarball(spec, key, progress)
    changes = [arg for change in import_changes(spec) for arg in ("-c", change)]
    _subprocess.run(engine.docker_argv("import", *changes, str(tarball), tags[0]), timeout=600)
    for tag in tags[1:]:
        _subprocess.run(engine.docker_argv("tag", tags[0], tag))
    progress(f"imported {', '.join(tags)} ({key})")
    return tags


def _rootfs_tarball(spec: BaseSpec, key: str, progress: Callable[[str], None]) -> Path:
    tarball = CACHE_DIR / f"{spec.suite}-{spec.variant}-{key}.tar"
    if tarball.is_file():
        return tarball
    if os.geteuid() != 0:
        raise EngineError(
            "building a base image needs root (debootstrap); run as root or with sudo"
        )
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="dockwright-rootfs-") as tmp:
        rootfs = Path(tmp) / "rootfs"
        progress(f"debootstrap {spec.suite} ({spec.variant}); this takes a minute or two")
        try:
            _subprocess.run(debootstrap_argv(spec, rootfs), timeout=1800)
        except EngineError as exc:
            raise EngineError(
                "debootstrap is not installed: apt-get install -y debootstrap"
            ) from exc
        finish_rootfs(rootfs, spec)
        partial = tarball.with_suffix(".partial")
        _subprocess.run(["tar", "-C", str(rootfs), "-cf", str(partial), "."], timeout=600)
        partial.replace(tarball)
    return tarball
