"""Calls (评选/申报): selections beyond youth contests — papers, talents, workstations, advisors — with an
application form the organiser builds from typed fields, applications with organiser review, experts' scores
and outcomes of three shapes (levels by quota, bands by thresholds, top-N)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accounts.models import Organisation, User
from core.db import TimestampMixin, UTCDateTime, utcnow
from core.extensions import db
from core.privacy import mask_minor_name


class Subject(StrEnum):
    PERSON = "person"  # an adult: advisor, scientist, rural talent
    PAPER = "paper"
    ORGANISATION = "organisation"  # workstation, society, company association, school
    PROJECT = "project"
    ENTRY = "entry"  # the existing student entry


SUBJECT_LABELS = {
    Subject.PERSON: _l("Person"),
    Subject.PAPER: _l("Paper"),
    Subject.ORGANISATION: _l("Organisation or unit"),
    Subject.PROJECT: _l("Project"),
    Subject.ENTRY: _l("Student entry"),
}


class Applicants(StrEnum):
    UNITS = "units"  # units with accounts: societies, companies, schools, lower associations
    INDIVIDUALS = "individuals"  # adults who register themselves
    NOMINATIONS = "nominations"  # lower associations nominate within their quotas (calls.nominations)


APPLICANTS_LABELS = {
    Applicants.UNITS: _l("Units with accounts"),
    Applicants.INDIVIDUALS: _l("Individuals who register themselves"),
    Applicants.NOMINATIONS: _l("Nomination by lower associations within quotas"),
}


class Outcome(StrEnum):
    LEVELS = "levels"  # 一/二/三等奖 by quota
    BANDS = "bands"  # 优秀 ≥ x, 合格 ≥ y, 不合格 otherwise
    TOP = "top"  # 十佳


OUTCOME_LABELS = {
    Outcome.LEVELS: _l("Levels by quota"),
    Outcome.BANDS: _l("Bands by score thresholds"),
    Outcome.TOP: _l("Top N"),
}


class CallStatus(StrEnum):
    DRAFT = "draft"  # the organiser builds the form; nobody applies yet
    OPEN = "open"  # applications accepted
    REVIEW = "review"  # applications closed; organiser review and experts' scores
    FINISHED = "finished"  # results final


CALL_STATUS_LABELS = {
    CallStatus.DRAFT: _l("Draft"),
    CallStatus.OPEN: _l("Open for applications"),
    CallStatus.REVIEW: _l("Under review"),
    CallStatus.FINISHED: _l("Results final"),
}


class ApplicationStatus(StrEnum):
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"  # passed the organiser's review: goes to the experts
    RETURNED = "returned"  # sent back to the applicant to complete, with a reason
    REJECTED = "rejected"  # not eligible, with a reason


APPLICATION_STATUS_LABELS = {
    ApplicationStatus.SUBMITTED: _l("Submitted"),
    ApplicationStatus.ACCEPTED: _l("Accepted for review"),
    ApplicationStatus.RETURNED: _l("Returned for completion"),
    ApplicationStatus.REJECTED: _l("Rejected"),
}


def _check_in(column: str, values, name: str) -> sa.CheckConstraint:
    return sa.CheckConstraint(f"{column} IN ({','.join(repr(str(v)) for v in values)})", name=name)


class Call(TimestampMixin, db.Model):
    """评选/申报 of an association: what is selected (subject), who may apply, the application form (typed field
    definitions, checked by calls.fields.FieldSchema), and the outcome rule (calls.outcomes)."""

    __tablename__ = "calls"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="CASCADE"), nullable=False, index=True
    )
    year: Mapped[int] = mapped_column(nullable=False)
    title: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    description: Mapped[str] = mapped_column(sa.Text, default="", nullable=False)
    subject: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    applicants: Mapped[str] = mapped_column(sa.String(20), default=Applicants.UNITS.value, nullable=False)
    status: Mapped[str] = mapped_column(sa.String(10), default=CallStatus.DRAFT.value, nullable=False)
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # [{"key": "f1", "label": "论文题目", "kind": "text", "required": true, "help": "", ...}] (calls.fields)
    form_fields: Mapped[list[dict]] = mapped_column(sa.JSON, default=list, nullable=False)
    # [{"kind": "within_years", "field": "f3", "years": 2, "reference": ""}, ...] (calls.eligibility)
    eligibility: Mapped[list[dict]] = mapped_column(sa.JSON, default=list, nullable=False)
    outcome: Mapped[str] = mapped_column(sa.String(10), nullable=False)
    # levels: {"levels": [["first", "10"], ...], "cap": "60"}; bands: {"bands": [{"label", "min", "max"}, ...]};
    # top: {"n": 10}  (calls.outcomes checks them)
    outcome_rule: Mapped[dict] = mapped_column(sa.JSON, default=dict, nullable=False)
    method: Mapped[str] = mapped_column(sa.String(30), default="trimmed_mean", nullable=False)
    n_min: Mapped[int] = mapped_column(default=5, nullable=False)
    scale_max: Mapped[Decimal] = mapped_column(sa.Numeric(8, 2), default=Decimal(100), nullable=False)

    organisation: Mapped[Organisation] = relationship()
    applications: Mapped[list[CallApplication]] = relationship(back_populates="call", order_by="CallApplication.number")

    __table_args__ = (
        _check_in("subject", [s.value for s in Subject], "subject"),
        _check_in("applicants", [a.value for a in Applicants], "applicants"),
        _check_in("status", [s.value for s in CallStatus], "status"),
        _check_in("outcome", [o.value for o in Outcome], "outcome"),
        sa.CheckConstraint("n_min >= 3", name="n_min"),
        sa.CheckConstraint("scale_max > 0", name="scale_max"),
    )

    @property
    def audit_organisation_id(self) -> int:
        return self.organisation_id

    @property
    def name(self) -> str:
        """What judging calls its owner (judging.owners): a contest's name, a call's title."""
        return self.title

    @property
    def subject_label(self):
        return SUBJECT_LABELS[Subject(self.subject)]

    @property
    def outcome_label(self):
        return OUTCOME_LABELS[Outcome(self.outcome)]

    @property
    def status_label(self):
        return CALL_STATUS_LABELS[CallStatus(self.status)]

    @property
    def applicants_label(self):
        return APPLICANTS_LABELS[Applicants(self.applicants)]

    @property
    def subjects_are_minors(self) -> bool:
        """Students' entries are minors' (their names masked outside the organisers' pages); persons of the other
        subjects are adults, and papers' authors and units are named as published in 公示."""
        return self.subject == Subject.ENTRY

    def published_name(self, name: str | None) -> str:
        """An applicant's name as it may be shown to anyone: as in 公示 for adults, masked for minors
        (core.privacy's rule)."""
        return mask_minor_name(name) if self.subjects_are_minors else (name or "")


class CallApplication(TimestampMixin, db.Model):
    """申报: one application to a call — its title, the unit responsible, the answers to the call's form — and the
    organiser's review with its reason."""

    __tablename__ = "call_applications"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(sa.ForeignKey("calls.id", ondelete="CASCADE"), nullable=False)
    number: Mapped[int] = mapped_column(nullable=False)  # 1, 2, ... per call: the code's tail
    title: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    applicant_name: Mapped[str] = mapped_column(sa.String(100), nullable=False)
    unit_name: Mapped[str] = mapped_column(sa.String(200), default="", nullable=False)
    answers: Mapped[dict] = mapped_column(sa.JSON, default=dict, nullable=False)  # field key -> value (text)
    status: Mapped[str] = mapped_column(sa.String(10), default=ApplicationStatus.SUBMITTED.value, nullable=False)
    review_reason: Mapped[str] = mapped_column(sa.String(500), default="", nullable=False)
    reviewed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    submitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    # the lower association that nominated it, within its quota (calls.nominations)
    nominated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id", ondelete="SET NULL"))
    # the result of a lower association's call this application was recommended from (calls.recommendation)
    recommended_from_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("call_applications.id", ondelete="SET NULL"), index=True
    )

    call: Mapped[Call] = relationship(back_populates="applications")
    nominated_by: Mapped[Organisation | None] = relationship()
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
    recommended_from: Mapped[CallApplication | None] = relationship(remote_side=[id])
    scores: Mapped[list[CallScore]] = relationship(
        back_populates="application", order_by="CallScore.id", cascade="all, delete-orphan"
    )

    __table_args__ = (
        sa.UniqueConstraint("call_id", "number"),
        sa.UniqueConstraint("call_id", "recommended_from_id"),  # a result is recommended to a call once
        sa.Index("ix_call_applications_call_nominated_by", "call_id", "nominated_by_id"),
        _check_in("status", [s.value for s in ApplicationStatus], "status"),
    )

    @property
    def audit_organisation_id(self) -> int:
        return self.call.organisation_id

    @property
    def code(self) -> str:
        """申报编号: the call's year and id, the application's number (SB2026-3-007)."""
        return f"SB{self.call.year}-{self.call_id}-{self.number:03d}"

    @property
    def status_label(self):
        return APPLICATION_STATUS_LABELS[ApplicationStatus(self.status)]


class CallScore(db.Model):
    """An expert's total for an accepted application, typed in by the organiser from the expert's review sheet
    (the judging engine's online scoring does not take call applications yet)."""

    __tablename__ = "call_scores"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        sa.ForeignKey("call_applications.id", ondelete="CASCADE"), nullable=False, index=True
    )
    expert_name: Mapped[str] = mapped_column(sa.String(100), nullable=False)
    total: Mapped[Decimal] = mapped_column(sa.Numeric(8, 2), nullable=False)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)

    application: Mapped[CallApplication] = relationship(back_populates="scores")

    __table_args__ = (
        sa.UniqueConstraint("application_id", "expert_name"),
        sa.CheckConstraint("total >= 0", name="total"),
    )
