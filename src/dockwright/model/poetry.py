"""Poetry version constraints (`^1.2`, `~1.2.3`, `1.2.*`, `>=1 <2`) converted to PEP 440."""

from __future__ import annotations

import re

_TOKEN = re.compile(r"(===|==|!=|<=|>=|~=|<|>|\^|~|=)?\s*([^\s,<>=!~^|]+)")


def _release(version: str) -> list[int]:
    parts = []
    for piece in version.split("."):
        digits = re.match(r"\d+", piece)
        if digits is None:
            break
        parts.append(int(digits.group()))
    return parts


def _upper(parts: list[int], index: int) -> str:
    bumped = [*parts[:index], parts[index] + 1]
    return ".".join(str(p) for p in bumped + [0] * (len(parts) - len(bumped)))


def caret(version: str) -> str:
    """`^1.2.3` -> `>=1.2.3,<2.0.0`; the first non-zero component is kept fixed."""
    parts = _release(version)
    if not parts:
        raise ValueError(f"invalid caret constraint '^{version}'")
    index = next((i for i, p in enumerate(parts) if p != 0), len(parts) - 1)
    return f">={version},<{_upper(parts, index)}"


def tilde(version: str) -> str:
    """`~1.2.3` -> `>=1.2.3,<1.3.0`; `~1` -> `>=1,<2`."""
    parts = _release(version)
    if not parts:
        raise ValueError(f"invalid tilde constraint '~{version}'")
    index = 0 if len(parts) == 1 else 1
    return f">={version},<{_upper(parts, index)}"


def _one(op: str, version: str) -> str:
    if op == "^":
        return caret(version)
    if op == "~":
        return tilde(version)
    if version == "*":
        return ""
    if op in {"", "="}:
        return f"=={version}"
    return f"{op}{version}"


def to_pep440(constraint: str) -> tuple[str, str]:
    """(PEP 440 specifier, note). The note is non-empty when `||` had to be narrowed."""
    note = ""
    text = constraint.strip()
    if "||" in text:
        note = f"'{text}' uses '||', which PEP 440 cannot express; using the first alternative"
        text = text.split("||", 1)[0].strip()
    specs = [_one(op, version) for op, version in _TOKEN.findall(text)]
    return ",".join(s for s in specs if s), note
