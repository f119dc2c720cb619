"""Poetry constraint conversion to PEP 440."""

from __future__ import annotations

import pytest

from dockwright.model.poetry import to_pep440


@pytest.mark.parametrize(
    ("poetry", "pep440"),
    [
        ("^1.2.3", ">=1.2.3,<2.0.0"),
        ("^1.2", ">=1.2,<2.0"),
        ("^1", ">=1,<2"),
        ("^0.2.3", ">=0.2.3,<0.3.0"),
        ("^0.0.3", ">=0.0.3,<0.0.4"),
        ("^0.0", ">=0.0,<0.1"),
        ("^0", ">=0,<1"),
        ("~1.2.3", ">=1.2.3,<1.3.0"),
        ("~1.2", ">=1.2,<1.3"),
        ("~1", ">=1,<2"),
        ("~=1.2", "~=1.2"),
        ("1.2.3", "==1.2.3"),
        ("==1.2.3", "==1.2.3"),
        ("1.2.*", "==1.2.*"),
        ("*", ""),
        (">=1.2,<2.0", ">=1.2,<2.0"),
        (">= 1.2 < 2", ">=1.2,<2"),
        ("!=1.5", "!=1.5"),
    ],
)
def test_to_pep440(poetry: str, pep440: str) -> None:
    assert to_pep440(poetry) == (pep440, "")


def test_or_is_narrowed_with_a_note() -> None:
    spec, note = to_pep440("^1.0 || ^2.0")
    assert spec == ">=1.0,<2.0" and "||" in note


def test_invalid_caret() -> None:
    with pytest.raises(ValueError, match="caret"):
        to_pep440("^abc")
