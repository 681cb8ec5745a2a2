"""Pages: enterprises (企业) -- the search, an enterprise's record with its credit explanation
and case history, and its relationship graph (企业关联图谱)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, current_app, jsonify, render_template, request, url_for
from flask_babel import gettext
from flask_login import login_required
from marshmallow import fields, validate

from casemgr.extensions import db
from casemgr.i18n import N_
from casemgr.models import EnterpriseStatus
from casemgr.repositories.enterprises import EnterpriseFilter, SourceFilter
from casemgr.repositories.territories import list_basins
from casemgr.schemas.credit import AsOfArgs
from casemgr.schemas.enterprises import EnterpriseQueryArgs
from casemgr.security import page_actor
from casemgr.services import credit, enterprise_pages, enterprises, graph, sources
from casemgr.services.localtime import local_today
from casemgr.web import case_labels
from casemgr.web.forms import FormState, attempt
from casemgr.web.legal import scheme_text
from credit.schemes import Scheme, Tier

bp = Blueprint("enterprises_pages", __name__)

_ID = "<int(max=2147483647):enterprise_id>"
SEARCH_FIELDS = ("q", "county", "industry", "status", "basin", "tier")
PER_PAGE = 20
SOURCES_SHOWN = 50
HISTORY_SHOWN = 20
_TIER_RANK = {t.value: t.rank for t in Tier}

# Labels of the codes the pages show (English msgids, translated in the templates).
LABELS: dict[str, dict[str, str]] = {
    "tier": {
        "green": N_("Green"),
        "blue": N_("Blue"),
        "yellow": N_("Yellow"),
        "red": N_("Red"),
        "black": N_("Black"),
        "abnormal": N_("Not rateable"),
    },
    "edge": {
        "legal_rep": N_("Legal representative"),
        "shareholder": N_("Shareholder"),
        "branch_of": N_("Branch"),
        "successor_of": N_("Successor"),
        "at_address": N_("Registered address"),
        "has_phone": N_("Phone number"),
    },
    "node": {
        "enterprise": N_("Enterprise"),
        "person": N_("Person"),
        "address": N_("Address"),
        "phone": N_("Phone"),
    },
    "strength": {
        "control": N_("Control"),
        "shareholding": N_("Minority shareholding"),
        "shared": N_("Shared address or phone"),
    },
    "enterprise_status": {
        "operating": N_("Operating"),
        "suspended": N_("Suspended business"),
        "revoked": N_("Licence revoked"),
        "deregistered": N_("Deregistered"),
    },
    "permit_class": {
        "key": N_("Key management"),
        "simplified": N_("Simplified management"),
        "registration": N_("Registration management"),
    },
    "score_reason": {
        "rescore": N_("Scheduled rescoring"),
        "event": N_("Case event"),
        "repair": N_("Repair or upheld objection"),
    },
    "contribution": {
        "indicator": N_("Indicator"),
        "graph_risk": N_("Graph risk"),
        "downgrade": N_("Downgrade"),
        "veto": N_("One-vote veto"),
        "not_rateable": N_("Not rateable"),
    },
    "inspection_class": {
        "general": N_("General supervision"),
        "key": N_("Key supervision"),
        "special": N_("Special supervision"),
    },
    "green_credit": {
        "support": N_("Credit support"),
        "normal": N_("Normal lending"),
        "caution": N_("Prudent lending"),
        "restrict": N_("No new loans"),
    },
}


class SearchArgs(EnterpriseQueryArgs):
    """The search form: the API's query arguments and the tier in force."""

    tier = fields.String(
        validate=validate.OneOf(
            [t.value for t in Tier] + [enterprise_pages.ABNORMAL],
            error=N_("Choose a tier from the list."),
        )
    )


def _scheme() -> Scheme:
    return credit.scheme_named(current_app.config["CREDIT_SCHEME"])


def _hub_cap() -> int:
    return int(current_app.config.get("GRAPH_HUB_CAP", graph.DEFAULT_HUB_CAP))


def _query_values(names: tuple[str, ...]) -> dict[str, str]:
    """The non-empty query-string fields among ``names``, stripped (``q`` cut to 100)."""
    values = {}
    for name in names:
        value = request.args.get(name, "").strip()
        if value:
            values[name] = value[:100] if name == "q" else value
    return values


@bp.get("/enterprises")
@login_required
def search() -> Any:
    """Search enterprises by name fragment, USCC or registration number, with filters."""
    actor = page_actor()
    session = db.session()
    scheme = _scheme()
    values = _query_values(SEARCH_FIELDS)
    state = FormState(values=values)
    page = max(1, min(request.args.get("page", 1, type=int) or 1, 100_000))

    def run() -> enterprise_pages.SearchAnswer:
        args = SearchArgs().load(values)
        f = EnterpriseFilter(
            q=args.get("q"),
            industry=args.get("industry"),
            basin=args.get("basin"),
            status=args.get("status"),
        )
        return enterprise_pages.search(
            session,
            actor,
            f,
            scheme_key=scheme.key,
            on=local_today(),
            territory=args.get("county"),
            tier=args.get("tier"),
            page=page,
            per_page=PER_PAGE,
        )

    answer = attempt(run, state)
    html = render_template(
        "enterprises/search.html",
        actor=actor,
        state=state,
        answer=answer,
        args={**values, **({"lang": request.args["lang"]} if "lang" in request.args else {})},
        options=_search_options(scheme),
        labels=LABELS,
        scope_names=enterprise_pages.county_names(session, actor.scope_codes),
    )
    return html, state.status


SUGGESTIONS = 8


@bp.get("/enterprises/suggest")
@login_required
def suggest() -> Any:
    """The first enterprises matching a name fragment or code, as JSON, for the pickers of the
    forms that name enterprises (the violation form): the same search, scope and order as the
    search page."""
    actor = page_actor()
    session = db.session()
    q = request.args.get("q", "").strip()[:100]
    if len(q) < 2:
        message = gettext("Type at least 2 characters of the name or code.")
        return jsonify(code=422, status="Unprocessable Entity", message=message,
                       errors={"q": [message]}), 422  # fmt: skip
    found = enterprises.search_enterprises(
        session, actor, EnterpriseFilter(q=q), page=1, per_page=SUGGESTIONS
    )
    names = enterprise_pages.county_names(session, {e.county_code for e in found.items})
    response = jsonify(
        items=[
            {
                "id": e.id,
                "name": e.name,
                "uscc": e.uscc,
                "county": names.get(e.county_code or "", ""),
                "status": gettext(LABELS["enterprise_status"][e.status.value]),
            }
            for e in found.items
        ],
        more=found.total > len(found.items),
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _search_options(scheme: Scheme) -> dict[str, list[tuple[str, str]]]:
    """The choices of the search form's selects, labelled in the request's language."""
    session = db.session()
    tier = [
        (t.tier.value, f"{gettext(LABELS['tier'][t.tier.value])} · {scheme_text(t, 'name')}")
        for t in scheme.tiers
    ]
    return {
        "county": [
            (code, name if prefecture else f"· {name}")
            for code, name, prefecture in enterprise_pages.territory_options(session, page_actor())
        ],
        "status": [
            (s.value, gettext(LABELS["enterprise_status"][s.value])) for s in EnterpriseStatus
        ],
        "basin": [(b.code, b.name) for b in list_basins(session)],
        "tier": [*tier, (enterprise_pages.ABNORMAL, gettext(LABELS["tier"]["abnormal"]))],
    }


def _credit_section(enterprise_id: int, as_of: date | None, scheme: Scheme) -> dict[str, Any]:
    """The score as of a day with everything the page shows beside its lines."""
    session = db.session()
    actor = page_actor()
    result = credit.explain(session, actor, scheme, enterprise_id, as_of)
    records = [r for c in result.contributions for r in c.records]
    risk = next((c for c in result.contributions if c.kind.value == "graph_risk"), None)
    paths, names = enterprise_pages.risk_path_lines(session, actor, risk.records if risk else [])
    return {
        "result": result,
        "rule": scheme.tier_rule(result.tier) if result.tier else None,
        "consequence": scheme.consequences.get(result.tier) if result.tier else None,
        "rules": enterprise_pages.rule_info(scheme),
        "links": enterprise_pages.record_links(
            session, [r for r in records if not risk or r not in risk.records]
        ),
        "risk_paths": paths,
        "risk_names": names,
    }


@bp.get(f"/enterprises/{_ID}")
@login_required
def detail(enterprise_id: int) -> Any:
    """Show an enterprise: identity, sources and permits, cases, credit and its history."""
    actor = page_actor()
    session = db.session()
    scheme = _scheme()
    ent = enterprises.get_enterprise(session, actor, enterprise_id)
    values = _query_values(("as_of",))
    state = FormState(values=values)
    args = attempt(lambda: AsOfArgs().load(values), state)
    if args is not None:
        # get_enterprise checked the jurisdiction; a read it audited was committed.
        credit_view = _credit_section(ent.id, args["as_of"], scheme)
    else:
        credit_view = None
    found = sources.search_sources(
        session,
        actor,
        SourceFilter(enterprise_id=ent.id),
        per_page=SOURCES_SHOWN,
    )
    history = credit.history(session, actor, scheme, ent.id)
    html = render_template(
        "enterprises/detail.html",
        ent=ent,
        state=state,
        credit=credit_view,
        scheme=scheme,
        sources=found,
        cases=enterprise_pages.case_history(session, actor, ent),
        history=list(reversed(history))[:HISTORY_SHOWN],
        history_total=len(history),
        counties=enterprise_pages.county_names(
            session, [ent.county_code, *(s.county_code for s in found.items)]
        ),
        labels=LABELS,
        case_label=case_labels.label,
        case_status=case_labels.status_label,
    )
    return html, state.status


def _graph_data(view: enterprise_pages.GraphView, captions: dict[str, str]) -> dict[str, Any]:
    """The graph as Cytoscape elements, every label in the request's language."""
    nodes = []
    for n in view.nodes.values():
        nodes.append(
            {
                "data": {
                    "id": n.key,
                    "kind": n.kind,
                    "label": captions[n.key],
                    "visible": n.visible,
                    "tier": n.tier.code if n.tier else "",
                    "tier_label": gettext(LABELS["tier"][n.tier.code]) if n.tier else "",
                    "risky": n.risky,
                    "start": n.key == view.start,
                    "ring": n.ring,
                    "url": (
                        url_for(".detail", enterprise_id=n.id)
                        if n.kind == "enterprise" and n.visible
                        else ""
                    ),
                },
                "classes": " ".join(
                    c
                    for c, on in (
                        (n.kind, True),
                        ("start", n.key == view.start),
                        ("risky", n.risky),
                        ("risk-path", n.on_risk_path),
                        ("hidden-party", not n.visible),
                    )
                    if on
                ),
            }
        )
    edges = []
    for e in view.edges.values():
        label = gettext(LABELS["edge"].get(e.kind, e.kind))
        if e.share is not None:
            label = f"{label} {e.share:.0%}"
        edges.append(
            {
                "data": {
                    "id": e.key,
                    "source": e.source,
                    "target": e.target,
                    "kind": e.kind,
                    "label": label,
                    "strength": e.strength,
                },
                "classes": " ".join([e.kind, "risk-path"] if e.on_risk_path else [e.kind]),
            }
        )
    return {
        "enterprise": view.start,
        "nodes": nodes,
        "edges": edges,
        "risky": [
            {
                "node": r.node,
                "distance": r.distance,
                "strength": r.strength,
                "paths": [{"nodes": list(p.nodes), "edges": list(p.edges)} for p in r.paths],
            }
            for r in view.risky
        ],
        "related_total": view.related_total,
        "related_drawn": view.related_drawn,
        "truncated": view.truncated,
    }


def _node_label(n: enterprise_pages.NodeView, counties: dict[str, str]) -> str:
    """A node's caption: its name, or what kind of party it is when the actor may not see it."""
    if n.visible and n.label:
        return n.label
    if n.kind == "enterprise":
        county = counties.get(n.county_code or "", n.county_code or "")
        return str(
            gettext("Enterprise #%(id)s, %(county)s (outside jurisdiction)", id=n.id, county=county)
        )
    return f"{gettext(LABELS['node'].get(n.kind, n.kind))} {gettext('(not shown)')}"


def _graph(
    enterprise_id: int,
) -> tuple[enterprise_pages.GraphView, dict[str, str], dict[str, Any]]:
    """The graph view, each node's caption and the Cytoscape elements."""
    session = db.session()
    view = enterprise_pages.graph_view(
        session,
        page_actor(),
        enterprise_id,
        _scheme(),
        on=local_today(),
        hub_cap=_hub_cap(),
    )
    counties = enterprise_pages.county_names(session, (n.county_code for n in view.nodes.values()))
    captions = {n.key: _node_label(n, counties) for n in view.nodes.values()}
    return view, captions, _graph_data(view, captions)


@bp.get(f"/enterprises/{_ID}/graph")
@login_required
def graph_page(enterprise_id: int) -> Any:
    """Draw the enterprise's relationship graph and list the paths to risky parties."""
    actor = page_actor()
    ent = enterprises.get_enterprise(db.session(), actor, enterprise_id)
    view, captions, data = _graph(ent.id)
    return render_template(
        "enterprises/graph.html",
        ent=ent,
        view=view,
        data=data,
        labels=LABELS,
        captions=captions,
        hub_cap=_hub_cap(),
        max_nodes=enterprise_pages.MAX_NODES,
        seed_labels=", ".join(
            gettext(LABELS["tier"].get(t, t))
            for t in sorted(view.seed_tiers, key=lambda t: _TIER_RANK.get(t, 9))
        ),
    )


@bp.get(f"/enterprises/{_ID}/graph.json")
@login_required
def graph_json(enterprise_id: int) -> Any:
    """The relationship graph as JSON (Cytoscape elements), for the logged-in user."""
    return jsonify(_graph(enterprise_id)[2])
