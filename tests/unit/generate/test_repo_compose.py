"""Compose overlays and missing-target fixes, validated against the compose-spec schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from dockwright.generate.bake import ServiceBuild
from dockwright.generate.compose import compose_overlays, dev_service, reload_command
from dockwright.generate.compose_fix import fix_compose_files as fix_missing_targets
from dockwright.generate.files import OptimizeOptions
from dockwright.model.dockerfile import parse_text
from dockwright.model.project import Project, discover
from tests.unit.generate.repo_fakes import fake_dockerfile, make_repo

SCHEMA = json.loads((Path(__file__).parent / "compose-spec.json").read_text())
VALIDATOR = jsonschema.Draft7Validator(SCHEMA)


def _builds(project: Project) -> list[ServiceBuild]:
    out = []
    for service in project.services:
        file = fake_dockerfile(service, project, OptimizeOptions())
        out.append(ServiceBuild(service, parse_text(file.text, file.path)))
    return out


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return discover([make_repo(tmp_path / "repo")])


def _overlays(project: Project) -> dict[str, dict[str, Any]]:
    files = compose_overlays(_builds(project), OptimizeOptions(), project.compose_files)
    return {f.path.name: yaml.safe_load(f.text) for f in files}


def test_overlays_are_valid_compose_files(project: Project) -> None:
    for name, data in _overlays(project).items():
        errors = [e.message for e in VALIDATOR.iter_errors(data)]
        assert errors == [], name


def test_the_schema_rejects_an_invalid_overlay() -> None:
    bad = {"services": {"api": {"read_only": True, "develop": {"watch": [{"path": "x"}]}}}}
    assert list(VALIDATOR.iter_errors(bad))


def test_dev_overlay_reloads_mounts_code_and_watches_deps(project: Project) -> None:
    api = _overlays(project)["compose.dev.yaml"]["services"]["api"]
    assert api["build"] == {"target": "development"}
    assert api["command"][-3:] == ["--reload", "--log-level", "debug"]
    assert api["environment"] == {"LOG_LEVEL": "debug"}
    assert api["volumes"] == ["./services/api/api:/app/api"]
    assert api["healthcheck"]["interval"] == "5s" and api["healthcheck"]["test"][0] == "CMD"
    watched = {(w["action"], w["path"]) for w in api["develop"]["watch"]}
    assert ("rebuild", "./services/api/requirements.txt") in watched
    assert ("rebuild", "./services/api/Dockerfile") in watched


def test_prod_overlay_hardens_every_service(project: Project) -> None:
    services = _overlays(project)["compose.prod.yaml"]["services"]
    assert set(services) == {"api", "worker"}  # redis builds nothing
    for spec in services.values():
        assert spec["build"] == {"target": "production"}
        assert spec["read_only"] is True and spec["tmpfs"] == ["/tmp"]
        assert spec["user"] == "10001:10001" and spec["cap_drop"] == ["ALL"]
        assert spec["security_opt"] == ["no-new-privileges:true"]
        assert spec["restart"] == "unless-stopped"
    assert services["api"]["healthcheck"]["interval"] == "30s"
    assert services["api"]["deploy"]["resources"]["limits"] == {"cpus": "1.0", "memory": "512M"}
    # the user's prod overlay already limits the worker: kept
    assert services["worker"]["deploy"]["resources"]["limits"] == {"cpus": "3", "memory": "6g"}


@pytest.mark.parametrize(
    ("cmd", "expected"),
    [
        (
            '["uvicorn", "a:app", "--reload"]',
            ["uvicorn", "a:app", "--reload", "--log-level", "debug"],
        ),
        ('["python", "-m", "w"]', ["python", "-m", "w"]),
        (
            '["sh", "-c", "exec uvicorn a:app --port $PORT"]',
            ["sh", "-c", "exec uvicorn a:app --port $PORT --reload --log-level debug"],
        ),
        (
            '["gunicorn", "a:app", "--log-level=info"]',
            ["gunicorn", "a:app", "--log-level=info", "--reload"],
        ),
    ],
)
def test_reload_command(cmd: str, expected: list[str]) -> None:
    text = f"FROM python:3.11 AS development\nCMD {cmd}\n"
    build = ServiceBuild(_service_stub(), parse_text(text, Path("/r/Dockerfile")))
    assert reload_command(build) == expected


def _service_stub():  # type: ignore[no-untyped-def]
    from dockwright.model.project import Service

    df = parse_text("FROM python:3.11\n", Path("/r/Dockerfile"))
    return Service("svc", df, Path("/r"), Path("/r"))


def test_whole_context_copy_mounts_the_code_folders(tmp_path: Path) -> None:
    project = discover([make_repo(tmp_path / "repo")])
    worker = next(b for b in _builds(project) if b.name == "worker")
    text = 'FROM python:3.11 AS development\nWORKDIR /srv\nCOPY . .\nCMD ["python", "-m", "w"]\n'
    whole = ServiceBuild(worker.service, parse_text(text, worker.service.dockerfile_path))
    compose = worker.base_builds[0]
    assert dev_service(whole, compose)["volumes"] == ["./services:/srv/services"]


def test_missing_target_fix_keeps_comments_and_layout(project: Project) -> None:
    [fixed] = fix_missing_targets(_builds(project))
    assert fixed.path.name == "docker-compose.prod.yml"
    assert "      target: production   # the old stage name\n" in fixed.text
    assert "# Production overlay (kept by hand)\n" in fixed.text
    original = fixed.path.read_text()
    changed = [
        (a, b)
        for a, b in zip(original.splitlines(), fixed.text.splitlines(), strict=True)
        if a != b
    ]
    assert len(changed) == 1
    assert VALIDATOR.is_valid(yaml.safe_load(fixed.text))


def test_targets_that_exist_are_left_alone(project: Project) -> None:
    builds = _builds(project)
    assert fix_missing_targets(builds)  # the api overlay names `runtime`, which is gone
    overlay = project.compose_files[0].path.with_name("docker-compose.prod.yml")
    overlay.write_text(overlay.read_text().replace("runtime", "development"))
    assert fix_missing_targets(_builds(discover([overlay.parent]))) == []


def test_flow_style_target_is_fixed_in_place(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo")
    overlay = root / "docker-compose.prod.yml"
    overlay.write_text(overlay.read_text().replace("target: production", "target: 'prod'"))
    [fixed] = fix_missing_targets(_builds(discover([root])))
    assert "build: {target: 'production'}  # missing before the rewrite" in fixed.text
    assert fixed.resolves == ("DW601",)


SHARED = """\
FROM python:3.11-slim AS production
WORKDIR /app
COPY services/api/api/ /app/api/
COPY shared/ /app/shared/
CMD ["python", "-m", "api"]
"""


def _widened(root: Path) -> list[ServiceBuild]:
    from dockwright.generate.bake import needed_context

    (root / "shared").mkdir()
    (root / "shared" / "util.py").write_text("X = 1\n")
    project = discover([root])
    builds = []
    for build in _builds(project):
        if build.name == "api":
            parsed = parse_text(SHARED, build.service.dockerfile_path)
            context = needed_context(build.service, parsed, root)
            build = ServiceBuild(build.service, parsed, None, context)
        builds.append(build)
    return builds


def test_shared_code_widens_the_context_in_the_base_file(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo")
    builds = _widened(root)
    assert next(b for b in builds if b.name == "api").build_context == root
    fixed = {f.path.name: f for f in fix_missing_targets(builds)}
    base = fixed["docker-compose.yml"].text
    assert "    build: {context: ., dockerfile: services/api/Dockerfile}\n" in base
    assert VALIDATOR.is_valid(yaml.safe_load(base))
    (root / "docker-compose.yml").write_text(base)  # the edited base builds the api from the root
    api = next(s for s in discover([root]).services if s.name == "api")
    assert api.context == root


def test_mapping_build_gets_context_and_dockerfile_keys(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo")
    compose = root / "docker-compose.yml"
    compose.write_text(
        compose.read_text().replace(
            "    build: ./services/api\n", "    build:  # the api\n      context: ./services/api\n"
        )
    )
    base = {f.path.name: f for f in fix_missing_targets(_widened(root))}["docker-compose.yml"].text
    assert (
        "    build:  # the api\n      context: .\n      dockerfile: services/api/Dockerfile\n"
        in base
    )
    assert VALIDATOR.is_valid(yaml.safe_load(base))
