"""Contest figures: entries and their pipeline steps, students, schools, awards and judges, each defined by
an ``EntryFilter`` that builds both the grouped count and the list page."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace

import sqlalchemy as sa

from core.extensions import db
from reports.periods import year_bounds
from reports.services.labels import ACTIVE_CONTEST_STATUSES, PUBLISHED_CONTEST_STATUSES


def stage_of(grade_column):
    return sa.case((grade_column <= 6, "primary"), (grade_column <= 9, "junior"), else_="senior")


def _scored_clause():
    from competitions.models import Entry
    from judging.models import Result, Score, in_contest_round

    return sa.or_(
        sa.exists().where(Score.entry_id == Entry.id, Score.submitted.is_(True), in_contest_round(Score)),
        sa.exists().where(Result.entry_id == Entry.id, Result.score.is_not(None), in_contest_round(Result)),
    )


def _awarded_clause():
    from competitions.models import Entry
    from judging.models import Result, in_contest_round

    return sa.exists().where(Result.entry_id == Entry.id, Result.award.is_not(None), in_contest_round(Result))


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
        out = {
            k: v
            for k, v in (
                ("year", self.year),
                ("contest", self.contest_id),
                ("category", self.category_id),
                ("school", self.school_id),
                ("stage", self.stage),
                ("award", self.award),
            )
            if v is not None
        }
        out["step"] = self.step
        if self.published_only:
            out["published"] = 1
        if self.active_only:
            out["active"] = 1
        return out


def contest_where(f: EntryFilter) -> list:
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


def entry_where(f: EntryFilter) -> list:
    from competitions.models import Entry, EntryMember, Student

    where = [*contest_where(f), step_clause(f.step)]
    if f.category_id is not None:
        where.append(Entry.category_id == f.category_id)
    if f.school_id is not None:
        where.append(Entry.school_id == f.school_id)
    if f.stage is not None:
        where.append(
            sa.exists().where(
                EntryMember.entry_id == Entry.id,
                EntryMember.student_id == Student.id,
                stage_of(Student.grade) == f.stage,
            )
        )
    return where


def entries_select(f: EntryFilter):
    """Entries counted by the filter (with contest, category and school), ordered for a list page."""
    from sqlalchemy.orm import joinedload, selectinload

    from competitions.models import Contest, Entry, EntryMember

    return (
        sa.select(Entry)
        .join(Contest, Contest.id == Entry.contest_id)
        .where(*entry_where(f))
        .options(
            joinedload(Entry.contest),
            joinedload(Entry.category),
            joinedload(Entry.school),
            selectinload(Entry.members).joinedload(EntryMember.student),
        )
        .order_by(Contest.year.desc(), Entry.contest_id, Entry.category_id, Entry.code, Entry.id)
    )


def students_select(f: EntryFilter):
    """Distinct students of the entries counted by the filter (of the stage, when set)."""
    from competitions.models import Contest, Entry, EntryMember, Student

    entry_ids = (
        sa.select(Entry.id).join(Contest, Contest.id == Entry.contest_id).where(*entry_where(replace(f, stage=None)))
    )
    query = sa.select(Student).where(
        Student.id.in_(sa.select(EntryMember.student_id).where(EntryMember.entry_id.in_(entry_ids)))
    )
    if f.stage is not None:
        query = query.where(stage_of(Student.grade) == f.stage)
    return query.options(sa.orm.joinedload(Student.school)).order_by(Student.school_id, Student.grade, Student.id)


def awards_select(f: EntryFilter):
    """Results with an award (one per entry and round), for the awards figures and their list."""
    from sqlalchemy.orm import joinedload

    from competitions.models import Contest, Entry
    from judging.models import Result, Round, in_contest_round

    where = [*contest_where(f), Result.award.is_not(None), in_contest_round(Result)]
    if f.award is not None:
        where.append(Result.award == f.award)
    if f.category_id is not None:
        where.append(Entry.category_id == f.category_id)
    if f.school_id is not None:
        where.append(Entry.school_id == f.school_id)
    return (
        sa.select(Result)
        .join(Entry, Entry.id == Result.entry_id)
        .join(Contest, Contest.id == Entry.contest_id)
        .where(*where)
        .options(
            joinedload(Result.entry).joinedload(Entry.school),
            joinedload(Result.entry).joinedload(Entry.category),
            joinedload(Result.round).joinedload(Round.contest),
        )
        .order_by(Contest.year.desc(), Entry.contest_id, Result.award, Entry.code, Result.id)
    )


def contests_select(f: EntryFilter):
    """The filter's contests (the contests figure)."""
    from competitions.models import Contest

    return sa.select(Contest).where(*contest_where(f)).order_by(Contest.year.desc(), Contest.name, Contest.id)


def schools_select(f: EntryFilter):
    """Schools with at least one entry counted by the filter (schools taking part)."""
    from accounts.models import Organisation
    from competitions.models import Contest, Entry

    school_ids = sa.select(Entry.school_id).join(Contest, Contest.id == Entry.contest_id).where(*entry_where(f))
    return sa.select(Organisation).where(Organisation.id.in_(school_ids)).order_by(Organisation.name, Organisation.id)


def entry_counts(f: EntryFilter, by: str | None = None) -> dict:
    """Participating (or f.step) entries and their distinct students, grouped by 'contest', 'category',
    'school' (of the entry), 'stage' (students only) or nothing: {key: (entries, students)}. Two grouped
    queries."""
    from competitions.models import Contest, Entry, EntryMember, Student

    group_col = {
        "category": Entry.category_id,
        "school": Entry.school_id,
        "contest": Entry.contest_id,
        None: sa.literal(0),
        "stage": None,
    }[by]
    base = sa.select().select_from(Entry).join(Contest, Contest.id == Entry.contest_id).where(*entry_where(f))
    out: dict = defaultdict(lambda: [0, 0])
    if by != "stage":
        for key, n in db.session.execute(base.add_columns(group_col, sa.func.count(Entry.id)).group_by(group_col)):
            out[key][0] = int(n)
    stage_col = stage_of(Student.grade)
    student_group = {
        "category": Entry.category_id,
        "school": Entry.school_id,
        "contest": Entry.contest_id,
        None: sa.literal(0),
        "stage": stage_col,
    }[by]
    pairs = (
        base.add_columns(student_group.label("k"), EntryMember.student_id.label("sid"))
        .join(EntryMember, EntryMember.entry_id == Entry.id)
        .join(Student, Student.id == EntryMember.student_id)
        .distinct()
        .subquery()
    )
    for key, n in db.session.execute(sa.select(pairs.c.k, sa.func.count()).group_by(pairs.c.k)):
        out[key][1] = int(n)
    return {k: tuple(v) for k, v in out.items()}


def award_counts(f: EntryFilter, by: str = "award") -> dict:
    """Awards (results with an award) for the filter's contests per level, or per contest (by="contest"):
    one grouped query."""
    from competitions.models import Contest, Entry
    from judging.models import Result, in_contest_round

    where = [*contest_where(f), Result.award.is_not(None), in_contest_round(Result)]
    if f.school_id is not None:
        where.append(Entry.school_id == f.school_id)
    key = Result.award if by == "award" else Entry.contest_id
    rows = db.session.execute(
        sa.select(key, sa.func.count(Result.id))
        .join(Entry, Entry.id == Result.entry_id)
        .join(Contest, Contest.id == Entry.contest_id)
        .where(*where)
        .group_by(key)
    )
    return {k: int(n) for k, n in rows}


def special_award_counts(f: EntryFilter) -> dict[str, int]:
    from competitions.models import Contest
    from judging.models import SpecialAward

    rows = db.session.execute(
        sa.select(SpecialAward.kind, sa.func.count(SpecialAward.id))
        .join(Contest, Contest.id == SpecialAward.contest_id)
        .where(*contest_where(f))
        .group_by(SpecialAward.kind)
    )
    return {kind: int(n) for kind, n in rows}


def special_awards_select(f: EntryFilter):
    from sqlalchemy.orm import joinedload

    from competitions.models import Contest
    from judging.models import SpecialAward

    query = sa.select(SpecialAward).join(Contest, Contest.id == SpecialAward.contest_id).where(*contest_where(f))
    if f.award is not None:
        query = query.where(SpecialAward.kind == f.award)
    return query.options(joinedload(SpecialAward.entry), joinedload(SpecialAward.organisation)).order_by(
        SpecialAward.contest_id, SpecialAward.kind, SpecialAward.id
    )


def judges_select(f: EntryFilter):
    """People judging the filter's contests (active judges; one row per person)."""
    from accounts.models import User
    from competitions.models import Contest
    from judging.models import Judge

    judge_users = (
        sa.select(Judge.user_id)
        .join(Contest, Contest.id == Judge.contest_id)
        .where(*contest_where(f), Judge.withdrawn_at.is_(None))
    )
    return sa.select(User).where(User.id.in_(judge_users)).order_by(User.name, User.id)


def judge_contests(f: EntryFilter, user_ids: Iterable[int]) -> dict[int, list[str]]:
    """The filter's contests each of these people judges (one query), for the judges list."""
    from competitions.models import Contest
    from judging.models import Judge

    out: dict[int, list[str]] = defaultdict(list)
    for user_id, name in db.session.execute(
        sa.select(Judge.user_id, Contest.name)
        .join(Contest, Contest.id == Judge.contest_id)
        .where(*contest_where(f), Judge.withdrawn_at.is_(None), Judge.user_id.in_(list(user_ids) or [-1]))
        .order_by(Contest.name)
    ):
        out[user_id].append(name)
    return out


def count_judges(f: EntryFilter) -> int:
    """Distinct people judging the filter's contests."""
    from competitions.models import Contest
    from judging.models import Judge

    return int(
        db.session.execute(
            sa.select(sa.func.count(sa.distinct(Judge.user_id)))
            .join(Contest, Contest.id == Judge.contest_id)
            .where(*contest_where(f), Judge.withdrawn_at.is_(None))
        ).scalar()
        or 0
    )


def awards_announced_for_other_editions(f: EntryFilter) -> list[tuple[int, str, int, int]]:
    """Contests of another edition year whose public notice (公示) opened in f.year, with their awards:
    [(contest id, name, edition year, awards)]. Awards count in their edition's report (f.year's report only
    points to them), so a report of the year they were announced can say where they are. One query."""
    from competitions.models import Contest, Entry
    from judging.models import Notice, Result, in_contest_round

    start, end = year_bounds(f.year)
    announced = sa.select(Notice.contest_id).where(Notice.starts_at >= start, Notice.starts_at < end)
    where = [
        *contest_where(replace(f, year=None)),
        Contest.year != f.year,
        Contest.id.in_(announced),
        Result.award.is_not(None),
        in_contest_round(Result),
    ]
    if f.school_id is not None:
        where.append(Entry.school_id == f.school_id)
    rows = db.session.execute(
        sa.select(Contest.id, Contest.name, Contest.year, sa.func.count(Result.id))
        .select_from(Result)
        .join(Entry, Entry.id == Result.entry_id)
        .join(Contest, Contest.id == Entry.contest_id)
        .where(*where)
        .group_by(Contest.id, Contest.name, Contest.year)
        .order_by(Contest.year, Contest.name)
    )
    return [(cid, name, edition, int(n)) for cid, name, edition, n in rows]
