"""The compose files point at things that exist (paths resolve against the stack folder)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

STACK = Path(__file__).resolve().parents[1]


def service(name: str) -> dict[str, Any]:
    data = yaml.safe_load((STACK / name).read_text())
    return dict(data["services"]["llm-service"])


def test_base_file_builds_the_service() -> None:
    base = service("docker-compose.yml")
    context = STACK / base["build"]["context"]
    assert (context / base["build"]["dockerfile"]).is_file()
    assert all((STACK / f).is_file() for f in base["env_file"])
    assert "8000:8000" in base["ports"]


def test_dev_overlay_mounts_the_source_the_image_runs() -> None:
    mount = service("docker-compose.dev.yml")["volumes"][0]
    source, target, _mode = mount.split(":")
    assert (STACK / source / "llm_service" / "main.py").is_file()
    dockerfile = (STACK / "services/llm-service/Dockerfile").read_text()
    assert f"PYTHONPATH={target}" in dockerfile


def test_prod_overlay_mounts_models_read_only() -> None:
    prod = service("docker-compose.prod.yml")
    assert prod["read_only"] is True
    assert "./models:/models:ro" in prod["volumes"]
    base_env = service("docker-compose.yml")["environment"]
    assert "MODEL_PATH=/models/all-MiniLM-L6-v2" in base_env
