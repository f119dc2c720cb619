"""Tables and recognisers behind the size rules (build tools, dev tools, junk, model downloads).

Sizes are typical installed sizes on Debian bookworm (apt) or of the named model files;
they are estimates and the findings say so.
"""

from __future__ import annotations

import posixpath
import re
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from packaging.utils import canonicalize_name

from dockwright.model.dockerfile import Instruction, Stage
from dockwright.model.project import Service
from dockwright.model.shell import Command, split_commands
from dockwright.rules import _caches, _installs
from dockwright.rules.base import RuleContext

MB = 1000 * 1000  # decimal units, as `docker images` reports sizes
GB = 1000 * MB

# Installed size in MB, dependencies included (Debian bookworm, amd64; apk/rpm names alike).
BUILD_TOOL_MB: dict[str, int] = {
    "build-essential": 250,
    "build-base": 220,
    "gcc": 150,
    "g++": 190,
    "gcc-c++": 190,
    "clang": 350,
    "gfortran": 120,
    "make": 2,
    "cmake": 35,
    "ninja-build": 1,
    "autoconf": 3,
    "automake": 2,
    "libtool": 2,
    "pkg-config": 1,
    "pkgconf": 1,
    "swig": 7,
    "rustc": 350,
    "cargo": 380,
    "python3-dev": 50,
    "musl-dev": 10,
    "linux-headers": 8,
    "git": 45,
}
DEV_PACKAGE_MB = 5  # a typical `lib*-dev` headers package
_BUNDLES = {
    "build-essential": {"gcc", "g++", "make", "libc6-dev", "dpkg-dev"},
    "build-base": {"gcc", "g++", "make", "musl-dev", "libc-dev", "binutils"},
    "g++": {"gcc"},
    "gcc-c++": {"gcc"},
    "cargo": {"rustc"},
}
_VERSIONED = re.compile(r"(gcc|g\+\+|clang|cpp|gfortran)-\d+|python3(\.\d+)?-dev")

DEV_TOOLS = frozenset(
    canonicalize_name(n)
    for n in (
        "pytest black ruff mypy flake8 pylint isort ipython ipdb jupyter jupyterlab notebook "
        "pre-commit tox nox coverage hypothesis bandit pdbpp sphinx mkdocs mkdocs-material "
        "pytest-cov pytest-asyncio pytest-mock pytest-xdist freezegun factory-boy autopep8 yapf "
        "pyright pydocstyle pycodestyle pyflakes debugpy line-profiler memory-profiler"
    ).split()
)
_DEV_FILE = re.compile(
    r"(^|[-_./])(dev|devel|develop|development|tests?|testing|lint|ci|docs?)([-_.]|$)", re.I
)

JUNK_DIRS = {
    "__pycache__": "__pycache__",
    ".git": ".git",
    "tests": "tests/",
    "test": "tests/",
    ".pytest_cache": ".pytest_cache",
    ".mypy_cache": ".mypy_cache",
    ".ruff_cache": ".ruff_cache",
    ".tox": ".tox",
    ".venv": "virtualenvs",
    ".nox": ".nox",
    ".ipynb_checkpoints": ".ipynb_checkpoints",
    "htmlcov": "htmlcov",
}

_WEIGHT_URL = re.compile(r"\.(bin|pt|pth|safetensors|onnx|gguf|ggml|ckpt|h5|tflite)$", re.I)
_MODEL_CALL = re.compile(
    r"SentenceTransformer\(|CrossEncoder\(|from_pretrained\(|whisper\.load_model\(|WhisperModel\("
    r"|snapshot_download\(|hf_hub_download\(|torch\.hub\.load|TextEmbedding\("
    r"|save_pretrained\(|\b(?:export|download)_models?\("
    r"|huggingface-cli\s+download|\bhf\s+download|ollama\s+pull|download[_-]?models?\.py"
)
MODEL_MB = {
    "tiny": 75,
    "base": 145,
    "small": 484,
    "medium": 1500,
    "large": 2900,
    "turbo": 1600,
    "all-MiniLM-L6-v2": 90,
    "all-mpnet-base-v2": 420,
    "bge-small": 130,
    "bge-base": 440,
}

_FULL_ONLY_PROGRAMS = frozenset("curl wget git gcc g++ cc make ssh scp ps unzip hg svn".split())


def human(size: int | None) -> str:
    """`1.2 GB` / `40 MB` / `512 B`."""
    if size is None:
        return "unknown size"
    if size >= GB:
        return f"{size / GB:.1f} GB"
    return f"{size / MB:.0f} MB" if size >= MB else f"{size} B"


def _is_build_tool(pkg: str, git_needed: bool) -> bool:
    if pkg == "git":
        return git_needed
    return (
        pkg in BUILD_TOOL_MB or bool(_VERSIONED.fullmatch(pkg)) or pkg.endswith(("-dev", "-devel"))
    )


def build_tools(ins: Instruction, git_needed: bool) -> list[str]:
    """Build packages a RUN installs and does not remove again in the same RUN."""
    removed = _installs.removed_packages(ins)
    if "*" in removed or ins.cmd != "RUN":
        return []
    found: list[str] = []
    for cmd in ins.commands:
        manager, packages = _installs.system_packages(cmd)
        virtual = _installs.apk_virtuals(cmd)
        if not manager or (virtual and virtual in removed):
            continue
        found += [
            p
            for p in packages
            if _is_build_tool(p, git_needed) and p not in removed and p not in found
        ]
    return found


def build_tools_bytes(tools: Iterable[str]) -> int:
    """Estimated installed size of build packages (bundles not double counted)."""
    names = set(tools)
    for bundle, parts in _BUNDLES.items():
        if bundle in names:
            names -= parts
    total = 0
    for name in names:
        key = "python3-dev" if name.startswith("python3") else re.sub(r"-\d+$", "", name)
        total += BUILD_TOOL_MB.get(key, DEV_PACKAGE_MB)
    return total * MB


def _commands(ins: Instruction) -> list[Command]:
    if ins.cmd == "RUN":
        return ins.commands
    words = ins.value[1:] if ins.cmd == "HEALTHCHECK" else ins.value
    return [Command(tuple(words))] if ins.exec_form else split_commands(" ".join(words))


def full_only_tools_used(stages: Iterable[Stage]) -> list[str]:
    """Programs used by the stages that the full python image has and `-slim` lacks."""
    stages = list(stages)
    installed = {
        p
        for s in stages
        for ins in s.of("RUN")
        for c in ins.commands
        for p in _installs.system_packages(c)[1]
    }
    used = {
        c.program
        for s in stages
        for ins in s.of("RUN", "CMD", "ENTRYPOINT", "HEALTHCHECK")
        for c in _commands(ins)
    }
    return sorted((used & _FULL_ONLY_PROGRAMS) - installed)


def slim_tag(tag: str) -> str | None:
    """The `-slim` twin of a full python tag (`3.11` -> `3.11-slim`); None when not a full tag."""
    if tag in {"", "latest"}:
        return "slim"
    match = re.fullmatch(
        r"(\d+(?:\.\d+)*(?:(?:a|b|rc)\d+)?)?-?(bookworm|bullseye|buster|trixie)?", tag
    )
    if not match or not any(match.groups()):
        return None
    return "-".join(p for p in (match.group(1), "slim", match.group(2)) if p)


def dev_requirement_file(name: str) -> bool:
    """True for requirements-dev.txt, requirements/test.txt, dev-requirements.txt and the like."""
    stem = posixpath.basename(name.strip("'\"")).rsplit(".", 1)[0]
    return bool(_DEV_FILE.search(stem))


def is_dev_tool(name: str) -> bool:
    """True for test runners, linters, type checkers, notebooks (and their plugins/stubs)."""
    canon = canonicalize_name(name)
    return canon in DEV_TOOLS or canon.startswith(("pytest-", "types-", "flake8-"))


def dev_groups(context: Path) -> dict[str, set[str]]:
    """Dependency groups each tool installs by default, read from the context's pyproject.toml."""
    out: dict[str, set[str]] = {"poetry": set(), "uv": set(), "pdm": set()}
    try:
        data: dict[str, Any] = tomllib.loads(
            (context / "pyproject.toml").read_text(encoding="utf-8")
        )
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        return out
    tool = data.get("tool", {})
    poetry = tool.get("poetry", {})
    out["poetry"] = {n for n, g in poetry.get("group", {}).items() if not g.get("optional")}
    if poetry.get("dev-dependencies"):
        out["poetry"].add("dev")
    standard = set(data.get("dependency-groups", {}))
    if "dev" in standard or tool.get("uv", {}).get("dev-dependencies"):
        out["uv"].add("dev")
    out["pdm"] = standard | set(tool.get("pdm", {}).get("dev-dependencies", {}))
    return out


def venv_roots(service: Service) -> list[str]:
    """Context folders that are virtualenvs (they hold pyvenv.cfg or bin/python)."""
    roots: set[str] = set()
    for entry in service.context_entries:
        if entry.rel.endswith("/pyvenv.cfg"):
            roots.add(entry.rel.rsplit("/", 1)[0])
        match = re.match(r"^(.*?(?:^|/)\.?venv)/bin/python", entry.rel)
        if match:
            roots.add(match.group(1))
    return sorted(roots)


def junk_kind(rel: str, context_rel: str, venvs: Iterable[str]) -> str | None:
    """Which kind of junk a copied file is (None when it is not junk)."""
    if any(context_rel.startswith(v + "/") for v in venvs):
        return "virtualenvs"
    for part in rel.split("/")[:-1]:
        if part in JUNK_DIRS:
            return JUNK_DIRS[part]
        if part.endswith(".egg-info"):
            return "*.egg-info"
    return None


def model_download(ins: Instruction, cwd: str) -> tuple[str, int | None] | None:
    """(what, estimated bytes) when a RUN downloads model weights."""
    for cmd in ins.commands:
        for path, url in _caches.downloads(cmd, cwd):
            if _WEIGHT_URL.search(url.split("?", 1)[0]) or _WEIGHT_URL.search(path):
                return url.rsplit("/", 1)[-1], None
    script = ins.script
    match = _MODEL_CALL.search(script)
    if match is None and not ("pipeline(" in script and "transformers" in script):
        return None
    what = match.group(0).rstrip("(") if match else "pipeline("
    return what, _model_size(script)


def _model_size(script: str) -> int | None:
    names = re.findall(r"[\"']([\w./-]+)[\"']", script)
    for name in names:
        key = name.rsplit("/", 1)[-1].replace(".en", "")
        for model, size in MODEL_MB.items():
            if key == model or (len(model) > 6 and key.startswith(model)):
                return size * MB
    return None


_SOURCE_ONLY = frozenset(
    "psycopg2 mysqlclient uwsgi pyaudio python-ldap dbus-python pygobject pycairo netifaces".split()
)


def compiled_requirements(ctx: RuleContext, stages: list[Stage]) -> list[str]:
    """Installed requirements that usually compile from source (they need the full image)."""
    names: set[str] = set()
    for inst in _installs.python_installs(stages):
        names |= {r.name for d in _installs.dep_files_of(ctx, inst) for r in d.requirements}
        names |= {r.name.lower() for p in inst.packages if (r := _installs.requirement_of(p))}
    return sorted(names & _SOURCE_ONLY)
