"""Keep a bind-mounted wheelhouse out of the images that copy the context holding it.

The wheelhouse (`--wheelhouse DIR`) must stay in the build context for the install's bind
mount, so a later `COPY . .` would put its wheels (a CPU torch wheel is ~190 MB) in the
image. Such copies go through a `source` stage that drops the folder; the development and
production stages copy the cleaned tree from there:

    FROM python:3.11-slim AS source
    COPY . /source/app/
    RUN rm -rf /source/app/wheelhouse
    ...
    COPY --from=source /source/app/ /app/
"""

from __future__ import annotations

import fnmatch
import posixpath
from dataclasses import dataclass
from pathlib import Path

from dockwright.generate.svc_facts import Kept
from dockwright.generate.svc_install import WHEELHOUSE
from dockwright.model.dockerfile import parse_text
from dockwright.rules import _layers

STAGE = "source"
STAGING = "/source"


@dataclass(frozen=True)
class SourceSplit:
    """The body with wheelhouse-carrying copies redirected, and the `source` stage's lines."""

    body: list[Kept]
    stage: list[str]


def mounted(install_texts: list[str | None]) -> bool:
    """True when an install RUN bind-mounts the wheelhouse."""
    return any(f"target={WHEELHOUSE}" in (t or "") for t in install_texts)


def covers(source: str, wheelhouse: str) -> bool:
    """True when COPY `source` (relative to the context) brings the `wheelhouse` folder."""
    src = posixpath.normpath(source.lstrip("/"))
    wh = posixpath.normpath(wheelhouse.strip("/"))
    if src == ".":
        return True
    depth = src.count("/") + 1
    head = "/".join(wh.split("/")[:depth])
    return wh.count("/") + 1 >= depth and fnmatch.fnmatchcase(head, src)


def split_source(body: list[Kept], wheelhouse: str, workdir: str) -> SourceSplit:
    """Route the context copies that bring `wheelhouse` through the `source` stage."""
    out: list[Kept] = []
    stage: list[str] = []
    for kept in body:
        copy = _context_copy(kept.text, workdir)
        if copy is None or not any(covers(s, wheelhouse) for s in copy[1]):
            out.append(kept)
            continue
        flags, sources, dest = copy
        staged = f"{STAGING}{dest}"
        stage += [f"COPY {' '.join(sources)} {staged}", f"RUN rm -rf {_inside(copy, wheelhouse)}"]
        out.append(Kept(" ".join(["COPY", f"--from={STAGE}", *flags, staged, dest]), kept.comment))
    return SourceSplit(out, stage)


def _context_copy(text: str, workdir: str) -> tuple[list[str], list[str], str] | None:
    """(flags, sources, absolute directory destination) of a plain COPY from the context."""
    if not text.startswith("COPY "):
        return None
    ins = parse_text(f"FROM scratch\n{text}\n", Path("Dockerfile")).instructions()[-1]
    if ins.flag("from") is not None:
        return None
    dest = _layers.resolve(ins.destination, workdir)
    return list(ins.flags), list(ins.sources), dest.rstrip("/") + "/"


def _inside(copy: tuple[list[str], list[str], str], wheelhouse: str) -> str:
    """Where the wheelhouse lands in the source stage (a copied folder's contents go to dest)."""
    _, sources, dest = copy
    wh = posixpath.normpath(wheelhouse.strip("/"))
    found = []
    for source in sources:
        src = posixpath.normpath(source.lstrip("/"))
        if not covers(source, wheelhouse):
            continue
        head = "" if src == "." else "/".join(wh.split("/")[: src.count("/") + 1])
        inner = posixpath.relpath(wh, head) if head else wh
        found.append(f"{STAGING}{dest}{'*.whl' if inner == '.' else inner}")
    return " ".join(dict.fromkeys(found))
