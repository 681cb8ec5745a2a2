"""The audit trail records every change, and `casemgr audit verify` finds tampering."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from casemgr.exceptions import Conflict
from casemgr.models import AuditEntry, AuditSeal
from casemgr.policy import SYSTEM_ACTOR
from casemgr.services import audit, enterprises
from tests.factories import uscc_for


def _register(session, n: int):
    return enterprises.create_enterprise(
        session,
        SYSTEM_ACTOR,
        {"uscc": uscc_for(n), "name": f"贵州审计测试{n}有限公司", "county_code": "520102"},
    )


def _raw(session, sql: str, **params) -> None:
    """Change the database behind the application's back, as a DBA with full rights could."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("ALTER TABLE audit_entries DISABLE TRIGGER audit_entries_append_only"))
    session.execute(text(sql), params)
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("ALTER TABLE audit_entries ENABLE TRIGGER audit_entries_append_only"))
    session.commit()


def test_every_change_is_recorded_with_before_and_after(session):
    ent = _register(session, 1)
    enterprises.update_enterprise(
        session, SYSTEM_ACTOR, ent.id, {"address": "新地址"}, expected_version=1
    )
    rows = session.scalars(
        select(AuditEntry).where(AuditEntry.table_name == "enterprises").order_by(AuditEntry.id)
    ).all()
    assert [r.action for r in rows] == ["create", "update"]
    assert rows[0].after["uscc"] == ent.uscc and rows[0].record_key == str(ent.id)
    assert rows[1].before == {"address": "", "version": 1}
    assert rows[1].after == {"address": "新地址", "version": 2}
    assert rows[1].actor_name == "system"


def test_a_rolled_back_change_leaves_no_entry(session):
    _register(session, 1)
    before = session.scalar(select(AuditEntry.id).order_by(AuditEntry.id.desc()).limit(1))
    with pytest.raises(Conflict):
        _register(session, 1)  # duplicate: the service rolls back
    after = session.scalar(select(AuditEntry.id).order_by(AuditEntry.id.desc()).limit(1))
    assert before == after


def test_an_intact_trail_verifies(session, runner):
    for n in range(3):
        _register(session, n)
    assert audit.seal_pending(session, batch_size=2) > 0
    _register(session, 10)  # one unsealed entry too
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "intact" in result.output


@pytest.mark.parametrize("sealed", [True, False])
def test_altering_one_row_makes_verify_fail_and_name_it(session, runner, sealed):
    for n in range(3):
        _register(session, n)
    if sealed:
        audit.seal_pending(session)
    victim = session.scalars(select(AuditEntry.id).order_by(AuditEntry.id)).all()[2]
    _raw(session, "UPDATE audit_entries SET actor_name = 'someone else' WHERE id = :id", id=victim)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"audit entry {victim}: altered" in result.output


def test_deleting_a_sealed_row_is_named(session, runner):
    for n in range(3):
        _register(session, n)
    audit.seal_pending(session)
    victim = session.scalars(select(AuditEntry.id).order_by(AuditEntry.id)).all()[1]
    _raw(session, "DELETE FROM audit_entries WHERE id = :id", id=victim)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"audit entry {victim}: deleted" in result.output


def test_an_inserted_row_inside_a_seal_is_named(session):
    for n in range(2):
        _register(session, n)
    audit.seal_pending(session)
    seal_id = session.scalar(select(AuditSeal.id))
    template = session.scalars(select(AuditEntry).order_by(AuditEntry.id)).first()
    _raw(
        session,
        "INSERT INTO audit_entries (id, at, actor_name, action, table_name, record_key, mac, "
        "seal_id) VALUES (999999, :at, 'forger', 'update', 'enterprises', '1', :mac, :seal)",
        at=template.at,
        mac=template.mac,
        seal=seal_id,
    )
    report = audit.verify(session)
    assert not report.ok
    assert (report.first.entry_id, report.first.kind) == (999999, "inserted")


def test_a_forged_seal_chain_is_detected(session):
    for n in range(4):
        _register(session, n)
    audit.seal_pending(session, batch_size=3)
    first_seal = session.scalar(select(AuditSeal).order_by(AuditSeal.id))
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("ALTER TABLE audit_seals DISABLE TRIGGER audit_seals_append_only"))
    session.execute(
        text("UPDATE audit_seals SET mac = :m WHERE id = :id"), {"m": "f" * 64, "id": first_seal.id}
    )
    session.commit()
    kinds = {p.kind for p in audit.verify(session).problems}
    assert {"seal_altered", "seal_chain_broken"} <= kinds


def test_sealing_is_idempotent_and_chains(session):
    for n in range(5):
        _register(session, n)
    total = session.scalar(select(AuditEntry.id).order_by(AuditEntry.id.desc()).limit(1))
    assert audit.seal_pending(session, batch_size=4) == total
    assert audit.seal_pending(session) == 0
    seals = session.scalars(select(AuditSeal).order_by(AuditSeal.id)).all()
    assert all(b.prev_mac == a.mac for a, b in zip(seals, seals[1:], strict=False))


def test_postgres_refuses_to_update_or_delete_entries(session):
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("the append-only trigger exists on PostgreSQL only")
    _register(session, 1)
    for sql in ("UPDATE audit_entries SET actor_name = 'x'", "DELETE FROM audit_entries"):
        with pytest.raises(DBAPIError, match="append-only"):
            session.execute(text(sql))
        session.rollback()
