"""Reports for the golden repositories must match the committed expected files."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import jsonschema
import pytest

from dockwright.report.json import SCHEMA_FILE

SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "regen-golden.py"
SARIF_SCHEMA = Path(__file__).with_name("sarif-schema-2.1.0.json")


def _load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("regen_golden", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


regen = _load_script()


@pytest.mark.parametrize("case", regen.cases(), ids=lambda p: p.name)
def test_golden_case(case: Path) -> None:
    rendered = regen.render_case(case)
    for name, text in rendered.items():
        expected = (case / name).read_text(encoding="utf-8")
        assert text == expected, (
            f"{case.name}/{name} differs from the current output; if the change is intended, "
            "run `.venv/bin/python scripts/regen-golden.py` and review the diff"
        )


@pytest.mark.parametrize("case", regen.cases(), ids=lambda p: p.name)
def test_golden_outputs_are_valid(case: Path) -> None:
    report = json.loads((case / "expected.json").read_text())
    jsonschema.Draft202012Validator(json.loads(SCHEMA_FILE.read_text())).validate(report)
    sarif = json.loads((case / "expected.sarif").read_text())
    jsonschema.Draft4Validator(json.loads(SARIF_SCHEMA.read_text())).validate(sarif)
    assert "ROOT" not in json.dumps(report), "JSON paths must be relative to the analysed root"
