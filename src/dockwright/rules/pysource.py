"""A service's Python side as the Dockerfile sees it: installed files, imports, start targets."""

from __future__ import annotations

import ast
import fnmatch
import posixpath
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from packaging.utils import canonicalize_name

from dockwright.model.depfiles import DepFile, DepKind, load_requirements, real_path, with_includes
from dockwright.model.dockerfile import Stage
from dockwright.model.shell import Command
from dockwright.rules import patterns
from dockwright.rules.base import RuleContext

_REQ_FLAGS = {"-r", "--requirement", "-c", "--constraint"}
_NOT_CODE = {
    ".venv",
    "venv",
    "env",
    "site-packages",
    "node_modules",
    ".git",
    "__pycache__",
    ".tox",
    "tests",
    "test",
    "docs",
    "build",
    "dist",
}
_MAX_SOURCE_BYTES = 1_000_000
_SERVERS = {"uvicorn", "gunicorn", "hypercorn", "daphne"}
_PYTHON = re.compile(r"^python(\d+(\.\d+)?)?$")
_APP = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*(\(.*\))?$")
_PATH_OPTIONS = {"--app-dir", "--chdir", "--pythonpath"}
_VALUE_OPTIONS = {
    "-b",
    "--bind",
    "-k",
    "--worker-class",
    "-c",
    "--config",
    "-w",
    "--workers",
    "--host",
    "--port",
    "--log-level",
    "--log-config",
    "--env-file",
    "-e",
    "--env",
    "--uds",
    "--forwarded-allow-ips",
    "--threads",
    "-t",
    "--timeout",
    "-n",
    "--name",
    "--access-logfile",
    "--error-logfile",
    "-u",
    "--user",
    "-g",
    "--group",
}


def requirement_args(ctx: RuleContext) -> list[tuple[str, bool]]:
    """(path, is_constraint) for every `-r`/`-c` of the Dockerfile's dependency installs."""
    found: list[tuple[str, bool]] = []
    for stage in ctx.dockerfile.stages:
        for ins in stage.of("RUN"):
            for cmd, _ in patterns.dependency_installs(ins):
                words = cmd.words
                found.extend(
                    (words[i + 1], words[i] in {"-c", "--constraint"})
                    for i in range(len(words) - 1)
                    if words[i] in _REQ_FLAGS
                )
    return found


def _dep_file(ctx: RuleContext, arg: str) -> DepFile | None:
    if "$" in arg:
        return None
    known = {d.path: d for d in ctx.service.dep_files}
    direct = (ctx.service.context / arg.lstrip("/")).resolve()
    if direct in known:
        return known[direct]
    by_name = [d for d in known.values() if d.path.name == posixpath.basename(arg)]
    if len(by_name) == 1:
        return by_name[0]
    return load_requirements(direct) if direct.is_file() else None


def installed_requirement_files(ctx: RuleContext) -> list[DepFile]:
    """Requirements files the Dockerfile installs (not constraints), includes followed."""
    out: list[DepFile] = []
    for arg, constraint in requirement_args(ctx):
        dep = _dep_file(ctx, arg)
        if constraint or dep is None or dep.is_lock:
            continue
        known = {real_path(d.path): d for d in ctx.service.dep_files}
        for item in with_includes([dep], known, load_requirements):
            if item.kind is DepKind.REQUIREMENTS and item.path not in {d.path for d in out}:
                out.append(item)
    return out


def constraint_pins(ctx: RuleContext, dep: DepFile) -> set[str]:
    """Names pinned by constraint files used with `dep` (`-c` in the command or in the file)."""
    files = [d for a, c in requirement_args(ctx) if c and (d := _dep_file(ctx, a)) is not None]
    files += [load_requirements(p) for p in dep.includes if p.is_file() and "constraint" in p.name]
    files += [d for d in ctx.service.dep_files if d.kind is DepKind.CONSTRAINTS]
    return {r.name for f in files for r in f.requirements if r.pinned}


@cache
def imports_of(path: Path) -> tuple[tuple[str, int], ...]:
    """(top-level module, line) of every absolute import in a Python file."""
    try:
        if path.stat().st_size > _MAX_SOURCE_BYTES:
            return ()
        tree = ast.parse(path.read_bytes(), filename=str(path))
    except (SyntaxError, ValueError, OSError):
        return ()
    found: list[tuple[str, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((a.name.split(".")[0], node.lineno) for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.module.split(".")[0], node.lineno))
    return tuple(sorted(found, key=lambda item: item[1]))


def code_files(ctx: RuleContext) -> list[Path]:
    """The service's own Python files (venvs, tests and build output skipped)."""
    context = ctx.service.context
    return [
        p
        for p in ctx.service.python_sources
        if not _NOT_CODE & set(p.relative_to(context).parts[:-1])
        and not p.name.startswith("test_")
        and p.name != "conftest.py"
    ]


def local_names(ctx: RuleContext) -> set[str]:
    """Every folder name and module stem sent to the builder (an import of one may resolve)."""
    names: set[str] = set()
    for entry in ctx.service.context_entries:
        if not entry.excluded:
            parts = entry.rel.split("/")
            names.update(parts[:-1])
            names.add(parts[-1].removesuffix(".py"))
    return names


def _repo_package(ctx: RuleContext, name: str) -> Path | None:
    context, roots = ctx.service.context, (ctx.service.root, *ctx.project.roots)
    for folder in context.parents:
        if not any(folder == r or folder.is_relative_to(r) for r in roots):
            break
        for candidate in (folder / name, folder / f"{name}.py"):
            if candidate.is_file() or (candidate.is_dir() and any(candidate.glob("*.py"))):
                return candidate
    return None


def _provided(ctx: RuleContext, name: str) -> bool:
    """True when the name is installed as a requirement or passed as a named context."""
    wanted = canonicalize_name(name)
    if any(r.name == wanted for d in ctx.service.dep_files for r in d.requirements):
        return True
    return any(
        name == k or v.rstrip("/").endswith(name)
        for b in ctx.service.compose
        for k, v in b.additional_contexts.items()
    )


def outside_imports(ctx: RuleContext) -> Iterator[tuple[Path, str, int, Path]]:
    """(file, module, line, where it lives) for imports of repo packages outside the context."""
    local, stdlib = local_names(ctx), set(sys.stdlib_module_names)
    verdict: dict[str, Path | None] = {}
    for path in code_files(ctx):
        seen: set[str] = set()
        for module, line in imports_of(path):
            if module in seen or module in local or module in stdlib:
                continue
            seen.add(module)
            if module not in verdict:
                where = _repo_package(ctx, module)
                verdict[module] = where if where and not _provided(ctx, module) else None
            found = verdict[module]
            if found is not None:
                yield path, module, line, found


@dataclass(frozen=True)
class StartTarget:
    """What a start command runs: a script path or an app module (`pkg.mod` of `pkg.mod:app`)."""

    kind: str  # "file" or "module"
    value: str

    @property
    def suffixes(self) -> tuple[str, ...]:
        """Context paths that would provide it (matched at the end of a context path)."""
        if self.kind == "module":
            base = self.value.replace(".", "/")
            return (f"{base}.py", f"{base}/__init__.py")
        path = posixpath.normpath(self.value)
        return (posixpath.basename(path),) if path.startswith("/") else (path.removeprefix("./"),)


def start_targets(commands: list[Command]) -> list[StartTarget]:
    """Scripts and app modules that `python x.py`, `python -m uvicorn`, gunicorn... start."""
    found: list[StartTarget] = []
    for cmd in commands:
        words = cmd.args_after_wrappers()
        prog = words[0].rsplit("/", 1)[-1] if words else ""
        if prog in _SERVERS:
            found.extend(_app_module(words[1:]))
        elif _PYTHON.match(prog):
            found.extend(_python_target(words[1:]))
    return found


def _python_target(words: tuple[str, ...]) -> list[StartTarget]:
    skip = False
    for index, word in enumerate(words):
        if skip or word in {"-W", "-X"}:
            skip = not skip
            continue
        if word == "-m" and index + 1 < len(words):
            module = words[index + 1]
            return _app_module(words[index + 2 :]) if module in _SERVERS else []
        if word == "-c":
            return []
        if not word.startswith("-"):
            return [StartTarget("file", word)] if word.endswith(".py") and "$" not in word else []
    return []


def _app_module(words: tuple[str, ...]) -> list[StartTarget]:
    if any(w.split("=", 1)[0] in _PATH_OPTIONS for w in words):
        return []
    for index, word in enumerate(words):
        if index and words[index - 1] in _VALUE_OPTIONS:
            continue
        if _APP.match(word):
            return [StartTarget("module", word.split(":", 1)[0])]
    return []


def covers(source: str, rel: str) -> bool:
    """True when a COPY source (path, folder or glob, context-relative) copies the file `rel`."""
    src = posixpath.normpath(source.lstrip("/")) if source.strip("/.") else "."
    if src in {".", "*"}:
        return True
    wanted, parts = src.split("/"), rel.split("/")
    if len(parts) < len(wanted):
        return False
    return all(fnmatch.fnmatchcase(p, w) for p, w in zip(parts, wanted, strict=False))


def _produced(ctx: RuleContext, target: StartTarget) -> bool:
    texts = [i.original for i in ctx.runtime_instructions("RUN")]
    texts += [i.original for i in ctx.runtime_instructions("COPY", "ADD") if i.flag("from")]
    leaf = posixpath.basename(target.suffixes[0])
    return any(leaf in t or "git clone" in t for t in texts)


def _matches(ctx: RuleContext, target: StartTarget) -> list[tuple[str, bool]]:
    """(context path, excluded) of files that provide the target, inside skipped folders too."""
    found: list[tuple[str, bool]] = []
    for entry in ctx.service.context_entries:
        if entry.is_dir and entry.rel.rsplit("/", 1)[-1] not in _NOT_CODE:
            inside = (ctx.service.context / entry.rel).rglob(posixpath.basename(target.suffixes[0]))
            rels = [p.relative_to(ctx.service.context).as_posix() for p in inside]
            found += [(r, True) for r in rels if _ends_with(r, target.suffixes)]
        elif not entry.is_dir and _ends_with(entry.rel, target.suffixes):
            found.append((entry.rel, entry.excluded))
    return found


def _ends_with(rel: str, suffixes: tuple[str, ...]) -> bool:
    return any(rel == s or rel.endswith("/" + s) for s in suffixes)


def _installed(ctx: RuleContext, target: StartTarget) -> bool:
    top = canonicalize_name(target.value.split(".", 1)[0])
    requirements = (r for d in ctx.service.dep_files for r in d.requirements)
    return target.kind == "module" and any(r.name == top for r in requirements)


def target_problem(ctx: RuleContext, target: StartTarget) -> str | None:
    """Why the start target will be missing from the image (None when it is there)."""
    if _installed(ctx, target) or _produced(ctx, target):
        return None
    found, shown = _matches(ctx, target), f"`{target.value}`"
    if not found:
        return f"{shown} is not in the build context {ctx.service.context.name}/"
    sent = [rel for rel, excluded in found if not excluded]
    if not sent:
        pattern = ctx.service.dockerignore.matching_pattern(found[0][0])
        line = f" line {pattern.line} (`{pattern.text}`)" if pattern else ""
        return f"{shown} ({found[0][0]}) is excluded by .dockerignore{line}"
    sources = [
        s
        for st in ctx.dockerfile.stages
        for i in st.of("COPY", "ADD")
        if i.flag("from") is None
        for s in i.sources
    ]
    if not any(covers(s, rel) for s in sources for rel in sent):
        return f"{shown} ({sent[0]}) is in the context but no COPY puts it in the image"
    return None


def venv_paths(stage: Stage) -> set[str]:
    """Absolute paths where a stage creates virtualenvs (`python -m venv`, virtualenv, uv venv)."""
    found: set[str] = set()
    for ins in stage.of("RUN"):
        for cmd in ins.commands:
            words = cmd.args_after_wrappers()
            rest = _venv_args(words)
            path = next((w for w in rest if not w.startswith("-")), "")
            if path.startswith("/"):
                found.add(path.rstrip("/"))
    return found


def _venv_args(words: tuple[str, ...]) -> tuple[str, ...]:
    prog = words[0].rsplit("/", 1)[-1] if words else ""
    if prog == "virtualenv":
        return words[1:]
    if prog == "uv" and words[1:2] == ("venv",):
        return words[2:]
    if _PYTHON.match(prog) and words[1:3] == ("-m", "venv"):
        return words[3:]
    return ()
