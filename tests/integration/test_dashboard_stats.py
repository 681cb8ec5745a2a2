"""Dashboard statistics: exact counts and sums from rows created here, scoped like the lists."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from casemgr.exceptions import InvalidInput, OutsideJurisdiction
from casemgr.models import AuditAction, AuditEntry, CreditScore, ScoreReason, Violation
from casemgr.models.cases import Case, Channel, Deadline, DeadlineStateValue
from casemgr.models.penalties import Payment, PaymentKind
from casemgr.models.violations import ViolationOrigin
from casemgr.policy import Actor, Role
from casemgr.repositories import credit_current
from casemgr.services import dashboard_stats as stats
from casemgr.services.dashboard_stats import (
    CaseCount,
    DashboardFilter,
    MoneyCount,
    OverdueCount,
    Scope,
    TierCount,
)
from tests.factories import EnterpriseFactory

SCHEME = "guizhou-2019@1"
TODAY = date(2026, 3, 20)
EVERYWHERE = Scope(None)
RENHUAI = "520382"  # 仁怀市, prefecture 遵义市 (5203)
NANMING = "520102"  # 南明区, prefecture 贵阳市 (5201)


@pytest.fixture(autouse=True)
def _fresh_past_tier_counts():
    """Past days' tier counts are kept per process; ids restart between tests."""
    stats.clear_tier_cache()


# -- rows, written directly: each test states exactly what exists ----------------------------


def make_case(
    session,
    county: str,
    *,
    channel: Channel = Channel.ADMINISTRATIVE,
    track: str = "administrative",
    status: str = "filed",
    lead: date = date(2026, 1, 5),
    decided_on: date | None = None,
    fine_cents: int | None = None,
    procuratorate: str | None = None,
) -> Case:
    violation = Violation(
        found_at=datetime(lead.year, lead.month, lead.day, 2, tzinfo=UTC),
        county_code=county,
        summary="超标排放水污染物",
        origin=ViolationOrigin.INSPECTION,
    )
    session.add(violation)
    session.flush()
    case = Case(
        violation_id=violation.id,
        channel=channel,
        track=track,
        status=status,
        county_code=county,
        lead_received_on=lead,
        decided_on=decided_on,
        final_fine_cents=fine_cents,
        procuratorate_code=procuratorate,
    )
    session.add(case)
    session.flush()
    return case


def make_deadline(
    session,
    case: Case,
    rule_code: str,
    due_on: date,
    *,
    state: DeadlineStateValue = DeadlineStateValue.OPEN,
    done_on: date | None = None,
) -> Deadline:
    d = Deadline(
        case_id=case.id,
        rule_code=rule_code,
        title="期限",
        basis="测试",
        start_event="case_filed",
        start_on=due_on - timedelta(days=10),
        due_on=due_on,
        state=state,
        done_on=done_on,
        county_code=case.county_code,
        channel=case.channel.value,
    )
    session.add(d)
    session.flush()
    return d


def pay(session, case: Case, cents: int, on: date, kind: PaymentKind = PaymentKind.FINE) -> None:
    session.add(
        Payment(case_id=case.id, kind=kind, amount_cents=cents, paid_on=on, reference=f"R{on}")
    )
    session.flush()


def score(session, enterprise, tier: str | None, as_of: date, scheme: str = SCHEME) -> CreditScore:
    row = CreditScore(
        enterprise_id=enterprise.id,
        scheme=scheme,
        as_of=as_of,
        reason=ScoreReason.RESCORE,
        status="rated" if tier else "abnormal",
        points=90.0,
        score_tier=tier or "red",
        tier=tier,
        digest=f"{enterprise.id}:{tier}:{as_of}",
    )
    session.add(row)
    session.flush()
    credit_current.refresh(session, scheme, [enterprise.id])  # as the services keep it
    return row


def officer(*counties: str) -> Actor:
    return Actor(
        user_id=1,
        username="officer",
        roles=frozenset({Role.OFFICER}),
        counties=frozenset(counties) if counties else None,
    )


# -- credit tiers -----------------------------------------------------------------------------


@pytest.fixture
def scored(session):
    """Five enterprises of 仁怀 and 南明 with score histories (one scored only later)."""
    renhuai = [EnterpriseFactory(county_code=RENHUAI) for _ in range(4)]
    nanming = EnterpriseFactory(county_code=NANMING)
    score(session, renhuai[0], "green", date(2025, 1, 1))
    score(session, renhuai[0], "red", date(2026, 2, 1))  # the latest: red
    score(session, renhuai[1], "blue", date(2025, 6, 1))
    score(session, renhuai[1], "yellow", date(2026, 4, 1))  # after the day asked about
    score(session, renhuai[2], None, date(2025, 6, 1))  # abnormal (异常)
    score(session, renhuai[3], "green", date(2026, 4, 1))  # not yet scored on the day
    score(session, renhuai[3], "black", date(2025, 1, 1), scheme="five-colour@1")
    score(session, nanming, "yellow", date(2025, 6, 1))
    session.commit()
    return renhuai, nanming


def test_tiers_in_force_are_counted_per_prefecture(session, scored):
    counts = stats.tier_counts(session, scheme_key=SCHEME, on=TODAY, counties=None)
    assert sorted(counts, key=lambda t: (t.prefecture, str(t.tier))) == [
        TierCount("5201", "yellow", 1),
        TierCount("5203", None, 1),
        TierCount("5203", "blue", 1),
        TierCount("5203", "red", 1),
    ]


def test_tiers_outside_the_jurisdiction_are_not_counted(session, scored):
    counts = stats.tier_counts(session, scheme_key=SCHEME, on=TODAY, counties={NANMING})
    assert counts == [TierCount("5201", "yellow", 1)]


def test_tiers_as_of_an_earlier_day_read_the_history(session, scored):
    counts = stats.tier_counts(session, scheme_key=SCHEME, on=date(2025, 3, 1), counties=None)
    assert counts == [TierCount("5203", "green", 1)]


def test_a_new_score_is_counted_at_once(session, scored):
    renhuai, _ = scored
    before = stats.tier_counts(session, scheme_key=SCHEME, on=TODAY, counties={RENHUAI})
    assert TierCount("5203", "red", 1) in before
    score(session, renhuai[0], "blue", date(2026, 3, 1))
    session.commit()
    after = stats.tier_counts(session, scheme_key=SCHEME, on=TODAY, counties={RENHUAI})
    assert TierCount("5203", "blue", 2) in after
    assert all(t.tier != "red" for t in after)


def test_a_past_day_is_recounted_once_a_score_dated_on_or_before_it_is_stored(session, scored):
    renhuai, _ = scored
    day = date(2025, 3, 1)
    assert stats.tier_counts(session, scheme_key=SCHEME, on=day, counties=None) == [
        TierCount("5203", "green", 1)
    ]
    score(session, renhuai[2], "yellow", date(2026, 5, 1))  # dated after the day: no change
    session.commit()
    assert stats.tier_counts(session, scheme_key=SCHEME, on=day, counties=None) == [
        TierCount("5203", "green", 1)
    ]
    score(session, renhuai[1], "red", date(2025, 2, 1))  # stored now, in force on the day
    session.commit()
    assert stats.tier_counts(session, scheme_key=SCHEME, on=day, counties=None) == [
        TierCount("5203", "green", 1),
        TierCount("5203", "red", 1),
    ]


# -- cases ------------------------------------------------------------------------------------


def test_cases_are_counted_by_channel_track_and_stage(session):
    make_case(session, RENHUAI, status="filed")
    make_case(session, RENHUAI, status="filed")
    make_case(session, RENHUAI, status="decided", decided_on=date(2026, 2, 1))
    make_case(session, RENHUAI, channel=Channel.CRIMINAL, track="criminal", status="reported")
    make_case(session, RENHUAI, status="filed", lead=date(2024, 6, 1))  # before the range
    make_case(session, NANMING, status="filed")  # another county
    session.commit()
    f = DashboardFilter(date_from=date(2025, 1, 1), date_to=TODAY)
    counts = stats.case_counts(session, Scope(frozenset({RENHUAI})), f)
    assert sorted(counts, key=lambda c: (c.channel, c.status)) == [
        CaseCount("administrative", "administrative", "decided", 1),
        CaseCount("administrative", "administrative", "filed", 2),
        CaseCount("criminal", "criminal", "reported", 1),
    ]
    everywhere = stats.case_counts(session, EVERYWHERE, DashboardFilter())
    assert sum(c.count for c in everywhere) == 6


# -- overdue deadlines ------------------------------------------------------------------------


def test_only_deadlines_past_their_day_and_not_done_are_overdue(session):
    case = make_case(session, RENHUAI)
    other = make_case(session, NANMING)
    yesterday = TODAY - timedelta(days=1)
    make_deadline(session, case, "admin.decision", yesterday)  # open, not yet refreshed
    make_deadline(
        session, case, "admin.decision_service", date(2026, 3, 1), state=DeadlineStateValue.MISSED
    )
    make_deadline(  # done late: a breach, but no longer outstanding
        session,
        case,
        "admin.filing_decision",
        date(2026, 2, 1),
        state=DeadlineStateValue.MISSED,
        done_on=date(2026, 2, 5),
    )
    make_deadline(session, case, "admin.fine_payment", TODAY)  # due today: not yet
    make_deadline(session, case, "admin.hearing_notice", yesterday)  # a waiting period
    make_deadline(session, case, "admin.statement_defence", yesterday)  # the party's window
    make_deadline(
        session, case, "admin.hearing_request", yesterday, state=DeadlineStateValue.PAUSED
    )
    make_deadline(session, other, "admin.decision", yesterday)
    session.commit()

    counts = stats.overdue_counts(
        session, Scope(frozenset({RENHUAI})), DashboardFilter(), today=TODAY
    )
    assert sorted(counts, key=lambda o: o.rule_code) == [
        OverdueCount(RENHUAI, "administrative", "admin.decision", 1),
        OverdueCount(RENHUAI, "administrative", "admin.decision_service", 1),
    ]
    everywhere = stats.overdue_counts(session, EVERYWHERE, DashboardFilter(), today=TODAY)
    assert OverdueCount(NANMING, "administrative", "admin.decision", 1) in everywhere
    recent = stats.overdue_counts(
        session, EVERYWHERE, DashboardFilter(date_from=date(2026, 3, 10)), today=TODAY
    )
    assert {o.rule_code for o in recent} == {"admin.decision"}


def test_waiting_periods_and_party_windows_are_never_overdue():
    rules = stats.not_overdue_rules()
    assert {"admin.hearing_notice", "admin.statement_defence", "admin.hearing_request"} <= set(
        rules
    )
    assert "admin.decision" not in rules


# -- money ------------------------------------------------------------------------------------


def test_fines_assessed_and_collected_per_month_and_prefecture(session):
    a = make_case(session, RENHUAI, status="enforcing", decided_on=date(2025, 3, 10))
    a.final_fine_cents = 5_000_000
    b = make_case(session, RENHUAI, status="closed", decided_on=date(2025, 3, 28))
    b.final_fine_cents = 150_000
    make_case(  # a withdrawn decision owes nothing
        session, RENHUAI, status="withdrawn", decided_on=date(2025, 3, 12), fine_cents=999_900
    )
    make_case(  # outside the period
        session, RENHUAI, status="closed", decided_on=date(2024, 12, 31), fine_cents=777_700
    )
    c = make_case(session, NANMING, status="enforcing", decided_on=date(2025, 4, 2))
    c.final_fine_cents = 300_000
    pay(session, a, 2_000_000, date(2025, 4, 2))
    pay(session, a, 60_000, date(2025, 4, 3), kind=PaymentKind.SURCHARGE)  # not a fine
    pay(session, b, 150_000, date(2025, 3, 30))
    pay(session, c, 100_000, date(2025, 4, 20))
    session.commit()

    start, end = date(2025, 1, 1), date(2025, 12, 31)
    assert stats.money_counts(session, EVERYWHERE, start, end) == [
        MoneyCount(2025, 3, "5203", 5_150_000, 150_000),
        MoneyCount(2025, 4, "5201", 300_000, 100_000),
        MoneyCount(2025, 4, "5203", 0, 2_000_000),
    ]
    mine = stats.money_counts(session, Scope(frozenset({NANMING})), start, end)
    assert mine == [MoneyCount(2025, 4, "5201", 300_000, 100_000)]


def test_month_range_spans_the_turn_of_the_year():
    assert stats.month_range(date(2025, 11, 30), date(2026, 2, 1)) == [
        (2025, 11),
        (2025, 12),
        (2026, 1),
        (2026, 2),
    ]


# -- the dashboard: checks, scope and filters -------------------------------------------------


def test_the_dashboard_counts_within_the_jurisdiction_and_names_places(session):
    make_case(session, RENHUAI, status="decided", decided_on=TODAY - timedelta(days=3))
    make_case(session, NANMING)
    session.commit()
    d = stats.dashboard(
        session, officer(RENHUAI), DashboardFilter(), scheme_key=SCHEME, today=TODAY
    )
    assert d.overdue == []
    assert sum(c.count for c in d.cases) == 1
    assert d.money_from == date(2025, 4, 1) and d.money_to == TODAY
    assert d.tiers_on == TODAY


def test_a_prefecture_filter_narrows_and_names(session):
    make_case(session, RENHUAI)
    make_case(session, NANMING)
    session.commit()
    d = stats.dashboard(
        session,
        officer(),
        DashboardFilter(prefecture="520300"),
        scheme_key=SCHEME,
        today=TODAY,
    )
    assert [(c.status, c.count) for c in d.cases] == [("filed", 1)]


def test_a_prefecture_outside_the_jurisdiction_is_refused(session):
    with pytest.raises(OutsideJurisdiction):
        stats.dashboard(
            session,
            officer(NANMING),
            DashboardFilter(prefecture="520300"),
            scheme_key=SCHEME,
            today=TODAY,
        )


@pytest.mark.parametrize(
    ("f", "field"),
    [
        (DashboardFilter(prefecture="520382"), "prefecture"),  # a county, not a prefecture
        (DashboardFilter(date_from=date(2026, 3, 1), date_to=date(2026, 2, 1)), "date_to"),
        (DashboardFilter(date_to=TODAY + timedelta(days=1)), "date_to"),
    ],
)
def test_bad_filters_name_their_field(session, f, field):
    with pytest.raises(InvalidInput) as info:
        stats.dashboard(session, officer(), f, scheme_key=SCHEME, today=TODAY)
    assert set(info.value.errors) == {field}


def test_a_prosecutor_counts_the_cases_before_their_own_procuratorate(session):
    make_case(session, RENHUAI, channel=Channel.CRIMINAL, track="criminal", status="reported")
    mine = make_case(
        session,
        RENHUAI,
        channel=Channel.CRIMINAL,
        track="criminal",
        status="handed_over",
        procuratorate="P520382",
    )
    make_deadline(session, mine, "criminal.filing_decision", TODAY - timedelta(days=2))
    session.commit()
    prosecutor = Actor(
        user_id=2,
        username="prosecutor",
        roles=frozenset({Role.PROSECUTOR}),
        counties=frozenset({RENHUAI}),
        organ_code="P520382",
    )
    d = stats.dashboard(session, prosecutor, DashboardFilter(), scheme_key=SCHEME, today=TODAY)
    assert [(c.status, c.count) for c in d.cases] == [("handed_over", 1)]
    assert [(o.rule_code, o.count) for o in d.overdue] == [("criminal.filing_decision", 1)]
    # Another branch of the state reading case data leaves a trace (PRODUCT.md).
    reads = session.scalars(
        select(AuditEntry.record_key).where(AuditEntry.action == AuditAction.READ)
    ).all()
    assert [r for r in reads if r.startswith("dashboard:")] == [
        "dashboard:prefecture=None,from=None,to=None"
    ]


def test_an_officer_s_view_is_not_audited(session):
    stats.dashboard(session, officer(), DashboardFilter(), scheme_key=SCHEME, today=TODAY)
    assert not session.scalars(
        select(AuditEntry).where(AuditEntry.action == AuditAction.READ)
    ).all()
