"""Environmental credit (企业环境信用): scores with their explanation, the tier history,
rescoring, objections and repairs."""

from __future__ import annotations

import tempfile
from typing import IO, Any

from flask import Response, current_app, send_file
from flask.views import MethodView
from flask_smorest import Blueprint

from casemgr.api.common import IF_MATCH, etag, expected_version, page_body
from casemgr.extensions import db
from casemgr.schemas.common import page_of
from casemgr.schemas.credit import (
    AsOfArgs,
    ExportArgs,
    ManifestSchema,
    NotifyArgs,
    ObjectionArgs,
    ObjectionSchema,
    PendingArgs,
    RecipientsArgs,
    RecipientToNotifySchema,
    RepairArgs,
    RepairSchema,
    RequestDecisionArgs,
    RescoreArgs,
    RescoreSchema,
    ScoreSchema,
    StoredScoreSchema,
)
from casemgr.security import api_actor
from casemgr.services import credit as svc
from casemgr.services import credit_export as exports
from casemgr.services import credit_requests as requests
from credit.schemes import Scheme, Tier
from credit.scoring import Score

blp = Blueprint(
    "credit",
    __name__,
    url_prefix="",
    description="Environmental credit: explained scores, tier history, objections and repairs",
)
ENTERPRISE = "/enterprises/<int(max=2147483647):enterprise_id>"


def _scheme() -> Scheme:
    return svc.scheme_named(current_app.config["CREDIT_SCHEME"])


def _score_body(enterprise_id: int, scheme: Scheme, result: Score) -> dict[str, Any]:
    rule = scheme.tier_rule(result.tier) if result.tier else None
    consequence = scheme.consequences.get(result.tier) if isinstance(result.tier, Tier) else None
    return {
        "enterprise_id": enterprise_id,
        "scheme": result.scheme,
        "as_of": result.as_of,
        "status": result.status.value,
        "points": result.points,
        "score_tier": result.score_tier.value,
        "tier": result.tier.value if result.tier else None,
        "tier_name": rule.name if rule else None,
        "sublevel": result.sublevel,
        "contributions": svc.contribution_rows(result),
        "consequence": consequence,
    }


@blp.route(f"{ENTERPRISE}/credit")
class EnterpriseCredit(MethodView):
    @blp.arguments(AsOfArgs, location="query")
    @blp.response(200, ScoreSchema)
    def get(self, args: dict[str, Any], enterprise_id: int) -> Any:
        """The enterprise's score as of a day, every contribution with its records and rule"""
        scheme = _scheme()
        result = svc.explain(db.session(), api_actor(), scheme, enterprise_id, args["as_of"])
        return _score_body(enterprise_id, scheme, result)


@blp.route(f"{ENTERPRISE}/credit/history")
class EnterpriseCreditHistory(MethodView):
    @blp.response(200, StoredScoreSchema(many=True))
    def get(self, enterprise_id: int) -> Any:
        """The enterprise's tier history (immutable: a change is a new row)"""
        return svc.history(db.session(), api_actor(), _scheme(), enterprise_id)


@blp.route("/credit/rescore")
class Rescore(MethodView):
    @blp.arguments(RescoreArgs)
    @blp.response(200, RescoreSchema)
    def post(self, args: dict[str, Any]) -> Any:
        """Rescore enterprises (some, or all) as of a day; stores the changed results"""
        return svc.rescore(
            db.session(),
            api_actor(),
            _scheme(),
            as_of=args["as_of"],
            enterprise_ids=args["enterprise_ids"],
        )


@blp.route(f"{ENTERPRISE}/credit/objections")
class Objections(MethodView):
    @blp.arguments(ObjectionArgs)
    @blp.response(201, ObjectionSchema)
    def post(self, args: dict[str, Any], enterprise_id: int) -> Any:
        """File an enterprise's objection to a record of its score (within the window)"""
        objection = requests.file_objection(
            db.session(), api_actor(), _scheme(), enterprise_id, args
        )
        return objection, etag(objection.version)


@blp.route(f"{ENTERPRISE}/credit/repairs")
class Repairs(MethodView):
    @blp.arguments(RepairArgs)
    @blp.response(201, RepairSchema)
    def post(self, args: dict[str, Any], enterprise_id: int) -> Any:
        """Apply for the repair of a record (after its minimum publication period)"""
        repair = requests.apply_for_repair(
            db.session(), api_actor(), _scheme(), enterprise_id, args
        )
        return repair, etag(repair.version)


@blp.route("/credit/objections")
class PendingObjections(MethodView):
    @blp.arguments(PendingArgs, location="query")
    @blp.response(200, page_of(ObjectionSchema))
    def get(self, args: dict[str, Any]) -> Any:
        """Objections waiting for a decision"""
        page = requests.pending_requests(
            db.session(), api_actor(), "objections", page=args["page"], per_page=args["per_page"]
        )
        return page_body(page)


@blp.route("/credit/repairs")
class PendingRepairs(MethodView):
    @blp.arguments(PendingArgs, location="query")
    @blp.response(200, page_of(RepairSchema))
    def get(self, args: dict[str, Any]) -> Any:
        """Repair applications waiting for a decision"""
        page = requests.pending_requests(
            db.session(), api_actor(), "repairs", page=args["page"], per_page=args["per_page"]
        )
        return page_body(page)


@blp.route("/credit/objections/<int(max=2147483647):objection_id>/decision")
class ObjectionDecision(MethodView):
    @blp.arguments(RequestDecisionArgs)
    @blp.response(200, ObjectionSchema)
    @blp.doc(parameters=[IF_MATCH])
    def post(self, args: dict[str, Any], objection_id: int) -> Any:
        """Uphold or reject an objection; upheld, the enterprise is re-scored at once"""
        objection = requests.decide_objection(
            db.session(),
            api_actor(),
            _scheme(),
            objection_id,
            args,
            expected_version=expected_version(),
        )
        return objection, etag(objection.version)


@blp.route("/credit/repairs/<int(max=2147483647):repair_id>/decision")
class RepairDecision(MethodView):
    @blp.arguments(RequestDecisionArgs)
    @blp.response(200, RepairSchema)
    @blp.doc(parameters=[IF_MATCH])
    def post(self, args: dict[str, Any], repair_id: int) -> Any:
        """Accept or reject a repair; accepted, the enterprise is re-scored at once"""
        repair = requests.decide_repair(
            db.session(),
            api_actor(),
            _scheme(),
            repair_id,
            args,
            expected_version=expected_version(),
        )
        return repair, etag(repair.version)


_MIMETYPES = {
    "csv": "text/csv",  # Flask adds "; charset=utf-8" to text types
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}


def _file_response(export: Any, handle: IO[bytes], status: int) -> Response:
    handle.seek(0)
    name = f"credit-{export.scheme.replace('@', '-v')}-{export.as_of.isoformat()}-{export.id}"
    response = send_file(
        handle,
        mimetype=_MIMETYPES[export.file_format],
        as_attachment=True,
        download_name=f"{name}.{export.file_format}",
    )
    response.status_code = status
    response.headers["Location"] = f"/api/v1/credit/exports/{export.id}"
    response.headers["X-Content-SHA256"] = export.sha256
    response.headers["X-Export-Rows"] = str(export.rows)
    return response


_BINARY = {"type": "string", "format": "binary"}
# Every content type the file may come in, in the OpenAPI document (the first is the default).
_FILE_CONTENT = {
    "content": {
        "text/csv; charset=utf-8": {"schema": _BINARY},
        _MIMETYPES["xlsx"]: {"schema": _BINARY},
        # The JSON export is one document: its rows with the columns' Chinese titles.
        _MIMETYPES["json"]: {"schema": {"type": "object"}},
    }
}


@blp.route("/credit/exports")
class Exports(MethodView):
    @blp.arguments(ExportArgs)
    @blp.response(
        201,
        _BINARY,
        content_type="text/csv; charset=utf-8",
        description="The file (CSV, XLSX or JSON); its manifest at the Location header",
    )
    @blp.doc(responses={"201": _FILE_CONTENT})
    def post(self, args: dict[str, Any]) -> Any:
        """Export the tier list in force on a day (CSV with BOM, XLSX or JSON), filtered by
        prefecture, county, tier and industry, or only what changed since an earlier export"""
        filters = {k: args[k] for k in exports.FILTERS if args.get(k)}
        handle = tempfile.TemporaryFile()
        export = exports.export_tiers(
            db.session(),
            api_actor(),
            _scheme(),
            as_of=args["as_of"],
            file_format=args["format"],
            filters=filters,
            since_export_id=args["since_export_id"],
            recipients=args["recipients"],
            out=handle,
        )
        return _file_response(export, handle, 201)


@blp.route("/credit/exports/<int(max=2147483647):export_id>")
class ExportManifest(MethodView):
    @blp.response(200, ManifestSchema)
    def get(self, export_id: int) -> Any:
        """An export's manifest: scheme version, as-of date, filters, rows, SHA-256, recipients"""
        return exports.manifest(exports.get_export(db.session(), api_actor(), export_id))


@blp.route("/credit/exports/<int(max=2147483647):export_id>/file")
class ExportFile(MethodView):
    @blp.response(
        200,
        _BINARY,
        content_type="text/csv; charset=utf-8",
        description="The file, regenerated byte for byte",
    )
    @blp.doc(responses={"200": _FILE_CONTENT})
    def get(self, export_id: int) -> Any:
        """Regenerate an export's file (409 if it can no longer be made byte for byte)"""
        handle = tempfile.TemporaryFile()
        export = exports.regenerate(db.session(), api_actor(), export_id, handle)
        return _file_response(export, handle, 200)


@blp.route("/credit/exports/<int(max=2147483647):export_id>/recipients")
class ExportRecipients(MethodView):
    @blp.arguments(RecipientsArgs)
    @blp.response(200, ManifestSchema)
    def post(self, args: dict[str, Any], export_id: int) -> Any:
        """Record who received an export (a later correction lists them)"""
        export = exports.add_recipients(db.session(), api_actor(), export_id, args["recipients"])
        return exports.manifest(export)


@blp.route(f"{ENTERPRISE}/credit/notify")
class Notify(MethodView):
    @blp.arguments(NotifyArgs, location="query")
    @blp.response(200, RecipientToNotifySchema(many=True))
    def get(self, args: dict[str, Any], enterprise_id: int) -> Any:
        """Recipients of exports that showed the enterprise otherwise than its tier now"""
        pairs = exports.recipients_to_notify(
            db.session(), api_actor(), enterprise_id, _scheme().key, args["since"]
        )
        return [{"export_id": e, "recipient": r} for e, r in pairs]
