#!/usr/bin/env python3
"""Benchmark `dockwright analyze` on a generated monorepo of N realistic Python services.

Generates N services (varied 30-80 line Dockerfiles: multi-stage, apt, pip/poetry/uv,
COPY, HEALTHCHECK; requirements or pyproject + lock; some code and tests) plus a compose
file, then times discovery and all rules through the library API. Prints files per second
and the time for 100 Dockerfiles, the slowest rules, and writes
benchmarks/results/analyze-<UTC date>.json. Target: 100 Dockerfiles well under 2 s.

    .venv/bin/python benchmarks/analyze.py [--services 200] [--repeat 3] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import json
import platform
import pstats
import random
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from dockwright import __version__
from dockwright.config import Config
from dockwright.model.project import discover
from dockwright.rules import engine
from dockwright.rules.registry import all_rules

RESULTS = Path(__file__).resolve().parent / "results"
PACKAGES = [
    "fastapi==0.111.0", "uvicorn==0.30.1", "pydantic==2.7.4", "sqlalchemy==2.0.31",
    "psycopg2-binary==2.9.9", "redis==5.0.7", "celery==5.4.0", "httpx==0.27.0",
    "numpy==1.26.4", "pandas==2.2.2", "boto3==1.34.140", "structlog==24.2.0",
    "opentelemetry-sdk==1.25.0", "prometheus-client==0.20.0", "orjson==3.10.6",
]  # fmt: skip
APT = ["build-essential", "libpq-dev", "curl", "git", "ffmpeg", "libmagic1", "gcc"]


# --- generating the monorepo ------------------------------------------------------------------


def _apt(rng: random.Random) -> list[str]:
    pkgs = rng.sample(APT, rng.randint(1, 4))
    lines = ["RUN apt-get update \\", "    && apt-get install -y --no-install-recommends \\"]
    lines += [f"        {p} \\" for p in pkgs]
    if rng.random() < 0.6:
        lines.append("    && rm -rf /var/lib/apt/lists/*")
    else:
        lines[-1] = lines[-1].removesuffix(" \\")
    return lines


def _install(rng: random.Random, tool: str) -> list[str]:
    mount = "--mount=type=cache,target=/root/.cache/pip " if rng.random() < 0.4 else ""
    if tool == "pip":
        copy = ["COPY requirements.txt ."] if rng.random() < 0.6 else ["COPY . ."]
        return [*copy, f"RUN {mount}pip install --no-cache-dir -r requirements.txt"]
    if tool == "poetry":
        return [
            "RUN pip install poetry==1.8.3",
            "COPY pyproject.toml poetry.lock ./",
            "RUN poetry config virtualenvs.create false \\",
            "    && poetry install --no-root --only main --no-interaction",
        ]
    return [
        "COPY --from=ghcr.io/astral-sh/uv:0.4.18 /uv /bin/uv",
        "COPY pyproject.toml uv.lock ./",
        "RUN --mount=type=cache,target=/root/.cache/uv uv sync --frozen --no-install-project",
    ]


def _runtime(rng: random.Random, name: str, multi: bool) -> list[str]:
    lines = ["", "FROM python:3.11-slim AS runtime", "WORKDIR /app"] if multi else [""]
    if multi:
        lines += ["COPY --from=builder /usr/local /usr/local"]
    lines += ["COPY . ." if rng.random() < 0.5 else "COPY src/ ./src/"]
    if rng.random() < 0.6:
        lines += ["RUN useradd --create-home --uid 10001 app", "USER app"]
    lines += [f"ENV SERVICE_NAME={name} PORT=8000", "EXPOSE 8000"]
    if rng.random() < 0.5:
        lines.append(
            "HEALTHCHECK --interval=30s CMD curl -f http://localhost:8000/health || exit 1"
        )
    else:
        probe = "import urllib.request; urllib.request.urlopen('http://localhost:8000/health')"
        lines.append(f'HEALTHCHECK --interval=30s CMD ["python", "-c", "{probe}"]')
    lines.append('CMD ["uvicorn", "src.main:app", "--host", "0.0.0.0", "--port", "8000"]')
    return lines


def dockerfile(rng: random.Random, name: str, tool: str) -> str:
    """A 30-80 line Dockerfile in one of several common shapes."""
    multi = rng.random() < 0.6
    lines = [f"# {name}: generated benchmark service", "ARG PYTHON_VERSION=3.11"]
    lines += [f"FROM python:${{PYTHON_VERSION}}-slim{' AS builder' if multi else ''}"]
    lines += ["ENV PYTHONDONTWRITEBYTECODE=1 \\", "    PYTHONUNBUFFERED=1", "WORKDIR /app"]
    if rng.random() < 0.7:
        lines += _apt(rng)
    lines += _install(rng, tool)
    lines += _runtime(rng, name, multi)
    target = rng.randint(30, 80)
    filler = iter(range(1000))
    while len(lines) < target:
        n = next(filler)
        lines.insert(
            3, f'LABEL org.example.note{n}="benchmark padding {n}"' if n % 2 else f"# note {n}"
        )
    return "\n".join(lines) + "\n"


def _service_files(rng: random.Random, name: str) -> Iterator[tuple[str, str]]:
    tool = rng.choices(["pip", "poetry", "uv"], weights=[6, 2, 2])[0]
    yield "Dockerfile", dockerfile(rng, name, tool)
    deps = rng.sample(PACKAGES, rng.randint(3, 9))
    if tool == "pip":
        yield "requirements.txt", "\n".join(deps) + "\n"
    else:
        listed = ", ".join(f'"{d}"' for d in deps)
        yield (
            "pyproject.toml",
            f'[project]\nname = "{name}"\nversion = "0.1.0"\ndependencies = [{listed}]\n',
        )
        yield ("poetry.lock" if tool == "poetry" else "uv.lock"), "# lock\n" * 20
    yield "src/__init__.py", ""
    yield "src/main.py", "import os\n\nfrom fastapi import FastAPI\n\napp = FastAPI()\n" * 3
    yield "tests/test_main.py", "def test_ok():\n    assert True\n"
    if rng.random() < 0.5:
        yield ".dockerignore", ".git\n__pycache__\n*.pyc\ntests/\n.env\n"


def generate(root: Path, count: int, seed: int = 7) -> int:
    """Write the monorepo under `root`; returns the number of files written."""
    rng = random.Random(seed)
    written = 0
    compose = ["services:"]
    for index in range(count):
        name = f"svc-{index:03d}"
        for rel, text in _service_files(rng, name):
            path = root / "services" / name / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
            written += 1
        compose += [f"  {name}:", "    build:", f"      context: ./services/{name}"]
    (root / "docker-compose.yml").write_text("\n".join(compose) + "\n")
    return written + 1


# --- measuring --------------------------------------------------------------------------------


def _timed_rules(timings: dict[str, float]) -> Callable[[], None]:
    """Wrap the engine's per-rule call to add up time per rule; returns an undo function."""
    original = engine._run_rule

    def timed(rule: Any, ctx: Any) -> Any:
        start = time.perf_counter()
        try:
            return original(rule, ctx)
        finally:
            timings[rule.id] += time.perf_counter() - start

    engine._run_rule = timed

    def undo() -> None:
        engine._run_rule = original

    return undo


def run_once(root: Path) -> dict[str, Any]:
    """Discover + analyse once; durations in seconds and per-rule times."""
    rules: dict[str, float] = defaultdict(float)
    undo = _timed_rules(rules)
    try:
        start = time.perf_counter()
        project = discover([root])
        discovered = time.perf_counter()
        result = engine.analyze(project, Config().selection(s.name for s in project.services))
        done = time.perf_counter()
    finally:
        undo()
    return {
        "discover_s": discovered - start,
        "analyze_s": done - discovered,
        "total_s": done - start,
        "services": len(project.services),
        "findings": len(result.findings),
        "problems": [p.one_line() for p in result.problems][:5],
        "rules_s": dict(sorted(rules.items(), key=lambda kv: -kv[1])),
    }


def profile(root: Path, top: int = 25) -> str:
    """cProfile of one run, top functions by cumulative time."""
    profiler = cProfile.Profile()
    profiler.enable()
    run_once(root)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(top)
    return out.getvalue()


def summarise(runs: list[dict[str, Any]], files: int, count: int) -> dict[str, Any]:
    """Best and median of the runs, scaled to 100 Dockerfiles."""
    best = min(runs, key=lambda r: r["total_s"])
    median = statistics.median(r["total_s"] for r in runs)
    return {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "dockwright": __version__,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "rules": len(all_rules()),
        "services": count,
        "files": files,
        "repeat": len(runs),
        "best_total_s": round(best["total_s"], 4),
        "median_total_s": round(median, 4),
        "best_discover_s": round(best["discover_s"], 4),
        "best_analyze_s": round(best["analyze_s"], 4),
        "files_per_s": round(files / best["total_s"], 1),
        "dockerfiles_per_s": round(count / best["total_s"], 1),
        "s_per_100_dockerfiles": round(best["total_s"] * 100 / count, 4),
        "findings": best["findings"],
        "problems": best["problems"],
        "slowest_rules_s": {k: round(v, 4) for k, v in list(best["rules_s"].items())[:10]},
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="print a cProfile of one run")
    parser.add_argument("--no-write", action="store_true", help="do not write the results file")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="dockwright-bench-") as tmp:
        root = Path(tmp)
        files = generate(root, args.services)
        run_once(root)  # warm-up: imports, parser start-up, registry
        runs = [run_once(root) for _ in range(args.repeat)]
        report = summarise(runs, files, args.services)
        if args.profile:
            print(profile(root))
    print(json.dumps(report, indent=2))
    verdict = "OK" if report["s_per_100_dockerfiles"] < 2 else "SLOW"
    print(f"{verdict}: {report['s_per_100_dockerfiles']:.3f} s per 100 Dockerfiles, "
          f"{report['files_per_s']:.0f} files/s", file=sys.stderr)  # fmt: skip
    if not args.no_write:
        RESULTS.mkdir(parents=True, exist_ok=True)
        out = RESULTS / f"analyze-{dt.datetime.now(dt.UTC):%Y-%m-%d}.json"
        out.write_text(json.dumps(report, indent=2) + "\n")
        print(f"wrote {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
