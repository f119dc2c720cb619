"""optimize's repository-level files must match tests/golden/optimize-repo-*/expected/."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import jsonschema
import pytest
import yaml

from tests.unit.generate.test_repo_bake import parse_bake

SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "regen-golden.py"
SCHEMA = json.loads((Path(__file__).parent / "compose-spec.json").read_text())


def _load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("regen_golden_optimize", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


regen = _load_script()


@pytest.mark.parametrize("case", regen.optimize_cases(), ids=lambda p: p.name)
def test_golden_case(case: Path) -> None:
    rendered = regen.render_optimize_case(case)
    on_disk = {
        p.relative_to(case).as_posix() for p in (case / "expected").rglob("*") if p.is_file()
    }
    assert set(rendered) == on_disk
    for name, text in rendered.items():
        assert text == (case / name).read_text(encoding="utf-8"), (
            f"{case.name}/{name} differs from the current output; if the change is intended, "
            "run `.venv/bin/python scripts/regen-golden.py` and review the diff"
        )


@pytest.mark.parametrize("case", regen.optimize_cases(), ids=lambda p: p.name)
def test_golden_files_are_valid(case: Path) -> None:
    validator = jsonschema.Draft7Validator(SCHEMA)
    expected = case / "expected"
    for name in ("compose.dev.yaml", "compose.prod.yaml"):
        data = yaml.safe_load((expected / name).read_text())
        assert [e.message for e in validator.iter_errors(data)] == [], name
    bake = parse_bake((expected / "docker-bake.hcl").read_text())
    for name in bake["group"]["default"]["targets"]:
        assert bake["target"][name]["target"] == "production"
