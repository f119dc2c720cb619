#!/usr/bin/env python3
"""Write docs/rules.md from the rule registry (`make rules-doc`); `--check` only compares."""

from __future__ import annotations

import sys
from pathlib import Path

from dockwright.report.rules_doc import render
from dockwright.rules.registry import all_rules

DOC = Path(__file__).resolve().parents[1] / "docs" / "rules.md"


def main(argv: list[str]) -> int:
    text = render([rule.info() for rule in all_rules()])
    if "--check" in argv:
        current = DOC.read_text(encoding="utf-8") if DOC.exists() else ""
        if current != text:
            print(f"{DOC} is out of date: run `make rules-doc`", file=sys.stderr)
            return 1
        return 0
    DOC.parent.mkdir(parents=True, exist_ok=True)
    DOC.write_text(text, encoding="utf-8")
    print(f"wrote {DOC} ({len(all_rules())} rules)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
