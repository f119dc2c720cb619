"""A resolution request (pure data) and the `uv pip compile` command line for it."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path

from dockwright.deps.inputs import ServiceInputs
from dockwright.deps.target import Target
from dockwright.model.depfiles import Requirement, real_path


@dataclass(frozen=True)
class Source:
    """Where packages come from: indexes and find-links folders, or only a wheelhouse offline."""

    index_urls: tuple[str, ...] = ()
    extra_index_urls: tuple[str, ...] = ()
    find_links: tuple[str, ...] = ()
    offline: bool = False

    def argv(self) -> list[str]:
        """The uv options for this source (best match across indexes, like pip)."""
        args = [f"--index-url={u}" for u in self.index_urls[:1]]
        args += [f"--extra-index-url={u}" for u in (*self.index_urls[1:], *self.extra_index_urls)]
        args += [f"--find-links={f}" for f in self.find_links]
        if self.offline:
            args += ["--offline", "--no-index"]
        return [*args, "--index-strategy=unsafe-best-match"]


@dataclass(frozen=True)
class ResolveRequest:
    """Requirement, constraint and override lines, for one target, from one source."""

    requirements: tuple[str, ...]
    target: Target = field(default_factory=Target)
    source: Source = field(default_factory=Source)
    constraints: tuple[str, ...] = ()
    overrides: tuple[str, ...] = ()
    hashes: bool = False

    def key(self, tool_version: str) -> str:
        """A stable cache key (the resolver's version included)."""
        text = json.dumps([asdict(self), tool_version], sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:32]

    def argv(self, uv: str, folder: Path) -> list[str]:
        """`uv pip compile` reading the request's files written in `folder`."""
        args = [uv, "pip", "compile", str(folder / "requirements.in")]
        args += ["--python-version", self.target.python]
        args += ["--python-platform", self.target.uv_platform]
        args += ["--no-header", "--annotation-style=line", "--no-config", "--color=never"]
        if self.constraints:
            args += ["--constraint", str(folder / "constraints.txt")]
        if self.overrides:
            args += ["--override", str(folder / "overrides.txt")]
        if self.hashes:
            args.append("--generate-hashes")
        return args + self.source.argv()

    def files(self) -> dict[str, str]:
        """The input files' names and texts."""
        out = {"requirements.in": "".join(f"{r}\n" for r in self.requirements)}
        if self.constraints:
            out["constraints.txt"] = "".join(f"{r}\n" for r in self.constraints)
        if self.overrides:
            out["overrides.txt"] = "".join(f"{r}\n" for r in self.overrides)
        return out


def requirement_line(req: Requirement, version: str | None = None) -> str:
    """The requirement as one pip line; `version` replaces its specifier with `==version`."""
    url = _absolute(req.url, req.path) if req.url else ""
    if not req.name:
        return ("-e " if req.editable else "") + url + (f" ; {req.marker}" if req.marker else "")
    name = req.name + (f"[{','.join(req.extras)}]" if req.extras else "")
    body = (
        f"{name} @ {url}"
        if url and not version
        else name + (f"=={version}" if version else req.specifier)
    )
    return body + (f" ; {req.marker}" if req.marker else "")


def _absolute(url: str, path: Path) -> str:
    if "://" in url or url.startswith(("git+", "file:")):
        return url
    return str(real_path(path.parent / url))


def request_for(
    inputs: ServiceInputs,
    source: Source,
    changes: Mapping[str, str] | None = None,
    hashes: bool = False,
) -> ResolveRequest:
    """The request resolving a service's inputs, with `changes` (name -> version) applied."""
    moved = dict(changes or {})
    reqs = tuple(requirement_line(r, moved.pop(r.name, None)) for r in inputs.requirements)
    cons = tuple(requirement_line(r, moved.pop(r.name, None)) for r in inputs.constraints)
    merged = Source(
        (*source.index_urls, *inputs.index_urls) if not source.offline else source.index_urls,
        (*source.extra_index_urls, *inputs.extra_index_urls) if not source.offline else (),
        tuple(dict.fromkeys((*source.find_links, *inputs.find_links))),
        source.offline,
    )
    extra = tuple(f"{n}=={v}" for n, v in sorted(moved.items()))
    return ResolveRequest(reqs + extra, inputs.target, merged, cons, (), hashes)
