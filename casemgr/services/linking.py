"""Link decisions you can review and undo (关联复核).

The matcher (``linkage``) proposes candidates: a source record (a tax or enforcement record) and
the enterprise it may belong to, with a score and per-field evidence. Certain ones are applied
at once; uncertain ones wait in the review queue. Accepting or rejecting is audited. Every
applied decision is a :class:`Merge` that lists each value it changed (table, key, column, old,
new), so undoing it restores exactly what was there, and refuses when a later change touched
the same values (undo the later merge first).

Merging two enterprise records that turned out to be one (a duplicate registration) moves every
link of the duplicate (source records, pollution sources, violations, case parties) to the
survivor, through the same change list.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from casemgr.db import transaction, utcnow
from casemgr.exceptions import Conflict, InvalidInput, NotFound, StaleVersion
from casemgr.i18n import N_
from casemgr.models import (
    Case,
    CaseParty,
    Decision,
    Enterprise,
    LinkCandidate,
    Merge,
    PollutionSource,
    ReviewState,
    SourceRecord,
    violation_enterprises,
)
from casemgr.policy import Actor, Permission
from casemgr.repositories.common import Page, apply_sort, paginate
from casemgr.services.access import require

# The columns a merge may change: table -> (model, column). Nothing else is ever written by a
# merge, so an undo can only restore these.
_MOVABLE: Mapping[str, tuple[Any, str]] = {
    "source_records.enterprise_id": (SourceRecord, "enterprise_id"),
    "source_records.link_score": (SourceRecord, "link_score"),
    "pollution_sources.enterprise_id": (PollutionSource, "enterprise_id"),
    "cases.party_enterprise_id": (Case, "party_enterprise_id"),
    "case_parties.enterprise_id": (CaseParty, "enterprise_id"),
}


def _change(target: str, key: Any, old: Any, new: Any) -> dict[str, Any]:
    return {"target": target, "key": key, "old": old, "new": new}


def _apply(session: Session, changes: list[dict[str, Any]]) -> None:
    for ch in changes:
        if ch["target"] == "violation_enterprises":
            vid, old, new = ch["key"], ch["old"], ch["new"]
            session.execute(
                violation_enterprises.update()
                .where(
                    violation_enterprises.c.violation_id == vid,
                    violation_enterprises.c.enterprise_id == old,
                )
                .values(enterprise_id=new)
            )
            continue
        model, column = _MOVABLE[ch["target"]]
        row = session.get(model, ch["key"])
        if row is None:
            raise Conflict(N_("A record this merge changed no longer exists."))
        setattr(row, column, ch["new"])


def _current(session: Session, ch: Mapping[str, Any]) -> Any:
    if ch["target"] == "violation_enterprises":
        return session.scalar(
            select(violation_enterprises.c.enterprise_id).where(
                violation_enterprises.c.violation_id == ch["key"],
                violation_enterprises.c.enterprise_id.in_([ch["old"], ch["new"]]),
            )
        )
    model, column = _MOVABLE[ch["target"]]
    row = session.get(model, ch["key"])
    return getattr(row, column) if row is not None else None


def _record_link(record: SourceRecord, enterprise_id: int, score: float) -> list[dict[str, Any]]:
    return [
        _change("source_records.enterprise_id", record.id, record.enterprise_id, enterprise_id),
        _change("source_records.link_score", record.id, record.link_score, score),
    ]


def propose(
    session: Session,
    *,
    record_id: int,
    enterprise_id: int,
    rule: str,
    score: float,
    decision: Decision,
    evidence: Mapping[str, Any],
    actor: Actor,
) -> LinkCandidate:
    """Store the matcher's decision inside the caller's transaction; a match is applied at
    once (as a merge that can be undone), a review waits in the queue, a non-match is kept as
    evidence."""
    candidate = LinkCandidate(
        record_id=record_id,
        enterprise_id=enterprise_id,
        rule=rule,
        score=score,
        decision=decision,
        evidence=dict(evidence),
        state=ReviewState.PENDING if decision is Decision.REVIEW else ReviewState.AUTOMATIC,
    )
    session.add(candidate)
    session.flush()
    if decision is Decision.MATCH:
        record = session.get(SourceRecord, record_id)
        assert record is not None
        _merge(session, actor, candidate, _record_link(record, enterprise_id, score))
    return candidate


def _merge(
    session: Session, actor: Actor, candidate: LinkCandidate | None, changes: list[dict[str, Any]]
) -> Merge:
    _apply(session, changes)
    merge = Merge(
        candidate_id=candidate.id if candidate is not None else None,
        changes=changes,
        created_by_id=actor.user_id or None,
    )
    session.add(merge)
    session.flush()
    return merge


def _candidate(session: Session, candidate_id: int, expected_version: int) -> LinkCandidate:
    candidate = session.get(LinkCandidate, candidate_id)
    if candidate is None:
        raise NotFound(kind="LinkCandidate", key=candidate_id)
    if candidate.version != expected_version:
        raise StaleVersion()
    if candidate.state is not ReviewState.PENDING:
        raise Conflict(N_("This pair was already decided."))
    return candidate


def accept(
    session: Session,
    actor: Actor,
    candidate_id: int,
    data: Mapping[str, Any],
    *,
    expected_version: int,
) -> Merge:
    """A reviewer links the record to the enterprise. Raises PermissionDenied, NotFound,
    StaleVersion, Conflict."""
    require(actor, Permission.WRITE_ENTERPRISES)
    with transaction(session, actor=actor):
        candidate = _candidate(session, candidate_id, expected_version)
        record = candidate.record
        if record.enterprise_id not in (None, candidate.enterprise_id):
            raise Conflict(
                N_("The record is linked to enterprise {id}; undo that link first."),
                id=record.enterprise_id,
            )
        candidate.state = ReviewState.ACCEPTED
        candidate.decided_by_id = actor.user_id or None
        candidate.decided_at = utcnow()
        candidate.note = data.get("note", "")
        changes = _record_link(record, candidate.enterprise_id, candidate.score)
        merge = _merge(session, actor, candidate, changes)
    return merge


def reject(
    session: Session,
    actor: Actor,
    candidate_id: int,
    data: Mapping[str, Any],
    *,
    expected_version: int,
) -> LinkCandidate:
    """A reviewer refuses the pair; it stays as evidence. Raises PermissionDenied, NotFound,
    StaleVersion, Conflict."""
    require(actor, Permission.WRITE_ENTERPRISES)
    with transaction(session, actor=actor):
        candidate = _candidate(session, candidate_id, expected_version)
        candidate.state = ReviewState.REJECTED
        candidate.decided_by_id = actor.user_id or None
        candidate.decided_at = utcnow()
        candidate.note = data.get("note", "")
    return candidate


def merge_enterprises(session: Session, actor: Actor, duplicate_id: int, survivor_id: int) -> Merge:
    """Move every link of a duplicate enterprise record to the survivor (source records,
    pollution sources, violations, case parties). Raises PermissionDenied, NotFound,
    InvalidInput."""
    require(actor, Permission.WRITE_ENTERPRISES)
    if duplicate_id == survivor_id:
        raise InvalidInput.field("survivor_id", N_("An enterprise cannot merge with itself."))
    with transaction(session, actor=actor):
        for eid in (duplicate_id, survivor_id):
            if session.get(Enterprise, eid) is None:
                raise NotFound(kind="Enterprise", key=eid)
        changes: list[dict[str, Any]] = []
        moves = (
            ("source_records.enterprise_id", SourceRecord, SourceRecord.enterprise_id),
            ("pollution_sources.enterprise_id", PollutionSource, PollutionSource.enterprise_id),
            ("cases.party_enterprise_id", Case, Case.party_enterprise_id),
            ("case_parties.enterprise_id", CaseParty, CaseParty.enterprise_id),
        )
        for target, model, column in moves:
            for row_id in session.scalars(select(model.id).where(column == duplicate_id)):
                changes.append(_change(target, row_id, duplicate_id, survivor_id))
        already = set(
            session.scalars(
                select(violation_enterprises.c.violation_id).where(
                    violation_enterprises.c.enterprise_id == survivor_id
                )
            )
        )
        for vid in session.scalars(
            select(violation_enterprises.c.violation_id).where(
                violation_enterprises.c.enterprise_id == duplicate_id
            )
        ):
            if vid not in already:
                changes.append(_change("violation_enterprises", vid, duplicate_id, survivor_id))
        merge = _merge(session, actor, None, changes)
    return merge


def undo(session: Session, actor: Actor, merge_id: int) -> Merge:
    """Restore every value the merge changed. Raises PermissionDenied, NotFound, Conflict (a
    later change touched the same values: undo it first)."""
    require(actor, Permission.WRITE_ENTERPRISES)
    with transaction(session, actor=actor):
        merge = session.get(Merge, merge_id)
        if merge is None:
            raise NotFound(kind="Merge", key=merge_id)
        if merge.undone_at is not None:
            raise Conflict(N_("This merge was already undone."))
        for ch in merge.changes:
            if _current(session, ch) != ch["new"]:
                raise Conflict(
                    N_("A later change touched what this merge changed; undo that one first.")
                )
        _apply(
            session,
            [{**ch, "old": ch["new"], "new": ch["old"]} for ch in reversed(list(merge.changes))],
        )
        merge.undone_at = utcnow()
        merge.undone_by_id = actor.user_id or None
        if merge.candidate_id is not None:
            candidate = session.get(LinkCandidate, merge.candidate_id)
            if candidate is not None:
                candidate.state = ReviewState.PENDING
                candidate.note = N_("The link was undone.")
    return merge


QUEUE_SORTS = {"score": LinkCandidate.score, "id": LinkCandidate.id}


def review_queue(
    session: Session,
    actor: Actor,
    *,
    page: int = 1,
    per_page: int = 20,
    sort: str | None = None,
) -> Page[LinkCandidate]:
    """Pairs waiting for a reviewer, most uncertain first by default. Raises PermissionDenied."""
    require(actor, Permission.READ_ENTERPRISES)
    stmt = select(LinkCandidate).where(LinkCandidate.state == ReviewState.PENDING)
    stmt = apply_sort(stmt, sort, QUEUE_SORTS, "-score", LinkCandidate.id)
    return paginate(session, stmt, page=page, per_page=per_page)
