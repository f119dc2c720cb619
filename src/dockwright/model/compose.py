"""Compose files: which services build which Dockerfile, with which context and target."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from dockwright.errors import InputError

COMPOSE_GLOBS = ("docker-compose*.yml", "docker-compose*.yaml", "compose*.yaml", "compose*.yml")


@dataclass(frozen=True)
class ComposeBuild:
    """A compose service's `build:` section, resolved to paths."""

    compose_file: Path
    service: str
    line: int
    context: Path
    dockerfile: Path
    target: str | None = None
    target_line: int | None = None
    args: dict[str, str] = field(default_factory=dict)
    additional_contexts: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ComposeService:
    """One service of a compose file (only what dockwright uses)."""

    name: str
    line: int
    build: ComposeBuild | None
    image: str | None
    raw: dict[str, Any]


@dataclass(frozen=True)
class ComposeFile:
    """A parsed compose file."""

    path: Path
    services: tuple[ComposeService, ...]

    @property
    def is_overlay(self) -> bool:
        """True for override/dev/prod files layered over a base compose file."""
        stem = self.path.stem.lower()
        return stem not in {"docker-compose", "compose"}


class _LineLoader(yaml.SafeLoader):
    """SafeLoader that records the line of every mapping key as `__line__<key>`."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    mapping: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)  # type: ignore[no-untyped-call]
        mapping[key] = loader.construct_object(value_node, deep=True)  # type: ignore[no-untyped-call]
        mapping[f"__line__{key}"] = key_node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _clean(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items() if not str(k).startswith("__line__")}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def _build(path: Path, name: str, spec: dict[str, Any], line: int) -> ComposeBuild | None:
    build = spec.get("build")
    if build is None:
        return None
    if isinstance(build, str):
        build = {"context": build}
    if not isinstance(build, dict):
        raise InputError(f"service {name!r}: build must be a string or mapping", path, line)
    context = (path.parent / str(build.get("context", "."))).resolve()
    dockerfile = context / str(build.get("dockerfile", "Dockerfile"))
    args = build.get("args") or {}
    if isinstance(args, list):
        args = dict(str(a).partition("=")[::2] for a in args)
    target = build.get("target")
    return ComposeBuild(
        compose_file=path,
        service=name,
        line=int(spec.get("__line__build", line)),
        context=context,
        dockerfile=dockerfile.resolve(),
        target=str(target) if target is not None else None,
        target_line=build.get("__line__target"),
        args={str(k): str(v) for k, v in _clean(args).items()},
        additional_contexts={str(k): str(v) for k, v in _clean(build.get("additional_contexts") or {}).items()},
    )


def load_compose(path: Path) -> ComposeFile:
    """Parse a compose file; InputError with file and line on bad YAML."""
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LineLoader)  # noqa: S506
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark is not None else None
        raise InputError(f"invalid YAML: {exc.problem}", path, line) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read compose file: {exc}", path) from exc
    if data is None:
        return ComposeFile(path, ())
    if not isinstance(data, dict):
        raise InputError("compose file must be a mapping", path, 1)
    services_raw = data.get("services") or {}
    if not isinstance(services_raw, dict):
        raise InputError("'services' must be a mapping", path, data.get("__line__services"))
    services = []
    for name, spec in services_raw.items():
        if str(name).startswith("__line__") or not isinstance(spec, dict):
            continue
        line = int(services_raw.get(f"__line__{name}", 1))
        services.append(
            ComposeService(str(name), line, _build(path, str(name), spec, line), spec.get("image"), _clean(spec))
        )
    return ComposeFile(path, tuple(services))
