"""Structured dependency inputs: pyproject.toml, Pipfile, setup.py (static), setup.cfg.

Every parser returns a DepFile and never raises: a syntax error or a value of the wrong type
becomes a Problem(path, message, line) on the DepFile. setup.py is read with `ast`, never run.
"""

from __future__ import annotations

import ast
import configparser
import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from packaging.utils import canonicalize_name

from dockwright.model.depfiles import (
    DepFile,
    DepKind,
    Requirement,
    parse_requirement,
    read_text,
    real_path,
)
from dockwright.model.findings import Problem
from dockwright.model.poetry import to_pep440


def table(data: Any, key: str) -> dict[str, Any]:
    """`data[key]` when it is a mapping, else {}."""
    value = data.get(key) if isinstance(data, dict) else None
    return value if isinstance(value, dict) else {}


def items(data: Any, key: str) -> list[Any]:
    """`data[key]` when it is a list, else []."""
    value = data.get(key) if isinstance(data, dict) else None
    return value if isinstance(value, list) else []


@dataclass
class Builder:
    """Accumulates requirements, index options and problems for one file."""

    path: Path
    kind: DepKind
    text: str
    reqs: list[Requirement] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    index: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    trusted: list[str] = field(default_factory=list)
    includes: list[Path] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lines = self.text.splitlines()

    def line_of(self, needle: str, default: int = 1) -> int:
        """1-based number of the first line containing `needle` (cheap position lookup)."""
        return next((n for n, ln in enumerate(self._lines, 1) if needle in ln), default)

    def key_line(self, key: str) -> int:
        """Line of a TOML/INI key definition (`key =`, `"key" =`)."""
        pattern = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*[=:]")
        return next((n for n, ln in enumerate(self._lines, 1) if pattern.match(ln)), 1)

    def add(self, text: str, group: str, line: int | None = None, url: str = "") -> None:
        """Parse and add one PEP 508 string (`url`: a direct/VCS/path source replacing it)."""
        where = line or self.line_of(text)
        try:
            req = parse_requirement(text, self.path, where, group)
        except ValueError as exc:
            self.problems.append(Problem(self.path, str(exc), where))
            return
        self.reqs.append(replace(req, url=url, specifier="") if url else req)

    def add_list(self, values: Any, group: str, what: str) -> None:
        """Add a list of PEP 508 strings (dicts, e.g. PEP 735 include-group, are skipped)."""
        if values is None:
            return
        if not isinstance(values, list):
            self.problems.append(Problem(self.path, f"{what} must be a list", self.key_line(what)))
            return
        for value in values:
            if isinstance(value, str):
                self.add(value, group)

    def problem(self, message: str, line: int | None = None) -> None:
        """Record a Problem on this file."""
        self.problems.append(Problem(self.path, message, line))

    def result(self) -> DepFile:
        """The DepFile built so far."""
        return DepFile(
            self.path,
            self.kind,
            tuple(self.reqs),
            tuple(self.index),
            tuple(self.extra),
            tuple(self.links),
            tuple(self.trusted),
            tuple(self.includes),
            tuple(self.problems),
        )


def _toml(path: Path, kind: DepKind) -> tuple[Builder, dict[str, Any] | None]:
    text, problem = read_text(path)
    b = Builder(path, kind, text)
    if problem is not None:
        b.problems.append(problem)
        return b, None
    try:
        return b, tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        b.problem(f"invalid TOML: {exc}", int(match.group(1)) if match else None)
        return b, None


def load_pyproject(path: Path) -> DepFile:
    """PEP 621 + PEP 735 groups, and poetry / uv / pdm / hatch tool tables."""
    b, data = _toml(path, DepKind.PYPROJECT)
    if data is None:
        return b.result()
    project = table(data, "project")
    b.add_list(project.get("dependencies"), "", "dependencies")
    for extra, deps in table(project, "optional-dependencies").items():
        b.add_list(deps, extra, extra)
    for group, deps in table(data, "dependency-groups").items():
        b.add_list(deps, group, group)
    tool = table(data, "tool")
    _poetry(b, table(tool, "poetry"))
    _uv(b, table(tool, "uv"))
    _pdm(b, table(tool, "pdm"))
    for env, cfg in table(table(tool, "hatch"), "envs").items():
        for key in ("dependencies", "extra-dependencies"):
            b.add_list(cfg.get(key) if isinstance(cfg, dict) else None, f"hatch.{env}", key)
    return b.result()


def _poetry(b: Builder, poetry: dict[str, Any]) -> None:
    _poetry_table(b, table(poetry, "dependencies"), "")
    _poetry_table(b, table(poetry, "dev-dependencies"), "dev")
    for group, spec in table(poetry, "group").items():
        _poetry_table(b, table(spec, "dependencies"), str(group))
    for source in items(poetry, "source"):
        url = source.get("url") if isinstance(source, dict) else None
        if isinstance(url, str):
            primary = source.get("priority") in {"primary", "default"} or source.get("default")
            (b.index if primary else b.extra).append(url)


def _poetry_table(b: Builder, deps: dict[str, Any], group: str) -> None:
    for name, value in deps.items():
        if name.lower() == "python":
            continue
        for item in value if isinstance(value, list) else [value]:
            _poetry_dep(b, name, {"version": item} if isinstance(item, str) else item, group)


def _poetry_dep(b: Builder, name: str, spec: Any, group: str) -> None:
    line = b.key_line(name)
    if not isinstance(spec, dict):
        b.problem(f"poetry dependency {name!r}: expected a string or table", line)
        return
    try:
        version, note = to_pep440(str(spec.get("version", "*")))
        python, _ = to_pep440(str(spec["python"])) if "python" in spec else ("", "")
    except ValueError as exc:
        b.problem(f"poetry dependency {name!r}: {exc}", line)
        return
    if note:
        b.problem(f"poetry dependency {name!r}: {note}", line)
    markers = [f"({spec['markers']})"] if isinstance(spec.get("markers"), str) else []
    markers += [
        f'python_version {m.group(1)} "{m.group(2)}"'
        for m in re.finditer(r"(==|!=|<=|>=|<|>|~=)([^,]+)", python)
    ]
    extras = ",".join(str(e) for e in spec.get("extras", []) if isinstance(e, str))
    text = f"{name}[{extras}]{version}" if extras else f"{name}{version}"
    b.add(text + ("; " + " and ".join(markers) if markers else ""), group, line, _poetry_url(spec))
    if spec.get("develop") and b.reqs and b.reqs[-1].url:
        b.reqs[-1] = replace(b.reqs[-1], editable=True)


def _poetry_url(spec: dict[str, Any]) -> str:
    if isinstance(spec.get("git"), str):
        ref = next((str(spec[k]) for k in ("rev", "tag", "branch") if k in spec), "")
        return f"git+{spec['git']}" + (f"@{ref}" if ref else "")
    return next((str(spec[k]) for k in ("url", "path", "file") if isinstance(spec.get(k), str)), "")


def _uv(b: Builder, uv: dict[str, Any]) -> None:
    b.add_list(uv.get("dev-dependencies"), "dev", "dev-dependencies")
    for index in items(uv, "index"):
        if isinstance(index, dict) and isinstance(index.get("url"), str):
            (b.index if index.get("default") else b.extra).append(index["url"])
    for key, slot in (
        ("index-url", b.index),
        ("extra-index-url", b.extra),
        ("find-links", b.links),
    ):
        value = uv.get(key)
        slot.extend([value] if isinstance(value, str) else [v for v in items(uv, key) if v])
    sources: dict[str, Any] = {canonicalize_name(k): v for k, v in table(uv, "sources").items()}
    for position, req in enumerate(b.reqs):
        url = _uv_source_url(sources.get(req.name))
        if url:
            b.reqs[position] = replace(req, url=url)


def _uv_source_url(source: Any) -> str:
    if not isinstance(source, dict):
        return ""
    if isinstance(source.get("git"), str):
        ref = next((str(source[k]) for k in ("rev", "tag", "branch") if k in source), "")
        return f"git+{source['git']}" + (f"@{ref}" if ref else "")
    return next((str(source[k]) for k in ("url", "path") if isinstance(source.get(k), str)), "")


def _pdm(b: Builder, pdm: dict[str, Any]) -> None:
    for group, deps in table(pdm, "dev-dependencies").items():
        b.add_list(deps, str(group), str(group))
    for source in items(pdm, "source"):
        if isinstance(source, dict) and isinstance(source.get("url"), str):
            (b.index if source.get("name") == "pypi" else b.extra).append(source["url"])
            if source.get("verify_ssl") is False:
                b.trusted.append(source["url"])


def load_pipfile(path: Path) -> DepFile:
    """Pipfile: [packages], [dev-packages] (group 'dev'), other categories, [[source]]."""
    b, data = _toml(path, DepKind.PIPFILE)
    if data is None:
        return b.result()
    for position, source in enumerate(items(data, "source")):
        if isinstance(source, dict) and isinstance(source.get("url"), str):
            (b.extra if position else b.index).append(source["url"])
            if source.get("verify_ssl") is False:
                b.trusted.append(source["url"])
    for category, packages in data.items():
        if isinstance(packages, dict) and category not in {"requires", "pipenv", "scripts"}:
            group = {"packages": "", "dev-packages": "dev"}.get(category, category)
            for name, spec in packages.items():
                _pipfile_dep(b, name, spec, group)
    return b.result()


def _pipfile_dep(b: Builder, name: str, spec: Any, group: str) -> None:
    line = b.key_line(name)
    spec = {"version": spec} if isinstance(spec, str) else spec
    if not isinstance(spec, dict):
        b.problem(f"Pipfile package {name!r}: expected a string or table", line)
        return
    version = str(spec.get("version", "*")).strip()
    extras = ",".join(str(e) for e in spec.get("extras", []) if isinstance(e, str))
    text = name + (f"[{extras}]" if extras else "") + ("" if version == "*" else version)
    if isinstance(spec.get("markers"), str):
        text += f"; {spec['markers']}"
    b.add(text, group, line, _poetry_url(spec))
    if spec.get("editable") and b.reqs and b.reqs[-1].url:
        b.reqs[-1] = replace(b.reqs[-1], editable=True)


def load(path: Path, kind: DepKind) -> DepFile:
    """Parse a structured dependency file of `kind`."""
    from dockwright.model import lockfiles

    loaders = {
        DepKind.PYPROJECT: load_pyproject,
        DepKind.PIPFILE: load_pipfile,
        DepKind.SETUP_PY: load_setup_py,
        DepKind.SETUP_CFG: load_setup_cfg,
    }
    loader = loaders.get(kind)
    return loader(path) if loader else lockfiles.load(path, kind)


def load_setup_py(path: Path) -> DepFile:
    """install_requires / extras_require of the `setup()` call, read with `ast` (never run)."""
    text, problem = read_text(path)
    b = Builder(path, DepKind.SETUP_PY, text)
    if problem is not None:
        b.problems.append(problem)
        return b.result()
    try:
        tree = ast.parse(text, filename=str(path))
    except SyntaxError as exc:
        b.problem(f"cannot parse setup.py: {exc.msg}", exc.lineno)
        return b.result()
    names = _assignments(tree)
    for call in (n for n in ast.walk(tree) if isinstance(n, ast.Call) and _is_setup(n.func)):
        for kw in call.keywords:
            if kw.arg == "install_requires":
                _setup_strings(b, _deref(kw.value, names), "", names)
            elif kw.arg == "extras_require":
                _setup_extras(b, _deref(kw.value, names), names)
    return b.result()


def _is_setup(func: ast.expr) -> bool:
    return (isinstance(func, ast.Name) and func.id == "setup") or (
        isinstance(func, ast.Attribute) and func.attr == "setup"
    )


def _assignments(tree: ast.Module) -> dict[str, ast.expr]:
    found: dict[str, ast.expr] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            if isinstance(node.targets[0], ast.Name):
                found[node.targets[0].id] = node.value
    return found


def _deref(node: ast.expr, names: dict[str, ast.expr]) -> ast.expr:
    return names.get(node.id, node) if isinstance(node, ast.Name) else node


def _setup_strings(b: Builder, node: ast.expr, group: str, names: dict[str, ast.expr]) -> None:
    if isinstance(node, ast.List | ast.Tuple):
        for elt in (_deref(e, names) for e in node.elts):
            if isinstance(elt, ast.Constant) and isinstance(elt.value, str):
                b.add(elt.value, group, elt.lineno)
            else:
                b.problem("install_requires entry is computed; not read", elt.lineno)
        return
    files = [
        n.value
        for n in ast.walk(node)
        if isinstance(n, ast.Constant)
        and isinstance(n.value, str)
        and n.value.endswith((".txt", ".in"))
    ]
    b.includes.extend(real_path(b.path.parent / f) for f in files)
    if not files:
        b.problem("requirements are computed at run time; not read statically", node.lineno)


def _setup_extras(b: Builder, node: ast.expr, names: dict[str, ast.expr]) -> None:
    if not isinstance(node, ast.Dict):
        b.problem("extras_require is computed at run time; not read statically", node.lineno)
        return
    for key, value in zip(node.keys, node.values, strict=True):
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            _setup_strings(b, _deref(value, names), key.value, names)


def load_setup_cfg(path: Path) -> DepFile:
    """[options] install_requires (incl. `file:`) and [options.extras_require]."""
    text, problem = read_text(path)
    b = Builder(path, DepKind.SETUP_CFG, text)
    if problem is not None:
        b.problems.append(problem)
        return b.result()
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(text, source=str(path))
    except configparser.Error as exc:
        b.problem(f"invalid setup.cfg: {str(exc).splitlines()[0]}", getattr(exc, "lineno", None))
        return b.result()
    if parser.has_option("options", "install_requires"):
        _cfg_value(b, parser.get("options", "install_requires"), "")
    if parser.has_section("options.extras_require"):
        for extra, value in parser.items("options.extras_require"):
            _cfg_value(b, value, extra)
    return b.result()


def _cfg_value(b: Builder, value: str, group: str) -> None:
    if value.strip().startswith("file:"):
        for name in value.strip()[5:].split(","):
            b.includes.append(real_path(b.path.parent / name.strip()))
        return
    for entry in (v.strip() for v in value.splitlines()):
        if entry and not entry.startswith("#"):
            b.add(entry, group)
