"""Offline `deps` tests: real uv against a wheelhouse of tiny wheels generated here.

These start processes (uv), so they live outside tests/unit; they need no network.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

Wheels = dict[str, dict[str, list[str]]]  # name -> version -> Requires-Dist lines


def make_wheel(folder: Path, name: str, version: str, requires: list[str]) -> Path:
    dist = f"{name.replace('-', '_')}-{version}"
    path = folder / f"{dist}-py3-none-any.whl"
    meta = ["Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}"]
    meta += [f"Requires-Dist: {r}" for r in requires]
    with zipfile.ZipFile(path, "w") as whl:
        whl.writestr(f"{name.replace('-', '_')}/__init__.py", "")
        whl.writestr(f"{dist}.dist-info/METADATA", "\n".join(meta) + "\n")
        whl.writestr(
            f"{dist}.dist-info/WHEEL",
            "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        )
        whl.writestr(f"{dist}.dist-info/RECORD", "")
    return path


@pytest.fixture
def wheelhouse(tmp_path: Path) -> Callable[[Wheels], Path]:
    def build(wheels: Wheels) -> Path:
        folder = tmp_path / "wheelhouse"
        folder.mkdir(exist_ok=True)
        for name, versions in wheels.items():
            for version, requires in versions.items():
                make_wheel(folder, name, version, requires)
        return folder

    return build


def write_service(root: Path, name: str, requirements: str) -> Path:
    folder = root / name
    folder.mkdir(parents=True)
    (folder / "requirements.txt").write_text(requirements)
    (folder / "Dockerfile").write_text(
        "FROM python:3.11-slim\nWORKDIR /app\nCOPY requirements.txt .\n"
        "RUN pip install -r requirements.txt\nCOPY . .\n"
    )
    return folder / "requirements.txt"
