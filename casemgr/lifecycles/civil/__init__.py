"""Public-interest litigation (公益诉讼) lifecycles: DOMAIN.md §3.1, §3.2, §2.2 (incidental suit).

Two channels share this package.

``civil_pil`` (环境民事公益诉讼): a suit for the environmental public interest brought by a social
organisation (``kind`` "ngo", 环境保护法 art. 58), by the procuratorate once its 30-day pre-suit
announcement has run without another plaintiff ("procuratorate", 民事诉讼法 2023 art. 58 ¶2), or
by the procuratorate together with a criminal indictment ("incidental", 刑事附带民事公益诉讼).
Filing → acceptance (copy to the defendant, the court's notice and 30-day joining window for an
NGO's suit, notice to the regulator) → trial → judgment, or a settlement published for 30 days
and a mediation document → appeal or finality → enforcement → closed. A compensation suit on the
same act (生态环境损害赔偿) suspends the PIL until it is decided.

``administrative_pil`` (行政公益诉讼): the procuratorate files a clue, investigates, and sends a
recommendation (检察建议) to an agency that fails its supervisory duty; the agency replies within
2 months (15 days when urgent); the procuratorate checks whether it performed and either closes
the matter or sues; the court's judgment is one of the kinds listed in 检察公益诉讼解释 art. 25.

Besides each :class:`~casemgr.lifecycles.Lifecycle` the package exports what one generic service
needs to drive a channel, bundled in a :class:`~casemgr.lifecycles.ChannelSpec` per channel
(:data:`CIVIL_PIL_SPEC`, :data:`ADMIN_PIL_SPEC`) and also as prefixed constants
(``CIVIL_PIL_EVENT_ORGAN`` ...). The rules whose choice depends on the facts (the reply period of
an urgent recommendation; the court limits and appeal period of an incidental suit, which follow
the criminal case) are not in the static ``opens``: :func:`extra_rules` names them for a step. A
code in ``meets`` whose clock was never started on the case is simply not there to mark. The
``kind`` of a civil suit is given when the case is opened and kept in its details.

Modules: :mod:`~casemgr.lifecycles.civil.pil_guards` (who may bring a civil suit, its facts, rules
and guards) and :mod:`~casemgr.lifecycles.civil.pil` (its statuses and tables);
:mod:`~casemgr.lifecycles.civil.administrative_pil` (the administrative case);
:mod:`~casemgr.lifecycles.civil.common` (the clock helpers both share). This package re-exports
their public names and holds :data:`OPENS_BY_FACTS` and :func:`extra_rules`, which span both.

Example
-------
>>> from datetime import date
>>> facts = CivilPilFacts(
...     today=date(2026, 3, 2), kind="procuratorate", due={"civil.announcement": date(2026, 3, 1)}
... )
>>> CIVIL_PIL.next_status(CivilPilStatus.ANNOUNCED, CivilPilEvent.PROSECUTE_SUIT, facts)
<CivilPilStatus.SUIT_FILED: 'suit_filed'>
>>> reply_rule(urgent=True), appeal_rule("incidental")
('admin_pil.reply_urgent', 'civil.appeal_incidental')
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

# Every name of __all__, and the guard functions too: public, outside __all__, reached as
# ``civil.ngo_standing`` ... (hence the noqa: F401 on the blocks that import guards).
from casemgr.lifecycles.civil.administrative_pil import (  # noqa: F401
    ADMIN_PIL,
    ADMIN_PIL_COMPUTED,
    ADMIN_PIL_ENDINGS,
    ADMIN_PIL_EVENT_ORGAN,
    ADMIN_PIL_FIELDS,
    ADMIN_PIL_GUARDS,
    ADMIN_PIL_MEETS,
    ADMIN_PIL_OPENS,
    ADMIN_PIL_OPENS_BY_FACTS,
    ADMIN_PIL_RECORDS,
    ADMIN_PIL_REQUIRES,
    ADMIN_PIL_RULES,
    ADMIN_PIL_SPEC,
    ADMIN_PIL_TRANSITIONS,
    AdminPilEvent,
    AdminPilFacts,
    AdminPilJudgment,
    AdminPilRule,
    AdminPilStatus,
    admin_appeal_in_time,
    admin_appeal_period_run,
    admin_withdrawal,
    agency_not_performed,
    agency_performed,
    judgment_kind,
    reply_or_period_run,
    reply_rule,
)
from casemgr.lifecycles.civil.pil import (
    CIVIL_PIL,
    CIVIL_PIL_COMPUTED,
    CIVIL_PIL_ENDINGS,
    CIVIL_PIL_EVENT_ORGAN,
    CIVIL_PIL_FIELDS,
    CIVIL_PIL_GUARDS,
    CIVIL_PIL_MEETS,
    CIVIL_PIL_OPENS,
    CIVIL_PIL_OPENS_BY_FACTS,
    CIVIL_PIL_RECORDS,
    CIVIL_PIL_REQUIRES,
    CIVIL_PIL_SPEC,
    CIVIL_PIL_TRANSITIONS,
    CivilPilStatus,
)
from casemgr.lifecycles.civil.pil_guards import (  # noqa: F401
    CIVIL_PIL_RULES,
    INCIDENTAL_ANNOUNCEMENT,
    NGO_STANDING,
    CivilPilEvent,
    CivilPilFacts,
    CivilPilRule,
    IncidentalAnnouncement,
    NgoStanding,
    PilKind,
    RegistrationLevel,
    acceptance_notice,
    announcement_run,
    appeal_in_time,
    appeal_period_run,
    appeal_rule,
    incidental_announcement,
    incidental_with_indictment,
    joining_window,
    joining_window_closed,
    kind_announcing,
    kind_incidental,
    kind_ngo,
    kind_procuratorate,
    ngo_standing,
    no_withdrawal_after_debate,
    no_withdrawal_on_settlement,
    procuratorate_withdrawal,
    settlement_notice_run,
)

__all__ = [
    "ADMIN_PIL",
    "ADMIN_PIL_COMPUTED",
    "ADMIN_PIL_ENDINGS",
    "ADMIN_PIL_EVENT_ORGAN",
    "ADMIN_PIL_FIELDS",
    "ADMIN_PIL_GUARDS",
    "ADMIN_PIL_MEETS",
    "ADMIN_PIL_OPENS",
    "ADMIN_PIL_OPENS_BY_FACTS",
    "ADMIN_PIL_RECORDS",
    "ADMIN_PIL_REQUIRES",
    "ADMIN_PIL_RULES",
    "ADMIN_PIL_SPEC",
    "ADMIN_PIL_TRANSITIONS",
    "CIVIL_PIL",
    "CIVIL_PIL_COMPUTED",
    "CIVIL_PIL_ENDINGS",
    "CIVIL_PIL_EVENT_ORGAN",
    "CIVIL_PIL_FIELDS",
    "CIVIL_PIL_GUARDS",
    "CIVIL_PIL_MEETS",
    "CIVIL_PIL_OPENS",
    "CIVIL_PIL_OPENS_BY_FACTS",
    "CIVIL_PIL_RECORDS",
    "CIVIL_PIL_REQUIRES",
    "CIVIL_PIL_RULES",
    "CIVIL_PIL_SPEC",
    "CIVIL_PIL_TRANSITIONS",
    "OPENS_BY_FACTS",
    "INCIDENTAL_ANNOUNCEMENT",
    "NGO_STANDING",
    "AdminPilEvent",
    "AdminPilFacts",
    "AdminPilJudgment",
    "AdminPilRule",
    "AdminPilStatus",
    "CivilPilEvent",
    "CivilPilFacts",
    "CivilPilRule",
    "CivilPilStatus",
    "IncidentalAnnouncement",
    "NgoStanding",
    "PilKind",
    "RegistrationLevel",
    "appeal_rule",
    "extra_rules",
    "reply_rule",
]


OPENS_BY_FACTS: Mapping[str, Mapping[Any, Callable[[Any], tuple[str, ...]]]] = MappingProxyType(
    {CIVIL_PIL.name: CIVIL_PIL_OPENS_BY_FACTS, ADMIN_PIL.name: ADMIN_PIL_OPENS_BY_FACTS}
)


def extra_rules(track: str, event: str, facts: Any) -> tuple[str, ...]:
    """Legal-clock rules a step also starts, chosen from its facts (not in the static OPENS).

    The service opens them after the static ``opens`` of the event, with the facts it built for
    the guards.

    >>> from datetime import date
    >>> extra_rules("administrative_pil", "issue_recommendation",
    ...             AdminPilFacts(today=date(2026, 3, 2), urgent=True))
    ('admin_pil.reply_urgent',)
    >>> extra_rules("civil_pil", "serve_judgment", CivilPilFacts(date(2026, 3, 2), kind="ngo"))
    ('civil.appeal',)
    >>> extra_rules("civil_pil", "judge", CivilPilFacts(date(2026, 3, 2)))
    ()
    """
    opens = OPENS_BY_FACTS.get(track, {}).get(event)
    return opens(facts) if opens is not None else ()
