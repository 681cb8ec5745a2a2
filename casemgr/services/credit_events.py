"""Incremental credit rescoring after case events (事件触发的信用重评).

Any unit of work that records a case step, a payment, a payment arrangement or a coercive
measure marks the case; once it commits, the party enterprises of the marked cases are
rescored (:func:`casemgr.services.credit.rescore`, reason ``event``) in a unit of work of their
own. A failure there is logged and left to the nightly run: the case event stands.
"""

from __future__ import annotations

import logging
from itertools import chain
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from casemgr.db import after_commit
from casemgr.models import (
    Case,
    CaseTransition,
    CoerciveMeasure,
    Payment,
    PaymentArrangement,
    ScoreReason,
)
from casemgr.policy import SYSTEM_ACTOR
from casemgr.services import credit

__all__ = ["configure"]

log = logging.getLogger(__name__)
_TRACKED = (CaseTransition, Payment, PaymentArrangement, CoerciveMeasure)
_MARKED = "credit_marked_cases"
_settings: dict[str, Any] = {"enabled": True, "scheme": "guizhou-2019"}


def configure(*, enabled: bool, scheme: str) -> None:
    """Set by the application factory from ``CREDIT_RESCORE_ON_EVENT`` and ``CREDIT_SCHEME``."""
    _settings.update(enabled=enabled, scheme=scheme)


def current_scheme_name() -> str:
    return str(_settings["scheme"])


@event.listens_for(Session, "after_flush")
def _mark(session: Session, flush_context: Any) -> None:
    ids = {
        obj.case_id
        for obj in chain(session.new, session.dirty)
        if isinstance(obj, _TRACKED) and obj.case_id is not None
    }
    if ids and _settings["enabled"]:
        session.info.setdefault(_MARKED, set()).update(ids)
        after_commit(session, "credit", _rescore_marked)


def _rescore_marked(session: Session) -> None:
    case_ids = session.info.pop(_MARKED, set())
    ids: set[int] = set(
        session.scalars(
            select(Case.party_enterprise_id).where(
                Case.id.in_(case_ids), Case.party_enterprise_id.is_not(None)
            )
        )
    )
    session.commit()  # end the read transaction before the rescoring's own
    if not ids:
        return
    try:
        scheme = credit.scheme_named(current_scheme_name())
        credit.rescore(session, SYSTEM_ACTOR, scheme, enterprise_ids=ids, reason=ScoreReason.EVENT)
    except Exception:  # noqa: BLE001 - the committed case event must stand; nightly repairs it
        session.rollback()
        log.exception("credit rescoring after a case event failed for enterprises %s", ids)
