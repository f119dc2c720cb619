"""`dockwright bench` on two tiny services, before and after: real builds, cache facts, cleanup.

Timings are not asserted (the machine is shared); what the build cache did is.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from dockwright import _subprocess, api
from dockwright.build.engine import Engine
from dockwright.cli import main
from dockwright.measure import bench as bench_module
from dockwright.measure import history
from dockwright.measure.bench import BenchOptions
from dockwright.measure.cleanup import image_facts
from dockwright.model.measurements import BenchResult, Scenario, Side

BEFORE = """\
FROM {base}
WORKDIR /app
COPY . .
RUN pip install --no-cache-dir -r requirements.txt
RUN dd if=/dev/zero of=/tmp/scratch.bin bs=1k count=300 2>/dev/null
RUN rm -f /tmp/scratch.bin
CMD ["python", "app/main.py"]
"""
AFTER = """\
FROM {base}
WORKDIR /app
COPY requirements.txt .
RUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt
COPY app ./app
CMD ["python", "app/main.py"]
"""


def _tree(root: Path, dockerfile: str, base: str) -> Path:
    for name in ("api", "worker"):
        folder = root / name
        (folder / "app").mkdir(parents=True)
        (folder / "app" / "main.py").write_text(f"print('hello from {name}')\n")
        (folder / "requirements.txt").write_text("idna==3.7\n")
        (folder / "Dockerfile").write_text(dockerfile.format(base=base))
    return root


def _digest(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".dockwright" not in p.parts
    }


def _samples(result: BenchResult, service: str, scenario: Scenario, side: Side) -> list[int]:
    return [
        s.cached_steps
        for s in result.samples
        if (s.service, s.scenario, s.side) == (service, scenario, side) and s.ok
    ]


def _dangling(engine: Engine) -> set[str]:
    argv = engine.docker_argv("images", "-a", "-q", "--no-trunc", "--filter", "dangling=true")
    return set(_subprocess.run(argv, env=engine.env).stdout.split())


def _names(engine: Engine) -> dict[str, set[str]]:
    """Image ID -> its repo:tag names (`<none>:<none>` when untagged), all images."""
    fmt = "{{.ID}} {{.Repository}}:{{.Tag}}"
    argv = engine.docker_argv("images", "-a", "--no-trunc", "--format", fmt)
    names: dict[str, set[str]] = {}
    for line in _subprocess.run(argv, env=engine.env).stdout.splitlines():
        image_id, name = line.split(" ", 1)
        names.setdefault(image_id, set()).add(name)
    return names


@pytest.fixture(scope="module")
def produced() -> dict[str, set[str]]:
    """ "ids": every image ID the bench's builds produced; "dangling": untagged images before."""
    return {"ids": set(), "dangling": set()}


@pytest.fixture(scope="module")
def bench(
    tmp_path_factory: pytest.TempPathFactory,
    engine: Engine,
    base_image: str,
    produced: dict[str, set[str]],
) -> tuple[Path, BenchResult, dict[str, str], dict[str, str]]:
    root = tmp_path_factory.mktemp("bench")
    before = _tree(root / "before" / "proj", BEFORE, base_image)
    after = _tree(root / "after" / "proj", AFTER, base_image)
    digests = _digest(before), _digest(after)
    scenarios = (Scenario.WARM, Scenario.CODE, Scenario.DEPS)
    options = BenchOptions(after, str(before), scenarios, repeat=1)

    def spy(engine: Engine, tag: str) -> tuple[str, tuple[str, ...]] | None:
        facts = image_facts(engine, tag)
        produced["ids"].update([facts[0]] if facts else [])
        return facts

    produced["dangling"] = _dangling(engine)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(bench_module, "image_facts", spy)
        result = api.bench(after, options=options, engine=engine)
    assert (_digest(before), _digest(after)) == digests, "bench changed the user's tree"
    return after, result, *digests


def test_every_service_and_scenario_is_measured_on_both_sides(bench: tuple) -> None:  # type: ignore[type-arg]
    _, result, *_ = bench
    assert result.skipped == ()
    assert {(s.service, s.scenario) for s in result.summaries} == {
        (service, scenario)
        for service in ("api", "worker")
        for scenario in (Scenario.WARM, Scenario.CODE, Scenario.DEPS)
    }
    assert all(s.ratio is not None and s.before_runs == s.after_runs == 1 for s in result.summaries)
    assert all(s.ok for s in result.samples) and len(result.samples) == 12


def test_cache_behaves_as_each_scenario_promises(bench: tuple) -> None:  # type: ignore[type-arg]
    _, result, *_ = bench
    for service in ("api", "worker"):
        warm = {side: _samples(result, service, Scenario.WARM, side)[0] for side in Side}
        code = {side: _samples(result, service, Scenario.CODE, side)[0] for side in Side}
        deps = {side: _samples(result, service, Scenario.DEPS, side)[0] for side in Side}
        assert warm[Side.BEFORE] >= 5 and warm[Side.AFTER] >= 4  # all but FROM
        assert code[Side.BEFORE] <= 2  # `COPY . .` invalidates the install
        assert code[Side.AFTER] >= 3  # WORKDIR, COPY requirements, pip install stay cached
        assert deps[Side.AFTER] < code[Side.AFTER]  # the install re-ran


def test_images_are_inspected_and_waste_is_attributed(bench: tuple) -> None:  # type: ignore[type-arg]
    _, result, *_ = bench
    before, after = result.image("api", Side.BEFORE), result.image("api", Side.AFTER)
    assert before is not None and after is not None
    wasteful = [layer for layer in before.layers if layer.wasted]
    assert [(layer.line, layer.wasted) for layer in wasteful] == [(5, 300 * 1024)]
    assert before.wasted_files[0].path == "tmp/scratch.bin"
    assert after.wasted == 0
    own = [layer.instruction for layer in after.layers if layer.line]
    assert "COPY app ./app" in own and any("pip install" in (i or "") for i in own)


def test_images_are_removed(bench: tuple, engine: Engine) -> None:  # type: ignore[type-arg]
    _, result, *_ = bench
    tags = {i.tag for i in result.images}
    done = _subprocess.run(engine.docker_argv("images", "--format", "{{.Repository}}:{{.Tag}}"))
    assert tags and not tags & set(done.stdout.split())


def test_no_image_the_run_produced_remains_dangling_or_not(
    bench: tuple,  # type: ignore[type-arg]
    produced: dict[str, set[str]],
    engine: Engine,
) -> None:
    _, result, *_ = bench
    ids = produced["ids"]
    # 4 primes, then the code and deps changes give each of the 4 targets 2 new images; the
    # superseded ones used to be left dangling (`<none>`).
    assert len(ids) >= 4 + 2 * 4
    assert not ids & (_dangling(engine) - produced["dangling"])
    ours = {i.tag for i in result.images} | {"<none>:<none>"}
    # an ID still present may only be one another process tagged (identical build, its tag)
    assert {i: n for i, n in _names(engine).items() if i in ids and n & ours} == {}


def test_history_report_and_thresholds_from_the_cli(bench: tuple, tmp_path: Path) -> None:  # type: ignore[type-arg]
    after, result, *_ = bench
    assert (after / ".dockwright" / "history.db").is_file()
    assert api.latest_bench(after) == result
    assert (
        main(["history", str(after), "--max-size-growth", "0", "--max-time-regression", "0"]) == 0
    )
    out = tmp_path / "bench.md"
    assert main(["report", str(after), "--format", "markdown", "--output", str(out)]) == 0
    text = out.read_text()
    assert "| api | code |" in text and "Dockerfile:5 RUN dd" in text
    grown = [i.model_copy(update={"size": i.size * 2}) for i in result.images]
    history.record_bench(history.db_path(after), result.model_copy(update={"images": tuple(grown)}))
    assert main(["history", str(after), "--max-size-growth", "50"]) == 1


SLOW = """\
FROM {base}
WORKDIR /app
COPY requirements.txt .
COPY app ./app
RUN sleep 8
CMD ["python", "app/main.py"]
"""


def test_sigterm_mid_run_still_cleans_up(tmp_path: Path, engine: Engine, base_image: str) -> None:
    name = f"sigterm{uuid.uuid4().hex[:8]}"
    root = tmp_path / "proj"
    _tree(root, SLOW, base_image)
    (root / "api").rename(root / name)
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    argv = [sys.executable, "-m", "dockwright", "bench", str(root), "--service", name]
    argv += ["--scenarios", "code", "--repeat", "1", "--no-record"]
    env = {**os.environ, "TMPDIR": str(scratch), **engine.env}
    with subprocess.Popen(argv, env=env, stderr=subprocess.PIPE, text=True) as proc:
        assert proc.stderr is not None
        for line in proc.stderr:  # the prime build is done: its image exists, the next builds
            if "built in" in line:
                break
        time.sleep(2)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=120) == 130
    fmt = "{{.Repository}}:{{.Tag}}"
    left = _subprocess.run(engine.docker_argv("images", "-a", "--format", fmt)).stdout.split()
    assert [tag for tag in left if name in tag] == []
    assert list(scratch.glob("dockwright-bench-*")) == []
