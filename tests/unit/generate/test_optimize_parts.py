"""Unit tests of the per-service generator parts (apt split, commands, context, ignore)."""

from __future__ import annotations

import json
from pathlib import Path

from dockwright.generate.dockerfile import optimize_dockerfile
from dockwright.generate.dockerignore import generate_dockerignore, gitignore_pattern
from dockwright.generate.files import OptimizeOptions
from dockwright.generate.svc_apt import split_packages
from dockwright.generate.svc_commands import exec_form
from dockwright.generate.svc_context import context_plan, named_contexts
from dockwright.generate.svc_plan import slim_base
from dockwright.model.dockerfile import parse_text
from dockwright.model.dockerignore import DockerIgnore, parse_patterns
from dockwright.model.project import discover


def make(tmp_path: Path, dockerfile: str, files: dict[str, str] | None = None) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "Dockerfile").write_text(dockerfile)
    for name, text in (files or {}).items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path


def optimized(repo: Path, options: OptimizeOptions | None = None) -> str:
    project = discover([repo])
    return optimize_dockerfile(project.services[0], project, options or OptimizeOptions()).text


def stage_text(text: str, name: str) -> str:
    df = parse_text(text, Path("Dockerfile"))
    stage = df.stage(name)
    assert stage is not None
    return "\n".join(i.original for i in stage.instructions)


def test_apt_packages_split_into_build_and_runtime() -> None:
    plan = split_packages(["gcc", "libpq-dev", "ffmpeg", "git", "libsndfile1-dev", "libxyz-dev"])
    assert plan.build == ("gcc", "libpq-dev", "git", "libsndfile1-dev", "libxyz-dev")
    assert plan.runtime == ("libpq5", "ffmpeg", "libsndfile1")
    assert any("libxyz-dev" in n for n in plan.notes)


def test_exec_form_splits_plain_commands_and_keeps_the_shell_for_variables() -> None:
    assert exec_form("CMD", "python -m app --x 1") == 'CMD ["python", "-m", "app", "--x", "1"]'
    text = exec_form("CMD", "uvicorn a:b --port $PORT")
    assert json.loads(text[4:]) == ["sh", "-c", "exec uvicorn a:b --port $PORT"]
    chained = json.loads(exec_form("CMD", "python migrate.py && gunicorn app")[4:])
    assert chained[2] == "python migrate.py && exec gunicorn app"


def test_slim_base() -> None:
    assert slim_base("python:3.11") == "python:3.11-slim"
    assert slim_base("python:3.12-bookworm") == "python:3.12-slim-bookworm"
    assert slim_base("python:3.11-slim") == "python:3.11-slim"
    assert slim_base("nvidia/cuda:12.1.0-runtime-ubuntu22.04") == (
        "nvidia/cuda:12.1.0-runtime-ubuntu22.04"
    )


def test_gitignore_patterns_become_dockerignore_patterns() -> None:
    assert gitignore_pattern("*.log", "") == "**/*.log"
    assert gitignore_pattern("/build/", "") == "build"
    assert gitignore_pattern("out/tmp", "sub") == "sub/out/tmp"
    assert gitignore_pattern("!keep.log", "") == "!**/keep.log"
    assert gitignore_pattern("# comment", "") is None


def test_production_is_non_root_with_exec_cmd_and_python_healthcheck(tmp_path: Path) -> None:
    repo = make(
        tmp_path,
        "FROM python:3.11\nCOPY . .\nRUN pip install -r requirements.txt\n"
        "ENV PORT=8000\nHEALTHCHECK CMD curl -f http://localhost:8000/health || exit 1\n"
        "CMD uvicorn app:app --port $PORT\n",
        {"requirements.txt": "fastapi==0.111.0\n", "app.py": "x = 1\n"},
    )
    text = optimized(repo)
    production = stage_text(text, "production")
    assert "USER 10001:10001" in production
    assert "curl" not in production and "urllib.request" in production
    assert 'CMD ["sh", "-c", "exec uvicorn app:app --port $PORT"]' in production
    assert "PYTHONDONTWRITEBYTECODE=1" in production
    assert "--reload" in stage_text(text, "development")


def test_unknown_instructions_are_kept_and_reported(tmp_path: Path) -> None:
    repo = make(
        tmp_path,
        "FROM python:3.11-slim\nRUN pip install flask==3.0.3\nRUN ./bootstrap.sh --fast\n"
        'CMD ["flask", "run"]\n',
    )
    project = discover([repo])
    file = optimize_dockerfile(project.services[0], project, OptimizeOptions())
    assert "RUN ./bootstrap.sh --fast" in stage_text(file.text, "production")
    assert "# dockwright: kept as written" in file.text
    assert any("line 3" in n for n in file.notes)
    assert "flask==3.0.3" in stage_text(file.text, "build")
    assert '"flask", "--debug", "run"' in stage_text(file.text, "development")


def test_cpu_torch_from_a_wheelhouse(tmp_path: Path) -> None:
    repo = make(
        tmp_path,
        "FROM python:3.11-slim\nCOPY . .\nRUN pip install -r requirements.txt\n",
        {"requirements.txt": "torch==2.13.0\n", "app.py": "import torch\n"},
    )
    text = optimized(repo, OptimizeOptions(wheelhouse="wheels"))
    assert "--mount=type=bind,source=wheels,target=/tmp/wheelhouse" in text
    assert "--find-links /tmp/wheelhouse" in text
    assert "download.pytorch.org" not in text


def test_cuda_torch_kept_when_the_code_uses_cuda(tmp_path: Path) -> None:
    repo = make(
        tmp_path,
        "FROM python:3.11-slim\nCOPY . .\nRUN pip install -r requirements.txt\n",
        {
            "requirements.txt": "torch==2.13.0\n",
            "app.py": "import torch\ntorch.cuda.is_available()\n",
        },
    )
    assert "whl/cpu" not in optimized(repo)
    assert "whl/cpu" in optimized(repo, OptimizeOptions(torch="cpu"))


def test_monorepo_context_widened_with_per_dockerfile_ignore(tmp_path: Path) -> None:
    make(tmp_path, "FROM python:3.11-slim\n", {"shared/util.py": "X = 1\n", "shared/README": ""})
    (tmp_path / "Dockerfile").unlink()
    api = tmp_path / "svc" / "api"
    make(
        api,
        'FROM python:3.11-slim\nWORKDIR /app\nCOPY . .\nCMD ["python", "main.py"]\n',
        {"main.py": "from shared.util import X\n"},
    )
    (tmp_path / "docker-compose.yml").write_text("services:\n  api:\n    build: ./svc/api\n")
    project = discover([tmp_path])
    service = project.services[0]
    plan = context_plan(service, project)
    assert plan.context == tmp_path and plan.prefix == "svc/api"
    assert plan.ignore_file == api / "Dockerfile.dockerignore"
    assert named_contexts(plan) == {"shared": tmp_path / "shared"}
    text = optimize_dockerfile(service, project, OptimizeOptions()).text
    assert "COPY svc/api ." in text and "COPY shared/ /app/shared/" in text


def test_dockerignore_keeps_what_copy_needs_and_drops_secrets(tmp_path: Path) -> None:
    repo = make(
        tmp_path,
        "FROM python:3.11-slim\nCOPY docs/config.md /app/\nCOPY . /app\n"
        'RUN pip install -r requirements.txt\nCMD ["python", "/app/main.py"]\n',
        {
            "requirements.txt": "x==1\n",
            "main.py": "",
            "docs/config.md": "",
            ".env": "KEY=1\n",
            ".gitignore": "*.log\n",
            "pkg/__init__.py": "",
            "pkg/data/words.txt": "",
            "data/big.csv": "",
        },
    )
    project = discover([repo])
    file = generate_dockerignore(project.services[0], project, OptimizeOptions())
    ignore = DockerIgnore(file.path, parse_patterns(file.text))
    assert file.path == repo / ".dockerignore"
    assert not ignore.excluded("docs/config.md")
    assert not ignore.excluded("requirements.txt")
    assert not ignore.excluded("pkg/data/words.txt")
    assert ignore.excluded(".env") and ignore.excluded("data/big.csv")
    assert ignore.excluded("server.log") and ignore.excluded(".git")
    assert any("docs/config.md" in n for n in file.notes)
