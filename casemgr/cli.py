"""`casemgr ...` commands: reference data, demo data, users, the audit trail."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from flask_migrate import upgrade

from casemgr.extensions import db
from casemgr.lifecycles import diagrams
from casemgr.policy import SYSTEM_ACTOR, Role
from casemgr.services import accounts, audit, calendars, demo, reference

refdata_cli = AppGroup("refdata", help="Guizhou reference data (divisions, units, basins).")
demo_cli = AppGroup("demo", help="The demo data set.")
audit_cli = AppGroup("audit", help="The tamper-evident audit trail.")
user_cli = AppGroup("user", help="User accounts.")
holidays_cli = AppGroup("holidays", help="The statutory-holiday calendar of the legal clock.")
lifecycle_cli = AppGroup("lifecycle", help="The case lifecycles.")


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


@refdata_cli.command("load")
def refdata_load() -> None:
    """Load or refresh divisions, inspection units and basins."""
    report = reference.load_reference_data(
        db.session(), pilot_counties=current_app.config["PILOT_COUNTIES"]
    )
    click.echo(
        f"divisions: {report.divisions}, inspection units: {report.inspection_units}, "
        f"basins: {report.basins}"
    )


@demo_cli.command("load")
@click.option("--enterprises", default=600, show_default=True, help="Number of enterprises.")
@click.option("--seed", default=2026, show_default=True)
def demo_load(enterprises: int, seed: int) -> None:
    """Load demo users and enterprises (skipped when demo data already exist)."""
    report = demo.load_demo(db.session(), enterprises=enterprises, seed=seed)
    click.echo(report.summary())


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
        f"inspection units, {report.basins} basins"
    )
    if with_demo:
        click.echo(demo.load_demo(db.session(), enterprises=enterprises).summary())


def register(app: Flask) -> None:
    for group in (refdata_cli, demo_cli, audit_cli, user_cli, holidays_cli, lifecycle_cli):
        app.cli.add_command(group)
    app.cli.add_command(setup_command)
