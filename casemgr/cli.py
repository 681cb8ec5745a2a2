"""`casemgr ...` commands: reference data, demo data, users, the audit trail."""

from __future__ import annotations

import json
import random
import sys
import time as time_module
from datetime import date, datetime, time, timedelta
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from flask_migrate import upgrade
from sqlalchemy import func, select

from casemgr.exceptions import DomainError
from casemgr.extensions import db
from casemgr.lifecycles import diagrams
from casemgr.lifecycles.administrative import AdminEvent
from casemgr.models import Case, Enterprise, User
from casemgr.policy import SYSTEM_ACTOR, Role
from casemgr.services import (
    accounts,
    audit,
    calendars,
    cases,
    demo,
    demo_families,
    demo_inspections,
    imports,
    localtime,
    reference,
    violations,
)
from casemgr.services import credit as credit_service
from casemgr.services.access import actor_for

refdata_cli = AppGroup("refdata", help="Guizhou reference data (divisions, units, basins).")
demo_cli = AppGroup("demo", help="The demo data set.")
draw_cli = AppGroup("draw", help="Random inspection draws (双随机抽查).")
audit_cli = AppGroup("audit", help="The tamper-evident audit trail.")
user_cli = AppGroup("user", help="User accounts.")
holidays_cli = AppGroup("holidays", help="The statutory-holiday calendar of the legal clock.")
lifecycle_cli = AppGroup("lifecycle", help="The case lifecycles.")
linkage_cli = AppGroup("linkage", help="Registry, tax and enforcement records and their links.")
credit_cli = AppGroup("credit", help="Environmental credit: scores, tiers and exports.")


@credit_cli.command("rescore")
@click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="The day to score as of (default today).",
)
@click.option(
    "--enterprise",
    "enterprise_ids",
    type=int,
    multiple=True,
    help="Only these enterprises (repeatable); default all.",
)
def credit_rescore(as_of: datetime | None, enterprise_ids: tuple[int, ...]) -> None:
    """Score enterprises as of a day and store the results that changed (the nightly job)."""
    from casemgr.services import credit

    report = credit.rescore(
        db.session(),
        SYSTEM_ACTOR,
        credit.scheme_named(current_app.config["CREDIT_SCHEME"]),
        as_of=as_of.date() if as_of else None,
        enterprise_ids=enterprise_ids or None,
        workers=current_app.config["CREDIT_RESCORE_WORKERS"],
    )
    tiers = ", ".join(f"{k} {v}" for k, v in report.tiers.items())
    click.echo(
        f"{report.scheme} as of {report.as_of}: {report.enterprises} scored, "
        f"{report.changed} changed ({tiers}) in {report.seconds:.1f} s, "
        f"{report.workers} processes"
    )


@credit_cli.command("export")
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None)
@click.option("--format", "file_format", type=click.Choice(["csv", "xlsx", "json"]), default=None)
@click.option(
    "--out", type=click.Path(dir_okay=False, writable=True, path_type=Path), required=True
)
@click.option("--prefecture", multiple=True, help="Prefecture code (repeatable).")
@click.option("--county", multiple=True, help="County code (repeatable).")
@click.option("--tier", multiple=True, help="green, blue, yellow, red, black or abnormal.")
@click.option("--industry", multiple=True, help="GB/T 4754 code prefix, e.g. C26.")
@click.option(
    "--since",
    "since_export_id",
    type=int,
    default=None,
    help="Only what changed since this export.",
)
@click.option("--recipient", "recipients", multiple=True, help="Who receives it (repeatable).")
@click.option(
    "--regenerate",
    "export_id",
    type=int,
    default=None,
    help="Write an earlier export again, byte for byte (other options ignored).",
)
def credit_export(
    as_of: datetime | None,
    file_format: str | None,
    out: Path,
    prefecture: tuple[str, ...],
    county: tuple[str, ...],
    tier: tuple[str, ...],
    industry: tuple[str, ...],
    since_export_id: int | None,
    recipients: tuple[str, ...],
    export_id: int | None,
) -> None:
    """Export the tier list in force on a day; prints the manifest (JSON) with its SHA-256."""
    import json

    from casemgr.services import credit
    from casemgr.services import credit_export as exports

    filters = {
        name: list(values)
        for name, values in (
            ("prefecture", prefecture),
            ("county", county),
            ("tier", tier),
            ("industry", industry),
        )
        if values
    }
    scheme = credit.scheme_named(current_app.config["CREDIT_SCHEME"])
    if export_id is None and (as_of is None or file_format is None):
        raise click.UsageError("--as-of and --format are required (unless --regenerate).")
    try:
        with open(out, "wb") as handle:
            if export_id is not None:
                export = exports.regenerate(db.session(), SYSTEM_ACTOR, export_id, handle)
            else:
                export = exports.export_tiers(
                    db.session(),
                    SYSTEM_ACTOR,
                    scheme,
                    as_of=as_of.date() if as_of else date.today(),
                    file_format=file_format or "csv",
                    filters=filters,
                    since_export_id=since_export_id,
                    recipients=recipients,
                    out=handle,
                )
    except DomainError as exc:
        out.unlink(missing_ok=True)
        details = "; ".join(f"{k}: {v}" for k, msgs in exc.errors.items() for v in msgs)
        raise click.ClickException(f"{exc.message} {details}".strip()) from exc
    click.echo(json.dumps(exports.manifest(export), ensure_ascii=False, indent=2))


@credit_cli.command("explain")
@click.argument("enterprise_id", type=int)
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None)
def credit_explain(enterprise_id: int, as_of: datetime | None) -> None:
    """Print an enterprise's score as of a day with every contribution."""
    from casemgr.services import credit

    try:
        result = credit.explain(
            db.session(),
            SYSTEM_ACTOR,
            credit.scheme_named(current_app.config["CREDIT_SCHEME"]),
            enterprise_id,
            as_of.date() if as_of else None,
        )
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc
    tier = result.tier.value if result.tier else "abnormal"
    level = f" {result.sublevel}" if result.sublevel else ""
    click.echo(f"{result.scheme} as of {result.as_of}: {result.points:g} points, {tier}{level}")
    for c in result.contributions:
        records = ", ".join(c.records) or "-"
        click.echo(
            f"  {c.kind.value:<12} {c.rule:<24} {c.points:>8g}/{c.max_points:g}  "
            f"{c.band}  [{records}]"
        )


@linkage_cli.command("run")
@click.option("--registry", "registry", required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--tax", type=click.Path(exists=True, dir_okay=False), default=None)
@click.option("--env", type=click.Path(exists=True, dir_okay=False), default=None)
@click.option("--out", required=True, type=click.Path(dir_okay=False, writable=True))
@click.option("--review", type=click.Path(dir_okay=False, writable=True), default=None)
def linkage_run(
    registry: str, tax: str | None, env: str | None, out: str, review: str | None
) -> None:
    """Link tax and enforcement records to the registry, file to file (no database).

    Writes OUT (source,record_id,uscc,score,decision: the matches) and, with --review, the
    uncertain pairs with their evidence. Progress goes to standard error.
    """
    from linkage.linkfiles import leave_to_the_exit
    from linkage.pipeline import run
    from linkage.readers import ReadError

    last: dict[str, float] = {}

    def progress(stage: str, count: int) -> None:
        now = time_module.monotonic()
        if now - last.get(stage, 0.0) >= 2.0:
            last[stage] = now
            click.echo(f"{stage}: {count:,}", err=True)

    try:
        report = run(registry, tax, env, out, review, progress)
    except ReadError as exc:
        raise click.ClickException(exc.message) from exc
    leave_to_the_exit()
    click.echo(
        f"links: {report.links:,}, to review: {report.reviews:,}, "
        f"rows: {report.rows}, rejected rows: {report.bad_rows}, {report.seconds:.1f} s"
    )
    for message in report.bad_row_messages[:20]:
        click.echo(f"  {message}", err=True)


@linkage_cli.command("link")
@click.option("--batch", "batch_id", type=int, default=None, help="Only one tax or env import.")
@click.option("--workers", type=int, default=2, show_default=True, help="Normalising processes.")
def linkage_link(batch_id: int | None, workers: int) -> None:
    """Link the committed, unlinked tax and enforcement records to the enterprises: matches
    are applied (undoable), uncertain pairs go to the review queue."""
    from casemgr.services import link_run
    from linkage.linkdata import LinkConfig

    try:
        report = link_run.link_records(
            db.session(), SYSTEM_ACTOR, batch_id=batch_id, config=LinkConfig(workers=workers)
        )
    except DomainError as exc:
        details = "; ".join(f"{k}: {v}" for k, msgs in exc.errors.items() for v in msgs)
        raise click.ClickException(f"{exc.message} {details}".strip()) from exc
    click.echo(", ".join(f"{k}: {v}" for k, v in link_run.describe(report).items()))


@linkage_cli.command("graph")
@click.option("--batch", "batch_id", type=int, default=None, help="Only what one batch describes.")
@click.option("--cap", type=int, default=50, show_default=True, help="Hub cap (address, phone).")
def linkage_graph(batch_id: int | None, cap: int) -> None:
    """Build or refresh the enterprise graph from committed registry records (idempotent).
    Builds started together take turns (PostgreSQL), so each edge is written once."""
    from casemgr.services.graph_build import build_from_records

    report = build_from_records(db.session(), SYSTEM_ACTOR, batch_id, cap=cap)
    click.echo(
        f"enterprises: {report.enterprises}, linked by USCC: {report.linked_by_uscc}, "
        f"nodes created: {report.nodes_created}, edges added: {report.edges_added}, "
        f"closed: {report.edges_closed}, deleted: {report.edges_deleted}, unresolved "
        f"shareholders: {report.unresolved_shareholders}, ambiguous names: "
        f"{report.ambiguous_names}"
    )


@linkage_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--source", type=click.Choice(["registry", "tax", "env"]), required=True)
@click.option("--source-date", type=click.DateTime(formats=["%Y-%m-%d"]), default=None)
def linkage_import(path: Path, source: str, source_date: datetime | None) -> None:
    """Import a CSV, XLSX or JSON Lines file as one batch: all good rows or none."""
    imports.recover_stale_batches(db.session())
    report = imports.import_file(
        db.session(),
        SYSTEM_ACTOR,
        path,
        source,
        source_date=source_date.date() if source_date else None,
    )
    click.echo(
        f"batch {report.batch_id}: {report.status}, {report.rows_imported} imported, "
        f"{report.rows_rejected} rejected of {report.rows_read}"
    )
    for r in report.rejections[:20]:
        click.echo(f"  row {r.row_number} {r.field}: {r.reason.format(**r.params)}")
    if report.status != "committed":
        raise click.ClickException(report.error)


@holidays_cli.command("load")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def holidays_load(path: Path) -> None:
    """Load a year's schedule (CSV: date,kind,name,source[,year]) from the State Council's
    notice; it replaces the rows of the notice years it covers."""
    try:
        report = calendars.load_csv(db.session(), path)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"loaded {report.days} days for {', '.join(map(str, report.years))}")


@lifecycle_cli.command("diagram")
def lifecycle_diagram() -> None:
    """Print every lifecycle as a Mermaid state diagram (Markdown)."""
    click.echo(diagrams(), nl=False)


@draw_cli.command("rerun")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def draw_rerun(path: Path) -> None:
    """Re-run a draw from its published inputs (GET /api/v1/draws/ID/inputs) and print its
    list (rank|USCC|class|county|inspectors) and digests; no database is read."""
    from casemgr.planning.draw_documents import request_from_document
    from casemgr.planning.draws import DrawError, run_draw

    try:
        result = run_draw(request_from_document(json.loads(path.read_text(encoding="utf-8"))))
    except (ValueError, DrawError) as exc:
        raise click.ClickException(str(exc)) from exc
    for t in result.targets:
        click.echo(
            f"{t.rank}|{t.key}|{t.inspection_class}|{t.county_code}|"
            + ",".join(map(str, t.inspectors))
        )
    click.echo(f"pool_digest {result.pool_digest}")
    click.echo(f"roster_digest {result.roster_digest}")
    click.echo(f"exclusions_digest {result.exclusions_digest}")
    click.echo(f"config_digest {result.config_digest}")
    click.echo(f"result_digest {result.result_digest}")


@refdata_cli.command("load")
def refdata_load() -> None:
    """Load or refresh divisions, inspection units and basins."""
    report = reference.load_reference_data(
        db.session(), pilot_counties=current_app.config["PILOT_COUNTIES"]
    )
    click.echo(
        f"divisions: {report.divisions}, inspection units: {report.inspection_units}, "
        f"basins: {report.basins}, judicial organs: {report.judicial_organs}"
    )


@demo_cli.command("load")
@click.option("--enterprises", default=600, show_default=True, help="Number of enterprises.")
@click.option("--seed", default=2026, show_default=True)
def demo_load(enterprises: int, seed: int) -> None:
    """Load demo users and enterprises (skipped when demo data already exist)."""
    _load_demo(enterprises, seed)


def _load_demo(enterprises: int, seed: int = 2026) -> None:
    """The demo data set: users and enterprises, cases at every stage, case families across
    channels, the inspection round and a dispatched draw."""
    click.echo(demo.load_demo(db.session(), enterprises=enterprises, seed=seed).summary())
    n = load_demo_cases(seed=seed)
    if n:
        click.echo(f"demo cases: {n} violations with administrative cases at varied stages")
    families = demo_families.load_demo_families(db.session())
    if families:
        click.echo(f"demo families: {families} violations with cases in several channels")
    scheme = credit_service.scheme_named(current_app.config["CREDIT_SCHEME"])
    if demo_inspections.load_demo_inspections(db.session(), scheme, today=localtime.local_today()):
        click.echo("demo inspections: 3 teams, the 2026-2027 round, a dispatched draw for 遵义")


@audit_cli.command("seal")
def audit_seal() -> None:
    """Seal pending audit entries into chained batches."""
    click.echo(f"sealed {audit.seal_pending(db.session())} entries")


@audit_cli.command("verify")
def audit_verify() -> None:
    """Verify every audit entry and seal; exit 1 naming the first problem."""
    report = audit.verify(db.session())
    click.echo(f"entries: {report.entries}, seals: {report.seals}, unsealed: {report.unsealed}")
    if report.ok:
        click.echo("audit trail intact")
        return
    click.echo(f"TAMPERED: first problem: {report.first}", err=True)
    for problem in report.problems[:20]:
        click.echo(f"  {problem}", err=True)
    sys.exit(1)


@user_cli.command("create")
@click.argument("username")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option(
    "--role", "roles", multiple=True, required=True, type=click.Choice([r.value for r in Role])
)
@click.option(
    "--jurisdiction", "jurisdictions", multiple=True, default=["520000"], show_default=True
)
@click.option("--name", "display_name", default="")
@click.option("--certificate", default=None, help="Enforcement certificate number (officers)")
@click.option("--certificate-valid-until", type=click.DateTime(formats=["%Y-%m-%d"]))
def user_create(
    username: str,
    password: str,
    roles: tuple[str, ...],
    jurisdictions: tuple[str, ...],
    display_name: str,
    certificate: str | None,
    certificate_valid_until: date | None,
) -> None:
    """Create a user."""
    user = accounts.create_user(
        db.session(),
        SYSTEM_ACTOR,
        {
            "username": username,
            "password": password,
            "roles": list(roles),
            "jurisdictions": list(jurisdictions),
            "display_name": display_name,
            "certificate_number": certificate,
            "certificate_valid_until": certificate_valid_until.date()  # type: ignore[attr-defined]
            if certificate_valid_until
            else None,
        },
    )
    click.echo(f"created user {user.username} (id {user.id})")


@click.command("setup")
@click.option("--demo/--no-demo", "with_demo", default=True, show_default=True)
@click.option("--enterprises", default=600, show_default=True)
def setup_command(with_demo: bool, enterprises: int) -> None:
    """Migrate the database to head, load reference data and (by default) the demo data."""
    upgrade()
    report = reference.load_reference_data(
        db.session(), pilot_counties=current_app.config["PILOT_COUNTIES"]
    )
    click.echo(
        f"reference data: {report.divisions} divisions, {report.inspection_units} "
        f"inspection units, {report.basins} basins, {report.judicial_organs} judicial organs"
    )
    if with_demo:
        _load_demo(enterprises)


# The demo's cases walk the real procedure through the services, so the demo shows every stage
# and exercises the same rules as real work: (event, days after the lead, who acts).
_DEMO_STEPS: tuple[tuple[str, int, str], ...] = (
    ("file", 3, "head"),
    ("start_investigation", 4, "officer"),
    ("record", 5, "officer"),
    ("conclude_investigation", 10, "officer"),
    ("notify", 20, "officer"),
    ("end_reply_period", 42, "officer"),  # 5 working days, even across the Spring Festival
    ("decide", 45, "head"),
    ("serve", 47, "officer"),
    ("record_performance", 55, "officer"),
    ("archive", 60, "officer"),
)


def load_demo_cases(count: int = 40, seed: int = 2026) -> int:
    """Log demo violations in 仁怀 and take their cases to varied stages (once)."""
    session = db.session()
    if session.scalar(select(func.count()).select_from(Case)):
        return 0
    users = {u.username: u for u in session.scalars(select(User))}
    try:
        officer = actor_for(session, users["officer.renhuai"])
        head = actor_for(session, users["head.zunyi"])
        colleague = users["officer.renhuai2"]
    except KeyError:
        return 0
    enterprises = session.scalars(
        select(Enterprise).where(Enterprise.county_code == "520382").order_by(Enterprise.id)
    ).all()
    if not enterprises:
        return 0
    rng = random.Random(seed)
    today = localtime.local_today()
    for i in range(count):
        ent = enterprises[i % len(enterprises)]
        start = today - timedelta(days=rng.randint(60, 300))
        v = violations.log_violation(
            session,
            officer,
            {
                "found_at": datetime.combine(start, time(10), tzinfo=localtime.LOCAL),
                "county_code": "520382",
                "basin_code": "chishui",
                "enterprise_ids": [ent.id],
                "summary": rng.choice(
                    [
                        "超标排放酿酒废水",
                        "未按规定运行污水处理设施",
                        "通过暗管排放生产废水",
                        "危险废物未按规定贮存",
                    ]
                ),
                "origin": rng.choice(["inspection", "complaint_12369", "monitoring_alert"]),
            },
        )
        case = cases.open_case(session, officer, v.id, {"lead_received_on": start})
        for event, offset, who in _DEMO_STEPS[: rng.randint(0, len(_DEMO_STEPS))]:
            on = start + timedelta(days=offset)
            actor = head if who == "head" else officer
            if event == "record":
                cases.add_record(
                    session,
                    officer,
                    case.id,
                    {
                        "kind": "inspection",
                        "place": ent.address,
                        "held_at": datetime.combine(on, time(9), tzinfo=localtime.LOCAL),
                        "officer_ids": [officer.user_id, colleague.id],
                    },
                    expected_version=case.version,
                )
                continue
            data: dict[str, object] = {"on": on}
            fine = 10_000_00 * rng.randint(2, 20)
            if event == "notify":
                data |= {"proposed_penalty_types": ["fine"], "proposed_fine_cents": fine}
            if event == "decide":
                data |= {
                    "penalty_types": ["fine"],
                    "correction_ordered_on": on,
                    "fines": [{"act": v.summary, "amount_cents": case.proposed_fine_cents}],
                }
            cases.apply_event(
                session, actor, case.id, AdminEvent(event), data, expected_version=case.version
            )
    return count


def register(app: Flask) -> None:
    groups = (
        refdata_cli,
        demo_cli,
        audit_cli,
        user_cli,
        holidays_cli,
        lifecycle_cli,
        linkage_cli,
        credit_cli,
        draw_cli,
    )
    for group in groups:
        app.cli.add_command(group)
    app.cli.add_command(setup_command)
