"""Judging: rounds, rubrics (criteria), judges, assignments, scores, performance runs, results and awards,
special awards, public notices with objections, re-check requests.

One module past ~500 lines on purpose: these are the tables of one aggregate (a round with its rubrics, judges,
assignments, scores, runs and results; the contest's notice, objections, special awards and recommendations built
on those results), which name each other in their relationships; split, one schema would be read in six files."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accounts.models import Organisation, User
from competitions.models import Advisor, Category, Contest, Entry
from core.db import TimestampMixin, UTCDateTime, utcnow
from core.extensions import db


class RoundStatus(StrEnum):
    SETUP = "setup"  # organisers configure rubrics and assignments; judges see nothing yet
    OPEN = "open"  # judges score (between opens_at and closes_at when those are set)
    CLOSED = "closed"  # scores frozen, visible to organisers and the panel; results computed


ROUND_STATUS_LABELS = {RoundStatus.SETUP: _l("Set-up"), RoundStatus.OPEN: _l("Open"), RoundStatus.CLOSED: _l("Closed")}


class Advancement(StrEnum):
    NONE = "none"
    TOP_N = "top_n"  # the best N per category
    TOP_PERCENT = "top_percent"  # the best X % per category (rounded half up)
    THRESHOLD = "threshold"  # a score of at least X


ADVANCEMENT_LABELS = {
    Advancement.NONE: _l("No advancement"),
    Advancement.TOP_N: _l("Top N per category"),
    Advancement.TOP_PERCENT: _l("Top X % per category"),
    Advancement.THRESHOLD: _l("Score threshold"),
}


class AwardMode(StrEnum):
    NONE = "none"
    PERCENTAGE = "percentage"
    THRESHOLD = "threshold"
    MANUAL = "manual"


AWARD_MODE_LABELS = {
    AwardMode.NONE: _l("No awards in this round"),
    AwardMode.PERCENTAGE: _l("By percentage"),
    AwardMode.THRESHOLD: _l("By score threshold"),
    AwardMode.MANUAL: _l("Manual"),
}

AWARD_LABELS = {
    "first": _l("First prize"),
    "second": _l("Second prize"),
    "third": _l("Third prize"),
    "merit": _l("Merit award"),
}
SPECIAL_AWARD_LABELS = {
    "mayor": _l("Mayor's award"),
    "best_creativity": _l("Best creativity award"),
    "outstanding_advisor": _l("Outstanding science advisor"),
    "outstanding_organiser": _l("Outstanding organising unit"),
}
METHOD_LABELS = {
    "mean": _l("Mean"),
    "trimmed_mean": _l("Trimmed mean (drop highest and lowest)"),
    "zscore": _l("Z-score normalised per judge"),
    "zscore_trimmed": _l("Z-score normalised, then trimmed"),
    "median": _l("Median"),
}
RUN_STATUS_LABELS = {"ok": _l("Finished"), "dnf": _l("DNF"), "dq": _l("DQ")}
PERFORMANCE_RULE_LABELS = {"best_of": _l("Best of N runs"), "sum": _l("Sum of runs"), "average": _l("Average of runs")}


def _check_in(column: str, values, name: str) -> sa.CheckConstraint:
    return sa.CheckConstraint(f"{column} IN ({','.join(repr(str(v)) for v in values)})", name=name)


#: The owner of a round, a judge or a notice that is a contest (judging.owners registers the other kinds).
CONTEST = "contest"
#: A contest owns through ``contest_id`` (its foreign key, with the cascade); another kind through ``owner_id``.
_OWNER_CHECK = (
    "(owner_kind = 'contest' AND contest_id IS NOT NULL AND owner_id IS NULL)"
    " OR (owner_kind <> 'contest' AND contest_id IS NULL AND owner_id IS NOT NULL)"
)


class OwnedMixin:
    """Rounds, judges and notices belong to an *owner*: a contest (``contest_id``) or another registered kind
    (``owner_kind``, ``owner_id``: a call), decision 0007. ``owner`` is that object; it has ``id``, ``name``,
    ``year`` and ``organisation_id`` whatever its kind."""

    owner_kind: Mapped[str] = mapped_column(sa.String(20), default=CONTEST, server_default=CONTEST, nullable=False)
    owner_id: Mapped[int | None] = mapped_column()

    @property
    def owner(self):
        if self.owner_kind == CONTEST:
            return self.contest
        from judging.owners import load_owner

        return load_owner(self.owner_kind, self.owner_id)

    @property
    def owned_by_contest(self) -> bool:
        return self.owner_kind == CONTEST


class Round(OwnedMixin, TimestampMixin, db.Model):
    """评审轮次: e.g. 初评 (online, materials) then 终评 (on site, defense)."""

    __tablename__ = "judging_rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int | None] = mapped_column(sa.ForeignKey("contests.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(100), nullable=False)
    position: Mapped[int] = mapped_column(default=1, nullable=False)
    onsite: Mapped[bool] = mapped_column(default=False, nullable=False)
    status: Mapped[str] = mapped_column(sa.String(10), default=RoundStatus.SETUP.value, nullable=False)
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    judges_per_entry: Mapped[int] = mapped_column(default=3, nullable=False)
    method: Mapped[str] = mapped_column(sa.String(30), default="trimmed_mean", nullable=False)
    n_min: Mapped[int] = mapped_column(default=5, nullable=False)
    tie_breaks: Mapped[list[str]] = mapped_column(sa.JSON, default=lambda: ["raw_sum"], nullable=False)
    advancement: Mapped[str] = mapped_column(sa.String(20), default=Advancement.NONE.value, nullable=False)
    advancement_value: Mapped[Decimal | None] = mapped_column(sa.Numeric(8, 2))
    award_mode: Mapped[str] = mapped_column(sa.String(20), default=AwardMode.NONE.value, nullable=False)
    # percentage: {"levels": [["first", "15"], ...], "cap": "60", "rounding": "half_up", "strict_cap": false}
    # threshold: {"thresholds": [["first", "90"], ...]}
    award_rule: Mapped[dict] = mapped_column(sa.JSON, default=dict, nullable=False)
    results_computed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # the organiser's choice to show the judges' comments (评语) of this round to the schools, anonymised,
    # once the contest's results are final; off by default
    comments_released: Mapped[bool] = mapped_column(default=False, nullable=False)

    contest: Mapped[Contest | None] = relationship()
    categories: Mapped[list[RoundCategory]] = relationship(
        back_populates="round", cascade="all, delete-orphan", order_by="RoundCategory.id"
    )

    __table_args__ = (
        sa.UniqueConstraint("contest_id", "name"),
        sa.UniqueConstraint("owner_kind", "owner_id", "name"),
        sa.CheckConstraint(_OWNER_CHECK, name="owner"),
        _check_in("status", [s.value for s in RoundStatus], "status"),
        _check_in("advancement", [a.value for a in Advancement], "advancement"),
        _check_in("award_mode", [a.value for a in AwardMode], "award_mode"),
        sa.CheckConstraint("judges_per_entry BETWEEN 1 AND 15", name="judges_per_entry"),
        sa.CheckConstraint("n_min >= 3", name="n_min"),
    )

    @property
    def audit_organisation_id(self) -> int:
        return self.owner.organisation_id

    @property
    def status_label(self):
        return ROUND_STATUS_LABELS[RoundStatus(self.status)]

    def is_closed(self, now: datetime | None = None) -> bool:
        """Closed explicitly, or its closing time has passed."""
        now = now or utcnow()
        return self.status == RoundStatus.CLOSED or (self.closes_at is not None and now >= self.closes_at)

    def accepts_scores(self, now: datetime | None = None) -> bool:
        """Open, within its window (when set), and not closed."""
        now = now or utcnow()
        if self.status != RoundStatus.OPEN or self.is_closed(now):
            return False
        return self.opens_at is None or now >= self.opens_at

    def not_started(self, now: datetime | None = None) -> bool:
        """Open, but its start time is still ahead: judges wait, they are not told it has ended."""
        now = now or utcnow()
        return self.status == RoundStatus.OPEN and self.opens_at is not None and now < self.opens_at


class RoundCategory(db.Model):
    """A category judged in a round, with its rubric (criteria) or performance rule. A round whose owner is not a
    contest (a call) judges one group: its one row has no category."""

    __tablename__ = "judging_round_categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(
        sa.ForeignKey("judging_rounds.id", ondelete="CASCADE"), nullable=False, index=True
    )
    category_id: Mapped[int | None] = mapped_column(sa.ForeignKey("categories.id", ondelete="CASCADE"), index=True)
    performance_rule: Mapped[str] = mapped_column(sa.String(10), default="best_of", nullable=False)
    runs: Mapped[int] = mapped_column(default=2, nullable=False)
    confirm_runs: Mapped[bool] = mapped_column(default=False, nullable=False)
    # the category's own limits for a run: more points, or a longer time, than these is a typing slip
    max_points: Mapped[Decimal | None] = mapped_column(sa.Numeric(8, 2))
    time_limit_cs: Mapped[int | None] = mapped_column()

    round: Mapped[Round] = relationship(back_populates="categories")
    category: Mapped[Category | None] = relationship(lazy="joined")
    criteria: Mapped[list[Criterion]] = relationship(
        back_populates="round_category",
        cascade="all, delete-orphan",
        order_by="Criterion.position, Criterion.id",
        lazy="selectin",
    )

    __table_args__ = (
        sa.UniqueConstraint("round_id", "category_id"),
        _check_in("performance_rule", ["best_of", "sum", "average"], "performance_rule"),
        sa.CheckConstraint("runs BETWEEN 1 AND 10", name="runs"),
        sa.CheckConstraint("max_points IS NULL OR max_points > 0", name="max_points"),
        sa.CheckConstraint("time_limit_cs IS NULL OR time_limit_cs > 0", name="time_limit"),
    )

    @property
    def is_performance(self) -> bool:
        return self.category is not None and self.category.scoring_mode == "performance"

    @property
    def maximum_total(self) -> Decimal:
        return sum((c.weight * c.maximum for c in self.criteria), Decimal(0))


class Criterion(db.Model):
    """评分项 of a rubric: weight, maximum and step (e.g. 0.5). A judge's total is sum(weight x score)."""

    __tablename__ = "judging_criteria"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_category_id: Mapped[int] = mapped_column(
        sa.ForeignKey("judging_round_categories.id", ondelete="CASCADE"), nullable=False, index=True
    )
    name: Mapped[str] = mapped_column(sa.String(100), nullable=False)
    description: Mapped[str] = mapped_column(sa.Text, default="", nullable=False)
    weight: Mapped[Decimal] = mapped_column(sa.Numeric(6, 2), default=Decimal(1), nullable=False)
    maximum: Mapped[Decimal] = mapped_column(sa.Numeric(6, 2), nullable=False)
    step: Mapped[Decimal] = mapped_column(sa.Numeric(6, 2), default=Decimal(1), nullable=False)
    position: Mapped[int] = mapped_column(default=0, nullable=False)

    round_category: Mapped[RoundCategory] = relationship(back_populates="criteria")

    __table_args__ = (
        sa.UniqueConstraint("round_category_id", "name"),
        sa.CheckConstraint("maximum > 0 AND step > 0 AND weight > 0", name="positive"),
    )


class Judge(OwnedMixin, TimestampMixin, db.Model):
    """评委 of a contest (a user account with the judge role), or an expert of a call (role expert on the call),
    with expertise and declared conflicts."""

    __tablename__ = "judging_judges"

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int | None] = mapped_column(sa.ForeignKey("contests.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    affiliation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id", ondelete="SET NULL"))
    expertise: Mapped[list[int]] = mapped_column(sa.JSON, default=list, nullable=False)  # category ids; [] = any
    conflict_school_ids: Mapped[list[int]] = mapped_column(sa.JSON, default=list, nullable=False)
    conflict_entry_ids: Mapped[list[int]] = mapped_column(sa.JSON, default=list, nullable=False)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()  # usually the logged-in user, already in the session
    affiliation: Mapped[Organisation | None] = relationship()
    contest: Mapped[Contest | None] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("contest_id", "user_id"),
        sa.UniqueConstraint("owner_kind", "owner_id", "user_id"),
        sa.CheckConstraint(_OWNER_CHECK, name="owner"),
    )

    @property
    def audit_organisation_id(self) -> int:
        return self.owner.organisation_id

    @property
    def active(self) -> bool:
        return self.withdrawn_at is None


class AssignmentStatus(StrEnum):
    ACTIVE = "active"
    DECLINED = "declined"  # "cannot judge" (conflict found, no-show): the entry goes back to assignment
    REMOVED = "removed"  # removed by an organiser or by the judge's withdrawal


class JudgeAssignment(db.Model):
    """A judge assigned to a submission (an entry, an application) in a round."""

    __tablename__ = "judging_assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("judging_rounds.id", ondelete="CASCADE"), nullable=False)
    # a submission of the round owner's kind: an entry, or a call's application (no foreign key, decision 0007)
    entry_id: Mapped[int] = mapped_column(nullable=False, index=True)
    judge_id: Mapped[int] = mapped_column(
        sa.ForeignKey("judging_judges.id", ondelete="CASCADE"), nullable=False, index=True
    )
    status: Mapped[str] = mapped_column(sa.String(10), default=AssignmentStatus.ACTIVE.value, nullable=False)
    reason: Mapped[str] = mapped_column(sa.String(500), default="", nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)

    round: Mapped[Round] = relationship()
    # only in a contest's round: the entry (a call's round reads its submissions through judging.submissions)
    entry: Mapped[Entry] = relationship(primaryjoin="foreign(JudgeAssignment.entry_id) == Entry.id", viewonly=True)
    judge: Mapped[Judge] = relationship()
    score: Mapped[Score | None] = relationship(back_populates="assignment", uselist=False)

    __table_args__ = (
        sa.UniqueConstraint("round_id", "entry_id", "judge_id"),
        sa.Index("ix_judging_assignments_round_judge", "round_id", "judge_id", "status"),
        _check_in("status", [s.value for s in AssignmentStatus], "status"),
    )

    @property
    def audit_organisation_id(self) -> int:
        return self.round.owner.organisation_id


class Score(db.Model):
    """One judge's scores of one entry in a round: criterion values, total, comment; draft or submitted.
    Blind: only its judge and organisers see it before the round closes."""

    __tablename__ = "judging_scores"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("judging_assignments.id", ondelete="CASCADE"), nullable=False, unique=True
    )
    round_id: Mapped[int] = mapped_column(
        sa.ForeignKey("judging_rounds.id", ondelete="CASCADE"), nullable=False, index=True
    )
    # a submission of the round owner's kind: an entry, or a call's application (no foreign key, decision 0007)
    entry_id: Mapped[int] = mapped_column(nullable=False, index=True)
    judge_id: Mapped[int] = mapped_column(
        sa.ForeignKey("judging_judges.id", ondelete="CASCADE"), nullable=False, index=True
    )
    values: Mapped[dict[str, str]] = mapped_column(sa.JSON, default=dict, nullable=False)  # criterion id -> "7.5"
    total: Mapped[Decimal | None] = mapped_column(sa.Numeric(8, 2))
    comment: Mapped[str] = mapped_column(sa.Text, default="", nullable=False)
    submitted: Mapped[bool] = mapped_column(default=False, nullable=False)
    imported: Mapped[bool] = mapped_column(default=False, nullable=False)  # typed in from a paper sheet
    version: Mapped[int] = mapped_column(default=1, nullable=False)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow, nullable=False)

    assignment: Mapped[JudgeAssignment] = relationship(back_populates="score")
    judge: Mapped[Judge] = relationship()

    __table_args__ = (sa.Index("ix_judging_scores_round_submitted", "round_id", "submitted"),)

    @property
    def audit_organisation_id(self) -> int | None:
        return None


class RecheckRequest(db.Model):
    """An organiser asks a judge to re-check a flagged score; shown on the judge's dashboard until resolved."""

    __tablename__ = "judging_recheck_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    score_id: Mapped[int] = mapped_column(
        sa.ForeignKey("judging_scores.id", ondelete="CASCADE"), nullable=False, index=True
    )
    requested_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    message: Mapped[str] = mapped_column(sa.String(500), default="", nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    score: Mapped[Score] = relationship()


class PerformanceRun(db.Model):
    """轮次成绩 of a robot/programming entry: points, time, penalty seconds, DNF/DQ; optionally confirmed."""

    __tablename__ = "judging_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("judging_rounds.id", ondelete="CASCADE"), nullable=False)
    entry_id: Mapped[int] = mapped_column(sa.ForeignKey("entries.id", ondelete="CASCADE"), nullable=False, index=True)
    run_number: Mapped[int] = mapped_column(nullable=False)
    points: Mapped[Decimal] = mapped_column(sa.Numeric(8, 2), default=Decimal(0), nullable=False)
    time_cs: Mapped[int | None] = mapped_column()
    penalty_seconds: Mapped[int] = mapped_column(default=0, nullable=False)
    status: Mapped[str] = mapped_column(sa.String(4), default="ok", nullable=False)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    confirmed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow, nullable=False)

    entry: Mapped[Entry] = relationship()
    recorded_by: Mapped[User | None] = relationship(foreign_keys=[recorded_by_id])
    confirmed_by: Mapped[User | None] = relationship(foreign_keys=[confirmed_by_id])

    __table_args__ = (
        sa.UniqueConstraint("round_id", "entry_id", "run_number"),
        _check_in("status", ["ok", "dnf", "dq"], "status"),
        sa.CheckConstraint("penalty_seconds >= 0 AND run_number >= 1", name="non_negative"),
    )


class Result(db.Model):
    """A submission's computed result in a round: score, rank, explanation, advancement and award (no category in
    a call's round)."""

    __tablename__ = "judging_results"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("judging_rounds.id", ondelete="CASCADE"), nullable=False)
    # a submission of the round owner's kind: an entry, or a call's application (no foreign key, decision 0007)
    entry_id: Mapped[int] = mapped_column(nullable=False, index=True)
    category_id: Mapped[int | None] = mapped_column(sa.ForeignKey("categories.id", ondelete="CASCADE"))
    score: Mapped[Decimal | None] = mapped_column(sa.Numeric(12, 4))
    rank: Mapped[int | None] = mapped_column()
    score_count: Mapped[int] = mapped_column(default=0, nullable=False)
    explanation: Mapped[dict] = mapped_column(sa.JSON, default=dict, nullable=False)
    advanced: Mapped[bool] = mapped_column(default=False, nullable=False)
    award: Mapped[str | None] = mapped_column(sa.String(20))
    award_computed: Mapped[str | None] = mapped_column(sa.String(20))  # what the rule gave, before overrides
    override_reason: Mapped[str] = mapped_column(sa.String(500), default="", nullable=False)

    entry: Mapped[Entry] = relationship(primaryjoin="foreign(Result.entry_id) == Entry.id", viewonly=True)
    round: Mapped[Round] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("round_id", "entry_id"),
        sa.Index("ix_judging_results_round_category", "round_id", "category_id", "rank"),
    )

    @property
    def award_label(self):
        return AWARD_LABELS.get(self.award, "") if self.award else ""


def in_contest_round(model, entry_model=Entry) -> sa.ColumnElement[bool]:
    """The rows of ``model`` (Result, Score, JudgeAssignment) in a round of the entry's own contest. Their
    entry_id is a submission id of the round owner's kind (a call's round holds application ids: decision 0007),
    so a query that joins entries on entry_id says this too."""
    return model.round_id.in_(sa.select(Round.id).where(Round.contest_id == entry_model.contest_id))


class SpecialAward(db.Model):
    """A special award chosen by hand (市长奖, 最佳创意奖, 优秀科技辅导员, 优秀组织单位), separate from quotas."""

    __tablename__ = "judging_special_awards"

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(
        sa.ForeignKey("contests.id", ondelete="CASCADE"), nullable=False, index=True
    )
    kind: Mapped[str] = mapped_column(sa.String(30), nullable=False)
    entry_id: Mapped[int | None] = mapped_column(sa.ForeignKey("entries.id", ondelete="CASCADE"))
    advisor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("advisors.id", ondelete="CASCADE"))
    organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(sa.String(500), default="", nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)

    entry: Mapped[Entry | None] = relationship()
    advisor: Mapped[Advisor | None] = relationship()
    organisation: Mapped[Organisation | None] = relationship()

    __table_args__ = (
        _check_in("kind", list(SPECIAL_AWARD_LABELS), "kind"),
        sa.CheckConstraint(
            "entry_id IS NOT NULL OR advisor_id IS NOT NULL OR organisation_id IS NOT NULL", name="holder"
        ),
    )

    @property
    def label(self):
        return SPECIAL_AWARD_LABELS[self.kind]


notice_rounds = sa.Table(
    "judging_notice_rounds",
    db.metadata,
    sa.Column("notice_id", sa.ForeignKey("judging_notices.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("round_id", sa.ForeignKey("judging_rounds.id", ondelete="CASCADE"), primary_key=True),
)


class Notice(OwnedMixin, db.Model):
    """公示 of a contest's results: public page for a period, objections, then final. It covers the results of
    every round it publishes (a rubric round and a robot round alike); for each category the latest of them
    that judges it counts."""

    __tablename__ = "judging_notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int | None] = mapped_column(sa.ForeignKey("contests.id", ondelete="CASCADE"), unique=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    mask_names: Mapped[bool] = mapped_column(default=True, nullable=False)
    finalised_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    contest: Mapped[Contest | None] = relationship()
    rounds: Mapped[list[Round]] = relationship(secondary=notice_rounds, order_by="Round.position, Round.id")
    objections: Mapped[list[Objection]] = relationship(back_populates="notice", order_by="Objection.id")

    __table_args__ = (sa.UniqueConstraint("owner_kind", "owner_id"), sa.CheckConstraint(_OWNER_CHECK, name="owner"))

    @property
    def audit_organisation_id(self) -> int:
        return self.owner.organisation_id

    def is_running(self, now: datetime | None = None) -> bool:
        now = now or utcnow()
        return self.finalised_at is None and self.starts_at <= now < self.ends_at


class Objection(db.Model):
    """异议 against the published results; the organiser accepts or rejects it with a reply."""

    __tablename__ = "judging_objections"

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(
        sa.ForeignKey("judging_notices.id", ondelete="CASCADE"), nullable=False, index=True
    )
    number: Mapped[int] = mapped_column(nullable=False)  # 1, 2, ... per notice: the objector's reference
    # a submission of the round owner's kind: an entry, or a call's application (no foreign key, decision 0007)
    entry_id: Mapped[int | None] = mapped_column()
    name: Mapped[str] = mapped_column(sa.String(100), nullable=False)
    contact: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    reason: Mapped[str] = mapped_column(sa.Text, nullable=False)
    status: Mapped[str] = mapped_column(sa.String(10), default="open", nullable=False)
    reply: Mapped[str] = mapped_column(sa.Text, default="", nullable=False)
    answered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)

    notice: Mapped[Notice] = relationship(back_populates="objections")
    entry: Mapped[Entry | None] = relationship(primaryjoin="foreign(Objection.entry_id) == Entry.id", viewonly=True)

    __table_args__ = (
        _check_in("status", ["open", "accepted", "rejected"], "status"),
        sa.UniqueConstraint("notice_id", "number"),
    )

    @property
    def audit_organisation_id(self) -> int:
        return self.notice.owner.organisation_id

    @property
    def reference(self) -> str:
        """异议编号 the objector quotes: YY, the owner's year and id, the objection's number (YY2026-7-003); a
        call's notice has its own prefix (YY2026-P3-003) so a contest's and a call's numbers never coincide."""
        owner = self.notice.owner
        prefix = "" if self.notice.owned_by_contest else "P"
        return f"YY{owner.year}-{prefix}{owner.id}-{self.number:03d}"


class RecommendationStatus(StrEnum):
    PENDING = "pending"  # the county recommended it; the city has not decided yet
    ACCEPTED = "accepted"  # the city accepted it: the entry is registered in the city's contest
    DECLINED = "declined"  # the city declined it, with a reason


RECOMMENDATION_STATUS_LABELS = {
    RecommendationStatus.PENDING: _l("Awaiting decision"),
    RecommendationStatus.ACCEPTED: _l("Accepted"),
    RecommendationStatus.DECLINED: _l("Declined"),
}


class Recommendation(db.Model):
    """推荐: an entry of a finished contest recommended by its organiser to a parent association's open contest
    (county → city), with its award and score as they were final; the parent's organiser accepts (the entry is
    registered there) or declines it."""

    __tablename__ = "judging_recommendations"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(sa.ForeignKey("entries.id", ondelete="CASCADE"), nullable=False, index=True)
    target_contest_id: Mapped[int] = mapped_column(
        sa.ForeignKey("contests.id", ondelete="CASCADE"), nullable=False, index=True
    )
    award: Mapped[str | None] = mapped_column(sa.String(20))
    score: Mapped[Decimal | None] = mapped_column(sa.Numeric(12, 4))
    rank: Mapped[int | None] = mapped_column()
    round_name: Mapped[str] = mapped_column(sa.String(100), default="", nullable=False)
    note: Mapped[str] = mapped_column(sa.String(500), default="", nullable=False)
    status: Mapped[str] = mapped_column(sa.String(10), default=RecommendationStatus.PENDING.value, nullable=False)
    reply: Mapped[str] = mapped_column(sa.String(500), default="", nullable=False)
    recommended_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    registered_entry_id: Mapped[int | None] = mapped_column(sa.ForeignKey("entries.id", ondelete="SET NULL"))

    entry: Mapped[Entry] = relationship(foreign_keys=[entry_id])
    target_contest: Mapped[Contest] = relationship()
    registered_entry: Mapped[Entry | None] = relationship(foreign_keys=[registered_entry_id])

    __table_args__ = (
        sa.UniqueConstraint("entry_id", "target_contest_id"),
        _check_in("status", [s.value for s in RecommendationStatus], "status"),
    )

    @property
    def audit_organisation_id(self) -> int:
        return self.target_contest.organisation_id

    @property
    def status_label(self):
        return RECOMMENDATION_STATUS_LABELS[RecommendationStatus(self.status)]

    @property
    def award_label(self):
        return AWARD_LABELS.get(self.award, "") if self.award else ""
