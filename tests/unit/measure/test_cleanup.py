from __future__ import annotations

import signal

import pytest

from dockwright.measure.cleanup import ImageLedger, interrupts_as_keyboard, parse_facts

A, B = "dockwright-bench/api:after-n", "dockwright-bench/api:before-n"


def test_a_rebuild_with_a_new_image_supersedes_the_old_one() -> None:
    ledger = ImageLedger(frozenset({A, B}))
    assert ledger.record(A, "sha256:1", (A,)) == []
    assert ledger.record(A, "sha256:1", (A,)) == []  # cached rebuild: same image
    assert ledger.record(A, "sha256:2", (A,)) == ["sha256:1"]
    assert ledger.record(A, "sha256:3", (A,)) == ["sha256:2"]
    assert ledger.leftovers() == ["sha256:3"]
    assert ledger.removed == {"sha256:1", "sha256:2"}


def test_an_image_another_tag_still_names_is_not_removed() -> None:
    ledger = ImageLedger(frozenset({A, B}))
    ledger.record(A, "sha256:1", (A,))
    ledger.record(B, "sha256:1", (A, B))  # both sides built the same image
    assert ledger.record(A, "sha256:2", (A,)) == []
    assert ledger.record(B, "sha256:3", (B,)) == ["sha256:1"]
    assert ledger.leftovers() == ["sha256:2", "sha256:3"]


def test_an_image_with_a_tag_not_ours_is_never_claimed() -> None:
    ledger = ImageLedger(frozenset({A}))
    ledger.record(A, "sha256:users", (A, "myapp:latest"))  # identical to a user's image
    assert ledger.record(A, "sha256:2", (A,)) == []
    assert ledger.leftovers() == ["sha256:2"]


def test_parse_facts() -> None:
    assert parse_facts("sha256:ab dockwright-bench/x:after-1 y:z\n") == (
        "sha256:ab",
        ("dockwright-bench/x:after-1", "y:z"),
    )
    assert parse_facts("sha256:ab\n") == ("sha256:ab", ())
    assert parse_facts("\n") is None


def test_sigterm_becomes_keyboard_interrupt_once_and_handlers_are_restored() -> None:
    before = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)
    cleaned = []
    with pytest.raises(KeyboardInterrupt, match="SIGTERM"), interrupts_as_keyboard():
        try:
            signal.raise_signal(signal.SIGTERM)
        finally:
            signal.raise_signal(signal.SIGINT)  # ignored: the cleanup must finish
            cleaned.append(True)
    assert cleaned == [True]
    assert (signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)) == before
