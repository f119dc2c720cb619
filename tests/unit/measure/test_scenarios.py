from __future__ import annotations

from pathlib import Path

import pytest

from dockwright.errors import UsageError
from dockwright.measure.scenarios import MARK, code_edit, deps_edit, parse_scenarios
from dockwright.model.measurements import Scenario
from dockwright.model.project import discover
from tests.unit.measure.conftest import SPLIT, make_service


def test_parse_scenarios_keeps_order_and_drops_duplicates() -> None:
    assert parse_scenarios(" deps,WARM,deps ") == (Scenario.DEPS, Scenario.WARM)


@pytest.mark.parametrize("text", ["", "warm,hot", ","])
def test_parse_scenarios_rejects_unknown_names(text: str) -> None:
    with pytest.raises(UsageError, match="choose from: cold, warm, code, deps"):
        parse_scenarios(text)


def test_code_edit_picks_a_python_file_the_dockerfile_copies(project: Path) -> None:
    services = {s.name: s for s in discover([project]).services}
    edit = code_edit(services["api"])
    assert not isinstance(edit, str)
    assert edit.path.name == "main.py"  # tools/gen.py is not copied by `COPY app ./app`
    edit.apply("t1")
    edit.apply("t2")
    assert edit.path.read_text() == f"print('hi')\n{MARK} t2\n"


def test_code_edit_explains_when_nothing_is_copied(tmp_path: Path) -> None:
    make_service(tmp_path, "svc", SPLIT.replace("COPY app ./app\n", ""))
    (service,) = discover([tmp_path]).services
    assert "no Python source" in str(code_edit(service))


def test_deps_edit_adds_one_small_pin_and_a_fresh_token(project: Path) -> None:
    service = next(s for s in discover([project]).services if s.name == "worker")
    edit = deps_edit(service)
    assert not isinstance(edit, str)
    edit.apply("a")
    edit.apply("b")
    assert edit.path.read_text() == f"idna==3.7\nsix==1.16.0\n{MARK} b\n"


def test_deps_edit_picks_another_package_when_six_is_there(tmp_path: Path) -> None:
    make_service(tmp_path, "svc", SPLIT, "six==1.16.0")
    (service,) = discover([tmp_path]).services
    edit = deps_edit(service)
    assert not isinstance(edit, str)
    edit.apply("x")
    assert edit.path.read_text() == f"six==1.16.0\ntoml==0.10.2\n{MARK} x\n"


def test_deps_edit_refuses_hashed_requirements(tmp_path: Path) -> None:
    make_service(tmp_path, "svc", SPLIT, "idna==3.7 --hash=sha256:" + "0" * 64 + "\n")
    (service,) = discover([tmp_path]).services
    assert "hashes" in str(deps_edit(service))


def test_deps_edit_without_requirements_file(tmp_path: Path) -> None:
    folder = make_service(tmp_path, "svc", "FROM python:3.11-slim\nCOPY app /app\n")
    (folder / "requirements.txt").unlink()
    (service,) = discover([tmp_path]).services
    assert "no requirements file" in str(deps_edit(service))
