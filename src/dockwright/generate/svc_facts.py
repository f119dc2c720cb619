"""What an original Dockerfile says about its service: behaviour to keep, installs to redo.

`read_facts` walks the stages the production image is built from and sorts every
instruction into: kept as written (ENV, ARG, LABEL, EXPOSE, VOLUME, RUNs the rewriter does
not understand…), redone the generator's way (apt, Python installs, users), or the start
command / health check, which are rewritten.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from dockwright.generate import svc_runs
from dockwright.generate.svc_runs import RunReading
from dockwright.model.depfiles import kind_of
from dockwright.model.dockerfile import Dockerfile, Instruction, Stage
from dockwright.rules import _layers, patterns

DEV_STAGE = re.compile(r"^(dev|develop|development|debug|local)$", re.I)
RUNTIME_STAGES = ("production", "prod", "runtime", "release", "final")
GENERATED_STAGES = ("build", "development", "production")
OWN_ENV = frozenset(
    "PYTHONUNBUFFERED PYTHONDONTWRITEBYTECODE VIRTUAL_ENV UV_LINK_MODE UV_COMPILE_BYTECODE "
    "UV_PYTHON_DOWNLOADS PIP_DISABLE_PIP_VERSION_CHECK PIP_NO_CACHE_DIR UV_NO_CACHE "
    "UV_PROJECT_ENVIRONMENT PIP_ROOT_USER_ACTION".split()
)
SECRET_NAME = re.compile(
    r"TOKEN|SECRET|PASSWORD|PASSWD|API_?KEY|ACCESS_KEY|PRIVATE_KEY|CREDENTIAL|"
    r"^(PIP|UV)_(EXTRA_)?INDEX_URL$|^POETRY_HTTP_BASIC_|^UV_INDEX_.*_PASSWORD$",
    re.I,
)
_TOOL_ENV = re.compile(r"^(PIP|UV|POETRY|PDM|PIPENV)_")
_DEPS_COPY = re.compile(
    r"venv|site-packages|/wheels?\b|\.local|^/install|/usr/local/lib/python|astral-sh/uv|/opt/torch\b"
)
_PASSIVE = {"ENV", "ARG", "LABEL", "EXPOSE", "VOLUME", "STOPSIGNAL", "SHELL", "ONBUILD"}
_PASSIVE |= {"MAINTAINER"}


@dataclass(frozen=True)
class Kept:
    """Dockerfile text carried over as written, with the comment to put above it."""

    text: str
    comment: str = ""
    ins: Instruction | None = None  # a COPY/ADD from the context, rewritten when rendered


@dataclass
class Facts:
    """The behaviour of the original image and the installs it performs."""

    base: str
    global_args: list[str] = field(default_factory=list)
    workdir: str = "/app"
    body: list[Kept] = field(default_factory=list)
    build_env: list[Kept] = field(default_factory=list)
    carried_stages: list[Kept] = field(default_factory=list)
    cmd: Instruction | None = None
    entrypoint: Instruction | None = None
    dev_cmd: Instruction | None = None
    healthcheck: Instruction | None = None
    user: str = "app"
    env: dict[str, str] = field(default_factory=dict)
    secrets: list[str] = field(default_factory=list)
    reading: RunReading = field(default_factory=RunReading)
    notes: list[str] = field(default_factory=list)
    stage_renames: dict[str, str] = field(default_factory=dict)


def runtime_stage(df: Dockerfile, target: str | None) -> Stage:
    """The stage the production image is built from (a `production`-like stage first)."""
    for name in RUNTIME_STAGES:
        if (stage := df.stage(name)) is not None:
            return stage
    chosen = df.stage(target) if target else None
    if chosen is not None and not DEV_STAGE.match(chosen.name or ""):
        return chosen
    plain = [s for s in df.stages if not DEV_STAGE.match(s.name or "")]
    return (plain or list(df.stages))[-1]


def lines_of(df: Dockerfile, ins: Instruction) -> str:
    """The instruction's source text, continuation lines included."""
    return "\n".join(df.lines[ins.line - 1 : ins.end_line])


def read_facts(df: Dockerfile, target: str | None) -> Facts:
    """Sort the instructions of the production image's stages (see module docstring)."""
    final = runtime_stage(df, target)
    chain = sorted(df.image_stages(final.ref), key=lambda s: s.index)
    root = chain[0]
    facts = Facts(base=root.from_instruction.value[0] if root.from_instruction.value else "")
    facts.global_args = [lines_of(df, a) for a in df.global_args]
    for stage in chain:
        for ins in stage.instructions:
            _sort(df, ins, facts)
    _read_other_stages(df, chain, facts)
    _drop_dep_file_copies(facts)
    facts.user = _user_name(df, chain)
    _carry_stages(df, facts)
    return facts


def _sort(df: Dockerfile, ins: Instruction, facts: Facts) -> None:
    if ins.cmd == "WORKDIR" and ins.value:
        facts.workdir = _layers.resolve(ins.value[0], facts.workdir)
    elif ins.cmd in {"CMD", "ENTRYPOINT", "HEALTHCHECK"}:
        setattr(facts, ins.cmd.lower(), ins)
    elif ins.cmd == "RUN":
        _sort_run(df, ins, facts)
    elif ins.cmd in {"COPY", "ADD"}:
        _sort_copy(df, ins, facts)
    elif ins.cmd in {"ENV", "ARG"}:
        _sort_variables(df, ins, facts)
    elif ins.cmd == "USER":
        return
    elif ins.cmd in _PASSIVE:
        facts.body.append(Kept(lines_of(df, ins)))
    else:
        _keep(df, ins, facts, "not understood")


def _keep(df: Dockerfile, ins: Instruction, facts: Facts, why: str) -> None:
    comment = f"dockwright: kept as written ({why})"
    facts.body.append(Kept(lines_of(df, ins), comment))
    facts.notes.append(f"line {ins.line}: {ins.cmd} kept as written ({why})")


def _sort_run(df: Dockerfile, ins: Instruction, facts: Facts) -> None:
    if svc_runs.absorbed(ins):
        svc_runs.read_run(ins, facts.reading)
    else:
        _keep(df, ins, facts, "not understood by the rewriter")


def _sort_copy(df: Dockerfile, ins: Instruction, facts: Facts) -> None:
    source = ins.flag("from")
    if source is None and any("://" in s for s in ins.sources):
        _keep(df, ins, facts, "remote source")
    elif source is None:
        if not any(k.ins is not None and _same_copy(df, ins, k.ins) for k in facts.body):
            facts.body.append(Kept(lines_of(df, ins), ins=ins))
    elif _DEPS_COPY.search(" ".join([source, *ins.value])):
        return
    else:
        facts.body.append(Kept(lines_of(df, ins)))


def _drop_dep_file_copies(facts: Facts) -> None:
    """`COPY requirements.txt .` before the install is not needed when the code is copied."""
    copies = [k.ins for k in facts.body if k.ins is not None]
    if not any(patterns.copies_whole_context(c) for c in copies):
        return
    facts.body = [
        k
        for k in facts.body
        if k.ins is None
        or patterns.copies_whole_context(k.ins)
        or not all(kind_of(Path(s)) for s in k.ins.sources)
    ]


def _same_copy(df: Dockerfile, a: Instruction, b: Instruction) -> bool:
    dest_a = _layers.resolve(a.destination, _layers.workdir_at(df, a))
    dest_b = _layers.resolve(b.destination, _layers.workdir_at(df, b))
    return (a.cmd, a.flags, a.sources, dest_a) == (b.cmd, b.flags, b.sources, dest_b)


def _sort_variables(df: Dockerfile, ins: Instruction, facts: Facts) -> None:
    pairs = ins.pairs()
    facts.env.update((k, v) for k, v in pairs if v or ins.cmd == "ENV")
    secret = [k for k, _ in pairs if SECRET_NAME.search(k)]
    for name in secret:
        facts.secrets.append(name)
        facts.notes.append(
            f"line {ins.line}: {ins.cmd} {name} removed: a secret never goes in ENV/ARG; "
            f"pass it with `--secret id={name}` (build) or at run time"
        )
    own = [k for k, v in pairs if k in OWN_ENV or (k == "PATH" and _venv_path(v))]
    if not secret and not own:
        target = facts.build_env if all(_TOOL_ENV.match(k) for k, _ in pairs) else facts.body
        target.append(Kept(lines_of(df, ins)))
        return
    rest = [(k, v) for k, v in pairs if k not in secret and k not in own]
    for key, value in rest:
        target = facts.build_env if _TOOL_ENV.match(key) else facts.body
        target.append(Kept(_assignment(ins.cmd, key, value)))


def _builder_variables(df: Dockerfile, ins: Instruction, facts: Facts) -> None:
    """Package-tool settings of a builder stage move to the build stage; the rest stays."""
    scratch = Facts(base="")
    _sort_variables(df, ins, scratch)
    facts.secrets += [s for s in scratch.secrets if s not in facts.secrets]
    known = {k.text for k in facts.build_env}
    facts.build_env += [k for k in scratch.build_env if k.text not in known]


def _venv_path(value: str) -> bool:
    return "venv" in value or ".local" in value


def _assignment(cmd: str, key: str, value: str) -> str:
    if cmd == "ARG" and not value:
        return f"ARG {key}"
    quoted = value if re.fullmatch(r"[\w./:@%+,=-]*", value) and value else f'"{value}"'
    return f"{cmd} {key}={quoted}"


def _read_other_stages(df: Dockerfile, chain: list[Stage], facts: Facts) -> None:
    """Apt packages and installs of builder stages; the dev stage's start command."""
    for stage in df.stages:
        if stage in chain:
            continue
        dev = bool(DEV_STAGE.match(stage.name or ""))
        for ins in stage.of("ENV", "ARG") if not dev else []:
            _builder_variables(df, ins, facts)
        for ins in stage.of("RUN"):
            if svc_runs.absorbed(ins):
                svc_runs.read_run(ins, facts.reading, dev=dev)
        if dev and (cmds := stage.of("CMD")):
            facts.dev_cmd = cmds[-1]


_USER_WORD = re.compile(r"^[a-z_][a-z0-9_-]*\$?$")
_SYSTEM_USERS = frozenset(
    "root daemon bin sys sync games man lp mail news uucp proxy www-data backup list irc "
    "gnats nobody _apt systemd-network systemd-timesync messagebus".split()
)


def _user_name(df: Dockerfile, chain: list[Stage]) -> str:
    """The account to create: the original USER's name, else a created one, else `app`."""
    for ins in reversed([i for s in chain for i in s.of("USER")]):
        name = ins.value[0].split(":", 1)[0] if ins.value else ""
        if _USER_WORD.match(name) and name not in _SYSTEM_USERS:
            return name
    for ins in [i for s in chain for i in s.of("RUN")]:
        for cmd in ins.commands:
            words = cmd.args_after_wrappers()
            last = words[-1] if words else ""
            if cmd.program in {"useradd", "adduser"} and _USER_WORD.match(last):
                return last if last not in _SYSTEM_USERS else "app"
    return "app"


def _carry_stages(df: Dockerfile, facts: Facts) -> None:
    """Stages that kept `COPY --from` instructions need are carried over as written."""
    wanted = _wanted_stages(df, facts)
    for stage in sorted(wanted, key=lambda s: s.index):
        name = stage.name or f"stage-{stage.index}"
        if name.lower() in GENERATED_STAGES:
            name = f"{name}-original"
        facts.stage_renames[stage.ref] = name
    for stage in sorted(wanted, key=lambda s: s.index):
        facts.carried_stages.append(Kept(_stage_text(df, stage, facts.stage_renames)))
        facts.notes.append(f"stage {stage.ref!r} kept as written (a kept COPY --from needs it)")
    facts.body = [_renamed(k, facts.stage_renames) for k in facts.body]


def _wanted_stages(df: Dockerfile, facts: Facts) -> set[Stage]:
    refs = [m.group(1) for k in facts.body for m in re.finditer(r"--from=(\S+)", k.text)]
    wanted: set[Stage] = set()
    while refs:
        stage = df.stage(refs.pop())
        if stage is None or stage in wanted:
            continue
        wanted.add(stage)
        refs += [str(stage.parent)] if stage.parent is not None else []
        refs += [i.flag("from") or "" for i in stage.of("COPY")]
    return wanted


def _stage_text(df: Dockerfile, stage: Stage, renames: dict[str, str]) -> str:
    first = stage.from_instruction
    last = stage.instructions[-1] if stage.instructions else first
    body = "\n".join(df.lines[first.line : last.end_line])
    base = first.value[0] if first.value else ""
    parent = df.stages[stage.parent].ref if stage.parent is not None else None
    base = renames.get(parent, base) if parent else base
    flags = "".join(f"{f} " for f in first.flags)
    head = f"FROM {flags}{base} AS {renames[stage.ref]}"
    return _renamed(Kept(f"{head}\n{body}".rstrip()), renames).text


def _renamed(kept: Kept, renames: dict[str, str]) -> Kept:
    def repl(match: re.Match[str]) -> str:
        return f"--from={renames.get(match.group(1), match.group(1))}"

    return Kept(re.sub(r"--from=([^\s\"']+)", repl, kept.text), kept.comment, kept.ins)
