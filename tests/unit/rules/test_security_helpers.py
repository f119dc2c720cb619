"""Recognisers behind the security rules (dockwright.rules._security)."""

from __future__ import annotations

import pytest

from dockwright.model.shell import Command, split_commands
from dockwright.rules import _security as sec


@pytest.mark.parametrize(
    "name",
    [
        "OPENAI_API_KEY",
        "HF_TOKEN",
        "HUGGINGFACE_HUB_TOKEN",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_ACCESS_KEY_ID",
        "DB_PASSWORD",
        "DJANGO_SECRET_KEY",
        "GITHUB_TOKEN",
        "SSH_PRIVATE_KEY",
        "apikey",
    ],
)
def test_secret_names(name: str) -> None:
    assert sec.secret_name(name)


@pytest.mark.parametrize(
    "name",
    [
        "TOKENIZERS_PARALLELISM",
        "OAUTH_TOKEN_URL",
        "PASSWORD_FILE",
        "HF_TOKEN_PATH",
        "GPG_KEY",
        "MAX_TOKENS",
        "PYTHON_VERSION",
        "PUBLIC_KEY",
        "KEY",
        "SECRET_KEY_FILE",
    ],
)
def test_not_secret_names(name: str) -> None:
    assert not sec.secret_name(name)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("sk-test-0000000000000000000000000000", "OpenAI"),
        ("AKIA0000FAKE0000TEST", "AWS"),
        ("hf_test000000000000000000000000000000", "Hugging Face"),
        ("ghp_000000000000000000000000000000000000", "GitHub"),
        ("-----BEGIN OPENSSH PRIVATE KEY-----", "private key"),
    ],
)
def test_credential_values(text: str, kind: str) -> None:
    assert kind in (sec.credential_kind(text) or "")


@pytest.mark.parametrize(
    "text",
    [
        "sk-video",
        "sk-learn-extensions-for-everyone",
        "hf_transfer",
        "AKIAshort",
        "https://ghp_000000000000000000000000000000000000@github.com/x",
    ],
)
def test_not_credential_values(text: str) -> None:
    assert sec.credential_kind(text) is None


@pytest.mark.parametrize(
    ("url", "allow", "expected"),
    [
        ("https://u:pw@host/simple", True, True),
        ("https://u:${TOKEN}@host/simple", True, False),
        ("https://u:${TOKEN}@host/simple", False, True),
        ("https://user@host/simple", True, False),
        ("https://0123456789abcdef0123456789@host/", True, True),
        ("https://host/simple", True, False),
        ("not a url", True, False),
    ],
)
def test_url_credentials(url: str, allow: bool, expected: bool) -> None:
    assert sec.url_has_credentials(url, allow_variables=allow) is expected


def test_redact_url() -> None:
    assert sec.redact_url("https://u:pw@host/x@y") == "https://***@host/x@y"
    assert sec.redact_url("https://host/x") == "https://host/x"


@pytest.mark.parametrize(
    ("mode", "setuid", "setgid", "writable"),
    [
        ("4755", True, False, False),
        ("2755", False, True, False),
        ("0777", False, False, True),
        ("1777", False, False, False),
        ("755", False, False, False),
        ("u+s", True, False, False),
        ("+s", True, True, False),
        ("o+w", False, False, True),
        ("a+rwx", False, False, True),
        ("+w", False, False, False),
        ("u-s", False, False, False),
    ],
)
def test_chmod_mode(mode: str, setuid: bool, setgid: bool, writable: bool) -> None:
    assert sec.chmod_mode(mode) == sec.ChmodMode(setuid, setgid, writable)


def test_chmod_mode_rejects_non_modes() -> None:
    assert sec.chmod_mode("-R") is None
    assert sec.chmod_mode("/app") is None


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ("sh", True),
        ("bash -s -- --version 1", True),
        ("python3 -", True),
        ("sudo bash", True),
        ("python3 -c 'import json'", False),
        ("sh /tmp/i.sh", False),
        ("tar xz", False),
    ],
)
def test_reads_script_from_stdin(script: str, expected: bool) -> None:
    (cmd,) = split_commands(script)
    assert sec.reads_script_from_stdin(cmd) is expected


@pytest.mark.parametrize(
    ("rel", "expected"),
    [
        (".env", True),
        ("config/.env.prod", True),
        (".env.example", False),
        ("keys/id_rsa", True),
        ("keys/id_rsa.pub", False),
        (".aws/credentials", True),
        ("service-account-prod.json", True),
        ("server.pem", False),
        (".venv/lib/x/.env", False),
        ("notes.txt", False),
    ],
)
def test_secret_file_names(rel: str, expected: bool) -> None:
    assert sec.secret_file(rel) is expected


def test_pem_counts_only_with_a_private_key(tmp_path: object) -> None:
    from pathlib import Path

    root = Path(str(tmp_path))
    (root / "key.pem").write_text("-----BEGIN PRIVATE KEY-----\nFAKE\n-----END PRIVATE KEY-----\n")
    (root / "ca.pem").write_text("-----BEGIN CERTIFICATE-----\nFAKE\n-----END CERTIFICATE-----\n")
    assert sec.secret_file("key.pem", root / "key.pem")
    assert not sec.secret_file("ca.pem", root / "ca.pem")


@pytest.mark.parametrize(
    ("source", "rel", "expected"),
    [
        ("", ".env", True),
        ("config", "config/tls/a.key", True),
        ("config/", "configs/a.key", False),
        (".npm*", ".npmrc", True),
        ("*.py", "src/.env", False),
        ("src", "src/.env", True),
    ],
)
def test_source_reaches(source: str, rel: str, expected: bool) -> None:
    normalized = sec.normalized_source(source) if source else ""
    assert normalized is not None
    assert sec.source_reaches(normalized, rel) is expected


def test_normalized_source_skips_urls_and_variables() -> None:
    assert sec.normalized_source("https://example.com/a") is None
    assert sec.normalized_source("$SRC") is None
    assert sec.normalized_source("./") == ""
    assert sec.normalized_source("./app/") == "app"


def test_installed_packages() -> None:
    (cmd,) = split_commands("apt-get install -y --no-install-recommends curl sudo=1.9")
    assert sec.installed_packages(cmd) == ["curl", "sudo"]
    (apk,) = split_commands("apk add --no-cache openssh")
    assert sec.installed_packages(apk) == ["openssh"]
    assert sec.installed_packages(Command(("pip", "install", "sudo"))) == []


def test_option_values_and_short_flags() -> None:
    words = ["pip", "install", "--index-url", "https://a", "--extra-index-url=https://b"]
    assert list(sec.option_values(words, "--index-url", "--extra-index-url")) == [
        "https://a",
        "https://b",
    ]
    assert sec.short_flag(["curl", "-fsSLk"], "k")
    assert not sec.short_flag(["curl", "--insecure-ish", "-fsSL"], "k")
