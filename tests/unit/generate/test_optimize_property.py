"""Property: optimizing is idempotent and its Dockerfiles always parse."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dockwright.generate.dockerfile import optimize_dockerfile
from dockwright.generate.files import OptimizeOptions
from dockwright.model.dockerfile import parse_text
from dockwright.model.project import discover

NAMES = st.sampled_from(["APP_MODE", "LOG_LEVEL", "FEATURE_X", "REGION"])
VALUES = st.text(alphabet="abcdefxyz0123456789-_.", min_size=1, max_size=8)
APT = st.lists(
    st.sampled_from(["gcc", "libpq-dev", "ffmpeg", "git", "curl", "libsndfile1", "libxml2-dev"]),
    unique=True,
    max_size=4,
)
PROGRAMS = st.sampled_from(
    [
        "uvicorn app:app --host 0.0.0.0 --port $PORT",
        "gunicorn -b 0.0.0.0:8000 app:app",
        "python -m app",
        "python app.py --verbose",
    ]
)


@st.composite
def dockerfiles(draw: st.DrawFn) -> str:
    lines = [f"FROM {draw(st.sampled_from(['python:3.11', 'python:3.11-slim', 'python:3.12']))}"]
    lines.append(f"WORKDIR {draw(st.sampled_from(['/app', '/srv', '/opt/svc']))}")
    if packages := draw(APT):
        lines.append(f"RUN apt-get update && apt-get install -y {' '.join(packages)}")
    if draw(st.booleans()):
        lines += ["COPY requirements.txt .", "RUN pip install -r requirements.txt", "COPY . ."]
    else:
        lines += ["COPY . .", "RUN pip install --no-cache-dir -r requirements.txt"]
    for name, value in draw(st.dictionaries(NAMES, VALUES, max_size=3)).items():
        lines.append(f"ENV {name}={value}")
    port = draw(st.integers(min_value=1024, max_value=9999))
    lines += [f"ENV PORT={port}", f"EXPOSE {port}"]
    if draw(st.booleans()):
        lines += ["RUN useradd --create-home appuser", "USER appuser"]
    if draw(st.booleans()):
        lines.append("RUN echo ready > /etc/motd")
    if draw(st.booleans()):
        lines.append(f"HEALTHCHECK CMD curl -f http://localhost:{port}/health || exit 1")
    program = draw(PROGRAMS)
    if draw(st.booleans()) and "$" not in program:
        lines.append("CMD [" + ", ".join(f'"{w}"' for w in program.split()) + "]")
    else:
        lines.append(f"CMD {program}")
    return "\n".join(lines) + "\n"


def optimize(folder: Path, text: str) -> str:
    (folder / "Dockerfile").write_text(text)
    project = discover([folder])
    return optimize_dockerfile(project.services[0], project, OptimizeOptions()).text


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(dockerfiles(), st.sampled_from(["torch==2.13.0\n", "flask==3.0.3\n"]))
def test_optimize_is_idempotent_and_parses(original: str, requirements: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "requirements.txt").write_text(requirements)
        (folder / "app.py").write_text("app = None\n")
        first = optimize(folder, original)
        parsed = parse_text(first, folder / "Dockerfile")
        names = [s.name for s in parsed.stages]
        torch = ["torch-pin", "torch"] if requirements.startswith("torch") else []
        assert names == [*torch, "build", "development", "production"]
        assert optimize(folder, first) == first
