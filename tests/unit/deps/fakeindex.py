"""A fake package index and resolver for unit tests (no processes, no network).

The resolver only handles exact pins of direct requirements and reports the first broken
demand the way uv words it, so that `deps.explain` parses real-looking text.
"""

from __future__ import annotations

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from dockwright.deps.index import FileInfo
from dockwright.deps.records import Pin
from dockwright.deps.request import ResolveRequest
from dockwright.deps.uvrun import Outcome, Status

Graph = dict[str, dict[str, dict[str, str]]]  # name -> version -> dependency -> spec


class FakeIndex:
    def __init__(self, graph: Graph) -> None:
        self.graph = graph

    def files(self, name: str) -> tuple[FileInfo, ...]:
        return tuple(
            FileInfo(f"{name}-{v}-py3-none-any.whl", Version(v), 1000)
            for v in self.graph.get(name, {})
        )

    def files_of(self, name: str, version: str) -> tuple[FileInfo, ...]:
        return tuple(f for f in self.files(name) if str(f.version) == version)


class FakeResolver:
    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.calls: list[ResolveRequest] = []

    def resolve(self, request: ResolveRequest) -> Outcome:
        self.calls.append(request)
        pins = {}
        for line in request.requirements:
            req = Requirement(line)
            version = str(req.specifier).removeprefix("==")
            if version not in self.graph.get(req.name, {}):
                text = f"Because {req.name} was not found in the package registry and you "
                text += f"require {line}"
                return Outcome(
                    Status.UNSATISFIABLE, error=f"error: No solution found\n  cause: {text}"
                )
            pins[req.name] = version
        for name, version in pins.items():
            for dep, spec in self.graph[name][version].items():
                if dep in pins and Version(pins[dep]) not in SpecifierSet(spec):
                    text = (
                        f"Because {name}=={version} depends on {dep}{spec} and you require "
                        f"{dep}=={pins[dep]}, we can conclude that your requirements and "
                        f"{name}=={version} are incompatible. And because you require "
                        f"{name}=={version}, we can conclude that your requirements are "
                        "unsatisfiable."
                    )
                    return Outcome(
                        Status.UNSATISFIABLE, error=f"error: No solution found\n  cause: {text}"
                    )
        return Outcome(Status.OK, tuple(Pin(n, v) for n, v in sorted(pins.items())))
