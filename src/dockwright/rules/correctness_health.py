"""Correctness rule (DW416): the HEALTHCHECK probes a port the server does not listen on."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from dockwright.model.dockerfile import Instruction
from dockwright.model.findings import Edit, EditKind, Finding, Fix, Group, Severity
from dockwright.model.shell import Command, split_commands
from dockwright.rules.base import Rule, RuleContext

_LOCAL_URL = re.compile(
    r"(?:https?://)?(?:localhost|127\.0\.0\.1|0\.0\.0\.0|\[::1\]):"
    r"(?P<port>\d+|\$\{[A-Za-z_]\w*(?::-\d+)?\}|\$[A-Za-z_]\w*)(?=[/'\"\s]|$)"
)
_VAR = re.compile(r"^\$\{?(?P<name>[A-Za-z_]\w*)(?::-(?P<default>\d+))?\}?$")
# Server -> options that take the listening port (a `host:port` for the bind options).
_PORT_OPTIONS = {
    "uvicorn": ("--port",),
    "granian": ("--port",),
    "fastapi": ("--port",),
    "flask": ("--port", "-p"),
    "daphne": ("--port", "-p"),
    "streamlit": ("--server.port",),
}
_SHELLS = {"sh", "bash", "/bin/sh", "/bin/bash"}
_BIND_OPTIONS = {"gunicorn": ("--bind", "-b"), "hypercorn": ("--bind", "-b")}


@dataclass(frozen=True)
class Port:
    """A port as written: a number, or a variable (with its `${VAR:-default}` default)."""

    text: str

    @property
    def number(self) -> str | None:
        """The literal port number, None for a variable."""
        return self.text if self.text.isdigit() else None

    @property
    def var(self) -> str | None:
        """The variable's name, None for a literal."""
        match = _VAR.match(self.text)
        return match.group("name") if match else None

    @property
    def default(self) -> str:
        """The `${VAR:-default}` default ('' when none)."""
        match = _VAR.match(self.text)
        return (match.group("default") or "") if match else ""


def server_words(cmd: Command) -> tuple[str, tuple[str, ...]] | None:
    """(server, its arguments) for a command that starts a known web server."""
    words = cmd.args_after_wrappers()
    if len(words) > 2 and re.match(r"^python(\d+(\.\d+)?)?$", words[0].rsplit("/", 1)[-1]):
        words = words[2:] if words[1] == "-m" else words
    program = words[0].rsplit("/", 1)[-1] if words else ""
    if program in _PORT_OPTIONS or program in _BIND_OPTIONS:
        return program, words[1:]
    return None


def _option_values(args: tuple[str, ...], names: tuple[str, ...]) -> list[str]:
    values = [args[i + 1] for i in range(len(args) - 1) if args[i] in names]
    return values + [a.split("=", 1)[1] for a in args if a.split("=", 1)[0] in names and "=" in a]


def expand_shells(commands: list[Command]) -> list[Command]:
    """Commands with `sh -c SCRIPT` / `bash -c SCRIPT` replaced by the script's commands."""
    out: list[Command] = []
    for cmd in commands:
        words = cmd.args_after_wrappers()
        if len(words) >= 3 and words[0] in _SHELLS and words[1] == "-c":
            out.extend(split_commands(words[2]))
        else:
            out.append(cmd)
    return out


def server_port(commands: list[Command]) -> tuple[str, Port] | None:
    """(server, port) from the first command that starts a server with an explicit port."""
    for cmd in expand_shells(commands):
        found = _port_of(cmd)
        if found is not None:
            return found
    return None


def _port_of(cmd: Command) -> tuple[str, Port] | None:
    server = server_words(cmd)
    if server is None:
        return None
    program, args = server
    if program in _BIND_OPTIONS:
        binds = [b for b in _option_values(args, _BIND_OPTIONS[program]) if ":" in b]
        ports = [b.rsplit(":", 1)[1] for b in binds if not b.startswith("unix:")]
    else:
        ports = _option_values(args, _PORT_OPTIONS[program])
    valid = [p for p in ports if p.isdigit() or _VAR.match(p)]
    return (program, Port(valid[-1])) if valid else None


def instruction_commands(ins: Instruction) -> list[Command]:
    """Commands of a CMD/ENTRYPOINT (exec form: one command)."""
    if ins.exec_form:
        return [Command(ins.value)]
    return split_commands(" ".join(ins.value))


def start_instructions(ctx: RuleContext) -> list[Instruction]:
    """The ENTRYPOINT and CMD in effect (a later ENTRYPOINT resets an inherited CMD)."""
    entry = ctx.runtime_instructions("ENTRYPOINT")[-1:]
    cmd = ctx.runtime_instructions("CMD")[-1:]
    if entry and cmd and (cmd[0].stage_index, cmd[0].line) < (entry[0].stage_index, entry[0].line):
        cmd = []
    return entry + cmd


def _served(ctx: RuleContext) -> tuple[str, Port] | None:
    """(server, port) of the image's start command; None when unknown."""
    for ins in start_instructions(ctx):
        commands = instruction_commands(ins)
        found = server_port(commands)
        if found is None:
            continue
        shell = not ins.exec_form or any(c.program in {"sh", "bash"} for c in commands)
        return found if found[1].number or shell else None  # exec form: `$PORT` stays literal
    return None


def _env(ctx: RuleContext) -> dict[str, str]:
    return {k: v for i in ctx.runtime_instructions("ENV") for k, v in i.pairs()}


def _exposed(ctx: RuleContext) -> set[str]:
    return {v.split("/")[0] for i in ctx.runtime_instructions("EXPOSE") for v in i.value}


class HealthcheckPortMismatch(Rule):
    """HEALTHCHECK probes a port other than the one the server listens on.

    The server's port comes from its command line (`--port`, `--bind host:port`). A check
    that probes another port always fails; one that hard-codes the port while the server
    reads `$PORT` fails as soon as someone sets PORT. Checks aimed at a port the image also
    exposes or names in another ENV (a separate health server) are left alone.

    Anti-pattern::

        ENV PORT=8000
        HEALTHCHECK CMD curl -f http://localhost:8000/health || exit 1
        CMD uvicorn app.main:app --host 0.0.0.0 --port $PORT

    Better: probe the same variable (a shell-form check expands it at run time)::

        HEALTHCHECK CMD curl -f http://localhost:${PORT}/health || exit 1
    """

    id = "DW416"
    name = "correctness.healthcheck-port-mismatch"
    severity = Severity.WARNING
    group = Group.CORRECTNESS
    fixable = True

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        """Yield this rule's findings for one service."""
        checks = ctx.runtime_instructions("HEALTHCHECK")
        if not checks or checks[-1].value[:1] != ("CMD",):
            return
        check = checks[-1]
        url = _LOCAL_URL.search(" ".join(check.value[1:]))
        served = _served(ctx)
        if url is None or served is None:
            return
        probed, (server, port) = Port(url.group("port")), served
        message = self._mismatch(ctx, probed, port, server)
        if message:
            yield self.report(ctx, check, message, fix=_fix(ctx, check, url.group(0), port))

    def _mismatch(self, ctx: RuleContext, probed: Port, port: Port, server: str) -> str:
        env, exposed = _env(ctx), _exposed(ctx)
        number = probed.number
        if number is None:
            return ""
        others = {v for k, v in env.items() if k != port.var}
        if port.number is not None:
            if number == port.number or number in exposed | others:
                return ""
            return f"HEALTHCHECK probes port {number} but {server} listens on {port.number}"
        value = env.get(port.var or "") or port.default
        if number in others or (number != value and number in exposed):
            return ""
        default = f" ({value} by default)" if value else ""
        return (
            f"HEALTHCHECK hard-codes port {number} while {server} listens on `{port.text}`"
            f"{default}: setting {port.var} makes the check fail; probe `{port.text}` instead"
        )


def _fix(ctx: RuleContext, check: Instruction, url: str, port: Port) -> Fix | None:
    """Probe the server's port variable (shell form only: the shell expands it at run time)."""
    if check.exec_form or port.var is None:
        return None
    lines = ctx.dockerfile.lines[check.line - 1 : check.end_line]
    text = "\n".join(lines)
    if "'" in text or text.count(url) != 1:
        return None
    head, _, _ = url.rpartition(":")
    new = f"{head}:${{{port.var}}}" if port.text == f"${port.var}" else f"{head}:{port.text}"
    edit = Edit(
        EditKind.REPLACE,
        ctx.dockerfile.path,
        check.line,
        check.end_line,
        text.replace(url, new) + "\n",
    )
    return Fix(f"probe ${port.var} like the server", (edit,))
