from __future__ import annotations

from pathlib import Path

from dockwright.build.engine import ClientKind, Engine, candidate_dockers
from dockwright.build.plan import BuildStep, build_argv

CLASSIC = Engine(
    "/usr/bin/docker", ClientKind.CLASSIC_BUILDKIT, "20.10", None, {"DOCKER_BUILDKIT": "1"}
)
BUILDX = Engine("/usr/bin/docker", ClientKind.BUILDX, "27.0", "remote1", {})


def _step(**kw: object) -> BuildStep:
    base = {
        "service": "api",
        "context": Path("/r/api"),
        "dockerfile": Path("/r/api/Dockerfile"),
        "tags": ("api:dev",),
    }
    return BuildStep(**{**base, **kw})  # type: ignore[arg-type]


def test_classic_client_argv() -> None:
    argv = build_argv(CLASSIC, _step(target="production", build_args={"B": "2", "A": "1"}))
    assert argv[:2] == ["/usr/bin/docker", "build"]
    assert argv[argv.index("--target") + 1] == "production"
    assert [argv[i + 1] for i, a in enumerate(argv) if a == "--build-arg"] == ["A=1", "B=2"]
    assert argv[-3:] == ["--network", "host", "/r/api"]


def test_buildx_passes_builder_cache_and_named_contexts() -> None:
    step = _step(
        cache_from=("type=local,src=/c",),
        cache_to=("type=local,dest=/c,mode=max",),
        named_contexts={"shared": Path("/r/shared")},
        no_cache=True,
    )
    argv = build_argv(BUILDX, step)
    assert argv[:6] == ["/usr/bin/docker", "buildx", "build", "--builder", "remote1", "--load"]
    assert "--cache-from" in argv and "type=local,dest=/c,mode=max" in argv
    assert "shared=/r/shared" in argv and "--no-cache" in argv


def test_classic_client_drops_buildx_only_options() -> None:
    argv = build_argv(CLASSIC, _step(cache_from=("type=local,src=/c",)))
    assert "--cache-from" not in argv


def test_secrets_are_files_never_values() -> None:
    argv = build_argv(CLASSIC, _step(secrets={"pip": Path("/run/pip.conf")}))
    assert argv[argv.index("--secret") + 1] == "id=pip,src=/run/pip.conf"


def test_candidate_dockers_prefers_env_and_dedupes(tmp_path: Path) -> None:
    cli = tmp_path / "docker"
    cli.write_text("#!/bin/sh\n")
    cli.chmod(0o755)
    found = candidate_dockers({"DOCKWRIGHT_DOCKER": str(cli), "PATH": str(tmp_path)})
    assert found[0] == str(cli) and found.count(str(cli)) == 1
