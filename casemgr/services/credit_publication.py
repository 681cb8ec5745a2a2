"""Expiry of publication periods (公示期届满): an adverse tier (yellow and worse) published for
longer than the scheme's maximum publication period is rescored, and the credit regulators are
told how it ended (发改办财金〔2019〕527号: penalty information published at most 3 years; NDRC
失信行为纠正后的信用信息修复管理办法 (2023): removed automatically after the maximum period;
the months are the scheme's ``periods.publication_max_months``, DOMAIN.md §4.4)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from casemgr.db import transaction
from casemgr.i18n import N_
from casemgr.models import CreditScore, User
from casemgr.models.accounts import UserRole
from casemgr.policy import Role
from casemgr.services import notifications
from casemgr.services.credit import in_force
from casemgr.services.notifications import NewNotification
from credit.schemes import Scheme, Tier
from credit.scoring import months_before

ADVERSE = tuple(t.value for t in Tier if t.rank >= Tier.YELLOW.rank)


def expired(session: Session, scheme: Scheme, *, today: date) -> dict[int, tuple[str, date]]:
    """Enterprises whose tier in force is adverse and unchanged since before the maximum
    publication period: enterprise id -> (tier, day it took effect)."""
    cutoff = months_before(today, scheme.periods.publication_max_months)
    latest = (
        select(func.max(CreditScore.id).label("id"))
        .where(CreditScore.scheme == scheme.key, CreditScore.as_of <= today)
        .group_by(CreditScore.enterprise_id)
        .subquery()
    )
    rows = session.execute(
        select(CreditScore.enterprise_id, CreditScore.tier, CreditScore.as_of)
        .join(latest, CreditScore.id == latest.c.id)
        .where(CreditScore.as_of <= cutoff, CreditScore.tier.in_(ADVERSE))
    )
    return {eid: (tier or "", as_of) for eid, tier, as_of in rows}


def notify_expiries(
    session: Session, scheme: Scheme, before: dict[int, tuple[str, date]], *, today: date
) -> int:
    """Tell the credit regulators how each expired publication ended (after the rescoring)."""
    if not before:
        return 0
    regulators = list(
        session.scalars(
            select(UserRole.user_id)
            .join(User, User.id == UserRole.user_id)
            .where(UserRole.role == Role.CREDIT_REGULATOR, User.active.is_(True))
        )
    )
    now = in_force(session, scheme.key, today, before.keys())
    new = []
    for eid, (tier, since) in sorted(before.items()):
        after = now.get(eid)
        params = {
            "enterprise_id": eid,
            "tier": tier,
            "since": since.isoformat(),
            "now": (after.tier if after is not None else None) or "-",
        }
        for uid in regulators:
            new.append(
                NewNotification(
                    user_id=uid,
                    kind="credit_publication_expired",
                    dedupe_key=f"publication:{eid}:{since.isoformat()}",
                    subject=N_(
                        "Publication period of enterprise {enterprise_id}'s {tier} tier (since "
                        "{since}) ended; its tier is now {now}"
                    ),
                    params=params,
                    link=f"/enterprises/{eid}/credit",
                )
            )
    with transaction(session):
        return notifications.add(session, new)
