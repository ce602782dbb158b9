"""The annual report: the year in figures of an organisation and its sub-organisations, as a
reports.document.Report that the page, the PDF, the .xlsx, the API, the CLI and the job all render."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _

from core.db import utcnow
from core.extensions import db
from reports import periods
from reports.services.contests import (
    EntryFilter,
    award_counts,
    awards_announced_for_other_editions,
    contest_where,
    count_judges,
    entry_counts,
    special_award_counts,
)
from reports.services.figures import count_of, organisation_scope
from reports.services.labels import (
    AWARD_LABELS,
    AWARD_LEVELS,
    EVENT_KIND_LABELS,
    EVENT_KINDS,
    HOST_KIND_LABELS,
    SPECIAL_AWARD_LABELS,
    STAGE_LABELS,
    STAGES,
)
from reports.services.outreach import (
    EventFilter,
    VisitFilter,
    checked_in_by_venue_kind,
    checkin_staff_select,
    crew_select,
    event_counts,
    hosts_visited,
    visit_counts,
)

Link = Callable[..., str | None]  # link(kind, **params) -> URL of the list page, or None


def _no_link(kind: str, **params) -> None:
    return None


#: Sections other areas add to the annual report (calls: applications, experts, results per call), registered at
#: start-up: fn(organisation, org_ids, year) -> reports.document.Section or None (nothing that year).
ANNUAL_SECTIONS: list[Callable] = []


def register_annual_section(fn: Callable) -> Callable:
    if fn not in ANNUAL_SECTIONS:
        ANNUAL_SECTIONS.append(fn)
    return fn


def annual_report(organisation, year: int, link: Link = _no_link, now: datetime | None = None):
    """The year in figures for an organisation and its sub-organisations (reports.document.Report).

    Every number carries the URL of the list it counts, built by link(kind, **params)."""
    from accounts.models import Organisation
    from competitions.models import Category, Contest
    from reports.document import Figure, Report, Row, Section, Table

    now = now or utcnow()
    org_ids = tuple(organisation_scope(organisation.id))
    org = organisation.id
    ef = EntryFilter(org_ids=org_ids, year=year)
    af = replace(ef, published_only=True)
    vf = EventFilter(org_ids=org_ids, year=year)
    cf = VisitFilter(org_ids=org_ids, year=year)

    def L(kind, flt, **extra):  # noqa: N802  (a short local name keeps the tables readable)
        return link(kind, org=org, **{**flt.params(), **extra})

    def P(kind, flt):  # noqa: N802  a people figure: the sum of the list's head-counts (or audiences)
        return L(kind, flt, measure="people")

    totals = entry_counts(ef).get(0, (0, 0))
    elsewhere = awards_announced_for_other_editions(af)
    by_contest = entry_counts(ef, by="contest")
    awards_by_contest = award_counts(af, by="contest")
    by_category = entry_counts(ef, by="category")
    by_school = entry_counts(ef, by="school")
    by_stage = entry_counts(ef, by="stage")
    awards = award_counts(af)
    specials = special_award_counts(af)
    contests = db.session.execute(
        sa.select(Contest.id, Contest.name, Organisation.name)
        .join(Organisation, Organisation.id == Contest.organisation_id)
        .where(*contest_where(ef))
        .order_by(Contest.name)
    ).all()
    categories = db.session.execute(
        sa.select(Category.id, Category.name, Contest.name)
        .join(Contest, Contest.id == Category.contest_id)
        .where(*contest_where(ef))
        .order_by(Contest.name, Category.position, Category.id)
    ).all()
    school_names = dict(
        db.session.execute(
            sa.select(Organisation.id, Organisation.name).where(Organisation.id.in_(list(by_school) or [-1]))
        ).all()
    )
    events = event_counts(vf)
    by_venue = checked_in_by_venue_kind(vf)
    visits = visit_counts(cf, now)
    hosts = hosts_visited(cf, now)
    judges = count_judges(ef)
    checkin_staff = count_of(checkin_staff_select(vf))
    crew = count_of(crew_select(cf, now))

    ev_total = {
        k: sum(v[k] for v in events.values())
        for k in ("events", "sessions", "registered", "checked_in", "group_checked_in")
    }
    uncounted = sum(v["uncounted_audience"] for v in visits.values())
    multi = len(contests) > 1

    participation = Section(
        _("Contests"),
        figures=[
            Figure("contests", _("Contests"), len(contests), L("contests", ef)),
            Figure("entries", _("Entries"), totals[0], L("entries", ef)),
            Figure("students", _("Students"), totals[1], L("students", ef)),
            Figure("schools", _("Schools taking part"), len(by_school), L("schools", ef)),
            Figure("awards", _("Awards"), sum(awards.values()), L("awards", af)),
            Figure("special_awards", _("Special awards"), sum(specials.values()), L("special_awards", af)),
        ],
        tables=[
            Table(
                "by_contest",
                _("Participation and awards by contest"),
                [_("Entries"), _("Students"), _("Awards")],
                [
                    Row(
                        f"{cname}（{oname}）",
                        [by_contest.get(cid, (0, 0))[0], by_contest.get(cid, (0, 0))[1], awards_by_contest.get(cid, 0)],
                        [
                            L("entries", replace(ef, contest_id=cid)),
                            L("students", replace(ef, contest_id=cid)),
                            L("awards", replace(af, contest_id=cid)),
                        ],
                    )
                    for cid, cname, oname in contests
                ],
                label_header=_("Contest"),
                chart="bar",
            ),
            Table(
                "by_stage",
                _("Students by stage"),
                [_("Students")],
                [
                    Row(str(STAGE_LABELS[s]), [by_stage.get(s, (0, 0))[1]], [L("students", replace(ef, stage=s))])
                    for s in STAGES
                ],
                label_header=_("Stage"),
                chart="pie",
            ),
            Table(
                "by_category",
                _("Participation by category"),
                [_("Entries"), _("Students")],
                [
                    Row(
                        f"{cname} · {name}" if multi else name,
                        [by_category.get(cid, (0, 0))[0], by_category.get(cid, (0, 0))[1]],
                        [L("entries", replace(ef, category_id=cid)), L("students", replace(ef, category_id=cid))],
                    )
                    for cid, name, cname in categories
                ],
                label_header=_("Category"),
                chart="bar",
            ),
            Table(
                "by_school",
                _("Participation by school"),
                [_("Entries"), _("Students")],
                [
                    Row(
                        school_names.get(sid, str(sid)),
                        [n[0], n[1]],
                        [L("entries", replace(ef, school_id=sid)), L("students", replace(ef, school_id=sid))],
                        label_link=link("school", school_id=sid),
                    )
                    for sid, n in sorted(by_school.items(), key=lambda kv: (-kv[1][0], school_names.get(kv[0], "")))
                ],
                label_header=_("School"),
                chart="bar",
            ),
            Table(
                "by_award",
                _("Awards by level"),
                [_("Awards")],
                [
                    Row(str(AWARD_LABELS[a]), [awards.get(a, 0)], [L("awards", replace(af, award=a))])
                    for a in AWARD_LEVELS
                ]
                + [
                    Row(str(SPECIAL_AWARD_LABELS.get(k, k)), [n], [L("special_awards", replace(af, award=k))])
                    for k, n in sorted(specials.items())
                ],
                label_header=_("Award"),
                chart="bar",
                note=_(
                    "Awards of this year's contest editions whose results are public (public notice or final), "
                    "whenever they were announced."
                ),
            ),
            *(
                [
                    Table(
                        "awards_elsewhere",
                        _("Awards announced this year for other editions"),
                        [_("Awards")],
                        [
                            Row(
                                _("%(contest)s (%(year)d edition)", contest=name, year=edition),
                                [n],
                                [L("awards", replace(af, year=edition, contest_id=cid))],
                            )
                            for cid, name, edition, n in elsewhere
                        ],
                        label_header=_("Contest"),
                        note=_("These awards count in the report of their contest's edition year, not in this one."),
                    )
                ]
                if elsewhere
                else []
            ),
        ],
    )
    outreach = Section(
        _("Events and outreach"),
        figures=[
            Figure("events", _("Events"), ev_total["events"], L("events", vf)),
            Figure("sessions", _("Sessions"), ev_total["sessions"], L("sessions", vf)),
            Figure("registered", _("People registered"), ev_total["registered"], P("registrations", vf)),
            Figure("checked_in", _("People checked in"), ev_total["checked_in"], P("checkins", vf)),
            Figure(
                "group_checked_in",
                _("of whom in school groups"),
                ev_total["group_checked_in"],
                P("checkins", replace(vf, group_only=True)),
            ),
            Figure(
                "uncounted_audience",
                _("Caravan audience reported by hosts"),
                uncounted,
                P("visits", replace(cf, uncounted_only=True)),
            ),
            Figure("reached", _("People reached"), ev_total["checked_in"] + uncounted, P("reached", vf)),
        ],
        tables=[
            Table(
                "events_by_kind",
                _("Events by type"),
                [_("Events"), _("Sessions"), _("Registered"), _("Checked in")],
                [
                    Row(
                        str(EVENT_KIND_LABELS.get(k, k)),
                        [
                            events.get(k, {}).get("events", 0),
                            events.get(k, {}).get("sessions", 0),
                            events.get(k, {}).get("registered", 0),
                            events.get(k, {}).get("checked_in", 0),
                        ],
                        [
                            L("events", replace(vf, kind=k)),
                            L("sessions", replace(vf, kind=k)),
                            P("registrations", replace(vf, kind=k)),
                            P("checkins", replace(vf, kind=k)),
                        ],
                    )
                    for k in EVENT_KINDS
                    if k in events
                ],
                label_header=_("Type"),
                chart="pie",
            ),
            Table(
                "reached_by_venue",
                _("People checked in by kind of venue"),
                [_("Checked in")],
                [
                    Row(str(HOST_KIND_LABELS.get(k, k)), [by_venue[k]], [P("checkins", replace(vf, venue_kind=k))])
                    for k in ("science_base", "school", "community", "other")
                    if k in by_venue
                ],
                label_header=_("Venue"),
                chart="bar",
            ),
        ],
    )
    caravan = Section(
        _("Science caravan"),
        figures=[
            Figure("visits", _("Caravan visits"), sum(v["visits"] for v in visits.values()), L("visits", cf)),
            Figure(
                "schools_visited",
                _("Schools visited"),
                visits.get("school", {}).get("hosts", 0),
                L("hosts", replace(cf, host_kind="school")),
            ),
            Figure(
                "communities_visited",
                _("Communities visited"),
                visits.get("community", {}).get("hosts", 0),
                L("hosts", replace(cf, host_kind="community")),
            ),
        ],
        tables=[
            Table(
                "hosts",
                _("Schools and communities visited"),
                [_("Visits"), _("Expected audience")],
                [
                    Row(
                        f"{h['name']}（{HOST_KIND_LABELS.get(h['kind'], h['kind'])}）",
                        [h["visits"], h["audience"]],
                        [
                            L("visits", replace(cf, host_kind=h["kind"], host_name=h["name"])),
                            P("visits", replace(cf, host_kind=h["kind"], host_name=h["name"])),
                        ],
                    )
                    for h in hosts
                ],
                label_header=_("Host"),
            ),
        ],
    )
    people = Section(
        _("Judges and volunteers"),
        figures=[
            Figure("judges", _("Judges"), judges, L("judges", ef)),
            Figure("checkin_staff", _("Check-in volunteers"), checkin_staff, L("checkin_staff", vf)),
            Figure("crew", _("Caravan crew"), crew, L("crew", cf)),
        ],
    )
    definitions = [
        _("Figures include the organisation's sub-organisations."),
        _(
            "Contests, entries, students and awards count in the contest's edition year, whenever its results are "
            "announced; awards count once the results are public (public notice or final)."
        ),
        _("Participating entries: submitted and not rejected; students: the distinct students of those entries."),
        _(
            "Events count in the year they start, caravan visits in the year of the visit (in the installation's time zone); "
            "only "
            "published events and confirmed visits."
        ),
        _(
            "People registered: confirmed registrations (a school group counts its head-count); people checked in: "
            "the head-counts recorded at check-in; people reached: people checked in plus the audience hosts "
            "reported for caravan visits without check-in."
        ),
    ]
    if year >= periods.local(now).year:
        definitions.append(
            _("The year is not over: events still to come count in people registered, not yet in people checked in.")
        )
    return Report(
        title=_("%(year)d in figures", year=year),
        definitions=definitions,
        definitions_title=_("Definitions"),
        subtitle=_("%(org)s, including its sub-organisations", org=organisation.name),
        sections=[
            participation,
            outreach,
            caravan,
            people,
            *[section for fn in ANNUAL_SECTIONS if (section := fn(organisation, org_ids, year)) is not None],
        ],
        footer=_("Generated %(when)s from the platform's data", when=periods.local(now).strftime("%Y-%m-%d %H:%M")),
        chart_limit_note=_("The chart shows the first %(n)d rows; the table lists them all."),
    )


def list_link(kind: str, **params) -> str:
    """Absolute URL of the list page behind a figure (absolute, so it also works from a PDF or .xlsx);
    kind "school" is a school's own page (participation and awards across the years). Needs a request
    context (the CLI and the job push one for their base URL)."""
    if kind == "school":
        return url_for("reports.school", school_id=params["school_id"], _external=True)
    return url_for("reports.list_rows", kind=kind, _external=True, **params)


def build_annual_report(org, year: int, now: datetime | None = None):
    """The annual report with every number linked to its list page: what the page, the downloads, the API,
    the CLI and the job render."""
    return annual_report(org, year, link=list_link, now=now)
