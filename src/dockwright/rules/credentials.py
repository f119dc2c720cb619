"""Credential rules (DW3xx, security group): secrets in ENV/ARG, files, URLs.

Recognisers live in `dockwright.rules._security`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from dockwright.model.dockerfile import Instruction
from dockwright.model.findings import Finding, Group, Location, Severity
from dockwright.model.shell import Command
from dockwright.rules import _security as sec
from dockwright.rules.base import Rule, RuleContext

SECRET_MOUNT = "RUN --mount=type=secret,id=NAME and read /run/secrets/NAME"


def _with(finding: Finding, severity: Severity) -> Finding:
    return replace(finding, severity=severity)


class SecretInEnvOrArg(Rule):
    r"""A secret is passed through ENV or ARG, or a credential is written in the Dockerfile.

    ENV values are stored in the image config and readable by anyone who pulls the image;
    ARG values end up in the image history and build provenance. A literal credential in
    the Dockerfile is also committed to version control. Names that only point at a secret
    (`PASSWORD_FILE`, `HF_TOKEN_PATH`) are fine. Credentials inside URLs are DW309/DW311.

    Anti-pattern::

        ARG HF_TOKEN
        ENV OPENAI_API_KEY=sk-...
        RUN huggingface-cli download org/model --token $HF_TOKEN

    Better: mount build secrets for the one step that needs them; give runtime secrets to
    the container (compose `env_file`, `docker run -e`), never to the image::

        RUN --mount=type=secret,id=hf_token \\
            HF_TOKEN="$(cat /run/secrets/hf_token)" huggingface-cli download org/model

    built with `docker build --secret id=hf_token,src=hf_token.txt .`
    """

    id = "DW302"
    name = "security.secret-in-env-or-arg"
    severity = Severity.WARNING
    group = Group.SECURITY

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        """Report secret-named ENV/ARG and credential-shaped values."""
        for ins in ctx.dockerfile.instructions():
            if ins.cmd in {"ENV", "ARG", "LABEL"}:
                yield from self._variables(ctx, ins)
            elif ins.cmd == "RUN":
                kind = next(
                    filter(
                        None, (sec.credential_kind(w) for c in sec.commands(ins) for w in c.words)
                    ),
                    None,
                )
                if kind:
                    message = f"the RUN command contains what looks like {kind}; use {SECRET_MOUNT}"
                    yield _with(self.report(ctx, ins, message), Severity.ERROR)

    def _variables(self, ctx: RuleContext, ins: Instruction) -> Iterator[Finding]:
        pairs = ins.pairs() if ins.cmd == "LABEL" else list(sec.assignments(ins))
        for name, value, *rest in pairs:
            kind = sec.credential_kind(value)
            if kind:
                message = f"{ins.cmd} {name} holds what looks like {kind}: readable in the image"
                yield _with(self.report(ctx, ins, message), Severity.ERROR)
            elif ins.cmd != "LABEL" and sec.secret_name(name):
                finding = self._named(ctx, ins, name, value, bool(rest and rest[0]))
                if finding is not None:
                    yield finding

    def _named(
        self, ctx: RuleContext, ins: Instruction, name: str, value: str, explicit: bool
    ) -> Finding | None:
        if explicit and sec.is_setting(value):
            return None
        if explicit and value and "$" not in value:
            message = (
                f"{ins.cmd} {name} sets a literal secret in the Dockerfile; use {SECRET_MOUNT}"
            )
            return _with(self.report(ctx, ins, message), Severity.ERROR)
        runtime = ctx.is_runtime(ins.stage_index)
        if ins.cmd == "ENV":
            if not value or not runtime:
                return None
            message = (
                f"ENV {name}={value} stores the secret in the image config; set it at run time"
            )
            return self.report(ctx, ins, message)
        if ins.stage_index < 0:
            return None
        where = "the image history and provenance" if runtime else "the build cache and provenance"
        message = f"ARG {name}: a --build-arg secret is recorded in {where}; use {SECRET_MOUNT}"
        return _with(self.report(ctx, ins, message), Severity.WARNING if runtime else Severity.INFO)


class SecretFileInContext(Rule):
    """A credential file in the build context is copied into the image.

    `.env`, private keys, `.npmrc`/`.pypirc`/`.netrc`, cloud credentials: once COPY'd they
    are in a layer for good (deleting them later does not help), and pushed with the image.
    `.env.example`-style templates are fine.

    Anti-pattern (no .dockerignore, `.env` next to the code)::

        COPY . /app

    Better: keep secrets out of the context and give them to the container at run time::

        # .dockerignore
        .env
        *.pem
    """

    id = "DW303"
    name = "security.secret-file-in-context"
    severity = Severity.ERROR
    group = Group.SECURITY

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        """Report each COPY/ADD that reaches a credential file in the context."""
        context = ctx.service.context
        secrets = [
            e.rel
            for e in ctx.service.context_entries
            if not e.excluded and sec.secret_file(e.rel, context / e.rel)
        ]
        for ins in ctx.dockerfile.instructions():
            if ins.cmd not in {"COPY", "ADD"} or ins.flag("from") is not None:
                continue
            names = self._reached(ctx, ins, secrets)
            if not names:
                continue
            shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
            ignore = (
                "not excluded by .dockerignore"
                if ctx.service.dockerignore.exists
                else "there is no .dockerignore"
            )
            message = f"copies {shown} into the image ({ignore}); pass secrets at run time"
            finding = self.report(ctx, ins, message)
            yield finding if ctx.is_runtime(ins.stage_index) else _with(finding, Severity.WARNING)

    def _reached(self, ctx: RuleContext, ins: Instruction, secrets: list[str]) -> list[str]:
        found: list[str] = []
        for src in ins.sources:
            source = sec.normalized_source(src)
            if source is None:
                continue
            found.extend(rel for rel in secrets if sec.source_reaches(source, rel))
            path = ctx.service.context / source
            if (
                source
                and sec.secret_file(source, path)
                and not ctx.service.dockerignore.excluded(source)
            ):
                found.append(source)
        return list(dict.fromkeys(found))


_INDEX_OPTIONS = (
    "--index-url",
    "-i",
    "--extra-index-url",
    "--find-links",
    "-f",
    "--index",
    "--default-index",
    "--extra-index",
)
INDEX_VARS = {
    "PIP_INDEX_URL",
    "PIP_EXTRA_INDEX_URL",
    "PIP_FIND_LINKS",
    "UV_INDEX_URL",
    "UV_EXTRA_INDEX_URL",
    "UV_DEFAULT_INDEX",
    "UV_INDEX",
    "UV_FIND_LINKS",
}


def _index_urls(cmd: Command) -> list[str]:
    """URLs a pip/uv command uses as package index (`--index name=url` unwrapped)."""
    prog = sec.program(cmd)
    if not (
        prog.startswith("pip") or prog == "uv" or (prog.startswith("python") and "pip" in cmd.words)
    ):
        return []
    words = list(cmd.words)
    urls = list(sec.option_values(words, *_INDEX_OPTIONS))
    urls += [
        words[i + 1] for i, w in enumerate(words[:-1]) if w.endswith(("index-url", ".find-links"))
    ]
    return [u.split("=", 1)[1] if "=" in u.split("://", 1)[0] else u for u in urls]


def _variable_urls(value: str) -> list[str]:
    return [w.split("=", 1)[1] if "=" in w.split("://", 1)[0] else w for w in value.split()]


class CredentialsInIndexUrl(Rule):
    r"""A package index URL carries a password or token.

    `--index-url https://user:token@host/simple` in a RUN is stored in the image history;
    in ENV (even as `${TOKEN}`) it is expanded into the image config; in a requirements file
    it is committed with the code.

    Anti-pattern::

        RUN pip install --index-url https://ci:s3cr3t@pypi.example.com/simple -r requirements.txt

    Better: mount the credentials for the install step only::

        RUN --mount=type=secret,id=netrc,target=/root/.netrc \\
            pip install --index-url https://pypi.example.com/simple -r requirements.txt

    (with uv: `UV_INDEX_<NAME>_PASSWORD="$(cat /run/secrets/NAME)"` in the same RUN).
    """

    id = "DW309"
    name = "security.credentials-in-index-url"
    severity = Severity.ERROR
    group = Group.SECURITY

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        """Report index URLs with credentials in the Dockerfile and requirements."""
        for ins in ctx.dockerfile.instructions():
            urls = [
                u
                for c in sec.commands(ins)
                for u in _index_urls(c)
                if sec.url_has_credentials(u, allow_variables=True)
            ]
            for name, value, explicit in (
                sec.assignments(ins) if ins.cmd in {"ENV", "ARG", "RUN"} else ()
            ):
                strict = ins.cmd == "ENV"  # ENV expands ${TOKEN} into the image config
                if name in INDEX_VARS and explicit:
                    urls += [
                        u
                        for u in _variable_urls(value)
                        if sec.url_has_credentials(u, allow_variables=not strict)
                    ]
            if urls:
                shown = ", ".join(dict.fromkeys(sec.redact_url(u) for u in urls))
                yield self.report(
                    ctx, ins, f"index URL with credentials ({shown}); mount them as a build secret"
                )
        for dep in ctx.service.dep_files:
            for url in (*dep.index_urls, *dep.extra_index_urls, *dep.find_links):
                if sec.url_has_credentials(url, allow_variables=True):
                    where = Location(dep.path, _line_of(dep.path, url))
                    yield self.report(
                        ctx,
                        where,
                        f"index URL with credentials ({sec.redact_url(url)}); use ${{VAR}} instead",
                    )


def _line_of(path: Path, needle: str) -> int:
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    return next((n for n, line in enumerate(lines, start=1) if needle in line), 1)


_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s\"'<>]+")


class CredentialsInUrl(Rule):
    r"""A URL other than a package index carries a password or token.

    `git clone https://user:token@...`, `ADD https://token@host/file`, a `DATABASE_URL` with
    a password or a `git+https://token@github.com/...` requirement: the credential is in
    the Dockerfile or requirements file, the image history or the image config.
    Package index URLs are DW309.

    Anti-pattern::

        RUN git clone https://ci:s3cr3t@git.example.com/team/lib.git

    Better: mount the credentials for that step only::

        RUN --mount=type=secret,id=git_token \\
            GIT_TOKEN="$(cat /run/secrets/git_token)" && git clone https://ci:${GIT_TOKEN}@git.example.com/team/lib.git
    """

    id = "DW311"
    name = "security.credentials-in-url"
    severity = Severity.ERROR
    group = Group.SECURITY

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        """Report other URLs with credentials (RUN, ADD, ENV/ARG/LABEL, requirements)."""
        for ins in ctx.dockerfile.instructions():
            urls = _command_urls(ins) + _source_urls(ins) + _value_urls(ins)
            if urls:
                shown = ", ".join(dict.fromkeys(sec.redact_url(u) for u in urls))
                yield self.report(ctx, ins, f"URL with credentials ({shown}); use {SECRET_MOUNT}")
        for dep in ctx.service.dep_files:
            for req in dep.requirements:
                if sec.url_has_credentials(req.url, allow_variables=True):
                    shown = sec.redact_url(req.url)
                    message = f"requirement URL with credentials ({shown}); use ${{VAR}} instead"
                    yield self.report(ctx, Location(req.path, req.line), message)


def _command_urls(ins: Instruction) -> list[str]:
    found: list[str] = []
    for cmd in sec.commands(ins):
        skip = set(_index_urls(cmd))
        words = [w for w in cmd.words if w.split("=", 1)[0] not in INDEX_VARS]
        urls = [u for w in words for u in _URL.findall(w) if u not in skip]
        found += [u for u in urls if sec.url_has_credentials(u, allow_variables=True)]
    return found


def _source_urls(ins: Instruction) -> list[str]:
    if ins.cmd != "ADD":
        return []
    return [s for s in ins.sources if sec.url_has_credentials(s, allow_variables=True)]


def _value_urls(ins: Instruction) -> list[str]:
    if ins.cmd not in {"ENV", "ARG", "LABEL"}:
        return []
    pairs = ins.pairs() if ins.cmd != "ARG" else [(n, v) for n, v, _ in sec.assignments(ins)]
    allow = ins.cmd == "ARG"  # ENV and LABEL expand ${VAR} into the image config
    return [
        u
        for name, value in pairs
        if name not in INDEX_VARS
        for u in _URL.findall(value)
        if sec.url_has_credentials(u, allow_variables=allow)
    ]
