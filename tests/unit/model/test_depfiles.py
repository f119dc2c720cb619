"""Requirements files read like pip reads them, and the per-context dependency inputs."""

from __future__ import annotations

from pathlib import Path

import pytest

from dockwright.model.depfiles import (
    DepKind,
    kind_of,
    load_dep_file,
    load_dep_files,
    load_requirements,
    logical_lines,
    parse_requirement,
)

REQS = """\
--index-url https://${PYPI_TOKEN}@pypi.example.com/simple
--extra-index-url=https://extra.example.com/simple
-f ./wheels
--trusted-host pypi.example.com
--no-binary :all:
# a comment
requests[socks,security]>=2.31 ; python_version < "3.12"  # trailing comment
flask==3.0.3 \\
    --hash=sha256:aaa \\
    --hash=sha256:bbb
-e ./libs/core
-e git+https://github.com/org/tool.git@v1.2#egg=tool
https://example.com/pkgs/torch-2.3.0-cp311-cp311-linux_x86_64.whl
private @ https://${USER}:${TOKEN}@git.example.com/private.tar.gz
numpy==1.26	# a tab also starts a comment
"""


def test_requirements_options_and_lines(tmp_path: Path) -> None:
    path = tmp_path / "requirements.txt"
    path.write_text(REQS)
    dep = load_requirements(path)
    assert dep.index_urls == ("https://${PYPI_TOKEN}@pypi.example.com/simple",)
    assert dep.extra_index_urls == ("https://extra.example.com/simple",)
    assert dep.find_links == ("./wheels",) and dep.trusted_hosts == ("pypi.example.com",)
    assert dep.options == ("--no-binary :all:",)
    by_name = {r.name: r for r in dep.requirements}
    assert by_name["requests"].extras == ("security", "socks")
    assert by_name["requests"].marker == 'python_version < "3.12"' and by_name["requests"].line == 7
    assert by_name["flask"].hashes == ("sha256:aaa", "sha256:bbb") and by_name["flask"].line == 8
    assert by_name["flask"].pinned_version == "3.0.3"
    assert by_name["tool"].editable and by_name["tool"].url.startswith("git+https://")
    assert by_name["torch"].url.endswith(".whl") and by_name["torch"].pinned
    assert by_name["private"].url.startswith("https://${USER}")
    core = next(r for r in dep.requirements if r.url == "./libs/core")
    assert core.editable and core.name == ""
    assert by_name["numpy"].line == 15 and by_name["numpy"].specifier == "==1.26"
    assert dep.problems == ()


def test_malformed_line_is_a_problem_with_line(tmp_path: Path) -> None:
    path = tmp_path / "requirements.txt"
    path.write_text("ok==1\nthis is not ( valid\n")
    dep = load_requirements(path)
    assert [r.name for r in dep.requirements] == ["ok"]
    assert [(p.path, p.line) for p in dep.problems] == [(path, 2)]


def test_missing_include_names_including_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "requirements.txt"
    path.write_text("a\n-r missing.txt\n")
    dep = load_requirements(path)
    assert len(dep.problems) == 1
    problem = dep.problems[0]
    assert problem.path == path and problem.line == 2 and "missing.txt" in problem.message


def test_includes_followed_once(tmp_path: Path) -> None:
    (tmp_path / "requirements").mkdir()
    (tmp_path / "requirements" / "base.txt").write_text("a==1\n-c ../constraints.txt\n")
    (tmp_path / "requirements" / "prod.txt").write_text("-r base.txt\n-r prod.txt\nb\n")
    (tmp_path / "constraints.txt").write_text("a==1\n")
    cache: dict[Path, object] = {}
    deps = load_dep_files(tmp_path, cache=cache)  # type: ignore[arg-type]
    kinds = {d.path.name: d.kind for d in deps}
    assert kinds == {
        "base.txt": DepKind.REQUIREMENTS,
        "prod.txt": DepKind.REQUIREMENTS,
        "constraints.txt": DepKind.CONSTRAINTS,
    }
    again = load_dep_files(tmp_path, cache=cache)  # type: ignore[arg-type]
    assert all(a is b for a, b in zip(deps, again, strict=True))


def test_named_files_outside_the_context(tmp_path: Path) -> None:
    (tmp_path / "shared").mkdir()
    (tmp_path / "svc").mkdir()
    (tmp_path / "shared" / "requirements.txt").write_text("numpy\n")
    deps = load_dep_files(tmp_path / "svc", (tmp_path / "svc" / "../shared/requirements.txt",))
    assert [d.requirements[0].name for d in deps] == ["numpy"]


def test_logical_lines_follow_pip() -> None:
    text = "a \\\n  b\n# c \\\nd\ne \\\n"
    assert logical_lines(text) == [(1, "a   b"), (4, "d"), (5, "e")]


def test_binary_file_is_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "requirements.txt"
    path.write_bytes(b"\x00\x01\x02")
    dep = load_dep_file(path)
    assert dep.requirements == () and "binary" in dep.problems[0].message


def test_unreadable_file_is_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "requirements.txt"
    path.symlink_to(path)  # a symlink loop
    dep = load_dep_file(path)
    assert dep.problems and dep.problems[0].path == path


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("requirements-dev.txt", DepKind.REQUIREMENTS),
        ("requirements/prod.txt", DepKind.REQUIREMENTS),
        ("constraints.txt", DepKind.CONSTRAINTS),
        ("uv.lock", DepKind.UV_LOCK),
        ("pyproject.toml", DepKind.PYPROJECT),
        ("Pipfile.lock", DepKind.PIPFILE_LOCK),
        ("setup.cfg", DepKind.SETUP_CFG),
        ("notes.txt", None),
        ("app.py", None),
    ],
)
def test_kind_of(name: str, kind: DepKind | None) -> None:
    assert kind_of(Path(name)) == kind


def test_pinned() -> None:
    def req(text: str) -> bool:
        return parse_requirement(text, Path("r"), 1).pinned

    assert req("a==1.0") and req("a===1.0") and not req("a==1.*") and not req("a>=1")
    assert not req("a==1,<2")


def test_with_includes_follows_each_file_once_and_skips_missing(tmp_path: Path) -> None:
    from dockwright.model.depfiles import load_dep_file, with_includes

    (tmp_path / "requirements.txt").write_text(
        "-r base.txt\n-c constraints.txt\n-r gone.txt\nsix\n"
    )
    (tmp_path / "base.txt").write_text("-r requirements.txt\nflask==3.0.3\n")
    (tmp_path / "constraints.txt").write_text("flask==3.0.3\n")
    top = load_dep_file(tmp_path / "requirements.txt")
    found = with_includes([top], {})
    assert [d.path.name for d in found] == ["requirements.txt", "base.txt", "constraints.txt"]
    known = {d.path: d for d in found}
    assert with_includes([tmp_path / "base.txt"], known)[0] is known[tmp_path / "base.txt"]
