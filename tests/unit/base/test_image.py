from __future__ import annotations

from pathlib import Path

import pytest

from dockwright.base.image import BaseSpec, debootstrap_argv, finish_rootfs, import_changes
from dockwright.errors import UsageError


def _ca(tmp_path: Path, text: str = "CERT") -> Path:
    path = tmp_path / "ca.crt"
    path.write_text(text)
    return path


def test_debootstrap_command_for_slim(tmp_path: Path) -> None:
    argv = debootstrap_argv(BaseSpec("3.11", ca_bundle=None), tmp_path / "root")
    assert argv[:2] == ["debootstrap", "--variant=minbase"]
    assert "--include=python3,python3-venv,python3-pip,ca-certificates" in argv
    assert argv[-2:] == ["bookworm", str(tmp_path / "root")]


def test_full_variant_adds_build_tools_and_its_own_tag() -> None:
    spec = BaseSpec("3.11", variant="full", ca_bundle=None)
    assert "build-essential" in spec.packages and "curl" in spec.packages
    assert spec.image_tags == ("python:3.11",)
    assert BaseSpec("3.11", ca_bundle=None).image_tags == ("python:3.11-slim",)


def test_unknown_python_or_variant_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match=r"3\.12"):
        _ = BaseSpec("3.12", ca_bundle=None).suite
    with pytest.raises(UsageError, match="tiny"):
        _ = BaseSpec("3.11", variant="tiny", ca_bundle=None).packages


def test_key_changes_with_the_ca_bundle(tmp_path: Path) -> None:
    one = BaseSpec("3.11", ca_bundle=_ca(tmp_path, "A")).key()
    two = BaseSpec("3.11", ca_bundle=_ca(tmp_path, "B")).key()
    assert one != two and len(one) == 16
    assert BaseSpec("3.11", ca_bundle=_ca(tmp_path, "B")).key() == two


def test_import_changes_point_tls_clients_at_the_bundle(tmp_path: Path) -> None:
    env = import_changes(BaseSpec("3.11", ca_bundle=_ca(tmp_path)))[0]
    for name in ("SSL_CERT_FILE", "PIP_CERT", "REQUESTS_CA_BUNDLE", "UV_NATIVE_TLS"):
        assert name in env
    assert "SSL_CERT_FILE" not in import_changes(BaseSpec("3.11", ca_bundle=None))[0]


def test_finish_rootfs_makes_it_behave_like_the_official_image(tmp_path: Path) -> None:
    root = tmp_path / "root"
    for folder in ("usr/lib/python3.11", "usr/bin", "etc/ssl/certs", "var/lib/apt/lists"):
        (root / folder).mkdir(parents=True)
    (root / "usr/lib/python3.11/EXTERNALLY-MANAGED").write_text("x")
    (root / "var/lib/apt/lists/junk").write_text("x")
    finish_rootfs(root, BaseSpec("3.11", ca_bundle=_ca(tmp_path, "MYCA")))
    assert not (root / "usr/lib/python3.11/EXTERNALLY-MANAGED").exists()
    assert (root / "usr/bin/python").readlink() == Path("python3")
    assert (root / "usr/bin/pip").readlink() == Path("pip3")
    assert (root / "etc/ssl/certs/ca-certificates.crt").read_text() == "MYCA"
    assert not (root / "var/lib/apt/lists/junk").exists()


def test_slim_rootfs_gets_the_official_apt_and_dpkg_configuration(tmp_path: Path) -> None:
    root = tmp_path / "root"
    for folder in ("usr/lib/python3.11", "usr/bin", "etc/ssl/certs", "usr/share/doc/libc6"):
        (root / folder).mkdir(parents=True)
    (root / "usr/share/doc/libc6/changelog.gz").write_text("x")
    (root / "usr/share/doc/libc6/copyright").write_text("GPL")
    (root / "usr/share/man/man1").mkdir(parents=True)
    (root / "usr/share/man/man1/ls.1.gz").write_text("x")
    finish_rootfs(root, BaseSpec("3.11", ca_bundle=None))
    assert (root / "etc/dpkg/dpkg.cfg.d/docker-apt-speedup").read_text() == "force-unsafe-io\n"
    assert "Dir::Cache::pkgcache" in (root / "etc/apt/apt.conf.d/docker-clean").read_text()
    excludes = (root / "etc/dpkg/dpkg.cfg.d/docker").read_text()
    assert "path-exclude /usr/share/man/*" in excludes
    assert "path-include /usr/share/doc/*/copyright" in excludes
    assert not (root / "usr/share/doc/libc6/changelog.gz").exists()
    assert not (root / "usr/share/man/man1/ls.1.gz").exists()
    assert (root / "usr/share/man/man1").is_dir()
    assert (root / "usr/share/doc/libc6/copyright").read_text() == "GPL"


def test_full_variant_keeps_docs_but_gets_the_apt_speedups(tmp_path: Path) -> None:
    root = tmp_path / "root"
    for folder in ("usr/lib/python3.11", "usr/bin", "usr/share/doc/libc6"):
        (root / folder).mkdir(parents=True)
    (root / "usr/share/doc/libc6/changelog.gz").write_text("x")
    finish_rootfs(root, BaseSpec("3.11", variant="full", ca_bundle=None))
    assert (root / "etc/dpkg/dpkg.cfg.d/docker-apt-speedup").is_file()
    assert not (root / "etc/dpkg/dpkg.cfg.d/docker").exists()
    assert (root / "usr/share/doc/libc6/changelog.gz").exists()


def test_key_changes_with_the_variant_configuration() -> None:
    slim = BaseSpec("3.11", ca_bundle=None)
    full = BaseSpec("3.11", variant="full", ca_bundle=None)
    assert slim.key() != full.key()
