from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from dockwright import api
from dockwright.cli import main
from tests.deps_offline.conftest import Wheels, write_service

WHEELS: Wheels = {
    "alpha": {"1.0": [], "1.1": [], "1.2": [], "1.3": []},
    "beta": {"2.0": ["alpha>=1.2,<2"], "1.0": ["alpha>=1.0"]},
    "gamma": {"0.5": []},
}


def _options(house: Path, tmp_path: Path, **kw: bool) -> api.DepsOptions:
    return api.DepsOptions(offline=True, find_links=(house,), cache_dir=tmp_path / "cache", **kw)


def test_conflict_found_explained_and_fixed(
    tmp_path: Path, wheelhouse: Callable[[Wheels], Path]
) -> None:
    house = wheelhouse(WHEELS)
    req = write_service(
        tmp_path / "stack", "worker", "# worker pins\nalpha==1.0  # keep\nbeta==2.0\n"
    )
    report = api.deps([tmp_path / "stack"], _options(house, tmp_path))
    (conflict,) = report.conflicts
    assert conflict.service == "worker" and set(conflict.packages) == {"alpha", "beta"}
    assert conflict.fix is not None and conflict.fix.summary == "bump alpha 1.0 -> 1.2"
    assert req.read_text().count("alpha==1.0") == 1  # nothing written without --fix

    fixed = api.deps([tmp_path / "stack"], _options(house, tmp_path, fix=True))
    assert fixed.written == (req,)
    assert req.read_text() == "# worker pins\nalpha==1.2  # keep\nbeta==2.0\n"
    again = api.deps([tmp_path / "stack"], _options(house, tmp_path))
    assert again.conflicts == () and again.errors == ()
    assert {p.name: p.version for p in again.services[0].resolution} == {
        "alpha": "1.2",
        "beta": "2.0",
    }


def test_bad_inputs_one_line_each_and_the_others_resolve(
    tmp_path: Path, wheelhouse: Callable[[Wheels], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    house = wheelhouse(WHEELS)
    stack = tmp_path / "stack"
    bad = write_service(stack, "bad", "alpha==1.0\nbeta===\n")
    unknown = write_service(stack, "unknown", "alpha==1.0\nnope-package==1.0\n")
    write_service(stack, "good", "gamma==0.5\n")
    before = {p: p.read_text() for p in (bad, unknown)}
    code = main(
        ["deps", str(stack), "--offline", "--find-links", str(house), "--format", "json", "--fix"]
    )
    out, err = capsys.readouterr()
    data = json.loads(out)
    assert code == 1
    lines = [ln for ln in err.splitlines() if ln.startswith("error:")]
    assert len(lines) == 2
    assert f"{bad}:2:" in lines[0] and "malformed requirement" in lines[0]
    assert f"{unknown}:2: unknown package 'nope-package': not found in the wheelhouse" in lines[1]
    good = next(s for s in data["services"] if s["service"] == "good")
    assert [p["name"] for p in good["resolution"]] == ["gamma"]
    assert data["conflicts"] == [] and data["written"] == []
    assert {p: p.read_text() for p in before} == before


def test_lock_for_loose_requirements(tmp_path: Path, wheelhouse: Callable[[Wheels], Path]) -> None:
    house = wheelhouse(WHEELS)
    write_service(tmp_path / "stack", "api", "beta>=1\n")
    report = api.deps([tmp_path / "stack"], _options(house, tmp_path, lock=True))
    assert report.services[0].loose == ("beta>=1",)
    lock = tmp_path / "stack/api/requirements.lock"
    assert report.written == (lock,)
    text = lock.read_text()
    assert "beta==2.0" in text and "alpha==1.3" in text and "--hash=sha256:" in text


def test_alignment_is_verified_then_written(
    tmp_path: Path, wheelhouse: Callable[[Wheels], Path]
) -> None:
    house = wheelhouse(WHEELS)
    one = write_service(tmp_path / "stack", "one", "alpha==1.2\nbeta==2.0\n")
    two = write_service(tmp_path / "stack", "two", "alpha==1.1\n")
    report = api.deps([tmp_path / "stack"], _options(house, tmp_path, align=True))
    (m,) = report.misalignments
    assert (m.package, m.proposal, m.verified, m.applied) == ("alpha", "1.2", True, True)
    assert two.read_text() == "alpha==1.2\n" and one.read_text() == "alpha==1.2\nbeta==2.0\n"


def test_wheel_only_services_are_those_that_resolve_to_wheels(
    tmp_path: Path, wheelhouse: Callable[[Wheels], Path]
) -> None:
    house = wheelhouse(WHEELS)
    write_service(tmp_path / "stack", "api", "beta==2.0\n")
    write_service(tmp_path / "stack", "worker", "alpha==1.0\nbeta==2.0\n")  # conflict
    found = api.wheel_only_services(tmp_path / "stack", _options(house, tmp_path))
    assert found == frozenset({"api"})
