"""The list pages behind the figures: for each kind of list, its title, headers, the select of its rows (the
same select the figure counts) and how a row becomes cells. Views parse the request into a filter and page
through the select; this module decides what a list shows."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from flask_babel import format_datetime
from flask_babel import gettext as _

from core.privacy import mask_minor_name
from reports.services.contests import (
    EntryFilter,
    awards_select,
    contests_select,
    entries_select,
    judges_select,
    schools_select,
    special_awards_select,
    students_select,
)
from reports.services.figures import sum_of
from reports.services.labels import (
    AWARD_LABELS,
    EVENT_KIND_LABELS,
    HOST_KIND_LABELS,
    SPECIAL_AWARD_LABELS,
    STAGE_LABELS,
)
from reports.services.outreach import (
    EventFilter,
    VisitFilter,
    checkin_staff_select,
    checkins_select,
    crew_select,
    events_select,
    hosts_visited,
    registrations_select,
    sessions_select,
    visits_select,
)

ENTRY_KINDS = ("contests", "schools", "entries", "students", "awards", "special_awards", "judges")
EVENT_LIST_KINDS = ("events", "sessions", "registrations", "checkins", "checkin_staff")
VISIT_KINDS = ("visits", "crew")
LIST_KINDS = (*ENTRY_KINDS, *EVENT_LIST_KINDS, *VISIT_KINDS, "hosts", "reached")


@dataclass
class ListSpec:
    """A list page: title, headers, the select of its rows, row -> cells, and the column summed as people
    (head-counts, audiences) or None."""

    title: str
    headers: list[str]
    select: object
    cells: Callable
    people_column: str | None = None


def _when(value) -> str:
    return format_datetime(value, "yyyy-MM-dd HH:mm") if value else ""


def entry_list(kind: str, f: EntryFilter) -> ListSpec:
    if kind == "contests":
        return ListSpec(
            _("Contests"),
            [_("Year"), _("Contest"), _("Status")],
            contests_select(f),
            lambda c: [c.year, c.name, str(c.status_label)],
        )
    if kind == "schools":
        return ListSpec(
            _("Schools taking part"),
            [_("School"), _("District")],
            schools_select(f),
            lambda o: [o.name, o.district or ""],
        )
    if kind == "entries":
        return ListSpec(
            _("Entries"),
            [
                _("Year"),
                _("Contest"),
                _("Category"),
                _("Entry code"),
                _("Title"),
                _("School"),
                _("Students"),
                _("Status"),
            ],
            entries_select(f),
            lambda e: [
                e.contest.year,
                e.contest.name,
                e.category.name,
                e.code or "",
                e.title,
                e.school.name,
                "、".join(m.student.name for m in e.members),
                str(e.status_label),
            ],
        )
    if kind == "students":
        return ListSpec(
            _("Students"),
            [_("Name"), _("Gender"), _("Grade"), _("Stage"), _("School")],
            students_select(f),
            lambda s: [s.name, s.gender, s.grade_label, str(STAGE_LABELS.get(s.stage, s.stage)), s.school.name],
        )
    if kind == "awards":
        return ListSpec(
            _("Awards"),
            [_("Contest"), _("Round"), _("Category"), _("Entry code"), _("Title"), _("School"), _("Award")],
            awards_select(f),
            lambda r: [
                r.round.contest.name if r.round.contest else "",
                r.round.name,
                r.entry.category.name,
                r.entry.code or "",
                r.entry.title,
                r.entry.school.name,
                str(AWARD_LABELS.get(r.award, r.award)),
            ],
        )
    if kind == "special_awards":
        return ListSpec(
            _("Special awards"),
            [_("Award"), _("Entry"), _("Organisation"), _("Reason")],
            special_awards_select(f),
            lambda a: [
                str(SPECIAL_AWARD_LABELS.get(a.kind, a.kind)),
                a.entry.title if a.entry else "",
                a.organisation.name if a.organisation else "",
                a.reason,
            ],
        )
    if kind == "judges":  # cells(user, {user id: contests}): the view adds the contests of the page's people
        return ListSpec(
            _("Judges"),
            [_("Name"), _("Contest")],
            judges_select(f),
            lambda u, contests: [u.display_name, "、".join(contests.get(u.id, []))],
        )
    raise ValueError(f"unknown list {kind!r}")


def event_list(kind: str, f: EventFilter) -> ListSpec:
    if kind == "events":
        return ListSpec(
            _("Events"),
            [_("Date"), _("Title"), _("Type"), _("Venue"), _("Sessions")],
            events_select(f),
            lambda e: [
                _when(e.starts_at),
                e.title,
                str(EVENT_KIND_LABELS.get(e.kind, e.kind)),
                e.venue.name if e.venue else "",
                len(e.sessions),
            ],
        )
    if kind == "sessions":
        return ListSpec(
            _("Sessions"),
            [_("Time"), _("Event"), _("Session"), _("Capacity")],
            sessions_select(f),
            lambda s: [_when(s.starts_at), s.event.title, s.title, s.capacity],
        )
    if kind == "registrations":
        return ListSpec(
            _("Registrations"),
            [_("Event"), _("Name"), _("School"), _("Kind"), _("People")],
            registrations_select(f),
            lambda r: [
                r.event.title,
                mask_minor_name(r.name),
                r.school_name,
                _("School group") if r.kind == "group" else _("Individual"),
                r.head_count,
            ],
            "head_count",
        )
    if kind == "checkins":
        return ListSpec(
            _("Check-ins"),
            [_("Time"), _("Event"), _("Name"), _("School"), _("People")],
            checkins_select(f),
            lambda c: [
                _when(c.checked_in_at),
                c.registration.event.title,
                mask_minor_name(c.registration.name),
                c.registration.school_name,
                c.head_count,
            ],
            "head_count",
        )
    if kind == "checkin_staff":
        return ListSpec(_("Check-in volunteers"), [_("Name")], checkin_staff_select(f), lambda u: [u.display_name])
    raise ValueError(f"unknown list {kind!r}")


def visit_list(kind: str, f: VisitFilter) -> ListSpec:
    if kind == "visits":
        return ListSpec(
            _("Caravan visits"),
            [_("Date"), _("Host"), _("Kind"), _("Caravan"), _("Expected audience")],
            visits_select(f),
            lambda v: [
                _when(v.starts_at),
                v.host_name,
                str(HOST_KIND_LABELS.get(v.host_kind, v.host_kind)),
                v.caravan.name if v.caravan else "",
                v.expected_audience,
            ],
            "expected_audience",
        )
    if kind == "crew":
        return ListSpec(_("Caravan crew"), [_("Name"), _("Role")], crew_select(f), lambda s: [s.name, s.role])
    raise ValueError(f"unknown list {kind!r}")


def reached_parts(ef: EventFilter, vf: VisitFilter) -> tuple[int, int]:
    """People reached = people checked in + the audience hosts reported for caravan visits without check-in."""
    return (
        sum_of(checkins_select(ef), "head_count"),
        sum_of(visits_select(replace(vf, uncounted_only=True)), "expected_audience"),
    )


def host_rows(f: VisitFilter) -> list[list]:
    """The schools and communities the caravan visited, as rows: host, kind, visits, expected audience."""
    return [
        [h["name"], str(HOST_KIND_LABELS.get(h["kind"], h["kind"])), h["visits"], h["audience"]]
        for h in hosts_visited(f)
    ]
