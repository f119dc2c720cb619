#!/usr/bin/env python3
"""Regenerate the committed JSON Schema of `dockwright analyze --format json`."""

from __future__ import annotations

import json

from dockwright.report.json import SCHEMA_FILE, json_schema


def main() -> None:
    SCHEMA_FILE.parent.mkdir(parents=True, exist_ok=True)
    SCHEMA_FILE.write_text(json.dumps(json_schema(), indent=2) + "\n", encoding="utf-8")
    print(f"wrote {SCHEMA_FILE}")


if __name__ == "__main__":
    main()
