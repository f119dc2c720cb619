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
