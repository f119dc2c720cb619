"""PyTorch gets a stage and a layer of its own when the requirements pin it directly."""

from __future__ import annotations

from pathlib import Path

from dockwright import api
from dockwright.generate.files import OptimizeOptions
from dockwright.generate.svc_install import TORCH_DEPS, TORCH_MOUNT
from dockwright.model.dockerfile import parse_text
from tests.unit.generate.test_optimize_parts import make, optimized, stage_text

DOCKERFILE = "FROM python:3.11\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\n"


def _repo(tmp_path: Path, requirements: str, **files: str) -> Path:
    return make(
        tmp_path, DOCKERFILE, {"requirements.txt": requirements, "app.py": "x = 1\n", **files}
    )


def test_a_pinned_torch_is_installed_by_a_stage_of_its_own(tmp_path: Path) -> None:
    text = optimized(_repo(tmp_path, "numpy==2.4.6\ntorch==2.13.0\n"))
    stages = [s.name for s in parse_text(text, tmp_path / "Dockerfile").stages]
    assert stages == ["torch-pin", "torch", "build", "development", "production"]
    pin = stage_text(text, "torch-pin")
    assert "grep -hiE" in pin and "/tmp/deps/requirements.txt > /torch-requirements.txt" in pin
    assert "|| echo torch >> /torch-requirements.txt" in pin
    torch = stage_text(text, "torch")
    assert "COPY --from=torch-pin /torch-requirements.txt /tmp/torch-requirements.txt" in torch
    assert "uv pip install --target /opt/torch --no-deps -r /tmp/torch-requirements.txt" in torch
    assert "requirements.txt,target" not in torch  # other requirement changes keep it cached


def test_the_venv_install_resolves_torch_deps_but_not_torch(tmp_path: Path) -> None:
    text = optimized(_repo(tmp_path, "torch==2.13.0\n"))
    build = stage_text(text, "build")
    assert "_dockwright_torch.pth" in build and "write_text('/opt/torch" in build
    assert TORCH_MOUNT in build
    assert "m.requires('torch')" in build and f"-r {TORCH_DEPS}" in build
    assert "torch; sys_platform == 'never'" in build
    production = stage_text(text, "production")
    assert production.index("COPY --from=torch /opt/torch") < production.index(
        "/opt/venv /opt/venv"
    )
    assert "COPY --from=torch /opt/torch /opt/torch" in stage_text(text, "development")


def test_the_torch_stage_gets_the_cpu_wheelhouse(tmp_path: Path) -> None:
    text = optimized(_repo(tmp_path, "torch==2.13.0\n"), OptimizeOptions(wheelhouse="wheels"))
    torch = stage_text(text, "torch")
    assert "--find-links /tmp/wheelhouse" in torch
    assert "--mount=type=bind,source=wheels,target=/tmp/wheelhouse" in torch


def test_the_torch_line_may_live_in_an_included_file(tmp_path: Path) -> None:
    repo = _repo(tmp_path, "-r base.txt\nflask==3.0.3\n", **{"base.txt": "torch>=2.1\n"})
    pin = stage_text(optimized(repo), "torch-pin")
    assert "/tmp/deps/requirements.txt /tmp/deps/base.txt" in pin


def test_no_torch_stage_when_torch_is_only_transitive_or_hashed(tmp_path: Path) -> None:
    transitive = optimized(_repo(tmp_path / "a", "sentence-transformers==6.2.0\n"))
    assert "AS torch" not in transitive and "/opt/torch" not in transitive
    hashed = optimized(_repo(tmp_path / "b", "torch==2.13.0 --hash=sha256:" + "0" * 64 + "\n"))
    assert "AS torch" not in hashed


def test_no_bytecode_turns_compilation_off_in_every_install_stage(tmp_path: Path) -> None:
    repo = _repo(tmp_path, "torch==2.13.0\n")
    assert optimized(repo).count("UV_COMPILE_BYTECODE=1") == 2
    text = optimized(repo, OptimizeOptions(bytecode=False))
    assert text.count("UV_COMPILE_BYTECODE=0") == 2 and "UV_COMPILE_BYTECODE=1" not in text


def test_the_pin_keeps_the_index_options_of_the_requirement_files(tmp_path: Path) -> None:
    reqs = "--extra-index-url https://download.pytorch.org/whl/cpu\ntorch==2.1.1+cpu\n"
    pin = stage_text(optimized(_repo(tmp_path, reqs)), "torch-pin")
    assert "-e '^[[:space:]]*(-i|--index-url|--extra-index-url|-f|--find-links)" in pin


def test_the_development_extras_install_keeps_cpu_torch(tmp_path: Path) -> None:
    pyproject = "[project]\nname = 'app'\nversion = '1'\ndependencies = ['torch==2.13.0']\n"
    pyproject += "[project.optional-dependencies]\ndev = ['pytest']\n"
    repo = make(
        tmp_path,
        "FROM python:3.11\nWORKDIR /app\nCOPY . .\nRUN pip install .\n",
        {"pyproject.toml": pyproject, "app.py": "x = 1\n"},
    )
    development = stage_text(optimized(repo), "development")
    assert "--all-extras --extra-index-url https://download.pytorch.org/whl/cpu" in development


def test_analyze_finds_the_shared_torch_layer_before_and_not_after(tmp_path: Path) -> None:
    repo = _repo(tmp_path / "repo", "fastapi==0.115.0\ntorch==2.13.0\n")
    before = api.analyze([repo])
    assert [f.rule_id for f in before.findings if f.rule_id == "DW114"] == ["DW114"]
    api.write_optimization(api.optimize(repo), out=tmp_path / "after")
    after = api.analyze([tmp_path / "after"])
    assert not [f for f in after.findings if f.rule_id == "DW114"]
