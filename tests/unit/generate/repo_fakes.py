"""Stand-ins for the per-service generators, for repository-level tests and golden cases.

The fake Dockerfile has the three targets the real generator writes (build, development,
production) and depends only on the service's layout, so optimizing twice is stable.
"""

from __future__ import annotations

from pathlib import Path

from dockwright.generate.files import GeneratedFile, OptimizeOptions
from dockwright.generate.project import Generators
from dockwright.model.project import Project, Service

DOCKERFILE = """\
FROM python:3.11-slim AS build
WORKDIR /app
COPY {req} /app/requirements.txt
RUN --mount=type=cache,target=/root/.cache/pip pip install -r /app/requirements.txt

FROM build AS development
COPY {code} /app/{name}
CMD {dev_cmd}

FROM python:3.11-slim AS production
WORKDIR /app
COPY --from=build /usr/local /usr/local
COPY {code} /app/{name}
USER {uid}:{uid}
{health}CMD {cmd}
"""
HEALTH = 'HEALTHCHECK CMD ["python", "-c", "import urllib.request as u; u.urlopen(\'http://127.0.0.1:8000/health\')"]\n'
IGNORE = "**/__pycache__\n.git\n.env\n"


def _code_dir(service: Service) -> Path:
    folder = service.dockerfile_path.parent
    return next(p for p in sorted(folder.iterdir()) if p.is_dir() and not p.name.startswith("."))


def _commands(module: str, web: bool) -> tuple[str, str]:
    if web:
        cmd = f'["uvicorn", "{module}.main:app", "--host", "0.0.0.0", "--port", "8000"]'
        return cmd, cmd
    return f'["watchfiles", "python -m {module}", "/app"]', f'["python", "-m", "{module}"]'


def fake_dockerfile(service: Service, project: Project, options: OptimizeOptions) -> GeneratedFile:
    del project
    code = _code_dir(service)
    req = (service.dockerfile_path.parent / "requirements.txt").relative_to(service.context)
    req = req.as_posix()
    web = (code / "main.py").is_file()
    dev_cmd, cmd = _commands(code.name, web)
    text = DOCKERFILE.format(
        req=req,
        code=code.relative_to(service.context).as_posix() + "/",
        name=code.name,
        dev_cmd=dev_cmd,
        cmd=cmd,
        uid=options.uid,
        health=HEALTH if web else "",
    )
    return GeneratedFile(service.dockerfile_path, text, ("DW101", "DW402"), ("fake dockerfile",))


def fake_dockerignore(
    service: Service, project: Project, options: OptimizeOptions
) -> GeneratedFile:
    del project, options
    return GeneratedFile(service.context / ".dockerignore", IGNORE, ("DW501",))


def fake_generators() -> Generators:
    return Generators(fake_dockerfile, fake_dockerignore)


def make_repo(root: Path) -> Path:
    """A small repository: an API built from its folder, a worker built from the root."""
    files = {
        "docker-compose.yml": COMPOSE,
        "docker-compose.prod.yml": PROD_OVERLAY,
        "Makefile": MAKEFILE,
        "services/api/Dockerfile": (
            "FROM python:3.11-slim AS runtime\nWORKDIR /app\nCOPY . .\n"
            "RUN pip install -r requirements.txt\nCMD uvicorn api.main:app --host 0.0.0.0\n"
        ),
        "services/api/requirements.txt": "fastapi==0.110.0\nuvicorn==0.29.0\n",
        "services/api/api/__init__.py": "",
        "services/api/api/main.py": "app = None\n",
        "services/worker/Dockerfile": (
            "FROM python:3.11-slim\nWORKDIR /app\nCOPY . .\n"
            "RUN pip install -r services/worker/requirements.txt\nCMD python -m worker\n"
        ),
        "services/worker/requirements.txt": "redis==5.0.1\ntorch==2.1.1\n",
        "services/worker/worker/__init__.py": "",
        "services/worker/worker/__main__.py": "print('work')\n",
    }
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


COMPOSE = """\
services:
  redis:
    image: redis:7-alpine
  api:
    build: ./services/api
    image: example-api:1.0
    ports:
      - "8000:8000"
  worker:
    build:
      context: .
      dockerfile: services/worker/Dockerfile
"""
PROD_OVERLAY = """\
# Production overlay (kept by hand)
services:
  api:
    build:
      target: runtime   # the old stage name
    restart: always
  worker:
    build: {target: production}  # missing before the rewrite
    deploy:
      resources:
        limits: {cpus: "3", memory: 6g}
"""
MAKEFILE = """\
.PHONY: test
test:
\tpytest -q

bench:
\t./scripts/my-bench.sh
"""
