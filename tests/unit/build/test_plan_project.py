"""Planning a project's builds: tags, targets, compose args, cache options per client."""

from __future__ import annotations

from pathlib import Path

import pytest

from dockwright.build.engine import ClientKind, Engine
from dockwright.build.plan import BuildStep, build_argv, registry_ref
from dockwright.build.plan_project import (
    CacheOptions,
    PlanOptions,
    cache_ref,
    check_cache,
    image_tag,
    plan_project,
)
from dockwright.errors import EngineError, UsageError
from dockwright.model.project import Project, discover

CLASSIC = Engine("/usr/bin/docker", ClientKind.CLASSIC_BUILDKIT, "20.10", None, {})
REMOTE = Engine("/usr/bin/docker", ClientKind.BUILDX, "27.0", "remote-bk", {})
MULTI = "FROM python:3.11-slim AS base\nFROM base AS prod\nFROM base AS dev\n"
COMPOSE = """\
services:
  api:
    build:
      context: ./api
      target: prod
      args:
        VERSION: "1.2"
        FROM_ENV:
        UNSET:
      additional_contexts:
        shared: ./shared
        img: docker-image://python:3.11-slim
  worker:
    build: ./worker
"""


@pytest.fixture
def project(tmp_path: Path) -> Project:
    files = {
        "compose.yaml": COMPOSE,
        "api/Dockerfile": MULTI,
        "worker/Dockerfile": "FROM python:3.11-slim\n",
        "shared/lib.py": "",
        "tools/Dockerfile.Lint": "FROM python:3.11-slim\n",
    }
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    return discover([tmp_path])


def steps(
    project: Project, kind: ClientKind = ClientKind.CLASSIC_BUILDKIT, **kw: object
) -> dict[str, BuildStep]:
    options = PlanOptions(**kw)  # type: ignore[arg-type]
    return {s.service: s for s in plan_project(project, options, kind)}


def test_steps_take_context_target_and_compose_args(project: Project, tmp_path: Path) -> None:
    planned = steps(project, environ={"FROM_ENV": "yes"})
    api = planned["api"]
    assert api.tags == ("dockwright/api:prod",) and api.target == "prod"
    assert api.context == (tmp_path / "api").resolve()
    assert api.dockerfile == (tmp_path / "api" / "Dockerfile").resolve()
    assert dict(api.build_args) == {"VERSION": "1.2", "FROM_ENV": "yes"}
    assert dict(api.named_contexts) == {"shared": tmp_path.resolve() / "shared"}
    assert planned["worker"].tags == ("dockwright/worker:latest",)
    assert planned["worker"].target is None and not planned["worker"].build_args


def test_target_option_overrides_every_service(project: Project) -> None:
    planned = steps(project, target="dev", services=("api", "worker"))
    assert set(planned) == {"api", "worker"}
    assert {s.target for s in planned.values()} == {"dev"}
    assert planned["api"].tags == ("dockwright/api:dev",)


def test_unknown_service_is_a_usage_error(project: Project) -> None:
    with pytest.raises(UsageError, match="no service named nope"):
        steps(project, services=("nope",))


def test_tags_follow_docker_reference_grammar() -> None:
    assert image_tag("tools-Lint", None) == "dockwright/tools-lint:latest"
    assert image_tag("My Svc", "build/prod") == "dockwright/my-svc:build-prod"
    assert (
        cache_ref("127.0.0.1:5000/cache/", "api", None) == "127.0.0.1:5000/cache/api:latest-cache"
    )


def test_classic_registry_cache_is_inline_cache_push_and_pull(project: Project) -> None:
    cache = CacheOptions(registry="127.0.0.1:5000/c")
    api = steps(project, cache=cache)["api"]
    ref = "127.0.0.1:5000/c/api:prod-cache"
    assert api.tags == ("dockwright/api:prod", ref) and api.push == (ref,)
    assert api.build_args["BUILDKIT_INLINE_CACHE"] == "1"
    argv = build_argv(CLASSIC, api)
    assert argv[:2] == ["/usr/bin/docker", "build"]
    assert argv[argv.index("--cache-from") + 1] == ref
    assert "--cache-to" not in argv and "BUILDKIT_INLINE_CACHE=1" in argv


def test_buildx_registry_cache_exports_and_imports(project: Project) -> None:
    api = steps(project, ClientKind.BUILDX, cache=CacheOptions(registry="reg:5000/c"))["api"]
    argv = build_argv(REMOTE, api)
    assert argv[:6] == ["/usr/bin/docker", "buildx", "build", "--builder", "remote-bk", "--load"]
    assert argv[argv.index("--cache-from") + 1] == "type=registry,ref=reg:5000/c/api:prod-cache"
    assert (
        argv[argv.index("--cache-to") + 1] == "type=registry,ref=reg:5000/c/api:prod-cache,mode=max"
    )
    assert api.push == () and "BUILDKIT_INLINE_CACHE" not in api.build_args
    assert "shared=" + str(api.named_contexts["shared"]) in argv


def test_buildx_local_cache_dir_per_service(project: Project, tmp_path: Path) -> None:
    cache = CacheOptions(directory=tmp_path / "cache")
    argv = build_argv(REMOTE, steps(project, ClientKind.BUILDX, cache=cache)["worker"])
    folder = tmp_path / "cache" / "worker-latest"
    assert argv[argv.index("--cache-from") + 1] == f"type=local,src={folder}"
    assert argv[argv.index("--cache-to") + 1] == f"type=local,dest={folder},mode=max"


def test_cache_dir_on_classic_client_says_what_to_install(project: Project, tmp_path: Path) -> None:
    with pytest.raises(EngineError, match=r"needs docker buildx.*install") as info:
        steps(project, cache=CacheOptions(directory=tmp_path))
    assert "\n" not in info.value.one_line()


@pytest.mark.parametrize(
    ("cache", "message"),
    [
        (CacheOptions(Path("/c"), "127.0.0.1:5000/c"), "either --cache-dir or --cache-registry"),
        (CacheOptions(registry="127.0.0.1:5000/c:tag"), "repository prefix"),
        (CacheOptions(registry="has space/c"), "repository prefix"),
    ],
)
def test_bad_cache_options(cache: CacheOptions, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        check_cache(cache, ClientKind.BUILDX)


def test_registry_ref_of_cache_options() -> None:
    assert registry_ref("type=registry,ref=r:5000/c/api:x,mode=max") == "r:5000/c/api:x"
    assert registry_ref("type=local,src=/c") is None
