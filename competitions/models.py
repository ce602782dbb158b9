"""Contests, categories (with eligibility, materials and quotas), students, advisors, entries, materials.

One module (~510 lines): the tables of one aggregate, related both ways (a contest's categories, a category's
quotas and materials, an entry's members and advisors), as judging/models.py is."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accounts.models import Organisation, User
from competitions import eligibility
from core.db import TimestampMixin, UTCDateTime, utcnow
from core.extensions import db


class ContestStatus(StrEnum):
    """The contest lifecycle; these keywords are used in the UI, the API and `contests list`."""

    DRAFT = "draft"
    REGISTRATION = "registration"
    CLOSED = "closed"
    JUDGING = "judging"
    NOTICE = "notice"  # 公示
    FINAL = "final"
    ARCHIVED = "archived"


CONTEST_STATUS_LABELS = {
    ContestStatus.DRAFT: _l("Draft"),
    ContestStatus.REGISTRATION: _l("Registration open"),
    ContestStatus.CLOSED: _l("Registration closed"),
    ContestStatus.JUDGING: _l("Judging"),
    ContestStatus.NOTICE: _l("Public notice"),
    ContestStatus.FINAL: _l("Final"),
    ContestStatus.ARCHIVED: _l("Archived"),
}

# Moves an organiser may make: one step forward, plus the two real-world steps back (reopening
# registration; taking results back from public notice to judging after an upheld objection).
CONTEST_TRANSITIONS: dict[ContestStatus, tuple[ContestStatus, ...]] = {
    ContestStatus.DRAFT: (ContestStatus.REGISTRATION,),
    ContestStatus.REGISTRATION: (ContestStatus.CLOSED,),
    ContestStatus.CLOSED: (ContestStatus.JUDGING, ContestStatus.REGISTRATION),
    ContestStatus.JUDGING: (ContestStatus.NOTICE,),
    ContestStatus.NOTICE: (ContestStatus.FINAL, ContestStatus.JUDGING),
    ContestStatus.FINAL: (ContestStatus.ARCHIVED,),
    ContestStatus.ARCHIVED: (),
}


class EntryStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"  # returned to the school for correction, with a reason
    APPROVED = "approved"
    REJECTED = "rejected"


ENTRY_STATUS_LABELS = {
    EntryStatus.DRAFT: _l("Draft"),
    EntryStatus.SUBMITTED: _l("Submitted"),
    EntryStatus.RETURNED: _l("Returned for correction"),
    EntryStatus.APPROVED: _l("Approved"),
    EntryStatus.REJECTED: _l("Rejected"),
}
# Entries that hold their students and count against quotas (a rejected entry frees them).
LIVE_ENTRY_STATUSES = (EntryStatus.DRAFT, EntryStatus.SUBMITTED, EntryStatus.RETURNED, EntryStatus.APPROVED)
QUOTA_ENTRY_STATUSES = (EntryStatus.SUBMITTED, EntryStatus.APPROVED)


class EntryType(StrEnum):
    INDIVIDUAL = "individual"
    TEAM = "team"
    ADVISOR = "advisor"  # 科技辅导员创新成果: the entrant is a teacher


ENTRY_TYPE_LABELS = {
    EntryType.INDIVIDUAL: _l("Individual"),
    EntryType.TEAM: _l("Team"),
    EntryType.ADVISOR: _l("Advisor track"),
}


class ScoringMode(StrEnum):
    RUBRIC = "rubric"
    PERFORMANCE = "performance"


SCORING_MODE_LABELS = {ScoringMode.RUBRIC: _l("Rubric"), ScoringMode.PERFORMANCE: _l("Performance (runs)")}
# The stages of students (学段), worded once in competitions.eligibility (pure, marked with N_); lazy here.
STAGE_LABELS = {stage: _l(label) for stage, label in eligibility.STAGE_LABELS.items()}


def _enum_check(column: str, enum: type[StrEnum], name: str) -> sa.CheckConstraint:
    values = ",".join(f"'{member.value}'" for member in enum)
    return sa.CheckConstraint(f"{column} IN ({values})", name=name)


class Contest(TimestampMixin, db.Model):
    """One edition (届) of a contest run by an organising 科协 unit."""

    __tablename__ = "contests"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    year: Mapped[int] = mapped_column(nullable=False)
    name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    status: Mapped[str] = mapped_column(sa.String(20), default=ContestStatus.DRAFT.value, nullable=False, index=True)
    description: Mapped[str] = mapped_column(sa.Text, default="", nullable=False)
    registration_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    registration_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    timezone: Mapped[str] = mapped_column(sa.String(64), default="Asia/Shanghai", nullable=False)
    # Age and the completion window of the work are measured at this date (CASTIC uses a fixed day).
    reference_date: Mapped[date | None] = mapped_column(sa.Date)

    organisation: Mapped[Organisation] = relationship(lazy="joined")
    categories: Mapped[list[Category]] = relationship(
        back_populates="contest", cascade="all, delete-orphan", order_by="Category.position, Category.id"
    )
    school_deadlines: Mapped[list[SchoolDeadline]] = relationship(
        back_populates="contest", cascade="all, delete-orphan"
    )

    __table_args__ = (
        _enum_check("status", ContestStatus, "status"),
        sa.UniqueConstraint("organisation_id", "year", "name"),
    )

    @property
    def audit_organisation_id(self) -> int:
        return self.organisation_id

    @property
    def status_enum(self) -> ContestStatus:
        return ContestStatus(self.status)

    @property
    def status_label(self):
        return CONTEST_STATUS_LABELS[self.status_enum]

    def __repr__(self) -> str:
        return f"<Contest {self.id} {self.year} {self.name} {self.status}>"


class Category(db.Model):
    """类别/项目 of a contest: who may enter, with what, how it is scored, and how many per school."""

    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(
        sa.ForeignKey("contests.id", ondelete="CASCADE"), nullable=False, index=True
    )
    code: Mapped[str] = mapped_column(sa.String(12), nullable=False)
    name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    position: Mapped[int] = mapped_column(default=0, nullable=False)
    description: Mapped[str] = mapped_column(sa.Text, default="", nullable=False)
    entry_type: Mapped[str] = mapped_column(sa.String(20), default=EntryType.INDIVIDUAL.value, nullable=False)
    min_members: Mapped[int] = mapped_column(default=1, nullable=False)
    max_members: Mapped[int] = mapped_column(default=1, nullable=False)
    allowed_stages: Mapped[list[str]] = mapped_column(
        sa.JSON, default=lambda: ["primary", "junior", "senior"], nullable=False
    )
    max_advisors: Mapped[int] = mapped_column(default=2, nullable=False)
    grade_min: Mapped[int | None] = mapped_column()
    grade_max: Mapped[int | None] = mapped_column()
    age_min: Mapped[int | None] = mapped_column()
    age_max: Mapped[int | None] = mapped_column()
    completion_months: Mapped[int | None] = mapped_column()  # CASTIC: 24
    scoring_mode: Mapped[str] = mapped_column(sa.String(20), default=ScoringMode.RUBRIC.value, nullable=False)

    contest: Mapped[Contest] = relationship(back_populates="categories")
    requirements: Mapped[list[MaterialRequirement]] = relationship(
        back_populates="category",
        cascade="all, delete-orphan",
        order_by="MaterialRequirement.position, MaterialRequirement.id",
    )
    quotas: Mapped[list[CategoryQuota]] = relationship(
        back_populates="category", cascade="all, delete-orphan", order_by="CategoryQuota.id"
    )

    __table_args__ = (
        sa.UniqueConstraint("contest_id", "code"),
        _enum_check("entry_type", EntryType, "entry_type"),
        _enum_check("scoring_mode", ScoringMode, "scoring_mode"),
        sa.CheckConstraint("min_members >= 0 AND max_members >= min_members", name="members"),
        sa.CheckConstraint("max_advisors >= 0", name="advisors"),
    )

    @property
    def audit_organisation_id(self) -> int:
        return self.contest.organisation_id

    @property
    def entry_type_label(self):
        return ENTRY_TYPE_LABELS[EntryType(self.entry_type)]

    def __repr__(self) -> str:
        return f"<Category {self.id} {self.code}>"


class MaterialRequirement(db.Model):
    """A material a category asks for (report PDF, photos, video, research log, declarations)."""

    __tablename__ = "material_requirements"

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int] = mapped_column(
        sa.ForeignKey("categories.id", ondelete="CASCADE"), nullable=False, index=True
    )
    kind: Mapped[str] = mapped_column(sa.String(30), nullable=False)  # competitions.materials.MATERIAL_KINDS
    label: Mapped[str] = mapped_column(sa.String(200), default="", nullable=False)
    accepted: Mapped[list[str]] = mapped_column(sa.JSON, nullable=False)  # type groups/types: ["pdf"], ["image"]
    max_mb: Mapped[int] = mapped_column(default=20, nullable=False)
    max_files: Mapped[int] = mapped_column(default=1, nullable=False)
    required: Mapped[bool] = mapped_column(default=True, nullable=False)
    position: Mapped[int] = mapped_column(default=0, nullable=False)

    category: Mapped[Category] = relationship(back_populates="requirements")

    __table_args__ = (sa.UniqueConstraint("category_id", "kind"),)


class CategoryQuota(db.Model):
    """At most ``limit`` entries of ``kind`` (individual|team) from ``stage`` per school, or per district."""

    __tablename__ = "category_quotas"

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int] = mapped_column(
        sa.ForeignKey("categories.id", ondelete="CASCADE"), nullable=False, index=True
    )
    scope: Mapped[str] = mapped_column(sa.String(10), nullable=False)  # 'school' | 'district'
    stage: Mapped[str] = mapped_column(sa.String(10), nullable=False)
    kind: Mapped[str] = mapped_column(sa.String(12), nullable=False)  # 'individual' | 'team'
    limit: Mapped[int] = mapped_column(nullable=False)

    category: Mapped[Category] = relationship(back_populates="quotas")

    __table_args__ = (
        sa.UniqueConstraint("category_id", "scope", "stage", "kind"),
        sa.CheckConstraint("scope IN ('school','district')", name="scope"),
        sa.CheckConstraint("stage IN ('primary','junior','senior')", name="stage"),
        sa.CheckConstraint("kind IN ('individual','team')", name="kind"),
        sa.CheckConstraint('"limit" >= 0', name="limit"),
    )


class SchoolDeadline(db.Model):
    """An organiser's extension of the registration window for a single school."""

    __tablename__ = "school_deadlines"

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(sa.ForeignKey("contests.id", ondelete="CASCADE"), nullable=False)
    school_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="CASCADE"), nullable=False, index=True
    )
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    reason: Mapped[str] = mapped_column(sa.String(500), default="", nullable=False)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)

    contest: Mapped[Contest] = relationship(back_populates="school_deadlines")
    school: Mapped[Organisation] = relationship()

    __table_args__ = (sa.UniqueConstraint("contest_id", "school_id"),)


class Student(TimestampMixin, db.Model):
    """A student on a school's roster. ID number, phone and birth date are minors' data: organiser and own
    school only, masked in lists."""

    __tablename__ = "students"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    name: Mapped[str] = mapped_column(sa.String(50), nullable=False)
    gender: Mapped[str] = mapped_column(sa.String(2), nullable=False)
    birth_date: Mapped[date] = mapped_column(sa.Date, nullable=False)
    grade: Mapped[int] = mapped_column(nullable=False)
    class_name: Mapped[str | None] = mapped_column(sa.String(50))
    id_number: Mapped[str | None] = mapped_column(sa.String(18))
    guardian_phone: Mapped[str | None] = mapped_column(sa.String(20))

    school: Mapped[Organisation] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("school_id", "id_number"),
        sa.Index("ix_students_school_name_birth", "school_id", "name", "birth_date"),
        sa.CheckConstraint("gender IN ('男','女')", name="gender"),
        sa.CheckConstraint("grade BETWEEN 1 AND 12", name="grade"),
    )

    @property
    def audit_organisation_id(self) -> int:
        return self.school_id

    @property
    def stage(self) -> str:
        from competitions.eligibility import stage_of_grade

        return stage_of_grade(self.grade)

    @property
    def grade_label(self) -> str:
        from competitions.roster.values import grade_label

        return grade_label(self.grade)

    @property
    def grade_and_class(self) -> str:
        """初二2班 (competitions.roster.values.grade_and_class: a class written with its grade is not prefixed)."""
        from competitions.roster.values import grade_and_class

        return grade_and_class(self.grade, self.class_name)

    @property
    def label(self) -> str:
        """How pickers and lists name a student: 王小明（初二2班）."""
        return f"{self.name}（{self.grade_and_class}）"

    @property
    def masked_id_number(self) -> str:
        from core.privacy import mask_id_number

        return mask_id_number(self.id_number)

    @property
    def masked_phone(self) -> str:
        from core.privacy import mask_phone

        return mask_phone(self.guardian_phone)

    def __repr__(self) -> str:
        return f"<Student {self.id} {self.name}>"


class Advisor(TimestampMixin, db.Model):
    """A teacher (辅导教师) of a school who advises entries, or enters the advisor track."""

    __tablename__ = "advisors"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    name: Mapped[str] = mapped_column(sa.String(50), nullable=False)
    gender: Mapped[str | None] = mapped_column(sa.String(2))
    phone: Mapped[str | None] = mapped_column(sa.String(20))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    subject: Mapped[str | None] = mapped_column(sa.String(50))  # 任教学科
    title: Mapped[str | None] = mapped_column(sa.String(50))  # 职称

    school: Mapped[Organisation] = relationship()

    @property
    def audit_organisation_id(self) -> int:
        return self.school_id

    @property
    def masked_phone(self) -> str:
        from core.privacy import mask_phone

        return mask_phone(self.phone)


class Entry(TimestampMixin, db.Model):
    """参赛作品. ``code`` (作品编号) is given at first submission and never changes."""

    __tablename__ = "entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(
        sa.ForeignKey("contests.id", ondelete="CASCADE"), nullable=False, index=True
    )
    category_id: Mapped[int] = mapped_column(
        sa.ForeignKey("categories.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    school_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    code: Mapped[str | None] = mapped_column(sa.String(40))
    sequence: Mapped[int | None] = mapped_column()
    status: Mapped[str] = mapped_column(sa.String(20), default=EntryStatus.DRAFT.value, nullable=False, index=True)
    title: Mapped[str] = mapped_column(sa.String(300), nullable=False)
    abstract: Mapped[str] = mapped_column(sa.Text, default="", nullable=False)
    work_started_on: Mapped[date | None] = mapped_column(sa.Date)
    work_completed_on: Mapped[date | None] = mapped_column(sa.Date)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reviewed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    review_reason: Mapped[str] = mapped_column(sa.Text, default="", nullable=False)  # shown to the school
    advanced_from_id: Mapped[int | None] = mapped_column(sa.ForeignKey("entries.id", ondelete="SET NULL"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    contest: Mapped[Contest] = relationship()
    category: Mapped[Category] = relationship()
    school: Mapped[Organisation] = relationship()
    members: Mapped[list[EntryMember]] = relationship(
        back_populates="entry", cascade="all, delete-orphan", order_by="EntryMember.position"
    )
    advisors: Mapped[list[EntryAdvisor]] = relationship(
        back_populates="entry", cascade="all, delete-orphan", order_by="EntryAdvisor.position"
    )
    materials: Mapped[list[Material]] = relationship(
        back_populates="entry", cascade="all, delete-orphan", order_by="Material.id"
    )
    advanced_from: Mapped[Entry | None] = relationship(remote_side=[id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])

    __table_args__ = (
        sa.UniqueConstraint("contest_id", "code"),
        _enum_check("status", EntryStatus, "status"),
        sa.Index("ix_entries_contest_status", "contest_id", "status"),
    )

    @property
    def audit_organisation_id(self) -> int:
        return self.school_id

    @property
    def status_enum(self) -> EntryStatus:
        return EntryStatus(self.status)

    @property
    def status_label(self):
        return ENTRY_STATUS_LABELS[self.status_enum]

    @property
    def leader(self) -> Student | None:
        for member in self.members:
            if member.is_leader:
                return member.student
        return self.members[0].student if self.members else None

    def __repr__(self) -> str:
        return f"<Entry {self.id} {self.code or '-'} {self.status}>"


class EntryMember(db.Model):
    """A student of an entry, in order; exactly one member of a team is its leader."""

    __tablename__ = "entry_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(sa.ForeignKey("entries.id", ondelete="CASCADE"), nullable=False, index=True)
    student_id: Mapped[int] = mapped_column(
        sa.ForeignKey("students.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    position: Mapped[int] = mapped_column(default=0, nullable=False)
    is_leader: Mapped[bool] = mapped_column(default=False, nullable=False)

    entry: Mapped[Entry] = relationship(back_populates="members")
    student: Mapped[Student] = relationship(lazy="joined")

    __table_args__ = (sa.UniqueConstraint("entry_id", "student_id"),)


class EntryAdvisor(db.Model):
    """An advisor of an entry, in order (the first is 第一辅导教师); in the advisor track, the entrant."""

    __tablename__ = "entry_advisors"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(sa.ForeignKey("entries.id", ondelete="CASCADE"), nullable=False, index=True)
    advisor_id: Mapped[int] = mapped_column(
        sa.ForeignKey("advisors.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    position: Mapped[int] = mapped_column(default=0, nullable=False)

    entry: Mapped[Entry] = relationship(back_populates="advisors")
    advisor: Mapped[Advisor] = relationship(lazy="joined")

    __table_args__ = (sa.UniqueConstraint("entry_id", "advisor_id"),)


class Material(db.Model):
    """An uploaded file of an entry, stored under a random name in the upload directory."""

    __tablename__ = "materials"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(sa.ForeignKey("entries.id", ondelete="CASCADE"), nullable=False, index=True)
    kind: Mapped[str] = mapped_column(sa.String(30), nullable=False)
    original_name: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    stored_name: Mapped[str] = mapped_column(sa.String(80), unique=True, nullable=False)
    file_type: Mapped[str] = mapped_column(sa.String(10), nullable=False)
    size: Mapped[int] = mapped_column(sa.BigInteger, nullable=False)
    sha256: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    thumbnail_name: Mapped[str | None] = mapped_column(sa.String(80))
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)

    entry: Mapped[Entry] = relationship(back_populates="materials")

    @property
    def audit_organisation_id(self) -> int:
        return self.entry.school_id

    @property
    def is_image(self) -> bool:
        from competitions.materials import IMAGE_TYPES

        return self.file_type in IMAGE_TYPES
