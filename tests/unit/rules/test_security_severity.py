"""Per-finding severities of the security rules (the YAML cases only check ids and lines)."""

from __future__ import annotations

from pathlib import Path

from dockwright.model.findings import Severity
from dockwright.model.project import discover
from dockwright.rules.base import Rule, RuleContext
from dockwright.rules.credentials import SecretFileInContext, SecretInEnvOrArg
from dockwright.rules.supplychain import TlsVerificationDisabled


def _severities(tmp_path: Path, rule: Rule, files: dict[str, str]) -> dict[int, Severity]:
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    project = discover([tmp_path])
    (service,) = project.services
    return {f.location.line: f.severity for f in rule.check(RuleContext(service, project))}


def test_secret_values_are_errors_names_warnings_builder_args_info(tmp_path: Path) -> None:
    dockerfile = (
        "FROM python:3.11-slim AS builder\n"
        "ARG GITHUB_TOKEN\n"
        "FROM python:3.11-slim\n"
        "ARG HF_TOKEN\n"
        "ENV OPENAI_API_KEY=sk-test-0000000000000000000000000000\n"
        "ENV DB_PASSWORD=test-only\n"
    )
    got = _severities(tmp_path, SecretInEnvOrArg(), {"Dockerfile": dockerfile})
    assert got == {2: Severity.INFO, 4: Severity.WARNING, 5: Severity.ERROR, 6: Severity.ERROR}


def test_secret_file_copied_in_builder_is_a_warning(tmp_path: Path) -> None:
    dockerfile = (
        "FROM python:3.11-slim AS builder\nCOPY . /src\n"
        "FROM python:3.11-slim\nCOPY .env /app/.env\n"
    )
    files = {"Dockerfile": dockerfile, ".env": "X=1\n"}
    got = _severities(tmp_path, SecretFileInContext(), files)
    assert got == {2: Severity.WARNING, 4: Severity.ERROR}


def test_tls_off_in_runtime_env_is_an_error(tmp_path: Path) -> None:
    dockerfile = (
        "FROM python:3.11-slim AS builder\nENV PYTHONHTTPSVERIFY=0\n"
        "FROM python:3.11-slim\nENV PYTHONHTTPSVERIFY=0\nRUN curl -k https://example.com\n"
    )
    got = _severities(tmp_path, TlsVerificationDisabled(), {"Dockerfile": dockerfile})
    assert got == {2: Severity.WARNING, 4: Severity.ERROR, 5: Severity.WARNING}


def test_root_message_names_an_inherited_workdir(tmp_path: Path) -> None:
    from dockwright.rules.security import RootFinalStage

    dockerfile = 'FROM python:3.11-slim AS base\nWORKDIR /srv\nFROM base\nCMD ["python"]\n'
    (tmp_path / "Dockerfile").write_text(dockerfile)
    project = discover([tmp_path])
    (finding,) = RootFinalStage().check(RuleContext(project.services[0], project))
    assert finding.location.line == 3
    assert "WORKDIR /srv" in finding.message
    assert finding.fix is not None
