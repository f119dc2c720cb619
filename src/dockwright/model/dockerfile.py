"""Dockerfile model, parsed with the official BuildKit grammar (the `dockerfile` package)."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import dockerfile as _parser

from dockwright.errors import InputError
from dockwright.model.shell import Command, split_commands

_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?[-+]([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)")
HOME = "/root"  # root's home: where ~ and $HOME point in RUN/COPY paths
_DIRECTIVE = re.compile(r"^#\s*([a-zA-Z]+)\s*=\s*(\S+)\s*$")


@dataclass(frozen=True)
class Heredoc:
    """A heredoc body attached to RUN or COPY."""

    name: str
    content: str


@dataclass(frozen=True)
class Mount:
    """A parsed `RUN --mount=...` option."""

    type: str
    options: dict[str, str]

    @property
    def target(self) -> str:
        """The mount's target path ('' when absent)."""
        return self.options.get(
            "target", self.options.get("dst", self.options.get("destination", ""))
        )


@dataclass(frozen=True)
class Instruction:
    """One instruction, with its position and stage."""

    cmd: str
    flags: tuple[str, ...]
    value: tuple[str, ...]
    original: str
    line: int
    end_line: int
    exec_form: bool
    heredocs: tuple[Heredoc, ...]
    stage_index: int
    sub_cmd: str | None = None

    def flag(self, name: str) -> str | None:
        """Value of `--name=value` (or '' for a bare `--name`), None when absent."""
        for raw in self.flags:
            key, _, val = raw.lstrip("-").partition("=")
            if key == name:
                return val
        return None

    def mounts(self) -> list[Mount]:
        """Parsed `--mount` options of a RUN."""
        result = []
        for raw in self.flags:
            key, _, val = raw.lstrip("-").partition("=")
            if key != "mount":
                continue
            opts = dict(p.partition("=")[::2] for p in val.split(",") if p)
            result.append(Mount(opts.get("type", "bind"), opts))
        return result

    @property
    def script(self) -> str:
        """Shell text of a RUN/CMD/ENTRYPOINT (heredoc bodies included)."""
        body = " ".join(v for v in self.value if not v.startswith("<<"))
        if self.heredocs and len(body.split()) <= 1:  # `RUN <<EOF [bash]`: the body is the script
            body = ""
        return "\n".join([body, *(h.content for h in self.heredocs)]).strip("\n")

    @cached_property
    def commands(self) -> list[Command]:
        """Simple shell commands of a shell-form RUN (exec form: one command)."""
        if self.exec_form:
            return [Command(self.value)]
        return split_commands(self.script)

    def pairs(self) -> list[tuple[str, str]]:
        """Key/value pairs of ENV, ARG and LABEL (ARG without default gives '')."""
        if self.cmd == "ARG":
            return [(a.partition("=")[0], a.partition("=")[2]) for a in self.value]
        if self.cmd in {"ENV", "LABEL"}:
            vals = list(self.value)
            return [(vals[i], _unquote(vals[i + 1])) for i in range(0, len(vals) - 1, 2)]
        return []

    @property
    def sources(self) -> tuple[str, ...]:
        """COPY/ADD sources (all values but the last; heredoc markers excluded)."""
        if self.cmd not in {"COPY", "ADD"} or len(self.value) < 2:
            return ()
        return tuple(v for v in self.value[:-1] if not v.startswith("<<"))

    @property
    def destination(self) -> str:
        """COPY/ADD destination."""
        return self.value[-1] if self.value else ""


def _unquote(text: str) -> str:
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        return text[1:-1]
    return text


@dataclass(frozen=True)
class Stage:
    """A build stage: its FROM and the instructions after it."""

    index: int
    name: str | None
    base: str
    from_instruction: Instruction
    instructions: tuple[Instruction, ...]
    parent: int | None = None  # index of the stage this one is FROM, if any

    @property
    def ref(self) -> str:
        """How COPY --from would name this stage."""
        return self.name or str(self.index)

    def of(self, *cmds: str) -> list[Instruction]:
        """Instructions of the given kinds."""
        return [i for i in self.instructions if i.cmd in cmds]

    @property
    def base_name(self) -> str:
        """Image repository without tag/digest (e.g. 'python')."""
        name = self.base.split("@", 1)[0]
        last = name.rsplit("/", 1)[-1]
        if ":" in last:
            name = name[: len(name) - len(last)] + last.split(":", 1)[0]
        return name

    @property
    def base_tag(self) -> str:
        """Tag of the base image ('' when none)."""
        last = self.base.split("@", 1)[0].rsplit("/", 1)[-1]
        return last.split(":", 1)[1] if ":" in last else ""


@dataclass(frozen=True)
class Dockerfile:
    """A parsed Dockerfile."""

    path: Path
    text: str
    stages: tuple[Stage, ...]
    global_args: tuple[Instruction, ...]
    directives: dict[str, str] = field(default_factory=dict)

    @property
    def lines(self) -> list[str]:
        """Source lines (no newline characters)."""
        return self.text.splitlines()

    def stage(self, ref: str | None) -> Stage | None:
        """Stage by name (case-insensitive) or index; None when unknown. None ref = last."""
        if ref is None:
            return self.stages[-1] if self.stages else None
        for stage in self.stages:
            if stage.name and stage.name.lower() == ref.lower():
                return stage
        if ref.isdigit() and int(ref) < len(self.stages):
            return self.stages[int(ref)]
        return None

    def image_stages(self, target: str | None = None) -> list[Stage]:
        """The target stage and the stages it is built FROM: their layers end up in the image."""
        stage = self.stage(target)
        return self.chain(stage)[::-1] if stage is not None else []

    def chain(self, stage: Stage) -> list[Stage]:
        """The stage and the stages it is built FROM, base first."""
        found: list[Stage] = []
        current: Stage | None = stage
        while current is not None and current not in found:
            found.append(current)
            current = self.stages[current.parent] if current.parent is not None else None
        return found[::-1]

    def before(self, ins: Instruction) -> list[Instruction]:
        """Instructions of `ins`'s stage chain that come before it: its build state."""
        stages = self.chain(self.stages[ins.stage_index])
        return [i for s in stages for i in s.instructions if i.line < ins.line]

    def workdir_at(self, ins: Instruction) -> str:
        """The absolute working directory in effect for `ins` ('/' when no WORKDIR is set)."""
        cwd = "/"
        for earlier in self.before(ins):
            if earlier.cmd == "WORKDIR" and earlier.value:
                cwd = resolve_path(earlier.value[0], cwd)
        return cwd

    def is_runtime(self, stage: Stage, target: str | None = None) -> bool:
        """True when `stage`'s layers are part of the final image for `target`."""
        return stage in self.image_stages(target)

    def instructions(self) -> list[Instruction]:
        """All instructions of all stages (FROM included) in file order."""
        out: list[Instruction] = [*self.global_args]
        for stage in self.stages:
            out.append(stage.from_instruction)
            out.extend(stage.instructions)
        return out


def resolve_path(path: str, cwd: str) -> str:
    """Absolute normalised image path of `path` relative to `cwd` (`~` and $HOME = /root)."""
    text = path.replace("${HOME}", HOME).replace("$HOME", HOME)
    if text == "~" or text.startswith("~/"):
        text = HOME + text[1:]
    joined = text if text.startswith("/") else posixpath.join(cwd, text)
    return posixpath.normpath(joined).replace("//", "/")


def _directives(text: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for line in text.splitlines():
        match = _DIRECTIVE.match(line)
        if not match:
            break
        found[match.group(1).lower()] = match.group(2)
    return found


def substitute(text: str, env: dict[str, str]) -> str:
    """Expand $VAR, ${VAR} and ${VAR:-default} from `env`."""

    def repl(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(3)
        default = match.group(2) or ""
        return env.get(name) or default

    return _VAR.sub(repl, text)


def _to_instruction(cmd: _parser.Command, stage_index: int) -> Instruction:
    return Instruction(
        cmd=cmd.cmd.upper(),
        flags=tuple(cmd.flags),
        value=tuple(cmd.value),
        original=cmd.original,
        line=cmd.start_line,
        end_line=cmd.end_line,
        exec_form=bool(cmd.json),
        heredocs=tuple(Heredoc(h.name, h.content) for h in cmd.heredocs),
        stage_index=stage_index,
        sub_cmd=cmd.sub_cmd,
    )


def _stage_from(
    index: int,
    from_ins: Instruction,
    body: list[Instruction],
    names: dict[str, int],
    env: dict[str, str],
) -> Stage:
    values = list(from_ins.value)
    name = values[2] if len(values) >= 3 and values[1].upper() == "AS" else None
    base = substitute(values[0], env) if values else ""
    parent = names.get(base.lower())
    return Stage(index, name, base, from_ins, tuple(body), parent)


def parse_text(text: str, path: Path) -> Dockerfile:
    """Parse Dockerfile text; raise InputError naming the file on failure."""
    if "\x00" in text:
        raise InputError("binary file, not a Dockerfile", path)
    try:
        raw = _parser.parse_string(text)
    except _parser.GoParseError as exc:
        raise InputError(f"cannot parse Dockerfile: {exc}", path, _error_line(str(exc))) from exc
    global_args: list[Instruction] = []
    groups: list[tuple[Instruction, list[Instruction]]] = []
    for cmd in raw:
        ins = _to_instruction(cmd, len(groups) - 1 if cmd.cmd.upper() != "FROM" else len(groups))
        if ins.cmd == "FROM":
            groups.append((ins, []))
        elif groups:
            groups[-1][1].append(ins)
        else:
            global_args.append(ins)
    if not groups:
        raise InputError("no FROM instruction", path, 1)
    env = {k: v for ins in global_args for k, v in ins.pairs()}
    names: dict[str, int] = {}
    stages = []
    for index, (from_ins, body) in enumerate(groups):
        stage = _stage_from(index, from_ins, body, names, env)
        if stage.name:
            names[stage.name.lower()] = index
        stages.append(stage)
    return Dockerfile(path, text, tuple(stages), tuple(global_args), _directives(text))


def _error_line(message: str) -> int | None:
    match = re.search(r"line (\d+)", message)
    return int(match.group(1)) if match else None


def parse_file(path: Path) -> Dockerfile:
    """Read and parse a Dockerfile."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", path) from exc
    if not data.strip():
        raise InputError("empty Dockerfile", path)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError("not a text file (invalid UTF-8)", path) from exc
    return parse_text(text, path)
