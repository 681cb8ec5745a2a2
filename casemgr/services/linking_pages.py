"""Read queries of the record-linkage review pages (关联复核): the queue within the reviewer's
jurisdiction, one pair with both sides, and the merge that applied an accepted pair.

The decisions themselves go through :mod:`casemgr.services.linking` (the same services as the
API). A pair belongs to the county of its enterprise: a reviewer sees and decides the pairs of
the enterprises in their jurisdiction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from casemgr.exceptions import Conflict, NotFound
from casemgr.i18n import N_
from casemgr.models import (
    Division,
    Enterprise,
    ImportBatch,
    LinkCandidate,
    Merge,
    RecordSource,
    ReviewState,
    SourceRecord,
    User,
)
from casemgr.policy import Actor, Permission
from casemgr.repositories.common import Page, apply_sort, paginate
from casemgr.services.access import require, require_covers
from casemgr.services.linking import QUEUE_SORTS

__all__ = [
    "Pair",
    "candidate_in_scope",
    "pair",
    "pending_candidate",
    "queue",
]


@dataclass(frozen=True)
class Pair:
    """A candidate with both sides: the source record (and its import) and the enterprise."""

    candidate: LinkCandidate
    record: SourceRecord
    batch: ImportBatch | None
    enterprise: Enterprise
    county_name: str
    decided_by: str = ""
    merge_id: int | None = None

    @property
    def fields(self) -> list[dict[str, Any]]:
        """The evidence lines: each field's level, weight (bits) and detail."""
        evidence = self.candidate.evidence or {}
        rows = evidence.get("fields") if isinstance(evidence, dict) else None
        if isinstance(rows, list):
            return [r for r in rows if isinstance(r, dict)]
        # An older evidence shape: {field: {"level": ..., "weight": ...}} or {field: "text"}.
        out = []
        for name, value in evidence.items():
            if isinstance(value, dict):
                out.append({"field": name, **value})
            else:
                out.append({"field": name, "level": "", "weight": None, "detail": str(value)})
        return out

    @property
    def evidence_by_field(self) -> dict[str, dict[str, Any]]:
        return {str(r.get("field", "")): r for r in self.fields}

    @property
    def sides(self) -> dict[str, tuple[str, str]]:
        """What each compared field holds on the record's side and on the enterprise's."""
        r, e = self.record, self.enterprise
        code = (
            r.uscc if not r.record_key or r.record_key == r.uscc else f"{r.uscc} / {r.record_key}"
        )
        return {
            "identifier": (code.strip(" /"), e.uscc),
            "name": (r.name, e.name),
            "place": ("", f"{self.county_name} ({e.county_code})"),
            "legal_rep": (r.legal_rep, e.legal_representative),
            "address": (r.address, e.address),
            "phone": (r.phone, ""),
        }

    @property
    def alternatives(self) -> list[dict[str, Any]]:
        evidence = self.candidate.evidence or {}
        rows = evidence.get("alternatives") if isinstance(evidence, dict) else None
        return [r for r in rows if isinstance(r, dict)] if isinstance(rows, list) else []


_LINKED = (ReviewState.ACCEPTED, ReviewState.AUTOMATIC)


def _scoped(stmt: Any, actor: Actor) -> Any:
    if actor.counties is None:
        return stmt
    return stmt.where(
        LinkCandidate.enterprise_id.in_(
            select(Enterprise.id).where(Enterprise.county_code.in_(sorted(actor.counties)))
        )
    )


def _pairs(session: Session, candidates: Sequence[LinkCandidate]) -> list[Pair]:
    """Both sides of each candidate, one query per table (no query per pair)."""
    if not candidates:
        return []
    enterprises = {
        e.id: e
        for e in session.scalars(
            select(Enterprise).where(Enterprise.id.in_({c.enterprise_id for c in candidates}))
        )
    }
    batch_ids = {c.record.batch_id for c in candidates}
    batches = {
        b.id: b for b in session.scalars(select(ImportBatch).where(ImportBatch.id.in_(batch_ids)))
    }
    counties = dict(
        session.execute(
            select(Division.code, Division.name).where(
                Division.code.in_({e.county_code for e in enterprises.values()})
            )
        ).all()
    )
    deciders = {c.decided_by_id for c in candidates if c.decided_by_id}
    users = dict(
        session.execute(select(User.id, User.display_name).where(User.id.in_(deciders))).all()
        if deciders
        else []
    )
    accepted = [c.id for c in candidates if c.state in _LINKED]
    merges = dict(
        session.execute(
            select(Merge.candidate_id, Merge.id).where(
                Merge.candidate_id.in_(accepted), Merge.undone_at.is_(None)
            )
        ).all()
        if accepted
        else []
    )
    out = []
    for c in candidates:
        ent = enterprises[c.enterprise_id]
        out.append(
            Pair(
                candidate=c,
                record=c.record,
                batch=batches.get(c.record.batch_id),
                enterprise=ent,
                county_name=counties.get(ent.county_code, ""),
                decided_by=users.get(c.decided_by_id or 0, "") or "",
                merge_id=merges.get(c.id),
            )
        )
    return out


def queue(
    session: Session,
    actor: Actor,
    *,
    source: str | None = None,
    sort: str | None = None,
    page: int = 1,
    per_page: int = 20,
) -> Page[Pair]:
    """Pairs waiting for a reviewer within the actor's jurisdiction, most uncertain first by
    default (as :func:`casemgr.services.linking.review_queue`), optionally of one source.
    Raises PermissionDenied, InvalidInput (sort)."""
    require(actor, Permission.READ_ENTERPRISES)
    stmt = (
        select(LinkCandidate)
        .options(selectinload(LinkCandidate.record))
        .where(LinkCandidate.state == ReviewState.PENDING)
    )
    if source:
        stmt = stmt.where(
            LinkCandidate.record_id.in_(
                select(SourceRecord.id).where(SourceRecord.source == RecordSource(source))
            )
        )
    stmt = apply_sort(_scoped(stmt, actor), sort, QUEUE_SORTS, "-score", LinkCandidate.id)
    found = paginate(session, stmt, page=page, per_page=per_page)
    return Page(
        _pairs(session, found.items), found.page, found.per_page, found.total, found.total_exact
    )


def candidate_in_scope(session: Session, actor: Actor, candidate_id: int) -> LinkCandidate:
    """A candidate whose enterprise lies in the actor's jurisdiction. Raises PermissionDenied,
    NotFound, OutsideJurisdiction."""
    require(actor, Permission.READ_ENTERPRISES)
    candidate = session.get(LinkCandidate, candidate_id)
    if candidate is None:
        raise NotFound(kind="LinkCandidate", key=candidate_id)
    enterprise = session.get(Enterprise, candidate.enterprise_id)
    require_covers(actor, enterprise.county_code if enterprise is not None else None)
    return candidate


def pair(session: Session, actor: Actor, candidate_id: int) -> Pair:
    """One candidate with both sides. Raises PermissionDenied, NotFound, OutsideJurisdiction."""
    return _pairs(session, [candidate_in_scope(session, actor, candidate_id)])[0]


def pending_candidate(session: Session, actor: Actor, candidate_id: int) -> LinkCandidate:
    """A candidate a reviewer may still decide: in scope and pending, so that a page opened
    before someone else decided says so plainly rather than "changed by someone else".
    Raises PermissionDenied, NotFound, OutsideJurisdiction, Conflict."""
    require(actor, Permission.WRITE_ENTERPRISES)
    candidate = candidate_in_scope(session, actor, candidate_id)
    if candidate.state is not ReviewState.PENDING:
        raise Conflict(N_("This pair was already decided."))
    return candidate
