"""`flask --app run report --year YYYY --org CODE --out FILE.pdf|.xlsx` and `flask --app run opendata export OUT.db`."""

from __future__ import annotations

from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup, with_appcontext
from flask_babel import gettext as _

opendata_cli = AppGroup("opendata", help="Open-data export (a standalone SQLite file for Datasette).")


@click.command("report", help="Write the annual report of an organisation (and its sub-organisations).")
@click.option("--year", type=int, required=True, help="Calendar year, e.g. 2026.")
@click.option("--org", "code", required=True, help="Organisation code (see the organisations page).")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False), help="FILE.pdf or FILE.xlsx")
@with_appcontext
def report_command(year: int, code: str, out: str) -> None:
    from accounts.models import Organisation
    from core.extensions import db
    from reports.pdf import build_pdf
    from reports.xlsx import build_xlsx

    suffix = Path(out).suffix.lower()
    if suffix not in (".pdf", ".xlsx"):
        raise click.ClickException(
            _("--out must end in .pdf or .xlsx, not %(suffix)s", suffix=suffix)
            if suffix
            else _("--out must end in .pdf or .xlsx")
        )
    if not 2000 <= year <= 2100:
        raise click.ClickException(_("--year %(year)s is not a plausible year", year=year))
    org = db.session.execute(sa.select(Organisation).where(Organisation.code == code)).scalar_one_or_none()
    if org is None:
        raise click.ClickException(_("No organisation has the code %(code)s.", code=code))
    with _request_context():
        from reports.services.annual import build_annual_report

        report = build_annual_report(org, year)
        data = build_pdf(report) if suffix == ".pdf" else build_xlsx(report, summary_title=_summary_title())
    target = Path(out)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.part")
    tmp.write_bytes(data)
    tmp.replace(target)  # never half a file at the target
    click.echo(
        _(
            "%(file)s: %(size)s bytes, %(entries)s entries, %(events)s events",
            file=target,
            size=f"{len(data):,}",
            entries=report.figure("entries").value,
            events=report.figure("events").value,
        )
    )


def _summary_title() -> str:
    return _("Summary")


def _request_context():
    """Links in the report are absolute URLs of the list pages, built against BASE_URL."""
    base = current_app.config.get("BASE_URL") or "http://localhost"
    return current_app.test_request_context("/", base_url=base)


@opendata_cli.command("export", help="Write the public open-data tables into OUT.db (replaced if it exists).")
@click.argument("out", type=click.Path(dir_okay=False))
def export_command(out: str) -> None:
    from reports import services
    from reports.opendata import OpenDataError

    if not out.endswith((".db", ".sqlite", ".sqlite3")):
        raise click.ClickException(_("OUT must end in .db, .sqlite or .sqlite3"))
    try:
        with _request_context():
            counts = services.export_open_data(out)
    except (OpenDataError, OSError) as exc:
        raise click.ClickException(str(exc)) from exc
    for table, n in counts.items():
        click.echo(f"{table}: {n}")
    click.echo(_("written %(file)s", file=out))
