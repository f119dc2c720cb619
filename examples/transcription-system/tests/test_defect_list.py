"""The README's defect table must stay true: each row's evidence is on the line it names."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

STACK = Path(__file__).resolve().parents[1]
ROW = re.compile(r"^\| (TS\d+) \| ([^|]+):(\d+) \| (.+) \| `(.+)` \|$")


def rows() -> list[tuple[str, str, int, str, str]]:
    text = (STACK / "README.md").read_text()
    table = text.split("## Defects (before state)", 1)[1]
    found = [ROW.match(line) for line in table.splitlines() if line.startswith("| TS")]
    assert all(found), (
        "a defect row does not have the form | id | file:line | defect | `evidence` |"
    )
    return [(m[1], m[2].strip(), int(m[3]), m[4], m[5]) for m in found if m]


def test_table_shape() -> None:
    ids = [row[0] for row in rows()]
    assert len(ids) == len(set(ids))
    assert 15 <= len(ids) <= 30


@pytest.mark.parametrize("row", rows(), ids=lambda row: row[0])
def test_evidence_is_on_the_named_line(row: tuple[str, str, int, str, str]) -> None:
    _, name, line, _, evidence = row
    lines = (STACK / name).read_text().splitlines()
    assert 1 <= line <= len(lines), f"{name} has {len(lines)} lines"
    assert evidence in lines[line - 1], f"{name}:{line} is {lines[line - 1]!r}"


def dockerfile(service: str) -> str:
    return (STACK / "services" / service / "Dockerfile").read_text()


def test_no_dockerignore_anywhere() -> None:
    assert not list(STACK.rglob(".dockerignore"))


def test_curl_healthchecks_have_no_curl() -> None:
    for service in ("ingestion-api", "job-status-api"):
        text = dockerfile(service)
        assert "HEALTHCHECK" in text and "curl" in text
        assert not re.search(r"apt-get install[^\n]*\bcurl\b", text)


def test_prod_overlay_targets_missing_stages() -> None:
    prod = yaml.safe_load((STACK / "docker-compose.prod.yml").read_text())["services"]
    base = yaml.safe_load((STACK / "docker-compose.yml").read_text())["services"]
    missing = []
    for name, service in prod.items():
        target = (service.get("build") or {}).get("target")
        path = (
            STACK / base[name]["build"]["context"] / base[name]["build"]["dockerfile"]
            if target
            else None
        )
        if path and not re.search(
            rf"^FROM .+ AS {target}$", path.read_text(), re.MULTILINE | re.IGNORECASE
        ):
            missing.append(name)
    assert missing == ["transcription-worker", "llm-worker"]


def test_job_status_api_context_lacks_shared_but_code_imports_it() -> None:
    base = yaml.safe_load((STACK / "docker-compose.yml").read_text())["services"]
    context = STACK / base["job-status-api"]["build"]
    assert not (context / "shared").exists()
    assert "from shared." in (context / "job_status_api" / "main.py").read_text()


def test_llm_worker_pins_conflict() -> None:
    pins = (STACK / "services/llm-worker/requirements.txt").read_text().split()
    assert {"pydantic==2.5.0", "mistralai==0.0.12"} <= set(pins)


def test_transcription_worker_gets_torch_from_pypi() -> None:
    reqs = (STACK / "services/transcription-worker/requirements.txt").read_text()
    assert re.search(r"^torch==", reqs, re.MULTILINE) and "openai-whisper" in reqs
    assert "download.pytorch.org" not in reqs + dockerfile("transcription-worker")
