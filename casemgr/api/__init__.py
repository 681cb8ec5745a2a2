"""REST API under /api/v1: flask-smorest blueprints, one per resource."""

from __future__ import annotations

from flask_smorest import Api

from casemgr.api import (
    audit,
    cases,
    channels,
    credit,
    deadlines,
    draws,
    enterprises,
    evidence,
    graph,
    imports,
    inspections,
    linking,
    notifications,
    penalties,
    sources,
    tasks,
    territories,
    tokens,
    users,
    violations,
)

BLUEPRINTS = (
    enterprises.blp,
    enterprises.overrides_blp,
    sources.blp,
    territories.blp,
    users.blp,
    tokens.blp,
    audit.blp,
    violations.blp,
    cases.blp,
    channels.blp,
    deadlines.blp,
    evidence.blp,
    penalties.blp,
    imports.blp,
    linking.blp,
    graph.blp,
    credit.blp,
    notifications.blp,
    inspections.blp,
    draws.blp,
    tasks.blp,
)


def register(api: Api) -> None:
    for blp in BLUEPRINTS:
        api.register_blueprint(blp, url_prefix=f"/api/v1{blp.url_prefix or ''}")
