"""The container configuration the official Debian images carry (debuerreotype's "docker" tweaks).

Official `debian` and `python` images ship these files; a base made with debootstrap lacks them
unless they are added. They make `apt-get install` in later layers faster (dpkg skips fsync)
and smaller (no cached .deb files; in the slim variant no docs, man pages or locales).
"""

from __future__ import annotations

import fnmatch
from pathlib import Path

_APT_CLEAN = (
    'DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb '
    '/var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };\n'
    'APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb '
    '/var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };\n'
    'Dir::Cache::pkgcache "";\n'
    'Dir::Cache::srcpkgcache "";\n'
)
COMMON: dict[str, str] = {
    "etc/dpkg/dpkg.cfg.d/docker-apt-speedup": "force-unsafe-io\n",
    "etc/apt/apt.conf.d/docker-clean": _APT_CLEAN,
    "etc/apt/apt.conf.d/docker-autoremove-suggests": (
        'Apt::AutoRemove::SuggestsImportant "false";\n'
    ),
    "etc/apt/apt.conf.d/docker-no-languages": 'Acquire::Languages "none";\n',
    "etc/apt/apt.conf.d/docker-gzip-indexes": (
        'Acquire::GzipIndexes "true";\nAcquire::CompressionTypes::Order:: "gz";\n'
    ),
}
# Paths the slim variant keeps out of the image, now and in every later `apt-get install`.
SLIM_EXCLUDES = (
    "/usr/share/doc/*",
    "/usr/share/groff/*",
    "/usr/share/info/*",
    "/usr/share/linda/*",
    "/usr/share/lintian/overrides/*",
    "/usr/share/locale/*",
    "/usr/share/man/*",
)
SLIM_KEEP = ("/usr/share/doc/*/copyright",)


def config_files(variant: str) -> dict[str, str]:
    """Files (path relative to the root -> text) to write into a rootfs of this variant."""
    files = dict(COMMON)
    if variant == "slim":
        lines = [f"path-exclude {p}" for p in SLIM_EXCLUDES]
        lines += [f"path-include {p}" for p in SLIM_KEEP]
        files["etc/dpkg/dpkg.cfg.d/docker"] = "\n".join(lines) + "\n"
    return files


def apply(rootfs: Path, variant: str) -> None:
    """Write the configuration; for slim, also delete the files the excludes cover."""
    for rel, text in config_files(variant).items():
        path = rootfs / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    if variant == "slim":
        _slim_existing(rootfs)


def _slim_existing(rootfs: Path) -> None:
    """Delete the files SLIM_EXCLUDES covers (folders stay), except what SLIM_KEEP re-includes."""
    for pattern in SLIM_EXCLUDES:
        top = rootfs / pattern.strip("/").removesuffix("/*")
        for path in list(top.rglob("*")) if top.is_dir() else ():
            image_path = "/" + path.relative_to(rootfs).as_posix()
            kept = any(fnmatch.fnmatchcase(image_path, keep) for keep in SLIM_KEEP)
            if (path.is_symlink() or path.is_file()) and not kept:
                path.unlink()
