"""The speed rules' helpers: install arguments, cache directories, RUN rewrites, no-fix cases."""

from __future__ import annotations

from pathlib import Path

import pytest

from dockwright.model.dockerfile import Dockerfile, parse_text
from dockwright.model.project import discover
from dockwright.model.shell import split_commands
from dockwright.rules import _speed_support as sup
from dockwright.rules.engine import RuleSelection, analyze


def _df(text: str) -> Dockerfile:
    return parse_text(text, Path("Dockerfile"))


@pytest.mark.parametrize(
    ("script", "tool", "args"),
    [
        ("pip install -r r.txt", "pip", ("-r", "r.txt")),
        ("python3 -m pip install x", "pip", ("x",)),
        ("uv pip install --system x", "uv", ("--system", "x")),
        ("uv sync --frozen", "uv", ("--frozen",)),
        ("poetry install --no-root", "poetry", ("--no-root",)),
    ],
)
def test_install_args(script: str, tool: str, args: tuple[str, ...]) -> None:
    assert sup.install_args(split_commands(script)[0], tool) == args


def test_positionals_skip_option_values() -> None:
    args = ("-r", "r.txt", "--index-url", "https://x", "-w", "/wheels", "flask", "--pre")
    assert sup.positionals(args) == ["flask"]


@pytest.mark.parametrize(
    ("script", "project"),
    [
        ("pip install .", True),
        ("pip install -e .", True),
        ("pip install --no-deps .", False),
        ("pip install /wheels/a.whl", False),
        ("poetry install", True),
        ("poetry install --no-root", False),
        ("uv sync --no-install-project", False),
    ],
)
def test_installs_project(script: str, project: bool) -> None:
    cmd = split_commands(script)[0]
    tool = script.split()[0]
    assert sup.installs_project(cmd, tool) is project


def test_cache_dir_follows_env_user_and_option() -> None:
    df = _df(
        "FROM python:3.11-slim\nRUN pip install a\nENV XDG_CACHE_HOME=/c\nRUN pip install b\n"
        "USER app\nRUN pip install c\nRUN pip install --cache-dir /d e\n"
    )
    runs = df.stages[0].of("RUN")
    dirs = [sup.cache_dir(df, r, r.commands[0], "pip") for r in runs]
    assert dirs == ["/root/.cache/pip", "/c/pip", "/c/pip", "/d"]


def test_run_text_round_trip_and_flags() -> None:
    df = _df("FROM x\nrun --mount=type=cache,target=/a \\\n    --network=none \\\n    echo hi\n")
    parts = sup.run_text(df, df.stages[0].of("RUN")[0])
    assert parts == sup.RunText(
        "run", ("--mount=type=cache,target=/a", "--network=none"), "echo hi"
    )
    assert (
        parts.render()
        == "run --mount=type=cache,target=/a \\\n    --network=none \\\n    echo hi\n"
    )


def test_remove_words_refuses_quoted_text() -> None:
    every = lambda _c: True  # noqa: E731
    assert sup.remove_words("pip install --no-cache-dir x", "--no-cache-dir".__eq__, every) == (
        "pip install x"
    )
    assert sup.remove_words('echo "a --no-cache-dir b"', "--no-cache-dir".__eq__, every) is None


def test_remove_commands_keeps_the_rest() -> None:
    script = "apt-get update \\\n    && rm -rf /var/lib/apt/lists/* \\\n    && apt-get install -y x"
    doomed = lambda c: c.program == "rm"  # noqa: E731
    pattern = r"rm\s+-rf\s+/var/lib/apt/lists/\*"
    assert (
        sup.remove_commands(script, pattern, doomed)
        == "apt-get update \\\n    && apt-get install -y x"
    )


def _fixes(tmp_path: Path, rule: str, dockerfile: str, **files: str) -> list[bool]:
    (tmp_path / "Dockerfile").write_text(dockerfile)
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    result = analyze(discover([tmp_path]), RuleSelection(select=(rule,)))
    return [f.fix is not None for f in result.findings if f.rule_id == rule]


def test_no_move_when_a_find_links_arg_may_need_the_context(tmp_path: Path) -> None:
    text = (
        "FROM python:3.11-slim\nCOPY . .\nARG PIP_FIND_LINKS\nRUN pip install -r requirements.txt\n"
    )
    assert _fixes(tmp_path, "DW101", text, **{"requirements.txt": "flask\n"}) == [False]


def test_no_fix_for_exec_form_with_no_cache_dir(tmp_path: Path) -> None:
    text = 'FROM python:3.11-slim\nRUN ["pip", "install", "--no-cache-dir", "flask"]\n'
    assert _fixes(tmp_path, "DW102", text) == [False]


def test_no_fix_for_a_named_non_root_user(tmp_path: Path) -> None:
    mount = "--mount=type=cache,target=/root/.cache/pip"
    text = f"FROM python:3.11-slim\nUSER app\nRUN {mount} pip install x\n"
    assert _fixes(tmp_path, "DW112", text) == [False]


def test_no_apt_fix_when_cleanup_mixes_paths(tmp_path: Path) -> None:
    cleanup = "rm -rf /var/lib/apt/lists/* /tmp/x"
    text = f"FROM debian:12\nRUN apt-get update && apt-get install -y gcc && {cleanup}\n"
    assert _fixes(tmp_path, "DW104", text) == [False]
