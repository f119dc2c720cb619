"""Size-rule helpers and the per-service `cuda` option of DW203."""

from __future__ import annotations

from pathlib import Path

import pytest

from dockwright.model.dockerfile import parse_text
from dockwright.model.project import discover
from dockwright.model.shell import split_commands
from dockwright.rules import _caches, _layers, _torch
from dockwright.rules._size_support import build_tools_bytes, human, slim_tag
from dockwright.rules.engine import RuleSelection, analyze


def _torch_service(root: Path) -> None:
    (root / "Dockerfile").write_text(
        "FROM python:3.11-slim\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n"
    )
    (root / "requirements.txt").write_text("sentence-transformers==2.2.2\n")


def test_cuda_option_silences_dw203(tmp_path: Path) -> None:
    _torch_service(tmp_path)
    project = discover([tmp_path])
    name = project.services[0].name
    plain = analyze(project, RuleSelection(select=("DW203",)))
    assert [f.rule_id for f in plain.findings] == ["DW203"]
    finding = plain.findings[0]
    assert finding.location.path.name == "requirements.txt" and finding.location.line == 1
    gpu = analyze(project, RuleSelection(select=("DW203",), per_service={name: {"cuda": True}}))
    assert gpu.findings == ()


def test_cuda_cost_is_the_documented_table() -> None:
    assert _torch.CUDA_EXTRA_BYTES == sum(_torch.CUDA_EXTRA_MB.values()) * 1000 * 1000
    assert human(_torch.CUDA_EXTRA_BYTES) == "4.3 GB"


@pytest.mark.parametrize(
    ("tag", "slim"),
    [
        ("", "slim"),
        ("latest", "slim"),
        ("3.11", "3.11-slim"),
        ("3.11.9", "3.11.9-slim"),
        ("3.12-bookworm", "3.12-slim-bookworm"),
        ("bullseye", "slim-bullseye"),
        ("3.11-slim", None),
        ("3.11-alpine", None),
        ("3.11-windowsservercore", None),
    ],
)
def test_slim_tag(tag: str, slim: str | None) -> None:
    assert slim_tag(tag) == slim


@pytest.mark.parametrize(
    ("pattern", "path", "hit"),
    [
        ("/var/lib/apt/lists/*", "/var/lib/apt/lists/x", True),
        ("/root/.cache", "/root/.cache/pip", True),
        ("/app/data.zip", "/app/data.zip", True),
        ("/app/data", "/app/database.db", False),
        ("/tmp/*.tar.gz", "/tmp/big.tar.gz", True),
        ("/tmp/*.tar.gz", "/tmp/big.zip", False),
    ],
)
def test_covers(pattern: str, path: str, hit: bool) -> None:
    assert _layers.covers(pattern, path) is hit


@pytest.mark.parametrize(
    ("script", "saved"),
    [
        ("wget https://x.org/a/model.bin", ["/work/model.bin"]),
        ("wget -P /opt https://x.org/a.tgz", ["/opt/a.tgz"]),
        ("wget -qO- https://x.org/a.tgz", []),
        ("curl -fsSL https://x.org/install.sh", []),
        ("curl -fsSLO https://x.org/a.tgz?v=1", ["/work/a.tgz"]),
        ("curl -fsSLo /tmp/x https://x.org/a.tgz", ["/tmp/x"]),
        ("curl --output=/tmp/y https://x.org/a.tgz", ["/tmp/y"]),
    ],
)
def test_downloads(script: str, saved: list[str]) -> None:
    cmd = split_commands(script)[0]
    assert [p for p, _ in _caches.downloads(cmd, "/work")] == saved


def test_build_tool_bundles_are_not_double_counted() -> None:
    alone = build_tools_bytes(["build-essential"])
    assert build_tools_bytes(["build-essential", "gcc", "g++", "make"]) == alone
    assert build_tools_bytes(["build-essential", "libpq-dev"]) == alone + 5 * 1000 * 1000


def test_workdir_and_stage_chain() -> None:
    df = parse_text(
        "FROM python:3.11-slim AS base\nWORKDIR /app\nFROM base\nWORKDIR src\nRUN rm -rf build\n",
        Path("Dockerfile"),
    )
    run = df.stages[1].instructions[-1]
    assert _layers.workdir_at(df, run) == "/app/src"
    assert _layers.removed_by(run, _layers.workdir_at(df, run)) == ["/app/src/build"]
