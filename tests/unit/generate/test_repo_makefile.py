"""Makefile targets in a marked block: new file, existing file, re-runs, user targets."""

from __future__ import annotations

import re
from pathlib import Path

from dockwright.generate.makefile import (
    BEGIN,
    END,
    MakeContext,
    generate_makefile,
    merge_block,
    render_block,
    user_targets,
)

TARGETS = ("build-dev", "build-prod", "build-fast", "start-dev", "bench")


def _rules(text: str) -> dict[str, list[str]]:
    """target -> recipe lines (a tiny make parser: enough to check structure)."""
    rules: dict[str, list[str]] = {}
    current = None
    for line in text.splitlines():
        match = re.match(r"^([A-Za-z0-9_.-]+):(?!=)", line)
        if match:
            current = match.group(1)
            rules[current] = []
        elif line.startswith("\t") and current:
            rules[current].append(line[1:])
        elif not line.strip():
            current = None
    return rules


def test_new_makefile_has_every_target(tmp_path: Path) -> None:
    ctx = MakeContext(tmp_path, tmp_path / "docker-compose.yml")
    file = generate_makefile(ctx)
    assert file.path == tmp_path / "Makefile"
    rules = _rules(file.text)
    assert set(TARGETS) <= set(rules)
    assert rules["build-dev"] == ["$(DOCKWRIGHT_BAKE) dev"]
    assert rules["build-prod"] == ["$(DOCKWRIGHT_BAKE) prod"]
    assert rules["build-fast"] == ["CACHE_DIR=$(DOCKWRIGHT_CACHE_DIR) $(DOCKWRIGHT_BAKE) prod"]
    assert rules["start-dev"] == ["$(DOCKWRIGHT_COMPOSE_DEV) up --build --watch"]
    assert rules["bench"] == ["dockwright bench ."]
    assert "-f docker-compose.yml -f compose.dev.yaml" in file.text
    assert f".PHONY: {' '.join(TARGETS)}" in file.text


def test_existing_makefile_keeps_its_lines_and_gets_a_block(tmp_path: Path) -> None:
    original = "all:\n\techo hi\n"
    (tmp_path / "Makefile").write_text(original)
    text = generate_makefile(MakeContext(tmp_path, None)).text
    assert text.startswith(original + "\n" + BEGIN)
    assert text.endswith(END + "\n")


def test_rerun_replaces_the_block_in_place(tmp_path: Path) -> None:
    original = "all:\n\techo hi\n"
    once = merge_block(original, render_block(MakeContext(tmp_path, None)))
    after = once + "\nclean:\n\trm -rf build\n"
    twice = merge_block(after, render_block(MakeContext(tmp_path, tmp_path / "compose.yaml")))
    assert twice.count(BEGIN) == 1 and twice.endswith("clean:\n\trm -rf build\n")
    assert "compose.dev.yaml" in twice
    assert (
        merge_block(twice, render_block(MakeContext(tmp_path, tmp_path / "compose.yaml"))) == twice
    )


def test_user_defined_targets_are_not_generated(tmp_path: Path) -> None:
    (tmp_path / "makefile").write_text("bench: deps\n\t./bench.sh\nX := 1\nstart-dev:: a\n")
    assert user_targets((tmp_path / "makefile").read_text()) == {"bench", "start-dev"}
    file = generate_makefile(MakeContext(tmp_path, None))
    assert file.path.name == "makefile"
    block = file.text[file.text.index(BEGIN) :]
    assert "\nbench:" not in block and "\nstart-dev:" not in block
    assert any("`bench` is already yours" in n for n in file.notes)


def test_start_dev_without_compose_fails_clearly(tmp_path: Path) -> None:
    rules = _rules(render_block(MakeContext(tmp_path, None)))
    assert "exit 2" in rules["start-dev"][0]


def test_compose_in_a_subfolder(tmp_path: Path) -> None:
    text = render_block(MakeContext(tmp_path, tmp_path / "deploy" / "docker-compose.yml"))
    assert "-f deploy/docker-compose.yml -f deploy/compose.dev.yaml" in text
