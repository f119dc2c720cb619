from __future__ import annotations

from pathlib import Path

from dockwright.deps.align import Planned, find
from dockwright.deps.edit import apply_changes, edit_line
from dockwright.deps.inputs import ServiceInputs
from dockwright.deps.records import Change
from dockwright.deps.target import Target
from dockwright.model.depfiles import load_requirements


def test_edit_line_keeps_everything_but_the_version() -> None:
    change = Change("pydantic", "2.5.0", "2.5.2")
    assert edit_line("Pydantic == 2.5.0  # models, 2.5.0 known good\n", change) == (
        "Pydantic == 2.5.2  # models, 2.5.0 known good\n"
    )
    assert edit_line("  \"pydantic==2.5.0; python_version>'3'\",\n", change) == (
        "  \"pydantic==2.5.2; python_version>'3'\",\n"
    )
    assert edit_line('pydantic = "2.5.0"\n', change) == 'pydantic = "2.5.2"\n'
    assert edit_line("pydantic-settings==2.5.0\n", change) is None
    assert edit_line("pydantic==2.5.01\n", change) is None


def test_apply_changes_writes_atomically_and_keeps_mode_and_crlf(tmp_path: Path) -> None:
    path = tmp_path / "requirements.txt"
    path.write_bytes(b"# pins\r\npydantic==2.5.0\r\nmistralai==0.0.12\r\n")
    path.chmod(0o600)
    result = apply_changes([Change("pydantic", "2.5.0", "2.5.2", path, 2)])
    assert result.written == (path,) and not result.refused
    assert path.read_bytes() == b"# pins\r\npydantic==2.5.2\r\nmistralai==0.0.12\r\n"
    assert path.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["requirements.txt"]


def test_refused_changes_leave_the_file_untouched(tmp_path: Path) -> None:
    path = tmp_path / "requirements.txt"
    text = "pydantic==2.5.0 \\\n    --hash=sha256:abc\nredis==5.0.1\n"
    path.write_text(text)
    result = apply_changes(
        [Change("redis", "5.0.1", "5.0.2", path, 3), Change("pydantic", "2.5.0", "2.5.2", path, 1)]
    )
    assert result.written == () and "hash-pinned" in result.refused[0]
    assert path.read_text() == text


def test_alignment_proposes_the_highest_pin(tmp_path: Path) -> None:
    planned = []
    for name, text in [
        ("a", "pydantic==2.5.0\nredis==5.0.1\n"),
        ("b", "pydantic==2.5.2\nredis==5.0.1\n"),
    ]:
        (tmp_path / name).mkdir()
        (tmp_path / name / "r.txt").write_text(text)
        dep = load_requirements(tmp_path / name / "r.txt")
        planned.append(Planned(ServiceInputs(name, Target(), (dep,), dep.requirements), {}))
    found = find(planned)
    assert [(m.package, m.versions, m.proposal) for m in found] == [
        ("pydantic", {"a": "2.5.0", "b": "2.5.2"}, "2.5.2")
    ]
    moved = Planned(planned[0].inputs, {"pydantic": "2.5.2"})
    assert find([moved, planned[1]]) == []
