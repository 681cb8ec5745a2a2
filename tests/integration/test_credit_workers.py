"""The nightly run across worker processes (casemgr.services.credit_workers) stores exactly
what a run in one process stores, graph risk across the workers' ranges included; a worker
that fails stops the run with its error."""

from __future__ import annotations

import dataclasses
import json
import multiprocessing

import pytest
from sqlalchemy import create_engine, delete, select, text
from sqlalchemy.orm import Session

from casemgr.models import CreditScore, Enterprise, ScoreReason
from casemgr.models.credit import CreditCurrent, CreditTierCount
from casemgr.policy import SYSTEM_ACTOR
from casemgr.repositories import credit_current
from casemgr.services import credit, credit_workers
from casemgr.services.credit_facts import IdRange
from casemgr.services.demo_families import load_demo_families
from casemgr.services.localtime import local_today
from tests.integration.test_credit import SCHEME, shared_legal_rep
from tests.integration.test_credit_current import assert_exact


def _clear(session) -> None:
    """An empty history, as a first run finds it (on PostgreSQL the planner then knows the
    tables as empty: TRUNCATE forgets their size)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("TRUNCATE credit_scores, credit_current, credit_tier_counts"))
    else:
        for table in (CreditTierCount, CreditCurrent, CreditScore):
            session.execute(delete(table))
    session.commit()


def _results(session) -> dict[int, tuple]:
    """What each enterprise's stored row says (its id and timestamps aside)."""
    rows = session.execute(
        select(
            CreditScore.enterprise_id,
            CreditScore.digest,
            CreditScore.as_of,
            CreditScore.reason,
            CreditScore.tier,
            CreditScore.own_tier,
            CreditScore.sublevel,
            CreditScore.points,
            CreditScore.graph_risk,
            CreditScore.contributions,
        )
    ).all()
    out = {r[0]: tuple(r[1:]) for r in rows}
    assert len(out) == len(rows), "one row per enterprise after a run into an empty history"
    return out


def test_the_shares_cut_the_ids_into_ranges_of_about_equal_size():
    assert credit_workers.shares([1, 2, 5, 9, 10, 11, 40], 3) == [
        IdRange(1, 5),
        IdRange(9, 11),
        IdRange(40, 40),
    ]
    assert credit_workers.shares([7, 8], 5) == [IdRange(7, 7), IdRange(8, 8)]
    assert credit_workers.shares([3], 1) == [IdRange(3, 3)]


def _analysed(session) -> dict[str, int]:
    if session.get_bind().dialect.name != "postgresql":
        return {}
    rows = session.execute(
        text(
            "SELECT relname, analyze_count FROM pg_stat_user_tables "
            "WHERE relname IN ('credit_scores', 'credit_current')"
        )
    )
    return dict(rows.all())


def test_a_full_run_across_worker_processes_stores_what_one_process_stores(
    session, tmp_path, monkeypatch
):
    # This process keeps the planner's statistics for all the workers (from every row).
    monkeypatch.setattr(credit_current.StatisticsKeeper, "FLOOR", 1)
    convicted, partner, _ = shared_legal_rep(session, tmp_path)
    load_demo_families(session)
    ids = sorted(session.scalars(select(Enterprise.id)))
    ranges = credit_workers.shares(ids, 3)

    def worker_of(eid: int) -> int:
        return next(i for i, r in enumerate(ranges) if r.first <= eid <= r.last)

    # The seed and the enterprise it puts at risk are scored by different workers: the risk
    # must cross from one range to the other through this process's propagation.
    assert worker_of(convicted.id) != worker_of(partner.id)
    today = local_today()
    _clear(session)
    one = credit.rescore(session, SYSTEM_ACTOR, SCHEME, as_of=today)
    expected = _results(session)
    assert expected[partner.id][7] == 6.4  # graph risk: red seed 10 × 0.8 × 0.8
    assert expected[convicted.id][3] == "red"

    _clear(session)
    analysed = _analysed(session)
    progress: list[tuple[int, int]] = []
    many = credit.rescore(
        session,
        SYSTEM_ACTOR,
        SCHEME,
        as_of=today,
        workers=3,
        min_share=1,
        progress=lambda done, total: progress.append((done, total)),
    )
    postgres = session.get_bind().dialect.name == "postgresql"
    # SQLite has one writer at a time: a full run there stays in this process.
    assert (one.workers, many.workers) == (1, 3 if postgres else 1)
    assert (many.enterprises, many.changed, many.tiers) == (one.enterprises, one.changed, one.tiers)
    assert _results(session) == expected
    assert_exact(session)  # the current rows and tier counts, written by three processes
    assert progress[-1] == (len(ids), len(ids))
    if postgres:  # the statistics were taken again as the workers wrote
        assert all(n > analysed.get(t, 0) for t, n in _analysed(session).items())
    assert [d for d, _ in progress] == sorted(d for d, _ in progress)

    again = credit.rescore(session, SYSTEM_ACTOR, SCHEME, as_of=today, workers=3, min_share=1)
    assert (again.changed, again.tiers) == (0, one.tiers)
    # Below the minimum share, even a large worker count runs in one process.
    small = credit.rescore(session, SYSTEM_ACTOR, SCHEME, as_of=today, workers=8)
    assert (small.workers, small.changed) == (1, 0)


def test_a_worker_that_fails_stops_the_run_with_its_error(session, tmp_path):
    # Workers connect with the parent's database URL: one that names no database fails in
    # every worker, before anything is read (the scheme has no graph risk, so this process
    # reads nothing either).
    url = session.get_bind().url
    if url.get_backend_name() == "postgresql":
        bad = url.set(database="casemgr_no_such_database")
        expected = "casemgr_no_such_database"
    else:
        bad = url.set(database=str(tmp_path / "missing" / "db.sqlite3"))
        expected = "unable to open database file"
    engine = create_engine(bad)
    try:
        with Session(engine) as elsewhere:
            with pytest.raises(credit_workers.WorkerFailed) as failed:
                spec = credit.RunSpec(
                    SYSTEM_ACTOR,
                    dataclasses.replace(SCHEME, graph_risk=None),
                    local_today(),
                    ScoreReason.RESCORE,
                    2,
                )
                credit_workers.run(elsewhere, spec, [1, 2, 3, 4], 2, lambda n, written: None)
    finally:
        engine.dispose()
    message = str(failed.value)
    assert "credit rescoring worker" in message and "IdRange(first=" in message
    assert expected in message
    assert not multiprocessing.active_children()  # every worker ended or was stopped


def test_rows_written_as_copy_text_read_back_as_they_were(session):
    # A full run writes its rows as COPY text on PostgreSQL (an insert elsewhere, and below
    # 100 rows): backslashes, tabs and line breaks in the lines' JSON or the scheme key, NULLs
    # and non-ASCII text must come back unchanged.
    from datetime import UTC, date, datetime

    from casemgr.services.demo import load_demo

    load_demo(session, enterprises=120)
    ids = sorted(session.scalars(select(Enterprise.id)))[:110]
    lines = [
        {"rule": "a\\b\tc\nd\re", "name": '罚款 "引号" \\N', "records": ["case:1"], "points": 1.5}
    ]
    rows = [
        {
            "enterprise_id": eid,
            "scheme": "odd\tscheme\\key@1",
            "as_of": date(2026, 6, 30),
            "computed_at": datetime(2026, 6, 30, 18, 0, 0, 123456, tzinfo=UTC),
            "reason": ScoreReason.RESCORE,
            "status": "rated",
            "points": 93.6 if i % 2 else 100,
            "score_tier": "blue",
            "own_tier": None if i % 3 else "red",
            "tier": None if i % 5 == 0 else "blue",
            "sublevel": None if i % 2 else 2,
            "graph_risk": 6.4 if i % 2 else 0,
            "contributions": lines if i % 2 else [],
            "digest": f"{eid:064x}",
        }
        for i, eid in enumerate(ids)
    ]
    # A run hands the lines over as JSON text (made of its digest's fragments).
    written = [
        {k: v for k, v in row.items() if k != "contributions"}
        | {"lines_json": json.dumps(row["contributions"], ensure_ascii=False)}
        for row in rows
    ]
    credit._copy(session, written)
    session.commit()
    columns = [getattr(CreditScore, c) for c in credit._COLUMNS]
    back = [
        dict(zip(credit._COLUMNS, r, strict=True))
        for r in session.execute(select(*columns).order_by(CreditScore.enterprise_id))
    ]
    assert back == rows
