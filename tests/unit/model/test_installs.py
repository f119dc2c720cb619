"""Tracing image paths back to build-context files (model.installs.context_file)."""

from __future__ import annotations

from pathlib import Path

from dockwright.model.dockerfile import parse_text
from dockwright.model.installs import context_file, installs


def _files(root: Path, *names: str) -> Path:
    for name in names:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("flask==3.0.3\n")
    return root


def _traced(root: Path, text: str) -> list[Path]:
    df = parse_text(text, root / "Dockerfile")
    return [p for i in installs(df, root) for p in i.requirement_files]


def test_a_glob_copy_into_a_folder_is_traced(tmp_path: Path) -> None:
    root = _files(tmp_path, "deps/requirements-prod.txt", "requirements-prod.txt")
    text = "FROM python:3.11\nWORKDIR /app\nCOPY deps/requirements*.txt ./\n"
    text += "RUN pip install -r requirements-prod.txt\n"
    assert _traced(root, text) == [root / "deps/requirements-prod.txt"]


def test_copies_of_other_stages_do_not_count(tmp_path: Path) -> None:
    root = _files(tmp_path, "a/requirements.txt", "b/requirements.txt")
    text = (
        "FROM python:3.11 AS one\nWORKDIR /app\nCOPY a/requirements.txt .\n"
        "FROM python:3.11 AS two\nWORKDIR /app\nCOPY b/requirements.txt .\n"
        "FROM one AS three\nRUN pip install -r requirements.txt\n"
    )
    assert _traced(root, text) == [root / "a/requirements.txt"]


def test_bind_mounts_and_the_dockerignore(tmp_path: Path) -> None:
    root = _files(tmp_path, "svc/requirements.txt")
    text = (
        "FROM python:3.11\n"
        "RUN --mount=type=bind,source=svc/requirements.txt,target=/tmp/r.txt "
        "pip install -r /tmp/r.txt\n"
    )
    df = parse_text(text, root / "Dockerfile")
    run = df.stages[0].instructions[-1]
    assert context_file(df, run, "/tmp/r.txt", root) == root / "svc/requirements.txt"
    ignored = context_file(df, run, "/tmp/r.txt", root, lambda rel: rel.startswith("svc/"))
    assert ignored is None


def test_the_fallback_takes_the_context_path(tmp_path: Path) -> None:
    root = _files(tmp_path, "requirements.txt")
    df = parse_text("FROM python:3.11\nRUN pip install -r requirements.txt\n", root / "Dockerfile")
    run = df.stages[0].instructions[-1]
    assert context_file(df, run, "requirements.txt", root) is None
    found = context_file(df, run, "requirements.txt", root, fallback=True)
    assert found == root / "requirements.txt"


def test_what_pip_and_uv_pip_installs_name(tmp_path: Path) -> None:
    root = _files(tmp_path, "r.txt", "c.txt", "lock.txt")
    text = "FROM python:3.11\nCOPY . .\n"
    text += "RUN pip install --progress-bar off -r r.txt -c c.txt -e . flask\n"
    text += "RUN uv pip sync lock.txt && poetry install && conda install numpy\n"
    df = parse_text(text, root / "Dockerfile")
    first, sync = installs(df, root)
    assert first.requirement_files == (root / "r.txt",)
    assert first.constraint_files == (root / "c.txt",)
    assert (first.packages, first.installs_project) == (("flask",), True)
    assert (sync.requirement_files, sync.packages) == ((root / "lock.txt",), ())
