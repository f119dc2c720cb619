"""Configuration: defaults < config file < `DOCKWRIGHT_*` environment < command line.

The file is `dockwright.toml` (keys at top level) or `[tool.dockwright]` in pyproject.toml,
found from the first analysed path upwards (stopping at a repository root), or given
with `--config`. Keys are the CLI option names; rule options (a rule's `config_keys`, such as
`max-context-mb`) and service facts (`cuda`) may also be set globally or per service in
`[tool.dockwright.services.<name>]`. See docs/config.md.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from dockwright.errors import ConfigError
from dockwright.model.findings import Severity
from dockwright.report.base import reporter_names, suggest
from dockwright.rules import registry
from dockwright.rules.engine import RuleSelection

CONFIG_NAMES = ("dockwright.toml", "pyproject.toml")
ENV_PREFIX = "DOCKWRIGHT_"
LIST_KEYS = frozenset({"select", "ignore"})
BOOL_KEYS = frozenset({"exit-zero"})
# Facts about a service that rules read from their options (not tied to a single rule).
SERVICE_OPTIONS = frozenset({"cuda"})
_TOML_POS = re.compile(r"\s*\(at line (\d+), column (\d+)\)")


class ServiceConfig(BaseModel):
    """Overrides for one service: its own select (replaces), ignore (adds) and options."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    options: dict[str, Any] = {}


class Config(BaseModel):
    """The effective configuration of one run (field names are the keys with `_` for `-`)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    fail_on: Severity = Severity.WARNING
    format: str = "terminal"
    output: Path | None = None
    exit_zero: bool = False
    options: dict[str, Any] = {}
    services: dict[str, ServiceConfig] = {}
    source: Path | None = None  # the config file read, if any

    @field_validator("fail_on", mode="before")
    @classmethod
    def _severity(cls, value: object) -> Severity:
        if isinstance(value, Severity):
            return value
        if not isinstance(value, str):
            raise ValueError(f"expected a severity name, got {type(value).__name__}")
        return Severity.parse(value)

    @field_validator("format")
    @classmethod
    def _format(cls, value: str) -> str:
        names = reporter_names()
        if value not in names:
            raise ValueError(
                f"unknown format {value!r}{suggest(value, names)}; choose from: {', '.join(names)}"
            )
        return value

    def selection(self, services: Iterable[str]) -> RuleSelection:
        """The engine's RuleSelection, with global then per-service options for every service."""
        per_service: dict[str, dict[str, Any]] = {}
        for name in services:
            over = self.services.get(name, ServiceConfig())
            entry: dict[str, Any] = {**self.options, **over.options, "ignore": over.ignore}
            if over.select is not None:
                entry["select"] = over.select
            per_service[name] = entry
        return RuleSelection(self.select, self.ignore, per_service)

    def misspelt_services(self, services: Iterable[str]) -> list[str]:
        """Messages for `[services.x]` tables naming no service but close to one (typos)."""
        seen = list(services)
        hints = {name: suggest(name, seen) for name in self.services if name not in seen}
        return [
            f"[services.{name}] matches no service{hint}" for name, hint in hints.items() if hint
        ]


TOP_KEYS = ("select", "ignore", "fail-on", "format", "output", "exit-zero", "services")


def option_keys() -> frozenset[str]:
    """Rule option keys (every registered rule's `config_keys`) plus service facts."""
    keys = {k for rule in registry.all_rules() for k in rule.config_keys}
    return frozenset(keys | SERVICE_OPTIONS)


@dataclass
class _Values:
    """Raw values by key, and where each came from (for error messages)."""

    values: dict[str, Any] = field(default_factory=dict)
    origin: dict[str, str] = field(default_factory=dict)

    def set(self, key: str, value: Any, origin: str) -> None:
        self.values[key] = value
        self.origin[key] = origin


# --- finding and reading the file -------------------------------------------------------------


def find_config(start: Path) -> Path | None:
    """The nearest dockwright.toml, or pyproject.toml with [tool.dockwright], from `start` up."""
    here = start.resolve()
    here = here if here.is_dir() else here.parent
    for folder in (here, *here.parents):
        own = folder / "dockwright.toml"
        if own.is_file():
            return own
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and "[tool.dockwright" in _read_text(pyproject):
            return pyproject
        if (folder / ".git").exists():
            return None
    return None


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read config file: {exc}", path) from None


def read_file(path: Path) -> dict[str, Any]:
    """The dockwright table of a config file; TOML errors carry line and column."""
    text = _read_text(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _toml_error(exc, text, path) from None
    if path.name == "pyproject.toml":
        table = data.get("tool", {}).get("dockwright", {})
        if not isinstance(table, dict):
            raise ConfigError("[tool.dockwright] must be a table", path)
        return table
    return data


def _toml_error(exc: tomllib.TOMLDecodeError, text: str, path: Path) -> ConfigError:
    message = str(exc)
    if message.endswith("(at end of document)"):
        lines = text.split("\n")
        line, column = len(lines), len(lines[-1]) + 1
    elif (pos := _TOML_POS.search(message)) is not None:
        line, column = int(pos.group(1)), int(pos.group(2))
    else:
        return ConfigError(f"invalid TOML: {message}", path)
    detail = _TOML_POS.sub("", message).removesuffix(" (at end of document)")
    return ConfigError(f"invalid TOML: {detail}", path, line, column)


def key_line(path: Path, key: str) -> int | None:
    """Best-effort line number of `key = ...` in a TOML file (for error messages)."""
    pattern = re.compile(rf"""^\s*["']?{re.escape(key)}["']?\s*=""")
    for number, line in enumerate(_read_text(path).splitlines(), start=1):
        if pattern.match(line):
            return number
    return None


# --- layers ---------------------------------------------------------------------------------


def _unknown(key: str, choices: Iterable[str], where: str, path: Path | None) -> ConfigError:
    line = key_line(path, key) if path is not None else None
    return ConfigError(f"unknown key {key!r} {where}{suggest(key, choices)}", path, line)


def _as_list(value: Any, key: str, origin: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{origin}: {key}: expected a list of strings, got {value!r}")
    return tuple(v.strip() for v in value if v.strip())


def _file_layer(path: Path, into: _Values) -> None:
    table = read_file(path)
    allowed = (*TOP_KEYS, *sorted(option_keys()))
    where = "in [tool.dockwright]" if path.name == "pyproject.toml" else "in the config file"
    for raw_key, value in table.items():
        key = raw_key.replace("_", "-")
        if key not in allowed:
            raise _unknown(raw_key, allowed, where, path)
        into.set(key, value, str(path))


def _parse_env(raw: str, key: str, name: str) -> Any:
    if key in LIST_KEYS:
        return _as_list(raw, key, name)
    if key in BOOL_KEYS:
        lowered = raw.strip().lower()
        if lowered not in {"1", "true", "yes", "on", "0", "false", "no", "off", ""}:
            raise ConfigError(f"{name}: expected a boolean (1/0, true/false), got {raw!r}")
        return lowered in {"1", "true", "yes", "on"}
    if key in option_keys():
        try:
            return tomllib.loads(f"v = {raw}")["v"]
        except tomllib.TOMLDecodeError:
            return raw
    return raw


def env_name(key: str) -> str:
    """`fail-on` -> `DOCKWRIGHT_FAIL_ON`."""
    return ENV_PREFIX + key.upper().replace("-", "_")


def _env_layer(env: Mapping[str, str], into: _Values) -> None:
    for key in (*(k for k in TOP_KEYS if k != "services"), *sorted(option_keys())):
        name = env_name(key)
        if name in env:
            into.set(key, _parse_env(env[name], key, name), name)


def _cli_layer(cli: Mapping[str, Any], into: _Values) -> None:
    for raw_key, value in cli.items():
        key = raw_key.replace("_", "-")
        if key not in TOP_KEYS:
            raise ConfigError(f"unknown command-line setting {raw_key!r}")
        if value is None:
            continue
        if key in LIST_KEYS:
            parts = [value] if isinstance(value, str) else list(value)
            value = tuple(p.strip() for v in parts for p in v.split(",") if p.strip())
        into.set(key, value, f"--{key}")


# --- building the typed Config --------------------------------------------------------------


def _services(raw: Any, origin: str, path: Path | None) -> dict[str, ServiceConfig]:
    if not isinstance(raw, dict):
        raise ConfigError(f"{origin}: services: expected a table of service tables")
    allowed = ("select", "ignore", *sorted(option_keys()))
    services = {}
    for name, table in raw.items():
        if not isinstance(table, dict):
            raise ConfigError(f"services.{name}: expected a table", path)
        options: dict[str, Any] = {}
        lists: dict[str, tuple[str, ...]] = {}
        for raw_key, value in table.items():
            key = raw_key.replace("_", "-")
            if key not in allowed:
                raise _unknown(raw_key, allowed, f"in [services.{name}]", path)
            if key in LIST_KEYS:
                lists[key] = _as_list(value, f"services.{name}.{key}", origin)
            else:
                options[key] = value
        services[name] = ServiceConfig.model_validate({**lists, "options": options})
    return services


def _build(layers: _Values, source: Path | None) -> Config:
    values, origin = layers.values, layers.origin
    kwargs: dict[str, Any] = {"source": source, "options": {}}
    for key, value in values.items():
        if key == "services":
            kwargs["services"] = _services(value, origin[key], source)
        elif key in LIST_KEYS:
            kwargs[key] = _as_list(value, key, origin[key])
        elif key in TOP_KEYS:
            kwargs[key.replace("-", "_")] = value
        else:
            kwargs["options"][key] = value
    try:
        return Config(**kwargs)
    except ValidationError as exc:
        raise _validation_error(exc, origin, source) from None


def _validation_error(
    exc: ValidationError, origin: Mapping[str, str], source: Path | None
) -> ConfigError:
    first = exc.errors()[0]
    key = str(first["loc"][0]).replace("_", "-") if first["loc"] else "?"
    return _error_at(key, str(first["msg"]).removeprefix("Value error, "), origin.get(key), source)


def _error_at(key: str, message: str, where: str | None, source: Path | None) -> ConfigError:
    """An error about `key`, located in the file (with its line) or naming the env/CLI origin."""
    if source is not None and where == str(source):
        return ConfigError(f"{key}: {message}", source, key_line(source, key.rpartition(".")[2]))
    return ConfigError(f"{where}: {message}" if where else f"{key}: {message}")


def _check_prefixes(config: Config, origin: Mapping[str, str]) -> None:
    lists = [("select", config.select), ("ignore", config.ignore)]
    for name, svc in config.services.items():
        lists += [
            (f"services.{name}.select", svc.select or ()),
            (f"services.{name}.ignore", svc.ignore),
        ]
    rules = registry.all_rules()
    choices = [r.id for r in rules] + [r.name for r in rules]
    for key, prefixes in lists:
        for prefix in prefixes:
            if not registry.known_prefix(prefix):
                hint = suggest(prefix.upper() if prefix[:2].lower() == "dw" else prefix, choices)
                where = origin.get(key.partition(".")[0])
                raise _error_at(key, f"no rule matches {prefix!r}{hint}", where, config.source)


def load_config(
    paths: Sequence[Path | str] = (),
    config_file: Path | None = None,
    env: Mapping[str, str] | None = None,
    cli: Mapping[str, Any] | None = None,
) -> Config:
    """Merge defaults, the config file, `DOCKWRIGHT_*` variables and CLI values; validate."""
    source = config_file
    if source is None and paths:
        source = find_config(Path(paths[0]))
    elif source is not None and not source.is_file():
        raise ConfigError("config file not found", source)
    layers = _Values()
    if source is not None:
        _file_layer(source, layers)
    _env_layer(os.environ if env is None else env, layers)
    _cli_layer(cli or {}, layers)
    config = _build(layers, source)
    _check_prefixes(config, layers.origin)
    return config
