"""The civil and administrative public-interest litigation lifecycles: their tables, the exports a
generic service drives them with, every guard, and the main paths walked with the legal clock."""

from __future__ import annotations

import dataclasses
import doctest
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from datetime import date, timedelta
from typing import Any, cast

import pytest

import casemgr.lifecycles.civil as civil
import casemgr.lifecycles.civil.administrative_pil as administrative_pil
import casemgr.lifecycles.civil.common as common
import casemgr.lifecycles.civil.pil as pil
import casemgr.lifecycles.civil.pil_guards as pil_guards
from casemgr.exceptions import GuardFailed, IllegalTransition
from casemgr.legalbasis import basis_text
from casemgr.legalclock import RULES as REGISTERED_RULES
from casemgr.legalclock.civil import CIVIL_RULES
from casemgr.legalclock.engine import compute_due, default_calendar
from casemgr.lifecycles import ChannelSpec, GuardFailure, Organ
from casemgr.lifecycles.civil import (
    ADMIN_PIL,
    ADMIN_PIL_RULES,
    ADMIN_PIL_SPEC,
    ADMIN_PIL_TRANSITIONS,
    CIVIL_PIL,
    CIVIL_PIL_RULES,
    CIVIL_PIL_SPEC,
    CIVIL_PIL_TRANSITIONS,
    NGO_STANDING,
    OPENS_BY_FACTS,
    AdminPilEvent,
    AdminPilFacts,
    AdminPilJudgment,
    AdminPilStatus,
    CivilPilEvent,
    CivilPilFacts,
    CivilPilStatus,
    IncidentalAnnouncement,
    PilKind,
    RegistrationLevel,
    appeal_rule,
    extra_rules,
    reply_rule,
)

T = date(2026, 6, 1)
DAY = timedelta(days=1)
CE, CS = CivilPilEvent, CivilPilStatus
AE, AS = AdminPilEvent, AdminPilStatus
RULE_BY_CODE = {rule.code: rule for rule in CIVIL_RULES}
SPECS = [pytest.param(CIVIL_PIL_SPEC, id="civil_pil"), pytest.param(ADMIN_PIL_SPEC, id="admin_pil")]
CLOCK_FIELDS = {"today", "event_counts", "due", "done"}
FIELD_TYPES = {"str", "text", "int", "bool", "date", "cents", "str_list", "decimal"}

# Every fact combination the facts-dependent openings can see.
FACT_VARIANTS: dict[str, list[Any]] = {
    "civil_pil": [CivilPilFacts(today=T, kind=k) for k in ("", *PilKind)],
    "administrative_pil": [AdminPilFacts(today=T, urgent=u) for u in (False, True)],
}


def _events(spec: ChannelSpec) -> set[Any]:
    return set(cast(Iterable[Any], spec.lifecycle.events))


def _opened(spec: ChannelSpec, event: Any, facts: Any) -> tuple[str, ...]:
    return spec.opens[event] + extra_rules(spec.track, str(event), facts)


# -- the rules data ----------------------------------------------------------------------------


def test_rule_codes_are_prefixed_unique_and_new() -> None:
    codes = [rule.code for rule in CIVIL_RULES]
    assert len(codes) == len(set(codes))
    assert all(c.startswith(("civil.", "admin_pil.")) for c in codes)
    others = {code for code, rule in REGISTERED_RULES.items() if rule not in CIVIL_RULES}
    assert not set(codes) & others, "a code clashes with another channel's rule"
    assert not any(c.startswith(("civil.", "admin_pil.")) for c in others)


@pytest.mark.parametrize("rule", CIVIL_RULES, ids=lambda r: r.code)
def test_every_rule_cites_its_basis_and_has_a_title(rule: Any) -> None:
    assert re.search(r"\barts?\. \d", basis_text(rule.basis)) and rule.title


def test_waiting_rules_are_the_ones_acts_wait_for() -> None:
    waiting = {rule.code for rule in CIVIL_RULES if rule.waiting}
    assert waiting == {
        "civil.announcement",
        "civil.joining_window",
        "civil.settlement_notice",
        "civil.appeal",
        "civil.appeal_incidental",
        "admin_pil.appeal",
    }


@pytest.mark.parametrize(
    ("code", "amount", "unit"),
    [
        ("civil.announcement", 30, "calendar_day"),
        ("civil.copy_to_defendant", 5, "calendar_day"),
        ("civil.joining_window", 30, "calendar_day"),
        ("civil.regulator_notice", 10, "calendar_day"),
        ("civil.settlement_notice", 30, "calendar_day"),
        ("civil.first_instance", 6, "month"),
        ("civil.appeal", 15, "calendar_day"),
        ("civil.appeal_incidental", 10, "calendar_day"),
        ("civil.second_instance", 3, "month"),
        ("admin_pil.reply", 2, "month"),
        ("admin_pil.reply_urgent", 15, "calendar_day"),
        ("admin_pil.first_instance", 6, "month"),
        ("admin_pil.appeal", 15, "calendar_day"),
        ("admin_pil.second_instance", 3, "month"),
    ],
)
def test_rule_periods(code: str, amount: int, unit: str) -> None:
    rule = RULE_BY_CODE[code]
    assert (rule.amount, str(rule.unit)) == (amount, unit)
    assert rule.roll_to_working_day  # 民事诉讼法 art. 85: a holiday end rolls to the next day


def test_recalled_facts_are_tagged() -> None:
    assert "[R]" in civil.INCIDENTAL_ANNOUNCEMENT.source
    assert "[V]" in NGO_STANDING.source
    assert "[R]" in basis_text(RULE_BY_CODE["civil.appeal_incidental"].basis)


# -- the exports a generic service reads -------------------------------------------------------


@pytest.mark.parametrize("spec", SPECS)
def test_every_event_has_an_organ(spec: ChannelSpec) -> None:
    assert set(spec.event_organ) == _events(spec)
    assert all(isinstance(organ, Organ) for organ in spec.event_organ.values())


@pytest.mark.parametrize("spec", SPECS)
def test_event_mappings_are_total(spec: ChannelSpec) -> None:
    events = _events(spec)
    for mapping in (spec.opens, spec.meets, spec.requires, spec.records):
        assert set(mapping) == events
        assert all(isinstance(v, tuple) for v in mapping.values())
    assert set(OPENS_BY_FACTS[spec.track]) <= events
    assert spec.endings <= events


@pytest.mark.parametrize("spec", SPECS)
def test_opened_and_met_codes_are_rules(spec: ChannelSpec) -> None:
    codes = {c for m in (spec.opens, spec.meets) for cs in m.values() for c in cs}
    for event in OPENS_BY_FACTS[spec.track]:
        for facts in FACT_VARIANTS[spec.track]:
            codes |= set(_opened(spec, event, facts))
    assert codes <= set(RULE_BY_CODE)


@pytest.mark.parametrize("spec", SPECS)
def test_every_rule_is_opened_by_its_start_event(spec: ChannelSpec) -> None:
    prefix = "civil." if spec is CIVIL_PIL_SPEC else "admin_pil."
    for rule in (r for r in CIVIL_RULES if r.code.startswith(prefix)):
        event = spec.lifecycle.events(rule.start_event)
        opened = {c for f in FACT_VARIANTS[spec.lifecycle.name] for c in _opened(spec, event, f)}
        assert rule.code in opened, rule.code


@pytest.mark.parametrize("spec", SPECS)
def test_step_fields_are_typed_and_used(spec: ChannelSpec) -> None:
    named = {f for m in (spec.requires, spec.records) for fs in m.values() for f in fs}
    opening = {"kind"} if spec is CIVIL_PIL_SPEC else set()  # given when the case is opened
    assert set(spec.fields) == named | opening
    assert set(spec.fields.values()) <= FIELD_TYPES
    for event in _events(spec):
        assert set(spec.requires[event]) <= set(spec.records[event]), event


@pytest.mark.parametrize("spec", SPECS)
def test_facts_fields_come_from_the_clock_step_data_or_computation(
    spec: ChannelSpec,
) -> None:
    names = {f.name for f in dataclasses.fields(spec.facts_type)}
    assert CLOCK_FIELDS <= names
    assert names <= CLOCK_FIELDS | set(spec.fields) | set(spec.computed)
    assert not set(spec.computed) & set(spec.fields)
    assert set(spec.computed) <= names
    spec.facts_type(today=T)  # every other field has a default


@pytest.mark.parametrize("spec", SPECS)
def test_events_into_a_terminal_status_end_every_deadline(spec: ChannelSpec) -> None:
    into_terminal = {e for s, e, t in spec.lifecycle.edges() if t in spec.lifecycle.terminal}
    assert into_terminal <= spec.endings


def test_guard_rules_have_titles_and_bases() -> None:
    assert set(CIVIL_PIL_RULES) == set(civil.CivilPilRule)
    assert set(ADMIN_PIL_RULES) == set(civil.AdminPilRule)
    for title, basis in (*CIVIL_PIL_RULES.values(), *ADMIN_PIL_RULES.values()):
        assert title and basis, title
        assert any(c.articles or c.recalled for c in basis), title


def test_the_facts_pick_the_reply_and_appeal_periods() -> None:
    assert reply_rule(urgent=False) == "admin_pil.reply"
    assert reply_rule(urgent=True) == "admin_pil.reply_urgent"
    assert appeal_rule("incidental") == "civil.appeal_incidental"
    assert {appeal_rule(k) for k in ("ngo", "procuratorate")} == {"civil.appeal"}
    ngo, incidental = CivilPilFacts(today=T, kind="ngo"), CivilPilFacts(today=T, kind="incidental")
    assert extra_rules("civil_pil", "accept", ngo) == ("civil.first_instance",)
    assert extra_rules("civil_pil", "accept", incidental) == ()
    assert extra_rules("civil_pil", "appeal", ngo) == ("civil.second_instance",)
    assert extra_rules("civil_pil", "serve_judgment", incidental) == ("civil.appeal_incidental",)
    assert extra_rules("criminal", "accept", ngo) == ()
    assert (CIVIL_PIL_SPEC.track, ADMIN_PIL_SPEC.track) == ("civil_pil", "administrative_pil")
    assert CIVIL_PIL_SPEC.channel == ADMIN_PIL_SPEC.channel == "civil"


def test_organs() -> None:
    assert CIVIL_PIL_SPEC.event_organ[CE.FILE_SUIT] is Organ.PLAINTIFF
    assert CIVIL_PIL_SPEC.event_organ[CE.ANNOUNCE] is Organ.PROCURATORATE
    assert CIVIL_PIL_SPEC.event_organ[CE.JUDGE] is Organ.COURT
    assert ADMIN_PIL_SPEC.event_organ[AE.RECEIVE_REPLY] is Organ.AGENCY
    assert ADMIN_PIL_SPEC.event_organ[AE.ISSUE_RECOMMENDATION] is Organ.PROCURATORATE
    assert ADMIN_PIL_SPEC.event_organ[AE.JUDGE] is Organ.COURT


@pytest.mark.parametrize(
    "module",
    [civil, common, pil_guards, pil, administrative_pil],
    ids=lambda m: m.__name__.rpartition(".")[2],
)
def test_the_module_doctests_pass(module: Any) -> None:
    result = doctest.testmod(module)
    assert result.failed == 0
    assert result.attempted > 0 or module is common  # the helpers have no examples


def test_diagrams_name_each_lifecycle() -> None:
    assert "lifecycle: civil_pil" in CIVIL_PIL.to_mermaid()
    assert "lifecycle: administrative_pil" in ADMIN_PIL.to_mermaid()


# -- the tables --------------------------------------------------------------------------------

CIVIL_BASE: dict[str, Any] = {
    "kind": "ngo",
    "registered_level": "province",
    "years_active": 6,
    "violation_record_5y": False,
    "claims_realised": True,
    "criminal_indicted": True,
    "due": {
        "civil.announcement": T - DAY,
        "civil.joining_window": T - DAY,
        "civil.settlement_notice": T - DAY,
        "civil.appeal": T - DAY,
    },
}
CIVIL_OVERRIDES: dict[CivilPilEvent, dict[str, Any]] = {
    CE.ANNOUNCE: {"kind": "procuratorate"},
    CE.PROSECUTE_SUIT: {"kind": "procuratorate"},
    CE.FILE_WITH_INDICTMENT: {"kind": "incidental"},
    CE.JOIN_PLAINTIFF: {"due": {"civil.joining_window": T}},
    CE.APPEAL: {"due": {"civil.appeal": T}},
}
ADMIN_PERMISSIVE = AdminPilFacts(
    today=T,
    event_counts={"receive_reply": 1},
    due={"admin_pil.appeal": T - DAY},
    agency_performed=False,
    judgment_kind="dismiss",
    claims_realised=True,
)
ADMIN_OVERRIDES: dict[AdminPilEvent, dict[str, Any]] = {
    AE.CLOSE_COMPLIED: {"agency_performed": True},
    AE.APPEAL: {"due": {"admin_pil.appeal": T}},
}


def civil_facts(event: CivilPilEvent) -> CivilPilFacts:
    """Facts under which every guard of ``event`` holds."""
    return CivilPilFacts(today=T, **{**CIVIL_BASE, **CIVIL_OVERRIDES.get(event, {})})


def admin_facts(event: AdminPilEvent) -> AdminPilFacts:
    return dataclasses.replace(ADMIN_PERMISSIVE, **ADMIN_OVERRIDES.get(event, {}))


@pytest.mark.parametrize(
    ("source", "event", "target"),
    [pytest.param(s, e, t, id=f"{s}-{e}") for (s, e), t in CIVIL_PIL_TRANSITIONS.items()],
)
def test_every_civil_transition_leads_to_its_status(
    source: CivilPilStatus, event: CivilPilEvent, target: CivilPilStatus
) -> None:
    assert CIVIL_PIL.next_status(source, event, civil_facts(event)) is target
    assert event in CIVIL_PIL.allowed_events(source, civil_facts(event))


@pytest.mark.parametrize(
    ("source", "event", "target"),
    [pytest.param(s, e, t, id=f"{s}-{e}") for (s, e), t in ADMIN_PIL_TRANSITIONS.items()],
)
def test_every_admin_transition_leads_to_its_status(
    source: AdminPilStatus, event: AdminPilEvent, target: AdminPilStatus
) -> None:
    assert ADMIN_PIL.next_status(source, event, admin_facts(event)) is target


def test_events_outside_the_table_are_illegal() -> None:
    for s in CivilPilStatus:
        for e in CivilPilEvent:
            if (s, e) not in CIVIL_PIL_TRANSITIONS:
                with pytest.raises(IllegalTransition):
                    CIVIL_PIL.next_status(s, e, civil_facts(e))
    for a in AdminPilStatus:
        for ae in AdminPilEvent:
            if (a, ae) not in ADMIN_PIL_TRANSITIONS:
                with pytest.raises(IllegalTransition):
                    ADMIN_PIL.next_status(a, ae, admin_facts(ae))


def test_a_settled_suit_cannot_be_withdrawn_without_realised_claims() -> None:
    facts = civil_facts(CE.WITHDRAW)
    facts = dataclasses.replace(
        facts, claims_realised=False, event_counts={"publish_settlement": 1}
    )
    with pytest.raises(GuardFailed):
        CIVIL_PIL.next_status(CS.SETTLEMENT_PUBLISHED, CE.WITHDRAW, facts)


# -- every guard, passing and failing ----------------------------------------------------------

Guard = Callable[[Any], GuardFailure | None]


def _c(**kw: Any) -> CivilPilFacts:
    return CivilPilFacts(today=T, **kw)


def _a(**kw: Any) -> AdminPilFacts:
    return AdminPilFacts(today=T, **kw)


_NGO_OK = {"registered_level": "prefecture", "years_active": 5, "violation_record_5y": False}
_ANN, _JW, _SN = "civil.announcement", "civil.joining_window", "civil.settlement_notice"
_APP, _APPI = "civil.appeal", "civil.appeal_incidental"

# (guard, facts under which it holds, facts under which it fails)
GUARD_CASES: list[tuple[Guard, list[Any], list[Any]]] = [
    (civil.kind_announcing, [_c(kind="procuratorate"), _c(kind="incidental")], [_c(kind="ngo")]),
    (civil.kind_ngo, [_c(kind="ngo")], [_c(), _c(kind="procuratorate")]),
    (civil.kind_procuratorate, [_c(kind="procuratorate")], [_c(kind="incidental")]),
    (civil.kind_incidental, [_c(kind="incidental")], [_c(kind="procuratorate")]),
    (
        civil.ngo_standing,
        [_c(**_NGO_OK), _c(**{**_NGO_OK, "registered_level": "national"})],
        [
            _c(),
            _c(**{**_NGO_OK, "registered_level": "county"}),
            _c(**{**_NGO_OK, "registered_level": "city"}),
            _c(**{**_NGO_OK, "years_active": 4}),
            _c(**{**_NGO_OK, "violation_record_5y": True}),
        ],
    ),
    (civil.announcement_run, [_c(due={_ANN: T - DAY})], [_c(), _c(due={_ANN: T})]),
    (civil.incidental_with_indictment, [_c(criminal_indicted=True)], [_c()]),
    (civil.incidental_announcement, [_c(due={_ANN: T - DAY})], [_c(), _c(due={_ANN: T})]),
    (civil.acceptance_notice, [_c(kind="ngo")], [_c(kind="procuratorate"), _c(kind="incidental")]),
    (
        civil.joining_window,
        [_c(due={_JW: T}), _c(due={_JW: T + DAY})],
        [_c(), _c(due={_JW: T - DAY}), _c(due={_JW: T}, done={_JW: T})],
    ),
    (
        civil.joining_window_closed,
        [_c(kind="ngo", due={_JW: T - DAY}), _c(kind="procuratorate")],
        [_c(kind="ngo"), _c(kind="ngo", due={_JW: T}), _c(kind="procuratorate", due={_JW: T})],
    ),
    (civil.settlement_notice_run, [_c(due={_SN: T - DAY})], [_c(), _c(due={_SN: T})]),
    (
        civil.appeal_in_time,
        [
            _c(),  # not served yet
            _c(due={_APP: T}),
            _c(due={_APP: T - DAY}, done={_APP: T - DAY}),  # re-judged after a remand
            _c(kind="incidental", due={_APP: T - DAY, _APPI: T}),
        ],
        [_c(due={_APP: T - DAY}), _c(kind="incidental", due={_APPI: T - DAY})],
    ),
    (
        civil.appeal_period_run,
        [_c(due={_APP: T - DAY}), _c(kind="incidental", due={_APPI: T - DAY})],
        [
            _c(),
            _c(due={_APP: T}),
            _c(due={_APP: T - DAY}, done={_APP: T - DAY}),
            _c(kind="incidental", due={_APP: T - DAY}),
        ],
    ),
    (
        civil.procuratorate_withdrawal,
        [_c(kind="ngo"), _c(kind="procuratorate", claims_realised=True)],
        [_c(kind="procuratorate"), _c(kind="incidental")],
    ),
    (
        civil.no_withdrawal_on_settlement,
        [_c(), _c(event_counts={"publish_settlement": 1}, claims_realised=True)],
        [_c(event_counts={"publish_settlement": 1})],
    ),
    (
        civil.no_withdrawal_after_debate,
        [_c(), _c(event_counts={"conclude_debate": 1}, claims_realised=True)],
        [_c(event_counts={"conclude_debate": 1})],
    ),
    (
        civil.reply_or_period_run,
        [
            _a(event_counts={"receive_reply": 1}),
            _a(due={"admin_pil.reply": T - DAY}),
            _a(urgent=True, due={"admin_pil.reply_urgent": T - DAY}),
        ],
        [
            _a(),
            _a(due={"admin_pil.reply": T}),
            _a(urgent=True, due={"admin_pil.reply": T - DAY}),
        ],
    ),
    (civil.agency_performed, [_a(agency_performed=True)], [_a(), _a(agency_performed=False)]),
    (civil.agency_not_performed, [_a(agency_performed=False)], [_a(), _a(agency_performed=True)]),
    (
        civil.judgment_kind,
        [_a(judgment_kind=k) for k in AdminPilJudgment],
        [_a(), _a(judgment_kind="acquit")],
    ),
    (
        civil.admin_appeal_in_time,
        [_a(), _a(due={"admin_pil.appeal": T})],
        [_a(due={"admin_pil.appeal": T - DAY})],
    ),
    (
        civil.admin_appeal_period_run,
        [_a(due={"admin_pil.appeal": T - DAY})],
        [_a(), _a(due={"admin_pil.appeal": T})],
    ),
    (civil.admin_withdrawal, [_a(claims_realised=True)], [_a()]),
]


@pytest.mark.parametrize(
    ("guard", "passing", "failing"),
    [pytest.param(g, p, f, id=g.__name__) for g, p, f in GUARD_CASES],
)
def test_guard_holds_and_fails(guard: Guard, passing: list[Any], failing: list[Any]) -> None:
    for facts in passing:
        assert guard(facts) is None, facts
    rules: dict[Any, tuple[str, str]] = {**CIVIL_PIL_RULES, **ADMIN_PIL_RULES}
    for facts in failing:
        failure = guard(facts)
        assert failure is not None, facts
        assert (failure.title, failure.basis) == rules[failure.rule]
        assert failure.reason and failure.ways_forward


def test_every_guard_is_tested() -> None:
    used = {
        g for gs in (*civil.CIVIL_PIL_GUARDS.values(), *civil.ADMIN_PIL_GUARDS.values()) for g in gs
    }
    assert used == {case[0] for case in GUARD_CASES}


def test_standing_reasons_name_the_missing_condition() -> None:
    reasons = {
        civil.ngo_standing(_c(**{**_NGO_OK, k: v})).reason  # type: ignore[union-attr]
        for k, v in (
            ("registered_level", "county"),
            ("years_active", 1),
            ("violation_record_5y", True),
        )
    }
    assert len(reasons) == 3
    assert [str(level) for level in NGO_STANDING.levels] == [str(x) for x in RegistrationLevel]


def test_the_incidental_announcement_is_configurable(monkeypatch: pytest.MonkeyPatch) -> None:
    assert civil.incidental_announcement(_c()) is not None
    monkeypatch.setattr(
        pil_guards, "INCIDENTAL_ANNOUNCEMENT", IncidentalAnnouncement(False, "test")
    )
    assert civil.incidental_announcement(_c()) is None


# -- walking the paths with the legal clock ----------------------------------------------------


class Case:
    """A minimal stand-in for the generic service: facts from the case, clock from the spec."""

    def __init__(self, spec: ChannelSpec, **opening: Any) -> None:
        self.spec = spec
        self.status = spec.lifecycle.initial
        self.today = T
        self.counts: Counter[str] = Counter()
        self.due: dict[str, date] = {}  # started and not cancelled
        self.done: dict[str, date] = {}  # met or cancelled
        self.cancelled: set[str] = set()
        self.details: dict[str, Any] = {k: v for k, v in opening.items() if k in spec.fields}
        self.computed: dict[str, Any] = {}

    def is_at(self, status: Any) -> bool:
        return bool(self.status is status)

    def running(self) -> set[str]:
        """Deadlines started and neither met nor cancelled."""
        return set(self.due) - set(self.done)

    def met(self) -> set[str]:
        return set(self.done) - self.cancelled

    def wait(self, days: int) -> Case:
        self.today += days * DAY
        return self

    def facts(self, step: Mapping[str, Any]) -> Any:
        values = {**self.details, **step}
        named = {f.name for f in dataclasses.fields(self.spec.facts_type)}
        kwargs = {k: v for k, v in values.items() if k in named}
        kwargs.update({k: v for k, v in self.computed.items() if k in named})
        return self.spec.facts_type(
            today=self.today,
            event_counts=dict(self.counts),
            due=dict(self.due),
            done=dict(self.done),
            **kwargs,
        )

    def apply(self, event: Any, **step: Any) -> Case:
        missing = [f for f in self.spec.requires[event] if f not in step]
        assert not missing, f"{event} needs {missing}"
        facts = self.facts(step)
        self.status = self.spec.lifecycle.next_status(self.status, event, facts)
        # In the order of casemgr.services.channels.take_step: meet, open, then cancel.
        for code in self.spec.meets[event]:
            if code in self.due and code not in self.done:
                # A waiting period met on or before its due date would read as missed.
                assert not RULE_BY_CODE[code].waiting or self.today > self.due[code], code
                self.done[code] = self.today
        for code in _opened(self.spec, event, facts):
            rule = RULE_BY_CODE[code]
            self.due[code] = compute_due(rule, self.today, calendar=default_calendar()).due_date
            self.done.pop(code, None)
            self.cancelled.discard(code)
        if event in self.spec.endings:
            for code in self.running():
                self.cancelled.add(code)
                self.done[code] = self.today
                del self.due[code]
        self.details.update({f: step[f] for f in self.spec.records[event] if f in step})
        self.counts[str(event)] += 1
        return self

    def refused(self, event: Any, rule: str, **step: Any) -> None:
        with pytest.raises(GuardFailed) as info:
            self.apply(event, **step)
        assert info.value.rule == rule


NGO = {"registered_level": "province", "years_active": 8}


def ngo_case() -> Case:
    return Case(CIVIL_PIL_SPEC, kind="ngo").apply(CE.FILE_SUIT, **NGO, violation_record_5y=False)


def test_an_ngo_suit_runs_to_enforcement_and_closure() -> None:
    case = ngo_case().apply(CE.ACCEPT)
    assert case.is_at(CS.ACCEPTED)
    assert set(case.due) == {
        "civil.copy_to_defendant",
        "civil.regulator_notice",
        "civil.first_instance",
    }
    case.wait(2).apply(CE.SERVE_COMPLAINT).apply(CE.PUBLISH_ACCEPTANCE).apply(CE.NOTIFY_REGULATOR)
    case.wait(10).apply(CE.JOIN_PLAINTIFF, plaintiff_name="贵州某环保协会").apply(CE.START_TRIAL)
    case.refused(CE.JUDGE, "joining_window_closed")
    case.wait(25).apply(CE.JUDGE)
    case.refused(CE.BECOME_FINAL, "appeal_period_run")  # not served yet
    case.apply(CE.SERVE_JUDGMENT)
    case.refused(CE.BECOME_FINAL, "appeal_period_run")
    case.wait(20).apply(CE.BECOME_FINAL).apply(CE.START_ENFORCEMENT).apply(CE.COMPLETE)
    assert case.is_at(CS.CLOSED)
    assert case.met() >= {
        "civil.copy_to_defendant",
        "civil.regulator_notice",
        "civil.joining_window",
        "civil.first_instance",
        "civil.appeal",
    }
    assert case.details["plaintiff_name"] == "贵州某环保协会"


def test_an_organisation_without_standing_is_refused() -> None:
    case = Case(CIVIL_PIL_SPEC, kind="ngo")
    case.refused(
        CE.FILE_SUIT,
        "ngo_standing",
        **{**NGO, "registered_level": "county"},
        violation_record_5y=False,
    )
    assert case.is_at(CS.CLUE)


def test_joining_after_the_window_is_refused() -> None:
    case = ngo_case().apply(CE.ACCEPT).apply(CE.PUBLISH_ACCEPTANCE).wait(31)
    case.refused(CE.JOIN_PLAINTIFF, "joining_window", plaintiff_name="x")


def test_the_procuratorate_sues_after_its_announcement_and_settles() -> None:
    case = Case(CIVIL_PIL_SPEC, kind="procuratorate").apply(CE.ANNOUNCE)
    assert case.is_at(CS.ANNOUNCED)
    case.wait(30).refused(CE.PROSECUTE_SUIT, "announcement_run")
    case.wait(1).apply(CE.PROSECUTE_SUIT).apply(CE.ACCEPT)
    assert "civil.announcement" in case.met()
    case.refused(CE.PUBLISH_ACCEPTANCE, "acceptance_notice")  # 检察公益诉讼解释 art. 17
    case.apply(CE.START_TRIAL).apply(CE.PUBLISH_SETTLEMENT)
    case.refused(CE.WITHDRAW, "procuratorate_withdrawal", reason="settled")
    case.wait(10).refused(CE.ISSUE_MEDIATION, "settlement_notice_run")
    case.wait(25).apply(CE.ISSUE_MEDIATION).apply(CE.COMPLETE)
    assert case.is_at(CS.CLOSED)
    assert {"civil.settlement_notice", "civil.first_instance"} <= case.met()


def test_another_plaintiff_ends_the_procuratorate_review() -> None:
    case = Case(CIVIL_PIL_SPEC, kind="procuratorate").apply(CE.ANNOUNCE).wait(12)
    case.apply(CE.ANOTHER_PLAINTIFF_SUED, plaintiff_name="某基金会", support_suit=True)
    assert case.is_at(CS.NOT_PURSUED)
    assert case.running() == set()  # the announcement is moot
    assert case.details["support_suit"] is True
    assert case.apply(CE.CLOSE_REVIEW).is_at(CS.CLOSED)


def test_an_incidental_suit_follows_the_criminal_periods() -> None:
    case = Case(CIVIL_PIL_SPEC, kind="incidental")
    case.refused(CE.FILE_WITH_INDICTMENT, "incidental_with_indictment")
    case.apply(CE.ANNOUNCE).wait(31)
    case.refused(CE.PROSECUTE_SUIT, "pil_kind")
    case.refused(CE.FILE_WITH_INDICTMENT, "incidental_with_indictment")
    case.computed["criminal_indicted"] = True
    case.apply(CE.FILE_WITH_INDICTMENT).apply(CE.ACCEPT)
    assert "civil.first_instance" not in case.due  # tried under the criminal case's limits
    case.apply(CE.START_TRIAL).apply(CE.JUDGE).apply(CE.SERVE_JUDGMENT)
    assert "civil.appeal_incidental" in case.due and "civil.appeal" not in case.due
    case.wait(5).apply(CE.APPEAL)
    assert "civil.second_instance" not in case.due
    case.apply(CE.JUDGE_SECOND_INSTANCE)
    assert case.is_at(CS.FINAL)
    assert "civil.appeal_incidental" in case.running()  # a waiting period, never met early
    case.apply(CE.COMPLETE)
    assert case.running() == set() and "civil.appeal_incidental" in case.cancelled


def test_a_remanded_judgment_gets_a_fresh_appeal_period() -> None:
    case = ngo_case().apply(CE.ACCEPT).apply(CE.PUBLISH_ACCEPTANCE).wait(31)
    case.apply(CE.START_TRIAL).apply(CE.JUDGE).apply(CE.SERVE_JUDGMENT).wait(3)
    case.apply(CE.APPEAL)
    assert "civil.second_instance" in case.due
    case.wait(40).apply(CE.REMAND)
    assert case.is_at(CS.TRIAL)
    assert {"civil.second_instance", "civil.appeal"} <= case.met()
    case.wait(30).apply(CE.JUDGE)
    case.refused(CE.BECOME_FINAL, "appeal_period_run")  # the new judgment is not served yet
    case.apply(CE.SERVE_JUDGMENT).wait(16).apply(CE.BECOME_FINAL)
    assert case.is_at(CS.FINAL)


def test_an_appeal_withdrawn_at_once_leaves_no_false_breach() -> None:
    case = ngo_case().apply(CE.ACCEPT).apply(CE.PUBLISH_ACCEPTANCE).wait(31)
    case.apply(CE.START_TRIAL).apply(CE.JUDGE).apply(CE.SERVE_JUDGMENT).wait(2)
    case.apply(CE.APPEAL).wait(3).apply(CE.WITHDRAW_APPEAL)  # the driver checks waiting periods
    assert case.is_at(CS.FINAL) and "civil.second_instance" in case.met()
    case.apply(CE.COMPLETE)
    assert case.running() == set()


def test_suspension_resumes_into_trial() -> None:
    case = ngo_case().apply(CE.ACCEPT)
    case.apply(CE.SUSPEND, reason="生态环境损害赔偿诉讼在审")
    assert case.is_at(CS.SUSPENDED) and case.details["reason"]
    assert case.apply(CE.RESUME).is_at(CS.TRIAL)


def test_withdrawal_rules() -> None:
    case = ngo_case().apply(CE.ACCEPT).apply(CE.START_TRIAL).apply(CE.CONCLUDE_DEBATE)
    case.refused(CE.WITHDRAW, "no_withdrawal_after_debate", reason="x")
    case.apply(CE.WITHDRAW, reason="监管部门履职", claims_realised=True)
    assert case.is_at(CS.WITHDRAWN) and case.running() == set()
    assert case.apply(CE.CLOSE).is_at(CS.CLOSED)

    settled = ngo_case().apply(CE.ACCEPT).apply(CE.START_TRIAL).apply(CE.PUBLISH_SETTLEMENT)
    settled.apply(CE.REJECT_SETTLEMENT, reason="损害社会公共利益")
    assert settled.is_at(CS.TRIAL)
    settled.refused(CE.WITHDRAW, "no_withdrawal_on_settlement", reason="x")

    early = ngo_case().apply(CE.WITHDRAW, reason="撤诉")
    assert early.is_at(CS.WITHDRAWN)


def test_a_rejected_suit_is_closed() -> None:
    case = ngo_case().apply(CE.REJECT, reason="不符合起诉条件")
    assert case.is_at(CS.REJECTED)
    assert case.apply(CE.CLOSE).is_at(CS.CLOSED)


def test_an_administrative_case_runs_from_recommendation_to_judgment() -> None:
    case = Case(ADMIN_PIL_SPEC).apply(AE.FILE).apply(AE.START_INVESTIGATION)
    case.apply(AE.ISSUE_RECOMMENDATION, urgent=False)
    assert set(case.due) == {"admin_pil.reply"}
    case.wait(20).refused(AE.START_FOLLOW_UP, "reply_or_period_run")
    case.apply(AE.RECEIVE_REPLY, reply_summary="已立案查处")
    assert case.is_at(AS.REPLY_RECEIVED) and "admin_pil.reply" in case.met()
    case.apply(AE.START_FOLLOW_UP)
    case.refused(AE.FILE_SUIT, "agency_not_performed")
    case.apply(AE.RECORD_FOLLOW_UP, agency_performed=False)
    case.refused(AE.CLOSE_COMPLIED, "agency_performed")
    case.apply(AE.FILE_SUIT)
    case.refused(AE.JUDGE, "judgment_kind", judgment_kind="acquit")
    case.wait(60).apply(AE.JUDGE, judgment_kind="order_performance").apply(AE.SERVE_JUDGMENT)
    case.wait(16).refused(AE.APPEAL, "admin_appeal_in_time")
    case.apply(AE.BECOME_FINAL).apply(AE.CLOSE)
    assert case.is_at(AS.CLOSED)
    assert case.details["judgment_kind"] == "order_performance"
    assert {"admin_pil.first_instance", "admin_pil.appeal"} <= case.met()


def test_an_urgent_recommendation_left_unanswered_may_be_followed_up() -> None:
    case = Case(ADMIN_PIL_SPEC).apply(AE.FILE).apply(AE.START_INVESTIGATION)
    case.apply(AE.ISSUE_RECOMMENDATION, urgent=True)
    assert set(case.due) == {"admin_pil.reply_urgent"}
    case.wait(15).refused(AE.START_FOLLOW_UP, "reply_or_period_run")
    case.wait(10).apply(AE.START_FOLLOW_UP)
    assert case.is_at(AS.FOLLOW_UP_CHECK) and "admin_pil.reply_urgent" not in case.met()
    case.apply(AE.RECORD_FOLLOW_UP, agency_performed=True).apply(AE.CLOSE_COMPLIED)
    assert case.is_at(AS.CLOSED_COMPLIED)
    assert case.apply(AE.CLOSE_REVIEW).is_at(AS.CLOSED)


def test_an_administrative_suit_is_withdrawn_only_when_realised() -> None:
    case = Case(ADMIN_PIL_SPEC).apply(AE.FILE).apply(AE.START_INVESTIGATION)
    case.apply(AE.ISSUE_RECOMMENDATION, urgent=False).apply(AE.RECEIVE_REPLY)
    case.apply(AE.START_FOLLOW_UP).apply(AE.RECORD_FOLLOW_UP, agency_performed=False)
    case.apply(AE.FILE_SUIT)
    case.refused(AE.WITHDRAW, "admin_withdrawal", reason="x")
    case.apply(AE.WITHDRAW, reason="诉讼请求全部实现", claims_realised=True)
    assert case.is_at(AS.WITHDRAWN) and case.running() == set()
    assert case.apply(AE.CLOSE).is_at(AS.CLOSED)


def test_an_administrative_appeal_and_remand() -> None:
    case = Case(ADMIN_PIL_SPEC).apply(AE.TERMINATE, reason="不属于公益诉讼范围")
    assert case.is_at(AS.TERMINATED)
    assert case.apply(AE.CLOSE_REVIEW).is_at(AS.CLOSED)

    suit = Case(ADMIN_PIL_SPEC).apply(AE.FILE).apply(AE.START_INVESTIGATION)
    suit.apply(AE.ISSUE_RECOMMENDATION, urgent=False).apply(AE.RECEIVE_REPLY)
    suit.apply(AE.START_FOLLOW_UP).apply(AE.RECORD_FOLLOW_UP, agency_performed=False)
    suit.apply(AE.FILE_SUIT).apply(AE.JUDGE, judgment_kind="dismiss").apply(AE.SERVE_JUDGMENT)
    suit.wait(5).apply(AE.APPEAL)
    assert "admin_pil.second_instance" in suit.due
    suit.wait(40).apply(AE.REMAND)
    assert suit.is_at(AS.SUIT_FILED) and "admin_pil.second_instance" in suit.met()
    suit.apply(AE.JUDGE, judgment_kind="confirm_illegal").apply(AE.SERVE_JUDGMENT).wait(3)
    suit.apply(AE.APPEAL).apply(AE.WITHDRAW_APPEAL)
    assert suit.is_at(AS.FINAL)
