"""Every figure of the reports area, as queries that can be traced to a list.

Each figure is a count over a set of rows defined by one *filter* (``EntryFilter``, ``EventFilter`` …).
The same filter builds the grouped query behind a figure and the list page that shows what it counts, so a
figure and its list can never disagree. Reports read the other areas' models and never change them.

Definitions (stated once, used by the dashboard, the annual report, the school view and the tests):

- An organisation's figures include its sub-organisations (accounts.models.descendant_ids).
- A year is a calendar year in China time (Asia/Shanghai); contests count in their edition year
  (``Contest.year``), events and caravan visits by their start.
- Pipeline steps of an entry: *registered* (any entry), *submitted* (submitted at least once),
  *approved* (status approved), *scored* (approved, with at least one submitted judge score or a computed
  score in some round), *awarded* (a result with an award in some round).
- *Participating* entry: submitted at least once and not rejected. Participating students: the distinct
  students of participating entries (the advisor track has none).
- Awards in the annual report: results with an award (and special awards) of contests whose results are
  public (public notice, final or archived), one per entry and round that gave it.
- Events: published events. Registered people: confirmed seats (a group counts its head-count);
  checked-in people: the head-counts recorded at check-in. People reached: checked-in people plus the
  reported audience of caravan visits that took place but whose event has no check-in at all.
- Caravan visits: confirmed visits. Judges: active judges of the year's contests (distinct people).
  Volunteers: check-in staff of the year's events (distinct accounts) and caravan crew of its visits.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from core.db import utcnow
from core.extensions import db

CHINA = ZoneInfo("Asia/Shanghai")

STEPS = ("registered", "submitted", "approved", "scored", "awarded")
STEP_LABELS = {"registered": _l("Registered"), "submitted": _l("Submitted"), "approved": _l("Approved"),
               "scored": _l("Scored"), "awarded": _l("Awarded"), "participating": _l("Participating")}
STAGES = ("primary", "junior", "senior")
STAGE_LABELS = {"primary": _l("Primary school"), "junior": _l("Junior secondary"), "senior": _l("Senior secondary")}
AWARD_LEVELS = ("first", "second", "third", "merit")
AWARD_LABELS = {"first": _l("First prize"), "second": _l("Second prize"), "third": _l("Third prize"),
                "merit": _l("Merit award")}
SPECIAL_AWARD_LABELS = {"mayor": _l("Mayor's award"), "best_creativity": _l("Best creativity award"),
                        "outstanding_advisor": _l("Outstanding science advisor"),
                        "outstanding_organiser": _l("Outstanding organising unit")}
EVENT_KINDS = ("science_day", "lecture", "study_visit", "exhibition", "training", "caravan_school",
               "caravan_community")
EVENT_KIND_LABELS = {"science_day": _l("Science day"), "lecture": _l("Lecture"), "study_visit": _l("Study visit"),
                     "exhibition": _l("Exhibition"), "training": _l("Training"),
                     "caravan_school": _l("Caravan at a school"), "caravan_community": _l("Caravan in a community")}
HOST_KIND_LABELS = {"school": _l("School"), "community": _l("Community"), "science_base": _l("Science base"),
                    "other": _l("Other")}
#: Contest statuses whose results are public (公示 or final): their awards count in annual figures.
PUBLISHED_CONTEST_STATUSES = ("notice", "final", "archived")
#: Contests shown on the organiser dashboard: those still in progress.
ACTIVE_CONTEST_STATUSES = ("registration", "closed", "judging", "notice")


# --- time ---------------------------------------------------------------------------------------------------


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """[start, end) of a calendar year in China time, as aware UTC datetimes."""
    start = datetime(year, 1, 1, tzinfo=CHINA).astimezone(UTC)
    return start, datetime(year + 1, 1, 1, tzinfo=CHINA).astimezone(UTC)


def month_bounds(now: datetime) -> tuple[datetime, datetime]:
    """[start, end) of the China-time calendar month that contains now, as aware UTC datetimes."""
    local = now.astimezone(CHINA)
    start = datetime(local.year, local.month, 1, tzinfo=CHINA)
    end = datetime(local.year + (local.month == 12), local.month % 12 + 1, 1, tzinfo=CHINA)
    return start.astimezone(UTC), end.astimezone(UTC)


def organisation_scope(organisation_id: int) -> list[int]:
    """The organisation and every organisation below it."""
    from accounts.models import descendant_ids

    return sorted(descendant_ids({organisation_id}))


# --- entries and students ---------------------------------------------------------------------------------


def _stage_of(grade_column):
    return sa.case((grade_column <= 6, "primary"), (grade_column <= 9, "junior"), else_="senior")


def _scored_clause():
    from competitions.models import Entry
    from judging.models import Result, Score

    return sa.or_(
        sa.exists().where(Score.entry_id == Entry.id, Score.submitted.is_(True)),
        sa.exists().where(Result.entry_id == Entry.id, Result.score.is_not(None)),
    )


def _awarded_clause():
    from competitions.models import Entry
    from judging.models import Result

    return sa.exists().where(Result.entry_id == Entry.id, Result.award.is_not(None))


def step_clause(step: str):
    """The SQL condition for an entry at (or past) a pipeline step, or participating."""
    from competitions.models import Entry

    if step == "registered":
        return sa.true()
    if step == "submitted":
        return Entry.submitted_at.is_not(None)
    if step == "approved":
        return Entry.status == "approved"
    if step == "scored":
        return sa.and_(Entry.status == "approved", _scored_clause())
    if step == "awarded":
        return _awarded_clause()
    if step == "participating":
        return sa.and_(Entry.submitted_at.is_not(None), Entry.status != "rejected")
    raise ValueError(f"unknown step {step!r}")


@dataclass(frozen=True)
class EntryFilter:
    """Which entries (and their students) a figure counts. org_ids None: every organisation (admin)."""

    org_ids: tuple[int, ...] | None = None
    year: int | None = None
    contest_id: int | None = None
    category_id: int | None = None
    school_id: int | None = None
    step: str = "participating"
    stage: str | None = None  # students of this stage (student lists); entries with such a member
    award: str | None = None  # results with this award level (published contests)
    published_only: bool = False  # only contests whose results are public
    active_only: bool = False  # only contests in progress (dashboard)

    def params(self) -> dict:
        """The query-string of the list page showing these rows."""
        out = {k: v for k, v in (("year", self.year), ("contest", self.contest_id), ("category", self.category_id),
                                 ("school", self.school_id), ("stage", self.stage), ("award", self.award))
               if v is not None}
        out["step"] = self.step
        if self.published_only:
            out["published"] = 1
        if self.active_only:
            out["active"] = 1
        return out


def _contest_where(f: EntryFilter) -> list:
    from competitions.models import Contest

    where = []
    if f.org_ids is not None:
        where.append(Contest.organisation_id.in_(f.org_ids or (-1,)))
    if f.year is not None:
        where.append(Contest.year == f.year)
    if f.contest_id is not None:
        where.append(Contest.id == f.contest_id)
    if f.published_only:
        where.append(Contest.status.in_(PUBLISHED_CONTEST_STATUSES))
    if f.active_only:
        where.append(Contest.status.in_(ACTIVE_CONTEST_STATUSES))
    return where


def _entry_where(f: EntryFilter) -> list:
    from competitions.models import Entry, EntryMember, Student

    where = [*_contest_where(f), step_clause(f.step)]
    if f.category_id is not None:
        where.append(Entry.category_id == f.category_id)
    if f.school_id is not None:
        where.append(Entry.school_id == f.school_id)
    if f.stage is not None:
        where.append(sa.exists().where(EntryMember.entry_id == Entry.id, EntryMember.student_id == Student.id,
                                       _stage_of(Student.grade) == f.stage))
    return where


def entries_select(f: EntryFilter):
    """Entries counted by the filter (with contest, category and school), ordered for a list page."""
    from sqlalchemy.orm import joinedload, selectinload

    from competitions.models import Contest, Entry, EntryMember

    return (sa.select(Entry).join(Contest, Contest.id == Entry.contest_id).where(*_entry_where(f))
            .options(joinedload(Entry.contest), joinedload(Entry.category), joinedload(Entry.school),
                     selectinload(Entry.members).joinedload(EntryMember.student))
            .order_by(Contest.year.desc(), Entry.contest_id, Entry.category_id, Entry.code, Entry.id))


def students_select(f: EntryFilter):
    """Distinct students of the entries counted by the filter (of the stage, when set)."""
    from competitions.models import Contest, Entry, EntryMember, Student

    entry_ids = sa.select(Entry.id).join(Contest, Contest.id == Entry.contest_id).where(
        *_entry_where(replace(f, stage=None)))
    query = sa.select(Student).where(
        Student.id.in_(sa.select(EntryMember.student_id).where(EntryMember.entry_id.in_(entry_ids))))
    if f.stage is not None:
        query = query.where(_stage_of(Student.grade) == f.stage)
    return query.options(sa.orm.joinedload(Student.school)).order_by(Student.school_id, Student.grade, Student.id)


def awards_select(f: EntryFilter):
    """Results with an award (one per entry and round), for the awards figures and their list."""
    from sqlalchemy.orm import joinedload

    from competitions.models import Contest, Entry
    from judging.models import Result, Round

    where = [*_contest_where(f), Result.award.is_not(None)]
    if f.award is not None:
        where.append(Result.award == f.award)
    if f.category_id is not None:
        where.append(Entry.category_id == f.category_id)
    if f.school_id is not None:
        where.append(Entry.school_id == f.school_id)
    return (sa.select(Result).join(Entry, Entry.id == Result.entry_id).join(Contest, Contest.id == Entry.contest_id)
            .where(*where).options(joinedload(Result.entry).joinedload(Entry.school),
                                   joinedload(Result.entry).joinedload(Entry.category),
                                   joinedload(Result.round).joinedload(Round.contest))
            .order_by(Contest.year.desc(), Entry.contest_id, Result.award, Entry.code, Result.id))


def contests_select(f: EntryFilter):
    """The filter's contests (the contests figure)."""
    from competitions.models import Contest

    return sa.select(Contest).where(*_contest_where(f)).order_by(Contest.year.desc(), Contest.name, Contest.id)


def schools_select(f: EntryFilter):
    """Schools with at least one entry counted by the filter (schools taking part)."""
    from accounts.models import Organisation
    from competitions.models import Contest, Entry

    school_ids = sa.select(Entry.school_id).join(Contest, Contest.id == Entry.contest_id).where(*_entry_where(f))
    return sa.select(Organisation).where(Organisation.id.in_(school_ids)).order_by(Organisation.name, Organisation.id)


def count_of(select_stmt) -> int:
    """The number of rows a list select returns (what its figure shows)."""
    return int(db.session.execute(sa.select(sa.func.count()).select_from(
        select_stmt.order_by(None).subquery())).scalar() or 0)


def entry_counts(f: EntryFilter, by: str | None = None) -> dict:
    """Participating (or f.step) entries and their distinct students, grouped by 'contest', 'category',
    'school' (of the entry), 'stage' (students only) or nothing: {key: (entries, students)}. Two grouped
    queries."""
    from competitions.models import Contest, Entry, EntryMember, Student

    group_col = {"category": Entry.category_id, "school": Entry.school_id, "contest": Entry.contest_id,
                 None: sa.literal(0), "stage": None}[by]
    base = sa.select().select_from(Entry).join(Contest, Contest.id == Entry.contest_id).where(*_entry_where(f))
    out: dict = defaultdict(lambda: [0, 0])
    if by != "stage":
        for key, n in db.session.execute(base.add_columns(group_col, sa.func.count(Entry.id)).group_by(group_col)):
            out[key][0] = int(n)
    stage_col = _stage_of(Student.grade)
    student_group = {"category": Entry.category_id, "school": Entry.school_id, "contest": Entry.contest_id,
                     None: sa.literal(0),
                     "stage": stage_col}[by]
    pairs = (base.add_columns(student_group.label("k"), EntryMember.student_id.label("sid"))
             .join(EntryMember, EntryMember.entry_id == Entry.id).join(Student, Student.id == EntryMember.student_id)
             .distinct().subquery())
    for key, n in db.session.execute(sa.select(pairs.c.k, sa.func.count()).group_by(pairs.c.k)):
        out[key][1] = int(n)
    return {k: tuple(v) for k, v in out.items()}


def award_counts(f: EntryFilter, by: str = "award") -> dict:
    """Awards (results with an award) for the filter's contests per level, or per contest (by="contest"):
    one grouped query."""
    from competitions.models import Contest, Entry
    from judging.models import Result

    where = [*_contest_where(f), Result.award.is_not(None)]
    if f.school_id is not None:
        where.append(Entry.school_id == f.school_id)
    key = Result.award if by == "award" else Entry.contest_id
    rows = db.session.execute(
        sa.select(key, sa.func.count(Result.id)).join(Entry, Entry.id == Result.entry_id)
        .join(Contest, Contest.id == Entry.contest_id).where(*where).group_by(key))
    return {k: int(n) for k, n in rows}


def special_award_counts(f: EntryFilter) -> dict[str, int]:
    from competitions.models import Contest
    from judging.models import SpecialAward

    rows = db.session.execute(
        sa.select(SpecialAward.kind, sa.func.count(SpecialAward.id)).join(Contest, Contest.id == SpecialAward.contest_id)
        .where(*_contest_where(f)).group_by(SpecialAward.kind))
    return {kind: int(n) for kind, n in rows}


def special_awards_select(f: EntryFilter):
    from sqlalchemy.orm import joinedload

    from competitions.models import Contest
    from judging.models import SpecialAward

    query = sa.select(SpecialAward).join(Contest, Contest.id == SpecialAward.contest_id).where(*_contest_where(f))
    if f.award is not None:
        query = query.where(SpecialAward.kind == f.award)
    return query.options(joinedload(SpecialAward.entry), joinedload(SpecialAward.organisation)).order_by(
        SpecialAward.contest_id, SpecialAward.kind, SpecialAward.id)


# --- events, check-ins, caravan -----------------------------------------------------------------------------


@dataclass(frozen=True)
class EventFilter:
    """Published events of some organisations, starting in [starts_from, starts_before)."""

    org_ids: tuple[int, ...] | None = None
    year: int | None = None
    month_of: datetime | None = None  # the China-time month containing this moment
    kind: str | None = None
    group_only: bool = False  # check-ins of group registrations only
    venue_kind: str | None = None  # school, community, science_base, other (events without a venue: other)

    def bounds(self) -> tuple[datetime | None, datetime | None]:
        if self.year is not None:
            return year_bounds(self.year)
        if self.month_of is not None:
            return month_bounds(self.month_of)
        return None, None

    def params(self) -> dict:
        out = {k: v for k, v in (("year", self.year), ("type", self.kind), ("venue_kind", self.venue_kind))
               if v is not None}
        if self.month_of is not None:
            out["month"] = self.month_of.astimezone(CHINA).strftime("%Y-%m")
        if self.group_only:
            out["group"] = 1
        return out


def _event_where(f: EventFilter) -> list:
    from events.models import Event

    where = [Event.status == "published"]
    if f.org_ids is not None:
        where.append(Event.organisation_id.in_(f.org_ids or (-1,)))
    start, end = f.bounds()
    if start is not None:
        where += [Event.starts_at >= start, Event.starts_at < end]
    if f.kind is not None:
        where.append(Event.kind == f.kind)
    if f.venue_kind is not None:
        from events.models import Venue

        of_kind = Event.venue_id.in_(sa.select(Venue.id).where(Venue.kind == f.venue_kind))
        where.append(sa.or_(of_kind, Event.venue_id.is_(None)) if f.venue_kind == "other" else of_kind)
    return where


def events_select(f: EventFilter):
    from sqlalchemy.orm import selectinload

    from events.models import Event

    return (sa.select(Event).where(*_event_where(f))
            .options(selectinload(Event.venue), selectinload(Event.sessions)).order_by(Event.starts_at, Event.id))


def sessions_select(f: EventFilter):
    """Sessions of the filter's events."""
    from sqlalchemy.orm import joinedload

    from events.models import Event, EventSession

    return (sa.select(EventSession).join(Event, Event.id == EventSession.event_id).where(*_event_where(f))
            .options(joinedload(EventSession.event)).order_by(EventSession.starts_at, EventSession.id))


def registrations_select(f: EventFilter):
    """Confirmed registrations at the filter's events (their head-counts are the registered people)."""
    from sqlalchemy.orm import joinedload

    from events.models import Event, Registration

    return (sa.select(Registration).join(Event, Event.id == Registration.event_id)
            .where(*_event_where(f), Registration.status == "confirmed")
            .options(joinedload(Registration.event)).order_by(Registration.created_at, Registration.id))


def sum_of(select_stmt, column) -> int:
    """The sum of a column over the rows of a list select (a people figure: head-counts, audiences)."""
    sub = select_stmt.order_by(None).subquery()
    return int(db.session.execute(sa.select(sa.func.coalesce(sa.func.sum(sub.c[column]), 0))).scalar() or 0)


def checkins_select(f: EventFilter):
    """Check-ins at the filter's events (each with its registration), for the checked-in figures."""
    from sqlalchemy.orm import joinedload

    from events.models import CheckIn, Event, Registration

    query = (sa.select(CheckIn).join(Event, Event.id == CheckIn.event_id).where(*_event_where(f))
             .options(joinedload(CheckIn.registration).joinedload(Registration.event))
             .order_by(CheckIn.checked_in_at, CheckIn.id))
    if f.group_only:
        query = query.join(Registration, Registration.id == CheckIn.registration_id).where(Registration.kind == "group")
    return query


def event_counts(f: EventFilter) -> dict[str, dict[str, int]]:
    """Per event kind: events, sessions, registered people, checked-in people, of which in groups.
    Four grouped queries whatever the number of events."""
    from events.models import CheckIn, Event, EventSession, Registration

    out: dict[str, dict[str, int]] = defaultdict(lambda: {"events": 0, "sessions": 0, "registered": 0,
                                                          "checked_in": 0, "group_checked_in": 0})
    where = _event_where(f)
    for kind, n in db.session.execute(sa.select(Event.kind, sa.func.count(Event.id)).where(*where).group_by(Event.kind)):
        out[kind]["events"] = int(n)
    for kind, n in db.session.execute(sa.select(Event.kind, sa.func.count(EventSession.id))
                                      .join(EventSession, EventSession.event_id == Event.id).where(*where)
                                      .group_by(Event.kind)):
        out[kind]["sessions"] = int(n)
    for kind, n in db.session.execute(sa.select(Event.kind, sa.func.coalesce(sa.func.sum(Registration.head_count), 0))
                                      .join(Registration, Registration.event_id == Event.id)
                                      .where(*where, Registration.status == "confirmed").group_by(Event.kind)):
        out[kind]["registered"] = int(n)
    for kind, rkind, n in db.session.execute(
            sa.select(Event.kind, Registration.kind, sa.func.coalesce(sa.func.sum(CheckIn.head_count), 0))
            .join(CheckIn, CheckIn.event_id == Event.id).join(Registration, Registration.id == CheckIn.registration_id)
            .where(*where).group_by(Event.kind, Registration.kind)):
        out[kind]["checked_in"] += int(n)
        if rkind == "group":
            out[kind]["group_checked_in"] += int(n)
    return dict(out)


def checked_in_by_venue_kind(f: EventFilter) -> dict[str, int]:
    """Checked-in people per kind of venue (a science base's visitors, schools, communities): one query."""
    from events.models import CheckIn, Event, Venue

    kind = sa.func.coalesce(Venue.kind, "other")
    rows = db.session.execute(
        sa.select(kind, sa.func.coalesce(sa.func.sum(CheckIn.head_count), 0))
        .select_from(CheckIn).join(Event, Event.id == CheckIn.event_id).outerjoin(Venue, Venue.id == Event.venue_id)
        .where(*_event_where(f)).group_by(kind))
    return {k: int(n) for k, n in rows}


@dataclass(frozen=True)
class VisitFilter:
    """Confirmed caravan visits of some organisations in a year (or from a moment on, for the schedule)."""

    org_ids: tuple[int, ...] | None = None
    year: int | None = None
    host_kind: str | None = None
    uncounted_only: bool = False  # visits that took place without any check-in at their event
    upcoming_from: datetime | None = None
    host_name: str | None = None

    def params(self) -> dict:
        out = {k: v for k, v in (("year", self.year), ("host_kind", self.host_kind), ("host", self.host_name))
               if v is not None}
        if self.uncounted_only:
            out["uncounted"] = 1
        if self.upcoming_from is not None:
            out["upcoming"] = 1
        return out


def _visit_where(f: VisitFilter, now: datetime | None = None) -> list:
    from events.models import CaravanVisit, CheckIn

    where = [CaravanVisit.status == "confirmed"]
    if f.org_ids is not None:
        where.append(CaravanVisit.organisation_id.in_(f.org_ids or (-1,)))
    if f.year is not None:
        start, end = year_bounds(f.year)
        where += [CaravanVisit.starts_at >= start, CaravanVisit.starts_at < end]
    if f.host_kind is not None:
        where.append(CaravanVisit.host_kind == f.host_kind)
    if f.host_name is not None:
        where.append(CaravanVisit.host_name == f.host_name)
    if f.upcoming_from is not None:
        where.append(CaravanVisit.ends_at >= f.upcoming_from)
    if f.uncounted_only:
        where += [CaravanVisit.ends_at <= (now or utcnow()),
                  sa.or_(CaravanVisit.event_id.is_(None),
                         ~sa.exists().where(CheckIn.event_id == CaravanVisit.event_id))]
    return where


def visits_select(f: VisitFilter, now: datetime | None = None):
    from sqlalchemy.orm import joinedload, selectinload

    from events.models import CaravanVisit

    return (sa.select(CaravanVisit).where(*_visit_where(f, now))
            .options(joinedload(CaravanVisit.caravan), selectinload(CaravanVisit.staff))
            .order_by(CaravanVisit.starts_at, CaravanVisit.id))


def visit_counts(f: VisitFilter, now: datetime | None = None) -> dict[str, dict[str, int]]:
    """Per host kind: visits, distinct hosts (by name, as in hosts_visited) and the reported
    audience of visits without check-ins (uncounted). Two grouped queries."""
    from events.models import CaravanVisit

    host = CaravanVisit.host_name
    out: dict[str, dict[str, int]] = defaultdict(lambda: {"visits": 0, "hosts": 0, "uncounted_audience": 0})
    for kind, visits, hosts in db.session.execute(
            sa.select(CaravanVisit.host_kind, sa.func.count(CaravanVisit.id), sa.func.count(sa.distinct(host)))
            .where(*_visit_where(f, now)).group_by(CaravanVisit.host_kind)):
        out[kind]["visits"], out[kind]["hosts"] = int(visits), int(hosts)
    for kind, audience in db.session.execute(
            sa.select(CaravanVisit.host_kind, sa.func.coalesce(sa.func.sum(CaravanVisit.expected_audience), 0))
            .where(*_visit_where(replace(f, uncounted_only=True), now)).group_by(CaravanVisit.host_kind)):
        out[kind]["uncounted_audience"] = int(audience)
    return dict(out)


def hosts_visited(f: VisitFilter, now: datetime | None = None) -> list[dict]:
    """Schools and communities the caravan visited: name, kind, visits, first and last visit (one query)."""
    from events.models import CaravanVisit

    rows = db.session.execute(
        sa.select(CaravanVisit.host_kind, CaravanVisit.host_name, sa.func.count(CaravanVisit.id),
                  sa.func.sum(CaravanVisit.expected_audience))
        .where(*_visit_where(f, now)).group_by(CaravanVisit.host_kind, CaravanVisit.host_name)
        .order_by(CaravanVisit.host_kind, CaravanVisit.host_name))
    return [{"kind": k, "name": n, "visits": int(v), "audience": int(a or 0)} for k, n, v, a in rows]


# --- people: judges and volunteers -------------------------------------------------------------------------


def judges_select(f: EntryFilter):
    """People judging the filter's contests (active judges; one row per person)."""
    from accounts.models import User
    from competitions.models import Contest
    from judging.models import Judge

    judge_users = (sa.select(Judge.user_id).join(Contest, Contest.id == Judge.contest_id)
                   .where(*_contest_where(f), Judge.withdrawn_at.is_(None)))
    return sa.select(User).where(User.id.in_(judge_users)).order_by(User.name, User.id)


def judge_contests(f: EntryFilter, user_ids: Iterable[int]) -> dict[int, list[str]]:
    """The filter's contests each of these people judges (one query), for the judges list."""
    from competitions.models import Contest
    from judging.models import Judge

    out: dict[int, list[str]] = defaultdict(list)
    for user_id, name in db.session.execute(
            sa.select(Judge.user_id, Contest.name).join(Contest, Contest.id == Judge.contest_id)
            .where(*_contest_where(f), Judge.withdrawn_at.is_(None), Judge.user_id.in_(list(user_ids) or [-1]))
            .order_by(Contest.name)):
        out[user_id].append(name)
    return out


def count_judges(f: EntryFilter) -> int:
    """Distinct people judging the filter's contests."""
    from competitions.models import Contest
    from judging.models import Judge

    return int(db.session.execute(sa.select(sa.func.count(sa.distinct(Judge.user_id)))
                                  .join(Contest, Contest.id == Judge.contest_id)
                                  .where(*_contest_where(f), Judge.withdrawn_at.is_(None))).scalar() or 0)


def checkin_staff_select(f: EventFilter):
    """Accounts with the check-in role on the filter's events (one row per account)."""
    from accounts.models import Membership, User
    from events.models import Event

    event_ids = sa.select(Event.id).where(*_event_where(f))
    return sa.select(User).where(User.id.in_(
        sa.select(Membership.user_id).where(Membership.role == "checkin", Membership.scope_id.in_(event_ids)))
    ).order_by(User.name, User.id)


def crew_select(f: VisitFilter, now: datetime | None = None):
    """Caravan crew who went out on the filter's visits."""
    from events.models import CaravanStaff, CaravanVisit, visit_staff

    visit_ids = sa.select(CaravanVisit.id).where(*_visit_where(f, now))
    return sa.select(CaravanStaff).where(CaravanStaff.id.in_(
        sa.select(visit_staff.c.staff_id).where(visit_staff.c.visit_id.in_(visit_ids)))).order_by(
        CaravanStaff.name, CaravanStaff.id)


# --- the annual report ---------------------------------------------------------------------------------------


Link = Callable[..., str | None]  # link(kind, **params) -> URL of the list page, or None


def _no_link(kind: str, **params) -> None:
    return None


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
    by_contest = entry_counts(ef, by="contest")
    awards_by_contest = award_counts(af, by="contest")
    by_category = entry_counts(ef, by="category")
    by_school = entry_counts(ef, by="school")
    by_stage = entry_counts(ef, by="stage")
    awards = award_counts(af)
    specials = special_award_counts(af)
    contests = db.session.execute(sa.select(Contest.id, Contest.name, Organisation.name)
                                  .join(Organisation, Organisation.id == Contest.organisation_id)
                                  .where(*_contest_where(ef)).order_by(Contest.name)).all()
    categories = db.session.execute(
        sa.select(Category.id, Category.name, Contest.name).join(Contest, Contest.id == Category.contest_id)
        .where(*_contest_where(ef)).order_by(Contest.name, Category.position, Category.id)).all()
    school_names = dict(db.session.execute(sa.select(Organisation.id, Organisation.name)
                                           .where(Organisation.id.in_(list(by_school) or [-1]))).all())
    events = event_counts(vf)
    by_venue = checked_in_by_venue_kind(vf)
    visits = visit_counts(cf, now)
    hosts = hosts_visited(cf, now)
    judges = count_judges(ef)
    checkin_staff = count_of(checkin_staff_select(vf))
    crew = count_of(crew_select(cf, now))

    ev_total = {k: sum(v[k] for v in events.values()) for k in ("events", "sessions", "registered", "checked_in",
                                                                  "group_checked_in")}
    uncounted = sum(v["uncounted_audience"] for v in visits.values())
    multi = len(contests) > 1

    participation = Section(_("Contests"), figures=[
        Figure("contests", _("Contests"), len(contests), L("contests", ef)),
        Figure("entries", _("Entries"), totals[0], L("entries", ef)),
        Figure("students", _("Students"), totals[1], L("students", ef)),
        Figure("schools", _("Schools taking part"), len(by_school), L("schools", ef)),
        Figure("awards", _("Awards"), sum(awards.values()), L("awards", af)),
        Figure("special_awards", _("Special awards"), sum(specials.values()), L("special_awards", af)),
    ], tables=[
        Table("by_contest", _("Participation and awards by contest"), [_("Entries"), _("Students"), _("Awards")],
              [Row(f"{cname}（{oname}）", [by_contest.get(cid, (0, 0))[0], by_contest.get(cid, (0, 0))[1],
                                          awards_by_contest.get(cid, 0)],
                   [L("entries", replace(ef, contest_id=cid)), L("students", replace(ef, contest_id=cid)),
                    L("awards", replace(af, contest_id=cid))]) for cid, cname, oname in contests],
              label_header=_("Contest"), chart="bar"),
        Table("by_stage", _("Students by stage"), [_("Students")],
              [Row(str(STAGE_LABELS[s]), [by_stage.get(s, (0, 0))[1]], [L("students", replace(ef, stage=s))])
               for s in STAGES], label_header=_("Stage"), chart="pie"),
        Table("by_category", _("Participation by category"), [_("Entries"), _("Students")],
              [Row(f"{cname} · {name}" if multi else name, [by_category.get(cid, (0, 0))[0], by_category.get(cid, (0, 0))[1]],
                   [L("entries", replace(ef, category_id=cid)), L("students", replace(ef, category_id=cid))])
               for cid, name, cname in categories], label_header=_("Category"), chart="bar"),
        Table("by_school", _("Participation by school"), [_("Entries"), _("Students")],
              [Row(school_names.get(sid, str(sid)), [n[0], n[1]],
                   [L("entries", replace(ef, school_id=sid)), L("students", replace(ef, school_id=sid))],
                   label_link=link("school", school_id=sid))
               for sid, n in sorted(by_school.items(), key=lambda kv: (-kv[1][0], school_names.get(kv[0], "")))],
              label_header=_("School"), chart="bar"),
        Table("by_award", _("Awards by level"), [_("Awards")],
              [Row(str(AWARD_LABELS[a]), [awards.get(a, 0)], [L("awards", replace(af, award=a))]) for a in AWARD_LEVELS]
              + [Row(str(SPECIAL_AWARD_LABELS.get(k, k)), [n], [L("special_awards", replace(af, award=k))])
                 for k, n in sorted(specials.items())],
              label_header=_("Award"), chart="bar",
              note=_("Awards of contests whose results are public (public notice or final).")),
    ])
    outreach = Section(_("Events and outreach"), figures=[
        Figure("events", _("Events"), ev_total["events"], L("events", vf)),
        Figure("sessions", _("Sessions"), ev_total["sessions"], L("sessions", vf)),
        Figure("registered", _("People registered"), ev_total["registered"], P("registrations", vf)),
        Figure("checked_in", _("People checked in"), ev_total["checked_in"], P("checkins", vf)),
        Figure("group_checked_in", _("of whom in school groups"), ev_total["group_checked_in"],
               P("checkins", replace(vf, group_only=True))),
        Figure("uncounted_audience", _("Caravan audience reported by hosts"), uncounted,
               P("visits", replace(cf, uncounted_only=True))),
        Figure("reached", _("People reached"), ev_total["checked_in"] + uncounted, P("reached", vf)),
    ], tables=[
        Table("events_by_kind", _("Events by type"),
              [_("Events"), _("Sessions"), _("Registered"), _("Checked in")],
              [Row(str(EVENT_KIND_LABELS.get(k, k)),
                   [events.get(k, {}).get("events", 0), events.get(k, {}).get("sessions", 0),
                    events.get(k, {}).get("registered", 0), events.get(k, {}).get("checked_in", 0)],
                   [L("events", replace(vf, kind=k)), L("sessions", replace(vf, kind=k)),
                    P("registrations", replace(vf, kind=k)), P("checkins", replace(vf, kind=k))])
               for k in EVENT_KINDS if k in events], label_header=_("Type"), chart="pie"),
        Table("reached_by_venue", _("People checked in by kind of venue"), [_("Checked in")],
              [Row(str(HOST_KIND_LABELS.get(k, k)), [by_venue[k]], [P("checkins", replace(vf, venue_kind=k))])
               for k in ("science_base", "school", "community", "other") if k in by_venue],
              label_header=_("Venue"), chart="bar"),
    ])
    caravan = Section(_("Science caravan"), figures=[
        Figure("visits", _("Caravan visits"), sum(v["visits"] for v in visits.values()), L("visits", cf)),
        Figure("schools_visited", _("Schools visited"), visits.get("school", {}).get("hosts", 0),
               L("hosts", replace(cf, host_kind="school"))),
        Figure("communities_visited", _("Communities visited"), visits.get("community", {}).get("hosts", 0),
               L("hosts", replace(cf, host_kind="community"))),
    ], tables=[
        Table("hosts", _("Schools and communities visited"), [_("Visits"), _("Expected audience")],
              [Row(f"{h['name']}（{HOST_KIND_LABELS.get(h['kind'], h['kind'])}）", [h["visits"], h["audience"]],
                   [L("visits", replace(cf, host_kind=h["kind"], host_name=h["name"])),
                    P("visits", replace(cf, host_kind=h["kind"], host_name=h["name"]))]) for h in hosts],
              label_header=_("Host")),
    ])
    people = Section(_("Judges and volunteers"), figures=[
        Figure("judges", _("Judges"), judges, L("judges", ef)),
        Figure("checkin_staff", _("Check-in volunteers"), checkin_staff, L("checkin_staff", vf)),
        Figure("crew", _("Caravan crew"), crew, L("crew", cf)),
    ])
    return Report(
        title=_("%(year)d in figures", year=year),
        subtitle=_("%(org)s, including its sub-organisations", org=organisation.name),
        sections=[participation, outreach, caravan, people],
        footer=_("Generated %(when)s from the platform's data", when=now.astimezone(CHINA).strftime("%Y-%m-%d %H:%M")),
        chart_limit_note=_("The chart shows the first %(n)d rows; the table lists them all."),
    )


# --- the school view ----------------------------------------------------------------------------------------


def school_history(school_id: int) -> list[dict]:
    """A school's participation and awards per contest year (all organisers): three grouped queries."""
    from competitions.models import Contest, Entry, EntryMember

    f = EntryFilter(school_id=school_id)
    years: dict[int, dict] = defaultdict(lambda: {"entries": 0, "students": 0, "awards": defaultdict(int)})
    base = sa.select().select_from(Entry).join(Contest, Contest.id == Entry.contest_id).where(*_entry_where(f))
    for year, n in db.session.execute(base.add_columns(Contest.year, sa.func.count(Entry.id)).group_by(Contest.year)):
        years[year]["entries"] = int(n)
    pairs = (base.add_columns(Contest.year.label("y"), EntryMember.student_id.label("sid"))
             .join(EntryMember, EntryMember.entry_id == Entry.id).distinct().subquery())
    for year, n in db.session.execute(sa.select(pairs.c.y, sa.func.count()).group_by(pairs.c.y)):
        years[year]["students"] = int(n)
    from judging.models import Result

    for year, award, n in db.session.execute(
            sa.select(Contest.year, Result.award, sa.func.count(Result.id)).join(Entry, Entry.id == Result.entry_id)
            .join(Contest, Contest.id == Entry.contest_id)
            .where(Entry.school_id == school_id, Result.award.is_not(None),
                   Contest.status.in_(PUBLISHED_CONTEST_STATUSES))
            .group_by(Contest.year, Result.award)):
        years[year]["awards"][award] = int(n)
    return [{"year": y, "entries": v["entries"], "students": v["students"], "awards": dict(v["awards"])}
            for y, v in sorted(years.items(), reverse=True)]


# --- the organiser dashboard -------------------------------------------------------------------------------


@dataclass
class Dashboard:
    pipeline: list[dict] = field(default_factory=list)  # per category: contest, category, counts per step
    rounds: list[dict] = field(default_factory=list)
    events: list[dict] = field(default_factory=list)
    visits: list = field(default_factory=list)
    month_start: datetime | None = None

    @property
    def checkin_rate(self) -> int | None:
        registered = sum(e["registered"] for e in self.events)
        checked = sum(e["checked_in"] for e in self.events)
        return round(100 * checked / registered) if registered else None


def dashboard(org_ids: Iterable[int] | None, now: datetime | None = None, visits_limit: int = 10) -> Dashboard:
    """The organiser's figures in a constant number of queries (four), whatever the volume:
    pipeline per category of the contests in progress, judging progress per round, this month's events
    with registered and checked-in people, and the caravan schedule from now on."""
    from sqlalchemy.orm import joinedload

    from competitions.models import Category, Contest, Entry
    from events.models import CaravanVisit, CheckIn, Event, Registration
    from judging.models import JudgeAssignment, Round, Score

    now = now or utcnow()
    ids = tuple(org_ids) if org_ids is not None else None
    ef = EntryFilter(org_ids=ids, active_only=True)
    out = Dashboard(month_start=month_bounds(now)[0])

    step_sums = [sa.func.sum(sa.case((step_clause(s), 1), else_=0)).label(s) for s in STEPS]
    rows = db.session.execute(
        sa.select(Contest.id, Contest.name, Category.id, Category.name, *step_sums)
        .select_from(Entry).join(Contest, Contest.id == Entry.contest_id).join(Category, Category.id == Entry.category_id)
        .where(*_contest_where(ef))
        .group_by(Contest.id, Contest.name, Category.id, Category.name, Category.position)
        .order_by(Contest.name, Contest.id, Category.position, Category.id)).all()
    for row in rows:
        out.pipeline.append({"contest_id": row[0], "contest": row[1], "category_id": row[2], "category": row[3],
                             "counts": {s: int(row[4 + i] or 0) for i, s in enumerate(STEPS)}})

    active = JudgeAssignment.status == "active"
    submitted = sa.and_(active, Score.submitted.is_(True))
    rounds = db.session.execute(
        sa.select(Round.id, Round.name, Round.status, Contest.id, Contest.name,
                  sa.func.count(sa.case((active, JudgeAssignment.id))),
                  sa.func.count(sa.case((submitted, JudgeAssignment.id))),
                  sa.func.count(sa.distinct(sa.case((active, JudgeAssignment.entry_id)))))
        .join(Contest, Contest.id == Round.contest_id)
        .outerjoin(JudgeAssignment, JudgeAssignment.round_id == Round.id)
        .outerjoin(Score, Score.assignment_id == JudgeAssignment.id)
        .where(*_contest_where(ef))
        .group_by(Round.id, Round.name, Round.status, Round.position, Contest.id, Contest.name)
        .order_by(Contest.name, Contest.id, Round.position, Round.id)).all()
    for rid, name, status, cid, cname, assigned, done, entries in rounds:
        out.rounds.append({"round_id": rid, "round": name, "status": status, "contest_id": cid, "contest": cname,
                           "assignments": int(assigned), "submitted": int(done), "entries": int(entries),
                           "percent": round(100 * done / assigned) if assigned else 0})

    vf = EventFilter(org_ids=ids, month_of=now)
    registered = (sa.select(sa.func.coalesce(sa.func.sum(Registration.head_count), 0))
                  .where(Registration.event_id == Event.id, Registration.status == "confirmed")
                  .correlate(Event).scalar_subquery())
    checked = (sa.select(sa.func.coalesce(sa.func.sum(CheckIn.head_count), 0))
               .where(CheckIn.event_id == Event.id).correlate(Event).scalar_subquery())
    for eid, title, kind, starts_at, reg, chk in db.session.execute(
            sa.select(Event.id, Event.title, Event.kind, Event.starts_at, registered, checked)
            .where(*_event_where(vf)).order_by(Event.starts_at, Event.id)):
        out.events.append({"id": eid, "title": title, "kind": kind, "starts_at": starts_at, "registered": int(reg),
                           "checked_in": int(chk), "percent": round(100 * int(chk) / int(reg)) if reg else None})

    if visits_limit:
        out.visits = list(db.session.execute(
            sa.select(CaravanVisit).where(*_visit_where(VisitFilter(org_ids=ids, upcoming_from=now)))
            .options(joinedload(CaravanVisit.caravan)).order_by(CaravanVisit.starts_at, CaravanVisit.id)
            .limit(visits_limit)).scalars())
    return out


def dashboard_totals(board: Dashboard) -> dict[str, int]:
    """Sums of the pipeline over every category (the top line of the dashboard)."""
    return {s: sum(row["counts"][s] for row in board.pipeline) for s in STEPS}


# --- open data ------------------------------------------------------------------------------------------


def _local_iso(value: datetime | None) -> str | None:
    return value.astimezone(CHINA).isoformat(timespec="minutes") if value else None


def collect_open_data(now: datetime | None = None) -> list:
    """The public tables of the open-data file (reports.opendata.OpenTable), denormalised.

    Only what is public anyway: contests and categories (not drafts), results of contests whose results are
    public with students' names masked (no advisors, no personal data), published events with their
    attendance counts, and confirmed caravan visits (host institution and date). No phone, ID number, birth
    date, address, contact or unmasked student name is ever read into these rows."""
    from sqlalchemy.orm import joinedload, selectinload

    from accounts.models import Organisation
    from competitions.models import Contest, Entry, EntryMember
    from core.privacy import mask_minor_names
    from events.models import CaravanVisit, Event, EventSession
    from judging.models import Result, Round
    from reports.opendata import OpenTable

    now = now or utcnow()
    org_names = dict(db.session.execute(sa.select(Organisation.id, Organisation.name)).all())
    participating = step_clause("participating")
    per_contest = dict(db.session.execute(sa.select(Entry.contest_id, sa.func.count(Entry.id)).where(participating)
                                          .group_by(Entry.contest_id)).all())
    per_category = dict(db.session.execute(sa.select(Entry.category_id, sa.func.count(Entry.id)).where(participating)
                                           .group_by(Entry.category_id)).all())
    contests = db.session.execute(sa.select(Contest).where(Contest.status != "draft")
                                  .options(selectinload(Contest.categories)).order_by(Contest.year, Contest.id)).scalars().all()
    contest_rows, category_rows = [], []
    for c in contests:
        contest_rows.append({"id": c.id, "year": c.year, "name": c.name, "organiser": org_names.get(c.organisation_id, ""),
                             "status": c.status, "results_public": c.status in PUBLISHED_CONTEST_STATUSES,
                             "categories": len(c.categories), "entries": int(per_contest.get(c.id, 0))})
        for cat in c.categories:
            category_rows.append({"id": cat.id, "contest_id": c.id, "contest": c.name, "year": c.year,
                                  "code": cat.code, "name": cat.name, "entry_type": cat.entry_type,
                                  "scoring_mode": cat.scoring_mode, "entries": int(per_category.get(cat.id, 0))})

    results = db.session.execute(
        sa.select(Result).join(Entry, Entry.id == Result.entry_id).join(Contest, Contest.id == Entry.contest_id)
        .where(Contest.status.in_(PUBLISHED_CONTEST_STATUSES))
        .options(joinedload(Result.round).joinedload(Round.contest),
                 joinedload(Result.entry).joinedload(Entry.category),
                 joinedload(Result.entry).selectinload(Entry.members).joinedload(EntryMember.student))
        .order_by(Entry.contest_id, Result.round_id, Result.category_id, Result.rank, Result.id)).unique().scalars().all()
    result_rows = [{
        "id": r.id, "contest_id": r.entry.contest_id, "contest": r.round.contest.name, "year": r.round.contest.year,
        "round": r.round.name, "category_id": r.category_id, "category": r.entry.category.name,
        "entry_code": r.entry.code or "", "title": r.entry.title, "school": org_names.get(r.entry.school_id, ""),
        "students": mask_minor_names(m.student.name for m in r.entry.members),
        "score": float(r.score) if r.score is not None else None, "rank": r.rank,
        "award": r.award or "", "award_label": str(AWARD_LABELS.get(r.award, "")) if r.award else "",
    } for r in results]

    events = db.session.execute(sa.select(Event).where(Event.status == "published")
                                .options(selectinload(Event.sessions), selectinload(Event.venue))
                                .order_by(Event.starts_at, Event.id)).scalars().all()
    from events.models import CheckIn, Registration

    reg = dict(db.session.execute(sa.select(Registration.session_id, sa.func.sum(Registration.head_count))
                                  .where(Registration.status == "confirmed").group_by(Registration.session_id)).all())
    chk = dict(db.session.execute(sa.select(CheckIn.session_id, sa.func.sum(CheckIn.head_count))
                                  .group_by(CheckIn.session_id)).all())
    event_rows, attendance_rows = [], []
    for e in events:
        sessions: list[EventSession] = list(e.sessions)
        event_rows.append({
            "id": e.id, "title": e.title, "kind": e.kind, "kind_label": str(EVENT_KIND_LABELS.get(e.kind, e.kind)),
            "organiser": org_names.get(e.organisation_id, ""), "venue": e.venue.name if e.venue else "",
            "starts_at": _local_iso(e.starts_at), "ends_at": _local_iso(e.ends_at), "sessions": len(sessions),
            "capacity": sum(s.capacity for s in sessions),
            "registered": sum(int(reg.get(s.id, 0) or 0) for s in sessions),
            "checked_in": sum(int(chk.get(s.id, 0) or 0) for s in sessions),
        })
        for s in sessions:
            attendance_rows.append({"session_id": s.id, "event_id": e.id, "event": e.title, "session": s.title,
                                    "starts_at": _local_iso(s.starts_at), "capacity": s.capacity,
                                    "registered": int(reg.get(s.id, 0) or 0), "checked_in": int(chk.get(s.id, 0) or 0)})

    visits = db.session.execute(sa.select(CaravanVisit).where(CaravanVisit.status == "confirmed")
                                .options(joinedload(CaravanVisit.caravan))
                                .order_by(CaravanVisit.starts_at, CaravanVisit.id)).scalars().all()
    visit_rows = [{"id": v.id, "date": v.starts_at.astimezone(CHINA).date().isoformat(), "host_kind": v.host_kind,
                   "host": v.host_name, "caravan": v.caravan.name if v.caravan else "", "event_id": v.event_id,
                   "organiser": org_names.get(v.organisation_id, "")} for v in visits]

    return [
        OpenTable("contests", contest_rows, fts=["name"], description="Contests (editions) and their participation",
                  columns={"id": int, "year": int, "name": str, "organiser": str, "status": str,
                           "results_public": bool, "categories": int, "entries": int}),
        OpenTable("categories", category_rows, fts=["name"], description="Categories of each contest",
                  columns={"id": int, "contest_id": int, "contest": str, "year": int, "code": str, "name": str,
                           "entry_type": str, "scoring_mode": str, "entries": int},
                  foreign_keys=[("contest_id", "contests", "id")]),
        OpenTable("results", result_rows, fts=["title"],
                  description="Published results; students' names are masked",
                  columns={"id": int, "contest_id": int, "contest": str, "year": int, "round": str,
                           "category_id": int, "category": str, "entry_code": str, "title": str, "school": str,
                           "students": str, "score": float, "rank": int, "award": str, "award_label": str},
                  foreign_keys=[("contest_id", "contests", "id"), ("category_id", "categories", "id")]),
        OpenTable("events", event_rows, fts=["title"], description="Published events with attendance counts",
                  columns={"id": int, "title": str, "kind": str, "kind_label": str, "organiser": str, "venue": str,
                           "starts_at": str, "ends_at": str, "sessions": int, "capacity": int, "registered": int,
                           "checked_in": int}),
        OpenTable("attendance", attendance_rows, pk="session_id", description="Registered and checked-in people per session",
                  columns={"session_id": int, "event_id": int, "event": str, "session": str, "starts_at": str,
                           "capacity": int, "registered": int, "checked_in": int},
                  foreign_keys=[("event_id", "events", "id")]),
        OpenTable("caravan_visits", visit_rows, description="Science caravan visits (host institutions and dates)",
                  columns={"id": int, "date": str, "host_kind": str, "host": str, "caravan": str, "event_id": int,
                           "organiser": str}),
    ]


def export_open_data(path, now: datetime | None = None) -> dict:
    """Write the open-data SQLite file at path; returns {table: rows}."""
    from reports.opendata import write_opendata

    now = now or utcnow()
    return write_opendata(path, collect_open_data(now), about={
        "title": "Kechuang open data", "generated_at": _local_iso(now),
        "note": "Students' names are masked; no phone numbers, ID numbers, birth dates or contact details.",
    })
