"""The plan runner against the real engine: parallel builds, cache hits, isolated failures."""

from __future__ import annotations

from pathlib import Path

from dockwright.build.engine import Engine
from dockwright.build.plan import BuildStep
from dockwright.build.runner import run_plan
from tests.integration.conftest import Images


def _service(root: Path, name: str, body: str, base: str) -> Path:
    folder = root / name
    folder.mkdir()
    (folder / "app.py").write_text("print('hello')\n")
    (folder / "Dockerfile").write_text(f"FROM {base}\nWORKDIR /app\n{body}")
    return folder


def test_one_failure_does_not_stop_the_others(
    engine: Engine, images: Images, tmp_path: Path, base_image: str
) -> None:
    good = _service(tmp_path, "good", "COPY app.py .\nRUN python app.py\n", base_image)
    bad = _service(tmp_path, "bad", "RUN python -c 'raise SystemExit(3)'\n", base_image)
    steps = [
        BuildStep(name, folder, folder / "Dockerfile", (images.tag(name),))
        for name, folder in (("bad", bad), ("good", good))
    ]
    results = run_plan(engine, steps, jobs=2)
    assert [r.service for r in results] == ["bad", "good"]
    assert not results[0].ok and "exit code: 3" in (results[0].error or "")
    assert results[1].ok and any(s.name == "RUN python app.py" for s in results[1].steps)

    again = run_plan(engine, steps[1:], jobs=1)[0]
    assert again.ok and again.cached_steps >= 2
