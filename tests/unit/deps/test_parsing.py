from __future__ import annotations

from pathlib import Path

import pytest

from dockwright.deps.explain import explain
from dockwright.deps.inputs import ServiceInputs
from dockwright.deps.records import Conflict, DepsError
from dockwright.deps.request import Source, requirement_line
from dockwright.deps.target import Target, target_of
from dockwright.deps.uvrun import Outcome, Status, classify, parse_compile_output
from dockwright.model.depfiles import load_requirements, parse_requirement
from dockwright.model.dockerfile import parse_text
from dockwright.model.installs import installs

COMPILED = """\
annotated-types==0.8.0    # via pydantic
mistralai==0.0.12         # via -r /tmp/x/requirements.in
pydantic==2.5.2 \\
    --hash=sha256:aaa \\
    --hash=sha256:bbb
    # via mistralai
pydantic-core==2.14.5     # via pydantic
my_pkg @ file:///src/pkg  # via -r requirements.in
"""


def test_compile_output_pins_and_parents() -> None:
    pins = {p.name: p for p in parse_compile_output(COMPILED)}
    assert pins["pydantic"].version == "2.5.2"
    assert pins["annotated-types"].via == ("pydantic",)
    assert pins["mistralai"].via == ()
    assert pins["my-pkg"].version == "file:///src/pkg"
    assert len(pins) == 5


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("error: No solution found when resolving dependencies", Status.UNSATISFIABLE),
        ("error: Couldn't parse requirement in `r.in` at position 0", Status.INVALID),
        ("error: Request failed\n  cause: Failed to fetch: https://x/simple/", Status.NETWORK),
        ("error: Failed to build `pkg`", Status.FAILED),
    ],
)
def test_classify(text: str, status: Status) -> None:
    assert classify(text) is status


@pytest.mark.parametrize(
    ("base", "flags", "expected"),
    [
        ("python:3.10-slim", "", Target("3.10")),
        ("python:3.12-slim-bookworm", "--platform=linux/arm64 ", Target("3.12", "aarch64")),
        ("python:3.11-alpine", "", Target("3.11", musl=True)),
        ("ghcr.io/astral-sh/uv:python3.13-bookworm-slim", "", Target("3.13")),
        ("debian:bookworm", "", Target()),
    ],
)
def test_target_from_base_image(base: str, flags: str, expected: Target) -> None:
    df = parse_text(f"FROM {flags}{base} AS build\nRUN true\nFROM build\n", Path("Dockerfile"))
    assert target_of(df) == expected


def test_uv_platform_names() -> None:
    assert Target("3.11", "aarch64").uv_platform == "aarch64-manylinux_2_28"
    assert Target(musl=True).uv_platform == "x86_64-unknown-linux-musl"


def test_install_files_are_traced_through_copy_and_workdir(tmp_path: Path) -> None:
    (tmp_path / "services/api").mkdir(parents=True)
    (tmp_path / "services/api/requirements.txt").write_text("flask==3.0.3\n")
    (tmp_path / "constraints.txt").write_text("click<9\n")
    df = parse_text(
        "FROM python:3.11-slim\nWORKDIR /app\nCOPY . .\nCOPY constraints.txt /etc/c.txt\n"
        "RUN pip install --no-cache-dir -r services/api/requirements.txt -c /etc/c.txt "
        "gunicorn==22.0.0\n",
        tmp_path / "Dockerfile",
    )
    found = list(installs(df, tmp_path))
    assert len(found) == 1
    assert found[0].requirement_files == (tmp_path / "services/api/requirements.txt",)
    assert found[0].constraint_files == (tmp_path / "constraints.txt",)
    assert found[0].packages == ("gunicorn==22.0.0",)


def test_uv_pip_sync_file_and_project_install(tmp_path: Path) -> None:
    (tmp_path / "req.lock").write_text("a==1\n")
    df = parse_text(
        "FROM python:3.11-slim\nCOPY req.lock /w/\nRUN uv pip sync /w/req.lock && pip install .\n",
        tmp_path / "Dockerfile",
    )
    found = list(installs(df, tmp_path))
    assert found[0].requirement_files == (tmp_path / "req.lock",)
    assert found[1].installs_project


def test_requirement_lines(tmp_path: Path) -> None:
    req = parse_requirement(
        "Uvicorn[standard]==0.24.0 ; python_version >= '3.8'", tmp_path / "r.txt", 2
    )
    assert requirement_line(req) == 'uvicorn[standard]==0.24.0 ; python_version >= "3.8"'
    assert requirement_line(req, "0.25.0").startswith("uvicorn[standard]==0.25.0 ;")
    local = parse_requirement("./libs/common", tmp_path / "r.txt", 3)
    assert requirement_line(local) == str(tmp_path / "libs/common")


def _inputs(tmp_path: Path, text: str) -> ServiceInputs:
    (tmp_path / "requirements.txt").write_text(text)
    dep = load_requirements(tmp_path / "requirements.txt")
    return ServiceInputs("svc", Target(), (dep,), dep.requirements)


def test_unknown_package_is_one_line_with_file_and_line(tmp_path: Path) -> None:
    inputs = _inputs(tmp_path, "flask==3.0.3\nnot-a-real-pkg==1.0\n")
    error = (
        "error: No solution found\n  cause: Because not-a-real-pkg was not found in the package "
        "registry and you require not-a-real-pkg==1.0, we can conclude..."
    )
    found = explain(inputs, Outcome(Status.UNSATISFIABLE, error=error))
    assert isinstance(found, DepsError)
    assert (found.path, found.line) == (tmp_path / "requirements.txt", 2)
    assert found.one_line() == (
        f"svc: {tmp_path / 'requirements.txt'}:2: "
        "unknown package 'not-a-real-pkg': not found in the index"
    )


def test_network_failure_names_the_cause(tmp_path: Path) -> None:
    inputs = _inputs(tmp_path, "flask==3.0.3\n")
    error = (
        "error: Request failed after 1 retries\n"
        "  cause: Failed to fetch: https://nope/simple/flask/\n  cause: dns error"
    )
    found = explain(inputs, Outcome(Status.NETWORK, error=error))
    assert isinstance(found, DepsError)
    assert found.message == "cannot reach the package index: dns error"


def test_two_level_chain(tmp_path: Path) -> None:
    inputs = _inputs(tmp_path, "fastapi==0.104.1\nstarlette==0.40.0\n")
    error = (
        "error: No solution found when resolving dependencies\n  cause: Because fastapi==0.104.1 "
        "depends on starlette>=0.27.0,<0.28.0 and you require fastapi==0.104.1, we can conclude "
        "that you require starlette>=0.27.0,<0.28.0.\n         And because you require "
        "starlette==0.40.0, we can conclude that your requirements are unsatisfiable."
    )
    found = explain(inputs, Outcome(Status.UNSATISFIABLE, error=error))
    assert isinstance(found, Conflict)
    assert found.packages == ("starlette", "fastapi")
    assert found.chain[0].spec == ">=0.27.0,<0.28.0"
    assert [d.line for d in found.chain if not d.who and d.package == "starlette"] == [2]


def test_source_argv_offline_uses_only_the_wheelhouse() -> None:
    argv = Source(find_links=("/w",), offline=True).argv()
    assert "--find-links=/w" in argv and "--offline" in argv and "--no-index" in argv


def test_bind_mounted_requirements_are_traced_to_the_context(tmp_path: Path) -> None:
    (tmp_path / "svc").mkdir()
    (tmp_path / "svc" / "requirements.txt").write_text("six==1.16.0\n")
    text = (
        "FROM python:3.11-slim\n"
        "RUN --mount=type=bind,source=svc/requirements.txt,target=/tmp/deps/requirements.txt \\\n"
        "    pip install -r /tmp/deps/requirements.txt\n"
    )
    dockerfile = parse_text(text, tmp_path / "Dockerfile")
    found = [p for i in installs(dockerfile, tmp_path) for p in i.requirement_files]
    assert found == [tmp_path / "svc" / "requirements.txt"]
