"""uv.lock, poetry.lock, pdm.lock and Pipfile.lock: pinned packages with lines."""

from __future__ import annotations

import json
from pathlib import Path

from dockwright.model.depfiles import DepKind, load_dep_file

UV_LOCK = """\
version = 1
requires-python = ">=3.11"

[[package]]
name = "anyio"
version = "4.4.0"
source = { registry = "https://pypi.org/simple" }
sdist = { url = "https://x/anyio.tar.gz", hash = "sha256:aaa" }
wheels = [{ url = "https://x/anyio.whl", hash = "sha256:bbb" }]

[[package]]
name = "svc"
version = "0.1.0"
source = { editable = "." }
"""


def test_uv_lock(tmp_path: Path) -> None:
    path = tmp_path / "uv.lock"
    path.write_text(UV_LOCK)
    dep = load_dep_file(path)
    assert dep.kind is DepKind.UV_LOCK and dep.is_lock
    anyio, svc = dep.requirements
    assert (anyio.name, anyio.pinned_version, anyio.line) == ("anyio", "4.4.0", 5)
    assert anyio.hashes == ("sha256:bbb", "sha256:aaa")
    assert svc.editable and svc.url == "." and svc.line == 12


def test_poetry_and_pdm_groups(tmp_path: Path) -> None:
    poetry = tmp_path / "poetry.lock"
    poetry.write_text(
        '[[package]]\nname = "Django"\nversion = "4.2.1"\ncategory = "dev"\n'
        '\n[metadata]\nlock-version = "2.0"\n'
    )
    [django] = load_dep_file(poetry).requirements
    assert (django.name, django.specifier, django.group, django.line) == (
        "django",
        "==4.2.1",
        "dev",
        2,
    )
    pdm = tmp_path / "pdm.lock"
    pdm.write_text(
        '[[package]]\nname = "a"\nversion = "1"\ngroups = ["default", "dev"]\n'
        '[[package]]\nname = "b"\nversion = "2"\ngroups = ["test"]\n'
    )
    assert [(r.name, r.group, r.line) for r in load_dep_file(pdm).requirements] == [
        ("a", "", 2),
        ("b", "test", 6),
    ]


def test_broken_lock_is_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "uv.lock"
    path.write_text('[[package]]\nname = "a"\nversion = \n')
    dep = load_dep_file(path)
    assert dep.requirements == () and dep.problems[0].line == 3


def test_pipfile_lock(tmp_path: Path) -> None:
    data = {
        "_meta": {"sources": [{"url": "https://pypi.org/simple", "name": "pypi"}]},
        "default": {"requests": {"version": "==2.32.3", "hashes": ["sha256:x"]}},
        "develop": {"pytest": {"version": "==8.2.0", "markers": "python_version >= '3.8'"}},
    }
    path = tmp_path / "Pipfile.lock"
    path.write_text(json.dumps(data, indent=4))
    dep = load_dep_file(path)
    assert [(r.name, r.pinned_version, r.group) for r in dep.requirements] == [
        ("requests", "2.32.3", ""),
        ("pytest", "8.2.0", "dev"),
    ]
    assert dep.requirements[0].line == 11 and dep.index_urls == ("https://pypi.org/simple",)


def test_broken_pipfile_lock(tmp_path: Path) -> None:
    path = tmp_path / "Pipfile.lock"
    path.write_text('{\n  "default": {\n}')
    assert load_dep_file(path).problems[0].line == 3
