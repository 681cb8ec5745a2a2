"""The services behind the scheduler's daily jobs: round milestones and the expiry of credit
publication periods, against the real database."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from casemgr.models import CreditScore, Notification, ScoreReason
from casemgr.policy import SYSTEM_ACTOR, Role
from casemgr.services import credit, credit_publication, inspections, milestones
from tests.factories import EnterpriseFactory

SCHEME = credit.scheme_named("guizhou-2019")


def _round(session, leader_id):
    team = inspections.create_team(
        session, SYSTEM_ACTOR, {"code": "T1", "name": "第一督察组", "leader_id": leader_id}
    )
    other = inspections.create_team(session, SYSTEM_ACTOR, {"code": "T2", "name": "第二督察组"})
    return inspections.plan_round(
        session,
        SYSTEM_ACTOR,
        {
            "name": "2026-2027",
            "cycle_start": date(2026, 1, 1),
            "cycle_end": date(2027, 12, 31),
            "team_ids": [team.id, other.id],
        },
    )


def _inbox(session, user_id):
    return list(
        session.scalars(
            select(Notification).where(Notification.user_id == user_id).order_by(Notification.id)
        )
    )


def test_planners_and_the_leader_hear_of_a_stay_a_week_ahead_once(session, auth):
    planner = auth.user(Role.INSPECTION_PLANNER)
    leader = auth.user(Role.OFFICER, username="leader", jurisdictions=("520300",))
    bystander = auth.user(Role.OFFICER, jurisdictions=("520300",))
    rnd = _round(session, leader.id)
    first = rnd.visits[0]
    assert (
        milestones.remind(session, today=first.start_on - timedelta(days=8)).written["starts"] == 0
    )
    report = milestones.remind(session, today=first.start_on - timedelta(days=7))
    assert report.written["starts"] == 1
    milestones.remind(session, today=first.start_on - timedelta(days=3))
    for user in (planner, leader):
        notes = _inbox(session, user.id)
        assert [n.kind for n in notes] == ["inspection_starts"]
        assert notes[0].params["on"] == first.start_on.isoformat()
    assert _inbox(session, bystander.id) == []


def test_an_adverse_tier_published_past_the_maximum_period_is_rescored_and_reported(session, auth):
    regulator = auth.user(Role.CREDIT_REGULATOR)
    old = EnterpriseFactory(county_code="520302")
    recent = EnterpriseFactory(county_code="520302")
    session.flush()
    today = date(2026, 11, 28)
    for ent, as_of in ((old, date(2023, 1, 10)), (recent, date(2025, 6, 1))):
        session.add(
            CreditScore(
                enterprise_id=ent.id,
                scheme=SCHEME.key,
                as_of=as_of,
                reason=ScoreReason.RESCORE,
                status="rated",
                points=55.0,
                score_tier="red",
                own_tier="red",
                tier="red",
                contributions=[],
                digest="0" * 64,
            )
        )
    session.commit()
    before = credit_publication.expired(session, SCHEME, today=today)
    assert set(before) == {old.id}  # 36 months: 2023-01-10 is past, 2025-06-01 is not
    credit.rescore(session, SYSTEM_ACTOR, SCHEME, as_of=today, enterprise_ids=before)
    assert credit_publication.notify_expiries(session, SCHEME, before, today=today) == 1
    assert credit_publication.notify_expiries(session, SCHEME, before, today=today) == 0
    note = _inbox(session, regulator.id)[0]
    assert note.params["tier"] == "red" and note.params["now"] not in ("red", "-")
    assert credit_publication.expired(session, SCHEME, today=today) == {}
