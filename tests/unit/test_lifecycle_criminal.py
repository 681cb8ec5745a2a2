"""The transfer (行刑衔接) and criminal lifecycle: table, service contract, guards, paths, clock."""

from __future__ import annotations

import doctest
from collections import Counter
from dataclasses import fields, replace
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest

import casemgr.legalclock.criminal as criminal_rules
import casemgr.lifecycles.criminal as criminal
from casemgr.exceptions import GuardFailed, IllegalTransition
from casemgr.legalbasis import Citation, Law, basis_text
from casemgr.legalclock.criminal import CRIMINAL_RULES
from casemgr.legalclock.engine import Rule, Unit, compute_due, default_calendar
from casemgr.lifecycles import Organ
from casemgr.lifecycles.criminal import (
    ATTACHMENT_KINDS,
    CANCELS,
    COMPUTED,
    CRIMINAL,
    ENDINGS,
    EVENT_ORGAN,
    FIELDS,
    FILING_RULES,
    GUARDS,
    MEETS,
    NOTICE_RULES,
    OPENS,
    OPENS_BY_FACTS,
    OPENS_ON_START,
    RECORDS,
    REQUIRES,
    RULES,
    SUPPLEMENTARY_RETURNS,
    TRANSITIONS,
    AttachmentKind,
    AttachmentNeed,
    CriminalEvent,
    CriminalFacts,
    CriminalRule,
    CriminalStatus,
    DetailedGuardFailure,
    FilingLimit,
    Verdict,
    attachments_required,
    filing_rule,
    missing_attachments,
)

S, E = CriminalStatus, CriminalEvent
TODAY = date(2026, 6, 1)
DAY = timedelta(days=1)
BY_CODE: dict[str, Rule] = {rule.code: rule for rule in CRIMINAL_RULES}
ALL_ATTACHMENTS = frozenset(k.value for k in AttachmentKind)

# Facts under which every guard but the two mutually exclusive pairs holds: the appeal window
# is still open (so become_final fails) and the verdict is a conviction (so
# close_without_execution fails). EVENT_FACTS gives those two events what they need.
PERMISSIVE = CriminalFacts(
    today=TODAY,
    due={"criminal.reconsideration_request": TODAY, "criminal.appeal": TODAY},
    report_officer_count=2,
    penalty_decided=True,
    attachments=ALL_ATTACHMENTS,
    filing_limit="standard",
    verdict="conviction",
)
EVENT_FACTS = {
    E.BECOME_FINAL: replace(PERMISSIVE, due={"criminal.appeal": TODAY - DAY}),
    E.CLOSE_WITHOUT_EXECUTION: replace(PERMISSIVE, verdict="acquittal"),
}


def facts(**changes: Any) -> CriminalFacts:
    return replace(PERMISSIVE, **changes)


def facts_for(event: CriminalEvent) -> CriminalFacts:
    return EVENT_FACTS.get(event, PERMISSIVE)


# -- the table ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "event", "target"),
    [pytest.param(s, e, t, id=f"{s}-{e}") for (s, e), t in TRANSITIONS.items()],
)
def test_every_transition_leads_to_its_declared_status(
    source: CriminalStatus, event: CriminalEvent, target: CriminalStatus
) -> None:
    assert CRIMINAL.next_status(source, event, facts_for(event)) is target
    assert event in CRIMINAL.allowed_events(source, facts_for(event))


ILLEGAL = [(s, e) for s in CriminalStatus for e in CriminalEvent if (s, e) not in TRANSITIONS]


@pytest.mark.parametrize(
    ("status", "event"), [pytest.param(s, e, id=f"{s}-{e}") for s, e in ILLEGAL]
)
def test_every_pair_outside_the_table_is_illegal_and_names_the_possible_events(
    status: CriminalStatus, event: CriminalEvent
) -> None:
    expected = [str(e) for e in CriminalEvent if (status, e) in TRANSITIONS]
    with pytest.raises(IllegalTransition) as info:
        CRIMINAL.next_status(status, event, PERMISSIVE)
    assert (info.value.status, info.value.code) == (409, "illegal_transition")
    assert info.value.allowed == expected


def test_the_table_is_valid_with_one_start_and_one_end() -> None:
    assert CRIMINAL.name == "criminal"
    assert CRIMINAL.initial is S.REPORTED
    assert CRIMINAL.terminal == {S.CLOSED}
    assert set(CRIMINAL.labels) == set(CriminalStatus)
    assert all(label.endswith(f" {status}") for status, label in CRIMINAL.labels.items())
    assert S.RETURNED in CRIMINAL.side and S.INVESTIGATION not in CRIMINAL.side
    assert {event for _s, event in TRANSITIONS} == set(CriminalEvent)
    CRIMINAL.validate()


def test_mermaid_contains_every_transition() -> None:
    lines = CRIMINAL.to_mermaid().splitlines()
    for (source, event), target in TRANSITIONS.items():
        assert f"    {source} --> {target} : {event}" in lines
    assert "    [*] --> reported" in lines
    assert "    closed --> [*]" in lines


def test_the_module_doctests_pass() -> None:
    for module in (criminal, criminal_rules):
        failures, _tried = doctest.testmod(module)
        assert failures == 0
    assert doctest.testmod(criminal).attempted >= 5


# -- the contract with the generic service -------------------------------------------------------

STEP_MAPPINGS = {"OPENS": OPENS, "MEETS": MEETS, "REQUIRES": REQUIRES, "RECORDS": RECORDS}


def test_every_event_has_an_organ_and_every_mapping_is_total() -> None:
    assert set(EVENT_ORGAN) == set(CriminalEvent)
    assert all(isinstance(organ, Organ) for organ in EVENT_ORGAN.values())
    for name, mapping in STEP_MAPPINGS.items():
        assert set(mapping) == set(CriminalEvent), name
        assert all(isinstance(v, tuple) for v in mapping.values()), name
    assert ENDINGS <= set(CriminalEvent)
    assert set(CANCELS) | set(NOTICE_RULES) <= set(CriminalEvent)


@pytest.mark.parametrize(
    ("event", "organ"),
    [
        (E.APPROVE_TRANSFER, Organ.AGENCY_HEAD),
        (E.DECLINE_TRANSFER, Organ.AGENCY_HEAD),
        (E.HAND_OVER, Organ.AGENCY),
        (E.ACKNOWLEDGE_RECEIPT, Organ.POLICE),
        (E.FILE_CASE, Organ.POLICE),
        (E.REQUEST_RECONSIDERATION, Organ.AGENCY),
        (E.ORDER_FILING, Organ.PROCURATORATE),
        (E.RETURN_FOR_SUPPLEMENTARY, Organ.PROCURATORATE),
        (E.INDICT, Organ.PROCURATORATE),
        (E.JUDGE_FIRST_INSTANCE, Organ.COURT),
        (E.CLOSE_WITHOUT_EXECUTION, Organ.COURT),
        (E.CLOSE, Organ.AGENCY),
    ],
)
def test_each_event_records_the_act_of_its_organ(event: CriminalEvent, organ: Organ) -> None:
    assert EVENT_ORGAN[event] is organ


def test_every_rule_code_named_exists_in_the_criminal_rules() -> None:
    named = {code for mapping in (OPENS, MEETS, CANCELS) for codes in mapping.values()
             for code in codes}  # fmt: skip
    named |= set(OPENS_ON_START) | {code for code, _field in NOTICE_RULES.values()}
    named |= set(FILING_RULES.values())
    assert named <= set(BY_CODE)
    extensions = {code for code in BY_CODE if "extension" in code}
    assert set(BY_CODE) - named == extensions, "every rule but the extensions is used"


def test_every_opened_deadline_is_met_or_cancelled_by_some_event() -> None:
    closing = {code for mapping in (MEETS, CANCELS) for codes in mapping.values()
               for code in codes}  # fmt: skip
    opened = {code for codes in OPENS.values() for code in codes} | set(OPENS_ON_START)
    assert opened | set(FILING_RULES.values()) <= closing


def test_the_waiting_appeal_period_is_met_only_once_it_has_run() -> None:
    assert BY_CODE["criminal.appeal"].waiting
    assert [e for e, codes in MEETS.items() if "criminal.appeal" in codes] == [E.BECOME_FINAL]
    assert CANCELS[E.APPEAL] == ("criminal.appeal",)


def test_step_data_fields_are_typed_and_used() -> None:
    used = {f for mapping in (REQUIRES, RECORDS) for names in mapping.values() for f in names}
    used |= {field for _code, field in NOTICE_RULES.values()}
    assert used == set(FIELDS)
    assert set(FIELDS.values()) <= {"str", "text", "int", "bool", "date", "cents", "str_list",
                                    "decimal"}  # fmt: skip
    for event, (_code, field) in NOTICE_RULES.items():
        assert FIELDS[field] == "date" and field in RECORDS[event]
    assert REQUIRES[E.REFUSE_TO_FILE] == ("reason",)
    assert "attachments" in RECORDS[E.HAND_OVER] and FIELDS["attachments"] == "str_list"
    assert "filing_limit" in RECORDS[E.ACKNOWLEDGE_RECEIPT]
    assert {"verdict", "fine_cents"} <= set(RECORDS[E.JUDGE_FIRST_INSTANCE])


def test_every_facts_field_has_a_source() -> None:
    generic = {"today", "event_counts", "due", "done"}
    names = {f.name for f in fields(CriminalFacts)}
    for name in names:
        assert name in generic or name in FIELDS or name in COMPUTED, name
    assert set(COMPUTED) <= names
    assert all(COMPUTED.values())


def test_the_defaults_are_the_cautious_ones() -> None:
    bare = CriminalFacts(today=TODAY)
    assert bare.report_officer_count == 0 and not bare.attachments and bare.verdict is None
    assert dict(bare.event_counts) == {} and dict(bare.due) == {} and dict(bare.done) == {}
    assert bare.filing_limit == FilingLimit.STANDARD  # the shortest limit
    assert bare.max_supplementary_returns == SUPPLEMENTARY_RETURNS.limit == 2
    assert [g.__name__ for g in GUARDS[E.APPROVE_TRANSFER]] == ["report_by_two_officers"]
    assert CRIMINAL.failures(S.REPORTED, E.APPROVE_TRANSFER, bare)
    assert CRIMINAL.failures(S.APPROVED, E.HAND_OVER, bare)
    assert CRIMINAL.failures(S.APPEAL_WINDOW, E.BECOME_FINAL, bare)
    assert CRIMINAL.failures(S.FINAL, E.START_EXECUTION, bare)


def test_endings_leave_the_case_with_the_agency_or_closed() -> None:
    targets = {t for (_s, e), t in TRANSITIONS.items() if e in ENDINGS}
    assert targets <= {S.RETURNED, S.CLOSED, S.TRANSFER_DECLINED}


# -- the legal-clock rules -----------------------------------------------------------------------


def test_the_rules_are_well_formed_and_cite_their_sources() -> None:
    codes = [rule.code for rule in CRIMINAL_RULES]
    assert len(codes) == len(set(codes))
    for rule in CRIMINAL_RULES:
        assert rule.code.startswith("criminal."), rule.code
        assert rule.title and rule.start_event and "art." in basis_text(rule.basis), rule.code
    assert BY_CODE["criminal.handover"].unit is Unit.HOUR
    assert not BY_CODE["criminal.handover"].roll_to_working_day
    working = {c for c, r in BY_CODE.items() if r.unit is Unit.WORKING_DAY}
    assert working == {"criminal.reconsideration_request", "criminal.reconsideration_decision"}
    pausable = {c for c, r in BY_CODE.items() if r.pausable}
    assert pausable == {
        "criminal.prosecution_review",
        "criminal.first_instance",
        "criminal.second_instance",
    }
    assert all("[R]" in basis_text(BY_CODE[c].basis) for c in pausable)


@pytest.mark.parametrize(
    ("code", "amount", "unit"),
    [
        ("criminal.transfer_approval", 3, Unit.CALENDAR_DAY),
        ("criminal.handover", 24, Unit.HOUR),
        ("criminal.materials", 3, Unit.CALENDAR_DAY),
        ("criminal.filing_decision", 3, Unit.CALENDAR_DAY),
        ("criminal.filing_decision.leads", 7, Unit.CALENDAR_DAY),
        ("criminal.filing_decision.major", 30, Unit.CALENDAR_DAY),
        ("criminal.filing_notice", 3, Unit.CALENDAR_DAY),
        ("criminal.seized_items", 3, Unit.CALENDAR_DAY),
        ("criminal.reconsideration_request", 3, Unit.WORKING_DAY),
        ("criminal.reconsideration_decision", 3, Unit.WORKING_DAY),
        ("criminal.police_explanation", 7, Unit.CALENDAR_DAY),
        ("criminal.filing_after_notice", 15, Unit.CALENDAR_DAY),
        ("criminal.prosecution_review", 1, Unit.MONTH),
        ("criminal.supplementary_investigation", 1, Unit.MONTH),
        ("criminal.non_prosecution_notice", 3, Unit.CALENDAR_DAY),
        ("criminal.first_instance", 2, Unit.MONTH),
        ("criminal.appeal", 10, Unit.CALENDAR_DAY),
        ("criminal.second_instance", 2, Unit.MONTH),
    ],
)
def test_each_period_has_its_legal_length(code: str, amount: int, unit: Unit) -> None:
    assert (BY_CODE[code].amount, BY_CODE[code].unit) == (amount, unit)


@pytest.mark.parametrize(
    ("code", "start", "due"),
    [
        # 3 working days across National Day (Oct 1-7 off): Sep 30, Oct 8, Oct 9.
        ("criminal.reconsideration_request", date(2026, 9, 29), date(2026, 10, 9)),
        # 10 days end on Oct 2, a holiday: the period ends on the next working day.
        ("criminal.appeal", date(2026, 9, 22), date(2026, 10, 8)),
        ("criminal.appeal", date(2026, 3, 2), date(2026, 3, 12)),
        ("criminal.filing_decision", date(2026, 3, 2), date(2026, 3, 5)),
        ("criminal.filing_decision.leads", date(2026, 3, 2), date(2026, 3, 9)),
        ("criminal.filing_decision.major", date(2026, 3, 2), date(2026, 4, 1)),
        # One month from Jan 31 is Feb 28, a make-up working day in 2026.
        ("criminal.prosecution_review", date(2026, 1, 31), date(2026, 2, 28)),
    ],
)
def test_due_dates_follow_the_counting_rules(code: str, start: date, due: date) -> None:
    assert compute_due(BY_CODE[code], start, calendar=default_calendar()).due == due


def test_the_24_hour_handover_runs_continuously_over_a_weekend() -> None:
    approved = datetime(2026, 3, 6, 16, 30)  # a Friday afternoon
    result = compute_due(BY_CODE["criminal.handover"], approved, calendar=default_calendar())
    assert result.due == datetime(2026, 3, 7, 16, 30)


# -- filing limits, attachments ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("limit", "code", "days"),
    [
        ("standard", "criminal.filing_decision", 3),
        ("leads_to_check", "criminal.filing_decision.leads", 7),
        ("major_complex", "criminal.filing_decision.major", 30),
    ],
)
def test_the_filing_limit_chooses_its_rule(limit: str, code: str, days: int) -> None:
    assert filing_rule(limit) == code
    assert BY_CODE[code].amount == days
    assert code in MEETS[E.FILE_CASE] and code in MEETS[E.REFUSE_TO_FILE]


def test_an_unknown_filing_limit_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown filing limit 'urgent'"):
        filing_rule("urgent")
    facts = CriminalFacts(today=date(2026, 3, 2))
    assert OPENS_BY_FACTS[E.ACKNOWLEDGE_RECEIPT](facts) == (filing_rule(FilingLimit.STANDARD),)


def test_the_attachment_kinds_are_data_with_labels_and_sources() -> None:
    assert [info.kind for info in ATTACHMENT_KINDS] == list(AttachmentKind)
    assert all(info.label and "art. 6" in info.source for info in ATTACHMENT_KINDS)
    optional = {i.kind.value for i in ATTACHMENT_KINDS if i.need is AttachmentNeed.OPTIONAL}
    assert optional == {
        "site_record",
        "photos_video",
        "monitoring_report",
        "identification_opinion",
        "other",
    }
    assert [str(k) for k in attachments_required(False)] == [
        "transfer_letter",
        "investigation_report",
        "seized_items_list",
        "inspection_or_appraisal_report",
    ]
    assert attachments_required(True)[-1] is AttachmentKind.PENALTY_DECISION


@pytest.mark.parametrize(
    ("attached", "penalty_decided", "missing"),
    [
        (ALL_ATTACHMENTS, True, []),
        ({"transfer_letter", "investigation_report", "seized_items_list",
          "inspection_or_appraisal_report"}, False, []),
        ({"transfer_letter", "investigation_report", "seized_items_list",
          "inspection_or_appraisal_report"}, True, ["penalty_decision"]),
        ({"transfer_letter", "photos_video"}, False,
         ["investigation_report", "seized_items_list", "inspection_or_appraisal_report"]),
        (set(), False, ["transfer_letter", "investigation_report", "seized_items_list",
                        "inspection_or_appraisal_report"]),
    ],
)  # fmt: skip
def test_missing_attachments_are_the_required_kinds_not_attached(
    attached: set[str], penalty_decided: bool, missing: list[str]
) -> None:
    assert [str(k) for k in missing_attachments(attached, penalty_decided)] == missing


def test_a_handover_without_attachments_names_the_missing_ones() -> None:
    state = facts(attachments=frozenset({"transfer_letter", "investigation_report"}))
    with pytest.raises(GuardFailed) as info:
        CRIMINAL.next_status(S.APPROVED, E.HAND_OVER, state)
    error = info.value
    assert error.rule == "required_attachments"
    assert error.errors["reason"] == ["The transfer lacks required attachments: {missing}."]
    # The missing kinds as msgids (translated and joined at the edge) and, for clients, codes.
    assert error.params["missing"] == (
        "List of seized items",
        "Related inspection reports or appraisal conclusions",
        "Penalty decision",
    )
    assert error.errors["missing"] == [
        "seized_items_list",
        "inspection_or_appraisal_report",
        "penalty_decision",
    ]
    [failure] = CRIMINAL.failures(S.APPROVED, E.HAND_OVER, state)
    assert isinstance(failure, DetailedGuardFailure)
    assert failure.params["missing"] == error.params["missing"]


# -- guards ------------------------------------------------------------------------------------

_COUNTS_2 = {"return_for_supplementary": 2}

# (rule, source status, event, changes that break the rule, changes under which it holds)
GUARD_CASES = [
    (CriminalRule.REPORT_BY_TWO_OFFICERS, S.REPORTED, E.APPROVE_TRANSFER,
     {"report_officer_count": 1}, {"report_officer_count": 2}),
    (CriminalRule.REPORT_BY_TWO_OFFICERS, S.REPORTED, E.APPROVE_TRANSFER,
     {"report_officer_count": 0}, {"report_officer_count": 5}),
    (CriminalRule.REQUIRED_ATTACHMENTS, S.APPROVED, E.HAND_OVER,
     {"attachments": ALL_ATTACHMENTS - {"penalty_decision"}},
     {"attachments": ALL_ATTACHMENTS - {"penalty_decision"}, "penalty_decided": False}),
    (CriminalRule.REQUIRED_ATTACHMENTS, S.APPROVED, E.HAND_OVER,
     {"attachments": frozenset()},
     {"attachments": frozenset(k.value for k in attachments_required(True))}),
    (CriminalRule.FILING_LIMIT_KNOWN, S.HANDED_OVER, E.ACKNOWLEDGE_RECEIPT,
     {"filing_limit": "urgent"}, {"filing_limit": "major_complex"}),
    (CriminalRule.RECONSIDERATION_WINDOW, S.REFUSED, E.REQUEST_RECONSIDERATION,
     {"due": {"criminal.reconsideration_request": TODAY - DAY}},
     {"due": {"criminal.reconsideration_request": TODAY}}),
    (CriminalRule.RECONSIDERATION_WINDOW, S.REFUSED, E.REQUEST_RECONSIDERATION,
     {"due": {}}, {}),
    (CriminalRule.RECONSIDERATION_WINDOW, S.REFUSED, E.REQUEST_RECONSIDERATION,
     {"event_counts": {"request_reconsideration": 1}},
     {"event_counts": {"uphold_refusal": 0, "refuse_to_file": 1}}),
    (CriminalRule.SUPPLEMENTARY_LIMIT, S.PROSECUTION_REVIEW, E.RETURN_FOR_SUPPLEMENTARY,
     {"event_counts": _COUNTS_2}, {"event_counts": {"return_for_supplementary": 1}}),
    (CriminalRule.SUPPLEMENTARY_LIMIT, S.PROSECUTION_REVIEW, E.RETURN_FOR_SUPPLEMENTARY,
     {"event_counts": _COUNTS_2, "max_supplementary_returns": 1},
     {"event_counts": _COUNTS_2, "max_supplementary_returns": 3}),
    (CriminalRule.VERDICT_RECORDED, S.TRIAL_1, E.JUDGE_FIRST_INSTANCE,
     {"verdict": None}, {"verdict": "exempted"}),
    (CriminalRule.VERDICT_RECORDED, S.TRIAL_2, E.JUDGE_SECOND_INSTANCE,
     {"verdict": "guilty"}, {"verdict": "acquittal"}),
    (CriminalRule.APPEAL_WINDOW_OPEN, S.APPEAL_WINDOW, E.APPEAL,
     {"due": {"criminal.appeal": TODAY - DAY}}, {"due": {"criminal.appeal": TODAY}}),
    (CriminalRule.APPEAL_WINDOW_OPEN, S.APPEAL_WINDOW, E.APPEAL,
     {"due": {}}, {"due": {"criminal.appeal": TODAY + 9 * DAY}}),
    (CriminalRule.APPEAL_WINDOW_OVER, S.APPEAL_WINDOW, E.BECOME_FINAL,
     {"due": {"criminal.appeal": TODAY}}, {"due": {"criminal.appeal": TODAY - DAY}}),
    (CriminalRule.APPEAL_WINDOW_OVER, S.APPEAL_WINDOW, E.BECOME_FINAL,
     {"due": {}}, {"due": {"criminal.appeal": TODAY - 30 * DAY}}),
    (CriminalRule.CONVICTION_FOR_EXECUTION, S.FINAL, E.START_EXECUTION,
     {"verdict": "acquittal"}, {"verdict": "conviction"}),
    (CriminalRule.CONVICTION_FOR_EXECUTION, S.FINAL, E.START_EXECUTION,
     {"verdict": "exempted"}, {}),
    (CriminalRule.NOTHING_TO_EXECUTE, S.FINAL, E.CLOSE_WITHOUT_EXECUTION,
     {"verdict": "conviction"}, {"verdict": "exempted"}),
    (CriminalRule.NOTHING_TO_EXECUTE, S.FINAL, E.CLOSE_WITHOUT_EXECUTION,
     {"verdict": None}, {"verdict": "acquittal"}),
]  # fmt: skip

BASES = {
    CriminalRule.REPORT_BY_TWO_OFFICERS: (
        "Provisions on the Transfer of Suspected Criminal Cases by Administrative "
        "Law-enforcement Organs (2020) art. 5"
    ),
    CriminalRule.REQUIRED_ATTACHMENTS: (
        "Provisions on the Transfer of Suspected Criminal Cases by Administrative "
        "Law-enforcement Organs (2020) art. 6; Measures for Linking Environmental Administrative"
        " Enforcement and Criminal Justice (2017) art. 6"
    ),
    CriminalRule.FILING_LIMIT_KNOWN: (
        "Measures for Linking Environmental Administrative Enforcement and Criminal Justice "
        "(2017) art. 9; Provisions on the Transfer of Suspected Criminal Cases by Administrative"
        " Law-enforcement Organs (2020) art. 8"
    ),
    CriminalRule.RECONSIDERATION_WINDOW: (
        "Provisions on the Transfer of Suspected Criminal Cases by Administrative "
        "Law-enforcement Organs (2020) art. 9; Measures for Linking Environmental Administrative"
        " Enforcement and Criminal Justice (2017) art. 11"
    ),
    CriminalRule.SUPPLEMENTARY_LIMIT: "Criminal Procedure Law (2018) art. 175",
    CriminalRule.VERDICT_RECORDED: (
        "Criminal Procedure Law (2018) art. 200 [R]; Criminal Law art. 37"
    ),
    CriminalRule.APPEAL_WINDOW_OPEN: "Criminal Procedure Law (2018) art. 230",
    CriminalRule.APPEAL_WINDOW_OVER: (
        "Criminal Procedure Law (2018) art. 230; Criminal Procedure Law (2018) art. 259 [R]"
    ),
    CriminalRule.CONVICTION_FOR_EXECUTION: "Criminal Procedure Law (2018) art. 259, 264 [R]",
    CriminalRule.NOTHING_TO_EXECUTE: (
        "Criminal Procedure Law (2018) art. 260 [R]; Criminal Law art. 37"
    ),
}

_CASE_IDS = [f"{rule}-{event}-{i}" for i, (rule, _s, event, _b, _h) in enumerate(GUARD_CASES)]


@pytest.mark.parametrize(
    ("rule", "status", "event", "breaking", "holding"), GUARD_CASES, ids=_CASE_IDS
)
def test_a_broken_rule_refuses_the_event_naming_rule_and_basis(
    rule: CriminalRule,
    status: CriminalStatus,
    event: CriminalEvent,
    breaking: dict[str, Any],
    holding: dict[str, Any],
) -> None:
    state = replace(facts_for(event), **breaking)
    with pytest.raises(GuardFailed) as info:
        CRIMINAL.next_status(status, event, state)
    error = info.value
    assert (error.status, error.code, error.rule) == (409, "guard_failed", rule)
    assert [basis_text(b) for b in error.errors["basis"]] == [BASES[rule]]
    assert error.errors["ways_forward"], "a refusal must name a way forward"
    title, basis = RULES[rule]
    assert error.message.startswith(f"{title} ({basis_text(basis)}): ")
    assert event not in CRIMINAL.allowed_events(status, state)


@pytest.mark.parametrize(
    ("rule", "status", "event", "breaking", "holding"), GUARD_CASES, ids=_CASE_IDS
)
def test_a_rule_that_holds_lets_the_event_through(
    rule: CriminalRule,
    status: CriminalStatus,
    event: CriminalEvent,
    breaking: dict[str, Any],
    holding: dict[str, Any],
) -> None:
    state = replace(facts_for(event), **holding)
    assert CRIMINAL.failures(status, event, state) == []
    assert CRIMINAL.next_status(status, event, state) is TRANSITIONS[(status, event)]


def test_every_rule_and_every_guard_has_cases() -> None:
    assert {case[0] for case in GUARD_CASES} == set(CriminalRule) == set(RULES) == set(BASES)
    assert {case[2] for case in GUARD_CASES} == set(GUARDS)
    for event, guards in GUARDS.items():
        for guard in guards:
            assert any(case[2] is event and guard.__name__ == case[0] for case in GUARD_CASES), (
                f"{guard.__name__} on {event} has no case"
            )
    assert all(title for title, _basis in RULES.values())


def test_the_third_return_for_supplementary_investigation_is_refused_under_art_175() -> None:
    state = facts(event_counts={"return_for_supplementary": 2})
    with pytest.raises(GuardFailed) as info:
        CRIMINAL.next_status(S.PROSECUTION_REVIEW, E.RETURN_FOR_SUPPLEMENTARY, state)
    assert info.value.rule == "supplementary_limit"
    assert info.value.basis == (Citation(Law.CRIMINAL_PROCEDURE_LAW, "175"),)
    assert "twice" in info.value.message
    allowed = CRIMINAL.allowed_events(S.PROSECUTION_REVIEW, state)
    assert allowed == [E.INDICT, E.DECIDE_NOT_TO_PROSECUTE]


def test_reconsideration_is_refused_the_day_after_the_third_working_day() -> None:
    refused_on = date(2026, 9, 29)
    due = compute_due(
        BY_CODE["criminal.reconsideration_request"], refused_on, calendar=default_calendar()
    ).due_date
    window = {"criminal.reconsideration_request": due}
    on_time = facts(today=date(2026, 10, 9), due=window)
    late = facts(today=date(2026, 10, 10), due=window)
    assert CRIMINAL.next_status(S.REFUSED, E.REQUEST_RECONSIDERATION, on_time) is S.RECONSIDERATION
    with pytest.raises(GuardFailed, match="3 working days"):
        CRIMINAL.next_status(S.REFUSED, E.REQUEST_RECONSIDERATION, late)
    # Late for reconsideration, the agency may still ask for supervision or accept the refusal.
    assert CRIMINAL.allowed_events(S.REFUSED, late) == [E.REQUEST_SUPERVISION, E.ACCEPT_REFUSAL]


# -- paths, walked through a miniature of the generic service -----------------------------------


Steps = list[tuple[CriminalEvent, dict[str, Any]]]
RECEIVED: Steps = [
    (E.APPROVE_TRANSFER, {}),
    (E.HAND_OVER, {"attachments": sorted(ALL_ATTACHMENTS)}),
    (E.ACKNOWLEDGE_RECEIPT, {}),
]


class Walk:
    """Applies events the way the generic service does: facts from the history, the step data
    and the stored details; REQUIRES checked; deadlines opened, met, cancelled on the clock."""

    def __init__(self, start: date, **computed: Any) -> None:
        self.status = CRIMINAL.initial
        self.today = start
        self.counts: Counter[str] = Counter()
        self.due: dict[str, date] = {}
        self.done: dict[str, date] = {}
        self.cancelled: set[str] = set()
        self.details: dict[str, Any] = {}
        self.computed = {"report_officer_count": 2, **computed}
        for code in OPENS_ON_START:
            self._open(code, start)

    def _open(self, code: str, on: date) -> None:
        rule = BY_CODE[code]
        start: date = datetime.combine(on, time(9)) if rule.unit is Unit.HOUR else on
        self.due[code] = compute_due(rule, start, calendar=default_calendar()).due_date
        self.done.pop(code, None)
        self.cancelled.discard(code)

    def facts(self, data: dict[str, Any]) -> CriminalFacts:
        names = {f.name for f in fields(CriminalFacts)}
        stored = {**self.details, **data}
        values = {k: v for k, v in stored.items() if k in FIELDS and k in names}
        if "attachments" in values:
            values["attachments"] = frozenset(values["attachments"])
        return CriminalFacts(
            today=self.today,
            event_counts=dict(self.counts),
            due=dict(self.due),
            done=dict(self.done),
            **values,
            **self.computed,
        )

    def step(self, event: CriminalEvent, after_days: int = 1, **data: Any) -> CriminalStatus:
        self.today += after_days * DAY
        assert [f for f in REQUIRES[event] if f not in data] == []
        self.status = CRIMINAL.next_status(self.status, event, self.facts(data))
        self.details.update({k: v for k, v in data.items() if k in RECORDS[event]})
        for code in MEETS[event]:
            if code in self.due and code not in self.done and code not in self.cancelled:
                self.done[code] = self.today
        for code in CANCELS.get(event, ()):
            self.cancelled.add(code)
        if event in NOTICE_RULES:
            code, field = NOTICE_RULES[event]
            self._open(code, data.get(field, self.today))
            self.done[code] = self.today
        for code in OPENS[event]:
            self._open(code, self.today)
        if event in OPENS_BY_FACTS:
            limit = self.details.get("filing_limit", "standard")
            for code in OPENS_BY_FACTS[event](CriminalFacts(today=self.today, filing_limit=limit)):
                self._open(code, self.today)
        if event in ENDINGS:
            self.cancelled |= {c for c in self.due if c not in self.done}
        self.counts[event.value] += 1
        return self.status

    def run(self, steps: Steps, after_days: int = 1) -> CriminalStatus:
        for event, data in steps:
            self.step(event, after_days, **data)
        return self.status

    def late(self) -> list[str]:
        """Deadlines breached: met late, early for a waiting period, or still open and past."""
        out = []
        for code, due in self.due.items():
            if code in self.cancelled:
                continue
            done = self.done.get(code)
            if BY_CODE[code].waiting:
                if done is not None and done <= due:
                    out.append(code)
            elif (done or self.today) > due:
                out.append(code)
        return out


def test_the_main_path_runs_from_the_report_to_an_executed_sentence() -> None:
    case = Walk(date(2026, 3, 2), penalty_decided=True)
    attached = sorted(k.value for k in attachments_required(True)) + ["photos_video"]
    assert case.step(E.APPROVE_TRANSFER, 2) is S.APPROVED
    assert case.step(E.HAND_OVER, 1, attachments=attached) is S.HANDED_OVER
    assert case.step(E.ACKNOWLEDGE_RECEIPT, 0, filing_limit="leads_to_check") is S.POLICE_REVIEW
    assert "criminal.filing_decision.leads" in case.due
    assert "criminal.filing_decision" not in case.due
    assert case.step(E.REQUEST_MATERIALS, 1, materials="监测报告原件") is S.MATERIALS_REQUESTED
    assert case.step(E.SUPPLY_MATERIALS, 2) is S.POLICE_REVIEW
    assert case.step(E.FILE_CASE, 3, decided_on=case.today + 2 * DAY) is S.INVESTIGATION
    assert case.step(E.HAND_OVER_SEIZED_ITEMS, 2) is S.INVESTIGATION
    assert case.step(E.REFER_FOR_PROSECUTION, 60) is S.PROSECUTION_REVIEW
    assert case.step(E.RETURN_FOR_SUPPLEMENTARY, 20, reason="补充侦查提纲") is (
        S.SUPPLEMENTARY_INVESTIGATION
    )
    assert case.step(E.RESUBMIT, 25) is S.PROSECUTION_REVIEW
    assert case.step(E.INDICT, 25) is S.INDICTED
    assert case.step(E.ACCEPT_FOR_TRIAL, 5) is S.TRIAL_1
    assert case.step(E.JUDGE_FIRST_INSTANCE, 40, verdict="conviction", fine_cents=5_000_000) is (
        S.APPEAL_WINDOW
    )
    with pytest.raises(GuardFailed, match="not yet run"):
        case.step(E.BECOME_FINAL, 10)
    assert case.step(E.BECOME_FINAL, 1) is S.FINAL
    assert case.step(E.START_EXECUTION, 3) is S.EXECUTION
    assert case.step(E.COMPLETE_EXECUTION, 30) is S.CLOSED
    assert case.late() == []
    assert case.details["verdict"] == "conviction" and case.details["fine_cents"] == 5_000_000
    assert "criminal.filing_notice" in case.done  # notified the day it was decided


def test_a_refusal_goes_through_reconsideration_and_supervision_to_a_filing() -> None:
    case = Walk(date(2026, 3, 2))
    case.step(E.APPROVE_TRANSFER, 1)
    case.step(E.HAND_OVER, 0, attachments=sorted(ALL_ATTACHMENTS))
    case.step(E.ACKNOWLEDGE_RECEIPT, 0)
    assert case.step(E.REFUSE_TO_FILE, 3, reason="不构成犯罪") is S.REFUSED
    assert case.step(E.REQUEST_RECONSIDERATION, 2, reason="数据超标三倍") is S.RECONSIDERATION
    assert case.step(E.UPHOLD_REFUSAL, 2, reason="维持") is S.REFUSED
    with pytest.raises(GuardFailed, match="already reconsidered"):
        case.step(E.REQUEST_RECONSIDERATION, 0, reason="再次")
    assert case.step(E.REQUEST_SUPERVISION, 1, reason="建议监督") is S.SUPERVISION
    assert case.step(E.REQUIRE_EXPLANATION, 2) is S.SUPERVISION
    assert case.step(E.EXPLAIN_REFUSAL, 6, reason="说明") is S.SUPERVISION
    assert case.step(E.ORDER_FILING, 3) is S.FILING_ORDERED
    assert case.step(E.FILE_CASE, 10) is S.INVESTIGATION
    assert "criminal.seized_items" not in case.done  # now owed by the agency
    assert case.step(E.HAND_OVER_SEIZED_ITEMS, 3) is S.INVESTIGATION
    assert case.late() == []


def test_a_reversed_refusal_starts_the_investigation() -> None:
    case = Walk(date(2026, 3, 2))
    case.run(
        [
            *RECEIVED,
            (E.REFUSE_TO_FILE, {"reason": "不构成犯罪"}),
            (E.REQUEST_RECONSIDERATION, {"reason": "复议"}),
        ]
    )
    assert case.step(E.REVERSE_REFUSAL, 1) is S.INVESTIGATION
    assert "criminal.seized_items" in case.due


@pytest.mark.parametrize(
    "ending",
    [
        [(E.DECLINE_TRANSFER, {"reason": "不够刑事立案标准"})],
        [*RECEIVED, (E.REFUSE_TO_FILE, {"reason": "不构成犯罪"}), (E.ACCEPT_REFUSAL, {})],
        [*RECEIVED, (E.REFUSE_TO_FILE, {"reason": "不构成犯罪"}),
         (E.REQUEST_SUPERVISION, {"reason": "监督"}), (E.SUPPORT_REFUSAL, {"reason": "成立"})],
        [*RECEIVED, (E.FILE_CASE, {}), (E.WITHDRAW_CASE, {"reason": "撤案"})],
        [*RECEIVED, (E.FILE_CASE, {}), (E.HAND_OVER_SEIZED_ITEMS, {}),
         (E.REFER_FOR_PROSECUTION, {}), (E.DECIDE_NOT_TO_PROSECUTE, {"reason": "情节轻微"}),
         (E.RETURN_TO_AGENCY, {"opinion": "建议给予行政处罚"})],
    ],
    ids=["declined", "refusal-accepted", "supervision-upheld", "withdrawn", "not-prosecuted"],
)  # fmt: skip
def test_every_way_out_of_criminal_liability_returns_the_case_and_closes_it(
    ending: Steps,
) -> None:
    case = Walk(date(2026, 3, 2))
    assert case.run(ending) in (S.RETURNED, S.TRANSFER_DECLINED)
    assert case.step(E.CLOSE) is S.CLOSED
    assert case.late() == []
    assert all(code in case.done or code in case.cancelled for code in case.due)


def test_the_procuratorate_can_advise_a_declined_transfer() -> None:
    case = Walk(date(2026, 3, 2))
    case.step(E.DECLINE_TRANSFER, 1, reason="不够立案标准")
    assert case.step(E.ADVISE_TRANSFER, 10, reason="检察建议移送") is S.APPROVED
    assert "criminal.transfer_on_advice" in case.due
    case.step(E.HAND_OVER, 3, attachments=sorted(ALL_ATTACHMENTS))
    assert case.done["criminal.transfer_on_advice"] == case.today
    assert case.late() == []


def test_only_two_returns_for_supplementary_investigation() -> None:
    case = Walk(date(2026, 3, 2))
    case.run([*RECEIVED, (E.FILE_CASE, {}), (E.REFER_FOR_PROSECUTION, {})])
    for _ in range(2):
        case.step(E.RETURN_FOR_SUPPLEMENTARY, 10, reason="补充侦查")
        assert case.step(E.RESUBMIT, 20) is S.PROSECUTION_REVIEW
    with pytest.raises(GuardFailed) as info:
        case.step(E.RETURN_FOR_SUPPLEMENTARY, 10, reason="第三次")
    assert basis_text(info.value.basis) == "Criminal Procedure Law (2018) art. 175"
    assert case.step(E.DECIDE_NOT_TO_PROSECUTE, 0, reason="证据不足") is S.NOT_PROSECUTED


def _to_judgment(case: Walk, verdict: str) -> None:
    case.run(
        [
            *RECEIVED,
            (E.FILE_CASE, {}),
            (E.HAND_OVER_SEIZED_ITEMS, {}),
            (E.REFER_FOR_PROSECUTION, {}),
            (E.INDICT, {}),
            (E.ACCEPT_FOR_TRIAL, {}),
            (E.JUDGE_FIRST_INSTANCE, {"verdict": verdict}),
        ]
    )


def test_an_appeal_leads_to_a_final_second_instance_judgment() -> None:
    case = Walk(date(2026, 3, 2))
    _to_judgment(case, "conviction")
    assert case.step(E.APPEAL, 10) is S.TRIAL_2
    assert "criminal.appeal" in case.cancelled
    assert case.step(E.REMAND, 30, reason="事实不清") is S.TRIAL_1
    assert case.step(E.JUDGE_FIRST_INSTANCE, 30, verdict="exempted") is S.APPEAL_WINDOW
    assert "criminal.appeal" not in case.cancelled  # a new judgment, a new window
    assert case.step(E.APPEAL, 3) is S.TRIAL_2
    assert case.step(E.JUDGE_SECOND_INSTANCE, 40, verdict="exempted") is S.FINAL
    with pytest.raises(GuardFailed, match="Only a final conviction"):
        case.step(E.START_EXECUTION, 1)
    assert case.step(E.CLOSE_WITHOUT_EXECUTION, 0) is S.CLOSED
    assert case.late() == []


def test_an_appeal_after_the_window_is_refused() -> None:
    case = Walk(date(2026, 3, 2))
    _to_judgment(case, "acquittal")  # judged Wednesday 2026-03-11
    assert case.due["criminal.appeal"] == date(2026, 3, 23)  # day 10 is a Saturday: rolled
    with pytest.raises(GuardFailed, match="10-day period"):
        case.step(E.APPEAL, 13)
    assert CRIMINAL.allowed_events(case.status, case.facts({})) == [E.BECOME_FINAL]
    assert case.step(E.BECOME_FINAL, 0) is S.FINAL
    with pytest.raises(GuardFailed) as info:
        case.step(E.START_EXECUTION, 1)
    assert info.value.rule == "conviction_for_execution"
    assert case.step(E.CLOSE_WITHOUT_EXECUTION, 0) is S.CLOSED


def test_a_late_handover_stays_visible_as_a_breach() -> None:
    case = Walk(date(2026, 3, 2))
    case.step(E.APPROVE_TRANSFER, 1)
    case.step(E.HAND_OVER, 3, attachments=sorted(ALL_ATTACHMENTS))
    assert case.late() == ["criminal.handover"]


def test_the_verdict_values_are_the_ones_the_guards_read() -> None:
    assert {str(v) for v in Verdict} == {"conviction", "acquittal", "exempted"}
    assert set(FilingLimit) == set(FILING_RULES)


def test_the_filing_limit_chosen_on_receipt_decides_whether_the_police_were_late() -> None:
    for limit, late in [("standard", ["criminal.filing_decision"]), ("leads_to_check", [])]:
        case = Walk(date(2026, 3, 2))
        case.run([RECEIVED[0], RECEIVED[1], (E.ACKNOWLEDGE_RECEIPT, {"filing_limit": limit})])
        case.step(E.FILE_CASE, 5)
        assert case.late() == late
