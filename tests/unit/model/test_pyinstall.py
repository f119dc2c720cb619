"""Reading Python install command lines (model.pyinstall)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dockwright.model.dockerfile import parse_text
from dockwright.model.pyinstall import (
    PythonInstall,
    install_args,
    is_pip_like,
    option_values,
    parse_args,
    positionals,
    python_installs,
    requirement_of,
    split_install,
    tool_of,
)
from dockwright.model.shell import split_commands


def _installs(script: str) -> list[PythonInstall]:
    df = parse_text(f"FROM python:3.11\nRUN {script}\n", Path("Dockerfile"))
    return list(python_installs(df.stages))


def _one(script: str) -> PythonInstall:
    (inst,) = _installs(script)
    return inst


@pytest.mark.parametrize(
    ("script", "tool", "action", "args"),
    [
        ("pip install flask", "pip", "install", ("flask",)),
        ("pip3 install -r r.txt", "pip", "install", ("-r", "r.txt")),
        ("/usr/local/bin/pip3.11 download x", "pip", "download", ("x",)),
        ("python -m pip install x", "pip", "install", ("x",)),
        ("python3.12 -m pip wheel -w /w x", "pip", "wheel", ("-w", "/w", "x")),
        ("PIP_NO_CACHE_DIR=1 pip install x", "pip", "install", ("x",)),
        ("env UV_SYSTEM_PYTHON=1 uv pip install x", "uv", "pip install", ("x",)),
        ("uv pip sync requirements.txt", "uv", "pip sync", ("requirements.txt",)),
        ("uv sync --frozen", "uv", "sync", ("--frozen",)),
        ("poetry install --no-root", "poetry", "install", ("--no-root",)),
        ("pdm sync --prod", "pdm", "sync", ("--prod",)),
        ("pipenv install --deploy", "pipenv", "install", ("--deploy",)),
        ("conda install -y numpy", "conda", "install", ("-y", "numpy")),
        ("mamba env create -f env.yml", "mamba", "env create", ("-f", "env.yml")),
    ],
)
def test_split_install(script: str, tool: str, action: str, args: tuple[str, ...]) -> None:
    cmd = split_commands(script)[0]
    assert split_install(cmd) == (tool, action, args)
    assert tool_of(cmd) == tool
    assert install_args(cmd, tool) == args


@pytest.mark.parametrize(
    "script",
    [
        "pip --version",
        "pip list",
        "pipenv lock",
        "pipx install black",
        "pip-compile requirements.in",
        "python -m pipenv install",
        "python -m venv /venv",
        "uv lock",
        "uv pip compile r.in",
        "poetry lock",
        "conda clean -afy",
        "apt-get install -y gcc",
        "",
    ],
)
def test_other_commands_install_nothing(script: str) -> None:
    for cmd in split_commands(script):
        assert split_install(cmd) is None
        assert tool_of(cmd) is None
        assert install_args(cmd, "pip") == ()


def test_install_args_need_the_commands_tool() -> None:
    assert install_args(split_commands("uv sync --frozen")[0], "pip") == ()


@pytest.mark.parametrize(
    ("script", "pip_like"),
    [("pip install x", True), ("uv pip install x", True), ("uv sync", False)],
)
def test_is_pip_like(script: str, pip_like: bool) -> None:
    cmd = split_commands(script)[0]
    assert is_pip_like(cmd, str(tool_of(cmd))) is pip_like


def test_option_forms() -> None:
    args = ("--index-url=https://a", "-i", "https://b", "--no-cache-dir", "-r", "r.txt", "x")
    positional, options = parse_args(args)
    assert positional == ["x"]
    assert options == [
        ("--index-url", "https://a"),
        ("-i", "https://b"),
        ("--no-cache-dir", ""),
        ("-r", "r.txt"),
    ]


def test_positionals_skip_option_values() -> None:
    args = ("--progress-bar", "off", "--root-user-action", "ignore", "-c", "c.txt", "a", "b==1")
    assert positionals(args) == ["a", "b==1"]


def test_option_values_keep_the_order_of_the_line() -> None:
    args = ("-c", "c.txt", "--requirement=b.txt", "-r", "a.txt", "-r")
    assert option_values(args, "-r", "--requirement", "-c") == ["c.txt", "b.txt", "a.txt"]


def test_python_install_packages_options_and_files() -> None:
    inst = _one("pip install --no-cache-dir -r base.txt --requirement=dev.txt -e . flask==3.0")
    assert (inst.tool, inst.action, inst.packages) == ("pip", "install", ("flask==3.0",))
    assert inst.values("-r", "--requirement") == ("base.txt", "dev.txt")
    assert inst.values("-e", "--editable") == (".",)
    assert inst.has("--no-cache")
    assert not inst.has("--no-deps")


def test_every_install_of_a_run() -> None:
    found = _installs("pip install -U pip && uv pip sync r.txt && poetry install && ls")
    assert [(i.tool, i.action, i.packages) for i in found] == [
        ("pip", "install", ("pip",)),
        ("uv", "pip sync", ("r.txt",)),
        ("poetry", "install", ()),
    ]


def test_conda_options_take_values() -> None:
    inst = _one("conda install -n base -c conda-forge numpy")
    assert inst.packages == ("numpy",)
    assert inst.values("-n", "-c") == ("base", "conda-forge")


def test_only_runs_are_read() -> None:
    df = parse_text("FROM python:3.11\nCMD pip install x\n", Path("Dockerfile"))
    assert list(python_installs(df.stages)) == []


@pytest.mark.parametrize(
    ("word", "name"),
    [("flask==3.0", "flask"), ("'uvicorn[standard]>=0.30'", "uvicorn"), ("Django", "Django")],
)
def test_requirement_of(word: str, name: str) -> None:
    req = requirement_of(word)
    assert req is not None and req.name == name


@pytest.mark.parametrize("word", [".", "./pkg", "/wheels/a.whl", "r.txt", "$PKG", "", "a b"])
def test_requirement_of_other_words(word: str) -> None:
    assert requirement_of(word) is None
