from __future__ import annotations

from pathlib import Path

from dockwright.deps.analysis import attempt_for
from dockwright.deps.explain import explain
from dockwright.deps.inputs import ServiceInputs
from dockwright.deps.minfix import smallest_fix
from dockwright.deps.records import Conflict
from dockwright.deps.request import Source, request_for
from dockwright.deps.sources import DepsOptions, Sources
from dockwright.deps.target import Target
from dockwright.model.depfiles import load_requirements
from tests.unit.deps.fakeindex import FakeIndex, FakeResolver, Graph

# The transcription note's conflict: mistralai 0.0.12 needs pydantic>=2.5.2.
GRAPH: Graph = {
    "pydantic": {"2.4.2": {}, "2.5.0": {}, "2.5.1": {}, "2.5.2": {}, "2.5.3": {}, "2.6.0": {}},
    "mistralai": {
        "0.0.11": {"pydantic": ">=2.5.2,<3"},
        "0.0.12": {"pydantic": ">=2.5.2,<3"},
        "0.1.0": {"pydantic": ">=2.6,<3"},
    },
    "redis": {"5.0.1": {}},
}


def _inputs(tmp_path: Path, text: str) -> ServiceInputs:
    path = tmp_path / "requirements.txt"
    path.write_text(text)
    dep = load_requirements(path)
    return ServiceInputs("svc", Target(), (dep,), dep.requirements)


def _search(
    tmp_path: Path, text: str, graph: Graph = GRAPH
) -> tuple[Conflict, object, FakeResolver]:
    inputs = _inputs(tmp_path, text)
    resolver = FakeResolver(graph)
    sources = Sources(DepsOptions(), resolver, tmp_path)
    outcome = resolver.resolve(request_for(inputs, Source()))
    conflict = explain(inputs, outcome)
    assert isinstance(conflict, Conflict)
    fix = smallest_fix(conflict, inputs, FakeIndex(graph), attempt_for(inputs, sources))
    return conflict, fix, resolver


def test_conflict_chain_names_files_and_lines(tmp_path: Path) -> None:
    conflict, _, _ = _search(
        tmp_path, "pydantic==2.5.0  # api models\nredis==5.0.1\nmistralai==0.0.12\n"
    )
    assert conflict.packages == ("pydantic", "mistralai")
    demand = next(d for d in conflict.chain if d.who)
    assert (demand.package, demand.spec, demand.who) == (
        "pydantic",
        ">=2.5.2,<3",
        "mistralai==0.0.12",
    )
    own = [(d.package, d.line) for d in conflict.chain if not d.who]
    assert own == [("pydantic", 1), ("mistralai", 3)]


def test_smallest_fix_bumps_pydantic_to_the_nearest_satisfying_version(tmp_path: Path) -> None:
    _, fix, resolver = _search(tmp_path, "pydantic==2.5.0\nmistralai==0.0.12\n")
    assert fix is not None and fix.verified
    assert [(c.package, c.old, c.new, c.line) for c in fix.changes] == [
        ("pydantic", "2.5.0", "2.5.2", 1)
    ]
    assert fix.summary == "bump pydantic 2.5.0 -> 2.5.2"
    assert resolver.calls[-1].requirements == ("pydantic==2.5.2", "mistralai==0.0.12")


def test_lowering_is_found_when_no_upgrade_exists(tmp_path: Path) -> None:
    graph: Graph = {
        "pydantic": {"1.10.0": {}, "2.0.0": {}},
        "lib": {"1.0": {"pydantic": "<2"}, "2.0": {"pydantic": "<2"}},
    }
    _, fix, _ = _search(tmp_path, "pydantic==2.0.0\nlib==2.0\n", graph)
    assert fix is not None
    assert [(c.package, c.new) for c in fix.changes] == [("pydantic", "1.10.0")]
    assert not fix.changes[0].is_upgrade


def test_a_second_conflict_extends_the_search(tmp_path: Path) -> None:
    graph: Graph = {
        "a": {"1.0": {"b": ">=2"}},
        "b": {"1.0": {}, "2.0": {"c": ">=3"}},
        "c": {"2.0": {}, "3.0": {}},
    }
    _, fix, _ = _search(tmp_path, "a==1.0\nb==1.0\nc==2.0\n", graph)
    assert fix is not None and fix.verified
    assert sorted((c.package, c.new) for c in fix.changes) == [("b", "2.0"), ("c", "3.0")]


def test_no_fix_when_nothing_pinned_can_move(tmp_path: Path) -> None:
    graph: Graph = {"a": {"1.0": {"b": ">=9"}}, "b": {"1.0": {}}}
    _, fix, resolver = _search(tmp_path, "a==1.0\nb==1.0\n", graph)
    assert fix is None
    assert len(resolver.calls) <= 13
