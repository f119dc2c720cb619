"""docker-bake.hcl: parsed with python-hcl2 (buildx bake is not available here)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import hcl2
import pytest

from dockwright.generate.bake import ServiceBuild, generate_bake, target_name
from dockwright.generate.files import OptimizeOptions
from dockwright.model.dockerfile import parse_text
from dockwright.model.project import Project, discover
from tests.unit.generate.repo_fakes import fake_dockerfile, make_repo


def _unquote(value: Any) -> Any:
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    if isinstance(value, list):
        return [_unquote(v) for v in value]
    if isinstance(value, dict):
        return {_unquote(k): _unquote(v) for k, v in value.items() if k != "__is_block__"}
    return value


def parse_bake(text: str) -> dict[str, dict[str, Any]]:
    """{block type: {label: attributes}} with HCL string quotes removed."""
    raw = hcl2.loads(text)
    return {
        kind: {k: v for block in blocks for k, v in _unquote(block).items()}
        for kind, blocks in raw.items()
    }


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return discover([make_repo(tmp_path / "repo")])


def _bake(project: Project) -> dict[str, dict[str, Any]]:
    builds = []
    for service in project.services:
        file = fake_dockerfile(service, project, OptimizeOptions())
        image = "example-api:1.0" if service.name == "api" else None
        builds.append(ServiceBuild(service, parse_text(file.text, file.path), image))
    return parse_bake(generate_bake(project.roots[0], builds).text)


def test_one_target_per_stage_of_every_service(project: Project) -> None:
    targets = _bake(project)["target"]
    assert set(targets) == {
        "api-build", "api-development", "api", "worker-build", "worker-development", "worker"
    }  # fmt: skip
    assert targets["api"]["target"] == "production"
    assert targets["api"]["context"] == "services/api"
    assert targets["api"]["dockerfile"] == "Dockerfile"
    assert targets["worker"]["context"] == "."
    assert targets["worker"]["dockerfile"] == "services/worker/Dockerfile"


def test_default_group_builds_every_service(project: Project) -> None:
    groups = _bake(project)["group"]
    assert groups["default"]["targets"] == ["api", "worker"]
    assert groups["dev"]["targets"] == ["api-development", "worker-development"]
    assert len(groups["all"]["targets"]) == 6


def test_cache_settings_are_shared(project: Project) -> None:
    bake = _bake(project)
    assert set(bake["function"]) == {"cache_from", "cache_to"}
    assert bake["variable"]["CACHE_DIR"]["default"] == ""
    for name, target in bake["target"].items():
        assert target["cache-from"] == f'${{cache_from("{name}")}}'
        assert target["cache-to"] == f'${{cache_to("{name}")}}'


def test_tags_come_from_compose_images(project: Project) -> None:
    targets = _bake(project)["target"]
    assert targets["api"]["tags"] == ["example-api:1.0"]
    assert targets["worker"]["tags"] == ["worker:${TAG}"]
    assert targets["api-development"]["tags"] == ["api:dev"]
    assert "tags" not in targets["api-build"]


def test_target_names_are_valid_bake_names() -> None:
    assert target_name("my.svc", "production") == "my-svc"
    assert target_name("my.svc", "build") == "my-svc-build"
