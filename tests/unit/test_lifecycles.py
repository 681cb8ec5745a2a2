"""The generic lifecycle engine: table validation, guards, errors and diagrams (no app)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import pytest

from casemgr.exceptions import GuardFailed, IllegalTransition
from casemgr.legalbasis import Citation, Law
from casemgr.lifecycles import (
    GuardFailure,
    InvalidLifecycle,
    Lifecycle,
    all_lifecycles,
    diagrams,
)


class Door(StrEnum):
    OPEN = "open"
    SHUT = "shut"
    LOCKED = "locked"
    SCRAPPED = "scrapped"


class Act(StrEnum):
    SHUT = "shut"
    OPEN = "open"
    LOCK = "lock"
    UNLOCK = "unlock"
    SCRAP = "scrap"


@dataclass(frozen=True)
class Keys:
    has_key: bool = True
    permit: bool = True


KEY_BASIS = (Citation(Law.ADMIN_PENALTY_LAW, "1", note="house rules"),)


def needs_key(facts: Keys) -> GuardFailure | None:
    if facts.has_key:
        return None
    return GuardFailure("key", "Key", KEY_BASIS, "No key.", ("Find the key.",))


def needs_permit(facts: Keys) -> GuardFailure | None:
    if facts.permit:
        return None
    return GuardFailure("permit", "Permit", (Citation(Law.ADMIN_PENALTY_LAW, "2"),), "No permit.")


TABLE = {
    (Door.OPEN, Act.SHUT): Door.SHUT,
    (Door.SHUT, Act.OPEN): Door.OPEN,
    (Door.SHUT, Act.LOCK): Door.LOCKED,
    (Door.LOCKED, Act.UNLOCK): Door.SHUT,
    (Door.SHUT, Act.SCRAP): Door.SCRAPPED,
}


def door(**overrides: Any) -> Lifecycle[Door, Act, Keys]:
    arguments: dict[str, Any] = {
        "name": "door",
        "statuses": Door,
        "events": Act,
        "transitions": TABLE,
        "initial": Door.OPEN,
        "terminal": frozenset({Door.SCRAPPED}),
        "guards": {Act.LOCK: (needs_key, needs_permit), Act.UNLOCK: (needs_key,)},
        "side": frozenset({Door.LOCKED}),
        "labels": {Door.OPEN: "开"},
    }
    arguments.update(overrides)
    return Lifecycle(**arguments)


def test_a_valid_table_is_accepted_and_frozen() -> None:
    lifecycle = door()
    with pytest.raises(TypeError):
        lifecycle.transitions[(Door.OPEN, Act.LOCK)] = Door.LOCKED  # type: ignore[index]
    assert lifecycle.edges()[0] == (Door.OPEN, Act.SHUT, Door.SHUT)


@pytest.mark.parametrize(
    ("overrides", "problem"),
    [
        pytest.param(
            {"transitions": {k: v for k, v in TABLE.items() if k != (Door.SHUT, Act.LOCK)}},
            "locked is unreachable from open",
            id="unreachable",
        ),
        pytest.param(
            {"transitions": {k: v for k, v in TABLE.items() if k != (Door.LOCKED, Act.UNLOCK)}},
            "locked has no exit and is not terminal",
            id="dead-end",
        ),
        pytest.param(
            {"transitions": {**TABLE, (Door.SCRAPPED, Act.OPEN): Door.OPEN}},
            "terminal status scrapped has exits",
            id="terminal-with-exit",
        ),
        pytest.param(
            {"guards": {Act.SCRAP: (needs_key,), Act.OPEN: (needs_key,), "fly": (needs_key,)}},
            "guarded event fly appears in no transition",
            id="guard-on-unknown-event",
        ),
        pytest.param(
            {"terminal": frozenset({Door.SCRAPPED, Door.OPEN})},
            "initial status open is terminal",
            id="initial-terminal",
        ),
        pytest.param(
            {"side": frozenset({"attic"})},
            "unknown statuses marked",
            id="foreign-side-status",
        ),
        pytest.param(
            {"transitions": {**TABLE, (Door.OPEN, "fly"): Door.SHUT}},
            "uses a foreign event",
            id="foreign-event",
        ),
    ],
)
def test_validation_rejects_an_inconsistent_table(overrides: dict[str, Any], problem: str) -> None:
    with pytest.raises(InvalidLifecycle) as info:
        door(**overrides)
    assert any(problem in p for p in info.value.problems), info.value.problems


def test_validation_rejects_a_loop_that_never_ends() -> None:
    class Spin(StrEnum):
        A = "a"
        B = "b"
        END = "end"

    class Go(StrEnum):
        NEXT = "next"
        BACK = "back"
        FINISH = "finish"

    with pytest.raises(InvalidLifecycle) as info:
        Lifecycle(
            name="spin",
            statuses=Spin,
            events=Go,
            transitions={
                (Spin.A, Go.NEXT): Spin.B,
                (Spin.B, Go.BACK): Spin.A,
                (Spin.A, Go.FINISH): Spin.A,
            },
            initial=Spin.A,
            terminal=frozenset({Spin.END}),
        )
    assert "a cannot reach a terminal status" in info.value.problems
    assert "end is unreachable from a" in info.value.problems


def test_next_status_follows_the_table_when_guards_pass() -> None:
    assert door().next_status(Door.SHUT, Act.LOCK, Keys()) is Door.LOCKED


def test_an_event_missing_from_the_table_names_the_possible_events() -> None:
    with pytest.raises(IllegalTransition) as info:
        door().next_status(Door.SHUT, Act.UNLOCK, Keys())
    error = info.value
    assert error.status == 409
    assert error.code == "illegal_transition"
    assert error.allowed == ["open", "lock", "scrap"]
    assert error.errors == {"allowed": ["open", "lock", "scrap"]}
    assert error.message == (
        "Event 'unlock' is not allowed while the case is 'shut'; "
        "events possible from this status: open, lock, scrap."
    )


def test_a_terminal_status_offers_no_event() -> None:
    with pytest.raises(IllegalTransition) as info:
        door().next_status(Door.SCRAPPED, Act.OPEN, Keys())
    assert info.value.allowed == []
    assert "events possible from this status: —." in info.value.message


def test_the_first_failing_guard_is_reported_with_rule_basis_and_ways_forward() -> None:
    with pytest.raises(GuardFailed) as info:
        door().next_status(Door.SHUT, Act.LOCK, Keys(has_key=False, permit=False))
    error = info.value
    assert error.status == 409
    assert error.code == "guard_failed"
    assert error.rule == "key"
    assert error.message == "Key (Administrative Penalty Law (2021) art. 1 (house rules)): No key."
    assert error.basis == KEY_BASIS
    assert error.errors == {
        "rule": ["key"],
        "basis": [KEY_BASIS],
        "reason": ["No key."],
        "ways_forward": ["Find the key."],
    }


def test_failures_lists_every_failing_guard() -> None:
    failing = door().failures(Door.SHUT, Act.LOCK, Keys(has_key=False, permit=False))
    assert [f.rule for f in failing] == ["key", "permit"]
    assert door().failures(Door.SHUT, Act.LOCK, Keys()) == []
    with pytest.raises(IllegalTransition):
        door().failures(Door.OPEN, Act.LOCK, Keys())


def test_allowed_events_filter_by_guards_in_enum_order() -> None:
    lifecycle = door()
    assert lifecycle.events_from(Door.SHUT) == [Act.OPEN, Act.LOCK, Act.SCRAP]
    assert lifecycle.allowed_events(Door.SHUT, Keys()) == [Act.OPEN, Act.LOCK, Act.SCRAP]
    assert lifecycle.allowed_events(Door.SHUT, Keys(permit=False)) == [Act.OPEN, Act.SCRAP]
    assert lifecycle.allowed_events(Door.LOCKED, Keys(has_key=False)) == []


def test_mermaid_draws_every_edge_and_marks_side_and_terminal_states() -> None:
    text = door().to_mermaid()
    lines = text.splitlines()
    assert lines[0] == "stateDiagram-v2"
    assert "    [*] --> open" in lines
    for source, event, target in door().edges():
        assert f"    {source} --> {target} : {event}" in lines
    assert "    scrapped --> [*]" in lines
    assert "    class locked side" in lines
    assert "    class scrapped terminal" in lines
    assert "    open : 开" in lines


def test_diagrams_render_every_registered_lifecycle() -> None:
    text = diagrams()
    for lifecycle in all_lifecycles():
        assert f"## {lifecycle.name}\n\n```mermaid\nstateDiagram-v2" in text
    assert diagrams([door()]).startswith("## door\n\n```mermaid\n")
