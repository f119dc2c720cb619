"""The wheelhouse stays out of the images; CPU torch installs drop the CUDA-only wheels."""

from __future__ import annotations

from pathlib import Path

from dockwright.generate.dockerignore import generate_dockerignore
from dockwright.generate.files import OptimizeOptions
from dockwright.generate.svc_install import OVERRIDES
from dockwright.generate.svc_source import covers
from dockwright.model.dockerignore import DockerIgnore, parse_patterns
from dockwright.model.project import discover
from tests.unit.generate.test_optimize_parts import make, optimized, stage_text

TORCH = {"requirements.txt": "openai-whisper==20250625\ntorch==2.13.0\n", "app.py": "x = 1\n"}
WHEELS = OptimizeOptions(wheelhouse="wheels")


def test_copy_sources_that_bring_the_wheelhouse() -> None:
    assert covers(".", "wheels") and covers("./", "wheels")
    assert covers("svc", "svc/wheels") and covers("svc/", "svc/wheels/")
    assert covers("*", "wheels")
    assert not covers("src", "wheels")
    assert not covers("svc/wheels.txt", "svc/wheels")
    assert not covers("*.py", "wheels")


def test_code_reaches_the_images_through_a_source_stage_without_the_wheelhouse(
    tmp_path: Path,
) -> None:
    repo = make(
        tmp_path,
        "FROM python:3.11-slim\nWORKDIR /app\nCOPY --chown=app . .\n"
        "RUN pip install -r requirements.txt\n",
        TORCH,
    )
    text = optimized(repo, WHEELS)
    source = stage_text(text, "source")
    assert source.splitlines() == ["COPY . /source/app/", "RUN rm -rf /source/app/wheels"]
    for name in ("production", "development"):
        stage = stage_text(text, name)
        assert "COPY --from=source --chown=app /source/app/ /app/" in stage
        assert "COPY --chown=app . ." not in stage
    assert text.index("AS source") < text.index("AS build")


def test_the_ignore_file_keeps_a_mounted_wheelhouse_and_drops_an_unused_one(
    tmp_path: Path,
) -> None:
    used = make(tmp_path / "used", "FROM python:3.11-slim\nCOPY . .\n", TORCH)
    unused = make(
        tmp_path / "unused",
        "FROM python:3.11-slim\nCOPY . .\nRUN pip install -r requirements.txt\n",
        {"requirements.txt": "flask==3.0.3\n"},
    )
    for repo, dropped in ((used, False), (unused, True)):
        project = discover([repo])
        text = generate_dockerignore(project.services[0], project, WHEELS).text
        ignore = DockerIgnore(Path(".dockerignore"), parse_patterns(text))
        assert ignore.excluded("wheels/torch-2.13.0+cpu-cp311-cp311-linux_x86_64.whl") is dropped
    assert "AS source" not in optimized(unused, WHEELS)


def test_without_a_wheelhouse_the_context_copy_is_unchanged(tmp_path: Path) -> None:
    repo = make(tmp_path, "FROM python:3.11-slim\nWORKDIR /app\nCOPY . .\n", TORCH)
    text = optimized(repo)
    assert "AS source" not in text
    assert "COPY . ." in stage_text(text, "production")


def test_cpu_torch_installs_override_triton_away(tmp_path: Path) -> None:
    repo = make(tmp_path, "FROM python:3.11-slim\nCOPY . .\n", TORCH)
    for options in (OptimizeOptions(), WHEELS):
        build = stage_text(optimized(repo, options), "build")
        assert "printf \"triton; sys_platform == 'never'\\n" in build
        assert f"> {OVERRIDES}" in build
        assert f"--override {OVERRIDES}" in build
        assert "# CPU-only torch: a uv override drops the CUDA-only wheels" in optimized(
            repo, options
        )
    cuda = optimized(repo, OptimizeOptions(torch="cuda"))
    assert "triton" not in cuda and "torch; sys_platform == 'never'" in cuda


def test_the_project_source_copied_for_its_install_drops_the_wheelhouse(tmp_path: Path) -> None:
    repo = make(
        tmp_path,
        'FROM python:3.11-slim\nWORKDIR /app\nCOPY . .\nRUN pip install .\nCMD ["app"]\n',
        {
            "pyproject.toml": "[project]\nname = 'app'\nversion = '1'\n"
            "dependencies = ['torch==2.13.0']\n",
            "app/__init__.py": "import torch\n",
        },
    )
    text = optimized(repo, WHEELS)
    assert "RUN rm -rf /source/tmp/src/wheels" in stage_text(text, "source")
    assert "COPY --from=source /source/tmp/src/ /tmp/src/" in stage_text(text, "build")
