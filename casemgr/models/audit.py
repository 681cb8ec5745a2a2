"""The append-only, tamper-evident audit trail (审计日志).

Every insert, update and delete of an ``Audited`` model is written by a session listener in the
same transaction as the change, so no service can forget it and a rolled-back change leaves no
entry. Each entry carries an HMAC of its content under a key the database does not hold, so an
entry altered in the database no longer matches its MAC. Entries are inserted independently (no
chain pointer to the previous entry, hence no global lock); a sealing job later groups unsealed
entries into seals, each seal listing its entries' ids and MACs and chained to the previous seal
by an HMAC, which makes deleted and inserted entries evident too.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import json
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Integer, String, event, insert, inspect
from sqlalchemy.orm import Mapped, Session, mapped_column

from casemgr.db import Base, JSONType, UTCDateTime, utcnow

BigId = BigInteger().with_variant(Integer, "sqlite")


class AuditAction(enum.StrEnum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    READ = "read"  # a read of a case record by a prosecutor or judge


class AuditEntry(Base):
    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(Integer, index=True)
    actor_name: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(16))
    table_name: Mapped[str] = mapped_column(String(64))
    record_key: Mapped[str] = mapped_column(String(128))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    mac: Mapped[str] = mapped_column(String(64))
    seal_id: Mapped[int | None] = mapped_column(ForeignKey("audit_seals.id"), index=True)


class AuditSeal(Base):
    """A batch of audit entries, chained to the previous seal (a hash chain of batches)."""

    __tablename__ = "audit_seals"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    sealed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    entry_count: Mapped[int] = mapped_column(Integer)
    # [[entry id, entry mac], ...] in id order
    leaves: Mapped[list[list[Any]]] = mapped_column(JSONType)
    prev_mac: Mapped[str] = mapped_column(String(64))
    mac: Mapped[str] = mapped_column(String(64))


class _Signer:
    """Holds the audit key; ``create_app`` configures it from settings."""

    def __init__(self) -> None:
        self._key: bytes | None = None

    def configure(self, key: bytes) -> None:
        self._key = key

    @property
    def key(self) -> bytes:
        if self._key is None:
            raise RuntimeError("the audit key is not configured (create_app sets it)")
        return self._key

    def mac(self, payload: str) -> str:
        return hmac.new(self.key, payload.encode("utf-8"), hashlib.sha256).hexdigest()


signer = _Signer()


def _plain(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return value.hex()
    return value


def canonical(data: Any) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def entry_payload(
    *,
    at: datetime,
    actor_id: int | None,
    actor_name: str,
    action: str,
    table_name: str,
    record_key: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> str:
    return canonical(
        {
            "at": _plain(at),
            "actor_id": actor_id,
            "actor_name": actor_name,
            "action": action,
            "table": table_name,
            "key": record_key,
            "before": before,
            "after": after,
        }
    )


def entry_mac_of(entry: AuditEntry) -> str:
    return signer.mac(
        entry_payload(
            at=entry.at,
            actor_id=entry.actor_id,
            actor_name=entry.actor_name,
            action=entry.action,
            table_name=entry.table_name,
            record_key=entry.record_key,
            before=entry.before,
            after=entry.after,
        )
    )


def _actor_fields(session: Session) -> tuple[int | None, str]:
    actor = session.info.get("actor")
    if actor is None:
        return None, "system"
    return (getattr(actor, "user_id", None) or None), getattr(actor, "username", "system")


def write_entry(
    session: Session,
    *,
    action: AuditAction,
    table_name: str,
    record_key: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Insert one entry through the session's connection (safe inside a flush)."""
    actor_id, actor_name = _actor_fields(session)
    at = utcnow()
    mac = signer.mac(
        entry_payload(
            at=at,
            actor_id=actor_id,
            actor_name=actor_name,
            action=action.value,
            table_name=table_name,
            record_key=record_key,
            before=before,
            after=after,
        )
    )
    session.connection().execute(
        insert(AuditEntry).values(
            at=at,
            actor_id=actor_id,
            actor_name=actor_name,
            action=action.value,
            table_name=table_name,
            record_key=record_key,
            before=before,
            after=after,
            mac=mac,
        )
    )


def _state_values(obj: Any, *, old: bool, bumped: bool = False) -> dict[str, Any]:
    state = inspect(obj)
    version_col = state.mapper.version_id_col
    out: dict[str, Any] = {}
    for attr in state.mapper.column_attrs:
        if attr.key in {"password_hash", "created_at", "updated_at"}:
            continue  # secrets and bookkeeping stay out of the trail
        if version_col is not None and attr.columns[0] is version_col:
            # The version counter is bumped without attribute history (+1 per update).
            current = getattr(obj, attr.key)
            out[attr.key] = current - 1 if old and bumped and current else current
            continue
        hist = state.attrs[attr.key].history
        if old and hist.deleted:
            value = hist.deleted[0]
        elif not old and hist.added:
            value = hist.added[0]
        elif hist.unchanged:
            value = hist.unchanged[0]
        else:
            value = getattr(obj, attr.key, None) if not old else None
        out[attr.key] = _plain(value)
    return out


def _record_key(obj: Any) -> str:
    # The identity map key is assigned only after the flush; read the primary key columns.
    values = inspect(obj).mapper.primary_key_from_instance(obj)
    return "/".join(str(_plain(v)) for v in values)


@event.listens_for(Session, "after_flush")
def _audit_after_flush(session: Session, flush_context: Any) -> None:
    for obj in session.new:
        if getattr(obj, "__audited__", False):
            write_entry(
                session,
                action=AuditAction.CREATE,
                table_name=obj.__tablename__,
                record_key=_record_key(obj),
                after=_state_values(obj, old=False),
            )
    for obj in session.dirty:
        if getattr(obj, "__audited__", False) and session.is_modified(obj):
            before = _state_values(obj, old=True, bumped=True)
            after = _state_values(obj, old=False)
            changed = {k for k in after if before.get(k) != after.get(k)}
            changed.discard("version")
            if not changed:
                continue
            write_entry(
                session,
                action=AuditAction.UPDATE,
                table_name=obj.__tablename__,
                record_key=_record_key(obj),
                before={k: before[k] for k in sorted(changed | {"version"} & before.keys())},
                after={k: after[k] for k in sorted(changed | {"version"} & after.keys())},
            )
    for obj in session.deleted:
        if getattr(obj, "__audited__", False):
            write_entry(
                session,
                action=AuditAction.DELETE,
                table_name=obj.__tablename__,
                record_key=_record_key(obj),
                before=_state_values(obj, old=True),
            )
