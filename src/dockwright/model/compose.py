"""Compose files: which services build which Dockerfile, with which context and target.

Overlays (`docker-compose.prod.yml`, `compose.dev.yaml`, `docker-compose.override.yml`...) are
merged over the base file of their folder the way `docker compose -f base -f overlay` merges
`build`: a string `build` means `{context: ...}`, mappings merge key by key (`args` too), and
relative paths resolve against the base file's folder. Each (file, service) that has a `build`
gets one ComposeBuild with the effective context/dockerfile/target and the file and line where
the target was set. `${VAR}`, `${VAR:-default}` and `$$` are interpolated from the `.env` file
next to the base file (the shell environment is deliberately not read).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from dockwright.errors import InputError
from dockwright.model.findings import Problem

COMPOSE_GLOBS = ("docker-compose*.yml", "docker-compose*.yaml", "compose*.yaml", "compose*.yml")
_BASE_NAMES = ("docker-compose.yml", "docker-compose.yaml", "compose.yaml", "compose.yml")
_VAR = re.compile(r"\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}|\$([A-Za-z_]\w*)")


@dataclass(frozen=True)
class ComposeBuild:
    """A compose service's effective `build:` section, resolved to paths."""

    compose_file: Path
    service: str
    line: int
    context: Path
    dockerfile: Path
    target: str | None = None
    target_line: int | None = None
    args: dict[str, str] = field(default_factory=dict)
    additional_contexts: dict[str, str] = field(default_factory=dict)
    target_file: Path | None = None  # the file that set `target` (an overlay or the base)
    base_file: Path | None = None  # for an overlay: the base file merged under it

    @property
    def is_overlay(self) -> bool:
        """True when this record comes from an overlay merged over a base file."""
        return self.base_file is not None


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
    """A parsed compose file (for an overlay, builds are merged over its base)."""

    path: Path
    services: tuple[ComposeService, ...]
    base: Path | None = None

    @property
    def is_overlay(self) -> bool:
        """True for override/dev/prod files layered over a base compose file."""
        return self.path.name not in _BASE_NAMES

    def builds(self) -> tuple[ComposeBuild, ...]:
        """The services' build records."""
        return tuple(s.build for s in self.services if s.build is not None)


class _LineLoader(yaml.SafeLoader):
    """SafeLoader that records the line of every mapping key as `__line__<key>`."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    loader.flatten_mapping(node)  # `<<: *anchor` merge keys
    mapping: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping[f"__line__{key}"] = key_node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _clean(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items() if not str(k).startswith("__line__")}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def _read(path: Path) -> dict[str, Any]:
    """The YAML mapping of a compose file; InputError with file and line when invalid."""
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LineLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise InputError(
            f"invalid YAML: {exc.problem}", path, mark.line + 1 if mark else None
        ) from exc
    except yaml.YAMLError as exc:
        raise InputError(f"invalid YAML: {exc}", path) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read compose file: {exc}", path) from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InputError("compose file must be a mapping", path, 1)
    return data


def _services(path: Path, data: dict[str, Any]) -> dict[str, tuple[int, dict[str, Any]]]:
    raw = data.get("services") or {}
    if not isinstance(raw, dict):
        raise InputError("'services' must be a mapping", path, data.get("__line__services"))
    return {
        str(name): (int(raw.get(f"__line__{name}", 1)), spec)
        for name, spec in raw.items()
        if not str(name).startswith("__line__") and isinstance(spec, dict)
    }


def _build_spec(path: Path, name: str, spec: dict[str, Any]) -> dict[str, Any] | None:
    build = spec.get("build")
    if build is None:
        return None
    if isinstance(build, str):
        return {"context": build}
    if not isinstance(build, dict):
        line = spec.get("__line__build")
        raise InputError(f"service {name!r}: build must be a string or mapping", path, line)
    return build


def read_env(folder: Path) -> dict[str, str]:
    """Variables of the `.env` file compose reads from the project folder."""
    try:
        text = (folder / ".env").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return {}
    env: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.strip().removeprefix("export ").partition("=")
        if sep and key and not key.startswith("#"):
            env[key.strip()] = value.strip().strip("\"'")
    return env


def interpolate(text: str, env: dict[str, str]) -> str:
    """Compose interpolation: `$$`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `$VAR`."""

    def repl(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name = match.group(1) or match.group(4)
        op, arg = match.group(2) or "", match.group(3) or ""
        value = env.get(name)
        if op in {":-", "-"} and (value is None or (op == ":-" and not value)):
            return arg
        if op in {":+", "+"}:
            return arg if value else ""
        return value or ""

    return _VAR.sub(repl, text)


def _is_remote(context: str) -> bool:
    return bool(re.match(r"^(?:[a-z]+://|git@|github\.com/)", context))


@dataclass(frozen=True)
class _Layer:
    """One file's contribution to a service's build."""

    path: Path
    spec: dict[str, Any]


def _merge(layers: list[_Layer]) -> tuple[dict[str, Any], _Layer | None]:
    """Compose's merge of `build` mappings (base first); also which layer set `target`."""
    merged: dict[str, Any] = {}
    target_layer: _Layer | None = None
    for layer in layers:
        for key, value in layer.spec.items():
            if key in {"args", "additional_contexts", "labels"}:
                merged[key] = {**_as_dict(merged.get(key)), **_as_dict(value)}
            else:
                merged[key] = value
        target_layer = layer if "target" in layer.spec else target_layer
    return merged, target_layer


def _real(path: Path) -> Path:
    return Path(os.path.realpath(path))  # never raises on symlink loops (Path.resolve does)


def _effective(
    layers: list[_Layer], name: str, line: int, env: dict[str, str], base: Path | None
) -> ComposeBuild | None:
    """Merge the build layers (base first) into one ComposeBuild."""
    merged, target_layer = _merge(layers)
    context_text = interpolate(str(merged.get("context", ".")), env)
    if _is_remote(context_text) or "dockerfile_inline" in merged:
        return None
    context = _real((base or layers[-1].path).parent / context_text)
    dockerfile = _real(context / interpolate(str(merged.get("dockerfile", "Dockerfile")), env))
    target = merged.get("target")
    return ComposeBuild(
        compose_file=layers[-1].path,
        service=name,
        line=line,
        context=context,
        dockerfile=dockerfile,
        target=interpolate(str(target), env) if target is not None else None,
        target_line=target_layer.spec.get("__line__target") if target_layer else None,
        args={k: interpolate(v, env) for k, v in _as_dict(merged.get("args")).items()},
        additional_contexts=_as_dict(merged.get("additional_contexts")),
        target_file=target_layer.path if target_layer else None,
        base_file=base,
    )


def _as_dict(value: Any) -> dict[str, str]:
    if isinstance(value, list):
        return dict((str(a).partition("=")[0], str(a).partition("=")[2]) for a in value)
    if isinstance(value, dict):
        return {str(k): "" if v is None else str(v) for k, v in _clean(value).items()}
    return {}


def _compose_file(
    path: Path, data: dict[str, Any], base: tuple[Path, dict[str, Any]] | None
) -> ComposeFile:
    env = read_env((base[0] if base else path).parent)
    base_services = _services(*base) if base else {}
    services = []
    for name, (line, spec) in _services(path, data).items():
        own = _build_spec(path, name, spec)
        layers = [_Layer(path, own)] if own is not None else []
        if base and own is not None and name in base_services:
            under = _build_spec(base[0], name, base_services[name][1])
            layers = ([_Layer(base[0], under)] if under is not None else []) + layers
        build = (
            _effective(
                layers, name, int(spec.get("__line__build", line)), env, base[0] if base else None
            )
            if layers
            else None
        )
        image = spec.get("image")
        services.append(
            ComposeService(name, line, build, str(image) if image else None, _clean(spec))
        )
    return ComposeFile(path, tuple(services), base[0] if base else None)


def load_compose(path: Path) -> ComposeFile:
    """Parse one compose file on its own (no overlay merge); InputError with file and line."""
    return _compose_file(path, _read(path), None)


def base_of(path: Path) -> Path | None:
    """The base compose file an overlay is merged over (None for a base file or no base)."""
    if path.name in _BASE_NAMES:
        return None
    family = "docker-compose" if path.name.startswith("docker-compose") else "compose"
    ordered = sorted(_BASE_NAMES, key=lambda n: not n.startswith(family + "."))
    return next((path.with_name(n) for n in ordered if path.with_name(n).is_file()), None)


def load_compose_files(
    paths: Iterable[Path],
) -> tuple[tuple[ComposeFile, ...], tuple[Problem, ...]]:
    """Parse compose files, merging overlays over their bases; bad files become Problems."""
    ordered = sorted(set(paths), key=lambda p: (p.parent, p.name not in _BASE_NAMES, p.name))
    raw: dict[Path, dict[str, Any] | None] = {}
    problems: list[Problem] = []

    def read(path: Path) -> dict[str, Any] | None:
        if path not in raw:
            try:
                raw[path] = _read(path)
            except InputError as exc:
                raw[path] = None
                problems.append(Problem(exc.path or path, exc.message, exc.line))
        return raw[path]

    files: list[ComposeFile] = []
    for path in ordered:
        data, base = read(path), base_of(path)
        under = read(base) if base is not None else None
        if data is None:
            continue
        try:
            files.append(_compose_file(path, data, (base, under) if base and under else None))
        except InputError as exc:
            problems.append(Problem(exc.path or path, exc.message, exc.line))
    return tuple(files), tuple(problems)
