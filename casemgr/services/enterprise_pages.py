"""Read queries of the enterprise pages (企业页面): the search with each enterprise's tier in
force, the case history of an enterprise, the explanation of its credit score, and the view
of its relationship graph (企业关联图谱) with the paths to risky parties.

Access is the services' own: every function starts from a service that checks the actor's
permission and jurisdiction (``enterprises.search_enterprises``, ``enterprises.get_enterprise``,
``graph.related``) or takes an enterprise such a service returned. Credit tiers are public
(黔环通〔2018〕116号: results fully public), so an enterprise outside the jurisdiction that the
graph shows anonymously still shows its tier: that a related party is red is the point.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from casemgr.models import (
    Case,
    CaseTransition,
    CoerciveMeasure,
    CreditScore,
    Division,
    DivisionLevel,
    Enterprise,
    Violation,
    violation_enterprises,
)
from casemgr.models.credit import CreditCurrent
from casemgr.policy import Actor, Permission
from casemgr.repositories import credit_current, tier_search
from casemgr.repositories import enterprises as repo
from casemgr.repositories.graph import chunks, enterprise_cards
from casemgr.services import enterprises, graph
from casemgr.services.access import audit_list_read, organ_violations, require
from casemgr.services.credit import SEED_TIERS, risk_config
from credit.schemes import Band, Downgrade, Scheme, Veto

__all__ = [
    "ABNORMAL",
    "CaseHistory",
    "GraphView",
    "SearchAnswer",
    "TierInForce",
    "case_history",
    "county_names",
    "graph_view",
    "record_links",
    "risk_path_lines",
    "rule_info",
    "search",
    "territory_options",
    "tiers_in_force",
]

ABNORMAL = credit_current.ABNORMAL  # the tier code of a score without a tier (异常)
HISTORY_CASES = 20  # violations shown on the detail page, newest first
MAX_NODES = 150  # nodes drawn in the graph view
MAX_RELATED = 200  # related enterprises read for the graph view


# -- tiers in force -------------------------------------------------------------------------


@dataclass(frozen=True)
class TierInForce:
    """The stored score in force on a day (the latest row on or before it)."""

    tier: str | None  # None: not rateable (异常)
    own_tier: str | None  # by the enterprise's own records, what graph risk starts from
    sublevel: int | None
    points: float
    as_of: date

    @property
    def code(self) -> str:
        return self.tier or ABNORMAL


def tiers_in_force(
    session: Session, scheme_key: str, on: date, ids: Collection[int]
) -> dict[int, TierInForce]:
    """The tier in force on a day of each of ``ids`` that has a stored score: its row of
    ``credit_current`` by key, or for a day before some enterprise's latest score the history
    row in force then (through ``ix_credit_scores_history``)."""
    out: dict[int, TierInForce] = {}
    current = credit_current.exact_on(session, scheme_key, on)
    for part in chunks(sorted(set(ids))):
        if current:
            stmt = select(
                CreditCurrent.enterprise_id,
                CreditCurrent.tier,
                CreditCurrent.own_tier,
                CreditCurrent.sublevel,
                CreditCurrent.points,
                CreditCurrent.as_of,
            ).where(CreditCurrent.scheme == scheme_key, CreditCurrent.enterprise_id.in_(part))
        else:
            latest = (
                select(func.max(CreditScore.id))
                .where(
                    CreditScore.scheme == scheme_key,
                    CreditScore.enterprise_id.in_(part),
                    CreditScore.as_of <= on,
                )
                .group_by(CreditScore.enterprise_id)
            )
            stmt = select(
                CreditScore.enterprise_id,
                CreditScore.tier,
                CreditScore.own_tier,
                CreditScore.sublevel,
                CreditScore.points,
                CreditScore.as_of,
            ).where(CreditScore.id.in_(latest.scalar_subquery()))
        for eid, tier, own, sublevel, points, as_of in session.execute(stmt):
            out[eid] = TierInForce(tier, own, sublevel, points, as_of)
    return out


def county_names(session: Session, codes: Iterable[str | None]) -> dict[str, str]:
    """Division names by code, for the codes given."""
    wanted = sorted({c for c in codes if c})
    if not wanted:
        return {}
    rows = session.execute(select(Division.code, Division.name).where(Division.code.in_(wanted)))
    return {code: name for code, name in rows}


def territory_options(session: Session, actor: Actor) -> list[tuple[str, str, bool]]:
    """(code, name, is_prefecture) of the prefectures and counties the actor may search, in
    code order: a prefecture only when the actor covers all of its counties."""
    divisions = session.execute(
        select(Division.code, Division.name, Division.level, Division.parent_code)
        .where(Division.level.in_([DivisionLevel.PREFECTURE, DivisionLevel.COUNTY]))
        .order_by(Division.code)
    ).all()
    counties_of: dict[str, set[str]] = {}
    for code, _name, level, parent in divisions:
        if level is DivisionLevel.COUNTY and parent:
            counties_of.setdefault(parent, set()).add(code)
    out = []
    for code, name, level, _parent in divisions:
        if level is DivisionLevel.COUNTY:
            if actor.covers(code):
                out.append((code, name, False))
        elif all(actor.covers(c) for c in counties_of.get(code, {None})):
            out.append((code, name, True))
    return out


# -- search -----------------------------------------------------------------------------------


@dataclass
class SearchAnswer:
    """A page of enterprises with their tiers in force and county names. ``total`` is None
    when it is not known (a tier in force on a past day); ``total_exact`` is False when it
    stopped counting at the cap."""

    items: list[Enterprise]
    page: int
    per_page: int
    total: int | None
    total_exact: bool
    has_next: bool
    tiers: dict[int, TierInForce] = field(default_factory=dict)
    counties: dict[str, str] = field(default_factory=dict)

    @property
    def pages(self) -> int | None:
        return None if self.total is None else max(1, -(-self.total // self.per_page))


def search(
    session: Session,
    actor: Actor,
    f: repo.EnterpriseFilter,
    *,
    scheme_key: str,
    on: date,
    territory: str | None = None,
    tier: str | None = None,
    page: int = 1,
    per_page: int = 20,
) -> SearchAnswer:
    """Enterprises within the actor's jurisdiction matching the filter (and, when given, whose
    tier in force on ``on`` is ``tier``), with their tiers and county names.

    With a tier, the page is read from the tier's current rows in name order, or for a name
    fragment rare among a common tier collected through the name indexes; the total comes from
    the tier counts when only counties narrow the search. For a day before some enterprise's
    latest score, the history decides (:func:`casemgr.repositories.tier_search.tier_page`).

    Raises PermissionDenied, InvalidInput (unknown territory).
    """
    if tier is None:
        found = enterprises.search_enterprises(
            session, actor, f, territory=territory, page=page, per_page=per_page
        )
        answer = SearchAnswer(
            list(found.items),
            page,
            per_page,
            found.total,
            found.total_exact,
            page < found.pages,
        )
    else:
        require(actor, Permission.READ_ENTERPRISES)
        if territory:
            f = replace(
                f, counties=enterprises.territory_counties(session, territory, field="county")
            )
        part = tier_search.tier_page(
            session,
            f,
            scheme_key=scheme_key,
            tier=tier,
            on=on,
            scope=actor.counties,
            page=page,
            per_page=per_page,
        )
        answer = SearchAnswer(
            list(part.items), page, per_page, part.total, part.total_exact, part.has_next
        )
    answer.tiers = tiers_in_force(session, scheme_key, on, [e.id for e in answer.items])
    answer.counties = county_names(session, (e.county_code for e in answer.items))
    return answer


# -- the case history -------------------------------------------------------------------------


@dataclass
class CaseHistory:
    """Violations of an enterprise the actor may see, newest first, with their cases."""

    violations: list[Violation]
    cases: dict[int, list[Case]]  # by violation id, the visible ones
    more: bool  # older violations exist beyond the ones listed


def case_history(
    session: Session, actor: Actor, enterprise: Enterprise, *, limit: int = HISTORY_CASES
) -> CaseHistory:
    """The violations and cases of an enterprise (returned by ``enterprises.get_enterprise``)
    that the actor may read: by territory, or for prosecutors and judges the families before
    their own organ, as ``cases.visible_case`` decides. At most four statements.

    Raises nothing: without READ_CASES the history is empty.
    """
    if not actor.can(Permission.READ_CASES):
        return CaseHistory([], {}, False)
    audit_list_read(session, actor, "cases", f"enterprise={enterprise.id}")
    # The enterprise's violations first (a short list, through their index), so that no plan
    # walks every violation in date order looking for them.
    mine = list(
        session.scalars(
            select(violation_enterprises.c.violation_id).where(
                violation_enterprises.c.enterprise_id == enterprise.id
            )
        )
    )
    if not mine:
        return CaseHistory([], {}, False)
    stmt = select(Violation).where(Violation.id.in_(mine))
    if actor.counties is not None:
        visible = [Violation.county_code.in_(sorted(actor.counties))]
        if actor.organ_scoped:
            visible.append(Violation.id.in_(organ_violations(actor)))
        stmt = stmt.where(or_(*visible))
    rows = list(
        session.scalars(
            stmt.order_by(Violation.found_at.desc(), Violation.id.desc()).limit(limit + 1)
        )
    )
    shown = rows[:limit]
    ids = [v.id for v in shown]
    organ: set[int] = set()
    if actor.organ_scoped and ids:
        organ = set(session.scalars(organ_violations(actor).where(Case.violation_id.in_(ids))))
    by_violation: dict[int, list[Case]] = {}
    if ids:
        for case in session.scalars(
            select(Case).where(Case.violation_id.in_(ids)).order_by(Case.lead_received_on, Case.id)
        ):
            seen = (
                case.violation_id in organ if actor.organ_scoped else actor.covers(case.county_code)
            )
            if seen:
                by_violation.setdefault(case.violation_id, []).append(case)
    return CaseHistory(shown, by_violation, len(rows) > limit)


# -- the credit explanation -------------------------------------------------------------------


@dataclass(frozen=True)
class RuleInfo:
    """What the page shows beside a contribution: its rule's and group's names, the legal basis
    of its rule (the scheme's own data, Chinese with an English twin each, read with
    :func:`credit.schemes.text`), how its measure reads and its bands by Chinese label (the
    label a score stores)."""

    group: str
    basis: str
    measure_kind: str  # count, sum, latest, share; "" for rules without a measure
    name: str = ""
    name_en: str = ""
    group_en: str = ""
    basis_en: str = ""
    bands: Mapping[str, Band] = field(default_factory=dict)


def rule_info(scheme: Scheme) -> dict[str, RuleInfo]:
    """Every rule of the scheme by id: indicators, vetoes and downgrades."""
    out: dict[str, RuleInfo] = {}
    for group in scheme.groups:
        for ind in group.indicators:
            out[ind.id] = RuleInfo(
                group.name,
                ind.basis,
                ind.measure.kind.value,
                ind.name,
                ind.name_en,
                group.name_en,
                ind.basis_en,
                {b.label: b for b in ind.bands},
            )
    rules: tuple[Veto | Downgrade, ...] = (*scheme.vetoes, *scheme.downgrades)
    for rule in rules:
        out[rule.id] = RuleInfo("", rule.basis, "", rule.name, rule.name_en, "", rule.basis_en)
    if scheme.graph_risk is not None:
        # No law fixes graph risk: its basis is the scheme's own stated assumption.
        risk = next((g for g in scheme.groups if g.id == scheme.graph_risk.group), None)
        pairs = zip(scheme.assumptions, scheme.assumptions_en or scheme.assumptions, strict=True)
        zh, en = next(
            ((a, b) for a, b in pairs if "关联风险" in a or "graph risk" in b.lower()),
            (scheme.source, scheme.source_en),
        )
        name, name_en = (risk.name, risk.name_en) if risk else ("", "")
        # credit.scoring names the line 关联风险 (graph risk).
        out["graph_risk"] = RuleInfo(name, zh, "sum", "关联风险", "Graph risk", name_en, en)
    return out


_RECORD = re.compile(r"^(transition|measure|fine|violation|enterprise):(\d+)(?::\w+)?$")


def record_links(session: Session, records: Iterable[str]) -> dict[str, str]:
    """The page of each record a score names: a case step, measure or unpaid fine → its case,
    a violation → the violation, an enterprise's status → the enterprise. The linked pages
    check access themselves; records of other shapes get no link."""
    parsed: dict[str, tuple[str, int]] = {}
    for record in records:
        match = _RECORD.match(record)
        if match:
            parsed[record] = (match.group(1), int(match.group(2)))
    steps = {n for kind, n in parsed.values() if kind == "transition"}
    measures = {n for kind, n in parsed.values() if kind == "measure"}
    case_of: dict[tuple[str, int], int] = {}
    for part in chunks(sorted(steps)):
        rows = session.execute(
            select(CaseTransition.id, CaseTransition.case_id).where(CaseTransition.id.in_(part))
        )
        case_of.update((("transition", i), c) for i, c in rows)
    for part in chunks(sorted(measures)):
        rows = session.execute(
            select(CoerciveMeasure.id, CoerciveMeasure.case_id).where(CoerciveMeasure.id.in_(part))
        )
        case_of.update((("measure", i), c) for i, c in rows)
    out: dict[str, str] = {}
    for record, (kind, n) in parsed.items():
        if kind == "fine":
            out[record] = f"/cases/{n}"
        elif kind == "violation":
            out[record] = f"/violations/{n}"
        elif kind == "enterprise":
            out[record] = f"/enterprises/{n}"
        elif (kind, n) in case_of:
            out[record] = f"/cases/{case_of[(kind, n)]}"
    return out


@dataclass(frozen=True)
class RiskStep:
    relation: str  # edge kind
    kind: str  # node kind
    id: int


@dataclass(frozen=True)
class RiskPathLine:
    """One path of a graph-risk contribution, as ``credit_graph.describe_path`` wrote it:
    the seed enterprise and its tier, the relations and nodes to the scored enterprise, and
    the points it contributes. ``raw`` is the stored text (shown when it does not parse)."""

    raw: str
    seed_id: int | None = None
    seed_tier: str = ""
    steps: tuple[RiskStep, ...] = ()
    points: float | None = None


_SEED = re.compile(r"^enterprise:(\d+)\((\w+)\)$")
_NODE = re.compile(r"^(\w+):(\d+)$")


def _parse_risk_path(raw: str) -> RiskPathLine:
    body, _, points = raw.rpartition(" = ")
    tokens = body.split(" ")
    seed = _SEED.match(tokens[0]) if tokens else None
    if not body or seed is None or len(tokens) % 2 != 1:
        return RiskPathLine(raw)
    steps = []
    for relation, node in zip(tokens[1::2], tokens[2::2], strict=True):
        match = _NODE.match(node)
        if not (relation.startswith("-") and relation.endswith("-")) or match is None:
            return RiskPathLine(raw)
        steps.append(RiskStep(relation.strip("-"), match.group(1), int(match.group(2))))
    try:
        value = float(points)
    except ValueError:
        return RiskPathLine(raw)
    return RiskPathLine(raw, int(seed.group(1)), seed.group(2), tuple(steps), value)


def risk_path_lines(
    session: Session, actor: Actor, records: Iterable[str]
) -> tuple[list[RiskPathLine], dict[int, str]]:
    """The paths of a graph-risk contribution, parsed, and the names of the enterprises on
    them that the actor may see (the others stay ids)."""
    lines = [_parse_risk_path(r) for r in records]
    ids = {line.seed_id for line in lines if line.seed_id is not None}
    ids |= {s.id for line in lines for s in line.steps if s.kind == "enterprise"}
    cards = enterprise_cards(session, ids)
    names = {i: c.name for i, c in cards.items() if actor.covers(c.county_code)}
    return lines, names


# -- the relationship graph -------------------------------------------------------------------


@dataclass
class NodeView:
    key: str  # "enterprise:12", "person:7": unique across kinds
    kind: str
    id: int
    label: str  # empty when the actor may not see it
    visible: bool
    county_code: str | None
    uscc: str | None
    ring: int  # relations from the start enterprise along the shortest path drawn
    tier: TierInForce | None = None
    risky: bool = False
    on_risk_path: bool = False


@dataclass
class EdgeView:
    key: str
    kind: str
    source: str  # node keys
    target: str
    share: float | None
    strength: str
    provenance: str
    on_risk_path: bool = False


@dataclass(frozen=True)
class PathView:
    nodes: tuple[str, ...]  # node keys from the start enterprise
    edges: tuple[str, ...]  # edges[i] joins nodes[i] and nodes[i + 1]


@dataclass(frozen=True)
class RiskyParty:
    node: str
    distance: int
    strength: str
    paths: tuple[PathView, ...]


@dataclass
class GraphView:
    """What the graph page draws and lists, bounded by :data:`MAX_NODES`."""

    start: str
    nodes: dict[str, NodeView] = field(default_factory=dict)
    edges: dict[str, EdgeView] = field(default_factory=dict)
    risky: list[RiskyParty] = field(default_factory=list)
    hubs: list[NodeView] = field(default_factory=list)  # connectors too common to follow
    related_total: int = 0
    related_drawn: int = 0
    truncated: bool = False  # the neighbourhood was larger than the graph service reads
    seed_tiers: frozenset[str] = SEED_TIERS


def _key(kind: str, node_id: int) -> str:
    return f"{kind}:{node_id}"


def _node(card: Any, ring: int) -> NodeView:
    return NodeView(
        _key(card.kind, card.id),
        card.kind,
        card.id,
        card.label if card.visible else "",
        card.visible,
        card.county_code,
        card.uscc,
        ring,
    )


def _add_path(view: GraphView, path: Any) -> PathView:
    keys = []
    for ring, card in enumerate(path.nodes):
        key = _key(card.kind, card.id)
        if key in view.nodes:
            view.nodes[key].ring = min(view.nodes[key].ring, ring)
        else:
            view.nodes[key] = _node(card, ring)
        keys.append(key)
    edges = []
    for link in path.links:
        key = f"{link.kind}:{link.src_kind}:{link.src_id}-{link.dst_kind}:{link.dst_id}"
        if key not in view.edges:
            view.edges[key] = EdgeView(
                key,
                link.kind,
                _key(link.src_kind, link.src_id),
                _key(link.dst_kind, link.dst_id),
                link.share,
                link.strength,
                link.source,
            )
        edges.append(key)
    return PathView(tuple(keys), tuple(edges))


def graph_view(
    session: Session,
    actor: Actor,
    enterprise_id: int,
    scheme: Scheme,
    *,
    on: date,
    hub_cap: int = graph.DEFAULT_HUB_CAP,
    max_nodes: int = MAX_NODES,
) -> GraphView:
    """The enterprise, its related parties within two relations (their paths as the graph
    service explains them: 一度/二度关联) and the paths to risky parties: enterprises whose
    own tier in force on ``on`` is a seed of graph risk (red, black). Risky parties are drawn
    first; at most ``max_nodes`` nodes in all.

    Raises PermissionDenied, NotFound, OutsideJurisdiction.
    """
    found = graph.related(
        session, actor, enterprise_id, 2, cap=hub_cap, today=on, per_page=MAX_RELATED
    )
    seeds = frozenset(risk_config(scheme).seed_risk) if scheme.graph_risk else SEED_TIERS
    start = _key(found.enterprise.kind, found.enterprise.id)
    view = GraphView(start, related_total=found.total, truncated=found.truncated, seed_tiers=seeds)
    view.nodes[start] = _node(found.enterprise, 0)
    ids = {enterprise_id} | {r.node.id for r in found.related if r.node.kind == "enterprise"}
    tiers = tiers_in_force(session, scheme.key, on, ids)

    def risky(item: Any) -> bool:
        held = tiers.get(item.node.id) if item.node.kind == "enterprise" else None
        return held is not None and (held.own_tier or "") in seeds

    ordered = sorted(found.related, key=lambda item: not risky(item))  # stable: risky first
    for item in ordered:
        new = {_key(n.kind, n.id) for p in item.paths for n in p.nodes} - set(view.nodes)
        if len(view.nodes) + len(new) > max_nodes:
            continue
        paths = tuple(_add_path(view, p) for p in item.paths)
        view.related_drawn += 1
        if risky(item):
            view.risky.append(
                RiskyParty(_key(item.node.kind, item.node.id), item.distance, item.strength, paths)
            )
            for p in paths:
                for key in p.nodes:
                    view.nodes[key].on_risk_path = True
                for key in p.edges:
                    view.edges[key].on_risk_path = True
    for node in view.nodes.values():
        if node.kind == "enterprise":
            node.tier = tiers.get(node.id)
            node.risky = node.tier is not None and (node.tier.own_tier or "") in seeds
    view.hubs = [_node(item.node, item.distance) for item in found.capped]
    return view
