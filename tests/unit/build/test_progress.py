from __future__ import annotations

from pathlib import Path

from dockwright.build.progress import ProgressParser, StepRecord, summarize

DATA = Path(__file__).parent / "data"


def _parse(name: str) -> ProgressParser:
    parser = ProgressParser("svc")
    for line in (DATA / name).read_text().splitlines():
        parser.feed(line)
    return parser


def test_code_change_build_caches_deps_and_reruns_code_steps() -> None:
    records = {r.name: r for r in _parse("code-change.txt").records()}
    install = records[
        "RUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt"
    ]
    assert (
        install.cached and install.stage == "base" and (install.position, install.total) == (4, 5)
    )
    copy = records["COPY . ."]
    assert not copy.cached and copy.seconds == 0.0
    run = records["RUN python app.py"]
    assert run.stage == "final" and run.seconds == 0.1 and run.log_tail == ("2",)


def test_cold_build_runs_the_install() -> None:
    records = _parse("cold.txt").records()
    steps, _cached, _ = summarize(records)
    assert steps >= 5
    install = next(r for r in records if "pip install" in r.name)
    assert install.seconds is not None and not install.cached


def test_error_is_recorded_on_its_step() -> None:
    failed = [r for r in _parse("error.txt").records() if r.error]
    assert [r.name for r in failed] == ["RUN false"]
    assert "exit code: 1" in (failed[0].error or "")


def test_sink_sees_steps_as_they_finish() -> None:
    seen: list[StepRecord] = []

    class Sink:
        def step(self, service: str, record: StepRecord) -> None:
            seen.append(record)

    parser = ProgressParser("svc", Sink())
    for line in (DATA / "code-change.txt").read_text().splitlines():
        parser.feed(line)
    assert any(r.cached for r in seen) and any(r.name == "COPY . ." and r.finished for r in seen)


def test_summary_counts_only_instructions() -> None:
    steps, cached, seconds = summarize(_parse("code-change.txt").records())
    assert (steps, cached) == (6, 3)  # FROM is DONE; WORKDIR, COPY deps and the install are CACHED
    assert seconds >= 0.1
