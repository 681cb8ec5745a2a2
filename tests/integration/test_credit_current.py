"""The score in force now (credit_current) and its tier counts stay exactly what the history
says, whatever writes scores: full and incremental rescoring, case events, upheld objections,
an enterprise moving county or changing its name, and the migrations that fill them."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from flask_migrate import downgrade, upgrade
from sqlalchemy import insert, select, text

from casemgr.db import utcnow
from casemgr.extensions import db
from casemgr.models import CreditScore, Enterprise, ScoreReason
from casemgr.models.credit import CreditCurrent, CreditTierCount
from casemgr.policy import SYSTEM_ACTOR, Actor, Role
from casemgr.repositories import credit_current
from casemgr.services import credit, credit_requests, enterprises
from casemgr.services.localtime import local_today
from tests.integration.test_credit import SCHEME, families  # noqa: F401 - fixture

REGULATOR = Actor(user_id=0, username="clerk", roles=frozenset({Role.CREDIT_REGULATOR}))


def from_history(session) -> dict[tuple[str, int], tuple]:
    """What the current rows must be: each (scheme, enterprise)'s stored score with the
    highest id, with the enterprise's county and name."""
    counties = dict(session.execute(select(Enterprise.id, Enterprise.county_code)).all())
    names = dict(session.execute(select(Enterprise.id, Enterprise.name)).all())
    out: dict[tuple[str, int], tuple] = {}
    for s in session.scalars(select(CreditScore).order_by(CreditScore.id)):
        out[(s.scheme, s.enterprise_id)] = (
            s.id,
            s.as_of,
            s.status,
            s.tier,
            s.own_tier,
            s.sublevel,
            s.points,
            counties[s.enterprise_id],
            names[s.enterprise_id],
        )
    return out


def stored(session) -> dict[tuple[str, int], tuple]:
    return {
        (c.scheme, c.enterprise_id): (
            c.score_id,
            c.as_of,
            c.status,
            c.tier,
            c.own_tier,
            c.sublevel,
            c.points,
            c.county_code,
            c.name,
        )
        for c in session.scalars(select(CreditCurrent))
    }


def assert_exact(session) -> None:
    session.expire_all()
    expected = from_history(session)
    assert expected, "no scores at all: the test proves nothing"
    assert stored(session) == expected
    counts = Counter(
        (scheme, row[7], row[3] or credit_current.ABNORMAL) for (scheme, _), row in expected.items()
    )
    kept = {
        (c.scheme, c.county_code, c.tier): c.n
        for c in session.scalars(select(CreditTierCount))
        if c.n
    }
    assert kept == dict(counts)


def test_case_events_keep_the_current_rows_exact(session, families):  # noqa: F811
    # The demo families' steps rescored their parties, one event at a time.
    assert_exact(session)
    rows = stored(session)
    assert rows[(SCHEME.key, families["convicted"])][3] == "red"
    assert rows[(SCHEME.key, families["fined"])][3] == "blue"


def test_full_and_incremental_rescoring_keep_them_exact(session, families):  # noqa: F811
    today = local_today()
    # A full run as of ten days ago: the families' records were not yet recorded then, so
    # their parties get a new (clean) row with a higher id but an earlier date.
    credit.rescore(session, SYSTEM_ACTOR, SCHEME, as_of=today - timedelta(days=10))
    assert_exact(session)
    assert stored(session)[(SCHEME.key, families["convicted"])][3] == "green"
    # Today again: only the families' parties change back.
    report = credit.rescore(session, SYSTEM_ACTOR, SCHEME, as_of=today)
    assert report.changed >= 2
    assert_exact(session)
    assert stored(session)[(SCHEME.key, families["convicted"])][3] == "red"
    # An incremental run of a few enterprises, with nothing changed: nothing moves.
    before = stored(session)
    credit.rescore(session, SYSTEM_ACTOR, SCHEME, as_of=today, enterprise_ids=families.values())
    assert stored(session) == before


def test_a_full_run_refreshes_the_planner_s_statistics_as_it_writes(session, families, monkeypatch):  # noqa: F811
    # A full run into an emptied history writes a million rows; planned from the statistics
    # of the empty tables, each batch's lookups read every row written before it. The run
    # analyses the tables whenever the rows written exceed what they held (here from 1 row).
    def analysed() -> dict[str, int]:
        rows = session.execute(
            text(
                "SELECT relname, analyze_count FROM pg_stat_user_tables "
                "WHERE relname IN ('credit_scores', 'credit_current')"
            )
        )
        return dict(rows.all())

    if session.get_bind().dialect.name != "postgresql":
        keeper = credit_current.StatisticsKeeper(session)
        keeper.wrote(10**6)  # nothing to analyse on SQLite: a no-op, no error
        assert not keeper.enabled
        return
    monkeypatch.setattr(credit_current.StatisticsKeeper, "FLOOR", 1)
    session.execute(text("TRUNCATE credit_scores, credit_current, credit_tier_counts"))
    session.commit()
    before = analysed()
    report = credit.rescore(session, SYSTEM_ACTOR, SCHEME, chunk=2)
    assert report.changed == report.enterprises > 4
    after = analysed()
    # pg_stat counters arrive asynchronously from other backends, but this backend's own
    # ANALYZE counts are flushed at commit: at least one per table.
    assert after["credit_scores"] > before.get("credit_scores", 0)
    assert after["credit_current"] > before.get("credit_current", 0)
    assert_exact(session)


def test_an_upheld_objection_rescores_into_the_current_row(session, families):  # noqa: F811
    fined = families["fined"]
    record = next(
        c.records[0]
        for c in credit.explain(session, SYSTEM_ACTOR, SCHEME, fined).contributions
        if c.rule == "penalties"
    )
    filed = credit_requests.file_objection(
        session, SYSTEM_ACTOR, SCHEME, fined, {"record": record, "reason": "处罚决定已撤销"}
    )
    credit_requests.decide_objection(
        session, REGULATOR, SCHEME, filed.id, {"accept": True}, expected_version=filed.version
    )
    assert_exact(session)
    assert stored(session)[(SCHEME.key, fined)][6] == 94.0  # without the penalty


def test_an_enterprise_moving_county_takes_its_current_row_and_counts_along(
    session,
    families,  # noqa: F811
):
    convicted = session.get(Enterprise, families["convicted"])
    assert convicted.county_code == "520382"
    enterprises.update_enterprise(
        session,
        SYSTEM_ACTOR,
        convicted.id,
        {"county_code": "520102"},
        expected_version=convicted.version,
    )
    assert_exact(session)
    assert stored(session)[(SCHEME.key, convicted.id)][7] == "520102"
    red = credit_current.tier_counts(session, SCHEME.key, local_today(), {"520102"})
    assert red[("520102", "red")] == 1


def test_a_renamed_enterprise_s_current_rows_take_its_new_name(session, families):  # noqa: F811
    convicted = session.get(Enterprise, families["convicted"])
    enterprises.update_enterprise(
        session,
        SYSTEM_ACTOR,
        convicted.id,
        {"name": "仁怀市新名酒业有限公司", "county_code": "520102"},
        expected_version=convicted.version,
    )
    assert_exact(session)
    assert stored(session)[(SCHEME.key, convicted.id)][7:] == ("520102", "仁怀市新名酒业有限公司")
    # A rescoring afterwards copies the same name (nothing to change).
    before = stored(session)
    credit.rescore(
        session, SYSTEM_ACTOR, SCHEME, as_of=local_today(), enterprise_ids=[convicted.id]
    )
    assert stored(session) == before


def test_tier_counts_of_any_day_are_the_history_s(session, families):  # noqa: F811
    today = local_today()
    credit.rescore(session, SYSTEM_ACTOR, SCHEME, as_of=today - timedelta(days=10))
    credit.rescore(session, SYSTEM_ACTOR, SCHEME, as_of=today)
    session.commit()
    counties = dict(session.execute(select(Enterprise.id, Enterprise.county_code)).all())
    for day in (today - timedelta(days=11), today - timedelta(days=5), today):
        held = credit.in_force(session, SCHEME.key, day)
        expected = Counter(
            (counties[eid], s.tier or credit_current.ABNORMAL) for eid, s in held.items()
        )
        assert credit_current.tier_counts(session, SCHEME.key, day, None) == +expected, day
        assert credit_current.exact_on(session, SCHEME.key, day) is (day >= today)
    renhuai = credit_current.tier_counts(session, SCHEME.key, today - timedelta(days=5), ["520382"])
    assert renhuai and {county for county, _tier in renhuai} == {"520382"}


def test_the_migration_fills_the_current_rows_from_the_history(app, session):
    from tests.factories import EnterpriseFactory

    first = EnterpriseFactory(county_code="520382").id
    second = EnterpriseFactory(county_code="520102").id
    session.commit()
    today = local_today()
    row = {
        "scheme": SCHEME.key,
        "reason": ScoreReason.RESCORE,
        "status": "rated",
        "score_tier": "green",
        "own_tier": "green",
        "sublevel": None,
        "graph_risk": 0.0,
        "contributions": [],
        "digest": "x",
    }
    db.session.remove()
    downgrade(revision="0018")  # the history as 0018 left it: no current rows yet
    try:
        for eid, tier, points, days, scheme in (
            (first, "green", 95.0, 20, SCHEME.key),
            (first, "red", 40.0, 5, SCHEME.key),  # its latest
            (second, None, 0.0, 30, SCHEME.key),
            (second, "blue", 85.0, 40, SCHEME.key),  # stored last, dated earliest: the latest
            (first, "green", 95.0, 1, "five-colour@1"),
        ):
            values = {**row, "enterprise_id": eid, "tier": tier, "points": points}
            values.update(scheme=scheme, as_of=today - timedelta(days=days), computed_at=utcnow())
            db.session.execute(insert(CreditScore), [values])
        db.session.commit()
    finally:
        db.session.remove()
        upgrade()
    session = db.session()
    assert_exact(session)
    rows = stored(session)
    assert rows[(SCHEME.key, first)][3] == "red"
    assert rows[(SCHEME.key, second)][3:7] == ("blue", "green", None, 85.0)
    assert rows[("five-colour@1", first)][3] == "green"
