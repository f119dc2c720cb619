#!/usr/bin/env python3
"""Regenerate the expected reports of every golden case (tests/golden/<case>/expected.*).

Each case is `tests/golden/<case>/input/` (a small repository, with its dockwright.toml)
and one expected file per output format. Paths and the tool version are normalised so the
files do not depend on where the repository is checked out or on the release.
tests/unit/report/test_golden.py renders through `render_case` below and compares.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from dockwright import api

GOLDEN = Path(__file__).resolve().parents[1] / "tests" / "golden"
FORMATS = {
    "terminal": "expected.txt",
    "markdown": "expected.md",
    "json": "expected.json",
    "sarif": "expected.sarif",
}
VERSION = "0.0.0-golden"


def _normalise_json(text: str, fmt: str) -> str:
    data: Any = json.loads(text)
    if fmt == "json":
        data["tool"]["version"] = VERSION
    else:
        run = data["runs"][0]
        run["tool"]["driver"]["version"] = VERSION
        run["originalUriBaseIds"]["SRCROOT"]["uri"] = "file:///ROOT/"
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def render_case(case: Path) -> dict[str, str]:
    """Expected file name -> normalised report text, for one golden case."""
    root = (case / "input").resolve()
    config = api.configure([root], env={})
    result = api.analyze_with_config([root], config)
    rendered = {}
    for fmt, name in FORMATS.items():
        text = api.render(result, fmt)
        if fmt in {"json", "sarif"}:
            text = _normalise_json(text, fmt)
        rendered[name] = text.replace(root.as_uri(), "file:///ROOT").replace(str(root), "ROOT")
    return rendered


def cases() -> list[Path]:
    """Every golden case folder."""
    return sorted(p for p in GOLDEN.iterdir() if (p / "input").is_dir())


def main(argv: list[str]) -> int:
    selected = [c for c in cases() if not argv or c.name in argv]
    for case in selected:
        for name, text in render_case(case).items():
            (case / name).write_text(text, encoding="utf-8")
            print(f"wrote {case.relative_to(GOLDEN.parent.parent)}/{name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
