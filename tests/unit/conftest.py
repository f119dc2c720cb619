from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _no_processes(no_processes: None) -> None:
    """Unit tests never start processes."""
