"""`dockwright optimize` end to end (stand-in per-service generators, no processes)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dockwright.cli import main
from dockwright.errors import ExitCode
from dockwright.generate import project as project_module
from tests.unit.generate.repo_fakes import fake_generators, make_repo


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(project_module, "default_generators", fake_generators)
    return make_repo(tmp_path / "repo")


def _files(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): p.read_text()
        for p in root.rglob("*")
        if p.is_file() and ".dockwright" not in p.parts
    }


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_default_prints_a_diff_and_a_summary(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _files(repo)
    code, out, err = run(capsys, "optimize", str(repo))
    assert code == ExitCode.FINDINGS
    assert "--- a/services/api/Dockerfile\n+++ b/services/api/Dockerfile\n" in out
    assert "--- /dev/null\n+++ b/compose.prod.yaml\n" in out
    assert "update  services/api/Dockerfile  resolves" in err
    assert _files(repo) == before


def test_write_applies_then_a_second_run_writes_nothing(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "optimize", str(repo), "--write")
    assert code == ExitCode.OK and out == ""
    assert "wrote 9 file(s)" in err and "backups of the replaced files" in err
    assert (repo / "compose.dev.yaml").is_file()
    after = _files(repo)
    backups = sorted((repo / ".dockwright" / "backups").iterdir())
    code, out, err = run(capsys, "optimize", str(repo), "--write")
    assert (code, out, err) == (ExitCode.OK, "", "nothing to change\n")
    assert _files(repo) == after
    assert sorted((repo / ".dockwright" / "backups").iterdir()) == backups


def test_out_writes_an_optimized_copy(
    repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _files(repo)
    code, _, err = run(capsys, "optimize", str(repo), "--out", str(tmp_path / "copy"))
    assert code == ExitCode.OK and "in " + str(tmp_path / "copy") in err
    assert _files(repo) == before
    copy = _files(tmp_path / "copy")
    assert "compose.dev.yaml" in copy and copy["services/api/requirements.txt"]
    code, _, err = run(capsys, "optimize", str(tmp_path / "copy"))
    assert (code, err) == (ExitCode.OK, "nothing to change\n")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--write", "--out", "/tmp/x"], "not both"),
        (["--torch", "rocm"], "--torch must be one of"),
        (["--uid", "0"], "--uid"),
    ],
)
def test_usage_errors(
    repo: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, _, err = run(capsys, "optimize", str(repo), *argv)
    assert code == ExitCode.USAGE and message in err


def test_path_must_be_a_folder(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "optimize", str(repo / "Makefile"))
    assert code == ExitCode.USAGE and "not a folder" in err
