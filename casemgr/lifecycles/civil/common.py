"""Helpers the public-interest litigation lifecycles share (private to this package).

The guards of both channels read the legal clock the same way: a waiting period has *run* the
day after its due date, a period is *running* until it is marked done, and an event's count
comes from the case's history. Mappings keyed by event are made *total* (every event a key).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from enum import StrEnum
from types import MappingProxyType
from typing import Protocol, TypeVar

from casemgr.legalbasis import Law

E = TypeVar("E", bound=StrEnum)

# 检察公益诉讼解释 2018, cited by the rules of both channels.
_PROC = Law.PROCURATORATE_PIL_INTERPRETATION


def _total(
    events: Iterable[E], partial: Mapping[E, tuple[str, ...]]
) -> Mapping[E, tuple[str, ...]]:
    return MappingProxyType({e: tuple(partial.get(e, ())) for e in events})


class _Clocked(Protocol):
    @property
    def today(self) -> date: ...
    @property
    def due(self) -> Mapping[str, date]: ...
    @property
    def done(self) -> Mapping[str, date]: ...
    @property
    def event_counts(self) -> Mapping[str, int]: ...


def _waited(facts: _Clocked, code: str) -> bool:
    """A waiting period was started and has run (the act is lawful the day after its due date)."""
    due = facts.due.get(code)
    return due is not None and facts.today > due


def _running(facts: _Clocked, code: str) -> date | None:
    """Due date of a started period not yet marked done (None otherwise)."""
    return None if code in facts.done else facts.due.get(code)


def _count(facts: _Clocked, event: StrEnum) -> int:
    return facts.event_counts.get(str(event), 0)
