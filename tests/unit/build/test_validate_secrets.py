"""Secret files in image layers: names, contents, deleted-later files, layer attribution."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path
from typing import Any

import pytest

from dockwright.build.secrets import classify, created_by, scan_saved_image

KEY = b"-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n-----END OPENSSH PRIVATE KEY-----\n"
CERT = b"-----BEGIN CERTIFICATE-----\nabc\n-----END CERTIFICATE-----\n"


@pytest.mark.parametrize(
    ("path", "content", "reason"),
    [
        ("/app/.env", b"", "dotenv file"),
        ("/app/.env.production", b"", "dotenv file"),
        ("/app/.env.example", b"A=1", None),
        ("/root/.ssh/id_ed25519", b"", "SSH private key"),
        ("/root/.aws/credentials", b"", "credentials file"),
        ("/app/certs/server.pem", KEY, "private key"),
        ("/app/certs/ca.pem", CERT, None),
        ("/usr/lib/python3/dist-packages/x/test.key", KEY, None),
        ("/root/.npmrc", b"//registry.npmjs.org/:_authToken=abc\n", "npm auth token"),
        ("/root/.npmrc", b"registry=https://example.org\n", None),
        ("/root/.pypirc", b"[pypi]\nusername = __token__\npassword = pypi-x\n", "PyPI password"),
        ("/root/.netrc", b"machine h login u password p\n", "netrc password"),
        (
            "/root/.docker/config.json",
            b'{"auths": {"r": {"auth": "dTpw"}}}',
            "docker registry auth",
        ),
        ("/app/config.json", b'{"auth": "x"}', None),
        ("/app/botocore/credentials.py", b"", None),
    ],
)
def test_classify(path: str, content: bytes, reason: str | None) -> None:
    assert classify(path, lambda: content) == reason


def test_history_to_layer_instructions() -> None:
    history: list[dict[str, Any]] = [
        {"created_by": "/bin/sh -c #(nop) ADD file:abc in / "},
        {"created_by": '/bin/sh -c #(nop)  CMD ["bash"]', "empty_layer": True},
        {"created_by": "COPY . . # buildkit"},
        {"created_by": "RUN /bin/sh -c rm .env # buildkit"},
    ]
    assert created_by(history) == ["ADD file:abc in /", "COPY . .", "RUN rm .env"]


def _tar(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def saved_image(
    path: Path, layers: list[dict[str, bytes]], history: list[dict[str, object]]
) -> Path:
    """A `docker save` archive: manifest.json, the config with history, one tar per layer."""
    names = [f"l{i}/layer.tar" for i in range(len(layers))]
    files = {
        "manifest.json": json.dumps([{"Config": "cfg.json", "Layers": names}]).encode(),
        "cfg.json": json.dumps({"history": history}).encode(),
        **{name: _tar(layer) for name, layer in zip(names, layers, strict=True)},
    }
    path.write_bytes(_tar(files))
    return path


def test_scan_finds_secrets_in_every_layer_even_when_deleted_later(tmp_path: Path) -> None:
    archive = saved_image(
        tmp_path / "img.tar",
        [
            {"usr/bin/python3": b"elf", "etc/passwd": b"root:x:0:0"},
            {"app/.env": b"SECRET=1", "app/main.py": b"print()", "app/key.pem": KEY},
            {"app/.wh..env": b""},
        ],
        [
            {"created_by": "/bin/sh -c #(nop) ADD file:base in / "},
            {"created_by": "WORKDIR /app # buildkit", "empty_layer": True},
            {"created_by": "COPY . . # buildkit"},
            {"created_by": "RUN /bin/sh -c rm .env # buildkit"},
        ],
    )
    found = scan_saved_image(archive)
    assert [(f.path, f.reason, f.layer, f.created_by) for f in found] == [
        ("/app/.env", "dotenv file", 1, "COPY . ."),
        ("/app/key.pem", "private key", 1, "COPY . ."),
    ]


def test_clean_image_has_no_findings(tmp_path: Path) -> None:
    archive = saved_image(tmp_path / "img.tar", [{"app/main.py": b"x"}], [{"created_by": "COPY x"}])
    assert scan_saved_image(archive) == []
