"""Everything the Dockerfile template needs for one service, computed from the model."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from dockwright.generate import svc_commands, svc_install, svc_source, svc_torch
from dockwright.generate.files import OptimizeOptions
from dockwright.generate.svc_apt import split_packages, without_compilers
from dockwright.generate.svc_context import ContextPlan, context_plan
from dockwright.generate.svc_deps import VENV, DepPlan, plan_deps, readme_of
from dockwright.generate.svc_facts import Facts, Kept, read_facts
from dockwright.generate.svc_install import InstallContext, Run
from dockwright.generate.svc_runs import PROJECT_SRC
from dockwright.model.dockerfile import Dockerfile
from dockwright.model.project import Project, Service
from dockwright.rules import _layers, _torch
from dockwright.rules.base import RuleContext

_CACHE_ENV = re.compile(
    r"""(?:environ|getenv|env)\s*(?:\.get)?\s*[(\[]\s*["']"""
    r"""((?=[A-Z])[A-Z0-9_]*(?:CACHE|TMP|TEMP)[A-Z0-9_]*)["']"""
)
APT_MOUNTS = (
    "--mount=type=cache,target=/var/cache/apt,sharing=locked",
    "--mount=type=cache,target=/var/lib/apt,sharing=locked",
)
# The production stage's apt caches have their own ids: with the build stage's (locked) ones,
# the two stages' installs would wait for each other instead of running in parallel.
RUNTIME_APT_MOUNTS = (
    "--mount=type=cache,id=runtime-apt-cache,target=/var/cache/apt,sharing=locked",
    "--mount=type=cache,id=runtime-apt-lists,target=/var/lib/apt,sharing=locked",
)


@dataclass
class ServicePlan:
    """Template variables of a generated Dockerfile."""

    base: str
    facts: Facts
    where: ContextPlan
    deps: DepPlan
    uv_version: str
    uid: int
    build_apt: str | None = None
    runtime_apt: str | None = None
    install: str | None = None
    torch_pin: str | None = None  # `torch-pin` stage's RUN (svc_torch), None: no torch stage
    torch_install: str | None = None  # `torch` stage's RUN
    project_copy: str | None = None
    project: str | None = None
    dev_install: str | None = None
    dev_cmd: str | None = None
    cmd: str | None = None
    entrypoint: str | None = None
    healthcheck: str | None = None
    body: list[Kept] = field(default_factory=list)
    source: list[str] = field(default_factory=list)  # `source` stage: code minus the wheelhouse
    writable: list[str] = field(default_factory=list)
    torch: str | None = None
    readme: str | None = None  # README the package build needs, relative to the new context
    notes: list[str] = field(default_factory=list)
    venv: str = VENV
    bytecode: bool = True  # UV_COMPILE_BYTECODE


def slim_base(base: str) -> str:
    """`python:3.11` -> `python:3.11-slim`; other images (and variables) unchanged."""
    match = re.fullmatch(
        r"((?:docker\.io/(?:library/)?)?python):(\d+(?:\.\d+)*)(-bookworm|-bullseye)?", base
    )
    if match is None:
        return base
    return f"{match.group(1)}:{match.group(2)}-slim{match.group(3) or ''}"


def apt_run(packages: tuple[str, ...], mounts: tuple[str, ...] = APT_MOUNTS) -> str | None:
    """An apt install with locked cache mounts (lists never reach a layer)."""
    if not packages:
        return None
    commands = (
        "rm -f /etc/apt/apt.conf.d/docker-clean",
        "apt-get update",
        f"apt-get install -y --no-install-recommends {' '.join(packages)}",
    )
    return Run(mounts, commands).render()


def torch_variant(
    service: Service, project: Project, facts: Facts, deps: DepPlan, choice: str
) -> str | None:
    """`cpu`/`cuda` when the service installs torch, None otherwise."""
    reqs = [r for d in deps.installed() for r in d.requirements if not r.group]
    named = [w.split("=")[0].split("[")[0] for w in deps.packages]
    if next(_torch.torch_pullers(reqs), None) is None and not any(
        _torch.pulls_torch(n) for n in named
    ):
        return None
    if choice != "auto":
        return choice
    ctx = RuleContext(service, project)
    return "cuda" if _torch.uses_gpu(ctx, list(service.dockerfile.stages)) else "cpu"


def _copy_text(df: Dockerfile, kept: Kept, where: ContextPlan, workdir: str) -> str:
    ins = kept.ins
    assert ins is not None
    dest, at = ins.destination, _layers.workdir_at(df, ins)
    if not dest.startswith("/") and at != workdir:
        slash = dest.endswith("/") or dest == "."
        dest = _layers.resolve(dest, at).rstrip("/") + ("/" if slash else "")
    sources = [where.source(s) for s in ins.sources]
    if dest == ins.destination and sources == list(ins.sources):
        return kept.text
    return " ".join([ins.cmd, *ins.flags, *sources, dest])


def _body(df: Dockerfile, facts: Facts, where: ContextPlan) -> list[Kept]:
    out: list[Kept] = []
    for kept in facts.body:
        if kept.ins is None:
            out.append(kept)
            continue
        out.append(Kept(_copy_text(df, kept, where, facts.workdir)))
        if where.shared and len([k for k in out if k.text.startswith(("COPY", "ADD"))]) == 1:
            out += _shared_copies(facts, where)
    return out


def _shared_copies(facts: Facts, where: ContextPlan) -> list[Kept]:
    out = []
    for shared in where.shared:
        slash = "/" if shared.path.is_dir() else ""
        dest = f"{facts.workdir.rstrip('/')}/{shared.path.name}{slash}"
        out.append(Kept(f"COPY {where.rel(shared.path)}{slash} {dest}"))
    if "PYTHONPATH" not in facts.env:
        out.append(Kept(f"ENV PYTHONPATH={facts.workdir}"))
    return out


def cache_variables(service: Service, facts: Facts) -> list[Kept]:
    """`ENV X_CACHE_DIR=/tmp/...` for cache folders the code takes from the environment.

    On a read-only root filesystem the default (often next to the code) is not writable;
    pointing it at the /tmp tmpfs keeps the app starting. Variables the Dockerfile already
    sets are left alone.
    """
    found: dict[str, None] = {}
    for path in service.python_sources:
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        found.update(dict.fromkeys(_CACHE_ENV.findall(text)))
    return [Kept(f"ENV {n}=/tmp/{n.lower()}") for n in sorted(found) if n not in facts.env]


def _writable(facts: Facts) -> list[str]:
    paths = ["/tmp"]
    for kept in facts.body:
        if kept.text.startswith("VOLUME"):
            paths += [w.strip('[]",') for w in kept.text.split()[1:] if w.strip('[]",')]
    return list(dict.fromkeys(paths))


def plan_service(service: Service, project: Project, options: OptimizeOptions) -> ServicePlan:
    """Read the original Dockerfile and decide every part of the generated one."""
    df = service.dockerfile
    facts = read_facts(df, service.target)
    where = context_plan(service, project)
    deps = plan_deps(service, project, facts)
    base = options.python_base or slim_base(facts.base)
    plan = ServicePlan(base, facts, where, deps, options.uv_version, options.uid)
    plan.bytecode = options.bytecode
    plan.torch = torch_variant(service, project, facts, deps, options.torch)
    _apt(plan, service.name in options.wheels_only)
    _installs(plan, service, options)
    _commands(plan, service)
    plan.body = _body(df, facts, where) + cache_variables(service, facts)
    _drop_wheelhouse(plan, options)
    plan.writable = _writable(facts)
    if deps.mode in {"pyproject", "uv", "poetry", "pdm", "setup"} or deps.project:
        readme = readme_of(service, deps)
        plan.readme = where.source(readme) if readme else None
    plan.notes = [*facts.notes, *deps.notes, *plan.notes]
    return plan


def _drop_wheelhouse(plan: ServicePlan, options: OptimizeOptions) -> None:
    """Copies that would bring the bind-mounted wheelhouse go through the `source` stage."""
    if not options.wheelhouse or not svc_source.mounted([plan.install, plan.dev_install]):
        return
    project = [Kept(plan.project_copy)] if plan.project_copy else []
    split = svc_source.split_source(project + plan.body, options.wheelhouse, plan.facts.workdir)
    plan.body, plan.source = split.body[len(project) :], split.stage
    plan.project_copy = split.body[0].text if project else None
    if split.stage:
        plan.notes.append(f"code copied through a `source` stage without {options.wheelhouse}")


def _apt(plan: ServicePlan, wheels_only: bool) -> None:
    split = split_packages(plan.facts.reading.apt)
    split = without_compilers(split) if wheels_only else split
    plan.build_apt = apt_run(split.build)
    plan.runtime_apt = apt_run(split.runtime, RUNTIME_APT_MOUNTS)
    plan.notes += split.notes


def _installs(plan: ServicePlan, service: Service, options: OptimizeOptions) -> None:
    named = [*plan.facts.secrets, *plan.facts.reading.secrets]
    secrets = svc_install.secret_names(plan.deps, plan.deps.files, named)
    ic = InstallContext(plan.deps, plan.where, options, plan.torch, secrets)
    main_files = ic.needed(" ".join(svc_install.main_commands(ic)))
    if svc_torch.applies(ic, main_files):
        ic = replace(ic, split_torch=True)
        plan.torch_pin = svc_torch.pin_run(ic, main_files)
        plan.torch_install = svc_torch.torch_run(ic)
        plan.notes.append("torch: installed in a stage of its own (/opt/torch), own layer")
    plan.install = svc_install.install_run(ic, svc_install.main_commands(ic))
    if plan.deps.project:
        plan.project_copy = f"COPY {plan.where.source(plan.deps.folder or '.')} {PROJECT_SRC}"
        plan.project = svc_install.project_run(ic)
    dev = svc_commands.dev_command(plan.facts)
    plan.dev_cmd = dev.text
    plan.dev_install = svc_install.install_run(ic, svc_install.dev_commands(ic, dev.watchfiles))
    plan.notes += [dev.note] if dev.note else []
    if plan.torch:
        plan.notes.append(
            f"torch: {plan.torch} wheels"
            + (f" from {options.wheelhouse}" if options.wheelhouse and plan.torch == "cpu" else "")
        )


def _commands(plan: ServicePlan, service: Service) -> None:
    plan.cmd = svc_commands.start_text(plan.facts.cmd)
    plan.entrypoint = svc_commands.start_text(plan.facts.entrypoint)
    check, note = svc_commands.healthcheck(plan.facts, service.python_sources)
    plan.healthcheck = check
    plan.notes += [note] if note else []
