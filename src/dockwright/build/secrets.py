"""Find secret files in every layer of an image (`docker save` archive), not just the final view.

A file deleted by a later layer still ships in the layer that added it, so each layer tar is
read on its own. Each hit is attributed to the instruction that created its layer (the image
config's history, the data `docker history --no-trunc` shows). Names decide for `.env`, SSH keys
and credential files; content decides for `*.pem`/`*.key` (a private key block), `.npmrc`
(an auth token), `.pypirc` and `.netrc` (a password) and `.docker/config.json` (registry auth).
"""

from __future__ import annotations

import json
import posixpath
import re
import tarfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

MAX_READ = 256 * 1024
SSH_KEYS = {"id_rsa", "id_dsa", "id_ecdsa", "id_ed25519"}
ENV_TEMPLATES = (".example", ".sample", ".template", ".dist", ".defaults")
LIBRARY_DIRS = ("/usr/lib/", "/usr/share/", "/usr/local/lib/")
PACKAGE_DIRS = ("/site-packages/", "/dist-packages/")
_PRIVATE_KEY = re.compile(rb"-----BEGIN [A-Z ]*PRIVATE KEY-----")
_BY_CONTENT: dict[str, tuple[re.Pattern[bytes], str]] = {
    ".npmrc": (re.compile(rb"_auth(?:Token)?\s*=|_password\s*="), "npm auth token"),
    ".pypirc": (re.compile(rb"(?im)^\s*password\s*[=:]"), "PyPI password"),
    ".netrc": (re.compile(rb"(?m)\bpassword\s+\S"), "netrc password"),
    "config.json": (re.compile(rb'"auth"\s*:\s*"[^"]'), "docker registry auth"),
}


@dataclass(frozen=True)
class SecretFile:
    """A secret file found in one layer."""

    path: str  # inside the image, absolute
    reason: str
    layer: int  # 0-based index into the image's layers
    created_by: str  # the instruction that made the layer


def classify(path: str, read: Callable[[], bytes]) -> str | None:
    """Why a file is a secret (None when it is not); `read` gives its first bytes on demand."""
    name = posixpath.basename(path)
    if name == ".env" or (name.startswith(".env.") and not name.endswith(ENV_TEMPLATES)):
        return "dotenv file"
    if name in SSH_KEYS:
        return "SSH private key"
    if name in {"credentials", ".git-credentials"}:
        return "credentials file"
    if name.endswith((".pem", ".key")) and not _in_library(path):
        return "private key" if _PRIVATE_KEY.search(read()) else None
    rule = _BY_CONTENT.get(name)
    if rule is None or (name == "config.json" and not path.endswith(".docker/config.json")):
        return None
    return rule[1] if rule[0].search(read()) else None


def _in_library(path: str) -> bool:
    """Installed packages and OS data ship test keys and CA bundles; skip key sniffing there."""
    return path.startswith(LIBRARY_DIRS) or any(d in path for d in PACKAGE_DIRS)


def created_by(history: list[dict[str, Any]]) -> list[str]:
    """The creating instruction of each layer (history entries that are not empty layers)."""
    steps = [h for h in history if not h.get("empty_layer")]
    return [_instruction(str(h.get("created_by", ""))) for h in steps]


def _instruction(text: str) -> str:
    text = text.removeprefix("/bin/sh -c #(nop) ").removesuffix(" # buildkit").strip()
    return re.sub(r"^(RUN )?/bin/sh -c ", "RUN ", text)


def _read(layer: tarfile.TarFile, member: tarfile.TarInfo) -> Callable[[], bytes]:
    def read() -> bytes:
        handle = layer.extractfile(member)
        return handle.read(MAX_READ) if handle is not None else b""

    return read


def scan_layer(layer: IO[bytes], index: int, instruction: str) -> Iterator[SecretFile]:
    """Secret files of one layer tar."""
    with tarfile.open(fileobj=layer, mode="r:*") as tar:
        for member in tar:
            name = posixpath.normpath("/" + member.name)
            if not member.isfile() or posixpath.basename(name).startswith(".wh."):
                continue
            reason = classify(name, _read(tar, member))
            if reason:
                yield SecretFile(name, reason, index, instruction)


def scan_saved_image(archive: Path) -> list[SecretFile]:
    """Secret files in every layer of a `docker save` archive (the first image in it)."""
    found: list[SecretFile] = []
    with tarfile.open(archive) as saved:
        manifest = _json(saved, "manifest.json")[0]
        config = _json(saved, str(manifest["Config"]))
        steps = created_by(config.get("history") or [])
        for index, layer_path in enumerate(manifest["Layers"]):
            handle = saved.extractfile(str(layer_path))
            if handle is None:
                continue
            instruction = steps[index] if index < len(steps) else "?"
            found.extend(scan_layer(handle, index, instruction))
    return found


def _json(archive: tarfile.TarFile, name: str) -> Any:
    handle = archive.extractfile(name)
    if handle is None:
        raise ValueError(f"{name} is not a file in the image archive")
    return json.loads(handle.read())
