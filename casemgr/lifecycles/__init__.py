"""Lifecycles (案件流程): pure, table-driven state machines shared by every channel.

A lifecycle is data: a status enum, an event enum, a frozen ``(status, event) -> status`` table,
and guards per event. A guard is a small function over a frozen *facts* dataclass (no database)
that returns a :class:`GuardFailure` naming the legal rule it enforces, or ``None`` when the rule
holds. The engine derives everything else from the table: the events offered from a status, the
next status (or the 409 error saying why not) and a Mermaid diagram for the docs.

Example
-------
>>> from enum import StrEnum
>>> class Lamp(StrEnum):
...     OFF = "off"
...     ON = "on"
...     SCRAPPED = "scrapped"
>>> class Switch(StrEnum):
...     TURN_ON = "turn_on"
...     TURN_OFF = "turn_off"
...     SCRAP = "scrap"
>>> lamp = Lifecycle(
...     name="lamp",
...     statuses=Lamp,
...     events=Switch,
...     transitions={
...         (Lamp.OFF, Switch.TURN_ON): Lamp.ON,
...         (Lamp.ON, Switch.TURN_OFF): Lamp.OFF,
...         (Lamp.OFF, Switch.SCRAP): Lamp.SCRAPPED,
...     },
...     initial=Lamp.OFF,
...     terminal=frozenset({Lamp.SCRAPPED}),
... )
>>> lamp.next_status(Lamp.OFF, Switch.TURN_ON, None)
<Lamp.ON: 'on'>
>>> [str(e) for e in lamp.events_from(Lamp.OFF)]
['turn_on', 'scrap']
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any, Generic, NamedTuple, TypeVar

from casemgr.exceptions import GuardFailed, IllegalTransition
from casemgr.legalbasis import Basis

__all__ = [
    "ChannelSpec",
    "Guard",
    "GuardFailure",
    "GuardRule",
    "InvalidLifecycle",
    "Lifecycle",
    "Organ",
    "all_lifecycles",
    "diagrams",
]

S = TypeVar("S", bound=StrEnum)
E = TypeVar("E", bound=StrEnum)
F = TypeVar("F")


class Organ(StrEnum):
    """The organ whose act an event records (承办机关); the services map it to who may record it.

    Acts of the police and of plaintiffs reach the system as the written notices and filings the
    agency, the procuratorate or the court receive (衔接办法 2017 art. 9: the police notify the
    agency and the procuratorate in writing), so they are recorded by those who receive them.
    """

    AGENCY = "agency"  # 生态环境部门, its officers (执法人员)
    AGENCY_HEAD = "agency_head"  # 生态环境部门负责人: approvals
    POLICE = "police"  # 公安机关, recorded from its written notices
    PROCURATORATE = "procuratorate"  # 人民检察院
    COURT = "court"  # 人民法院
    CLAIMANT = "claimant"  # 赔偿权利人 and its designated department (生态环境损害赔偿)
    PLAINTIFF = "plaintiff"  # a social organisation suing (社会组织), recorded by the court


class GuardRule(NamedTuple):
    """A legal rule a guard enforces: its title and its legal basis (法律依据).

    ``title`` is an English msgid (marked ``N_``) whose zh-CN translation is the rule's Chinese
    name; ``basis`` the citations, rendered in the reader's language at the edge.
    """

    title: str
    basis: Basis


@dataclass(frozen=True)
class GuardFailure:
    """Why a guarded transition may not happen now.

    ``rule`` is a stable code; ``title`` (the rule's name), ``reason`` and each of
    ``ways_forward`` are English msgids (marked ``N_``, translated at the edge); ``basis`` the
    law and articles as citations (:mod:`casemgr.legalbasis`), rendered at the edge too.
    """

    rule: str
    title: str
    basis: Basis
    reason: str
    ways_forward: tuple[str, ...] = ()

    def to_error(self) -> GuardFailed:
        """The 409 error that reports this failure to a client."""
        return GuardFailed(
            rule=self.rule,
            rule_title=self.title,
            basis=self.basis,
            reason=self.reason,
            ways_forward=self.ways_forward,
        )


Guard = Callable[[F], GuardFailure | None]
"""A named rule over a lifecycle's facts: ``None`` when it holds, else the failure."""


class InvalidLifecycle(ValueError):
    """A lifecycle table is inconsistent (a programming error, raised at import time)."""

    def __init__(self, name: str, problems: Iterable[str]) -> None:
        self.problems = list(problems)
        super().__init__(f"lifecycle {name!r}: " + "; ".join(self.problems))


def _frozen(mapping: Mapping[Any, Any]) -> Mapping[Any, Any]:
    return MappingProxyType(dict(mapping))


@dataclass(frozen=True, eq=False)
class Lifecycle(Generic[S, E, F]):
    """One channel's state machine: the table, its guards and what is derived from them.

    Parameters
    ----------
    name : str
        Short identifier (``"administrative"``), used in diagrams and errors.
    statuses, events : type
        The status and event enums; their member order is the order events are offered in.
    transitions : Mapping[tuple[S, E], S]
        The table. Stored as a read-only copy.
    initial : S
        Where every case of the channel starts.
    terminal : frozenset[S]
        Statuses with no exit.
    guards : Mapping[E, tuple[Guard, ...]]
        Rules checked, in order, before an event is applied (whatever its source status).
    side : frozenset[S]
        Statuses off the main path (suspensions, transfers, ...), marked in the diagram.
    labels : Mapping[S, str]
        Display names for the diagram (the Chinese term).

    Raises
    ------
    InvalidLifecycle
        On construction, when :meth:`validate` finds the table inconsistent.
    """

    name: str
    statuses: type[S]
    events: type[E]
    transitions: Mapping[tuple[S, E], S]
    initial: S
    terminal: frozenset[S]
    guards: Mapping[E, tuple[Guard[F], ...]] = field(default_factory=dict)
    side: frozenset[S] = frozenset()
    labels: Mapping[S, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "transitions", _frozen(self.transitions))
        object.__setattr__(self, "guards", _frozen(self.guards))
        object.__setattr__(self, "labels", _frozen(self.labels))
        object.__setattr__(self, "terminal", frozenset(self.terminal))
        object.__setattr__(self, "side", frozenset(self.side))
        self.validate()

    # -- the table -------------------------------------------------------------------------

    def validate(self) -> None:
        """Check the table: members of the enums, reachability, exits, guards on known events.

        Every status is reachable from ``initial``; every non-terminal status has an exit and
        can still reach a terminal status (no case is ever stuck); terminal statuses have no
        exit; every guarded event appears in some transition.

        Raises
        ------
        InvalidLifecycle
            Listing every problem found.
        """
        problems: list[str] = []
        for (source, event), target in self.transitions.items():
            if not isinstance(source, self.statuses) or not isinstance(target, self.statuses):
                problems.append(f"({source!r}, {event!r}) -> {target!r} uses a foreign status")
            if not isinstance(event, self.events):
                problems.append(f"({source!r}, {event!r}) uses a foreign event")
        if self.initial in self.terminal:
            problems.append(f"initial status {self.initial} is terminal")
        outside = (self.terminal | self.side | set(self.labels)) - set(self.statuses)
        if outside:
            problems.append(f"unknown statuses marked: {sorted(map(str, outside))}")

        forward: dict[S, set[S]] = {s: set() for s in self.statuses}
        backward: dict[S, set[S]] = {s: set() for s in self.statuses}
        for (source, _event), target in self.transitions.items():
            forward.setdefault(source, set()).add(target)
            backward.setdefault(target, set()).add(source)

        reachable = _closure({self.initial}, forward)
        for status in self.statuses:
            if status not in reachable:
                problems.append(f"{status} is unreachable from {self.initial}")
        finishing = _closure(set(self.terminal), backward)
        for status in self.statuses:
            exits = forward.get(status, set())
            if status in self.terminal:
                if exits:
                    problems.append(f"terminal status {status} has exits")
            elif not exits:
                problems.append(f"{status} has no exit and is not terminal")
            elif status not in finishing:
                problems.append(f"{status} cannot reach a terminal status")
        used = {event for _source, event in self.transitions}
        for event in self.guards:
            if event not in used:
                problems.append(f"guarded event {event} appears in no transition")
        if problems:
            raise InvalidLifecycle(self.name, problems)

    def edges(self) -> list[tuple[S, E, S]]:
        """Every transition as ``(source, event, target)``, in table order."""
        return [(source, event, target) for (source, event), target in self.transitions.items()]

    def events_from(self, status: S) -> list[E]:
        """Events the table offers from ``status``, ignoring guards, in enum order."""
        return [event for event in self.events if (status, event) in self.transitions]

    # -- applying events -------------------------------------------------------------------

    def failures(self, status: S, event: E, facts: F) -> list[GuardFailure]:
        """Every guard of ``event`` that fails on ``facts`` (empty when the event may happen).

        Raises
        ------
        IllegalTransition
            When the table has no transition for ``event`` from ``status``.
        """
        self._target(status, event)
        return [f for guard in self.guards.get(event, ()) if (f := guard(facts)) is not None]

    def allowed_events(self, status: S, facts: F) -> list[E]:
        """Events offered from ``status`` whose guards all pass on ``facts``, in enum order."""
        return [
            event
            for event in self.events_from(status)
            if all(guard(facts) is None for guard in self.guards.get(event, ()))
        ]

    def next_status(self, status: S, event: E, facts: F) -> S:
        """The status ``event`` leads to from ``status``, once every guard holds.

        Raises
        ------
        IllegalTransition
            When the table has no transition for ``event`` from ``status`` (409, naming the
            events possible from ``status``).
        GuardFailed
            For the first guard that fails (409, naming the rule, its basis and ways forward).
        """
        target = self._target(status, event)
        for guard in self.guards.get(event, ()):
            failure = guard(facts)
            if failure is not None:
                raise failure.to_error()
        return target

    def _target(self, status: S, event: E) -> S:
        try:
            return self.transitions[(status, event)]
        except KeyError:
            raise IllegalTransition(
                event=str(event),
                status=str(status),
                allowed=[str(e) for e in self.events_from(status)],
            ) from None

    # -- documentation ---------------------------------------------------------------------

    def to_mermaid(self) -> str:
        """The lifecycle as a Mermaid ``stateDiagram-v2``; each edge is labelled by its event.

        Side statuses get the ``side`` class, terminal ones the ``terminal`` class and an arrow
        to the end marker.
        """
        lines = ["stateDiagram-v2", f"    %% lifecycle: {self.name}"]
        for status in self.statuses:
            label = self.labels.get(status)
            if label:
                lines.append(f"    {status} : {label}")
        lines.append(f"    [*] --> {self.initial}")
        for source, event, target in self.edges():
            lines.append(f"    {source} --> {target} : {event}")
        for status in self.statuses:
            if status in self.terminal:
                lines.append(f"    {status} --> [*]")
        lines.append("    classDef side fill:#f6f6f6,stroke:#888,stroke-dasharray:4 4")
        lines.append("    classDef terminal fill:#e8e8e8,stroke:#333,stroke-width:2px")
        side = [str(s) for s in self.statuses if s in self.side]
        if side:
            lines.append(f"    class {','.join(side)} side")
        terminal = [str(s) for s in self.statuses if s in self.terminal]
        if terminal:
            lines.append(f"    class {','.join(terminal)} terminal")
        return "\n".join(lines) + "\n"


def _closure(start: set[S], graph: Mapping[S, set[S]]) -> set[S]:
    seen = set(start)
    queue = deque(start)
    while queue:
        for nxt in graph.get(queue.popleft(), ()):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen


@dataclass(frozen=True, eq=False)
class ChannelSpec:
    """Everything a generic service needs to drive a lifecycle other than the administrative one.

    ``event_organ`` says whose act each event records; ``opens``/``meets`` name the legal-clock
    rules an event starts or fulfils; ``endings`` the events after which open deadlines are moot;
    ``requires``/``records`` the step-data fields an event needs and stores in the case's
    details; ``fields`` the JSON type of each such field ("str", "text", "int", "bool", "date",
    "cents", "str_list", "decimal"); ``computed`` the facts the service derives from other
    records (name -> description); ``opens_on_start`` the rules whose clock starts when the case
    is opened; ``cancels`` the rules an event makes moot without ending the case (an appeal ends
    the wait for finality); ``notice_rules`` the rules that run from a date in the step data
    (another organ's decision) to the day its notice is recorded; ``opens_by_facts`` the rules an
    event starts that depend on the facts (the police's chosen filing limit, an urgent reply).
    """

    track: str
    channel: str
    lifecycle: Lifecycle[Any, Any, Any]
    facts_type: type
    event_organ: Mapping[Any, Organ]
    opens: Mapping[Any, tuple[str, ...]]
    meets: Mapping[Any, tuple[str, ...]]
    endings: frozenset[Any]
    requires: Mapping[Any, tuple[str, ...]]
    records: Mapping[Any, tuple[str, ...]]
    fields: Mapping[str, str]
    computed: Mapping[str, str]
    opens_on_start: tuple[str, ...] = ()
    cancels: Mapping[Any, tuple[str, ...]] = field(default_factory=dict)
    opens_by_facts: Mapping[Any, Callable[[Any], tuple[str, ...]]] = field(default_factory=dict)
    notice_rules: Mapping[Any, tuple[str, str]] = field(default_factory=dict)


def all_lifecycles() -> tuple[Lifecycle[Any, Any, Any], ...]:
    """Every channel's lifecycle, for the ``casemgr lifecycle diagram`` command and the docs."""
    # Imported here: the channel modules import this package's engine.
    from casemgr.lifecycles.administrative import ADMINISTRATIVE
    from casemgr.lifecycles.civil import ADMIN_PIL, CIVIL_PIL
    from casemgr.lifecycles.compensation import COMPENSATION
    from casemgr.lifecycles.criminal import CRIMINAL
    from casemgr.lifecycles.inspection import INSPECTION

    return (ADMINISTRATIVE, CRIMINAL, CIVIL_PIL, ADMIN_PIL, COMPENSATION, INSPECTION)


def diagrams(lifecycles: Iterable[Lifecycle[Any, Any, Any]] | None = None) -> str:
    """Markdown with one fenced Mermaid diagram per lifecycle (all of them by default)."""
    chosen = all_lifecycles() if lifecycles is None else tuple(lifecycles)
    return "\n".join(
        f"## {lifecycle.name}\n\n```mermaid\n{lifecycle.to_mermaid()}```\n" for lifecycle in chosen
    )
