"""Bench scenarios: parse them, and make their changes in a temporary copy of a service.

- cold: built with no layer cache (see docs/bench.md for what that isolates per client);
- warm: rebuilt with nothing changed since its last build;
- code: one Python file the image copies gets a comment with a fresh token appended;
- deps: one small pinned package (`six==1.16.0`, or another when six is there already) and a
  fresh token comment are appended to the requirements file the service installs.

Each change rewrites the file from its original text plus a new token, so every repeat is a
real change for the build cache, and repeats never pile up duplicate requirements.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from pathlib import Path

from dockwright.errors import UsageError
from dockwright.model.depfiles import DepKind
from dockwright.model.measurements import Scenario
from dockwright.model.project import Service

ALL_SCENARIOS = tuple(Scenario)
SMALL_PACKAGES = (("six", "1.16.0"), ("toml", "0.10.2"), ("idna", "3.7"))
MARK = "# dockwright bench"


def parse_scenarios(text: str) -> tuple[Scenario, ...]:
    """`cold,warm` -> (Scenario.COLD, Scenario.WARM); order kept, duplicates dropped."""
    names = [n.strip().lower() for n in text.split(",") if n.strip()]
    known = [s.value for s in Scenario]
    unknown = [n for n in names if n not in known]
    if unknown or not names:
        raise UsageError(
            f"unknown scenario {', '.join(unknown) or '(none)'}; choose from: {', '.join(known)}"
        )
    return tuple(dict.fromkeys(Scenario(n) for n in names))


@dataclass(frozen=True)
class Edit:
    """A file a scenario rewrites: its original text and what is appended."""

    path: Path
    original: str
    addition: str = ""

    def apply(self, token: str) -> None:
        """Write original + addition + a fresh token comment."""
        body = (
            self.original
            if self.original.endswith("\n") or not self.original
            else self.original + "\n"
        )
        self.path.write_text(f"{body}{self.addition}{MARK} {token}\n", encoding="utf-8")


def _copied(service: Service, rel: str) -> bool:
    """True when some COPY/ADD from the context (not another stage) takes `rel`."""
    for ins in service.dockerfile.instructions():
        if ins.cmd not in {"COPY", "ADD"} or ins.flag("from") is not None:
            continue
        for source in ins.sources:
            src = source.lstrip("/").removeprefix("./").rstrip("/")
            if src in {"", "."} or rel == src or rel.startswith(f"{src}/"):
                return True
            if any(c in src for c in "*?[") and fnmatch.fnmatchcase(rel, src):
                return True
    return False


def code_edit(service: Service) -> Edit | str:
    """The code change for a service, or why there is none."""
    for path in sorted(service.python_sources):
        rel = path.relative_to(service.context).as_posix()
        if _copied(service, rel):
            return Edit(path, path.read_text(encoding="utf-8"))
    return "no Python source file that the Dockerfile copies"


def deps_edit(service: Service) -> Edit | str:
    """The dependency change for a service, or why there is none."""
    files = [d for d in service.dep_files if d.kind is DepKind.REQUIREMENTS]
    if not files:
        return "no requirements file copied into the image (pyproject/lock-only is not changed)"
    target = files[0]
    if any(r.hashes for r in target.requirements):
        return f"{target.path.name} pins hashes (--require-hashes); adding a package would break it"
    present = {r.name for d in files for r in d.requirements}
    name, version = next(
        ((n, v) for n, v in SMALL_PACKAGES if n not in present), SMALL_PACKAGES[-1]
    )
    text = target.path.read_text(encoding="utf-8")
    return Edit(target.path, text, f"{name}=={version}\n")
