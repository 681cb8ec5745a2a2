"""The demo data set loads through the real services and leaves an intact audit trail."""

from sqlalchemy import func, select

from casemgr.models import Case, DrawStatus, Enterprise, InspectionDraw, InspectionRound, User
from casemgr.services import alerts, audit, family
from casemgr.services.access import actor_for


def test_demo_load_gives_users_enterprises_and_cases_at_varied_stages(runner, session):
    result = runner.invoke(args=["demo", "load", "--enterprises", "80"])
    assert result.exit_code == 0, result.output
    assert session.scalar(select(func.count()).select_from(User)) == 14
    assert session.scalar(select(func.count()).select_from(Enterprise)) == 80
    statuses = set(session.scalars(select(Case.status)))
    assert len(statuses) >= 4, statuses
    assert "archived" in statuses and "lead" in statuses
    numbers = [n for n in session.scalars(select(Case.number)) if n]
    assert len(numbers) == len(set(numbers)) and all(n.startswith("遵环罚") for n in numbers)
    # The demo families: one violation in all four channels, one closed with only a fine.
    assert "demo families: 2" in result.output
    tracks = set(session.scalars(select(Case.track)))
    assert tracks == {"administrative", "criminal", "civil_pil", "compensation"}
    judge = actor_for(session, session.scalar(select(User).where(User.username == "judge.renhuai")))
    family_of = session.scalar(select(Case.violation_id).where(Case.track == "criminal"))
    assert {c.track for c in family.get_family(session, judge, family_of).cases} == tracks
    head = actor_for(session, session.scalar(select(User).where(User.username == "head.zunyi")))
    risks = alerts.penalty_instead_of_referral(session, head).items
    assert [a.predicate for a in risks] == ["hazardous_waste"]
    # The inspections: the round over every unit, the stays already past written up, a draw.
    assert "demo inspections" in result.output
    rnd = session.scalar(select(InspectionRound))
    assert len(rnd.visits) == 12
    assert session.scalar(select(InspectionDraw.status)) == DrawStatus.DISPATCHED
    again = runner.invoke(args=["demo", "load", "--enterprises", "80"])
    assert "already present" in again.output
    audit.seal_pending(session)
    assert audit.verify(session).ok
