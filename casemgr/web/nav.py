"""The navigation bar: the pages a user's roles open, in the order people use them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app, request
from flask_login import current_user

from casemgr.i18n import N_
from casemgr.policy import Permission
from casemgr.security import page_actor


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: str  # English msgid, translated in the template
    permission: Permission | None = None


NAV = (
    NavItem("pages.home", N_("Home")),
    NavItem("enterprises_pages.search", N_("Enterprises"), Permission.READ_ENTERPRISES),
    NavItem("cases_pages.index", N_("Cases"), Permission.READ_CASES),
    NavItem("deadlines_pages.board", N_("Deadlines"), Permission.READ_CASES),
    NavItem("linking_pages.review_queue", N_("Record linkage"), Permission.WRITE_ENTERPRISES),
    NavItem("credit_pages.index", N_("Credit"), Permission.READ_ENTERPRISES),
    NavItem("inspections_pages.index", N_("Inspections"), Permission.READ_CASES),
    NavItem("dashboards_pages.index", N_("Dashboards"), Permission.READ_CASES),
    NavItem("tasks_pages.index", N_("Tasks"), None),
)


def items() -> list[dict[str, Any]]:
    """The entries the logged-in user may open, marking the one the page belongs to."""
    if not current_user.is_authenticated:
        return []
    actor = page_actor()
    views = current_app.view_functions
    here = (request.endpoint or "").partition(".")[0]
    return [
        {
            "endpoint": item.endpoint,
            "label": item.label,
            "current": item.endpoint.partition(".")[0] == here,
        }
        for item in NAV
        if item.endpoint in views and (item.permission is None or actor.can(item.permission))
    ]


def register(app: Flask) -> None:
    @app.context_processor
    def _nav() -> dict[str, Any]:
        return {"nav_items": items}
