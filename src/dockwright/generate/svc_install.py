"""The RUN instructions of the build and development stages that install Python packages."""

from __future__ import annotations

import re
from dataclasses import dataclass

from dockwright.generate.files import OptimizeOptions
from dockwright.generate.svc_context import ContextPlan
from dockwright.generate.svc_deps import (
    DEPS_DIR,
    PIPFILE_EXPORT,
    TOML_EXPORT,
    UV_PIP,
    DepPlan,
)
from dockwright.generate.svc_runs import PROJECT_SRC
from dockwright.model.depfiles import DepFile

CPU_INDEX = "https://download.pytorch.org/whl/cpu"
WHEELHOUSE = "/tmp/wheelhouse"
WATCHFILES = "watchfiles==1.3.0"
OVERRIDES = "/tmp/uv-overrides.txt"
TORCH_DIR = "/opt/torch"
TORCH_DEPS = "/tmp/torch-deps.txt"
TORCH_MOUNT = f"--mount=type=bind,from=torch,source={TORCH_DIR},target={TORCH_DIR}"
TORCH_DEPS_COMMAND = (
    "python -c \"import importlib.metadata as m; print(*m.requires('torch') or [], sep='\\\\n')\""
    f" > {TORCH_DEPS}"
)
"""Torch's own requirements, read from the metadata of the torch stage's install."""
CUDA_ONLY = ("triton", "pytorch-triton")
"""CUDA-only wheels that packages pull on Linux (openai-whisper -> triton); useless with CPU torch.

nvidia-* runtime wheels come only with CUDA torch, which the CPU index or wheelhouse replaces.
"""
_CPU_NOTE = "# CPU-only torch: a uv override drops the CUDA-only wheels ({})"
_SPLIT_NOTE = (
    f"# torch comes from the torch stage ({TORCH_DIR}): a uv override keeps it out of the venv"
)
UV_CACHE_MOUNT = "--mount=type=cache,target=/root/.cache/uv"
_INDEX_SECRETS = {
    "PIP_INDEX_URL": "UV_INDEX_URL",
    "UV_INDEX_URL": "UV_INDEX_URL",
    "PIP_EXTRA_INDEX_URL": "UV_EXTRA_INDEX_URL",
    "UV_EXTRA_INDEX_URL": "UV_EXTRA_INDEX_URL",
}
_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass(frozen=True)
class Run:
    """A RUN instruction: mounts and the commands chained with `&&`."""

    mounts: tuple[str, ...]
    commands: tuple[str, ...]

    def render(self) -> str:
        """Dockerfile text, one mount or command per line."""
        parts = [*self.mounts, self.commands[0], *(f"&& {c}" for c in self.commands[1:])]
        return "RUN " + " \\\n    ".join(parts)


@dataclass(frozen=True)
class InstallContext:
    """What every install RUN shares: bind mounts, torch choice, secrets."""

    deps: DepPlan
    where: ContextPlan
    options: OptimizeOptions
    torch: str | None  # "cpu" | "cuda" | None (no torch)
    secrets: tuple[str, ...]
    split_torch: bool = False  # torch installed by the `torch` stage (svc_torch), not here

    def bind(self, rel: str) -> str:
        """Bind mount of a dependency file at /tmp/deps/<path in the original context>."""
        source = self.where.source(rel)
        return f"--mount=type=bind,source={source},target={DEPS_DIR}/{source}"

    def deps_path(self, rel: str) -> str:
        """Where a dependency file appears in the build stage."""
        return f"{DEPS_DIR}/{self.where.source(rel)}"

    def mounts(self, commands: list[str]) -> tuple[str, ...]:
        """Cache, dependency-file, wheelhouse and secret mounts `commands` need."""
        text = " ".join(commands)
        mounts = [UV_CACHE_MOUNT, *(self.bind(b) for b in self.needed(text))]
        if TORCH_DEPS in text:
            mounts.append(TORCH_MOUNT)
        if WHEELHOUSE in text and self.options.wheelhouse:
            wheelhouse = self.options.wheelhouse.strip("/")
            mounts.append(f"--mount=type=bind,source={wheelhouse},target={WHEELHOUSE}")
        return tuple(mounts)

    def needed(self, text: str) -> list[str]:
        """Bound files the commands name, and the files those include."""
        named = [b for b in self.deps.binds if re.search(rf"{self.deps_path(b)}\b", text)]
        if f"--project {DEPS_DIR}" in text:
            named = list(self.deps.binds)
        todo, found = list(named), set(named)
        while todo:
            dep = self.deps.files.get(todo.pop())
            for path in dep.includes if dep else ():
                rel = next((b for b in self.deps.binds if path.as_posix().endswith("/" + b)), None)
                if rel and rel not in found:
                    found.add(rel)
                    todo.append(rel)
        return [b for b in self.deps.binds if b in found]

    def index_args(self) -> str:
        """Index options that make uv pick CPU torch wheels."""
        if self.torch != "cpu":
            return ""
        if self.options.wheelhouse:
            return f" --find-links {WHEELHOUSE} --index-strategy unsafe-best-match"
        return f" --extra-index-url {CPU_INDEX} --index-strategy unsafe-best-match"

    def overrides(self) -> tuple[str, ...]:
        """Packages a uv override keeps out of the virtualenv."""
        cpu = CUDA_ONLY if self.torch == "cpu" else ()
        return cpu + (("torch",) if self.split_torch else ())

    def torch_args(self) -> str:
        """Index and override options of every install into the virtualenv."""
        override = f" --override {OVERRIDES}" if self.overrides() else ""
        return self.index_args() + override


def _secret_mount(name: str) -> str:
    required = ",required=true" if name in _INDEX_SECRETS else ""
    return f"--mount=type=secret,id={name}{required}"


def _secret_exports(secrets: tuple[str, ...]) -> list[str]:
    out = []
    for name in secrets:
        if name in _INDEX_SECRETS:
            out.append(f'export {_INDEX_SECRETS[name]}="$(cat /run/secrets/{name})"')
        else:
            out.append(f'export {name}="$(cat /run/secrets/{name} 2>/dev/null)"')
    return out


def secret_names(deps: DepPlan, dep_files: dict[str, DepFile], named: list[str]) -> tuple[str, ...]:
    """Secrets the install needs: variables in index URLs and secret ARG/ENV names."""
    found = list(named)
    for rel in deps.binds:
        dep = dep_files.get(rel)
        urls = (*dep.index_urls, *dep.extra_index_urls, *dep.find_links) if dep else ()
        found += [m for url in urls for m in _VAR.findall(url)]
    return tuple(dict.fromkeys(found))


def _requirements_cmd(
    ic: InstallContext, files: list[str], extra: list[str], generated: tuple[str, ...] = ()
) -> str:
    """`uv pip install -r` of bound dependency files, then of files the RUN itself writes."""
    args = "".join(f" -r {path}" for path in [*map(ic.deps_path, files), *generated])
    args += "".join(f" -c {ic.deps_path(c)}" for c in ic.deps.constraints)
    args += "".join(f" {p}" for p in extra)
    return f"{UV_PIP}{args}{ic.torch_args()}"


def _export_cmd(ic: InstallContext, dev: bool) -> list[str]:
    name = {"poetry": "poetry.lock", "pdm": "pdm.lock", "pipenv": "Pipfile.lock"}[ic.deps.mode]
    lock = _project_file(ic, name)
    script = PIPFILE_EXPORT if ic.deps.mode == "pipenv" else TOML_EXPORT
    flag = " dev" if dev else ""
    return [
        f'python -c "{script}" {lock}{flag} > /tmp/requirements.txt',
        f"{UV_PIP} -r /tmp/requirements.txt{ic.torch_args()}",
    ]


def _project_dir(ic: InstallContext) -> str:
    folder = ic.where.source(ic.deps.folder) if ic.deps.folder else ic.where.prefix
    return f"{DEPS_DIR}/{folder}" if folder else DEPS_DIR


def _project_file(ic: InstallContext, name: str) -> str:
    return f"{_project_dir(ic)}/{name}"


def main_commands(ic: InstallContext) -> list[str]:
    """Commands installing the runtime dependencies (project itself excluded)."""
    mode, deps = ic.deps.mode, ic.deps
    if mode == "requirements" and ic.split_torch:
        install = _requirements_cmd(ic, deps.main, deps.packages, (TORCH_DEPS,))
        return [TORCH_DEPS_COMMAND, install]
    if mode == "requirements":
        return [_requirements_cmd(ic, deps.main, deps.packages)]
    extra = [f"{UV_PIP} {' '.join(deps.packages)}{ic.torch_args()}"] if deps.packages else []
    if mode == "uv":
        sync = f"uv sync --frozen --no-install-project --no-dev --project {_project_dir(ic)}"
        return [sync, *extra]
    if mode in {"poetry", "pdm", "pipenv"}:
        return [*_export_cmd(ic, dev=False), *extra]
    if mode in {"pyproject", "setup"}:
        name = "pyproject.toml" if mode == "pyproject" else _setup_name(deps)
        return [f"{UV_PIP} -r {_project_file(ic, name)}{ic.torch_args()}", *extra]
    return extra


def _setup_name(deps: DepPlan) -> str:
    return "setup.py" if any(b.endswith("setup.py") for b in deps.binds) else "setup.cfg"


def dev_commands(ic: InstallContext, watchfiles: bool) -> list[str]:
    """Commands adding the development dependencies on top of the runtime ones."""
    mode, deps = ic.deps.mode, ic.deps
    found: list[str] = []
    if mode == "requirements" and deps.dev:
        found.append(_requirements_cmd(ic, deps.dev, []))
    elif mode == "uv":
        found.append(f"uv sync --frozen --no-install-project --project {_project_dir(ic)}")
    elif mode in {"poetry", "pdm", "pipenv"}:
        found += _export_cmd(ic, dev=True)
    elif mode == "pyproject":
        found.append(
            f"{UV_PIP} -r {_project_file(ic, 'pyproject.toml')} --all-extras{ic.torch_args()}"
        )
    if watchfiles:
        found.append(f"{UV_PIP} {WATCHFILES}")
    return found


def install_run(ic: InstallContext, commands: list[str]) -> str | None:
    """The RUN text for `commands` with every mount they need (None when nothing to do)."""
    if not commands:
        return None
    secrets = ic.secrets if any("-r " in c or "sync" in c for c in commands) else ()
    mounts = ic.mounts(commands) + tuple(_secret_mount(s) for s in secrets)
    if not any(OVERRIDES in c for c in commands):
        return Run(mounts, (*_secret_exports(secrets), *commands)).render()
    run = Run(mounts, (*_secret_exports(secrets), overrides_command(ic.overrides()), *commands))
    notes = [_CPU_NOTE.format(", ".join(CUDA_ONLY))] if ic.torch == "cpu" else []
    notes += [_SPLIT_NOTE] if ic.split_torch else []
    return "\n".join([*notes, run.render()])


def overrides_command(names: tuple[str, ...]) -> str:
    """The `printf` writing the uv override file that turns these packages off."""
    lines = "".join(f"{name}; sys_platform == 'never'\\n" for name in names)
    return f'printf "{lines}" > {OVERRIDES}'


def project_run(ic: InstallContext) -> str:
    """Install the project itself (no dependencies) from the copied source."""
    return Run((UV_CACHE_MOUNT,), (f"{UV_PIP} --no-deps {PROJECT_SRC}",)).render()
