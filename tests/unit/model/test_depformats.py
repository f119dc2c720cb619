"""pyproject.toml (PEP 621/735, poetry, uv, pdm, hatch), Pipfile, setup.py and setup.cfg."""

from __future__ import annotations

from pathlib import Path

from dockwright.model.depfiles import DepFile, load_dep_file

PYPROJECT = """\
[project]
name = "svc"
dependencies = [
  "fastapi>=0.110",
  "uvicorn[standard]==0.29.0",
  "bad dep (",
]

[project.optional-dependencies]
gpu = ["torch==2.3.0"]

[dependency-groups]
test = ["pytest>=8", {include-group = "lint"}]
lint = ["ruff"]

[tool.uv]
dev-dependencies = ["mypy"]
index-url = "https://legacy.example.com/simple"

[[tool.uv.index]]
name = "pytorch"
url = "https://download.pytorch.org/whl/cpu"

[tool.uv.sources]
fastapi = { git = "https://github.com/tiangolo/fastapi", tag = "0.110.0" }

[tool.pdm.dev-dependencies]
docs = ["mkdocs"]

[tool.hatch.envs.default]
dependencies = ["coverage"]
"""


def load(tmp_path: Path, name: str, text: str) -> DepFile:
    path = tmp_path / name
    path.write_text(text)
    return load_dep_file(path)


def test_pep621_groups_and_tools(tmp_path: Path) -> None:
    dep = load(tmp_path, "pyproject.toml", PYPROJECT)
    groups = {r.name: r.group for r in dep.requirements}
    assert groups == {
        "fastapi": "",
        "uvicorn": "",
        "torch": "gpu",
        "pytest": "test",
        "ruff": "lint",
        "mypy": "dev",
        "mkdocs": "docs",
        "coverage": "hatch.default",
    }
    by_name = {r.name: r for r in dep.requirements}
    assert by_name["uvicorn"].line == 5 and by_name["uvicorn"].extras == ("standard",)
    assert by_name["fastapi"].url == "git+https://github.com/tiangolo/fastapi@0.110.0"
    assert dep.index_urls == ("https://legacy.example.com/simple",)
    assert dep.extra_index_urls == ("https://download.pytorch.org/whl/cpu",)
    assert [(p.line, "malformed" in p.message) for p in dep.problems] == [(6, True)]


POETRY = """\
[tool.poetry.dependencies]
python = "^3.11"
django = "^4.2"
celery = { version = "~5.3", extras = ["redis"], python = ">=3.11" }
mylib = { path = "../mylib", develop = true }
gitdep = { git = "https://github.com/o/r.git", branch = "main" }
either = "^1.0 || ^2.0"
numpy = [
  { version = "1.26.4", markers = "sys_platform == 'linux'" },
  { version = "*", markers = "sys_platform != 'linux'" },
]

[tool.poetry.group.dev.dependencies]
pytest = "8.*"

[tool.poetry.dev-dependencies]
black = ">=24 <25"

[[tool.poetry.source]]
name = "internal"
url = "https://pypi.internal/simple"
priority = "supplemental"
"""


def test_poetry_constraints_become_pep440(tmp_path: Path) -> None:
    dep = load(tmp_path, "pyproject.toml", POETRY)
    specs = {(r.name, r.specifier) for r in dep.requirements}
    assert ("django", "<5.0,>=4.2") in specs
    assert ("pytest", "==8.*") in specs and ("black", "<25,>=24") in specs
    assert ("numpy", "==1.26.4") in specs and ("numpy", "") in specs
    celery = next(r for r in dep.requirements if r.name == "celery")
    assert celery.specifier == "<5.4,>=5.3" and celery.extras == ("redis",)
    assert celery.marker == 'python_version >= "3.11"' and celery.line == 4
    mylib = next(r for r in dep.requirements if r.name == "mylib")
    assert mylib.url == "../mylib" and mylib.editable
    assert next(r for r in dep.requirements if r.name == "gitdep").url.endswith("r.git@main")
    assert {r.name: r.group for r in dep.requirements}["pytest"] == "dev"
    assert "python" not in {r.name for r in dep.requirements}
    assert [p.line for p in dep.problems] == [7]  # the `||` constraint
    assert dep.extra_index_urls == ("https://pypi.internal/simple",)


def test_invalid_toml_is_a_problem_with_line(tmp_path: Path) -> None:
    dep = load(tmp_path, "pyproject.toml", "[project]\ndependencies = [\n  'a',\n  oops\n]\n")
    assert dep.requirements == () and dep.problems[0].line == 4


def test_wrong_types_are_problems(tmp_path: Path) -> None:
    dep = load(tmp_path, "pyproject.toml", '[project]\ndependencies = "flask"\n')
    assert dep.problems and dep.problems[0].line == 2


def test_pipfile(tmp_path: Path) -> None:
    text = """\
[[source]]
url = "https://pypi.org/simple"
verify_ssl = true
name = "pypi"

[packages]
requests = "*"
django = {version = ">=4.2", extras = ["argon2"]}
local = {path = ".", editable = true}

[dev-packages]
pytest = "==8.2.0"
"""
    dep = load(tmp_path, "Pipfile", text)
    assert [(r.name, r.specifier, r.group, r.line) for r in dep.requirements] == [
        ("requests", "", "", 7),
        ("django", ">=4.2", "", 8),
        ("local", "", "", 9),
        ("pytest", "==8.2.0", "dev", 12),
    ]
    assert dep.requirements[2].editable and dep.index_urls == ("https://pypi.org/simple",)


def test_setup_py_read_statically(tmp_path: Path) -> None:
    text = """\
import os
from setuptools import setup
os.system("echo never run")
BASE = ["click>=8", "rich"]
setup(
    name="x",
    install_requires=BASE,
    extras_require={"dev": ["pytest==8.2.0"], "docs": DOCS},
)
"""
    dep = load(tmp_path, "setup.py", text)
    assert [(r.name, r.group, r.line) for r in dep.requirements] == [
        ("click", "", 4),
        ("rich", "", 4),
        ("pytest", "dev", 8),
    ]
    assert [p.line for p in dep.problems] == [8]  # DOCS is not a literal


def test_setup_py_reading_a_requirements_file(tmp_path: Path) -> None:
    text = (
        "import setuptools\n"
        "setuptools.setup(install_requires=open('requirements.txt').read().split())\n"
    )
    dep = load(tmp_path, "setup.py", text)
    assert dep.includes == ((tmp_path / "requirements.txt").resolve(),) and dep.problems == ()


def test_setup_py_syntax_error(tmp_path: Path) -> None:
    dep = load(tmp_path, "setup.py", "from setuptools import setup\nsetup(\n")
    assert dep.problems and dep.problems[0].line is not None


def test_setup_cfg(tmp_path: Path) -> None:
    text = """\
[metadata]
name = x

[options]
install_requires =
    requests>=2
    # a comment
    attrs; python_version < "3.12"

[options.extras_require]
test = pytest
"""
    dep = load(tmp_path, "setup.cfg", text)
    assert [(r.name, r.group, r.line) for r in dep.requirements] == [
        ("requests", "", 6),
        ("attrs", "", 8),
        ("pytest", "test", 11),
    ]


def test_setup_cfg_file_directive_and_errors(tmp_path: Path) -> None:
    dep = load(tmp_path, "setup.cfg", "[options]\ninstall_requires = file: reqs/base.txt\n")
    assert dep.includes == ((tmp_path / "reqs" / "base.txt").resolve(),)
    broken = load(tmp_path, "setup.cfg", "no section header\n")
    assert broken.problems and broken.problems[0].line == 1
