"""Start commands and health checks of the generated stages.

CMD/ENTRYPOINT become exec form: a plain command is split into a JSON array; one that needs
the shell (`$PORT`, `&&`) runs as `["sh", "-c", "exec …"]` so the app is still PID 1 and gets
SIGTERM. The development target adds reload (uvicorn/gunicorn `--reload`, `flask --debug`,
`watchfiles` for workers). The health check uses the image's Python, never curl.
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass
from pathlib import Path

from dockwright.generate.svc_facts import Facts
from dockwright.model.dockerfile import Instruction
from dockwright.model.shell import split_commands

_SHELL_SYNTAX = re.compile(r"[&|;<>$`*?~(){}\[\]\\#\n]")
_URL = re.compile(r"^https?://([^/:]+)(?::(\d+))?(/.*)?$")
_HEALTH_PATH = re.compile(r"""["'](/health[a-z]*|/healthz|/ping|/ready)["']""")
_SERVERS = {"uvicorn", "gunicorn", "hypercorn"}
DEFAULT_CHECK_FLAGS = ("--interval=30s", "--timeout=5s", "--start-period=30s", "--retries=3")


@dataclass(frozen=True)
class DevCommand:
    """The development target's start command."""

    text: str | None  # CMD text (None: inherit)
    watchfiles: bool = False
    note: str = ""


def _script(ins: Instruction) -> str | None:
    """Shell text of a shell-form or `sh -c` instruction (None: plain exec form)."""
    if not ins.exec_form:
        return " ".join(ins.value).strip()
    if len(ins.value) == 3 and ins.value[0] in {"sh", "/bin/sh", "bash"} and ins.value[1] == "-c":
        return ins.value[2].removeprefix("exec ")
    return None


def _with_exec(script: str) -> str:
    if script.startswith("exec "):
        return script
    commands = split_commands(script)
    if len(commands) <= 1 and not re.search(r"[;|&]", script):
        return f"exec {script}"
    head, sep, last = script.rpartition("&& ")
    return f"{head}{sep}exec {last}" if sep and "exec " not in last else script


def exec_form(cmd: str, script: str) -> str:
    """`CMD`/`ENTRYPOINT` text in exec form for a shell script."""
    if not _SHELL_SYNTAX.search(script):
        try:
            return f"{cmd} {json.dumps(shlex.split(script))}"
        except ValueError:
            pass
    return f"{cmd} {json.dumps(['sh', '-c', _with_exec(script)])}"


def start_text(ins: Instruction | None) -> str | None:
    """An original CMD/ENTRYPOINT rewritten in exec form (None when absent)."""
    if ins is None:
        return None
    if ins.exec_form:
        return f"{ins.cmd} {json.dumps(list(ins.value))}"
    return exec_form(ins.cmd, " ".join(ins.value).strip())


def dev_command(facts: Facts) -> DevCommand:
    """The development start command: the original dev stage's, or reload added."""
    if facts.dev_cmd is not None:
        return DevCommand(start_text(facts.dev_cmd), "watchfiles" in facts.dev_cmd.original)
    if facts.cmd is None:
        return DevCommand(None, note="no CMD to add reload to: development starts like production")
    script = _script(facts.cmd) or shlex.join(facts.cmd.value)
    program = split_commands(script)[-1].program if split_commands(script) else ""
    if program in _SERVERS:
        reloaded = script if "--reload" in script else f"{script} --reload"
        return DevCommand(exec_form("CMD", reloaded))
    if program == "flask":
        return DevCommand(exec_form("CMD", script.replace("flask ", "flask --debug ", 1)))
    if program.startswith("python"):
        inner = script if not _SHELL_SYNTAX.search(script) else f"sh -c {shlex.quote(script)}"
        words = ["watchfiles", "--filter", "python", inner, facts.workdir]
        return DevCommand(f"CMD {json.dumps(words)}", watchfiles=True)
    return DevCommand(start_text(facts.cmd), note=f"`{program}` has no known reload mode")


def serves_health(sources: tuple[Path, ...]) -> str | None:
    """A health path (`/health`…) the service's code serves, if one is found."""
    for path in sources:
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        if match := _HEALTH_PATH.search(text):
            return match.group(1)
    return None


def _python_check(facts: Facts, flags: tuple[str, ...], host: str, port: str, path: str) -> str:
    names = [k for k, v in facts.env.items() if k.endswith("PORT") and v == port]
    if names:
        url = f"'http://{host}:%s{path}' % os.environ.get({names[0]!r}, {port!r})"
        code = f"import os, urllib.request; urllib.request.urlopen({url}, timeout=4)"
    else:
        url = f"'http://{host}:{port}{path}'"
        code = f"import urllib.request; urllib.request.urlopen({url}, timeout=4)"
    head = " ".join(("HEALTHCHECK", *flags))
    return f"{head} CMD {json.dumps(['python', '-c', code])}"


def _exposed_port(facts: Facts) -> str | None:
    for kept in facts.body:
        if kept.text.startswith("EXPOSE"):
            for word in kept.text.split()[1:]:
                port = word.split("/", 1)[0]
                if port.isdigit():
                    return port
                if port.startswith("$"):
                    return facts.env.get(port.strip("${}"))
    return None


def healthcheck(facts: Facts, sources: tuple[Path, ...]) -> tuple[str | None, str]:
    """(HEALTHCHECK text or None, note) for the production stage."""
    check = facts.healthcheck
    if check is None:
        port, path = _exposed_port(facts), serves_health(sources)
        if port and path:
            text = _python_check(facts, DEFAULT_CHECK_FLAGS, "127.0.0.1", port, path)
            return text, f"health check added: GET {path} on port {port}"
        return None, "no health check: no exposed port serving /health was found"
    if check.value[:1] == ("NONE",):
        return "HEALTHCHECK NONE", ""
    words = list(check.value[1:]) if check.exec_form else shlex.split(" ".join(check.value[1:]))
    if words[:1] == ["python"] or words[:1] == ["python3"]:
        return " ".join(("HEALTHCHECK", *check.flags, "CMD", json.dumps(words))), ""
    urls = [m for w in words if (m := _URL.match(w))]
    if words and words[0] in {"curl", "wget"} and len(urls) == 1:
        host, port, path = urls[0].group(1), urls[0].group(2) or "80", urls[0].group(3) or "/"
        return _python_check(facts, check.flags, host, port, path), "health check now uses Python"
    text = " ".join(("HEALTHCHECK", *check.flags, *check.value))
    return text, f"line {check.line}: HEALTHCHECK kept as written (not a curl/wget URL check)"
