#!/usr/bin/env python3
"""Build benchmarks of issue 5: every example service, before vs optimized, in one run.

"before" is a copy of each example stack; "after" is made by the product itself (`optimize
--resolve --out` with a CPU torch wheelhouse, then `deps --fix`). `dockwright bench` then
measures both sides per service; this script turns its medians into the issue's ratios and
targets, writes benchmarks/results/builds-<UTC date>.json and prints a Markdown table
(`--readme`: also into README.md between the markers). A benchmark, not a test: nothing in
tests/ runs it.

    .venv/bin/python benchmarks/builds.py [--repeat 1] [--services a,b] [--scenarios ...]
        [--quick] [--readme] [--prune-own-cache] [--min-free-gb 20] [--rescore FILE]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from dockwright import _subprocess, api
from dockwright.build.engine import Engine
from dockwright.measure.bench import BenchOptions
from dockwright.model.measurements import BenchResult, Scenario, Side
from dockwright.model.project import Service, discover

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).resolve().parent / "results"
STACKS = ("transcription-system", "voice-connector-llm")
WHEELS = Path("/opt/wheels")
TORCH_WORDS = ("torch", "sentence-transformers", "openai-whisper")
RATIO_TARGETS = {Scenario.CODE: 0.02, Scenario.DEPS: 0.2, Scenario.COLD: 0.35}
WARM_SECONDS, SIZE_TORCH, SIZE_OTHER = 1.0, 0.25, 0.6
MARKERS = ("<!-- builds-table:start -->", "<!-- builds-table:end -->")
# The transcription worker pins torch==2.1.1; the only CPU wheel here is 2.13.0+cpu.
REPIN = ("services/transcription-worker/requirements.txt", "torch==2.1.1", "torch==2.13.0")
Json = dict[str, Any]
Log = Callable[[str], None]


def log(text: str) -> None:
    """Progress line with a timestamp."""
    print(f"[{dt.datetime.now():%H:%M:%S}] {text}", flush=True)


def prepare(stack: str, scratch: Path) -> tuple[Path, Path, list[str]]:
    """(before, after, deviations): a plain copy and the product's optimized copy."""
    caches = shutil.ignore_patterns(".pytest_cache", ".mypy_cache", ".ruff_cache", "__pycache__")
    before, after = scratch / "before" / stack, scratch / "after" / stack
    shutil.copytree(ROOT / "examples" / stack, before, ignore=caches)
    wheels_only = api.wheel_only_services(before, api.DepsOptions(find_links=(WHEELS,)))
    options = api.OptimizeOptions(wheelhouse="wheelhouse", wheels_only=wheels_only)
    api.write_optimization(api.optimize(before, options), out=after)
    deviations = [f"optimize --resolve: all wheels for {', '.join(sorted(wheels_only))}"]
    pinned = after / REPIN[0]
    if pinned.is_file() and REPIN[1] in pinned.read_text():
        pinned.write_text(pinned.read_text().replace(REPIN[1], REPIN[2]))
        deviations.append(
            f"after side: {REPIN[0]} {REPIN[1]} -> {REPIN[2]} (no CPU wheel for 2.1.1)"
        )
    fixed = api.deps([after], api.DepsOptions(fix=True, find_links=(WHEELS,)))
    deviations += [
        f"deps --fix: {c.fix.summary}" for c in fixed.conflicts if c.fix and c.fix.applied
    ]
    for service in discover([after]).services:
        if "/tmp/wheelhouse" in service.dockerfile.text:
            house = service.context / "wheelhouse"
            house.mkdir(exist_ok=True)
            for wheel in WHEELS.glob("torch-*+cpu-cp311-*.whl"):
                shutil.copy2(wheel, house)
    return before, after, deviations


def is_torch(service: Service) -> bool:
    """Whether the service installs PyTorch (directly or through a library that pulls it)."""
    own = [d for d in service.dep_files if d.path.parent == service.dockerfile_path.parent]
    texts = (d.path.read_text(errors="replace").lower() for d in own or service.dep_files)
    return any(word in text for text in texts for word in TORCH_WORDS)


def final_target(service: Service) -> str:
    """The stage a default build of the service produces."""
    return service.target or service.dockerfile.stages[-1].name or "(last stage)"


def docker_free_gb() -> float:
    """Free space where the engine keeps its images and build cache."""
    path = Path("/var/lib/docker")
    return shutil.disk_usage(path if path.is_dir() else "/").free / 1e9


def cache_records(engine: Engine) -> list[Json]:
    """The engine's build cache records (`docker system df -v`)."""
    argv = engine.docker_argv("system", "df", "-v", "--format", "{{json .BuildCache}}")
    records: list[Json] = json.loads(_subprocess.run(argv, env=engine.env, timeout=300).stdout)
    return records


def utc_now() -> str:
    """Now, in the format of the build cache's CreatedAt (to the second)."""
    return f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M:%S}"


def prune_own(engine: Engine, since: str, dockerfiles: list[str]) -> int:
    """Remove unused cache records created since `since` that ran one of our RUN lines."""
    removed = 0
    for record in cache_records(engine):
        command = record["Description"].partition("from exec /bin/sh -c ")[2][:40]
        ours = command and any(command in text for text in dockerfiles)
        if record["CreatedAt"][:19] >= since and record["InUse"] == "false" and ours:
            argv = engine.docker_argv("builder", "prune", "-f", "--filter", f"id={record['ID']}")
            removed += _subprocess.run(argv, env=engine.env, check=False, timeout=600).ok
    return removed


def ratio_cell(value: float | None, target: float, missing: str) -> Json:
    """A measured ratio against its target."""
    if value is None:
        return {"value": None, "target": target, "pass": None, "note": missing}
    return {"value": round(value, 4), "target": target, "pass": value <= target}


def service_row(result: BenchResult, name: str, torch: bool, target: str) -> Json:
    """Seconds, image sizes, ratios and pass/fail of one service."""
    summaries = [s for s in result.summaries if s.service == name]
    before_fails = any(s.side is Side.BEFORE and "failed" in s.reason for s in result.skipped)
    images = {side.value: result.image(name, side) for side in Side}
    row: Json = {
        "service": name, "pytorch": torch, "after_target": target,
        "missing": "n/a (before fails)" if before_fails else "n/a (not measured)",
        "seconds": {s.scenario.value: {"before": s.before, "after": s.after} for s in summaries},
        "image_bytes": {side: image and image.size for side, image in images.items()},
        "skipped": [s.model_dump(mode="json") for s in result.skipped],
    }  # fmt: skip
    return score(row)


def score(row: Json) -> Json:
    """Add the ratios and their pass/fail to a row of raw numbers (also for `--rescore`)."""
    seconds, size, missing = row["seconds"], row["image_bytes"], row["missing"]
    cells = {}
    for scenario, target in RATIO_TARGETS.items():
        pair = seconds.get(scenario.value, {})
        ratio = pair["after"] / pair["before"] if pair.get("before") and pair.get("after") else None
        cells[scenario.value] = ratio_cell(ratio, target, missing)
    warm = seconds.get("warm", {}).get("after")
    cells["warm"] = {"value": warm, "target": WARM_SECONDS, "unit": "s"}
    cells["warm"]["pass"] = None if warm is None else warm <= WARM_SECONDS
    ratio = size["after"] / size["before"] if size["before"] and size["after"] else None
    cells["size"] = ratio_cell(ratio, SIZE_TORCH if row["pytorch"] else SIZE_OTHER, missing)
    return {**row, "targets": cells}


def _old_note(row: Json) -> str:
    notes = [c["note"] for c in row.get("targets", {}).values() if c.get("note")]
    return str(notes[0]) if notes else "n/a (not measured)"


def rescore(path: Path) -> Json:
    """A stored result with the PyTorch flags taken again from examples/ and rescored."""
    data: Json = json.loads(path.read_text())
    for entry in data["stacks"]:
        torch = {
            s.name: is_torch(s) for s in discover([ROOT / "examples" / entry["stack"]]).services
        }
        entry["services"] = [
            score(
                {
                    **row,
                    "pytorch": torch.get(row["service"], row["pytorch"]),
                    "missing": row.get("missing") or _old_note(row),
                }
            )
            for row in entry["services"]
        ]
    data["table"] = table([row for entry in data["stacks"] for row in entry["services"]])
    return data


def fmt_cell(cell: Json) -> str:
    """`0.012 ✓`, `0.05 ✗ MISS` or the reason it is missing."""
    if cell["value"] is None:
        return str(cell.get("note", "n/a"))
    value = f"{cell['value']:.2f} s" if cell.get("unit") == "s" else f"{cell['value']:.3f}"
    return f"{value} {'✓' if cell['pass'] else '✗ MISS'}"


def table(rows: list[Json]) -> str:
    """The Markdown table of every measured service."""
    head = (
        "| Service | code rebuild (≤ 0.02) | deps rebuild (≤ 0.2) | cold build (≤ 0.35) "
        "| no-change rebuild (≤ 1 s) | production image (≤ 0.25 torch / 0.6) |\n"
        "|---|---|---|---|---|---|\n"
    )
    order = ("code", "deps", "cold", "warm", "size")
    lines = []
    for row in rows:
        name = row["service"] + (" (PyTorch)" if row["pytorch"] else "")
        cells = " | ".join(fmt_cell(row["targets"][key]) for key in order)
        lines.append(f"| {name} | {cells} |")
    return head + "\n".join(lines) + "\n"


def machine(engine: Engine) -> Json:
    """Where the run happened."""
    pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    return {
        "cores": os.cpu_count(), "memory_gb": round(pages / 2**30, 1),
        "engine_version": engine.server_version, "client": engine.kind.value,
        "client_describe": engine.describe(), "host": os.uname().nodename,
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }  # fmt: skip


def write_readme(data: Json) -> None:
    """Replace the table between the markers of README.md's Benchmarks section."""
    readme = ROOT / "README.md"
    text = readme.read_text()
    start, end = text.index(MARKERS[0]) + len(MARKERS[0]), text.index(MARKERS[1])
    m = data["machine"]
    when = (
        f"\nLatest run: {m['date'][:10]} (UTC), {m['cores']} cores, {m['memory_gb']} GiB, "
        f"Docker engine {m['engine_version']} ({m['client']} client), "
        f"repeat {data['repeat']}, {data['minutes']:.0f} min of bench runs.\n\n"
    )
    readme.write_text(text[:start] + when + data["table"] + "\n" + text[end:])


def bench_service(
    engine: Engine,
    sides: tuple[Path, Path],
    name: str,
    repeat: int,
    scenarios: tuple[Scenario, ...],
) -> BenchResult:
    """`dockwright bench AFTER --baseline BEFORE --service NAME --scenarios ...`."""
    before, after = sides
    options = BenchOptions(after, str(before), scenarios, repeat, (name,))
    return api.bench(after, options=options, engine=engine, record=False, progress=log)


def bench_lean(
    engine: Engine, sides: tuple[Path, Path], name: str, args: argparse.Namespace, texts: list[str]
) -> BenchResult:
    """One bench per scenario, warm first; after each later one, its own cache is pruned.

    For the PyTorch services: each before build adds ~5 GB of CUDA wheels to the build cache,
    four of them at once would not fit on a shared disk.
    """
    parts = [bench_service(engine, sides, name, args.repeat, (Scenario.WARM,))]
    for scenario in (s for s in args.scenarios if s is not Scenario.WARM):
        since = utc_now()
        parts.append(bench_service(engine, sides, name, args.repeat, (scenario,)))
        log(f"{name}/{scenario.value}: pruned {prune_own(engine, since, texts)} cache record(s)")
    return BenchResult(
        info=parts[0].info,
        samples=tuple(s for p in parts for s in p.samples),
        images=parts[0].images,
        summaries=tuple(s for p in parts for s in p.summaries),
        skipped=tuple(s for p in parts for s in p.skipped),
    )


def measure_stack(
    engine: Engine, entry: Json, scratch: Path, args: argparse.Namespace, save: Callable[[], None]
) -> None:
    """Prepare one stack and bench each wanted service in it, one at a time; save after each."""
    before, after, entry["deviations"] = prepare(entry["stack"], scratch)
    befores = {s.name: s for s in discover([before]).services}
    for name, service in sorted({s.name: s for s in discover([after]).services}.items()):
        torch = is_torch(service)
        if (args.services and name not in args.services) or (args.quick and torch):
            continue
        free = docker_free_gb()
        if torch and free < args.min_free_gb:
            entry["deviations"].append(f"{name}: not run, {free:.0f} GB free < --min-free-gb")
            continue
        log(f"{entry['stack']}/{name}: bench starts ({free:.0f} GB free)")
        texts = [service.dockerfile.text] + [s.dockerfile.text for s in befores.values()
                                             if s.name == name]  # fmt: skip
        if torch and args.prune_own_cache:
            result = bench_lean(engine, (before, after), name, args, texts)
        else:
            result = bench_service(engine, (before, after), name, args.repeat, args.scenarios)
        row = merge(entry["services"], service_row(result, name, torch, final_target(service)))
        rows = [r for r in entry["services"] if r["service"] != name]
        entry["services"] = [*rows, row]
        if args.prune_own_cache:
            pruned = prune_own(engine, args.since, texts)
            log(f"{name}: pruned {pruned} own cache record(s) created since {args.since}")
        save()


def merge(rows: list[Json], row: Json) -> Json:
    """A partial re-run keeps the earlier run's seconds of the scenarios it did not measure."""
    old = next((r for r in rows if r["service"] == row["service"]), None)
    if old is None:
        return row
    kept = {k: v for k, v in old["seconds"].items() if k not in row["seconds"]}
    if not kept:
        return row
    note = f"{', '.join(kept)}: from an earlier run ({old.get('source', 'same date')})"
    return score({**row, "seconds": {**kept, **row["seconds"]}, "source": note})


def parse_args() -> argparse.Namespace:
    """The command line (see the module docstring and benchmarks/README.md)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--services", type=lambda v: v.split(","), default=[])
    parser.add_argument(
        "--scenarios", type=lambda v: tuple(Scenario(x) for x in v.split(",")),
        default=tuple(Scenario), help="default: cold,warm,code,deps",
    )  # fmt: skip
    parser.add_argument("--quick", action="store_true", help="only the services without PyTorch")
    parser.add_argument("--readme", action="store_true", help="rewrite README.md's table")
    parser.add_argument("--min-free-gb", type=float, default=20.0, help="per PyTorch service")
    parser.add_argument(
        "--prune-own-cache", action="store_true",
        help="after each service, remove the unused build-cache records its bench created",
    )  # fmt: skip
    parser.add_argument("--rescore", type=Path, help="recompute a stored result; no builds")
    return parser.parse_args()


def run_all(args: argparse.Namespace) -> tuple[Json, Path]:
    """Bench every stack; the result is saved after each service."""
    engine, started = api.engine(), time.monotonic()
    data: Json = {"machine": machine(engine), "repeat": args.repeat, "stacks": [], "minutes": 0.0}
    out = RESULTS / f"builds-{data['machine']['date'][:10]}.json"
    if args.services and out.is_file():  # a partial run updates today's rows
        data = {**json.loads(out.read_text()), "machine": data["machine"]}
    earlier, args.since = data["minutes"], data.setdefault("started", utc_now())
    stacks = {entry["stack"]: entry for entry in data["stacks"]}
    data["stacks"] = [stacks.get(s, {"stack": s, "deviations": [], "services": []}) for s in STACKS]

    def save() -> None:
        rows = [row for stack in data["stacks"] for row in stack["services"]]
        data["minutes"] = earlier + (time.monotonic() - started) / 60
        data["table"] = table(rows)
        RESULTS.mkdir(exist_ok=True)
        out.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")

    with tempfile.TemporaryDirectory(prefix="dockwright-builds-") as scratch:
        for entry in data["stacks"]:
            measure_stack(engine, entry, Path(scratch), args, save)
    save()
    return data, out


def main() -> int:
    args = parse_args()
    if args.rescore:
        data, out = rescore(args.rescore), args.rescore
        out.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    else:
        data, out = run_all(args)
    print(data["table"])
    print(f"wrote {out}")
    if args.readme:
        write_readme(data)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
