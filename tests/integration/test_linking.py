"""Link decisions: the review queue, accepting and rejecting, and merges that undo exactly."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from casemgr.exceptions import Conflict
from casemgr.models import (
    Case,
    Decision,
    ImportBatch,
    LinkCandidate,
    PollutionSource,
    ReviewState,
    SourceRecord,
    Violation,
    violation_enterprises,
)
from casemgr.policy import SYSTEM_ACTOR
from casemgr.services import linking
from tests.factories import EnterpriseFactory, SourceFactory


def _snapshot(session):
    """Every enterprise link a merge may touch, as plain values."""
    session.expire_all()
    return {
        "records": sorted(
            session.execute(
                select(SourceRecord.id, SourceRecord.enterprise_id, SourceRecord.link_score)
            ).all()
        ),
        "sources": sorted(
            session.execute(select(PollutionSource.id, PollutionSource.enterprise_id)).all()
        ),
        "violations": sorted(
            session.execute(
                select(violation_enterprises.c.violation_id, violation_enterprises.c.enterprise_id)
            ).all()
        ),
        "cases": sorted(session.execute(select(Case.id, Case.party_enterprise_id)).all()),
    }


@pytest.fixture
def records(session):
    batch = ImportBatch(
        source="tax", filename="t.csv", sha256="0" * 64, file_format="csv", status="committed"
    )
    session.add(batch)
    session.flush()
    rows = [
        SourceRecord(
            batch_id=batch.id,
            source="tax",
            record_key=f"52038200000000{i}",
            row_number=i + 2,
            name=f"某某{i}",
        )
        for i in range(3)
    ]
    session.add_all(rows)
    session.commit()
    return rows


def test_a_reviewed_link_is_applied_and_undone_exactly(session, records):
    ent = EnterpriseFactory()
    session.commit()
    candidate = linking.propose(
        session,
        record_id=records[0].id,
        enterprise_id=ent.id,
        rule="model",
        score=7.5,
        decision=Decision.REVIEW,
        evidence={"name": "same core"},
        actor=SYSTEM_ACTOR,
    )
    session.commit()
    queue = linking.review_queue(session, SYSTEM_ACTOR)
    assert [c.id for c in queue.items] == [candidate.id]
    before = _snapshot(session)
    merge = linking.accept(
        session,
        SYSTEM_ACTOR,
        candidate.id,
        {"note": "核实一致"},
        expected_version=candidate.version,
    )
    session.refresh(records[0])
    assert (records[0].enterprise_id, records[0].link_score) == (ent.id, 7.5)
    assert linking.review_queue(session, SYSTEM_ACTOR).items == []
    linking.undo(session, SYSTEM_ACTOR, merge.id)
    assert _snapshot(session) == before
    assert session.get(LinkCandidate, candidate.id).state is ReviewState.PENDING
    with pytest.raises(Conflict):
        linking.undo(session, SYSTEM_ACTOR, merge.id)


def test_a_rejected_pair_stays_as_evidence_and_cannot_be_decided_twice(session, records):
    ent = EnterpriseFactory()
    session.commit()
    candidate = linking.propose(
        session,
        record_id=records[1].id,
        enterprise_id=ent.id,
        rule="model",
        score=1.0,
        decision=Decision.REVIEW,
        evidence={},
        actor=SYSTEM_ACTOR,
    )
    session.commit()
    linking.reject(session, SYSTEM_ACTOR, candidate.id, {}, expected_version=candidate.version)
    assert session.get(LinkCandidate, candidate.id).state is ReviewState.REJECTED
    assert session.get(SourceRecord, records[1].id).enterprise_id is None
    with pytest.raises(Conflict):
        linking.accept(session, SYSTEM_ACTOR, candidate.id, {}, expected_version=candidate.version)


def test_merging_a_duplicate_enterprise_moves_every_link_and_undo_restores_them(
    session, records, client, auth
):
    from casemgr.policy import Role

    duplicate, survivor = (
        EnterpriseFactory(county_code="520382"),
        EnterpriseFactory(county_code="520382"),
    )
    SourceFactory(enterprise=duplicate)
    SourceFactory(enterprise=survivor)
    session.commit()
    officer = auth.login(Role.OFFICER, jurisdictions=("520382",))
    for ents in ([duplicate.id], [duplicate.id, survivor.id]):
        resp = client.post(
            "/api/v1/violations",
            headers=officer.headers,
            json={
                "found_at": "2026-03-01T09:00:00+08:00",
                "county_code": "520382",
                "enterprise_ids": ents,
                "summary": "超标排放",
                "origin": "inspection",
            },
        )
        assert resp.status_code == 201
    linking.propose(
        session,
        record_id=records[2].id,
        enterprise_id=duplicate.id,
        rule="uscc",
        score=20.0,
        decision=Decision.MATCH,
        evidence={},
        actor=SYSTEM_ACTOR,
    )
    session.commit()
    before = _snapshot(session)
    merge = linking.merge_enterprises(session, SYSTEM_ACTOR, duplicate.id, survivor.id)
    after = _snapshot(session)
    assert all(e != duplicate.id for _, e, *_ in after["sources"] + after["records"])
    assert {e for _, e in after["violations"]} == {
        survivor.id,
        duplicate.id,
    }  # one already had both
    assert after != before
    linking.undo(session, SYSTEM_ACTOR, merge.id)
    assert _snapshot(session) == before
    assert session.scalar(select(Violation.id).limit(1)) is not None


def test_an_undo_refuses_when_a_later_merge_touched_the_same_links(session, records):
    a, b, c = EnterpriseFactory(), EnterpriseFactory(), EnterpriseFactory()
    session.commit()
    linking.propose(
        session,
        record_id=records[0].id,
        enterprise_id=a.id,
        rule="uscc",
        score=20.0,
        decision=Decision.MATCH,
        evidence={},
        actor=SYSTEM_ACTOR,
    )
    session.commit()
    first = linking.merge_enterprises(session, SYSTEM_ACTOR, a.id, b.id)
    second = linking.merge_enterprises(session, SYSTEM_ACTOR, b.id, c.id)
    with pytest.raises(Conflict):
        linking.undo(session, SYSTEM_ACTOR, first.id)
    linking.undo(session, SYSTEM_ACTOR, second.id)
    linking.undo(session, SYSTEM_ACTOR, first.id)
    assert session.get(SourceRecord, records[0].id).enterprise_id == a.id
