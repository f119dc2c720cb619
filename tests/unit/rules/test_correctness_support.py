"""The helpers behind the correctness, context and compose rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from dockwright.model.dockerfile import parse_text
from dockwright.model.project import discover
from dockwright.model.shell import split_commands
from dockwright.rules import compose, context, imagefacts, pysource
from dockwright.rules.base import RuleContext
from dockwright.rules.context import LargeContext


def _stage(image: str) -> imagefacts.Stage:
    return parse_text(f"FROM {image}\n", Path("Dockerfile")).stages[0]


@pytest.mark.parametrize(
    ("image", "curl", "wget"),
    [
        ("python:3.11-slim", False, False),
        ("python:3.11", True, True),
        ("python:3.12-alpine", False, True),
        ("alpine:3.20", False, True),
        ("gcr.io/distroless/python3-debian12", False, False),
    ],
)
def test_base_facts_programs(image: str, curl: bool, wget: bool) -> None:
    facts = imagefacts.base_facts(_stage(image))
    assert facts is not None
    assert ("curl" in facts.programs, "wget" in facts.programs) == (curl, wget)


def test_unknown_base_has_no_facts() -> None:
    assert imagefacts.base_facts(_stage("mycorp/python:3.11")) is None


def test_installed_programs_from_apt_and_apk() -> None:
    commands = split_commands("apt-get install -y --no-install-recommends curl=7.88 netcat-openbsd")
    commands += split_commands("apk add --no-cache jq")
    assert imagefacts.installed_programs(commands) == {"curl", "nc", "jq"}


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ("python app.py", [("file", "app.py")]),
        ("python -u -W ignore /srv/run.py --port 1", [("file", "/srv/run.py")]),
        ("python -m uvicorn --reload pkg.main:app", [("module", "pkg.main")]),
        (
            "gunicorn -b localhost:8000 -k uvicorn.workers.UvicornWorker svc.api:create()",
            [("module", "svc.api")],
        ),
        ("python -m celery -A tasks worker", []),
        ("uvicorn --app-dir src main:app", []),
        ("python -c 'import x'", []),
    ],
)
def test_start_targets(script: str, expected: list[tuple[str, str]]) -> None:
    found = pysource.start_targets(split_commands(script))
    assert [(t.kind, t.value) for t in found] == expected


@pytest.mark.parametrize(
    ("source", "rel", "covered"),
    [
        (".", "a/b.py", True),
        ("app/", "app/main.py", True),
        ("app", "application/main.py", False),
        ("*.py", "main.py", True),
        ("src/*.py", "src/pkg/x.py", False),
        ("/main.py", "main.py", True),
    ],
)
def test_covers(source: str, rel: str, covered: bool) -> None:
    assert pysource.covers(source, rel) is covered


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("OPENAI_API_KEY", True),
        ("POSTGRES_PASSWORD", True),
        ("GITHUB_TOKEN", True),
        ("SECRET_KEY", True),
        ("POSTGRES_PASSWORD_FILE", False),
        ("ACCESS_TOKEN_EXPIRE_MINUTES", False),
        ("TOKENIZER_NAME", False),
        ("KEYCLOAK_URL", False),
    ],
)
def test_secret_names(name: str, secret: bool) -> None:
    assert compose.is_secret_name(name) is secret


def test_human_sizes() -> None:
    assert context.human(512) == "512 B"
    assert context.human(3 * 1024 * 1024) == "3.0 MB"


def test_large_context_threshold_is_configurable(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM python:3.11-slim\nCOPY . .\n")
    (tmp_path / "blob.bin").write_bytes(b"x" * 2 * 1024 * 1024)
    project = discover([tmp_path])
    service = project.services[0]
    small = RuleContext(service, project, {"max-context-mb": 1})
    default = RuleContext(service, project, {})
    assert [f.location.line for f in LargeContext().check(small)] == [2]
    assert list(LargeContext().check(default)) == []
