"""Security rules (DW3xx): what makes the image or its build unsafe.

Recognisers live in `dockwright.rules._security`; this module holds the rule classes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace

from dockwright.model.dockerfile import Instruction, Stage
from dockwright.model.findings import Edit, EditKind, Finding, Fix, Group, Severity
from dockwright.model.shell import Command
from dockwright.rules import _security as sec
from dockwright.rules.base import Rule, RuleContext

APP_UID = 10001


def _with(finding: Finding, severity: Severity) -> Finding:
    return replace(finding, severity=severity)


def _runs(ctx: RuleContext, *, runtime_only: bool = False) -> Iterator[Instruction]:
    """RUN instructions of every stage (or only the stages in the final image)."""
    for ins in ctx.dockerfile.instructions():
        if ins.cmd == "RUN" and (not runtime_only or ctx.is_runtime(ins.stage_index)):
            yield ins


def _first_line(ins: Instruction) -> str:
    text = ins.original.splitlines()[0].strip()
    return text if len(text) <= 80 else text[:77] + "..."


class RootFinalStage(Rule):
    r"""The final image runs as root.

    A process running as root in the container is root on the container's files and one
    kernel or runtime bug away from root on the host. A builder stage may stay root; the
    stages whose layers make up the final image need a `USER` that is not root (it is
    inherited from a parent stage).

    Anti-pattern::

        FROM python:3.11-slim
        COPY . /app
        CMD ["python", "/app/main.py"]

    Better: create an unprivileged user with a fixed UID and switch to it::

        FROM python:3.11-slim
        COPY . /app
        RUN groupadd --system --gid 10001 app \\
            && useradd --system --uid 10001 --gid app --create-home app
        USER app
        CMD ["python", "/app/main.py"]
    """

    id = "DW301"
    name = "security.root-final-stage"
    severity = Severity.WARNING
    group = Group.SECURITY
    fixable = True
    hadolint = ("DL3002",)

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        """Report the last root USER, or the final stage when no USER is set."""
        final = ctx.final_stage
        chain = list(reversed(ctx.runtime_stages()))
        if final is None or "nonroot" in chain[0].base_tag:
            return
        users = [i for stage in chain for i in stage.of("USER")]
        last = users[-1] if users else None
        if last is not None and not _is_root(last):
            return
        why = (
            f"the last USER is `{last.value[0]}`"
            if last
            else f"no USER in stage `{final.ref}` or its bases"
        )
        yield self.report(
            ctx,
            last or final.from_instruction,
            f"the final image runs as root ({why}){_workdir_note(chain)}",
            fix=_user_fix(ctx, chain, final, users),
        )


def _is_root(user: Instruction) -> bool:
    name = user.value[0].split(":", 1)[0] if user.value else ""
    return name in {"root", "0"}


def _workdir_note(chain: list[Stage]) -> str:
    dirs = [w.value[0] for stage in chain for w in stage.of("WORKDIR") if w.value]
    if not dirs:
        return ""
    return (
        f"; WORKDIR {dirs[-1]} and COPY'd files stay root-owned: if the service writes there, "
        f"use COPY --chown={APP_UID}:{APP_UID} or chown the directory before USER"
    )


def _user_fix(
    ctx: RuleContext, chain: list[Stage], final: Stage, users: list[Instruction]
) -> Fix | None:
    existing = _existing_user(ctx, users)
    if existing:
        text = f"USER {existing}\n"
    else:
        setup = _user_setup(chain[0].base)
        if setup is None:
            return None
        text = f"{setup}\nUSER app\n"
    line = _insert_line(final)
    edit = Edit(EditKind.INSERT, ctx.dockerfile.path, line, line, text)
    return Fix("run the final stage as an unprivileged user", (edit,))


def _user_setup(base: str) -> str | None:
    """The RUN that creates `app` on this base (None: unknown or no user tools)."""
    if "$" in base or base == "scratch" or "distroless" in base:
        return None
    if "alpine" in base:
        return f"RUN addgroup -S -g {APP_UID} app && adduser -S -D -u {APP_UID} -G app app"
    return (
        f"RUN groupadd --system --gid {APP_UID} app"
        f" && useradd --system --uid {APP_UID} --gid app --create-home app"
    )


_ARG_OPTIONS = {
    "-u",
    "-g",
    "-G",
    "-d",
    "-s",
    "-c",
    "-h",
    "-k",
    "-K",
    "-e",
    "-f",
    "-p",
    "--uid",
    "--gid",
    "--home",
    "--home-dir",
    "--shell",
    "--gecos",
    "--comment",
    "--ingroup",
    "--groups",
    "--skel",
}


def _existing_user(ctx: RuleContext, users: list[Instruction]) -> str | None:
    """A user the runtime stages already create (or switched to before), to reuse."""
    named = [u.value[0] for u in users if not _is_root(u)]
    if named:
        return named[-1]
    for ins in _runs(ctx, runtime_only=True):
        for cmd in sec.commands(ins):
            if sec.program(cmd) in {"useradd", "adduser"}:
                words = cmd.args_after_wrappers()[1:]
                names = [
                    w
                    for i, w in enumerate(words)
                    if not w.startswith("-") and (i == 0 or words[i - 1] not in _ARG_OPTIONS)
                ]
                if names and re.fullmatch(r"[a-z_][a-z0-9_-]*", names[0]):
                    return names[0]
    return None


def _insert_line(final: Stage) -> int:
    """Before the CMD/ENTRYPOINT that follows the last build step, else after the stage."""
    steps = [i for i in final.instructions if i.cmd in {"RUN", "COPY", "ADD", "WORKDIR", "USER"}]
    after = steps[-1].end_line if steps else final.from_instruction.end_line
    starts = [
        i.line for i in final.instructions if i.cmd in {"CMD", "ENTRYPOINT"} and i.line > after
    ]
    if starts:
        return min(starts)
    last = final.instructions[-1] if final.instructions else final.from_instruction
    return last.end_line + 1


class Sudo(Rule):
    """sudo is used in a RUN, or installed in the final image.

    RUN already runs as the current USER; `sudo` adds nothing at build time and, installed
    in the runtime image, lets a compromised service user become root.

    Anti-pattern::

        USER app
        RUN sudo apt-get install -y curl

    Better: switch users around the privileged step::

        USER root
        RUN apt-get install -y curl
        USER app
    """

    id = "DW307"
    name = "security.sudo"
    severity = Severity.WARNING
    group = Group.SECURITY
    hadolint = ("DL3004",)

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        """Report sudo in RUN (any stage) and sudo installed in the final image."""
        for ins in _runs(ctx):
            cmds = sec.commands(ins)
            if any(_leading_word(c) == "sudo" for c in cmds):
                yield self.report(ctx, ins, "sudo in RUN: switch with USER root / USER app instead")
            elif ctx.is_runtime(ins.stage_index) and any(
                "sudo" in sec.installed_packages(c) for c in cmds
            ):
                yield self.report(
                    ctx,
                    ins,
                    "sudo is installed in the final image: the service user could become root",
                )


def _leading_word(cmd: Command) -> str:
    words = [w for w in cmd.words if not re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", w) and w != "env"]
    return words[0].rsplit("/", 1)[-1] if words else ""


class Setuid(Rule):
    """A file in the final image gets the setuid (or setgid) bit.

    A setuid binary runs as its owner (root) whoever starts it: a way up from the service
    user for anyone who gets code execution in the container.

    Anti-pattern::

        RUN chmod u+s /usr/local/bin/tool

    Better: give the service user the access it needs (file ownership, a capability on a
    port via the runtime), not a setuid binary.
    """

    id = "DW308"
    name = "security.setuid"
    severity = Severity.WARNING
    group = Group.SECURITY

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        """Report chmod/install calls that set setuid (or setgid on binaries)."""
        for ins in _runs(ctx, runtime_only=True):
            for cmd in sec.commands(ins):
                call = sec.chmod_calls(cmd)
                if call is None:
                    continue
                mode, targets = call
                binaries = [t for t in targets if "/bin/" in t or "/sbin/" in t]
                if mode.setuid or (mode.setgid and binaries):
                    bit = "setuid" if mode.setuid else "setgid"
                    yield self.report(ctx, ins, f"sets the {bit} bit on {' '.join(targets)}")
                    break


class SshInImage(Rule):
    """The final image runs or carries SSH: port 22, an SSH server, or a `.ssh` directory.

    Containers are reached with `docker exec`; an SSH server is one more daemon and
    password/key store to attack, and copied `.ssh` keys ship with every pushed image.

    Anti-pattern::

        RUN apt-get install -y openssh-server
        COPY .ssh /root/.ssh
        EXPOSE 22

    Better: no SSH in the image; for private git dependencies at build time use
    `RUN --mount=type=ssh` in a builder stage.
    """

    id = "DW310"
    name = "security.ssh-in-image"
    severity = Severity.WARNING
    group = Group.SECURITY

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        """Report SSH ports, servers, keys and daemons in the final image."""
        for ins in ctx.runtime_instructions():
            reason = _ssh_reason(ins)
            if reason:
                yield self.report(
                    ctx, ins, f"{reason}: keep SSH out of the image (use docker exec)"
                )


_SSH_SERVERS = {"openssh-server", "openssh", "dropbear", "ssh"}


def _ssh_reason(ins: Instruction) -> str | None:
    if ins.cmd == "EXPOSE" and any(p.split("/", 1)[0] == "22" for p in ins.value):
        return "EXPOSE 22"
    if ins.cmd == "RUN":
        servers = {p for c in sec.commands(ins) for p in sec.installed_packages(c)} & _SSH_SERVERS
        return f"installs {', '.join(sorted(servers))}" if servers else None
    if ins.cmd in {"COPY", "ADD"} and any(".ssh" in p.split("/") for p in ins.value):
        return "copies a .ssh directory"
    if ins.cmd in {"CMD", "ENTRYPOINT"} and any(
        w.rsplit("/", 1)[-1] == "sshd" for w in " ".join(ins.value).split()
    ):
        return "starts sshd"
    return None


class WorldWritable(Rule):
    """Files in the final image are made world-writable (`chmod 777`, `o+w`).

    Any user in the container, not only the service user, can then rewrite the code or
    data: a compromised process can plant code that the service later imports.

    Anti-pattern::

        RUN chmod -R 777 /app

    Better: give the service user ownership of what it must write, and nothing else::

        COPY --chown=app:app . /app
    """

    id = "DW314"
    name = "security.world-writable"
    severity = Severity.WARNING
    group = Group.SECURITY

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        """Report world-writable modes set in the final image."""
        for ins in ctx.runtime_instructions("RUN", "COPY", "ADD"):
            mode = ins.flag("chmod")
            parsed = sec.chmod_mode(mode) if mode else None
            if parsed and parsed.world_writable:
                yield self.report(ctx, ins, f"--chmod={mode} makes the copied files world-writable")
                continue
            calls = [call for c in sec.commands(ins) if (call := sec.chmod_calls(c))]
            targets = [t for m, ts in calls if m.world_writable for t in ts]
            if targets:
                yield self.report(
                    ctx,
                    ins,
                    f"makes {' '.join(targets)} world-writable: chown to the service user instead",
                )
