"""Supply-chain rules (DW3xx, security group): trusting what the build downloads.

Recognisers live in `dockwright.rules._security`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import replace

from dockwright.model.dockerfile import Instruction
from dockwright.model.findings import Finding, Group, Location, Severity
from dockwright.model.shell import Command
from dockwright.rules import _security as sec
from dockwright.rules.base import Rule, RuleContext


def _with(finding: Finding, severity: Severity) -> Finding:
    return replace(finding, severity=severity)


def _runs(ctx: RuleContext) -> Iterator[Instruction]:
    return (i for i in ctx.dockerfile.instructions() if i.cmd == "RUN")


class TrustedHost(Rule):
    r"""pip is told to trust a host (`--trusted-host`, `PIP_TRUSTED_HOST`).

    A trusted host is contacted over plain HTTP or without certificate checks: anyone on the
    path can serve modified packages into the image.

    Anti-pattern::

        RUN pip install --index-url http://pypi.internal/simple \\
            --trusted-host pypi.internal -r requirements.txt

    Better: serve the index over HTTPS; for a private CA, trust the CA instead::

        COPY corp-ca.pem /usr/local/share/ca-certificates/corp-ca.crt
        RUN update-ca-certificates && pip install -r requirements.txt
    """

    id = "DW304"
    name = "security.trusted-host"
    severity = Severity.WARNING
    group = Group.SECURITY

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        """Report trusted hosts in RUN, ENV/ARG and requirements files."""
        for ins in ctx.dockerfile.instructions():
            hosts = _trusted_hosts(ins)
            if hosts:
                yield self.report(
                    ctx,
                    ins,
                    f"pip skips TLS checks for {', '.join(hosts)}: serve the index over HTTPS",
                )
        for dep in ctx.service.dep_files:
            if not dep.trusted_hosts:
                continue
            text = dep.path.read_text(encoding="utf-8", errors="replace")
            for number, line in enumerate(text.splitlines(), start=1):
                match = re.match(r"\s*--trusted-host[\s=]+(\S+)", line)
                if match:
                    message = f"--trusted-host {match.group(1)}: pip skips TLS checks for this host"
                    yield self.report(ctx, Location(dep.path, number), message)


def _trusted_hosts(ins: Instruction) -> list[str]:
    hosts = [
        v for n, v, explicit in sec.assignments(ins) if n == "PIP_TRUSTED_HOST" and explicit and v
    ]
    for cmd in sec.commands(ins):
        hosts.extend(sec.option_values(cmd.words, "--trusted-host"))
        words = list(cmd.words)
        for key in ("global.trusted-host", "install.trusted-host"):
            if key in words[:-1]:
                hosts.append(words[words.index(key) + 1])
    return list(dict.fromkeys(hosts))


_TLS_ENV: dict[str, Callable[[str], bool]] = {
    "PYTHONHTTPSVERIFY": lambda v: v == "0",
    "NODE_TLS_REJECT_UNAUTHORIZED": lambda v: v == "0",
    "GIT_SSL_NO_VERIFY": lambda v: v.lower() not in {"", "0", "false", "no"},
    "REQUESTS_CA_BUNDLE": lambda v: v == "",
    "CURL_CA_BUNDLE": lambda v: v == "",
    "UV_INSECURE_HOST": lambda v: v != "",
}


class TlsVerificationDisabled(Rule):
    """TLS certificate verification is switched off.

    `curl -k`, `wget --no-check-certificate`, `PYTHONHTTPSVERIFY=0`, an empty
    `REQUESTS_CA_BUNDLE`, `git -c http.sslVerify=false`... accept any certificate, so a
    machine in the middle can swap downloads. As ENV in the final image it also disables
    verification for the running service.

    Anti-pattern::

        ENV PYTHONHTTPSVERIFY=0
        RUN curl -k -o model.bin https://example.com/model.bin

    Better: keep verification on; add a private CA to the trust store if one is needed::

        COPY corp-ca.pem /usr/local/share/ca-certificates/corp-ca.crt
        RUN update-ca-certificates && curl -fsSLo model.bin https://example.com/model.bin
    """

    id = "DW305"
    name = "security.tls-verification-disabled"
    severity = Severity.WARNING
    group = Group.SECURITY

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        """Report variables and command options that disable TLS checks."""
        for ins in ctx.dockerfile.instructions():
            for name, value, explicit in (
                sec.assignments(ins) if ins.cmd in {"ENV", "ARG", "RUN"} else ()
            ):
                if explicit and name in _TLS_ENV and _TLS_ENV[name](value):
                    finding = self.report(
                        ctx, ins, f"{name}={value!r} disables TLS certificate verification"
                    )
                    runtime_env = ins.cmd == "ENV" and ctx.is_runtime(ins.stage_index)
                    yield _with(finding, Severity.ERROR) if runtime_env else finding
            reasons = list(dict.fromkeys(filter(None, (_tls_off(c) for c in sec.commands(ins)))))
            if reasons:
                yield self.report(
                    ctx, ins, f"{', '.join(reasons)} disables TLS certificate verification"
                )


def _tls_off(cmd: Command) -> str | None:
    prog, words = sec.program(cmd), [w.lower() for w in cmd.words]
    if prog == "curl" and ("--insecure" in words or sec.short_flag(cmd.words, "k")):
        return "curl -k/--insecure"
    if prog == "wget" and "--no-check-certificate" in words:
        return "wget --no-check-certificate"
    if "--allow-insecure-host" in words or any(
        w.startswith("--allow-insecure-host=") for w in words
    ):
        return "uv --allow-insecure-host"
    pairs = list(zip(words, [*words[1:], ""], strict=True))
    checks = {
        "git http.sslVerify=false": ("http.sslverify", {"false", "0", "no"}),
        "npm strict-ssl false": ("strict-ssl", {"false"}),
        "pip global.cert ''": ("global.cert", {""}),
        "conda ssl_verify false": ("ssl_verify", {"false", "no", "0"}),
    }
    for label, (key, bad) in checks.items():
        if any(w == key and nxt in bad for w, nxt in pairs) or any(
            w in {f"{key}={b}" for b in bad} for w in words
        ):
            return label
    return None


class PipeToShell(Rule):
    """A downloaded script is piped straight into a shell or interpreter.

    `curl ... | sh` runs whatever the server (or a machine in the middle) sends, unreviewed
    and unpinned, and a truncated download runs half a script. (hadolint's DL4006 is about
    `pipefail`, a different problem.)

    Anti-pattern::

        RUN curl -LsSf https://astral.sh/uv/install.sh | sh

    Better: install a pinned release from a package index or a checked download::

        RUN pip install --no-cache-dir uv==0.4.30
    """

    id = "DW306"
    name = "security.pipe-to-shell"
    severity = Severity.WARNING
    group = Group.SECURITY

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        """Report RUNs that pipe a download into an interpreter."""
        for ins in _runs(ctx):
            hit = next((c for c in sec.commands(ins) if _pipes_download(c)), None)
            if hit is None:
                continue
            hint = (
                " (for uv: `pip install uv==<version>`)" if "astral.sh/uv" in ins.original else ""
            )
            message = (
                f"a downloaded script runs unverified via `{sec.program(hit)}`: download it, "
                f"check its sha256, then run it, or install a pinned package{hint}"
            )
            yield self.report(ctx, ins, message)


def _pipes_download(cmd: Command) -> bool:
    if cmd.piped_from and sec.reads_script_from_stdin(cmd):
        return any(sec.fetches(Command(words)) for words in cmd.piped_from)
    if sec.program(cmd) in sec.INTERPRETERS:
        return any(re.search(r"(<\(|\$\(|`)\s*(curl|wget)\b", w) for w in cmd.words)
    return False


class AddUrlUnverified(Rule):
    r"""ADD downloads a file over HTTPS without checking its digest.

    The file is whatever the server returns on the day of the build: a compromised or
    changed upstream ends up in the image unnoticed (and the layer is not reproducible).

    Anti-pattern::

        ADD https://example.com/tool.tar.gz /tmp/

    Better: download and verify the checksum in the same step (`ADD --checksum` needs the
    Dockerfile frontend 1.6 or newer)::

        RUN curl -fsSLo /tmp/tool.tar.gz https://example.com/tool.tar.gz \\
            && echo "<sha256>  /tmp/tool.tar.gz" | sha256sum -c -
    """

    id = "DW312"
    name = "security.add-url-unverified"
    severity = Severity.WARNING
    group = Group.SECURITY

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        """Report ADD of an https URL without --checksum."""
        for ins in ctx.dockerfile.instructions():
            if ins.cmd != "ADD" or ins.flag("checksum") is not None:
                continue
            urls = [
                s
                for s in ins.sources
                if s.startswith("https://") and not s.split("#", 1)[0].endswith(".git")
            ]
            if urls:
                yield self.report(ctx, ins, f"ADD {urls[0]} is not checked against a sha256 digest")


_LOCAL_HOSTS = {"localhost", "127.0.0.1", "0.0.0.0", "[::1]"}


def _plain_http(url: str) -> bool:
    """An http:// URL to a real remote host (not localhost or a dotless service name)."""
    if not url.startswith("http://"):
        return False
    host = url[len("http://") :].split("/", 1)[0].rsplit("@", 1)[-1].rsplit(":", 1)[0]
    return host not in _LOCAL_HOSTS and "." in host and not host.startswith("127.")


class PlainHttpDownload(Rule):
    r"""Something is downloaded over plain HTTP (curl, wget, ADD).

    Without TLS, anyone on the network path can replace the file; nothing checks it.

    Anti-pattern::

        RUN wget http://downloads.example.com/tool.tar.gz

    Better: use HTTPS, and verify a checksum for anything executable::

        RUN wget https://downloads.example.com/tool.tar.gz \\
            && echo "<sha256>  tool.tar.gz" | sha256sum -c -
    """

    id = "DW313"
    name = "security.plain-http-download"
    severity = Severity.WARNING
    group = Group.SECURITY

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        """Report curl/wget/ADD downloads over http://."""
        for ins in ctx.dockerfile.instructions():
            urls = [s for s in ins.sources if _plain_http(s)] if ins.cmd == "ADD" else []
            for cmd in sec.commands(ins):
                if sec.fetches(cmd):
                    urls += [w for w in cmd.words if _plain_http(w)]
            if urls:
                yield self.report(ctx, ins, f"downloads {urls[0]} over plain HTTP: use https://")


_UNSIGNED = {
    "--allow-unauthenticated": "apt --allow-unauthenticated",
    "--force-yes": "apt --force-yes",
    "--allow-insecure-repositories": "apt --allow-insecure-repositories",
    "--allow-untrusted": "apk --allow-untrusted",
    "--nogpgcheck": "--nogpgcheck",
    "--nosignature": "rpm --nosignature",
}
_UNSIGNED_OPTIONS = re.compile(
    r"(AllowUnauthenticated|AllowInsecureRepositories|AllowDowngradeToInsecureRepositories)"
    r"\s*=\s*(true|1|yes)|trusted=yes|gpgcheck=0",
    re.I,
)


class UnsignedPackages(Rule):
    """Package signature checks are switched off (`--allow-unauthenticated`, `--nogpgcheck`...).

    Signed repositories are what makes a package download over HTTP or a mirror safe;
    without the check, a tampered package installs silently.

    Anti-pattern::

        RUN apt-get install -y --allow-unauthenticated libpq5

    Better: import the repository's signing key (`signed-by=` in the sources entry) and keep
    the checks on::

        RUN apt-get install -y --no-install-recommends libpq5
    """

    id = "DW315"
    name = "security.unsigned-packages"
    severity = Severity.WARNING
    group = Group.SECURITY

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        """Report package installs with signature checks disabled."""
        for ins in _runs(ctx):
            words = [w for c in sec.commands(ins) for w in c.words]
            reasons = [_UNSIGNED[w] for w in words if w in _UNSIGNED]
            reasons += [m.group() for w in words if (m := _UNSIGNED_OPTIONS.search(w))]
            if reasons:
                yield self.report(
                    ctx,
                    ins,
                    f"{', '.join(dict.fromkeys(reasons))} disables package signature checks",
                )
