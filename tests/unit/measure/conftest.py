from __future__ import annotations

from pathlib import Path

import pytest

NAIVE = """\
FROM python:3.11-slim
WORKDIR /app
COPY . .
RUN pip install -r requirements.txt
CMD ["python", "app/main.py"]
"""
SPLIT = """\
FROM python:3.11-slim
WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt
COPY app ./app
CMD ["python", "app/main.py"]
"""


def make_service(root: Path, name: str, dockerfile: str, requirements: str = "idna==3.7\n") -> Path:
    folder = root / name
    (folder / "app").mkdir(parents=True)
    (folder / "tools").mkdir()
    (folder / "app" / "main.py").write_text("print('hi')\n")
    (folder / "tools" / "gen.py").write_text("print('not copied by SPLIT')\n")
    (folder / "requirements.txt").write_text(requirements)
    (folder / "Dockerfile").write_text(dockerfile)
    return folder


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    make_service(root, "api", SPLIT)
    make_service(root, "worker", NAIVE)
    return root
