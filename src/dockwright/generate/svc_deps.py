"""How the build stage installs a service's dependencies with uv.

Dependency files are bind-mounted under `/tmp/deps/<path in context>` (so `-r`/`-c`
includes keep resolving) and never copied with the source: a code change does not re-run
the install. Lock files of poetry, pdm and pipenv are turned into pinned requirements with a
small Python one-liner (no extra tool to download); uv.lock is installed with `uv sync`.
"""

from __future__ import annotations

import posixpath
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from dockwright.generate.svc_facts import Facts
from dockwright.generate.svc_runs import EXPORT_MARK, PIPFILE_EXPORT_MARK, bind_source
from dockwright.model.depfiles import DepFile, DepKind, load_dep_file
from dockwright.model.dockerfile import Instruction
from dockwright.model.project import Project, Service
from dockwright.rules import _layers
from dockwright.rules.base import RuleContext

DEPS_DIR = "/tmp/deps"
VENV = "/opt/venv"
UV_PIP = f"uv pip install --python {VENV}/bin/python"
TOML_EXPORT = (
    f"{EXPORT_MARK};d=tomllib.load(open(sys.argv[1],'rb'));a=sys.argv[2:];"
    "print(chr(10).join(p['name']+'=='+p['version']+((' ; '+m) if isinstance("
    "m:=(p.get('markers') or p.get('marker')),str) else '') for p in d.get('package',[]) "
    "if a or set(p.get('groups') or [p.get('category','main')])&{'main','default'}))"
)
PIPFILE_EXPORT = (
    f"{PIPFILE_EXPORT_MARK};d=json.load(open(sys.argv[1]));"
    "s=['default']+(['develop'] if sys.argv[2:] else []);"
    "print(chr(10).join(k+v['version']+((' ; '+v['markers']) if v.get('markers') else '') "
    "for x in s for k,v in d.get(x,{}).items() if 'version' in v))"
)
_DEV_FILE = re.compile(
    r"^(requirements[-_.]?(dev|devel|development|test|tests|testing|lint)|"
    r"(dev|test|tests)[-_]requirements|(dev|test|tests))\.(txt|in)$"
)
_LOCK_MODES = {
    DepKind.UV_LOCK: "uv",
    DepKind.POETRY_LOCK: "poetry",
    DepKind.PDM_LOCK: "pdm",
    DepKind.PIPFILE_LOCK: "pipenv",
}


@dataclass
class DepPlan:
    """The dependency install of the build stage (paths relative to the original context)."""

    mode: str  # requirements | uv | poetry | pdm | pipenv | pyproject | setup | none
    folder: str = ""  # folder of the project files, relative to the original context
    main: list[str] = field(default_factory=list)  # requirement files installed
    constraints: list[str] = field(default_factory=list)
    dev: list[str] = field(default_factory=list)  # dev requirement files
    binds: list[str] = field(default_factory=list)  # every file to bind-mount
    packages: list[str] = field(default_factory=list)  # named on the original command lines
    project: bool = False
    notes: list[str] = field(default_factory=list)
    files: dict[str, DepFile] = field(default_factory=dict)  # every parsed file, by path

    def installed(self) -> list[DepFile]:
        """Parsed files the build stage installs from (bind-mounted ones)."""
        return [self.files[b] for b in self.binds if b in self.files]


def _rel(service: Service, path: Path) -> str | None:
    try:
        return path.relative_to(service.context).as_posix()
    except ValueError:
        return None


def _files(service: Service) -> dict[str, DepFile]:
    found = {_rel(service, d.path): d for d in service.dep_files}
    return {k: v for k, v in found.items() if k is not None}


def _service_folder(service: Service) -> str:
    rel = _rel(service, service.dockerfile_path.parent)
    return rel if rel and rel != "." else ""


def _map_arg(
    ctx: RuleContext, ins_arg: tuple[object, str], files: dict[str, DepFile]
) -> str | None:

    ins, arg = ins_arg
    assert isinstance(ins, Instruction)
    image = _layers.resolve(arg, _layers.workdir_at(ctx.dockerfile, ins))
    source = bind_source(ins, image)
    if source is not None:
        return source
    found = _layers.context_file(ctx, ins, arg)
    if found is not None and (rel := _rel(ctx.service, found)) is not None:
        files.setdefault(rel, load_dep_file(found))
        return rel
    named = [r for r in files if posixpath.basename(r) == posixpath.basename(arg)]
    return named[0] if len(named) == 1 else None


def _includes(service: Service, files: dict[str, DepFile], start: list[str]) -> list[str]:
    out: list[str] = []
    todo = list(start)
    while todo:
        rel = todo.pop(0)
        if rel in out:
            continue
        out.append(rel)
        path = service.context / rel
        if rel not in files and path.is_file():
            files[rel] = load_dep_file(path)
        dep = files.get(rel)
        for inc in dep.includes if dep else ():
            inc_rel = _rel(service, inc)
            if inc_rel is not None and inc.is_file():
                todo.append(inc_rel)
    return out


def _near(files: dict[str, DepFile], folder: str, kinds: set[DepKind]) -> str | None:
    for where in dict.fromkeys((folder, "")):
        for rel, dep in sorted(files.items()):
            if dep.kind in kinds and posixpath.dirname(rel) == where:
                return rel
    return None


def plan_deps(service: Service, project: Project, facts: Facts) -> DepPlan:
    """Decide which files the build stage installs from, and how."""
    ctx = RuleContext(service, project)
    files = _files(service)
    reading = facts.reading
    main = [m for a in reading.requirement_args if (m := _map_arg(ctx, a, files))]
    constraints = [m for a in reading.constraint_args if (m := _map_arg(ctx, a, files))]
    missing = len(main) + len(constraints) < len(reading.requirement_args + reading.constraint_args)
    plan = _choose(files, _service_folder(service), list(dict.fromkeys(main)), reading.tools)
    plan.constraints = list(dict.fromkeys(constraints))
    plan.packages = list(dict.fromkeys(reading.packages))
    plan.project = reading.project
    if missing:
        plan.notes.append("a requirements file named in the Dockerfile was not found")
    _finish(service, files, plan)
    plan.files = files
    return plan


def _choose(files: dict[str, DepFile], folder: str, main: list[str], tools: set[str]) -> DepPlan:
    lock = _near(files, folder, set(_LOCK_MODES))
    preferred = {
        "poetry": DepKind.POETRY_LOCK,
        "pdm": DepKind.PDM_LOCK,
        "pipenv": DepKind.PIPFILE_LOCK,
    }
    for tool, kind in preferred.items():
        if tool in tools and (rel := _near(files, folder, {kind})):
            return DepPlan(_LOCK_MODES[kind], posixpath.dirname(rel))
    if main:
        return DepPlan("requirements", posixpath.dirname(main[0]), main=main)
    if lock is not None:
        return DepPlan(_LOCK_MODES[files[lock].kind], posixpath.dirname(lock))
    if req := _near(files, folder, {DepKind.REQUIREMENTS}):
        if not _DEV_FILE.match(posixpath.basename(req)):
            return DepPlan("requirements", posixpath.dirname(req), main=[req])
    for kind, mode in ((DepKind.PYPROJECT, "pyproject"), (DepKind.SETUP_PY, "setup")):
        if rel := _near(files, folder, {kind}):
            return DepPlan(mode, posixpath.dirname(rel))
    return DepPlan("none", folder)


def _finish(service: Service, files: dict[str, DepFile], plan: DepPlan) -> None:
    """Dev files and the complete list of files to bind-mount."""
    if plan.mode == "requirements":
        plan.dev = sorted(
            r
            for r in files
            if posixpath.dirname(r) == plan.folder
            and _DEV_FILE.match(posixpath.basename(r))
            and r not in plan.main
        )
        plan.binds = _includes(service, files, [*plan.main, *plan.constraints, *plan.dev])
        return
    names = {
        "uv": ["pyproject.toml", "uv.lock"],
        "poetry": ["poetry.lock"],
        "pdm": ["pdm.lock"],
        "pipenv": ["Pipfile.lock"],
        "pyproject": ["pyproject.toml"],
        "setup": ["setup.py", "setup.cfg"],
    }.get(plan.mode, [])
    start = [
        j
        for n in names
        if (j := posixpath.join(plan.folder, n)) in files or (service.context / j).is_file()
    ]
    plan.binds = _includes(service, files, start)
    if plan.mode == "uv":
        plan.notes.append("uv.lock fixes package sources: a CPU torch index must be set in it")


def dev_groups(service: Service, plan: DepPlan) -> list[str]:
    """`[dependency-groups]` names of the project's pyproject (for `uv pip install --group`)."""
    path = service.context / plan.folder / "pyproject.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return []
    groups = data.get("dependency-groups")
    return sorted(groups) if isinstance(groups, dict) else []


def readme_of(service: Service, plan: DepPlan) -> str | None:
    """The README that pyproject's `project.readme` names (the package build needs it)."""
    path = service.context / plan.folder / "pyproject.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return None
    readme = (
        data.get("project", {}).get("readme") if isinstance(data.get("project"), dict) else None
    )
    if isinstance(readme, dict):
        readme = readme.get("file")
    return posixpath.join(plan.folder, readme) if isinstance(readme, str) else None
