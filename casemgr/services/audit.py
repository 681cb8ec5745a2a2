"""The audit trail's use cases: sealing batches, verifying the trail, querying it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from casemgr.db import advisory_xact_lock, transaction
from casemgr.models import AuditEntry, AuditSeal
from casemgr.models.audit import canonical, entry_mac_of, signer
from casemgr.policy import Actor, Permission
from casemgr.repositories.common import Page, apply_sort, paginate
from casemgr.services.access import require

GENESIS = "0" * 64
SEAL_LOCK_ID = 0x5EA1  # PostgreSQL advisory lock: one sealer at a time; writers never wait.


def seal_mac(prev_mac: str, leaves: list[list[object]]) -> str:
    return signer.mac(prev_mac + "|" + canonical(leaves))


def seal_pending(session: Session, *, batch_size: int = 1000, max_batches: int = 1000) -> int:
    """Group unsealed entries into chained seals; returns the number of entries sealed.

    Entries are sealed by set, not by id range, so an entry whose transaction committed late
    (a lower id appearing after higher ones) is sealed in the next batch instead of looking
    inserted.
    """
    sealed = 0
    for _ in range(max_batches):
        with transaction(session):
            advisory_xact_lock(session, SEAL_LOCK_ID)
            rows = session.execute(
                select(AuditEntry.id, AuditEntry.mac)
                .where(AuditEntry.seal_id.is_(None))
                .order_by(AuditEntry.id)
                .limit(batch_size)
            ).all()
            if not rows:
                break
            last = session.scalar(select(AuditSeal).order_by(AuditSeal.id.desc()).limit(1))
            prev = last.mac if last is not None else GENESIS
            leaves: list[list[object]] = [[r.id, r.mac] for r in rows]
            seal = AuditSeal(
                entry_count=len(leaves), leaves=leaves, prev_mac=prev, mac=seal_mac(prev, leaves)
            )
            session.add(seal)
            session.flush()
            session.execute(
                update(AuditEntry)
                .where(AuditEntry.id.in_([r.id for r in rows]))
                .values(seal_id=seal.id)
            )
            sealed += len(rows)
    return sealed


@dataclass(frozen=True, order=True)
class Problem:
    """One finding of ``verify``: which entry (or seal) and what is wrong with it."""

    entry_id: int
    kind: str  # altered | inserted | deleted | seal_altered | seal_chain_broken
    detail: str = field(compare=False, default="")

    def __str__(self) -> str:
        detail = f" ({self.detail})" if self.detail else ""
        return f"audit entry {self.entry_id}: {self.kind}{detail}"


@dataclass(frozen=True)
class VerifyReport:
    entries: int
    seals: int
    unsealed: int
    problems: list[Problem]

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def first(self) -> Problem | None:
        return min(self.problems) if self.problems else None


def _entries_of(session: Session, seal_id: int | None) -> Iterator[AuditEntry]:
    stmt = select(AuditEntry).order_by(AuditEntry.id)
    stmt = stmt.where(
        AuditEntry.seal_id.is_(None) if seal_id is None else AuditEntry.seal_id == seal_id
    )
    yield from session.scalars(stmt.execution_options(yield_per=1000))


def verify(session: Session) -> VerifyReport:
    """Check every entry's MAC and every seal's membership and chain."""
    problems: list[Problem] = []
    n_entries = n_seals = n_unsealed = 0
    prev = GENESIS
    for seal in session.scalars(select(AuditSeal).order_by(AuditSeal.id)):
        n_seals += 1
        leaves = [(int(i), str(m)) for i, m in seal.leaves]
        first_id = leaves[0][0] if leaves else 0
        if seal.prev_mac != prev:
            problems.append(
                Problem(
                    first_id,
                    "seal_chain_broken",
                    f"seal {seal.id}: a seal before it was removed or altered",
                )
            )
        if seal.mac != seal_mac(
            seal.prev_mac, [list(x) for x in leaves]
        ) or seal.entry_count != len(leaves):
            problems.append(Problem(first_id, "seal_altered", f"seal {seal.id}"))
        prev = seal.mac
        expected = dict(leaves)
        seen: set[int] = set()
        for e in _entries_of(session, seal.id):
            n_entries += 1
            seen.add(e.id)
            if e.id not in expected:
                problems.append(Problem(e.id, "inserted", f"not listed in seal {seal.id}"))
            elif e.mac != expected[e.id] or entry_mac_of(e) != e.mac:
                problems.append(Problem(e.id, "altered", f"{e.table_name} {e.record_key}"))
        for missing in sorted(expected.keys() - seen):
            problems.append(Problem(missing, "deleted", f"listed in seal {seal.id}"))
    for e in _entries_of(session, None):
        n_entries += 1
        n_unsealed += 1
        if entry_mac_of(e) != e.mac:
            problems.append(Problem(e.id, "altered", f"{e.table_name} {e.record_key}"))
    problems.sort()
    return VerifyReport(entries=n_entries, seals=n_seals, unsealed=n_unsealed, problems=problems)


@dataclass(frozen=True)
class AuditFilter:
    table_name: str | None = None
    record_key: str | None = None
    actor_id: int | None = None
    action: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def query_entries(
    session: Session,
    actor: Actor,
    f: AuditFilter,
    *,
    page: int = 1,
    per_page: int = 50,
    sort: str | None = None,
) -> Page[AuditEntry]:
    """Raises PermissionDenied, InvalidInput (unknown sort field)."""
    require(actor, Permission.READ_AUDIT)
    stmt = select(AuditEntry)
    if f.table_name:
        stmt = stmt.where(AuditEntry.table_name == f.table_name)
    if f.record_key:
        stmt = stmt.where(AuditEntry.record_key == f.record_key)
    if f.actor_id is not None:
        stmt = stmt.where(AuditEntry.actor_id == f.actor_id)
    if f.action:
        stmt = stmt.where(AuditEntry.action == f.action)
    if f.since:
        stmt = stmt.where(AuditEntry.at >= f.since)
    if f.until:
        stmt = stmt.where(AuditEntry.at < f.until)
    stmt = apply_sort(stmt, sort, {"id": AuditEntry.id, "at": AuditEntry.at}, "-id", AuditEntry.id)
    return paginate(session, stmt, page=page, per_page=per_page)
