"""Recognisers for the security rules.

Secret names and values, URLs with credentials, secret files, package installs, chmod
modes and scripts piped into interpreters.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

from dockwright.model.dockerfile import Instruction
from dockwright.model.dockerignore import parse_patterns
from dockwright.model.shell import Command, split_commands

SHELLS = {"sh", "bash", "dash", "zsh", "ash", "ksh"}
INTERPRETERS = SHELLS | {"python", "python3", "perl", "ruby", "node", "php"}
_ASSIGN = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)=(.*)$", re.S)

# ---------------------------------------------------------------- secret names and values

_SECRET_WORDS = {
    "PASSWORD",
    "PASSWD",
    "PASS",
    "SECRET",
    "TOKEN",
    "APIKEY",
    "CREDENTIAL",
    "CREDENTIALS",
    "PRIVATEKEY",
}
_KEY_QUALIFIERS = {
    "API",
    "ACCESS",
    "SECRET",
    "PRIVATE",
    "ENCRYPTION",
    "SIGNING",
    "MASTER",
    "LICENSE",
    "JWT",
    "SESSION",
    "SSH",
    "AUTH",
    "CLIENT",
}
_NOT_SECRET = {
    "FILE",
    "PATH",
    "DIR",
    "URL",
    "URI",
    "ENDPOINT",
    "HOST",
    "PORT",
    "NAME",
    "USER",
    "USERNAME",
    "TYPE",
    "LENGTH",
    "LEN",
    "SIZE",
    "TTL",
    "EXPIRY",
    "EXPIRES",
    "EXPIRE",
    "SECONDS",
    "MINUTES",
    "HOURS",
    "DAYS",
    "LIFETIME",
    "THROUGH",
    "TIMEOUT",
    "ENABLED",
    "ENABLE",
    "DISABLE",
    "DISABLED",
    "REQUIRED",
    "PUBLIC",
    "HEADER",
    "PARALLELISM",
    "LIMIT",
    "MAX",
    "MIN",
    "COUNT",
    "PREFIX",
    "FORMAT",
    "ALGORITHM",
    "MODE",
    "KIND",
    "CACHE",
    "LOCATION",
    "ENV",
    "VAR",
    "FINGERPRINT",
    "ID",
}


def secret_name(name: str) -> bool:
    """True when a variable name says it holds a credential (HF_TOKEN, DB_PASSWORD...).

    Names that describe where a secret lives or how it behaves (PASSWORD_FILE, HF_TOKEN_PATH,
    TOKENIZERS_PARALLELISM, GPG_KEY) are not secrets. AWS_ACCESS_KEY_ID is.
    """
    parts = name.upper().split("_")
    if "ACCESS" in parts and parts[-2:] == ["KEY", "ID"]:
        return True
    if any(p in _NOT_SECRET for p in parts):
        return False
    if any(p in _SECRET_WORDS for p in parts):
        return True
    return any(
        p == "KEY" and i > 0 and parts[i - 1] in _KEY_QUALIFIERS for i, p in enumerate(parts)
    )


def is_setting(value: str) -> bool:
    """True for values that configure rather than authenticate (`true`, `0`, `30`)."""
    return value.strip().lower() in {"true", "false", "yes", "no", "on", "off"} or value.isdigit()


_CREDENTIALS = (
    ("an OpenAI/Anthropic-style API key", re.compile(r"(?<![A-Za-z0-9])sk-[A-Za-z0-9_-]{20,}")),
    ("an AWS access key id", re.compile(r"(?<![A-Z0-9])(?:AKIA|ASIA)[0-9A-Z]{16}(?![A-Z0-9])")),
    ("a Hugging Face token", re.compile(r"(?<![A-Za-z0-9])hf_[A-Za-z0-9]{30,}")),
    (
        "a GitHub token",
        re.compile(r"(?<![A-Za-z0-9])(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_\w{22,})"),
    ),
    ("a GitLab token", re.compile(r"(?<![A-Za-z0-9])glpat-[A-Za-z0-9_-]{20,}")),
    ("a Slack token", re.compile(r"(?<![A-Za-z0-9])xox[abprs]-[A-Za-z0-9-]{10,}")),
    ("a Stripe live key", re.compile(r"(?<![A-Za-z0-9])[sr]k_live_[A-Za-z0-9]{20,}")),
    ("a Google API key", re.compile(r"(?<![A-Za-z0-9])AIza[0-9A-Za-z_-]{35}")),
    ("a PyPI token", re.compile(r"(?<![A-Za-z0-9])pypi-[A-Za-z0-9_-]{50,}")),
    ("a private key", re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----")),
)


def credential_kind(text: str) -> str | None:
    """What kind of credential `text` contains ('an AWS access key id'), or None.

    URLs are left to the URL rules; an `sk-` key must contain a digit, so package names
    such as `sk-video` are not taken for keys.
    """
    if "://" in text:
        return None
    for kind, pattern in _CREDENTIALS:
        match = pattern.search(text)
        if match and (
            not match.group().startswith("sk-") or any(c.isdigit() for c in match.group())
        ):
            return kind
    return None


def url_has_credentials(url: str, *, allow_variables: bool) -> bool:
    """True when a URL carries a password or token in its user-info part.

    With `allow_variables`, `https://user:${TOKEN}@host` is fine (expanded at run time).
    """
    try:
        parts = urlsplit(url.strip("\"'"))
    except ValueError:
        return False
    if not parts.scheme or "@" not in parts.netloc:
        return False
    user, password = parts.username or "", parts.password or ""
    secret = password or (user if credential_kind(user) or len(user) >= 24 else "")
    if not secret:
        return False
    return not (allow_variables and "$" in secret)


def redact_url(url: str) -> str:
    """The URL with its user-info replaced by `***`."""
    head, sep, tail = url.partition("://")
    if not sep or "@" not in tail.split("/", 1)[0]:
        return url
    return f"{head}://***@{tail.split('@', 1)[1]}"


# ---------------------------------------------------------------- RUN commands


def commands(ins: Instruction) -> list[Command]:
    """Simple commands of a RUN, pipeline members included, exec-form `sh -c` scripts split."""
    if ins.cmd != "RUN":
        return []
    found = list(ins.commands)
    words = list(ins.value)
    if ins.exec_form and len(words) >= 3 and _prog(words[0]) in SHELLS and words[1] == "-c":
        found = split_commands(words[2])
    out: list[Command] = []
    for cmd in found:
        out.extend(Command(words) for words in cmd.piped_from)
        out.append(cmd)
    return out


def _prog(word: str) -> str:
    return word.rsplit("/", 1)[-1]


def program(cmd: Command) -> str:
    """Program name of a command, skipping assignments and env/exec/time (but not sudo)."""
    for word in cmd.words:
        if _ASSIGN.match(word) or word in {"env", "exec", "time", "nohup"}:
            continue
        return _prog(word)
    return ""


def assignments(ins: Instruction) -> Iterator[tuple[str, str, bool]]:
    """(name, value, explicit) set by ENV, ARG or a RUN (`VAR=x cmd`, `export VAR=x`).

    `explicit` is False for an ARG without `=` (its value comes from --build-arg).
    """
    if ins.cmd in {"ENV", "ARG"}:
        for (name, value), raw in zip(ins.pairs(), _raw_pairs(ins), strict=False):
            yield name, value, ins.cmd == "ENV" or "=" in raw
        return
    for cmd in commands(ins):
        for index, word in enumerate(cmd.words):
            match = _ASSIGN.match(word)
            if match and (
                index == 0
                or cmd.words[0] in {"export", "env"}
                or _ASSIGN.match(cmd.words[index - 1])
            ):
                yield match.group(1), match.group(2), True


def _raw_pairs(ins: Instruction) -> list[str]:
    return list(ins.value) if ins.cmd == "ARG" else ["="] * len(ins.pairs())


def option_values(words: Iterable[str], *names: str) -> Iterator[str]:
    """Values of `--name value` / `--name=value` options in a word list."""
    items = list(words)
    for index, word in enumerate(items):
        key, eq, val = word.partition("=")
        if key in names and eq:
            yield val
        elif word in names and index + 1 < len(items):
            yield items[index + 1]


def short_flag(words: Iterable[str], letter: str) -> bool:
    """True when a short option cluster (`-fsSLk`) contains `letter`."""
    return any(
        w.startswith("-") and not w.startswith("--") and w[1:].isalpha() and letter in w[1:]
        for w in words
    )


def reads_script_from_stdin(cmd: Command) -> bool:
    """True when an interpreter runs what is piped into it (`sh`, `bash -s --`, `python3 -`)."""
    words = list(cmd.words)
    start = next(
        (
            i
            for i, w in enumerate(words)
            if _prog(w) in INTERPRETERS or _prog(w).startswith("python3")
        ),
        None,
    )
    if start is None:
        return False
    for word in words[start + 1 :]:
        if word in {"-c", "-e", "-m"}:
            return False
        if word in {"-", "-s", "--"}:
            return True
        if not word.startswith("-"):
            return False
    return True


def fetches(cmd: Command) -> bool:
    """True for curl/wget (the download side of `curl ... | sh`)."""
    return program(cmd) in {"curl", "wget", "fetch"}


def installed_packages(cmd: Command) -> list[str]:
    """Packages named by apt-get/apt/apk/yum/dnf/microdnf install (options skipped)."""
    words = list(cmd.args_after_wrappers())
    if not words or _prog(words[0]) not in {"apt-get", "apt", "apk", "yum", "dnf", "microdnf"}:
        return []
    verb = next((w for w in ("install", "add") if w in words), None)
    if verb is None:
        return []
    return [w.split("=", 1)[0] for w in words[words.index(verb) + 1 :] if not w.startswith("-")]


# ---------------------------------------------------------------- chmod modes


@dataclass(frozen=True)
class ChmodMode:
    """What a chmod mode grants."""

    setuid: bool
    setgid: bool
    world_writable: bool


def chmod_mode(mode: str) -> ChmodMode | None:
    """Parse a numeric (4755) or symbolic (u+s, o+w) chmod mode; None when it is not a mode."""
    if re.fullmatch(r"[0-7]{3,4}", mode):
        special = int(mode[-4]) if len(mode) == 4 else 0
        other = int(mode[-1])
        sticky = bool(special & 1)
        return ChmodMode(bool(special & 4), bool(special & 2), bool(other & 2) and not sticky)
    clauses = mode.split(",")
    if not all(re.fullmatch(r"[ugoa]*[-+=][rwxXst]*", c) for c in clauses):
        return None
    setuid = setgid = writable = False
    for clause in clauses:
        who, op, perms = re.split(r"([-+=])", clause, maxsplit=1)
        if op == "-":
            continue
        everyone = who or "a"
        setuid |= "s" in perms and ("u" in everyone or "a" in everyone)
        setgid |= "s" in perms and ("g" in everyone or "a" in everyone)
        writable |= "w" in perms and ("o" in who or "a" in who) and "t" not in perms
    return ChmodMode(setuid, setgid, writable)


def chmod_calls(cmd: Command) -> tuple[ChmodMode, list[str]] | None:
    """(mode, targets) of a `chmod` or `install -m` command."""
    words = list(cmd.args_after_wrappers())
    if not words:
        return None
    if _prog(words[0]) == "install":
        mode = next(option_values(words, "-m", "--mode"), "")
        parsed = chmod_mode(mode)
        return (parsed, [w for w in words[1:] if not w.startswith("-")][-1:]) if parsed else None
    if _prog(words[0]) != "chmod":
        return None
    args = [w for w in words[1:] if not w.startswith("-") or chmod_mode(w)]
    if len(args) < 2:
        return None
    parsed = chmod_mode(args[0])
    return (parsed, args[1:]) if parsed else None


# ---------------------------------------------------------------- files in the build context

_SECRET_FILE_GLOBS = (
    ".env",
    ".env.*",
    "*.key",
    "id_rsa*",
    "id_dsa*",
    "id_ecdsa*",
    "id_ed25519*",
    ".npmrc",
    ".pypirc",
    ".netrc",
    "_netrc",
    "credentials.json",
    "service-account*.json",
    ".git-credentials",
    "*.p12",
    "*.pfx",
    "*.jks",
)
_HARMLESS = re.compile(
    r"\.(example|sample|template|dist|defaults?|tmpl|pub)$|\.env\.(example|sample|template)"
)
_VENDORED = {".venv", "venv", "node_modules", "site-packages", ".git", ".tox", "dist-packages"}


def secret_file(rel: str, path: Path | None = None) -> bool:
    """True when a context-relative path names a credential file.

    `.pem` files count only when they hold a private key (certificates are public).
    """
    parts = rel.split("/")
    name = parts[-1]
    if _VENDORED & set(parts[:-1]) or _HARMLESS.search(name):
        return False
    if rel.endswith((".aws/credentials", ".docker/config.json")):
        return True
    if name.endswith(".pem"):
        return path is not None and _holds_private_key(path)
    return any(_glob(g).match(name) for g in _SECRET_FILE_GLOBS)


@cache
def _glob(pattern: str) -> re.Pattern[str]:
    """Docker's glob semantics (as in .dockerignore), compiled once per pattern."""
    return parse_patterns(pattern)[0].regex


def _holds_private_key(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return b"PRIVATE KEY-----" in handle.read(65536)
    except OSError:
        return False


def normalized_source(src: str) -> str | None:
    """A COPY/ADD source relative to the context ('' = everything); None for URLs/variables."""
    if "://" in src or src.startswith("git@") or "$" in src:
        return None
    cleaned = posixpath.normpath(src.lstrip("/"))
    return "" if cleaned in {".", "*", "./*"} else cleaned


def source_reaches(source: str, rel: str) -> bool:
    """True when a normalized COPY source copies the context file `rel` (dirs and globs too)."""
    if source == "":
        return True
    regex = _glob(source)
    parts = rel.split("/")
    return any(regex.match("/".join(parts[: n + 1])) for n in range(len(parts)))
