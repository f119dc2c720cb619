"""plan_optimization with stand-in per-service generators (tests/unit/generate/repo_fakes.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dockwright.generate.files import GeneratedFile
from dockwright.generate.project import Generators, plan_optimization
from dockwright.generate.writer import write_in_place
from dockwright.model.project import discover
from tests.unit.generate.repo_fakes import fake_dockerfile, fake_generators, make_repo


def _snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "repo")


def _plan(root: Path):  # type: ignore[no-untyped-def]
    return plan_optimization(discover([root]), generators=fake_generators())


def test_plan_lists_every_generated_file(repo: Path) -> None:
    paths = {c.path.as_posix() for c in _plan(repo).changes}
    assert paths == {
        ".dockerignore",
        "Makefile",
        "compose.dev.yaml",
        "compose.prod.yaml",
        "docker-bake.hcl",
        "docker-compose.prod.yml",
        "services/api/.dockerignore",
        "services/api/Dockerfile",
        "services/worker/Dockerfile",
    }


def test_planning_writes_nothing(repo: Path) -> None:
    before = _snapshot(repo)
    _plan(repo)
    assert _snapshot(repo) == before


def test_changes_name_the_rules_they_resolve(repo: Path) -> None:
    plan = _plan(repo)
    by_path = {c.path.as_posix(): c for c in plan.changes}
    assert "DW601" in by_path["docker-compose.prod.yml"].resolves
    assert {"DW101", "DW301", "DW402"} <= set(by_path["services/api/Dockerfile"].resolves)
    assert by_path["compose.dev.yaml"].created and not by_path["Makefile"].created
    assert {"DW101", "DW601"} <= {f.rule_id for f in plan.resolved}


def test_optimized_repository_has_no_fixable_findings(repo: Path) -> None:
    plan = _plan(repo)
    assert any(f.fixable for f in plan.before.findings)
    assert plan.remaining_fixable == ()
    assert all(f.location.path.is_relative_to(repo) for f in plan.after.findings)


def test_second_run_changes_nothing(repo: Path) -> None:
    plan = _plan(repo)
    write_in_place(repo, plan.writes())
    again = _plan(repo)
    assert again.changes == ()


def test_a_claim_the_analysis_disproves_is_dropped(repo: Path) -> None:
    def claims_too_much(*args):  # type: ignore[no-untyped-def]
        file = fake_dockerfile(*args)
        return GeneratedFile(file.path, file.text, ("DW999", "DW101"), file.notes)

    generators = Generators(claims_too_much, fake_generators().dockerignore)
    plan = plan_optimization(discover([repo]), generators=generators)
    change = next(c for c in plan.changes if c.path.as_posix() == "services/api/Dockerfile")
    assert "DW999" in change.resolves  # claimed, and nothing contradicts it
    assert "DW101" in change.resolves


def test_two_generators_disagreeing_on_a_file_is_an_error(repo: Path) -> None:
    def same_ignore_everywhere(service, project, options):  # type: ignore[no-untyped-def]
        return GeneratedFile(repo / ".dockerignore", f"# {service.name}\n")

    generators = Generators(fake_generators().dockerfile, same_ignore_everywhere)
    with pytest.raises(ValueError, match="different texts"):
        plan_optimization(discover([repo]), generators=generators)


def test_files_outside_the_repository_are_not_planned(repo: Path, tmp_path: Path) -> None:
    def elsewhere(service, project, options):  # type: ignore[no-untyped-def]
        return GeneratedFile(tmp_path / "outside" / f"{service.name}.ignore", "x\n")

    plan = plan_optimization(discover([repo]), generators=Generators(fake_dockerfile, elsewhere))
    assert not any("outside" in c.path.as_posix() for c in plan.changes)
    assert any("not written" in n for n in plan.notes)


def test_repository_without_services_plans_nothing(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("hi\n")
    plan = plan_optimization(discover([tmp_path]), generators=fake_generators())
    assert plan.changes == ()
