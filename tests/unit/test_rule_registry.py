"""The registry's invariants: every rule is declared, documented and has YAML cases."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from dockwright.rules.registry import all_rules

RULES_DIR = Path(__file__).parents[1] / "rules"


def test_at_least_forty_rules() -> None:
    assert len(all_rules()) >= 40


@pytest.mark.parametrize("rule", all_rules(), ids=lambda r: r.id)
def test_rule_is_declared_and_documented(rule: type) -> None:
    assert re.fullmatch(r"DW\d{3}", rule.id)
    assert re.fullmatch(r"[a-z]+\.[a-z0-9-]+", rule.name)
    assert rule.summary(), "docstring summary line missing"


@pytest.mark.parametrize("rule", all_rules(), ids=lambda r: r.id)
def test_rule_has_yaml_cases(rule: type) -> None:
    path = RULES_DIR / f"{rule.id}.yml"
    assert path.is_file(), f"missing {path}"
    cases = yaml.safe_load(path.read_text())["cases"]
    assert any(c.get("expect") for c in cases), "no must-fail case"
    assert any(not c.get("expect") for c in cases), "no must-pass case"
    if rule.fixable:
        assert any("fixed" in c for c in cases), "fixable rule without a fix case"
