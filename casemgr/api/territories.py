"""Reference data: divisions, inspection units and basins (read-only)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from casemgr.extensions import db
from casemgr.schemas.territories import (
    BasinSchema,
    DivisionQueryArgs,
    DivisionSchema,
    InspectionUnitSchema,
)
from casemgr.security import api_actor
from casemgr.services import territories as svc

blp = Blueprint(
    "territories",
    __name__,
    url_prefix="",
    description="Guizhou divisions (GB/T 2260), inspection units and river basins",
)


@blp.route("/divisions")
class Divisions(MethodView):
    @blp.arguments(DivisionQueryArgs, location="query")
    @blp.response(200, DivisionSchema(many=True))
    def get(self, args: dict[str, Any]) -> Any:
        """List divisions (province, prefectures, counties)"""
        return svc.list_divisions(
            db.session(), api_actor(), level=args.get("level"), parent_code=args.get("parent_code")
        )


@blp.route("/divisions/<string:code>")
class DivisionByCode(MethodView):
    @blp.response(200, DivisionSchema)
    def get(self, code: str) -> Any:
        """Read a division"""
        return svc.get_division(db.session(), api_actor(), code)


@blp.route("/inspection-units")
class InspectionUnits(MethodView):
    @blp.response(200, InspectionUnitSchema(many=True))
    def get(self) -> Any:
        """List inspection units (9 prefectures, Gui'an New Area, pilot counties)"""
        return svc.list_inspection_units(db.session(), api_actor())


@blp.route("/basins")
class Basins(MethodView):
    @blp.response(200, BasinSchema(many=True))
    def get(self) -> Any:
        """List the eight river basins"""
        return svc.list_basins(db.session(), api_actor())
