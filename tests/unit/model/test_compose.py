"""Compose files: build sections, overlays merged over their base, interpolation, bad YAML."""

from __future__ import annotations

from pathlib import Path

import pytest

from dockwright.errors import InputError
from dockwright.model.compose import (
    ComposeFile,
    base_of,
    interpolate,
    load_compose,
    load_compose_files,
)

BASE = """\
x-common: &common
  build:
    context: ./api
    target: runtime
services:
  api:
    <<: *common
    image: api:dev
  worker:
    build: ./api
  cache:
    image: redis
  remote:
    build: https://github.com/o/r.git
"""


def write(tmp_path: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (tmp_path / name).write_text(text)


def by_service(files: tuple[ComposeFile, ...], name: str) -> dict[str, object]:
    return {f.path.name: s.build for f in files for s in f.services if s.name == name and s.build}


def test_base_file(tmp_path: Path) -> None:
    write(tmp_path, {"docker-compose.yml": BASE})
    compose = load_compose(tmp_path / "docker-compose.yml")
    builds = {b.service: b for b in compose.builds()}
    assert set(builds) == {"api", "worker"}  # `remote` builds from a URL, `cache` builds nothing
    api = builds["api"]
    assert api.context == (tmp_path / "api").resolve()
    assert api.dockerfile == (tmp_path / "api" / "Dockerfile").resolve()
    assert (api.target, api.target_line, api.target_file) == ("runtime", 4, compose.path)
    assert builds["worker"].target is None and not compose.is_overlay


def test_overlay_sets_only_the_target(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "docker-compose.yml": BASE,
            "docker-compose.prod.yml": "services:\n  api:\n    build:\n      target: prod\n"
            "  worker:\n    environment: {A: '1'}\n",
        },
    )
    files, problems = load_compose_files(
        [tmp_path / "docker-compose.prod.yml", tmp_path / "docker-compose.yml"]
    )
    assert problems == ()
    assert [f.path.name for f in files] == ["docker-compose.yml", "docker-compose.prod.yml"]
    prod = files[1]
    assert prod.is_overlay and prod.base == tmp_path / "docker-compose.yml"
    [api] = prod.builds()  # worker does not touch build in the overlay
    assert api.context == (tmp_path / "api").resolve()
    assert (api.target, api.target_line, api.target_file) == ("prod", 4, prod.path)
    assert api.base_file == tmp_path / "docker-compose.yml" and api.is_overlay


def test_overlay_without_target_keeps_base_target_position(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "compose.yaml": "services:\n  web:\n    build:\n      context: .\n      target: base\n"
            "      args: {A: '1'}\n",
            "compose.override.yaml": "services:\n  web:\n    build:\n      args:\n        B: '2'\n",
        },
    )
    files, _ = load_compose_files([tmp_path / "compose.yaml", tmp_path / "compose.override.yaml"])
    [web] = files[1].builds()
    assert web.target == "base" and web.target_file == tmp_path / "compose.yaml"
    assert web.target_line == 5 and web.args == {"A": "1", "B": "2"}


def test_interpolation_from_env_file(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            ".env": "STAGE=prod\n# comment\n",
            "docker-compose.yml": "services:\n  a:\n    build:\n      context: ${CTX:-.}\n"
            "      dockerfile: docker/${STAGE}.Dockerfile\n      target: $$x\n",
        },
    )
    [a] = load_compose(tmp_path / "docker-compose.yml").builds()
    assert a.dockerfile == (tmp_path / "docker" / "prod.Dockerfile").resolve() and a.target == "$x"


def test_interpolate() -> None:
    env = {"A": "1", "E": ""}
    assert interpolate("$A ${A} ${B:-d} ${E:-d} ${E-d} ${A:+set} $$A", env) == "1 1 d d  set $A"


def test_broken_yaml_is_a_problem_with_line(tmp_path: Path) -> None:
    write(tmp_path, {"docker-compose.yml": "services:\n  a:\n    build: [\n", "compose.yaml": "{}"})
    files, problems = load_compose_files(
        [tmp_path / "docker-compose.yml", tmp_path / "compose.yaml"]
    )
    assert [f.path.name for f in files] == ["compose.yaml"]
    assert [(p.path.name, p.line) for p in problems] == [("docker-compose.yml", 4)]


@pytest.mark.parametrize(
    ("text", "line"),
    [("- a\n- b\n", 1), ("services: [1]\n", 1), ("services:\n  a:\n    build: 3\n", 3)],
)
def test_wrong_shapes_raise_input_error(tmp_path: Path, text: str, line: int) -> None:
    path = tmp_path / "compose.yaml"
    path.write_text(text)
    with pytest.raises(InputError) as info:
        load_compose(path)
    assert (info.value.path, info.value.line) == (path, line)


def test_overlay_with_broken_base_is_reported_once(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "docker-compose.yml": "services: [\n",
            "docker-compose.dev.yml": "services:\n  a:\n    build: .\n",
        },
    )
    files, problems = load_compose_files(
        [tmp_path / "docker-compose.yml", tmp_path / "docker-compose.dev.yml"]
    )
    assert len(problems) == 1 and [f.path.name for f in files] == ["docker-compose.dev.yml"]
    assert files[0].builds()[0].base_file is None


def test_base_of(tmp_path: Path) -> None:
    write(tmp_path, {"compose.yaml": "", "docker-compose.yml": ""})
    assert base_of(tmp_path / "compose.dev.yaml") == tmp_path / "compose.yaml"
    assert base_of(tmp_path / "docker-compose.override.yml") == tmp_path / "docker-compose.yml"
    assert base_of(tmp_path / "compose.yaml") is None
