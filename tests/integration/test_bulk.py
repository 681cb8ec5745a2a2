"""Bulk writes take COPY on PostgreSQL and executemany on SQLite; both give the same rows."""

from __future__ import annotations

from sqlalchemy import func, select

from casemgr.models import Notification
from casemgr.policy import Role
from casemgr.repositories.bulk import COPY_THRESHOLD, reserve_ids, update_column
from casemgr.services import notifications
from casemgr.services.notifications import NewNotification

N = COPY_THRESHOLD + 100  # over the threshold: the COPY path on PostgreSQL


def _notes(user_id, keys):
    return [
        NewNotification(user_id, "bulk", f"k{k}", "Deadline: {title} (case {case_id})",
                        {"title": f"标题{k}", "case_id": k}, link=f"/cases/{k}", email=k % 2 == 0)
        for k in keys
    ]  # fmt: skip


def test_many_notifications_are_written_once_each_whatever_the_path(session, auth):
    user = auth.user(Role.OFFICER, jurisdictions=("520302",))
    assert notifications.add(session, _notes(user.id, range(50))) == 50
    session.commit()
    # 50 already there, N - 50 new, and a duplicate inside the batch itself is written once.
    assert notifications.add(session, _notes(user.id, [*range(N), 7, N - 1])) == N - 50
    session.commit()
    rows = session.scalars(select(Notification).where(Notification.user_id == user.id)).all()
    assert len(rows) == N
    by_key = {r.dedupe_key: r for r in rows}
    k = by_key[f"k{N - 1}"]
    assert k.params == {"title": f"标题{N - 1}", "case_id": N - 1} and k.email_due is (
        (N - 1) % 2 == 0
    )
    assert k.created_at.tzinfo is not None and k.read_at is None


def test_a_column_of_many_rows_is_set_in_bulk(session, auth):
    user = auth.user(Role.OFFICER, jurisdictions=("520302",))
    notifications.add(session, _notes(user.id, range(N)))
    session.commit()
    ids = session.scalars(select(Notification.id).order_by(Notification.id)).all()
    update_column(session, Notification, "link", [(i, f"/x/{i}") for i in ids])
    session.commit()
    session.expire_all()
    assert all(n.link == f"/x/{n.id}" for n in session.scalars(select(Notification)))
    reserved = reserve_ids(session, Notification, N)
    if session.get_bind().dialect.name == "postgresql":
        assert reserved is not None and len(set(reserved)) == N and min(reserved) > max(ids)
    else:
        assert reserved is None
    assert session.scalar(select(func.count()).select_from(Notification)) == N


def test_copied_rows_get_the_columns_python_defaults(session, auth):
    from casemgr.repositories.bulk import copy_rows

    user = auth.user(Role.OFFICER, jurisdictions=("520302",))
    copy_rows(
        session,
        Notification,
        [
            {"user_id": user.id, "kind": "bulk", "dedupe_key": f"d{k}", "subject": "x"}
            for k in range(N)
        ],
    )
    session.commit()
    rows = session.scalars(select(Notification).where(Notification.user_id == user.id)).all()
    assert len(rows) == N
    assert {(r.email_due, r.link, r.created_at is not None) for r in rows} == {(False, "", True)}
    assert all(r.params == {} for r in rows)
