"""The administrative penalty lifecycle, table-driven: every transition, illegal pair and guard."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest

from casemgr.exceptions import GuardFailed, IllegalTransition
from casemgr.legalbasis import Citation, Law, basis_text
from casemgr.lifecycles.administrative import (
    ADMINISTRATIVE,
    GUARDS,
    HEARING_THRESHOLDS,
    PENALTY_TYPES,
    RULES,
    TRANSITIONS,
    AdminEvent,
    AdminFacts,
    AdminRule,
    AdminStatus,
    HearingThreshold,
    PenaltyType,
    decision_overdue,
    hearing_eligible,
)

S, E = AdminStatus, AdminEvent
TODAY = date(2026, 6, 1)
DAY = timedelta(days=1)

# Facts under which every guard holds (a citizen fined 150 CNY, within every limit).
PERMISSIVE = AdminFacts(
    today=TODAY,
    investigation_officer_counts=(2, 3),
    notice_served=True,
    reply_period_ends=TODAY - DAY,
    defence_received=True,
    hearing_eligible=True,
    hearing_requested=True,
    hearing_held_or_waived=True,
    art58_conditions=frozenset({"complex"}),
    legal_review_passed=True,
    collective_discussion_required=True,
    collective_discussion_done=True,
    proposed_penalty_types=frozenset({"fine"}),
    proposed_fine_cents=150_00,
    penalty_types=frozenset({"fine"}),
    final_fine_cents=150_00,
    fines_per_act={"act-1": 1},
    has_correction_order=True,
    decision_due=TODAY + 10 * DAY,
    reminder_period_ends=TODAY - DAY,
    court_application_opens=TODAY - DAY,
    court_application_closes=TODAY + 30 * DAY,
)


def facts(**changes: Any) -> AdminFacts:
    return replace(PERMISSIVE, **changes)


# -- the table ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "event", "target"),
    [pytest.param(s, e, t, id=f"{s}-{e}") for (s, e), t in TRANSITIONS.items()],
)
def test_every_transition_leads_to_its_declared_status(
    source: AdminStatus, event: AdminEvent, target: AdminStatus
) -> None:
    assert ADMINISTRATIVE.next_status(source, event, PERMISSIVE) is target
    assert event in ADMINISTRATIVE.allowed_events(source, PERMISSIVE)


ILLEGAL = [(s, e) for s in AdminStatus for e in AdminEvent if (s, e) not in TRANSITIONS]


@pytest.mark.parametrize(
    ("status", "event"), [pytest.param(s, e, id=f"{s}-{e}") for s, e in ILLEGAL]
)
def test_every_pair_outside_the_table_is_illegal_and_names_the_possible_events(
    status: AdminStatus, event: AdminEvent
) -> None:
    expected = [str(e) for e in AdminEvent if (status, e) in TRANSITIONS]
    with pytest.raises(IllegalTransition) as info:
        ADMINISTRATIVE.next_status(status, event, PERMISSIVE)
    error = info.value
    assert (error.status, error.code) == (409, "illegal_transition")
    assert error.allowed == expected
    assert f"Event '{event}' is not allowed while the case is '{status}'" in error.message
    assert error.message.endswith(f"{', '.join(expected) or '—'}.")


def test_the_table_covers_the_domain_states_and_is_valid() -> None:
    assert ADMINISTRATIVE.initial is S.LEAD
    assert ADMINISTRATIVE.terminal == {S.ARCHIVED}
    assert set(ADMINISTRATIVE.labels) == set(AdminStatus)
    assert len(ILLEGAL) + len(TRANSITIONS) == len(AdminStatus) * len(AdminEvent)
    ADMINISTRATIVE.validate()


def test_mermaid_contains_every_transition() -> None:
    lines = ADMINISTRATIVE.to_mermaid().splitlines()
    for (source, event), target in TRANSITIONS.items():
        assert f"    {source} --> {target} : {event}" in lines
    assert "    [*] --> lead" in lines
    assert "    archived --> [*]" in lines
    side = next(line for line in lines if line.endswith(" side") and "class " in line)
    assert "transferred_criminal" in side and "suspended" in side


def _walk(start: AdminStatus, events: list[AdminEvent], state: AdminFacts) -> AdminStatus:
    status = start
    for event in events:
        status = ADMINISTRATIVE.next_status(status, event, state)
    return status


def test_the_general_procedure_runs_from_lead_to_archive() -> None:
    path = [
        E.FILE,
        E.START_INVESTIGATION,
        E.CONCLUDE_INVESTIGATION,
        E.NOTIFY,
        E.REQUEST_HEARING,
        E.CONCLUDE_HEARING,
        E.REQUEST_LEGAL_REVIEW,
        E.PASS_LEGAL_REVIEW,
        E.REFER_COLLECTIVE_DISCUSSION,
        E.CONCLUDE_COLLECTIVE_DISCUSSION,
        E.DECIDE,
        E.SERVE,
        E.START_ENFORCEMENT,
        E.SEND_REMINDER,
        E.APPLY_COURT_ENFORCEMENT,
        E.RECORD_PERFORMANCE,
        E.ARCHIVE,
    ]
    assert _walk(S.LEAD, path, PERMISSIVE) is S.ARCHIVED


def test_the_simple_procedure_runs_from_lead_to_archive() -> None:
    path = [E.PENALISE_ON_THE_SPOT, E.REPORT_ON_THE_SPOT, E.RECORD_PERFORMANCE, E.ARCHIVE]
    assert _walk(S.LEAD, path, PERMISSIVE) is S.ARCHIVED


def test_a_criminal_transfer_keeps_the_administrative_case_open() -> None:
    """§2.1, §7: the case waits for the judicial organs and comes back for a decision."""
    transferred = ADMINISTRATIVE.next_status(S.REVIEW, E.TRANSFER_CRIMINAL, PERMISSIVE)
    assert transferred is S.TRANSFERRED_CRIMINAL
    assert transferred not in ADMINISTRATIVE.terminal
    with pytest.raises(IllegalTransition):
        ADMINISTRATIVE.next_status(transferred, E.DECIDE, PERMISSIVE)
    assert ADMINISTRATIVE.events_from(transferred) == [
        E.RETURNED_BY_JUDICIAL_ORGANS,
        E.CRIMINAL_CASE_CONCLUDED,
    ]
    back = ADMINISTRATIVE.next_status(transferred, E.RETURNED_BY_JUDICIAL_ORGANS, PERMISSIVE)
    assert ADMINISTRATIVE.next_status(back, E.DECIDE, PERMISSIVE) is S.DECIDED


# -- guards ------------------------------------------------------------------------------------

# (rule, source status, event, changes that break the rule, changes under which it holds)
GUARD_CASES = [
    (AdminRule.TWO_OFFICERS, S.INVESTIGATING, E.CONCLUDE_INVESTIGATION,
     {"investigation_officer_counts": (2, 1)}, {"investigation_officer_counts": (2,)}),
    (AdminRule.TWO_OFFICERS, S.INVESTIGATING, E.CONCLUDE_INVESTIGATION,
     {"investigation_officer_counts": ()}, {"investigation_officer_counts": (4, 2)}),
    (AdminRule.TWO_OFFICERS, S.REVIEW, E.DECIDE,
     {"investigation_officer_counts": (1,)}, {}),
    (AdminRule.TWO_OFFICERS, S.LEAD, E.PENALISE_ON_THE_SPOT,
     {"investigation_officer_counts": (1,)}, {}),
    (AdminRule.SIMPLE_PROCEDURE_LIMITS, S.LEAD, E.PENALISE_ON_THE_SPOT,
     {"final_fine_cents": 200_01}, {"final_fine_cents": 200_00}),
    (AdminRule.SIMPLE_PROCEDURE_LIMITS, S.LEAD, E.PENALISE_ON_THE_SPOT,
     {"party_is_organisation": True, "final_fine_cents": 3_000_01},
     {"party_is_organisation": True, "final_fine_cents": 3_000_00}),
    (AdminRule.SIMPLE_PROCEDURE_LIMITS, S.LEAD, E.PENALISE_ON_THE_SPOT,
     {"penalty_types": frozenset({"fine", "revoke_permit"})},
     {"penalty_types": frozenset({"warning"}), "final_fine_cents": None}),
    (AdminRule.SIMPLE_PROCEDURE_LIMITS, S.LEAD, E.PENALISE_ON_THE_SPOT,
     {"penalty_types": frozenset()}, {"penalty_types": frozenset({"warning", "fine"})}),
    (AdminRule.REPLY_PERIOD, S.NOTIFIED, E.END_REPLY_PERIOD,
     {"reply_period_ends": TODAY}, {"reply_period_ends": TODAY, "rights_waived_in_writing": True}),
    (AdminRule.REPLY_PERIOD, S.NOTIFIED, E.END_REPLY_PERIOD,
     {"reply_period_ends": None}, {"reply_period_ends": TODAY - DAY}),
    (AdminRule.HEARING_ELIGIBILITY, S.NOTIFIED, E.REQUEST_HEARING,
     {"hearing_eligible": False}, {"hearing_eligible": True}),
    (AdminRule.HEARING_ELIGIBILITY, S.STATEMENT_DEFENCE, E.REQUEST_HEARING,
     {"hearing_eligible": False}, {}),
    (AdminRule.NOTICE_BEFORE_DECISION, S.REVIEW, E.DECIDE,
     {"notice_served": False}, {"notice_served": False, "rights_waived_in_writing": True}),
    (AdminRule.HEARING_BEFORE_DECISION, S.REVIEW, E.DECIDE,
     {"hearing_held_or_waived": False},
     {"hearing_requested": False, "hearing_held_or_waived": False}),
    (AdminRule.LEGAL_REVIEW, S.REVIEW, E.DECIDE,
     {"legal_review_passed": False},
     {"art58_conditions": frozenset(), "legal_review_passed": False}),
    (AdminRule.LEGAL_REVIEW, S.REVIEW, E.DECIDE_NO_PENALTY_MINOR,
     {"legal_review_passed": False}, {}),
    (AdminRule.LEGAL_REVIEW, S.REVIEW, E.DECIDE_NO_PENALTY_UNFOUNDED,
     {"art58_conditions": frozenset({"major_public_interest"}), "legal_review_passed": False}, {}),
    (AdminRule.COLLECTIVE_DISCUSSION, S.REVIEW, E.DECIDE,
     {"collective_discussion_done": False},
     {"collective_discussion_required": False, "collective_discussion_done": False}),
    (AdminRule.NO_INCREASE_AFTER_NOTICE, S.REVIEW, E.DECIDE,
     {"final_fine_cents": 150_01}, {"final_fine_cents": 100_00}),
    (AdminRule.NO_INCREASE_AFTER_NOTICE, S.REVIEW, E.DECIDE,
     {"penalty_types": frozenset({"fine", "suspend_permit"})},
     {"penalty_types": frozenset({"fine", "suspend_permit"}),
      "proposed_penalty_types": frozenset({"fine", "suspend_permit"})}),
    (AdminRule.ONE_FINE_PER_ACT, S.REVIEW, E.DECIDE,
     {"fines_per_act": {"act-1": 1, "act-2": 2}}, {"fines_per_act": {"act-1": 1, "act-2": 1}}),
    (AdminRule.CORRECTION_ORDER, S.REVIEW, E.DECIDE,
     {"has_correction_order": False}, {"has_correction_order": True}),
    (AdminRule.CORRECTION_ORDER, S.LEAD, E.PENALISE_ON_THE_SPOT,
     {"has_correction_order": False}, {}),
    (AdminRule.DECISION_TIME_LIMIT, S.REVIEW, E.DECIDE,
     {"decision_due": TODAY - DAY}, {"decision_due": TODAY}),
    (AdminRule.DECISION_TIME_LIMIT, S.REVIEW, E.DECIDE,
     {"decision_due": None}, {}),
    (AdminRule.DECISION_TIME_LIMIT, S.REVIEW, E.DECIDE_NO_PENALTY_MINOR,
     {"decision_due": TODAY - DAY}, {}),
    (AdminRule.DECISION_TIME_LIMIT, S.REVIEW, E.DECIDE_NO_PENALTY_UNFOUNDED,
     {"decision_due": TODAY - DAY}, {}),
    (AdminRule.REMINDER_BEFORE_COURT, S.ENFORCING, E.APPLY_COURT_ENFORCEMENT,
     {"reminder_period_ends": TODAY}, {"reminder_period_ends": TODAY - DAY}),
    (AdminRule.REMINDER_BEFORE_COURT, S.ENFORCING, E.APPLY_COURT_ENFORCEMENT,
     {"reminder_period_ends": None}, {}),
    (AdminRule.COURT_APPLICATION_WINDOW, S.ENFORCING, E.APPLY_COURT_ENFORCEMENT,
     {"court_application_opens": TODAY + DAY}, {"court_application_opens": TODAY}),
    (AdminRule.COURT_APPLICATION_WINDOW, S.ENFORCING, E.APPLY_COURT_ENFORCEMENT,
     {"court_application_closes": TODAY - DAY}, {"court_application_closes": TODAY}),
    (AdminRule.COURT_APPLICATION_WINDOW, S.ENFORCING, E.APPLY_COURT_ENFORCEMENT,
     {"court_application_opens": None}, {}),
]  # fmt: skip

BASES = {
    AdminRule.TWO_OFFICERS: "Administrative Penalty Law (2021) art. 42, 55",
    AdminRule.SIMPLE_PROCEDURE_LIMITS: "Administrative Penalty Law (2021) art. 51",
    AdminRule.REPLY_PERIOD: "Administrative Penalty Law (2021) art. 44, 45",
    AdminRule.HEARING_ELIGIBILITY: (
        "Administrative Penalty Law (2021) art. 63; Measures for Eco-environmental "
        "Administrative Penalties (2023) art. 46, 89"
    ),
    AdminRule.NOTICE_BEFORE_DECISION: "Administrative Penalty Law (2021) art. 44, 62",
    AdminRule.HEARING_BEFORE_DECISION: (
        "Administrative Penalty Law (2021) art. 63–65; Measures for Eco-environmental "
        "Administrative Penalties (2023) art. 46"
    ),
    AdminRule.LEGAL_REVIEW: "Administrative Penalty Law (2021) art. 58",
    AdminRule.COLLECTIVE_DISCUSSION: "Administrative Penalty Law (2021) art. 57",
    AdminRule.NO_INCREASE_AFTER_NOTICE: "Administrative Penalty Law (2021) art. 45",
    AdminRule.ONE_FINE_PER_ACT: "Administrative Penalty Law (2021) art. 29",
    AdminRule.CORRECTION_ORDER: "Administrative Penalty Law (2021) art. 28",
    AdminRule.DECISION_TIME_LIMIT: (
        "Administrative Penalty Law (2021) art. 60; Measures for Eco-environmental "
        "Administrative Penalties (2023) art. 57"
    ),
    AdminRule.REMINDER_BEFORE_COURT: "Administrative Coercion Law art. 54",
    AdminRule.COURT_APPLICATION_WINDOW: (
        "Administrative Coercion Law art. 53; SPC Interpretation of the Administrative "
        "Litigation Law (2018) art. 156"
    ),
}

_CASE_IDS = [f"{rule}-{event}-{i}" for i, (rule, _s, event, _f, _p) in enumerate(GUARD_CASES)]


@pytest.mark.parametrize(
    ("rule", "status", "event", "breaking", "holding"), GUARD_CASES, ids=_CASE_IDS
)
def test_a_broken_rule_refuses_the_event_naming_rule_and_basis(
    rule: AdminRule,
    status: AdminStatus,
    event: AdminEvent,
    breaking: dict[str, Any],
    holding: dict[str, Any],
) -> None:
    with pytest.raises(GuardFailed) as info:
        ADMINISTRATIVE.next_status(status, event, facts(**breaking))
    error = info.value
    assert (error.status, error.code, error.rule) == (409, "guard_failed", rule)
    assert error.errors["rule"] == [rule]
    assert [basis_text(b) for b in error.errors["basis"]] == [BASES[rule]]
    assert error.errors["ways_forward"], "a refusal must name a way forward"
    title, basis = RULES[rule]
    assert error.message.startswith(f"{title} ({basis_text(basis)}): ")
    assert event not in ADMINISTRATIVE.allowed_events(status, facts(**breaking))


@pytest.mark.parametrize(
    ("rule", "status", "event", "breaking", "holding"), GUARD_CASES, ids=_CASE_IDS
)
def test_a_rule_that_holds_lets_the_event_through(
    rule: AdminRule,
    status: AdminStatus,
    event: AdminEvent,
    breaking: dict[str, Any],
    holding: dict[str, Any],
) -> None:
    assert ADMINISTRATIVE.failures(status, event, facts(**holding)) == []
    assert (
        ADMINISTRATIVE.next_status(status, event, facts(**holding)) is TRANSITIONS[(status, event)]
    )


def test_every_rule_and_every_guarded_event_has_cases() -> None:
    assert {case[0] for case in GUARD_CASES} == set(AdminRule) == set(RULES) == set(BASES)
    assert {case[2] for case in GUARD_CASES} == set(GUARDS)
    for event, guards in GUARDS.items():
        for guard in guards:
            assert any(case[2] is event and guard.__name__ == case[0] for case in GUARD_CASES), (
                f"{guard.__name__} on {event} has no case"
            )


def test_allowed_events_drop_the_guarded_ones() -> None:
    unreviewed = facts(legal_review_passed=False)
    allowed = ADMINISTRATIVE.allowed_events(S.REVIEW, unreviewed)
    assert E.REQUEST_LEGAL_REVIEW in allowed
    assert not {E.DECIDE, E.DECIDE_NO_PENALTY_MINOR, E.DECIDE_NO_PENALTY_UNFOUNDED} & set(allowed)
    assert ADMINISTRATIVE.allowed_events(S.REVIEW, PERMISSIVE) == ADMINISTRATIVE.events_from(
        S.REVIEW
    )
    failing = ADMINISTRATIVE.failures(
        S.REVIEW, E.DECIDE, facts(notice_served=False, decision_due=None)
    )
    assert [f.rule for f in failing] == [
        AdminRule.NOTICE_BEFORE_DECISION,
        AdminRule.DECISION_TIME_LIMIT,
    ]


# -- the 90-day decision limit (行政处罚法 art. 60) ---------------------------------------------

FILED_ON = date(2026, 3, 2)


def _deciding(day: int, due_after: int, **changes: Any) -> AdminFacts:
    return facts(today=FILED_ON + day * DAY, decision_due=FILED_ON + due_after * DAY, **changes)


def test_a_decision_91_days_after_filing_is_refused_naming_the_90_day_rule() -> None:
    with pytest.raises(GuardFailed) as info:
        ADMINISTRATIVE.next_status(S.REVIEW, E.DECIDE, _deciding(91, 90))
    error = info.value
    assert error.status == 409
    assert error.errors["rule"] == ["decision_time_limit"]
    assert error.errors["basis"] == [
        (Citation(Law.ADMIN_PENALTY_LAW, "60"), Citation(Law.ECO_PENALTY_MEASURES, "57"))
    ]
    assert "90-day" in error.message
    assert error.ways_forward == [
        "Approve a 30-day extension (head's approval) before the limit passes.",
        "Approve a second extension of up to 30 days by collective discussion.",
        "Record the clock stops (hearing, public notice, monitoring, appraisal, service).",
        "A bureau head records the decision with a stated reason for the delay.",
    ]


def test_a_decision_on_day_90_is_in_time() -> None:
    assert ADMINISTRATIVE.next_status(S.REVIEW, E.DECIDE, _deciding(90, 90)) is S.DECIDED


def test_a_decision_within_an_approved_30_day_extension_is_accepted() -> None:
    state = _deciding(91, 120)
    assert ADMINISTRATIVE.next_status(S.REVIEW, E.DECIDE, state) is S.DECIDED
    assert not decision_overdue(state)


def test_a_bureau_head_may_record_an_overdue_decision_with_a_reason_and_the_breach_shows() -> None:
    state = _deciding(91, 90, actor_is_bureau_head=True, overdue_reason="鉴定机构延迟出具报告")
    assert ADMINISTRATIVE.next_status(S.REVIEW, E.DECIDE, state) is S.DECIDED
    assert decision_overdue(state)


@pytest.mark.parametrize(
    ("head", "reason", "message"),
    [
        (False, "鉴定机构延迟出具报告", "only a bureau head may record an overdue decision"),
        (True, None, "90-day decision limit"),
        (True, "   ", "90-day decision limit"),
        (False, None, "90-day decision limit"),
    ],
)
def test_an_overdue_decision_needs_both_a_bureau_head_and_a_reason(
    head: bool, reason: str | None, message: str
) -> None:
    state = _deciding(91, 90, actor_is_bureau_head=head, overdue_reason=reason)
    with pytest.raises(GuardFailed) as info:
        ADMINISTRATIVE.next_status(S.REVIEW, E.DECIDE, state)
    assert info.value.rule == "decision_time_limit"
    assert message in info.value.message


# -- hearing eligibility (听证) -----------------------------------------------------------------

ORG, CITIZEN = True, False


@pytest.mark.parametrize(
    ("types", "fine", "organisation", "on", "eligible"),
    [
        ({"fine"}, 50_000_00, ORG, date(2023, 6, 30), True),  # 2010 rule, inclusive
        ({"fine"}, 49_999_99, ORG, date(2023, 6, 30), False),
        ({"fine"}, 50_000_00, ORG, date(2023, 7, 1), False),  # 2023 measures in force
        ({"fine"}, 199_999_99, ORG, date(2023, 7, 1), False),
        ({"fine"}, 200_000_00, ORG, date(2023, 7, 1), True),
        ({"fine"}, 5_000_00, CITIZEN, date(2023, 6, 30), True),
        ({"fine"}, 4_999_99, CITIZEN, date(2023, 6, 30), False),
        ({"fine"}, 5_000_00, CITIZEN, date(2026, 1, 5), True),
        ({"fine"}, 4_999_99, CITIZEN, date(2026, 1, 5), False),
        ({"fine"}, None, ORG, date(2026, 1, 5), False),
        ({"warning"}, None, CITIZEN, date(2026, 1, 5), False),
        ({"warning", "fine"}, 300_000_00, ORG, date(2026, 1, 5), True),
        ({"suspend_permit", "fine"}, 100_00, ORG, date(2026, 1, 5), False),
        ({"revoke_permit"}, None, CITIZEN, date(2026, 1, 5), True),
        ({"lower_qualification"}, None, ORG, date(2010, 1, 1), True),
        ({"order_suspension"}, 0, ORG, date(2026, 1, 5), True),
        ({"order_closure"}, 0, ORG, date(2026, 1, 5), True),
        ({"restrict_employment"}, 0, CITIZEN, date(2026, 1, 5), True),
        ({"ban_employment"}, 0, CITIZEN, date(2026, 1, 5), True),
        ({"bar_permit_applications"}, 0, ORG, date(2026, 1, 5), True),
        ({"suspension_for_rectification"}, 0, ORG, date(2026, 1, 5), True),
        ({"restrict_production"}, 0, ORG, date(2026, 1, 5), False),
        ({"order_demolition"}, 0, ORG, date(2026, 1, 5), False),
        ({"confiscate_gains"}, None, ORG, date(2026, 1, 5), True),  # value unknown
    ],
)
def test_hearing_eligibility_follows_the_thresholds_in_force(
    types: set[str], fine: int | None, organisation: bool, on: date, eligible: bool
) -> None:
    assert hearing_eligible(types, fine, organisation, on) is eligible


def test_a_confiscation_counts_from_the_same_threshold() -> None:
    on = date(2026, 1, 5)
    assert not hearing_eligible({"confiscate_property"}, None, ORG, on, confiscated_cents=1_00)
    assert hearing_eligible({"confiscate_property"}, None, ORG, on, confiscated_cents=200_000_00)


def test_the_threshold_can_be_configured_as_exclusive() -> None:
    exclusive = (replace(HEARING_THRESHOLDS[-1], inclusive=False),)
    on = date(2026, 1, 5)
    assert not hearing_eligible({"fine"}, 200_000_00, ORG, on, exclusive)
    assert hearing_eligible({"fine"}, 200_000_01, ORG, on, exclusive)


def test_a_local_threshold_with_a_later_date_takes_over() -> None:
    local = HearingThreshold(date(2026, 1, 1), 100_000_00, 10_000_00, True, "local regulation")
    thresholds = (*HEARING_THRESHOLDS, local)
    assert hearing_eligible({"fine"}, 100_000_00, ORG, date(2026, 1, 1), thresholds)
    assert not hearing_eligible({"fine"}, 100_000_00, ORG, date(2025, 12, 31), thresholds)


def test_hearing_eligibility_rejects_unknown_types_and_dates_without_a_threshold() -> None:
    with pytest.raises(ValueError, match="unknown penalty type"):
        hearing_eligible({"flogging"}, None, ORG, date(2026, 1, 5))
    with pytest.raises(ValueError, match="no hearing threshold"):
        hearing_eligible({"fine"}, 1_00, ORG, date(2020, 1, 1), HEARING_THRESHOLDS[1:])


def test_the_thresholds_carry_dates_and_sources() -> None:
    assert [t.effective_from for t in HEARING_THRESHOLDS] == sorted(
        t.effective_from for t in HEARING_THRESHOLDS
    )
    assert HEARING_THRESHOLDS[-1].effective_from == date(2023, 7, 1)
    assert all(t.source for t in HEARING_THRESHOLDS)


def test_every_penalty_type_is_listed_once_with_label_and_basis() -> None:
    assert [p.value for p in PENALTY_TYPES] == list(PenaltyType)
    assert all(p.label and p.basis for p in PENALTY_TYPES)
