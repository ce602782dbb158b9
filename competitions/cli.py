"""`flask contests list|export|import`, `flask schools import`, `flask students import|export`,
`flask entries export`. Bad input prints a clear message and exits non-zero, never a traceback. Everything
printed is in the installation's language (BABEL_DEFAULT_LOCALE, zh_CN first): the CLI has no user, so no
other language to choose."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import AppGroup
from flask_babel import gettext as _

from accounts.models import Organisation
from competitions.models import Contest
from competitions.roster.reading import parse_roster
from competitions.roster.writing import write_roster_csv, write_roster_xlsx
from competitions.services import contests as contests_service
from competitions.services import definitions as definitions_service
from competitions.services import listings as listings_service
from competitions.services import schools as schools_service
from competitions.services import students as students_service
from core.errors import DomainError
from core.extensions import db

contests_cli = AppGroup("contests", help="Contests: list, and their definition as JSON.")
schools_cli = AppGroup("schools", help="Schools: import the schools list.")
students_cli = AppGroup("students", help="Student rosters of schools.")
entries_cli = AppGroup("entries", help="Entries of contests.")


def _render(error) -> str:
    return error.render(_)


def _fail(exc: DomainError) -> None:
    db.session.rollback()
    raise click.ClickException(str(exc.message))


def _nothing_imported(count: int) -> click.ClickException:
    return click.ClickException(_("%(count)s error(s); nothing was imported", count=count))


def _contest(contest_id: int) -> Contest:
    contest = db.session.get(Contest, contest_id)
    if contest is None:
        raise click.ClickException(_("No contest with id %(id)s.", id=contest_id))
    return contest


def _school(code: str) -> Organisation:
    school = schools_service.school_by_code(code)
    if school is None:
        raise click.ClickException(_("No school with code %(code)s.", code=code))
    return school


def _organisation(code: str | None) -> Organisation:
    units = schools_service.organising_units()
    if code:
        units = [u for u in units if u.code == code]
        if not units:
            raise click.ClickException(_("No organising unit with code %(code)s.", code=code))
    if not units:
        raise click.ClickException(_("There is no organising unit (科协) yet."))
    if len(units) > 1 and not code:
        raise click.ClickException(_("Several organising units exist; choose one with --org CODE."))
    return units[0]


def _read(path: str) -> bytes:
    file = Path(path)
    if not file.is_file():
        raise click.ClickException(_("No such file: %(path)s", path=path))
    return file.read_bytes()


# ------------------------------------------------------------------ contests


@contests_cli.command("list")
def list_contests():
    """One line per contest: id, year, name, status."""
    for contest in contests_service.list_contests():
        click.echo(f"{contest.id}, {contest.year}, {contest.name}, {contest.status_label}")


@contests_cli.command("export")
@click.argument("contest_id", type=int)
def export_contest(contest_id: int):
    """Print the contest's definition (categories, rules, materials, quotas) as JSON."""
    doc = definitions_service.export_contest_definition(_contest(contest_id))
    click.echo(json.dumps(doc, ensure_ascii=False, indent=2))


@contests_cli.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--org", "org_code", default=None, help="Code of the organising unit (科协) that runs the new contest.")
@click.option("--year", type=int, default=None, help="Year of the new edition (dates move with it).")
@click.option("--name", default=None, help="Name of the new contest (default: the file's).")
def import_contest(file: str, org_code: str | None, year: int | None, name: str | None):
    """Create a new draft contest from a definition file (e.g. last year's, or a city's template)."""
    try:
        doc = json.loads(_read(file).decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise click.ClickException(_("%(file)s is not a JSON file: %(error)s", file=file, error=exc)) from None
    try:
        contest = definitions_service.import_contest_definition(doc, _organisation(org_code), year=year, name=name)
    except definitions_service.DefinitionInvalid as exc:
        db.session.rollback()
        for error in exc.errors:
            click.echo(_render(error), err=True)
        raise _nothing_imported(len(exc.errors)) from None
    except DomainError as exc:
        _fail(exc)
    db.session.commit()
    click.echo(
        _(
            "Imported contest %(id)s, %(year)s, %(name)s, %(status)s with %(count)s categories.",
            id=contest.id,
            year=contest.year,
            name=contest.name,
            status=contest.status_label,
            count=len(contest.categories),
        )
    )


# ------------------------------------------------------------------ schools


@schools_cli.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--org", "org_code", default=None, help="Code of the organising unit the schools belong to.")
def import_schools(file: str, org_code: str | None):
    """Create or update schools from .xlsx/.csv with 学校名称, 代码, 学段, 地区 (matched by code)."""
    result = schools_service.import_schools(_read(file), file, _organisation(org_code))
    if result.problems:
        db.session.rollback()
        for row, message in result.problems:
            click.echo((_("Row %(row)s: ", row=row) if row else "") + str(message), err=True)
        raise _nothing_imported(len(result.problems))
    db.session.commit()
    click.echo(_("Schools: %(created)s created, %(updated)s updated.", created=result.created, updated=result.updated))


# ------------------------------------------------------------------ students


@students_cli.command("import")
@click.option("--school", "school_code", required=True, help="School code.")
@click.argument("file", type=click.Path(dir_okay=False))
def import_students(school_code: str, file: str):
    """Import a roster (.xlsx or .csv; UTF-8, UTF-8 BOM or GBK). All or nothing; re-import updates."""
    school = _school(school_code)
    result = parse_roster(_read(file), file)
    if not result.ok:
        for error in result.errors:
            where = (
                _("Row %(row)s, column %(column)s: ", row=error.row, column=error.column)
                if error.row and error.column
                else (_("Row %(row)s: ", row=error.row) if error.row else "")
            )
            click.echo(where + _render(error), err=True)
        raise _nothing_imported(len(result.errors))
    try:
        counts = students_service.import_roster(school, result)
    except DomainError as exc:
        _fail(exc)
    db.session.commit()
    click.echo(
        _(
            "%(school)s: %(created)s created, %(updated)s updated, %(unchanged)s unchanged.",
            school=school.name,
            created=counts["create"],
            updated=counts["update"],
            unchanged=counts["unchanged"],
        )
    )


@students_cli.command("export")
@click.option("--school", "school_code", required=True, help="School code.")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False), help="FILE.xlsx or FILE.csv")
def export_students(school_code: str, out: str):
    """Write the school's roster in the import template's columns (.xlsx, or .csv with a BOM)."""
    school = _school(school_code)
    students = students_service.list_students(school.id)
    suffix = Path(out).suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise click.ClickException(_("--out must end in .xlsx or .csv"))
    data = write_roster_xlsx(students) if suffix == ".xlsx" else write_roster_csv(students)
    _write_file(out, data)
    click.echo(_("Wrote %(count)s students to %(out)s.", count=len(students), out=out))


# ------------------------------------------------------------------ entries


@entries_cli.command("export")
@click.option("--contest", "contest_id", required=True, type=int)
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False), help="FILE.xlsx")
def export_entries(contest_id: int, out: str):
    """The organiser's master list of entries as .xlsx."""
    contest = _contest(contest_id)
    if Path(out).suffix.lower() != ".xlsx":
        raise click.ClickException(_("--out must end in .xlsx"))
    data = listings_service.master_list_xlsx(contest)
    _write_file(out, data)
    count = len(listings_service.list_entries(contest.id))
    click.echo(_("Wrote %(count)s entries to %(out)s.", count=count, out=out))


def _write_file(out: str, data: bytes) -> None:
    """Write an export; an unwritable path is a clear error (exit 1), not a traceback."""
    try:
        Path(out).write_bytes(data)
    except OSError as exc:
        raise click.ClickException(_("Cannot write %(out)s: %(error)s", out=out, error=exc.strerror or exc)) from None


def init_cli(app) -> None:
    for group in (contests_cli, schools_cli, students_cli, entries_cli):
        app.cli.add_command(group)


@contests_cli.command("remind-closing")
@click.option("--days", default=3, show_default=True, help="Remind when registration closes within this many days.")
def remind_closing(days: int):
    """Tell coordinators of schools with unfinished entries that registration closes soon (run daily)."""
    from competitions.notifications import send_closing_reminders
    from core.db import utcnow

    queued = send_closing_reminders(utcnow(), days=days)
    db.session.commit()
    click.echo(_("Queued %(count)s reminder message(s).", count=queued))
