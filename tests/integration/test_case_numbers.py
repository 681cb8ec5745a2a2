"""Case numbers stay unique and gapless under concurrent filing; a failed step leaves nothing."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from casemgr.extensions import db
from casemgr.lifecycles.administrative import AdminEvent
from casemgr.models import Case, CaseNumberCounter, CaseTransition, Deadline
from casemgr.policy import SYSTEM_ACTOR
from casemgr.services import case_numbers, cases, deadlines, violations
from tests.factories import EnterpriseFactory


def _lead(session, county="520382"):
    ent = EnterpriseFactory(county_code=county)
    session.commit()
    v = violations.log_violation(
        session,
        SYSTEM_ACTOR,
        {
            "found_at": datetime(2026, 3, 1, tzinfo=UTC),
            "county_code": county,
            "enterprise_ids": [ent.id],
            "summary": "违法排污",
            "origin": "inspection",
        },
    )
    return cases.open_case(session, SYSTEM_ACTOR, v.id, {"lead_received_on": date(2026, 3, 2)})


@pytest.mark.parametrize(
    ("county", "prefix"),
    [
        ("520382", "遵环罚"),
        ("520102", "筑环罚"),
        ("520181", "贵安环罚"),
        ("522601", "黔东南环罚"),
    ],
)
def test_the_prefix_follows_the_issuing_bureau(session, county, prefix):
    assert case_numbers.prefix_for(session, county) == prefix


def test_numbers_are_consecutive_per_prefix_and_year(session):
    numbers = []
    for _ in range(3):
        case = _lead(session)
        cases.apply_event(
            session,
            SYSTEM_ACTOR,
            case.id,
            AdminEvent.FILE,
            {"on": date(2026, 3, 4)},
            expected_version=case.version,
        )
        numbers.append(case.number)
    assert numbers == [f"遵环罚〔2026〕{n}号" for n in (1, 2, 3)]


def test_a_crash_inside_a_step_leaves_the_case_as_it_was(session, monkeypatch):
    case = _lead(session)
    version = case.version

    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(deadlines, "open_deadline", explode)
    with pytest.raises(RuntimeError):
        cases.apply_event(
            session,
            SYSTEM_ACTOR,
            case.id,
            AdminEvent.FILE,
            {"on": date(2026, 3, 4)},
            expected_version=version,
        )
    session.expire_all()
    case = session.get(Case, case.id)
    assert (case.status, case.number, case.version) == ("lead", None, version)
    assert session.scalar(select(func.count()).select_from(CaseTransition)) == 0
    assert session.scalar(select(func.count()).select_from(CaseNumberCounter)) == 0
    assert [d.rule_code for d in session.scalars(select(Deadline))] == ["admin.filing_decision"]


def test_100_concurrent_filings_get_100_consecutive_numbers(app, session):
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (SQLite serialises the whole database)")
    ids = [(c.id, c.version) for c in (_lead(session) for _ in range(100))]
    errors: list[BaseException] = []
    barrier = threading.Barrier(20)

    def worker(chunk):
        with app.app_context():
            s = db.session()
            try:
                barrier.wait()
                for case_id, version in chunk:
                    cases.apply_event(
                        s,
                        SYSTEM_ACTOR,
                        case_id,
                        AdminEvent.FILE,
                        {"on": date(2026, 3, 4)},
                        expected_version=version,
                    )
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(ids[i::20],)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors[:3]
    numbers = sorted(
        session.scalars(select(Case.number)).all(), key=lambda n: int(n.split("〕")[1].rstrip("号"))
    )
    assert numbers == [f"遵环罚〔2026〕{n}号" for n in range(1, 101)]
