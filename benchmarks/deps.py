#!/usr/bin/env python3
"""Benchmark `dockwright deps` on the example stacks: cold-ish (empty dockwright cache, uv's
own cache as it is) once, then warm runs. Target: every example service resolved warm in
under 5 s in total. Writes benchmarks/results/deps-<UTC date>.json.

    .venv/bin/python benchmarks/deps.py [--repeat 3] [--find-links /opt/wheels]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import statistics
import tempfile
import time
from pathlib import Path

from dockwright import __version__, api

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = [ROOT / "examples" / "transcription-system", ROOT / "examples" / "voice-connector-llm"]
RESULTS = Path(__file__).resolve().parent / "results"
TARGET_SECONDS = 5.0


def _run(options: api.DepsOptions) -> tuple[float, api.DepsReport]:
    start = time.perf_counter()
    report = api.deps(EXAMPLES, options)
    return time.perf_counter() - start, report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--find-links", type=Path, action="append", default=[])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as cache:
        options = api.DepsOptions(find_links=tuple(args.find_links), cache_dir=Path(cache))
        cold, report = _run(options)
        warm = [_run(options)[0] for _ in range(args.repeat)]
    median = statistics.median(warm)
    services = len(report.services)
    print(
        f"{services} services, {len(report.conflicts)} conflict(s), {len(report.errors)} error(s)"
    )
    print(f"first run (empty dockwright cache): {cold:.2f} s")
    print(f"warm: median {median:.2f} s over {args.repeat} runs (target < {TARGET_SECONDS:.0f} s)")
    print(f"warm / first run: {median / cold:.2f}")
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"deps-{dt.datetime.now(dt.UTC):%Y-%m-%d}.json"
    data = {
        "version": __version__, "python": platform.python_version(), "services": services,
        "first_seconds": cold, "warm_seconds": warm, "warm_median": median,
        "target_seconds": TARGET_SECONDS, "ok": median < TARGET_SECONDS,
    }  # fmt: skip
    out.write_text(json.dumps(data, indent=2) + "\n")
    print(f"wrote {out}")
    return 0 if median < TARGET_SECONDS else 1


if __name__ == "__main__":
    raise SystemExit(main())
