"""Linking imported tax and enforcement records to the enterprises in the database: real files
through the importer, the real matcher, decisions scored against the generator's truth."""

from __future__ import annotations

import pytest
from sqlalchemy import func, insert, select

from casemgr.exceptions import InvalidInput, NotFound, PermissionDenied
from casemgr.models import (
    Decision,
    Division,
    Enterprise,
    EnterpriseStatus,
    LinkCandidate,
    Merge,
    ReviewState,
    SourceRecord,
)
from casemgr.policy import SYSTEM_ACTOR, Actor, Role
from casemgr.services import imports, link_run, linking
from linkage.synthetic import evaluate, generate


@pytest.fixture
def world(session, tmp_path):
    """300 registry enterprises as the system's enterprises; their tax and enforcement records
    imported from the generator's CSV files (tax in GB18030, enforcement with a BOM)."""
    data = generate(300, seed=11)
    paths = data.write_csv(tmp_path, encodings={"tax": "gb18030", "env": "utf-8-sig"})
    # An officer's record with a bare name (no form, no USCC) and a shortened address: too
    # little for a link, enough to ask a reviewer.
    known = next(r for r in data.registry() if r.name.endswith("有限公司"))
    with open(paths["env"], "a", encoding="utf-8") as f:
        f.write(f"HAND-1,{known.name[:-4]},,,{known.address[:6]},\n")
    counties = set(session.scalars(select(Division.code).where(Division.level == "county")))
    session.execute(
        insert(Enterprise),
        [
            {
                "uscc": r.uscc,
                "name": r.name,
                "legal_representative": r.legal_rep,
                "address": r.address,
                "county_code": r.uscc[2:8] if r.uscc[2:8] in counties else "520102",
                "status": EnterpriseStatus.OPERATING,
            }
            for r in data.registry()
        ],
    )
    session.commit()
    batches = {
        source: imports.import_file(session, SYSTEM_ACTOR, paths[source], source).batch_id
        for source in ("tax", "env")
    }
    return data, batches, known


def _links(session):
    """(source, record key, USCC) of every record linked to an enterprise."""
    return session.execute(
        select(SourceRecord.source, SourceRecord.record_key, Enterprise.uscc).join(
            Enterprise, Enterprise.id == SourceRecord.enterprise_id
        )
    ).all()


def _candidates(session):
    return session.scalar(select(func.count()).select_from(LinkCandidate))


def test_a_run_links_precisely_queues_the_uncertain_and_is_idempotent(session, world):
    data, _, known = world
    n_records = session.scalar(select(func.count()).select_from(SourceRecord))
    report = link_run.link_records(session, SYSTEM_ACTOR)
    assert report.records == n_records == data.plan.n_tax + data.plan.n_env + 1
    assert report.enterprises == 300
    decided = report.matched + report.review + report.non_match + report.no_candidate
    assert decided == report.records
    assert report.rules.get("uscc", 0) > 0 and report.rules.get("legacy_tax_id", 0) > 0

    links = [(str(s), k, u) for s, k, u in _links(session)]
    assert len(links) == report.matched
    tp, fp, fn, *_ = evaluate(links, data.truth_map())
    assert fp == 0  # a wrong link harms an innocent enterprise
    assert tp / (tp + fn) > 0.95

    # Every applied match is an undoable merge with its evidence.
    matches = session.scalars(
        select(LinkCandidate).where(LinkCandidate.decision == Decision.MATCH)
    ).all()
    assert len(matches) == report.matched
    assert all(c.state is ReviewState.AUTOMATIC for c in matches)
    assert session.scalar(select(func.count()).select_from(Merge)) == report.matched
    fields = {f["field"] for c in matches for f in c.evidence["fields"]}
    assert {"name", "rule"} <= fields
    queue = linking.review_queue(session, SYSTEM_ACTOR, per_page=100)
    assert queue.total == report.review >= 1
    hand = next(c for c in queue.items if c.record.record_key == "HAND-1")
    assert session.get(Enterprise, hand.enterprise_id).uscc == known.uscc
    assert hand.evidence["source"] == "env" and hand.rule == "model"
    linking.accept(session, SYSTEM_ACTOR, hand.id, {}, expected_version=hand.version)
    assert session.get(SourceRecord, hand.record_id).enterprise_id == hand.enterprise_id

    before = _candidates(session)
    again = link_run.link_records(session, SYSTEM_ACTOR)
    assert again.matched == 0 and again.review == 0
    assert again.records == report.non_match + report.no_candidate  # the unlinked ones
    assert _candidates(session) == before  # non-matches are kept once


def test_rejected_pairs_are_not_proposed_again_and_undone_links_wait_for_review(session, world):
    link_run.link_records(session, SYSTEM_ACTOR)
    match = session.scalars(
        select(LinkCandidate)
        .where(LinkCandidate.decision == Decision.MATCH)
        .order_by(LinkCandidate.id)
    ).first()
    merge = session.scalar(select(Merge).where(Merge.candidate_id == match.id))
    linking.undo(session, SYSTEM_ACTOR, merge.id)
    session.refresh(match)
    assert match.state is ReviewState.PENDING
    assert session.get(SourceRecord, match.record_id).enterprise_id is None
    last = session.scalar(select(func.max(LinkCandidate.id)))
    link_run.link_records(session, SYSTEM_ACTOR)  # the record waits for review: left alone
    assert not session.scalars(
        select(LinkCandidate).where(
            LinkCandidate.id > last, LinkCandidate.record_id == match.record_id
        )
    ).all()

    linking.reject(session, SYSTEM_ACTOR, match.id, {"note": "不同企业"},
                   expected_version=match.version)  # fmt: skip
    report = link_run.link_records(session, SYSTEM_ACTOR)
    assert report.already_rejected >= 1
    proposed_again = session.scalars(
        select(LinkCandidate).where(
            LinkCandidate.record_id == match.record_id,
            LinkCandidate.enterprise_id == match.enterprise_id,
            LinkCandidate.id != match.id,
        )
    ).all()
    assert proposed_again == []
    assert session.get(SourceRecord, match.record_id).enterprise_id is None


def test_one_batch_only_and_bad_batches_are_refused(session, world, tmp_path):
    _, batches, _ = world
    report = link_run.link_records(session, SYSTEM_ACTOR, batch_id=batches["env"])
    assert report.records == session.scalar(
        select(func.count())
        .select_from(SourceRecord)
        .where(SourceRecord.batch_id == batches["env"])
    )
    assert (
        session.scalar(
            select(func.count())
            .select_from(SourceRecord)
            .where(SourceRecord.batch_id == batches["tax"], SourceRecord.enterprise_id.is_not(None))
        )
        == 0
    )

    registry = tmp_path / "registry.csv"
    registry.write_text("uscc,name\n91520382MA6DKQ6T5C,贵州某某酒业有限公司\n", encoding="utf-8")
    registry_batch = imports.import_file(session, SYSTEM_ACTOR, registry, "registry").batch_id
    with pytest.raises(InvalidInput) as exc:
        link_run.link_records(session, SYSTEM_ACTOR, batch_id=registry_batch)
    assert exc.value.errors["batch_id"]
    with pytest.raises(NotFound):
        link_run.link_records(session, SYSTEM_ACTOR, batch_id=999_999)

    county_officer = Actor(user_id=0, username="o", roles=frozenset({Role.OFFICER}),
                           counties=frozenset({"520382"}))  # fmt: skip
    with pytest.raises(PermissionDenied):
        link_run.link_records(session, county_officer)
    judge = Actor(user_id=0, username="j", roles=frozenset({Role.JUDGE}))
    with pytest.raises(PermissionDenied):
        link_run.link_records(session, judge)


def test_a_link_task_reports_each_linker_stage_as_a_translated_step(session, world, monkeypatch):
    """The queued run (task kind link_run) shows the linker's stages as catalogued steps, in
    order and with growing shares done, never the library's bare stage names."""
    from casemgr.services import task_kinds
    from linkage import linker

    monkeypatch.setattr(linker, "_PROGRESS_EVERY", 1)  # report every row, not every 100,000
    steps: list[tuple[float, str]] = []
    task_kinds._link(session, SYSTEM_ACTOR, {}, lambda f, m: steps.append((f, m)), {})
    names = {message: stage for stage, (_, message) in task_kinds.LINK_STAGES.items()}
    seen = [names[m] for _, m in steps[1:]]
    assert steps[0][1] == "Matching the records"
    assert list(dict.fromkeys(seen)) == ["registry", "tax", "env", "model", "decide"]
    fractions = [f for f, _ in steps]
    assert fractions == sorted(fractions)
