"""Random inspection draws (双随机、一公开): the pool and roster frozen with a published seed, the
draw, dispatch to the drawn inspectors, outcomes, publication (DOMAIN.md §5.1).

A draw is prepared (the pool of its scope, the roster, the declared conflicts and last inspectors
and the sampling configuration frozen into one document of the draw; their digests and the
seed published at once), then drawn by :func:`casemgr.planning.draws.run_draw` from that document
only, so anyone can re-run it from what was published and get the same list and teams
(:func:`verify_draw`). The lists are seen by planners alone until dispatch (secrecy before the
on-site work, DOMAIN.md §5.1); each inspector then sees their own inspections; the results are
public once published (一公开).

The pool, the roster and the exclusions are read by :mod:`casemgr.services.draw_pools`.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import secrets
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import Select, func, insert, select
from sqlalchemy.orm import Session

from casemgr.db import transaction, utcnow
from casemgr.exceptions import Conflict, InvalidInput, Message, NotFound
from casemgr.i18n import N_
from casemgr.models import (
    Division,
    DivisionLevel,
    DrawAssignment,
    DrawInputs,
    DrawStatus,
    DrawTarget,
    Enterprise,
    InspectionDraw,
    InspectorConflict,
    User,
)
from casemgr.planning import draws as drawing
from casemgr.planning.draw_documents import request_from_document, request_to_document
from casemgr.planning.sampling import SamplingConfig, load_sampling_config
from casemgr.policy import Actor, Permission
from casemgr.repositories.bulk import copy_rows, reserve_ids
from casemgr.repositories.territories import counties_under
from casemgr.services import credit, notifications
from casemgr.services.access import require
from casemgr.services.draw_pools import exclusions, pool_rows, roster_rows
from casemgr.services.notifications import NewNotification
from credit.schemes import Scheme

CHUNK = 5000
_LEVELS = {
    DivisionLevel.PROVINCE: "province",
    DivisionLevel.PREFECTURE: "prefecture",
    DivisionLevel.COUNTY: "county",
}

# The pure module's messages, as catalogue templates (the numbers are filled where shown).
DRAW_ERRORS = {
    "empty_pool": N_("The pool is empty: {size} enterprises in operation with a pollution source."),
    "roster_too_small": N_(
        "Needs {team_size} certified inspectors per inspection, the roster has {certified} "
        "certified of {roster} on {on}."
    ),
    "capacity": N_(
        "At most {max_load} inspections each x {certified} certified inspectors = {capacity} "
        "assignments, but the draw needs {team_size} x {targets} = {needed}."
    ),
    "unstaffable": N_(
        "Needs {team_size} eligible inspectors per inspection: {count} of {targets} drawn "
        "enterprises have fewer; the first, {key} (county {county_code}), has {eligible}."
    ),
    "load_exhausted": N_(
        "The cap of {max_load} inspections each is reached: {key} (rank {rank} of {targets}, "
        "county {county_code}) has fewer than {team_size} eligible inspectors below it."
    ),
}


@dataclass(frozen=True)
class DrawSettings:
    """What a draw is made with besides its request: the sampling rates and the credit scheme
    whose tiers set classes and weights."""

    config: SamplingConfig
    scheme: Scheme


@cache
def _sampling(path: str) -> SamplingConfig:
    return load_sampling_config(path or None)


def settings_from(config: Mapping[str, Any]) -> DrawSettings:
    """The draw settings of the application's configuration (SAMPLING_CONFIG, CREDIT_SCHEME)."""
    return DrawSettings(
        config=_sampling(config.get("SAMPLING_CONFIG") or ""),
        scheme=credit.scheme_named(config["CREDIT_SCHEME"]),
    )


def _refusal(exc: drawing.DrawError) -> InvalidInput:
    template = DRAW_ERRORS.get(exc.code)
    if template is None:  # input the service never builds (a duplicate key, a bad weight)
        return InvalidInput(errors={exc.field: [str(exc)]})
    return InvalidInput(errors={exc.field: [Message(template, exc.params)]})


def _scope(
    session: Session, actor: Actor, code: str, field: str
) -> tuple[str, frozenset[str] | None]:
    division = session.get(Division, code)
    counties = counties_under(session, code)
    if counties is not None and not counties:
        raise InvalidInput.field(
            field, N_("'{code}' is not a known division or inspection unit."), code=code
        )
    if actor.counties is not None and (counties is None or not counties <= actor.counties):
        raise InvalidInput.field(field, N_("'{code}' lies outside your jurisdiction."), code=code)
    level = _LEVELS[division.level] if division is not None else "prefecture"
    return level, None if counties is None else frozenset(counties)


def prepare_draw(
    session: Session, actor: Actor, data: Mapping[str, Any], settings: DrawSettings
) -> InspectionDraw:
    """Freeze a draw's pool, roster, exclusions and configuration and publish its seed (a given
    public value, e.g. lottery numbers, or a random one).

    Raises PermissionDenied, InvalidInput (scope unknown or outside the actor's jurisdiction, an
    empty pool, a roster short of certified officers: naming the numbers)."""
    require(actor, Permission.PLAN_INSPECTIONS)
    with transaction(session, actor=actor):
        level, counties = _scope(session, actor, data["scope_code"], "scope_code")
        roster_code = data.get("roster_scope_code") or data["scope_code"]
        _, roster_counties = _scope(session, actor, roster_code, "roster_scope_code")
        on = data["draw_on"]
        pool = pool_rows(session, counties, on, settings.scheme)
        roster = roster_rows(session, roster_counties)
        conflicts, last = exclusions(session, pool, on)
        seed = data.get("seed") or secrets.token_hex(16)
        request = drawing.DrawRequest(
            seed, level, data["period"], on, pool, roster, settings.config, conflicts, last
        )
        try:
            digests = drawing.input_digests(request)
            certified = sum(1 for i in roster if i.certified_on(on))
            if certified < settings.config.team_size:
                raise drawing.DrawError(
                    "roster_too_small",
                    "roster_scope_code",
                    team_size=settings.config.team_size,
                    certified=certified,
                    roster=len(roster),
                    on=on.isoformat(),
                )
        except drawing.DrawError as exc:
            if exc.code == "empty_pool":
                exc.field = "scope_code"
            raise _refusal(exc) from exc
        draw = InspectionDraw(
            title=data["title"],
            scope_code=data["scope_code"],
            level=level,
            period=data["period"],
            period_label=data["period_label"],
            draw_on=on,
            seed=seed,
            config=settings.config.to_mapping(),
            credit_scheme=settings.scheme.key,
            pool_size=len(pool),
            roster_size=len(roster),
            created_by_id=actor.user_id or None,
            **digests,
        )
        session.add(draw)
        session.flush()
        _freeze(session, draw.id, request)
    return draw


def _freeze(session: Session, draw_id: int, request: drawing.DrawRequest) -> None:
    """Store the request as its published document, with the pool's enterprise ids beside it
    (the document names enterprises by USCC only), compressed.

    Two gzip members one after the other: first the enterprise ids (a JSON list, in pool order),
    then the published document exactly as it is downloaded, so that the download sends the
    stored second member as it is (``Content-Encoding: gzip``) without decompressing it."""
    doc = request_to_document(request)
    by_key = {e.key: e.enterprise_id for e in request.pool}
    ids = [by_key[row[0]] for row in doc["pool"]]
    # Level 1: a province pool compresses to about a fifth in a tenth of a second.
    body = gzip.compress(_json(ids), 1) + gzip.compress(_json(doc), 1)
    session.add(DrawInputs(draw_id=draw_id, document=body, sha256=hashlib.sha256(body).hexdigest()))


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


@dataclass(frozen=True)
class FrozenDocument:
    """A draw's published inputs document (UTF-8 JSON) as it is stored: one gzip member
    (``compressed``), or, for a draw frozen before the document was stored apart from the
    enterprise ids, already decompressed (``raw``)."""

    compressed: bytes | None
    raw: bytes | None

    def decompressed(self) -> bytes:
        if self.raw is not None:
            return self.raw
        assert self.compressed is not None
        return gzip.decompress(self.compressed)


# The stored form before the two members: one JSON object whose last key is the ids.
_OLD_IDS_KEY = b',"enterprise_ids":['


def _stored(
    session: Session, draw: InspectionDraw, *, ids: bool = True
) -> tuple[FrozenDocument, list[int] | None]:
    """The stored document and (with ``ids``) the pool's enterprise ids."""
    row = session.get(DrawInputs, draw.id)
    if row is None:
        raise NotFound(kind=N_("Inspection draw"), key=draw.id)
    body = bytes(row.document)
    first = zlib.decompressobj(wbits=31)  # gzip; stops at the end of the first member
    head = first.decompress(body)
    if first.unused_data:
        return FrozenDocument(first.unused_data, None), json.loads(head) if ids else None
    # A draw frozen before the split: the document with "enterprise_ids" as its last key.
    cut = head.rfind(_OLD_IDS_KEY)
    if cut < 0:
        raise ValueError(f"draw {draw.id}: stored inputs without enterprise ids")
    old_ids = json.loads(head[cut + len(_OLD_IDS_KEY) - 1 : -1]) if ids else None
    return FrozenDocument(None, head[:cut] + b"}"), old_ids


def _document(session: Session, draw: InspectionDraw) -> tuple[dict[str, Any], list[int]]:
    """The published document and the pool's enterprise ids."""
    stored, ids = _stored(session, draw)
    assert ids is not None
    doc: dict[str, Any] = json.loads(stored.decompressed())
    return doc, ids


def frozen_request(session: Session, draw: InspectionDraw) -> drawing.DrawRequest:
    """The draw's request rebuilt from its frozen inputs alone (what a re-run uses)."""
    doc, ids = _document(session, draw)
    return request_from_document(doc, ids)


def _draw(session: Session, draw_id: int) -> InspectionDraw:
    draw = session.get(InspectionDraw, draw_id)
    if draw is None:
        raise NotFound(kind=N_("Inspection draw"), key=draw_id)
    return draw


def _expect(draw: InspectionDraw, *statuses: DrawStatus) -> None:
    if draw.status not in statuses:
        raise Conflict(
            N_("Draw {id} is {status}: this step needs it {needed}."),
            id=draw.id,
            status=draw.status.value,
            needed=" / ".join(s.value for s in statuses),
        )


def _store_result(session: Session, draw_id: int, targets: Sequence[drawing.Target]) -> None:
    """The targets and one assignment row per inspector: copied with ids reserved from the
    sequence on PostgreSQL, inserted with RETURNING elsewhere."""
    rows = [
        {
            "draw_id": draw_id,
            "rank": t.rank,
            "enterprise_id": t.enterprise_id,
            "inspection_class": t.inspection_class,
            "county_code": t.county_code,
            "score": t.score,
            "inspectors": list(t.inspectors),
        }
        for t in targets
    ]
    ids = reserve_ids(session, DrawTarget, len(rows))
    if ids is None:
        ids = []
        for start in range(0, len(rows), CHUNK):
            ids += session.scalars(
                insert(DrawTarget).returning(DrawTarget.id, sort_by_parameter_order=True),
                rows[start : start + CHUNK],
            ).all()
    else:
        copy_rows(session, DrawTarget, [{"id": i, **r} for i, r in zip(ids, rows, strict=True)])
    copy_rows(
        session,
        DrawAssignment,
        [
            {"target_id": tid, "user_id": uid, "draw_id": draw_id, "enterprise_id": t.enterprise_id}
            for tid, t in zip(ids, targets, strict=True)
            for uid in t.inspectors
        ],
    )


def execute_draw(session: Session, actor: Actor, draw_id: int) -> InspectionDraw:
    """Draw the targets and their inspectors from the frozen inputs.

    Raises PermissionDenied, NotFound, Conflict (not prepared), InvalidInput (the roster cannot
    staff every inspection: naming the numbers; nothing is stored)."""
    require(actor, Permission.PLAN_INSPECTIONS)
    with transaction(session, actor=actor):
        draw = _draw(session, draw_id)
        _expect(draw, DrawStatus.PREPARED)
        try:
            result = drawing.run_draw(frozen_request(session, draw))
        except drawing.DrawError as exc:
            raise _refusal(exc) from exc
        _store_result(session, draw.id, result.targets)
        draw.result_digest = result.result_digest
        draw.status = DrawStatus.DRAWN
        draw.drawn_at = utcnow()
    return draw


@dataclass(frozen=True)
class Verification:
    matches: bool
    stored_digest: str | None
    recomputed_digest: str
    inputs_match: bool


def verify_draw(session: Session, actor: Actor, draw_id: int) -> Verification:
    """Re-run a draw from its frozen inputs and compare (anyone who may see the draw)."""
    draw = get_draw(session, actor, draw_id)
    request = frozen_request(session, draw)
    result = drawing.run_draw(request)
    inputs = drawing.input_digests(request)
    inputs_match = all(getattr(draw, k) == v for k, v in inputs.items())
    return Verification(
        matches=result.result_digest == draw.result_digest and inputs_match,
        stored_digest=draw.result_digest,
        recomputed_digest=result.result_digest,
        inputs_match=inputs_match,
    )


def _may_read_inputs(session: Session, actor: Actor, draw_id: int) -> InspectionDraw:
    draw = get_draw(session, actor, draw_id)
    if not actor.can(Permission.PLAN_INSPECTIONS) and draw.status is not DrawStatus.PUBLISHED:
        raise NotFound(kind=N_("Inspection draw"), key=draw_id)
    return draw


def draw_inputs(session: Session, actor: Actor, draw_id: int) -> dict[str, Any]:
    """The draw's frozen inputs as the document anyone can re-run it from
    (:mod:`casemgr.planning.draw_documents`): planners at any time, everyone once the results
    are published (before that the pool would reveal the list). Raises PermissionDenied,
    NotFound."""
    draw = _may_read_inputs(session, actor, draw_id)
    return _document(session, draw)[0]


def draw_inputs_file(session: Session, actor: Actor, draw_id: int) -> FrozenDocument:
    """The same document as :func:`draw_inputs` as it is stored, for a download that sends the
    compressed bytes as they are. Raises PermissionDenied, NotFound."""
    draw = _may_read_inputs(session, actor, draw_id)
    return _stored(session, draw, ids=False)[0]


def dispatch_draw(session: Session, actor: Actor, draw_id: int) -> InspectionDraw:
    """Dispatch the inspections: each drawn inspector is notified and sees their own.
    Raises PermissionDenied, NotFound, Conflict (not drawn)."""
    require(actor, Permission.PLAN_INSPECTIONS)
    with transaction(session, actor=actor):
        draw = _draw(session, draw_id)
        _expect(draw, DrawStatus.DRAWN)
        counts: dict[int, int] = {}
        for (uid,) in session.execute(
            select(DrawAssignment.user_id).where(DrawAssignment.draw_id == draw.id)
        ):
            counts[uid] = counts.get(uid, 0) + 1
        notifications.add(
            session,
            [
                NewNotification(
                    user_id=uid,
                    kind="draw_dispatched",
                    dedupe_key=f"draw:{draw.id}:dispatched",
                    subject=N_("You were drawn for {count} inspection(s): {title}"),
                    params={"count": n, "title": draw.title},
                    link=f"/inspections/draws/{draw.id}",
                    email=True,
                )
                for uid, n in sorted(counts.items())
            ],
        )
        draw.status = DrawStatus.DISPATCHED
        draw.dispatched_at = utcnow()
    return draw


def publish_draw(session: Session, actor: Actor, draw_id: int) -> InspectionDraw:
    """Publish the list and its outcomes (一公开). Raises PermissionDenied, NotFound, Conflict."""
    require(actor, Permission.PLAN_INSPECTIONS)
    with transaction(session, actor=actor):
        draw = _draw(session, draw_id)
        _expect(draw, DrawStatus.DISPATCHED)
        draw.status = DrawStatus.PUBLISHED
        draw.published_at = utcnow()
    return draw


def cancel_draw(session: Session, actor: Actor, draw_id: int, reason: str) -> InspectionDraw:
    """Cancel a draw before dispatch, with reasons kept. Raises PermissionDenied, NotFound,
    Conflict (already dispatched)."""
    require(actor, Permission.PLAN_INSPECTIONS)
    with transaction(session, actor=actor):
        draw = _draw(session, draw_id)
        _expect(draw, DrawStatus.PREPARED, DrawStatus.DRAWN)
        draw.status = DrawStatus.CANCELLED
        draw.cancel_reason = reason
    return draw


def get_draw(session: Session, actor: Actor, draw_id: int) -> InspectionDraw:
    """A draw's public record (seed, digests, counts). Raises PermissionDenied, NotFound."""
    require(actor, Permission.READ_ENTERPRISES)
    return _draw(session, draw_id)


def list_draws(session: Session, actor: Actor) -> list[InspectionDraw]:
    require(actor, Permission.READ_ENTERPRISES)
    return list(session.scalars(select(InspectionDraw).order_by(InspectionDraw.id.desc())))


def visible_target_query(actor: Actor, draw: InspectionDraw) -> Select[Any] | None:
    """The targets of a draw the actor may see (None: none): planners all of them; before
    publication an inspector only their own inspections (after dispatch); everyone all of them
    once published."""
    stmt = select(DrawTarget).where(DrawTarget.draw_id == draw.id)
    if not actor.can(Permission.PLAN_INSPECTIONS) and draw.status is not DrawStatus.PUBLISHED:
        if draw.status is not DrawStatus.DISPATCHED:
            return None
        mine = select(DrawAssignment.target_id).where(
            DrawAssignment.draw_id == draw.id, DrawAssignment.user_id == actor.user_id
        )
        stmt = stmt.where(DrawTarget.id.in_(mine))
    return stmt


def visible_targets(
    session: Session, actor: Actor, draw_id: int, *, page: int, per_page: int
) -> tuple[list[DrawTarget], int]:
    """One page of the drawn list as the actor may see it (:func:`visible_target_query`), and
    how many targets that is in all. Raises PermissionDenied, NotFound."""
    draw = get_draw(session, actor, draw_id)
    stmt = visible_target_query(actor, draw)
    if stmt is None:
        return [], 0
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(
        stmt.order_by(DrawTarget.rank).offset((page - 1) * per_page).limit(per_page)
    ).all()
    return list(rows), total


def record_outcome(
    session: Session, actor: Actor, target_id: int, data: Mapping[str, Any]
) -> DrawTarget:
    """Record what an inspection found (one of its inspectors, or a planner), after dispatch.
    Raises NotFound (also for a target the actor may not see), Conflict (not dispatched)."""
    with transaction(session, actor=actor):
        target = session.get(DrawTarget, target_id)
        if target is None or not (
            actor.can(Permission.PLAN_INSPECTIONS) or actor.user_id in target.inspectors
        ):
            raise NotFound(kind=N_("Drawn inspection"), key=target_id)
        draw = _draw(session, target.draw_id)
        _expect(draw, DrawStatus.DISPATCHED)
        target.outcome = data["outcome"]
        target.inspected_on = data["inspected_on"]
        target.finding = data.get("finding", "")
        if data.get("violation_id") is not None:
            target.violation_id = data["violation_id"]
    return target


def declare_conflict(session: Session, actor: Actor, data: Mapping[str, Any]) -> InspectorConflict:
    """Declare a conflict of interest (回避) with an enterprise: the actor's own, or, for a
    planner, any officer's. Raises PermissionDenied, InvalidInput."""
    user_id = data.get("user_id") or actor.user_id
    if user_id != actor.user_id:
        require(actor, Permission.PLAN_INSPECTIONS)
    with transaction(session, actor=actor):
        if session.get(User, user_id) is None:
            raise InvalidInput.field("user_id", N_("User {id} does not exist."), id=user_id)
        if session.get(Enterprise, data["enterprise_id"]) is None:
            raise InvalidInput.field(
                "enterprise_id", N_("Enterprise {id} does not exist."), id=data["enterprise_id"]
            )
        row = InspectorConflict(
            user_id=user_id,
            enterprise_id=data["enterprise_id"],
            reason=data["reason"],
            declared_on=data["declared_on"],
        )
        session.add(row)
    return row
