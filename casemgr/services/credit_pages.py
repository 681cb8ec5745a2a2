"""Read queries of the credit pages (信用): the tier list in force, the objections (异议) and
credit repairs (信用修复) with the record each concerns, and the records an enterprise may
dispute.

Everything here reads; filing and deciding go through :mod:`casemgr.services.credit_requests`
(the same services as the API). Every query keeps to the actor's jurisdiction, by the county
of the enterprise.

Speed. The tier in force today is an enterprise's row of ``credit_current`` (the latest
stored score, kept with every score written; :mod:`casemgr.repositories.credit_current`). The
tier list without a tier joins it to the enterprises in name order (the name index walked, each
enterprise's row probed by its key, stopping once a page is full). With a tier, the page's
enterprises are the tier's rows in name order, which carry the enterprise's name and county
(``ix_credit_current_tier_name``): a page at any depth is an offset within that tier's index
entries. The number of enterprises of a tier comes from the tier counts kept with the rows (a
row per county), so a tier filter shows its total.
For a day before some enterprise's latest score, the score in force is read from the history
instead (one probe of ``ix_credit_scores_history`` per enterprise walked), without a total.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Select, literal, select, text
from sqlalchemy.orm import Session

from casemgr.exceptions import Conflict, InvalidInput, NotFound
from casemgr.i18n import N_
from casemgr.legalbasis import Basis, Citation, Law
from casemgr.models import (
    CaseTransition,
    CoerciveMeasure,
    CreditObjection,
    CreditRepair,
    CreditScore,
    Division,
    Enterprise,
    RequestState,
    User,
)
from casemgr.models.territories import DivisionLevel
from casemgr.policy import Actor, Permission
from casemgr.repositories import credit_current
from casemgr.services.access import require, require_covers
from casemgr.services.credit import in_force
from casemgr.services.credit_facts import facts_of
from casemgr.services.localtime import local_today
from credit.facts import Fact, FactKind, effective_facts
from credit.schemes import Scheme
from credit.scoring import months_after

__all__ = [
    "ABNORMAL",
    "KINDS",
    "STATES",
    "UNSCORED",
    "Slice",
    "TierRow",
    "counties_in_scope",
    "disputable_facts",
    "enterprise_in_scope",
    "pending_request",
    "request_detail",
    "requests",
    "tier_list",
]

T = TypeVar("T")

ABNORMAL = "abnormal"  # a score without a tier (异常, not rateable), as credit_export names it
UNSCORED = "unscored"  # no stored score yet

KINDS = ("objection", "repair")  # 异议, 信用修复
STATES = tuple(s.value for s in RequestState)
_MODELS: Mapping[str, Any] = {"objection": CreditObjection, "repair": CreditRepair}

# Where the periods come from (DOMAIN.md §4.1, §4.4); the numbers are the scheme's own. The
# repair rules are [V] from an application guide, their attribution to the NDRC measures [R].
EVALUATION_BASIS: Basis = (Citation(Law.ENV_CREDIT_EVALUATION_MEASURES),)
REPAIR_BASIS: Basis = (
    Citation(
        Law.CREDIT_REPAIR_MEASURES,
        note=N_(
            "repair may be applied for once the shortest publication period of the penalty "
            "information has passed; publication stops when the longest period ends"
        ),
        recalled=True,
    ),
)
_NOT_DISPUTABLE = {FactKind.REPAIR, FactKind.CORRECTION, FactKind.NOT_RATEABLE}
_INDUSTRY = re.compile(r"[A-T]\d{0,4}")  # GB/T 4754-2017 (as credit_export checks it)


@dataclass(frozen=True)
class Slice(Generic[T]):
    """One page of a list: its rows, whether another page follows, and the number of rows in
    all when it is known without counting them (None otherwise)."""

    items: Sequence[T]
    page: int
    per_page: int
    has_next: bool
    total: int | None = None


def _slice(rows: Sequence[T], page: int, per_page: int, total: int | None = None) -> Slice[T]:
    return Slice(rows[:per_page], page, per_page, len(rows) > per_page, total)


def enterprise_in_scope(session: Session, actor: Actor, enterprise_id: int) -> Enterprise:
    """An enterprise of the actor's jurisdiction. Raises PermissionDenied, NotFound,
    OutsideJurisdiction."""
    require(actor, Permission.READ_ENTERPRISES)
    enterprise = session.get(Enterprise, enterprise_id)
    if enterprise is None:
        raise NotFound(kind="Enterprise", key=enterprise_id)
    require_covers(actor, enterprise.county_code)
    return enterprise


def counties_in_scope(session: Session, actor: Actor) -> list[tuple[str, str]]:
    """(code, name) of the counties the actor may list, by code."""
    stmt = select(Division.code, Division.name).where(Division.level == DivisionLevel.COUNTY)
    if actor.counties is not None:
        stmt = stmt.where(Division.code.in_(sorted(actor.counties)))
    return [(code, name) for code, name in session.execute(stmt.order_by(Division.code))]


def _county_names(session: Session, codes: set[str]) -> dict[str, str]:
    if not codes:
        return {}
    stmt = select(Division.code, Division.name).where(Division.code.in_(codes))
    return {code: name for code, name in session.execute(stmt)}


# -- the tier list ----------------------------------------------------------------------------


@dataclass(frozen=True)
class TierRow:
    enterprise_id: int
    name: str
    uscc: str
    county_code: str
    county_name: str
    industry_code: str
    industry_name: str
    tier: str  # a scheme tier, ABNORMAL or UNSCORED
    sublevel: int | None
    points: float | None
    as_of: date | None


def _check_tier_filters(
    scheme: Scheme, tier: str | None, industry: str | None, as_of: date
) -> None:
    errors: dict[str, list[str]] = {}
    params: dict[str, Any] = {}
    # No filter for "not yet scored": every enterprise is scored by the nightly run, so such
    # a page would walk the whole register to find none.
    tiers = [rule.tier.value for rule in scheme.tiers] + [ABNORMAL]
    if tier and tier not in tiers:
        errors["tier"] = [N_("Unknown tier {tier}: scheme {scheme} has {tiers}.")]
        params.update(tier=tier, scheme=scheme.key, tiers=", ".join(tiers))
    if industry and not _INDUSTRY.fullmatch(industry):
        errors["industry"] = [
            N_(
                "Invalid industry code prefix {code}: a GB/T 4754 section letter and up "
                "to four digits, e.g. C26."
            )
        ]
        params.update(code=industry)
    if as_of > local_today():
        errors["as_of"] = [N_("The as-of date {as_of} is in the future.")]
        params.update(as_of=as_of.isoformat())
    if errors:
        raise InvalidInput(errors=errors, **params)


def tier_list(
    session: Session,
    actor: Actor,
    scheme: Scheme,
    *,
    tier: str | None = None,
    county: str | None = None,
    industry: str | None = None,
    as_of: date | None = None,
    page: int = 1,
    per_page: int = 30,
) -> Slice[TierRow]:
    """Enterprises of the actor's jurisdiction with their tier in force on a day (today by
    default), in name order, filtered by tier, county and industry (GB/T 4754 prefix).
    Raises PermissionDenied, OutsideJurisdiction (a county outside it), InvalidInput."""
    require(actor, Permission.READ_ENTERPRISES)
    day = as_of or local_today()
    _check_tier_filters(scheme, tier, industry, day)
    if county:
        require_covers(actor, county)
    current = credit_current.exact_on(session, scheme.key, day)
    src = credit_current.in_force_join(scheme.key, day, current=current)
    counties: list[str] | None = None
    if county:
        counties = [county]
    elif actor.counties is not None:
        counties = sorted(actor.counties)
    industries: list[ColumnElement[bool]] = []
    if industry:
        industries.append(Enterprise.industry_code.startswith(industry, autoescape=True))
    stmt = (
        select(
            Enterprise.id,
            Enterprise.name,
            Enterprise.uscc,
            Enterprise.county_code,
            Enterprise.industry_code,
            Enterprise.industry_name,
            src.score_id.label("score_id"),
            src.tier.label("tier"),
            src.sublevel.label("sublevel"),
            src.points.label("points"),
            src.as_of.label("as_of"),
        )
        .select_from(Enterprise)
        .outerjoin(src.target, src.on)
        .order_by(Enterprise.name, Enterprise.id)
    )
    if session.get_bind().dialect.name == "postgresql":
        # A page stops early: parallel workers cost more to start than they save.
        session.execute(text("SET LOCAL max_parallel_workers_per_gather = 0"))
    limit, offset = per_page + 1, (page - 1) * per_page
    if tier and current:
        # The page's ids first, from the tier's index entries alone (in name order, with the
        # county), so that no enterprise of another tier is read (page 100 of red: an offset
        # of 2,970 entries, not a walk of 150,000 names); then their rows.
        walk = credit_current.in_name_order(scheme.key, tier, counties=counties, where=industries)
        ids = list(session.scalars(walk.limit(limit).offset(offset)))  # the first column
        found = {r.id: r for r in session.execute(stmt.where(Enterprise.id.in_(ids)))}
        rows = [found[i] for i in ids]
    else:
        where = list(industries)
        if counties is not None:
            where.append(Enterprise.county_code.in_(counties))
        if tier == ABNORMAL:
            where += [src.score_id.is_not(None), src.tier.is_(None)]
        elif tier:
            where.append(src.tier == tier)
        rows = list(session.execute(stmt.where(*where).limit(limit).offset(offset)))
    total = None
    if tier and not industry and current:
        # The tier counts kept with the current scores: exact, and a row per county.
        counts = credit_current.tier_counts(session, scheme.key, day, counties)
        total = sum(n for (_county, code), n in counts.items() if code == tier)
    names = _county_names(session, {r.county_code for r in rows})
    items = [
        TierRow(
            r.id,
            r.name,
            r.uscc,
            r.county_code,
            names.get(r.county_code, ""),
            r.industry_code,
            r.industry_name,
            UNSCORED if r.score_id is None else (r.tier or ABNORMAL),
            r.sublevel,
            r.points,
            r.as_of,
        )
        for r in rows
    ]
    return _slice(items, page, per_page, total)


# -- objections and repairs -------------------------------------------------------------------


@dataclass(frozen=True)
class RequestRow:
    kind: str
    id: int
    enterprise_id: int
    enterprise_name: str
    county_code: str
    record: str
    state: str
    filed_on: date
    decided_on: date | None


def _arm(kind: str, state: str | None, actor: Actor) -> Select[Any]:
    model = _MODELS[kind]
    filed = model.filed_on if kind == "objection" else model.applied_on
    stmt = (
        select(
            literal(kind).label("kind"),
            model.id.label("id"),
            model.enterprise_id.label("enterprise_id"),
            Enterprise.name.label("enterprise_name"),
            Enterprise.county_code.label("county_code"),
            model.record.label("record"),
            model.state.label("state"),
            filed.label("filed_on"),
            model.decided_on.label("decided_on"),
        )
        .select_from(model)
        .join(Enterprise, Enterprise.id == model.enterprise_id)
    )
    if state:
        stmt = stmt.where(model.state == RequestState(state))
    if actor.counties is not None:
        stmt = stmt.where(Enterprise.county_code.in_(sorted(actor.counties)))
    return stmt


def _check_request_filters(kind: str | None, state: str | None) -> None:
    for name, value, allowed in (("kind", kind, KINDS), ("state", state, STATES)):
        if value and value not in allowed:
            raise InvalidInput.field(
                name, N_("Must be one of: {choices}."), choices=", ".join(allowed)
            )


def requests(
    session: Session,
    actor: Actor,
    *,
    kind: str | None = None,
    state: str | None = None,
    page: int = 1,
    per_page: int = 30,
) -> Slice[RequestRow]:
    """Objections and repairs of enterprises in the actor's jurisdiction, newest first,
    filtered by kind and state. Raises PermissionDenied, InvalidInput."""
    require(actor, Permission.READ_ENTERPRISES)
    _check_request_filters(kind, state)
    arms = [_arm(k, state, actor) for k in KINDS if not kind or k == kind]
    union = arms[0] if len(arms) == 1 else arms[0].union_all(*arms[1:])
    sub = union.subquery("requests")
    stmt = (
        select(sub)
        .order_by(sub.c.filed_on.desc(), sub.c.kind, sub.c.id.desc())
        .limit(per_page + 1)
        .offset((page - 1) * per_page)
    )
    items = [
        RequestRow(
            kind=r.kind,
            id=r.id,
            enterprise_id=r.enterprise_id,
            enterprise_name=r.enterprise_name,
            county_code=r.county_code,
            record=r.record,
            state=r.state.value if isinstance(r.state, RequestState) else str(r.state),
            filed_on=r.filed_on,
            decided_on=r.decided_on,
        )
        for r in session.execute(stmt)
    ]
    return _slice(items, page, per_page)


def case_of_record(session: Session, record: str) -> int | None:
    """The case a credit record comes from, when it comes from one (a step, a measure, a
    fine), for a link to it."""
    prefix, _, rest = record.partition(":")
    key = rest.partition(":")[0]
    if not key.isdigit():
        return None
    if prefix == "transition":
        return session.scalar(select(CaseTransition.case_id).where(CaseTransition.id == int(key)))
    if prefix == "measure":
        return session.scalar(select(CoerciveMeasure.case_id).where(CoerciveMeasure.id == int(key)))
    if prefix == "fine":
        return int(key)
    return None


@dataclass(frozen=True)
class Window:
    """The period that governs a request on a record: an objection's last day, or the first
    day a repair may be applied for; with the months or days and where they come from."""

    fact: Fact
    objection_last: date
    repair_opens: date
    veto: bool


def _window(scheme: Scheme, fact: Fact) -> Window:
    return Window(
        fact=fact,
        objection_last=fact.recorded + timedelta(days=scheme.periods.objection_days),
        repair_opens=months_after(fact.on, scheme.periods.publication_min_months),
        veto=any(fact.kind in veto.facts for veto in scheme.vetoes),
    )


def disputable_facts(
    session: Session, actor: Actor, scheme: Scheme, enterprise_id: int
) -> list[Window]:
    """The records that count in the enterprise's score today (not repaired, not corrected),
    newest first, each with its objection and repair periods: what a credit regulator may
    file a request on. Raises PermissionDenied, NotFound, OutsideJurisdiction."""
    require(actor, Permission.MANAGE_CREDIT)
    enterprise_in_scope(session, actor, enterprise_id)
    today = local_today()
    facts = effective_facts(facts_of(session, [enterprise_id], today)[enterprise_id], today)
    counting = [f for f in facts if f.kind not in _NOT_DISPUTABLE]
    counting.sort(key=lambda f: (f.on, f.record), reverse=True)
    return [_window(scheme, f) for f in counting]


@dataclass(frozen=True)
class RequestDetail:
    kind: str
    request: CreditObjection | CreditRepair
    enterprise: Enterprise
    county_name: str
    window: Window | None  # None: the record no longer exists
    case_id: int | None
    tier: CreditScore | None
    users: Mapping[int, str] = field(default_factory=dict)

    @property
    def filed_on(self) -> date:
        req = self.request
        return req.filed_on if isinstance(req, CreditObjection) else req.applied_on

    def user(self, user_id: int | None) -> str:
        return self.users.get(user_id or 0, "") if user_id else ""


def _request(session: Session, kind: str, request_id: int) -> CreditObjection | CreditRepair:
    if kind not in _MODELS:
        raise NotFound(kind="Credit request", key=request_id)
    found: CreditObjection | CreditRepair | None = session.get(_MODELS[kind], request_id)
    if found is None:
        raise NotFound(kind=_MODELS[kind].__name__, key=request_id)
    return found


def request_detail(
    session: Session, actor: Actor, scheme: Scheme, kind: str, request_id: int
) -> RequestDetail:
    """An objection or repair with the record it concerns (its kind, dates and periods), the
    case it comes from and the tier in force. Raises PermissionDenied, NotFound,
    OutsideJurisdiction."""
    require(actor, Permission.READ_ENTERPRISES)
    req = _request(session, kind, request_id)
    enterprise = enterprise_in_scope(session, actor, req.enterprise_id)
    today = local_today()
    facts = facts_of(session, [enterprise.id], today)[enterprise.id]
    fact = next((f for f in facts if f.record == req.record), None)
    ids = {i for i in (req.created_by_id, req.decided_by_id) if i}
    users = (
        {
            uid: display or username
            for uid, display, username in session.execute(
                select(User.id, User.display_name, User.username).where(User.id.in_(ids))
            )
        }
        if ids
        else {}
    )
    return RequestDetail(
        kind=kind,
        request=req,
        enterprise=enterprise,
        county_name=_county_names(session, {enterprise.county_code}).get(
            enterprise.county_code, ""
        ),
        window=_window(scheme, fact) if fact is not None else None,
        case_id=case_of_record(session, req.record),
        tier=in_force(session, scheme.key, today, [enterprise.id]).get(enterprise.id),
        users=users,
    )


def pending_request(
    session: Session, actor: Actor, kind: str, request_id: int
) -> CreditObjection | CreditRepair:
    """A request still to decide, in the actor's jurisdiction: a page opened before someone
    else decided says so plainly. Raises PermissionDenied, NotFound, OutsideJurisdiction,
    Conflict."""
    require(actor, Permission.MANAGE_CREDIT)
    req = _request(session, kind, request_id)
    enterprise_in_scope(session, actor, req.enterprise_id)
    if req.state is not RequestState.PENDING:
        raise Conflict(N_("This request was already decided."))
    return req


def scheme_periods(scheme: Scheme) -> dict[str, Any]:
    """The scheme's periods and their sources, for the pages that cite them."""
    return {
        "scheme_name": scheme.name,
        "scheme_key": scheme.key,
        "scheme_source": scheme.source,
        "scheme_name_en": scheme.name_en,  # the English twins (credit.schemes.text)
        "scheme_source_en": scheme.source_en,
        "objection_days": scheme.periods.objection_days,
        "publication_min_months": scheme.periods.publication_min_months,
        "publication_max_months": scheme.periods.publication_max_months,
        "evaluation_basis": EVALUATION_BASIS,
        "repair_basis": REPAIR_BASIS,
        "assumptions": scheme.assumptions,
    }
