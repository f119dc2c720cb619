"""Discovery: services, contexts, targets, names, dependency inputs and bad input."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from dockwright.model import depfiles as depfiles_module
from dockwright.model import project as project_module
from dockwright.model.project import Project, discover, is_dockerfile, unique_names

PY = "FROM python:3.11-slim\n"
MULTI = "FROM python:3.11-slim AS runtime\nFROM runtime AS prod\n"


def repo(root: Path, files: dict[str, str | bytes]) -> Path:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
    return root


def names(project: Project) -> dict[str, str]:
    """service name -> Dockerfile path relative to the first root."""
    root = project.roots[0]
    return {
        s.name: s.dockerfile_path.relative_to(root.resolve()).as_posix() for s in project.services
    }


def test_folder_services_and_naming(tmp_path: Path) -> None:
    root = repo(
        tmp_path / "shop",
        {
            "Dockerfile": PY,
            "Dockerfile.dev": PY,
            "worker.Dockerfile": PY,
            "services/api/Dockerfile": PY,
            "tools/api/Dockerfile": PY,
            "Dockerfile.dockerignore": "x",
            "docs/Dockerfile.md": "not one",
            "node_modules/pkg/Dockerfile": PY,
        },
    )
    project = discover([root])
    assert names(project) == {
        "shop": "Dockerfile",
        "shop-dev": "Dockerfile.dev",
        "worker": "worker.Dockerfile",
        "services-api": "services/api/Dockerfile",
        "tools-api": "tools/api/Dockerfile",
    }
    api = project.service("services-api")
    assert api is not None and api.context == (root / "services" / "api").resolve()
    assert api.target is None and api.compose == () and project.problems == ()


def test_is_dockerfile() -> None:
    assert is_dockerfile(Path("Dockerfile.prod")) and is_dockerfile(Path("api.dockerfile"))
    assert not is_dockerfile(Path("Dockerfile.dockerignore")) and not is_dockerfile(Path("x.py"))


def test_unique_names() -> None:
    assert unique_names([["a", "x-a"], ["a", "y-a"], ["b"]]) == ["x-a", "y-a", "b"]
    assert unique_names([["a", "a"], ["a", "a"]]) == ["a", "a-2"]
    assert unique_names([["api", "svc-api"]], frozenset({"api"})) == ["svc-api"]


COMPOSE = """\
services:
  api:
    build:
      context: ./api
      target: runtime
  worker:
    build:
      context: ./api
      target: runtime
  web:
    build:
      context: .
      dockerfile: docker/web.Dockerfile
"""


def test_compose_contexts_targets_and_dedup(tmp_path: Path) -> None:
    root = repo(
        tmp_path,
        {
            "docker-compose.yml": COMPOSE,
            "docker-compose.prod.yml": "services:\n  api:\n    build:\n      target: prod\n",
            "api/Dockerfile": MULTI,
            "docker/web.Dockerfile": PY,
            "api/requirements.txt": "flask\n",
        },
    )
    project = discover([root])
    assert sorted(s.name for s in project.services) == ["api", "web"]
    api = project.service("api")
    assert api is not None and api.target == "runtime"
    assert [(b.compose_file.name, b.service, b.target) for b in api.compose] == [
        ("docker-compose.yml", "api", "runtime"),
        ("docker-compose.yml", "worker", "runtime"),
        ("docker-compose.prod.yml", "api", "prod"),
    ]
    assert api.compose[2].target_line == 4
    assert [d.path.name for d in api.dep_files] == ["requirements.txt"]
    web = project.service("web")
    assert web is not None and web.context == root.resolve()
    assert len(project.compose_files) == 2 and project.problems == ()


def test_different_base_targets_are_different_services(tmp_path: Path) -> None:
    text = COMPOSE.replace("      target: runtime\n  web", "      target: prod\n  web")
    root = repo(
        tmp_path, {"compose.yaml": text, "api/Dockerfile": MULTI, "docker/web.Dockerfile": PY}
    )
    targets = {s.name: s.target for s in discover([root]).services}
    assert targets == {"api": "runtime", "worker": "prod", "web": None}


def test_compose_name_wins_over_folder_name(tmp_path: Path) -> None:
    root = repo(
        tmp_path,
        {
            "compose.yaml": "services:\n  api:\n    build: ./a\n",
            "a/Dockerfile": PY,
            "api/Dockerfile": PY,
        },
    )
    found = names(discover([root]))
    assert found == {"api": "a/Dockerfile", f"{tmp_path.name}-api": "api/Dockerfile"}


def test_copied_dep_files_resolve_against_the_context(tmp_path: Path) -> None:
    dockerfile = (
        "FROM python:3.11-slim AS build\nCOPY requirements/prod.txt ./\n"
        "COPY ../shared/requirements.txt /shared/\nCOPY deps.txt .\n"
        "RUN pip install -r prod.txt -r deps.txt\nFROM build\nCOPY --from=build /x/uv.lock .\n"
    )
    root = repo(
        tmp_path,
        {
            "svc/Dockerfile": dockerfile,
            "svc/requirements/prod.txt": "-r base.txt\n",
            "svc/requirements/base.txt": "a\n",
            "svc/deps.txt": "b\n",
            "shared/requirements.txt": "c\n",
        },
    )
    [svc] = discover([root / "svc"]).services
    assert sorted(d.path.relative_to(root.resolve()).as_posix() for d in svc.dep_files) == [
        "shared/requirements.txt",
        "svc/deps.txt",
        "svc/requirements/base.txt",
        "svc/requirements/prod.txt",
    ]


def test_roots_can_be_files(tmp_path: Path) -> None:
    root = repo(
        tmp_path,
        {
            "a/Containerfile": PY,
            "b/Dockerfile": PY,
            "c/compose.yaml": "services:\n  c:\n    build: .\n",
            "c/Dockerfile": PY,
        },
    )
    project = discover([root / "a" / "Containerfile", root / "c" / "compose.yaml"])
    assert sorted(s.name for s in project.services) == ["a", "c"]


def test_context_scan_is_shared(tmp_path: Path) -> None:
    root = repo(tmp_path, {"Dockerfile": PY, "Dockerfile.dev": PY, "app.py": "x"})
    first, second = discover([root]).services
    assert first.context_scan is second.context_scan
    assert [str(p.name) for p in first.python_sources] == ["app.py"]


BAD = {
    "good/Dockerfile": PY,
    "unparsable/Dockerfile": "FROM python:3.11\nENV A\n",
    "nofrom/Dockerfile": "RUN echo hi\n",
    "binary/Dockerfile": b"\x00\x01\x02FROM",
    "empty/Dockerfile": "",
    "missing-include/Dockerfile": PY,
    "missing-include/requirements.txt": "a\n-r missing.txt\n",
    "compose/docker-compose.yml": "services:\n  x:\n    build: [\n",
}


def test_bad_input_is_one_problem_each(tmp_path: Path) -> None:
    root = repo(tmp_path, BAD)
    (root / "loop").mkdir()
    (root / "loop" / "Dockerfile").symlink_to(root / "loop" / "Dockerfile")
    project = discover([root])
    assert sorted(s.name for s in project.services) == ["good", "missing-include"]
    where = sorted(
        (p.path.relative_to(root.resolve()).as_posix(), p.line) for p in project.problems
    )
    assert [w for w, _ in where] == [
        "binary/Dockerfile",
        "compose/docker-compose.yml",
        "empty/Dockerfile",
        "loop/Dockerfile",
        "missing-include/requirements.txt",
        "nofrom/Dockerfile",
        "unparsable/Dockerfile",
    ]
    lines = dict(where)
    assert (
        lines["missing-include/requirements.txt"] == 2 and lines["compose/docker-compose.yml"] == 4
    )


def test_unreadable_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = repo(tmp_path, {"ok/Dockerfile": PY, "locked/Dockerfile": PY})
    real = os.scandir

    def deny(path: str | os.PathLike[str]) -> object:
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", deny)
    project = discover([root])
    assert [s.name for s in project.services] == ["ok"]
    assert [(p.path.name, "Permission denied" in p.message) for p in project.problems] == [
        ("locked", True)
    ]


def test_compose_pointing_at_missing_or_wrong_things(tmp_path: Path) -> None:
    root = repo(
        tmp_path,
        {
            "compose.yaml": "services:\n  a:\n    build: ./nope\n"
            "  b:\n    build:\n      context: .\n      dockerfile: Dockerfile.x\n"
            "  c:\n    build:\n      context: .\n      target: nosuchstage\n",
            "Dockerfile": PY,
        },
    )
    project = discover([root])
    # a target naming no stage is rule DW601's finding, not a discovery problem
    assert [(s.name, s.target) for s in project.services] == [("c", "nosuchstage")]
    where = sorted((p.path.name, p.line, p.message.split(" ")[0]) for p in project.problems)
    assert where == [
        ("compose.yaml", 3, "service"),
        ("compose.yaml", 5, "service"),
    ]


def test_overlay_target_naming_no_stage_is_recorded_with_its_line(tmp_path: Path) -> None:
    root = repo(
        tmp_path,
        {
            "compose.yaml": "services:\n  b:\n    build:\n"
            "      context: .\n      target: runtime\n",
            "compose.prod.yaml": "services:\n  b:\n    build:\n      target: gone\n",
            "Dockerfile": MULTI,
        },
    )
    project = discover([root])
    assert [s.target for s in project.services] == ["runtime"]
    overlay = [b for b in project.services[0].compose if b.compose_file.name == "compose.prod.yaml"]
    assert project.problems == ()
    assert [(b.target, b.target_line) for b in overlay] == [("gone", 4)]


def test_missing_root(tmp_path: Path) -> None:
    project = discover([tmp_path / "nope"])
    assert project.services == () and project.problems[0].message == "no such file or directory"


def test_two_hundred_services_are_fast(tmp_path: Path) -> None:
    files: dict[str, str | bytes] = {}
    for i in range(200):
        files[f"s{i}/Dockerfile"] = "FROM python:3.11-slim\nCOPY requirements.txt .\nCOPY . .\n"
        files[f"s{i}/requirements.txt"] = "flask==3.0.3\n"
        files.update({f"s{i}/app/m{j}.py": "x = 1\n" for j in range(10)})
    root = repo(tmp_path, files)
    start = time.perf_counter()
    project = discover([root])
    elapsed = time.perf_counter() - start
    assert len(project.services) == 200 and project.problems == ()
    # ~0.3 s on an idle 2-core machine; the bound leaves room for a loaded CI runner
    assert elapsed < 5.0, f"discovery took {elapsed:.2f}s"


def test_shared_context_is_walked_and_parsed_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files: dict[str, str | bytes] = {"requirements.txt": "flask\n", "app.py": "x"}
    compose = ["services:"]
    for i in range(30):
        files[f"docker/s{i}.Dockerfile"] = "FROM python:3.11-slim\nCOPY requirements.txt .\n"
        compose += [
            f"  s{i}:",
            "    build:",
            "      context: .",
            f"      dockerfile: docker/s{i}.Dockerfile",
        ]
    files["compose.yaml"] = "\n".join(compose) + "\n"
    root = repo(tmp_path, files)
    calls = {"scan": 0, "dep": 0}
    real_scan, real_dep = project_module.scan_context, depfiles_module.load_dep_file

    def scan(*args: object) -> object:
        calls["scan"] += 1
        return real_scan(*args)  # type: ignore[arg-type]

    def dep(*args: object) -> object:
        calls["dep"] += 1
        return real_dep(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(project_module, "scan_context", scan)
    monkeypatch.setattr(depfiles_module, "load_dep_file", dep)
    project = discover([root])
    assert len(project.services) == 30 and calls == {"scan": 1, "dep": 1}


def test_symlink_loops_in_context_and_deps_do_not_crash(tmp_path: Path) -> None:
    root = repo(tmp_path, {"Dockerfile": PY + "COPY requirements.txt .\n", "app.py": "x"})
    (root / "requirements.txt").symlink_to(root / "requirements.txt")
    (root / "spin").symlink_to(root / "spin")
    (root / "sub").mkdir()
    (root / "sub" / "up").symlink_to(root)
    [service] = discover([root]).services
    assert {e.rel for e in service.context_entries} >= {"app.py", "spin", "sub/up"}
    problems = discover([root]).problems
    assert [p.path.name for p in problems] == ["requirements.txt"]
