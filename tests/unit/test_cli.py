from __future__ import annotations

import json
from pathlib import Path

import pytest

from dockwright import __version__, api
from dockwright.cli import main
from dockwright.commands.analyze import exit_code
from dockwright.errors import ExitCode
from dockwright.model.findings import AnalysisResult, Finding, Group, Location, Problem, Severity

SLOW = "FROM python:3.11-slim\nCOPY . .\nRUN pip install -r requirements.txt\n"
GOOD = (
    "FROM python:3.11-slim\nCOPY requirements.txt .\n"
    "RUN pip install -r requirements.txt\nCOPY . .\n"
)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository with one service that DW101 (a warning) flags; cwd is the repo."""
    for key in [k for k in __import__("os").environ if k.startswith("DOCKWRIGHT_")]:
        monkeypatch.delenv(key)
    (tmp_path / ".git").mkdir()
    write(tmp_path / "api" / "Dockerfile", SLOW)
    write(tmp_path / "api" / "requirements.txt", "flask==3.0.3\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "--version") == (0, f"dockwright {__version__}\n", "")


def test_findings_fail_at_default_warning(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "analyze", ".", "--select", "DW101")
    assert code == ExitCode.FINDINGS
    assert "api/Dockerfile:2:1  DW101 speed.copy-before-deps  warning" in out
    assert out.rstrip().endswith(
        "1 finding: 0 errors, 1 warning, 0 info; 1 fixable; 1 service; 0 problems"
    )
    assert err == ""


def test_clean_repo_exits_zero(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(repo / "api" / "Dockerfile", GOOD)
    assert run(capsys, "analyze", ".", "--select", "DW101")[0] == ExitCode.OK


@pytest.mark.parametrize(
    ("args", "env", "config"),
    [
        (["--fail-on", "error"], {}, ""),
        (["--exit-zero"], {}, ""),
        ([], {"DOCKWRIGHT_FAIL_ON": "error"}, ""),
        ([], {"DOCKWRIGHT_EXIT_ZERO": "true"}, ""),
        ([], {}, 'fail-on = "error"\n'),
        ([], {}, 'ignore = ["DW101"]\n'),
    ],
)
def test_thresholds_from_cli_env_and_config(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
    args: list[str], env: dict[str, str], config: str,
) -> None:  # fmt: skip
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    if config:
        write(repo / "dockwright.toml", config)
    assert run(capsys, "analyze", ".", "--select", "DW101", *args)[0] == ExitCode.OK


def test_cli_beats_env(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DOCKWRIGHT_FAIL_ON", "error")
    assert (
        run(capsys, "analyze", ".", "--select", "DW101", "--fail-on", "info")[0]
        == ExitCode.FINDINGS
    )


def test_json_output_to_file_is_written_atomically(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / "out").mkdir()
    code, out, err = run(
        capsys, "analyze", "api", "--select", "DW101", "-f", "json", "-o", "out/r.json"
    )
    assert (code, out, err) == (ExitCode.FINDINGS, "", "")
    data = json.loads((repo / "out" / "r.json").read_text())
    assert [f["rule"] for f in data["findings"]] == ["DW101"]
    assert data["findings"][0]["path"] == "Dockerfile"
    assert sorted(p.name for p in (repo / "out").iterdir()) == ["r.json"]


def test_output_never_clobbers_a_directory(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "report").mkdir()
    code, _, err = run(capsys, "analyze", ".", "--select", "DW101", "--output", "report")
    assert code == ExitCode.USAGE
    assert err == "dockwright: report is a directory; --output needs a file name\n"
    assert (repo / "report").is_dir()


def test_bad_input_is_one_line_and_fails(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(repo / "api" / "Dockerfile", GOOD)
    write(repo / "broken" / "Dockerfile", "FRM python:3.11-slim\n")
    code, out, err = run(capsys, "analyze", ".", "--select", "DW101")
    assert code == ExitCode.FINDINGS
    assert err == "error: broken/Dockerfile:1: no FROM instruction\n"
    assert "1 problem" in out
    assert run(capsys, "analyze", ".", "--select", "DW101", "--exit-zero")[0] == ExitCode.OK


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "jsn"], "dockwright: --format: unknown format 'jsn' (did you mean 'json'?)"),
        (
            ["--select", "DWW101"],
            "dockwright: --select: no rule matches 'DWW101' (did you mean 'DW101'?)",
        ),
        (["--fail-on", "loud"], "dockwright: --fail-on: unknown severity 'loud'"),
        (["missing-dir"], "dockwright: no such file or directory: missing-dir"),
    ],
)
def test_usage_errors_exit_2_with_one_line(
    repo: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code, out, err = (
        run(capsys, "analyze", ".", *args)
        if args[0].startswith("-")
        else run(capsys, "analyze", *args)
    )
    assert code == ExitCode.USAGE
    assert err.startswith(message) and err.count("\n") == 1
    assert out == ""


def test_config_syntax_error_shows_position(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(repo / "dockwright.toml", "select = [\n")
    code, _, err = run(capsys, "analyze", ".")
    assert code == ExitCode.USAGE
    assert err.startswith(f"dockwright: {repo / 'dockwright.toml'}:2:1: invalid TOML: ")


def test_unknown_option_is_a_usage_error(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "analyze", ".", "--frmat", "json")
    assert code == ExitCode.USAGE
    assert "No such option: --frmat" in err


def test_internal_error_hides_traceback_unless_debug(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object) -> AnalysisResult:
        raise RuntimeError("boom")

    monkeypatch.setattr(api, "analyze_with_config", broken)
    code, _, err = run(capsys, "analyze", ".")
    assert code == ExitCode.ENGINE
    assert (
        err
        == "dockwright: internal error: RuntimeError: boom (run with --debug for the traceback)\n"
    )
    code, _, err = run(capsys, "analyze", ".", "--debug")
    assert code == ExitCode.ENGINE and "Traceback" in err and "RuntimeError: boom" in err
    assert "Traceback" in run(capsys, "--debug", "analyze", ".")[2]


def test_interrupt_exits_130(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(*args: object) -> AnalysisResult:
        raise KeyboardInterrupt

    monkeypatch.setattr(api, "analyze_with_config", interrupted)
    assert run(capsys, "analyze", ".")[0] == ExitCode.INTERRUPTED


def test_rules_lists_every_rule(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "rules")
    assert code == 0
    assert "DW101" in out and "speed.copy-before-deps" in out


def _finding(severity: Severity) -> Finding:
    return Finding("DW1", "x.y", severity, Group.SPEED, Location(Path("D")), "m", "r")


@pytest.mark.parametrize(
    ("severities", "problems", "fail_on", "exit_zero", "expected"),
    [
        ([], False, Severity.WARNING, False, ExitCode.OK),
        ([Severity.INFO], False, Severity.WARNING, False, ExitCode.OK),
        ([Severity.INFO], False, Severity.INFO, False, ExitCode.FINDINGS),
        ([Severity.WARNING], False, Severity.WARNING, False, ExitCode.FINDINGS),
        ([Severity.WARNING], False, Severity.ERROR, False, ExitCode.OK),
        ([Severity.ERROR], False, Severity.ERROR, True, ExitCode.OK),
        ([], True, Severity.ERROR, False, ExitCode.FINDINGS),
        ([], True, Severity.ERROR, True, ExitCode.OK),
    ],
)
def test_exit_code(
    severities: list[Severity],
    problems: bool,
    fail_on: Severity,
    exit_zero: bool,
    expected: ExitCode,
) -> None:
    result = AnalysisResult(
        tuple(_finding(s) for s in severities),
        (Problem(Path("D"), "bad"),) if problems else (),
        (),
        (),
    )
    assert exit_code(result, fail_on, exit_zero) == expected
