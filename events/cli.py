"""`flask --app run events list|registrations|stats|remind`.

What it says to people (messages, errors, the year's figures) is in the installation's language
(BABEL_DEFAULT_LOCALE, core.i18n.print_locale), zh_CN first; the CSV and JSON column keys stay fixed, as files
other programs read."""

from __future__ import annotations

import json
import sys

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import gettext as _
from flask_babel import ngettext, to_user_timezone

from core.extensions import db
from core.i18n import print_locale
from core.spreadsheets import write_csv
from events.models import EVENT_KIND_LABELS, Event, label_of
from events.services import attendance as attendance_service
from events.services import planning as planning_service
from events.services import registration as registration_service

events_cli = AppGroup("events", help="Outreach events, registrations and check-in.")


def _local(moment) -> str:
    return to_user_timezone(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


@events_cli.command("list")
@click.option("--year", type=int, default=None, help="Only events starting in this (local) year.")
def list_command(year):
    """Print `id, start, title, registered` per event (registered = confirmed seats)."""
    rows = planning_service.list_events(year=year)
    write_csv(
        sys.stdout,
        [
            ["id", "start", "title", "registered"],
            *([event.id, _local(event.starts_at), event.title, registered] for event, registered in rows),
        ],
    )


@events_cli.command("registrations")
@click.option("--event", "event_id", type=int, required=True, help="Event id (see `events list`).")
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
def registrations_command(event_id, fmt):
    """All registrations of an event with code, name, status and check-in time (for printing group tickets)."""
    event = db.session.get(Event, event_id)
    if event is None:
        with print_locale():
            raise click.ClickException(_("No event with id %(id)d (see `flask events list`).", id=event_id))
    columns = [
        "code",
        "name",
        "kind",
        "head_count",
        "school",
        "grade",
        "session",
        "status",
        "checked_in_at",
        "gate",
        "ticket_url",
    ]
    base = current_app.config.get("BASE_URL", "").rstrip("/")
    rows = []
    for r in registration_service.event_registrations(event):
        rows.append(
            {
                "code": r.code,
                "name": r.name,
                "kind": r.kind,
                "head_count": r.head_count,
                "school": r.school_name,
                "grade": r.grade,
                "session": r.session.title or _local(r.session.starts_at),
                "status": r.status,
                "checked_in_at": _local(r.checkin.checked_in_at) if r.checkin else "",
                "gate": r.checkin.gate if r.checkin else "",
                "ticket_url": f"{base}/events/t/{r.link_token}",
            }
        )
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    write_csv(sys.stdout, [columns, *([row[c] for c in columns] for row in rows)])


@events_cli.command("stats")
@click.option(
    "--year",
    type=int,
    required=True,
    help="A calendar year in the installation's time zone (events count by their start).",
)
def stats_command(year):
    """Figures of a year for published events only: events, sessions, registered and checked-in people, and
    confirmed caravan visits, by type of event.

    Counts as the annual report does: drafts and cancelled events are left out; registered people are
    confirmed seats (a group counts its head-count).
    """
    with print_locale():
        if not 2000 <= year <= 2100:
            raise click.ClickException(_("Give a year between 2000 and 2100."))
        stats = attendance_service.year_stats(year)
        figures = (
            ("year", _("Year")),
            ("events", _("Events")),
            ("sessions", _("Event sessions")),
            ("registered", _("Registered people")),
            ("checked_in", _("Checked-in people")),
            ("caravan_visits", _("Caravan visits")),
        )
        for key, label in figures:
            click.echo(f"{label}: {stats[key]}")
        for kind, values in sorted(stats["by_kind"].items()):
            click.echo(
                "  "
                + _(
                    "%(kind)s: %(events)d events, %(registered)d registered, %(checked_in)d checked in",
                    kind=label_of(EVENT_KIND_LABELS, kind),
                    **values,
                )
            )


@events_cli.command("remind")
def remind_command():
    """Remind registrants of sessions starting in 12–36 hours (run daily, e.g. from cron); each once."""
    from core.db import utcnow
    from events.notifications import send_reminders

    queued = send_reminders(utcnow())
    db.session.commit()
    with print_locale():
        click.echo(ngettext("%(num)d reminder message queued.", "%(num)d reminder messages queued.", queued))
