"""The eco-environmental damage compensation lifecycle (生态环境损害赔偿), table-driven.

Every transition, illegal pair and guard; the exports the generic service drives the channel by
(organs, clocks, step data, facts), checked for totality and consistency; and the paths walked
the way the service walks them: cautious facts, filled only from recorded step data and clocks.
"""

from __future__ import annotations

import doctest
import typing
from collections import Counter
from dataclasses import dataclass, field, fields, replace
from datetime import date, timedelta
from typing import Any

import pytest

from casemgr.exceptions import GuardFailed, IllegalTransition
from casemgr.legalbasis import Citation, Law, basis_text
from casemgr.legalclock.compensation import COMPENSATION_RULES
from casemgr.legalclock.engine import Unit, compute_due, default_calendar
from casemgr.lifecycles import Organ
from casemgr.lifecycles import compensation as module
from casemgr.lifecycles.compensation import (
    ADMISSIBLE_INCIDENT_LEVELS,
    ASSESSMENT_METHODS,
    COMPENSATION,
    COMPUTED,
    CONSULTATION_FAILURE_GROUNDS,
    ENDINGS,
    EVALUATION_EXEMPTIONS,
    EVENT_ORGAN,
    FIELDS,
    GUARDS,
    INCIDENT_LEVELS,
    MEETS,
    NOT_STARTED_REASONS,
    OPENS,
    OPENS_ON_START,
    RECORDS,
    REQUIRES,
    RULES,
    SIMPLIFIED_ASSESSMENT_LIMIT,
    TRANSITIONS,
    CompEvent,
    CompFacts,
    CompRule,
    CompStatus,
    performance_overdue,
    procuratorate_notice_missing,
)

S, E = CompStatus, CompEvent
TODAY = date(2026, 6, 1)
DAY = timedelta(days=1)
START, CONSULT, NOTICE, APPEAL = (
    "compensation.start_decision",
    "compensation.consultation",
    "compensation.confirmation_notice",
    "compensation.appeal",
)
CLOCK = {rule.code: rule for rule in COMPENSATION_RULES}

# Facts under which every guard holds, except the appeal-in-time guard (see facts_for).
PERMISSIVE = CompFacts(
    today=TODAY,
    event_counts={"confirm_agreement": 1},
    due={CONSULT: TODAY - DAY, NOTICE: TODAY - DAY, APPEAL: TODAY - DAY},
    reason="insignificant",
    incident_level="major",
    assessment_method="simplified",
    simple_undisputed=True,
    damage_cents=10_000_00,
    notice_served_on=TODAY - 30 * DAY,
    restoration=True,
    performance_due_on=TODAY - DAY,
    failure_ground="limit_passed",
    evaluation_passed=True,
)


def facts(**changes: Any) -> CompFacts:
    return replace(PERMISSIVE, **changes)


def facts_for(event: CompEvent) -> CompFacts:
    """PERMISSIVE, with the appeal period still running for an appeal."""
    if event is E.FILE_APPEAL:
        return facts(due={**PERMISSIVE.due, APPEAL: TODAY})
    return PERMISSIVE


# -- the table ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "event", "target"),
    [pytest.param(s, e, t, id=f"{s}-{e}") for (s, e), t in TRANSITIONS.items()],
)
def test_every_transition_leads_to_its_declared_status(
    source: CompStatus, event: CompEvent, target: CompStatus
) -> None:
    assert COMPENSATION.next_status(source, event, facts_for(event)) is target
    assert event in COMPENSATION.allowed_events(source, facts_for(event))


ILLEGAL = [(s, e) for s in CompStatus for e in CompEvent if (s, e) not in TRANSITIONS]


@pytest.mark.parametrize(
    ("status", "event"), [pytest.param(s, e, id=f"{s}-{e}") for s, e in ILLEGAL]
)
def test_every_pair_outside_the_table_is_illegal_and_names_the_possible_events(
    status: CompStatus, event: CompEvent
) -> None:
    expected = [str(e) for e in CompEvent if (status, e) in TRANSITIONS]
    with pytest.raises(IllegalTransition) as info:
        COMPENSATION.next_status(status, event, PERMISSIVE)
    assert (info.value.status, info.value.code) == (409, "illegal_transition")
    assert info.value.allowed == expected


def test_the_table_covers_the_domain_states_and_is_valid() -> None:
    assert COMPENSATION.name == "compensation"
    assert COMPENSATION.initial is S.LEAD
    assert COMPENSATION.terminal == {S.CLOSED, S.NOT_STARTED, S.WITHDRAWN}
    assert set(COMPENSATION.labels) == set(CompStatus)
    assert COMPENSATION.labels[S.CONSULTATION] == "磋商 consultation"
    assert len(ILLEGAL) + len(TRANSITIONS) == len(CompStatus) * len(CompEvent)
    COMPENSATION.validate()


def test_mermaid_contains_every_transition() -> None:
    lines = COMPENSATION.to_mermaid().splitlines()
    for (source, event), target in TRANSITIONS.items():
        assert f"    {source} --> {target} : {event}" in lines
    assert "    [*] --> lead" in lines
    assert "    closed --> [*]" in lines


def test_the_module_doctests_pass() -> None:
    result = doctest.testmod(module)
    assert result.failed == 0 and result.attempted > 0


# -- the exports the generic service needs -----------------------------------------------------

COURT_EVENTS = {
    E.PUBLISH_CONFIRMATION_NOTICE,
    E.CONFIRM_AGREEMENT,
    E.REFUSE_CONFIRMATION,
    E.RENDER_JUDGMENT,
    E.FILE_APPEAL,
    E.RENDER_APPEAL_JUDGMENT,
    E.RECORD_FINALITY,
    E.TERMINATE_ENFORCEMENT,
    E.WITHDRAW_SUIT,
}


def test_every_event_has_its_organ_the_claimant_or_the_court() -> None:
    assert set(EVENT_ORGAN) == set(CompEvent)
    assert {e for e, organ in EVENT_ORGAN.items() if organ is Organ.COURT} == COURT_EVENTS
    assert {e for e, organ in EVENT_ORGAN.items() if organ is Organ.CLAIMANT} == (
        set(CompEvent) - COURT_EVENTS
    )


@pytest.mark.parametrize(
    "table", [OPENS, MEETS, REQUIRES, RECORDS], ids=["opens", "meets", "requires", "records"]
)
def test_the_per_event_tables_are_total(table: Any) -> None:
    assert set(table) == set(CompEvent)
    assert all(isinstance(value, tuple) for value in table.values())


def test_clock_rules_opened_and_met_exist_and_each_rule_is_used() -> None:
    opened = {code for codes in OPENS.values() for code in codes}
    met = {code for codes in MEETS.values() for code in codes}
    assert opened | met | set(OPENS_ON_START) <= set(CLOCK)
    assert opened | set(OPENS_ON_START) == set(CLOCK), "every rule starts on the lead or an event"
    assert OPENS_ON_START == (START,) and START not in opened, "the lead starts it, once"
    assert met <= opened | set(OPENS_ON_START)
    assert OPENS[E.SERVE_CONSULTATION_NOTICE] == (CONSULT,)
    assert OPENS[E.APPLY_CONFIRMATION] == OPENS[E.PUBLISH_CONFIRMATION_NOTICE] == (NOTICE,)
    assert MEETS[E.CONFIRM_AGREEMENT] == (NOTICE,)
    assert MEETS[E.RECORD_FINALITY] == (APPEAL,)


def test_endings_are_exactly_the_events_into_a_terminal_status() -> None:
    into_terminal = {e for (_s, e), t in TRANSITIONS.items() if t in COMPENSATION.terminal}
    assert ENDINGS == into_terminal
    for (_source, event), target in TRANSITIONS.items():
        if event in ENDINGS:
            assert target in COMPENSATION.terminal


def test_step_data_fields_are_declared_and_every_required_field_is_recorded() -> None:
    kinds = {"str", "text", "int", "bool", "date", "cents", "str_list", "decimal"}
    assert set(FIELDS.values()) <= kinds
    named = {f for table in (REQUIRES, RECORDS) for names in table.values() for f in names}
    assert named <= set(FIELDS)
    assert set(FIELDS) == {f for names in RECORDS.values() for f in names}
    for event in CompEvent:
        assert set(REQUIRES[event]) <= set(RECORDS[event]), event
    assert REQUIRES[E.DECIDE_NOT_TO_START] == ("reason",)
    assert "notice_served_on" in RECORDS[E.SERVE_CONSULTATION_NOTICE]
    assert RECORDS[E.RECORD_ROUND] == ("round_summary",)
    assert {"agreed_cents", "restoration"} <= set(RECORDS[E.REACH_AGREEMENT])
    assert REQUIRES[E.START_ASSESSMENT] == ("assessment_method",)


_PYTHON_TYPES = {
    "str": str | None,
    "text": str | None,
    "date": date | None,
    "cents": int | None,
    "int": int | None,
}


def test_every_facts_field_comes_from_the_clock_the_step_data_or_a_computation() -> None:
    hints = typing.get_type_hints(CompFacts)
    names = [f.name for f in fields(CompFacts)]
    assert set(COMPUTED) <= set(names)
    for name in names:
        assert name in {"today", "event_counts", "due", "done"} | set(FIELDS) | set(COMPUTED)
        if name in FIELDS:
            kind = FIELDS[name]
            if kind == "bool":
                assert hints[name] in (bool, bool | None), name
            else:
                assert hints[name] == _PYTHON_TYPES[kind], name
    cautious = CompFacts(today=TODAY)
    assert cautious.notice_served_on is None and not cautious.due and not cautious.done
    assert cautious.procuratorate_notified is False and cautious.evaluation_passed is None
    assert COMPUTED["procuratorate_notified"] and "procuratorate_notified" not in str(GUARDS)


# -- data lists --------------------------------------------------------------------------------

DATA_LISTS = [NOT_STARTED_REASONS, CONSULTATION_FAILURE_GROUNDS, EVALUATION_EXEMPTIONS]


@pytest.mark.parametrize("grounds", [*DATA_LISTS, ASSESSMENT_METHODS, INCIDENT_LEVELS])
def test_each_data_list_has_unique_codes_with_english_labels_and_sources(grounds: Any) -> None:
    # The labels are msgids; their Chinese wording is checked in tests/unit/test_data_labels.py.
    codes = [g.code for g in grounds]
    assert len(codes) == len(set(codes))
    for ground in grounds:
        assert ground.source and ground.label
        assert not any("\u4e00" <= ch <= "\u9fff" for ch in ground.label), ground.label


def test_the_data_lists_hold_the_domain_codes() -> None:
    assert {"insignificant", "no_liable_party", "already_compensated", "other"} <= {
        g.code for g in NOT_STARTED_REASONS
    }
    insignificant = next(g for g in NOT_STARTED_REASONS if g.code == "insignificant")
    assert "clearly minor" in insignificant.label and "art. 18 ¶1 (3)" in insignificant.source
    assert len(EVALUATION_EXEMPTIONS) == 3
    assert all("[R" in g.source for g in EVALUATION_EXEMPTIONS)
    assert "payment_only" in {g.code for g in EVALUATION_EXEMPTIONS}
    assert [g.code for g in ASSESSMENT_METHODS] == ["full", "simplified"]
    assert ADMISSIBLE_INCIDENT_LEVELS == {"larger", "major", "especially_major"}
    assert ADMISSIBLE_INCIDENT_LEVELS < {g.code for g in INCIDENT_LEVELS}
    assert "[R]" in SIMPLIFIED_ASSESSMENT_LIMIT.source
    assert PERMISSIVE.simplified_max_damage_cents == SIMPLIFIED_ASSESSMENT_LIMIT.max_damage_cents


# -- the legal-clock rules ---------------------------------------------------------------------


def test_the_clock_rules_are_prefixed_titled_and_sourced() -> None:
    assert [r.code for r in COMPENSATION_RULES] == [START, CONSULT, NOTICE, APPEAL]
    for rule in COMPENSATION_RULES:
        assert rule.code.startswith("compensation.") and rule.title and rule.basis
        assert rule.unit is Unit.CALENDAR_DAY and not rule.pausable
    assert (CLOCK[START].amount, CLOCK[CONSULT].amount) == (30, 90)
    assert CLOCK[START].basis[0].recalled and CLOCK[CONSULT].basis[0].recalled
    assert (CLOCK[NOTICE].amount, CLOCK[NOTICE].waiting) == (30, True)
    assert CLOCK[NOTICE].basis == (
        Citation(Law.SPC_ECO_DAMAGE_COMPENSATION_PROVISIONS, "20", CLOCK[NOTICE].basis[0].note),
    )
    assert (CLOCK[APPEAL].amount, CLOCK[APPEAL].waiting) == (15, True)
    assert "Civil Procedure Law (2023) art. 171" in basis_text(CLOCK[APPEAL].basis)


def test_restoration_has_no_invented_statutory_period() -> None:
    assert not [r for r in COMPENSATION_RULES if "restor" in r.code or "perform" in r.code]
    assert FIELDS["performance_due_on"] == "date"
    assert not performance_overdue(facts(performance_due_on=None))
    assert not performance_overdue(facts(performance_due_on=TODAY))
    assert performance_overdue(facts(performance_due_on=TODAY - DAY))


@pytest.mark.parametrize(
    ("code", "start", "due"),
    [
        (CONSULT, date(2026, 3, 2), date(2026, 6, 1)),  # day 90 is a Sunday: next working day
        (NOTICE, date(2026, 9, 1), date(2026, 10, 8)),  # day 30 falls in the 国庆 holiday
        (APPEAL, date(2026, 3, 2), date(2026, 3, 17)),
        (START, date(2026, 3, 2), date(2026, 4, 1)),
    ],
)
def test_the_periods_count_from_the_day_after_and_roll_past_rest_days(
    code: str, start: date, due: date
) -> None:
    assert compute_due(CLOCK[code], start, calendar=default_calendar()).due_date == due


# -- guards ------------------------------------------------------------------------------------

R = CompRule
_DUE = PERMISSIVE.due
# (rule, source status, event, changes that break the rule, changes under which it holds)
GUARD_CASES = [
    (R.NOT_STARTED_REASON, S.SCREENING, E.DECIDE_NOT_TO_START,
     {"reason": "too_expensive"}, {"reason": "no_liable_party"}),
    (R.NOT_STARTED_REASON, S.SCREENING, E.DECIDE_NOT_TO_START,
     {"reason": None}, {"reason": "already_compensated"}),
    (R.NOT_STARTED_REASON, S.SCREENING, E.DECIDE_NOT_TO_START,
     {"reason": "other", "not_started_note": "  "},
     {"reason": "other", "not_started_note": "历史遗留，责任主体已注销"}),
    (R.SIMPLIFIED_ASSESSMENT_CONDITIONS, S.INVESTIGATION, E.START_ASSESSMENT,
     {"assessment_method": "guesswork"}, {"assessment_method": "full"}),
    (R.SIMPLIFIED_ASSESSMENT_CONDITIONS, S.INVESTIGATION, E.START_ASSESSMENT,
     {"assessment_method": None}, {}),
    (R.SIMPLIFIED_ASSESSMENT_CONDITIONS, S.INVESTIGATION, E.START_ASSESSMENT,
     {"simple_undisputed": False}, {"simple_undisputed": False, "assessment_method": "full"}),
    (R.SIMPLIFIED_ASSESSMENT_CONDITIONS, S.INVESTIGATION, E.START_ASSESSMENT,
     {"damage_cents": 500_000_00}, {"damage_cents": 499_999_99}),
    (R.SIMPLIFIED_ASSESSMENT_CONDITIONS, S.INVESTIGATION, E.START_ASSESSMENT,
     {"damage_cents": 100_000_00, "simplified_max_damage_cents": 100_000_00},
     {"damage_cents": None}),
    (R.CONSULTATION_NOTICE_SERVED, S.ASSESSMENT, E.SERVE_CONSULTATION_NOTICE,
     {"notice_served_on": TODAY + DAY}, {"notice_served_on": TODAY}),
    (R.CONSULTATION_NOTICE_SERVED, S.CONSULTATION, E.RECORD_ROUND,
     {"notice_served_on": None}, {}),
    (R.CONSULTATION_NOTICE_SERVED, S.CONSULTATION, E.REACH_AGREEMENT,
     {"notice_served_on": None}, {}),
    (R.CONSULTATION_NOTICE_SERVED, S.CONSULTATION, E.FAIL_CONSULTATION,
     {"notice_served_on": None}, {}),
    (R.CONSULTATION_FAILURE_GROUND, S.CONSULTATION, E.FAIL_CONSULTATION,
     {"failure_ground": "bad_weather"}, {"failure_ground": "refused"}),
    (R.CONSULTATION_FAILURE_GROUND, S.CONSULTATION, E.FAIL_CONSULTATION,
     {"due": {**_DUE, CONSULT: TODAY}}, {"due": {**_DUE, CONSULT: TODAY - DAY}}),
    (R.CONSULTATION_FAILURE_GROUND, S.CONSULTATION, E.FAIL_CONSULTATION,
     {"due": {}}, {"due": {}, "failure_ground": "no_agreement"}),
    (R.CONSULTATION_FAILURE_GROUND, S.CONSULTATION, E.FAIL_CONSULTATION,
     {"failure_ground": "other"}, {"failure_ground": "other", "failure_note": "义务人失联"}),
    (R.CONSULTATION_FAILURE_GROUND, S.PERFORMANCE, E.RECORD_NON_PERFORMANCE,
     {"failure_ground": None}, {"failure_ground": "agreement_not_performed"}),
    (R.CONFIRMATION_NOTICE_RUN, S.JUDICIAL_CONFIRMATION, E.CONFIRM_AGREEMENT,
     {"due": {**_DUE, NOTICE: TODAY}}, {"due": {**_DUE, NOTICE: TODAY - DAY}}),
    (R.CONFIRMATION_NOTICE_RUN, S.JUDICIAL_CONFIRMATION, E.CONFIRM_AGREEMENT,
     {"due": {}}, {}),
    (R.LITIGATION_ADMISSIBLE, S.CONSULTATION_FAILED, E.FILE_SUIT,
     {"failure_ground": None}, {"failure_ground": "refused"}),
    (R.LITIGATION_ADMISSIBLE, S.CONSULTATION_FAILED, E.FILE_SUIT,
     {"incident_level": "general"}, {"incident_level": "larger"}),
    (R.LITIGATION_ADMISSIBLE, S.CONSULTATION_FAILED, E.FILE_SUIT,
     {"incident_level": None}, {"incident_level": None, "key_zone": True}),
    (R.LITIGATION_ADMISSIBLE, S.CONSULTATION_FAILED, E.FILE_SUIT,
     {"incident_level": None}, {"incident_level": None, "serious_consequences": True}),
    (R.APPEAL_IN_TIME, S.JUDGMENT, E.FILE_APPEAL,
     {"due": {**_DUE, APPEAL: TODAY - DAY}}, {"due": {**_DUE, APPEAL: TODAY}}),
    (R.APPEAL_IN_TIME, S.JUDGMENT, E.FILE_APPEAL,
     {"due": {}}, {"due": {APPEAL: TODAY + DAY}}),
    (R.APPEAL_WINDOW_RUN, S.JUDGMENT, E.RECORD_FINALITY,
     {"due": {**_DUE, APPEAL: TODAY}}, {"due": {**_DUE, APPEAL: TODAY - DAY}}),
    (R.APPEAL_WINDOW_RUN, S.JUDGMENT, E.RECORD_FINALITY,
     {"due": {}}, {}),
    (R.ENFORCEABLE_TITLE, S.PERFORMANCE, E.APPLY_ENFORCEMENT,
     {"event_counts": {"reach_agreement": 1}}, {"event_counts": {"record_finality": 1}}),
    (R.ENFORCEABLE_TITLE, S.JUDGMENT_FINAL, E.APPLY_ENFORCEMENT,
     {"event_counts": {}}, {"event_counts": {"render_appeal_judgment": 1}}),
    (R.PERFORMANCE_DUE_PASSED, S.PERFORMANCE, E.APPLY_ENFORCEMENT,
     {"performance_due_on": TODAY}, {"performance_due_on": TODAY - DAY}),
    (R.PERFORMANCE_DUE_PASSED, S.JUDGMENT_FINAL, E.APPLY_ENFORCEMENT,
     {"performance_due_on": None}, {}),
    (R.PERFORMANCE_DUE_PASSED, S.PERFORMANCE, E.RECORD_NON_PERFORMANCE,
     {"performance_due_on": None}, {}),
    (R.EVALUATION_OR_EXEMPTION, S.PERFORMANCE, E.CLOSE,
     {"evaluation_passed": None},
     {"evaluation_passed": None, "exemption_reason": "natural_recovery"}),
    (R.EVALUATION_OR_EXEMPTION, S.PERFORMANCE, E.CLOSE,
     {"evaluation_passed": False, "exemption_reason": "natural_recovery"}, {}),
    (R.EVALUATION_OR_EXEMPTION, S.ENFORCEMENT, E.CLOSE,
     {"evaluation_passed": None, "exemption_reason": "payment_only"},
     {"evaluation_passed": None, "exemption_reason": "payment_only", "restoration": False}),
    (R.EVALUATION_OR_EXEMPTION, S.EFFECT_EVALUATION, E.CLOSE,
     {"evaluation_passed": None, "exemption_reason": "skipped"}, {"evaluation_passed": True}),
]  # fmt: skip

BASES = {
    R.NOT_STARTED_REASON: (
        "Provisions on the Management of Eco-environmental Damage Compensation (2022) art. 18(1)"
        " (except item 3) [R]"
    ),
    R.SIMPLIFIED_ASSESSMENT_CONDITIONS: (
        "Provisions on the Management of Eco-environmental Damage Compensation (2022) art. 20(2)"
        " (damage threshold unverified)"
    ),
    R.CONSULTATION_NOTICE_SERVED: (
        "Provisions on the Management of Eco-environmental Damage Compensation (2022) "
        "(consultation first, by written notice) [R]"
    ),
    R.CONSULTATION_FAILURE_GROUND: (
        "Provisions on the Management of Eco-environmental Damage Compensation (2022); Opinions "
        "on Specific Issues in the Reform of Eco-environmental Damage Compensation (2020) art. 7"
        " (the grounds and the 90-day limit) [R]"
    ),
    R.CONFIRMATION_NOTICE_RUN: (
        "SPC Provisions on Eco-environmental Damage Compensation Cases (2019, amended 2020) art. 20"
    ),
    R.LITIGATION_ADMISSIBLE: (
        "SPC Provisions on Eco-environmental Damage Compensation Cases (2019, amended 2020) art. 1"
    ),
    R.APPEAL_IN_TIME: "Civil Procedure Law (2023) art. 171",
    R.APPEAL_WINDOW_RUN: "Civil Procedure Law (2023) art. 171",
    R.ENFORCEABLE_TITLE: (
        "SPC Provisions on Eco-environmental Damage Compensation Cases (2019, amended 2020) art. 21"
    ),
    R.PERFORMANCE_DUE_PASSED: (
        "SPC Provisions on Eco-environmental Damage Compensation Cases (2019, amended 2020) "
        "art. 21 (the agreement or judgment sets the date; no statutory period)"
    ),
    R.EVALUATION_OR_EXEMPTION: (
        "Opinions on Specific Issues in the Reform of Eco-environmental Damage Compensation "
        "(2020) art. 14 (wording) [R]"
    ),
}

_CASE_IDS = [f"{rule}-{event}-{i}" for i, (rule, _s, event, _f, _p) in enumerate(GUARD_CASES)]


@pytest.mark.parametrize(
    ("rule", "status", "event", "breaking", "holding"), GUARD_CASES, ids=_CASE_IDS
)
def test_a_broken_rule_refuses_the_event_naming_rule_and_basis(
    rule: CompRule,
    status: CompStatus,
    event: CompEvent,
    breaking: dict[str, Any],
    holding: dict[str, Any],
) -> None:
    with pytest.raises(GuardFailed) as info:
        COMPENSATION.next_status(status, event, replace(facts_for(event), **breaking))
    error = info.value
    assert (error.status, error.code, error.rule) == (409, "guard_failed", rule)
    assert [basis_text(b) for b in error.errors["basis"]] == [BASES[rule]]
    assert error.errors["ways_forward"], "a refusal must name a way forward"
    title, basis = RULES[rule]
    assert error.message.startswith(f"{title} ({basis_text(basis)}): ")
    assert event not in COMPENSATION.allowed_events(status, replace(facts_for(event), **breaking))


@pytest.mark.parametrize(
    ("rule", "status", "event", "breaking", "holding"), GUARD_CASES, ids=_CASE_IDS
)
def test_a_rule_that_holds_lets_the_event_through(
    rule: CompRule,
    status: CompStatus,
    event: CompEvent,
    breaking: dict[str, Any],
    holding: dict[str, Any],
) -> None:
    holds = replace(facts_for(event), **holding)
    assert COMPENSATION.failures(status, event, holds) == []
    assert COMPENSATION.next_status(status, event, holds) is TRANSITIONS[(status, event)]


def test_every_rule_and_every_guarded_event_has_cases() -> None:
    assert {case[0] for case in GUARD_CASES} == set(CompRule) == set(RULES) == set(BASES)
    assert {case[2] for case in GUARD_CASES} == set(GUARDS)
    for event, guards in GUARDS.items():
        for guard in guards:
            assert any(case[2] is event and guard.__name__ == case[0] for case in GUARD_CASES), (
                f"{guard.__name__} on {event} has no case"
            )


def test_an_early_confirmation_names_the_30_day_notice_and_spc_art_20() -> None:
    published = date(2026, 4, 10)
    due = compute_due(CLOCK[NOTICE], published, calendar=default_calendar()).due_date
    assert due == date(2026, 5, 11)
    early = CompFacts(today=due, due={NOTICE: due})
    with pytest.raises(GuardFailed) as info:
        COMPENSATION.next_status(S.JUDICIAL_CONFIRMATION, E.CONFIRM_AGREEMENT, early)
    error = info.value
    assert error.rule == "confirmation_notice_run"
    assert error.errors["basis"] == [(Citation(Law.SPC_ECO_DAMAGE_COMPENSATION_PROVISIONS, "20"),)]
    assert error.message == (
        "Notice period for judicial confirmation (SPC Provisions on Eco-environmental Damage "
        "Compensation Cases (2019, amended 2020) art. 20): "
        "The court's 30-day public notice of the agreement has not run yet."
    )
    on_time = replace(early, today=due + DAY)
    assert COMPENSATION.next_status(S.JUDICIAL_CONFIRMATION, E.CONFIRM_AGREEMENT, on_time) is (
        S.PERFORMANCE
    )


def test_the_litigation_guard_checks_consultation_first_then_art_1() -> None:
    never_consulted = CompFacts(today=TODAY, incident_level="major")
    [failure] = COMPENSATION.failures(S.CONSULTATION_FAILED, E.FILE_SUIT, never_consulted)
    assert "consultation" in failure.reason
    minor = CompFacts(today=TODAY, failure_ground="refused", incident_level="general")
    [failure] = COMPENSATION.failures(S.CONSULTATION_FAILED, E.FILE_SUIT, minor)
    assert "larger, major or especially major" in failure.reason


def test_the_procuratorate_notice_is_an_alert_not_a_guard() -> None:
    started = CompFacts(today=TODAY, event_counts={"start_claim": 1})
    assert procuratorate_notice_missing(started)
    assert not procuratorate_notice_missing(replace(started, procuratorate_notified=True))
    assert not procuratorate_notice_missing(CompFacts(today=TODAY))
    assert (
        COMPENSATION.next_status(
            S.INVESTIGATION, E.START_ASSESSMENT, replace(started, assessment_method="full")
        )
        is S.ASSESSMENT
    )


# -- paths, walked the way the service walks them ----------------------------------------------


@dataclass
class Claim:
    """A claim driven only through the exports: cautious facts, recorded data, the clock."""

    status: CompStatus = S.LEAD
    details: dict[str, Any] = field(default_factory=dict)
    counts: Counter[str] = field(default_factory=Counter)
    due: dict[str, date] = field(default_factory=dict)
    done: dict[str, date] = field(default_factory=dict)
    cancelled: set[str] = field(default_factory=set)

    @classmethod
    def opened(cls, on: date) -> Claim:
        """A claim opened on the day its lead was received."""
        claim = cls()
        for code in OPENS_ON_START:
            claim.due[code] = compute_due(CLOCK[code], on, calendar=default_calendar()).due_date
        return claim

    def facts(self, on: date, data: dict[str, Any]) -> CompFacts:
        known = {f.name for f in fields(CompFacts)} & set(FIELDS)
        values = {k: v for k, v in {**self.details, **data}.items() if k in known}
        return CompFacts(
            today=on, event_counts=dict(self.counts), due=dict(self.due), done=dict(self.done),
            **values,
        )  # fmt: skip

    def apply(self, event: CompEvent, on: date, **data: Any) -> CompStatus:
        assert set(REQUIRES[event]) <= set(data), f"{event} misses {REQUIRES[event]}"
        assert set(data) <= set(RECORDS[event]), f"{event} does not record {set(data)}"
        self.status = COMPENSATION.next_status(self.status, event, self.facts(on, data))
        self.details.update(data)
        self.counts[event] += 1
        for code in OPENS[event]:
            self.due[code] = compute_due(CLOCK[code], on, calendar=default_calendar()).due_date
            self.done.pop(code, None)
        for code in MEETS[event]:
            self.done[code] = on
        if event in ENDINGS:
            self.cancelled = set(self.due) - set(self.done)
        return self.status


D0 = date(2026, 3, 2)


def _consulting() -> Claim:
    claim = Claim.opened(D0)
    claim.apply(E.START_SCREENING, D0)
    claim.apply(E.START_CLAIM, D0 + 20 * DAY, incident_level="larger")
    claim.apply(E.START_ASSESSMENT, D0 + 30 * DAY, assessment_method="full")
    claim.apply(E.SERVE_CONSULTATION_NOTICE, D0 + 60 * DAY, notice_served_on=D0 + 60 * DAY)
    claim.apply(E.RECORD_ROUND, D0 + 70 * DAY, round_summary="第一轮磋商：义务人对修复方案有异议")
    return claim


def test_the_happy_path_runs_from_lead_through_confirmation_and_evaluation_to_closed() -> None:
    claim = _consulting()
    assert (claim.due[START], claim.done[START]) == (date(2026, 4, 1), D0 + 20 * DAY)
    claim.apply(
        E.REACH_AGREEMENT, D0 + 80 * DAY,
        agreed_cents=1_200_000_00, restoration=True, performance_due_on=D0 + 200 * DAY,
    )  # fmt: skip
    claim.apply(E.APPLY_CONFIRMATION, D0 + 85 * DAY)
    published = D0 + 90 * DAY
    claim.apply(E.PUBLISH_CONFIRMATION_NOTICE, published)
    with pytest.raises(GuardFailed):  # the notice runs from the court's publication
        claim.apply(E.CONFIRM_AGREEMENT, D0 + 116 * DAY)
    claim.apply(E.CONFIRM_AGREEMENT, claim.due[NOTICE] + DAY)
    claim.apply(E.START_EVALUATION, D0 + 210 * DAY)
    claim.apply(E.RECORD_EVALUATION, D0 + 240 * DAY, evaluation_passed=True)
    assert claim.apply(E.CLOSE, D0 + 241 * DAY) is S.CLOSED
    assert claim.done.keys() == {START, CONSULT, NOTICE}
    assert not claim.cancelled


def test_a_lead_not_worth_a_claim_ends_with_a_listed_ground() -> None:
    claim = Claim.opened(D0)
    claim.apply(E.START_SCREENING, D0)
    with pytest.raises(GuardFailed):
        claim.apply(E.DECIDE_NOT_TO_START, D0 + DAY, reason="other")
    end = claim.apply(E.DECIDE_NOT_TO_START, D0 + DAY, reason="insignificant")
    assert end is S.NOT_STARTED and end in COMPENSATION.terminal
    assert claim.done == {START: D0 + DAY}


def test_a_failed_consultation_leads_to_a_suit_an_appeal_and_enforcement() -> None:
    claim = _consulting()
    with pytest.raises(GuardFailed):  # the 90-day limit has not passed yet
        claim.apply(E.FAIL_CONSULTATION, D0 + 100 * DAY, failure_ground="limit_passed")
    claim.apply(E.FAIL_CONSULTATION, claim.due[CONSULT] + DAY, failure_ground="limit_passed")
    claim.apply(E.FILE_SUIT, D0 + 160 * DAY)
    served = D0 + 300 * DAY
    claim.apply(E.RENDER_JUDGMENT, served, awarded_cents=900_000_00, restoration=True)
    claim.apply(E.FILE_APPEAL, served + 15 * DAY)
    claim.apply(
        E.RENDER_APPEAL_JUDGMENT, served + 120 * DAY,
        awarded_cents=900_000_00, restoration=True, performance_due_on=served + 180 * DAY,
    )  # fmt: skip
    with pytest.raises(GuardFailed):  # the performance date has not passed
        claim.apply(E.APPLY_ENFORCEMENT, served + 150 * DAY)
    claim.apply(E.APPLY_ENFORCEMENT, served + 181 * DAY)
    claim.apply(E.START_EVALUATION, served + 300 * DAY)
    claim.apply(E.RECORD_EVALUATION, served + 330 * DAY, evaluation_passed=False)
    with pytest.raises(GuardFailed):
        claim.apply(E.CLOSE, served + 331 * DAY)
    claim.apply(E.RESUME_RESTORATION, served + 331 * DAY)
    claim.apply(E.START_EVALUATION, served + 400 * DAY)
    claim.apply(E.RECORD_EVALUATION, served + 420 * DAY, evaluation_passed=True)
    assert claim.apply(E.CLOSE, served + 421 * DAY) is S.CLOSED
    assert claim.cancelled == {APPEAL}, "the appealed first-instance period is moot at the end"


def test_a_first_instance_judgment_becomes_final_after_the_appeal_period() -> None:
    claim = _consulting()
    claim.apply(E.FAIL_CONSULTATION, D0 + 75 * DAY, failure_ground="refused")
    claim.apply(E.FILE_SUIT, D0 + 80 * DAY)
    claim.apply(E.RENDER_JUDGMENT, D0 + 200 * DAY, restoration=False)
    with pytest.raises(GuardFailed):
        claim.apply(E.RECORD_FINALITY, claim.due[APPEAL])
    claim.apply(E.RECORD_FINALITY, claim.due[APPEAL] + DAY)
    assert claim.apply(E.CLOSE_WITHOUT_PERFORMANCE, D0 + 230 * DAY, closing_reason="驳回") is (
        S.CLOSED
    )


def test_a_suit_is_refused_when_no_art_1_condition_holds_and_the_claim_can_be_withdrawn() -> None:
    claim = Claim.opened(D0)
    claim.apply(E.START_SCREENING, D0)
    claim.apply(E.START_CLAIM, D0 + DAY, incident_level="general")
    claim.apply(E.START_ASSESSMENT, D0 + 2 * DAY, assessment_method="full")
    claim.apply(E.SERVE_CONSULTATION_NOTICE, D0 + 3 * DAY, notice_served_on=D0 + 3 * DAY)
    claim.apply(E.FAIL_CONSULTATION, D0 + 10 * DAY, failure_ground="refused")
    with pytest.raises(GuardFailed) as info:
        claim.apply(E.FILE_SUIT, D0 + 11 * DAY)
    assert info.value.rule == "litigation_admissible"
    claim.apply(E.FILE_SUIT, D0 + 11 * DAY, key_zone=True)
    assert claim.apply(E.WITHDRAW_SUIT, D0 + 40 * DAY, withdrawal_reason="达成和解") is S.WITHDRAWN


def test_a_confirmed_agreement_not_performed_is_enforced() -> None:
    claim = _consulting()
    claim.apply(
        E.REACH_AGREEMENT, D0 + 80 * DAY,
        agreed_cents=300_000_00, restoration=False, performance_due_on=D0 + 150 * DAY,
    )  # fmt: skip
    claim.apply(E.APPLY_CONFIRMATION, D0 + 81 * DAY)
    claim.apply(E.CONFIRM_AGREEMENT, claim.due[NOTICE] + DAY)
    assert claim.apply(E.APPLY_ENFORCEMENT, D0 + 151 * DAY) is S.ENFORCEMENT
    assert claim.apply(E.CLOSE, D0 + 200 * DAY, exemption_reason="payment_only") is S.CLOSED


def test_an_unconfirmed_agreement_not_performed_cannot_be_enforced_and_is_sued_on() -> None:
    claim = _consulting()
    claim.apply(
        E.REACH_AGREEMENT, D0 + 80 * DAY,
        agreed_cents=300_000_00, restoration=True, performance_due_on=D0 + 150 * DAY,
    )  # fmt: skip
    claim.apply(E.BEGIN_PERFORMANCE, D0 + 81 * DAY)
    with pytest.raises(GuardFailed) as info:
        claim.apply(E.APPLY_ENFORCEMENT, D0 + 151 * DAY)
    assert info.value.rule == "enforceable_title"
    claim.apply(E.RECORD_NON_PERFORMANCE, D0 + 151 * DAY, failure_ground="agreement_not_performed")
    assert claim.apply(E.FILE_SUIT, D0 + 160 * DAY) is S.LITIGATION


def test_a_refused_confirmation_returns_to_consultation() -> None:
    claim = _consulting()
    claim.apply(E.REACH_AGREEMENT, D0 + 80 * DAY, agreed_cents=1_00, restoration=True)
    claim.apply(E.APPLY_CONFIRMATION, D0 + 81 * DAY)
    assert claim.apply(E.REFUSE_CONFIRMATION, D0 + 120 * DAY, refusal_reason="损害公共利益") is (
        S.CONSULTATION
    )
    claim.apply(E.REACH_AGREEMENT, D0 + 130 * DAY, agreed_cents=2_00, restoration=True)
    assert claim.apply(E.WITHDRAW, D0 + 131 * DAY, withdrawal_reason="撤回") is S.WITHDRAWN


def test_closing_from_performance_needs_an_exemption_else_the_evaluation() -> None:
    claim = _consulting()
    claim.apply(E.REACH_AGREEMENT, D0 + 80 * DAY, agreed_cents=50_000_00, restoration=True)
    claim.apply(E.BEGIN_PERFORMANCE, D0 + 81 * DAY)
    with pytest.raises(GuardFailed):
        claim.apply(E.CLOSE, D0 + 100 * DAY)
    with pytest.raises(GuardFailed):  # restoration was agreed: not a payment-only case
        claim.apply(E.CLOSE, D0 + 100 * DAY, exemption_reason="payment_only")
    assert claim.apply(E.CLOSE, D0 + 100 * DAY, exemption_reason="simple_restoration") is (S.CLOSED)


def test_a_simplified_assessment_needs_a_simple_undisputed_small_case() -> None:
    claim = Claim.opened(D0)
    claim.apply(E.START_SCREENING, D0)
    claim.apply(E.START_CLAIM, D0 + DAY)
    with pytest.raises(GuardFailed):
        claim.apply(E.START_ASSESSMENT, D0 + 2 * DAY, assessment_method="simplified")
    with pytest.raises(GuardFailed):
        claim.apply(
            E.START_ASSESSMENT, D0 + 2 * DAY, assessment_method="simplified",
            simple_undisputed=True, damage_cents=2_000_000_00,
        )  # fmt: skip
    assert claim.apply(
        E.START_ASSESSMENT, D0 + 2 * DAY, assessment_method="simplified",
        simple_undisputed=True, damage_cents=20_000_00,
    ) is S.ASSESSMENT  # fmt: skip
    with pytest.raises(GuardFailed):  # agreement needs the served notice
        COMPENSATION.next_status(S.CONSULTATION, E.REACH_AGREEMENT, claim.facts(D0, {}))
