"""`dockwright deps` against the real package index (through this machine's PyPI proxy).

The example stacks are copied to a temp folder: their "before" state stays untouched.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from dockwright import api
from dockwright.cli import main

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
WHEELHOUSE = Path("/opt/wheels")


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("deps-cache")


@pytest.fixture
def stack(tmp_path: Path) -> Path:
    return Path(shutil.copytree(EXAMPLES / "transcription-system", tmp_path / "ts"))


def test_transcription_conflict_found_and_fixed_end_to_end(
    stack: Path, cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    reqs = stack / "services/llm-worker/requirements.txt"
    assert main(["deps", str(stack), "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    (conflict,) = data["conflicts"]
    assert conflict["service"] == "llm-worker"
    assert conflict["packages"] == ["pydantic", "mistralai"]
    assert conflict["fix"]["summary"] == "bump pydantic 2.5.0 -> 2.5.2"
    assert conflict["fix"]["verified"] is True and conflict["fix"]["applied"] is False
    assert {(d["who"], d["line"]) for d in conflict["chain"]} >= {
        ("mistralai==0.0.12", None),
        ("", 1),
    }
    assert reqs.read_text().startswith("pydantic==2.5.0\n")

    report = api.deps([stack], api.DepsOptions(fix=True, cache_dir=cache))
    assert report.written == (reqs,)
    assert reqs.read_text().startswith(
        "pydantic==2.5.2\npydantic-settings==2.1.0\nmistralai==0.0.12\n"
    )
    again = api.deps([stack], api.DepsOptions(cache_dir=cache))
    assert again.conflicts == () and again.errors == ()
    (misaligned,) = again.misalignments
    assert misaligned.package == "pydantic" and misaligned.proposal == "2.5.2"


def test_transcription_worker_pulls_cuda_it_never_uses(stack: Path, cache: Path) -> None:
    report = api.deps([stack], api.DepsOptions(cache_dir=cache))
    worker = next(s for s in report.services if s.service == "transcription-worker")
    assert worker.torch is not None
    assert worker.torch.pulled_by == ("torch", "openai-whisper")
    assert any(p.startswith("nvidia-cudnn") for p in worker.torch.cuda_packages)
    assert any(p.startswith("triton==") for p in worker.torch.cuda_packages)
    assert worker.torch.cuda_bytes is not None and worker.torch.cuda_bytes > 1_000_000_000
    assert worker.torch.code_uses_cuda is False
    assert worker.native.sdist_only == ("openai-whisper==20250625",)
    assert "ffmpeg" in worker.native.system_libraries
    api_service = next(s for s in report.services if s.service == "ingestion-api")
    assert api_service.torch is None and api_service.native.sdist_only == ()


@pytest.mark.skipif(not WHEELHOUSE.is_dir(), reason="needs the CPU torch wheelhouse")
def test_voice_service_cpu_only_resolution_from_the_wheelhouse(cache: Path) -> None:
    options = api.DepsOptions(find_links=(WHEELHOUSE,), cache_dir=cache)
    (service,) = api.deps([EXAMPLES / "voice-connector-llm"], options).services
    torch = service.torch
    assert torch is not None and "sentence-transformers" in torch.pulled_by
    assert torch.cuda_packages and torch.cuda_bytes and torch.cuda_bytes > 1_000_000_000
    cpu = {p.name: p.version for p in torch.cpu_resolution}
    assert cpu["torch"].endswith("+cpu")
    assert not [n for n in cpu if n.startswith("nvidia-") or n == "triton"]
    assert torch.cpu_source == f"wheelhouse {WHEELHOUSE}"


def test_unreachable_index_is_one_error_line(tmp_path: Path, cache: Path) -> None:
    svc = tmp_path / "svc"
    svc.mkdir()
    (svc / "requirements.txt").write_text(
        "--index-url https://index.invalid/simple\nflask==3.0.3\n"
    )
    (svc / "Dockerfile").write_text(
        "FROM python:3.11-slim\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n"
    )
    report = api.deps([tmp_path], api.DepsOptions(cache_dir=cache))
    (error,) = report.errors
    assert error.message.startswith("cannot reach the package index")
    assert error.path == svc / "requirements.txt"
