"""Progress sinks and the summary table, fed with records (no Docker)."""

from __future__ import annotations

import io

from rich.console import Console

from dockwright.build.progress import StepRecord
from dockwright.build.runner import BuildResult
from dockwright.build.session import ServiceOutcome
from dockwright.build.sink import LineSink, LiveSink, ServiceProgress, make_sink
from dockwright.build.summary import human_size, summary_rows, summary_table
from dockwright.build.validate import Check, ValidationResult

FROM = StepRecord(4, "FROM python:3.11-slim", "base", 1, 9, cached=True)  # shared vertex
COPY = StepRecord(5, "COPY req.txt .", "base", 2, 3, seconds=0.1)
RUN = StepRecord(6, "RUN pip install fastapi[all]", "base", 3, 3)
FINAL = StepRecord(7, "COPY . .", "final", 1, 2)
INTERNAL = StepRecord(1, "[internal] load build definition from Dockerfile", seconds=0.0)


def console() -> Console:
    return Console(file=io.StringIO(), width=120, force_terminal=False)


def result(service: str, ok: bool, steps: tuple[StepRecord, ...] = ()) -> BuildResult:
    return BuildResult(service, ok, 12.34, steps, (f"dockwright/{service}:latest",), ("docker",))


def test_service_progress_counts_instruction_steps_per_stage() -> None:
    state = ServiceProgress()
    for record in (INTERNAL, FROM, COPY, RUN, FINAL):
        state.update(record)
    assert (state.total, state.done, state.cached) == (4, 2, 1)  # final: only 1/2 seen yet
    assert state.current == "COPY . ."
    state.update(StepRecord(8, "CMD x", "final", 2, 2, seconds=0.0))
    assert (state.total, state.done) == (5, 3)
    only_from = ServiceProgress()
    only_from.update(FROM)  # carries another build's [1/9]
    assert only_from.total == 1
    assert ServiceProgress().current == "waiting"


def test_line_sink_prints_each_finished_step_once() -> None:
    out = console()
    with LineSink(out) as sink:
        for record in (COPY, COPY, RUN, FROM):
            sink.step("api", record)
        sink.finish("api", BuildResult("api", False, 1.0, (), (), (), "exit code: 3"))
    text = out.file.getvalue()  # type: ignore[attr-defined]
    assert text.count("COPY req.txt .") == 1 and "[CACHED]" in text and "[0.1s]" in text
    assert "RUN pip" not in text and "api: FAILED: exit code: 3" in text


def test_live_sink_shows_a_bar_per_service() -> None:
    out = Console(file=io.StringIO(), width=120, force_terminal=True)
    with LiveSink(out) as sink:
        sink.start("api")
        sink.start("worker")
        for record in (FROM, COPY, RUN):
            sink.step("api", record)
        sink.finish("api", result("api", True))
        sink.finish("worker", result("worker", False))
    text = out.file.getvalue()  # type: ignore[attr-defined]
    assert "api" in text and "worker" in text and "built" in text and "failed" in text
    assert isinstance(make_sink(console()), LineSink) and isinstance(make_sink(out), LiveSink)


def test_summary_rows_and_table() -> None:
    invalid = ValidationResult("worker", "img", (Check("non-root", False, "uid 0"),))
    outcomes = [
        ServiceOutcome(result("api", True, (INTERNAL, FROM, COPY)), 191_000_000),
        ServiceOutcome(result("worker", True, (FROM,)), 1500, invalid),
        ServiceOutcome(result("bad", False, (FROM, RUN))),
    ]
    rows = summary_rows(outcomes)
    assert [(r.service, r.result, r.steps, r.cached) for r in rows] == [
        ("api", "built", 2, 1),
        ("worker", "invalid", 1, 1),
        ("bad", "failed", 2, 1),
    ]
    out = console()
    out.print(summary_table(rows))
    text = out.file.getvalue()  # type: ignore[attr-defined]
    assert "image size" in text and "191.0 MB" in text and "12.3s" in text and "failed" in text


def test_human_size() -> None:
    assert [human_size(n) for n in (None, 999, 1500, 2_500_000_000)] == [
        "-", "999 B", "1.5 kB", "2.5 GB",
    ]  # fmt: skip
