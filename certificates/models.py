"""Certificate templates, uploaded fonts, number series and certificate records."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import TimestampMixin, UTCDateTime, utcnow
from core.extensions import db


class CertificateKind(StrEnum):
    AWARD = "award"  # 获奖证书
    PARTICIPATION = "participation"  # 参赛证明
    ADVISOR = "advisor"  # 优秀科技辅导员
    ORGANISATION = "organisation"  # 优秀组织单位
    ATTENDANCE = "attendance"  # 活动参与证明


class CertificateStatus(StrEnum):
    VALID = "valid"
    REVOKED = "revoked"
    SUPERSEDED = "superseded"


# Short codes for {KIND} in number patterns.
KIND_CODES = {"award": "AWD", "participation": "PAR", "advisor": "ADV", "organisation": "ORG", "attendance": "ATT"}


class CertificateFont(TimestampMixin, db.Model):
    """An uploaded TrueType font (.ttf/.ttc), stored as uploads/certificates/fonts/<stored_name>.

    Fonts are licensed per installation, so every organiser may use every uploaded font."""

    __tablename__ = "certificate_fonts"

    id: Mapped[int] = mapped_column(primary_key=True)
    stored_name: Mapped[str] = mapped_column(sa.String(80), unique=True, nullable=False)
    original_name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    family: Mapped[str] = mapped_column(sa.String(200), default="", nullable=False)
    faces: Mapped[int] = mapped_column(default=1, nullable=False)
    organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id", ondelete="SET NULL"))
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    @property
    def audit_organisation_id(self) -> int | None:
        return self.organisation_id


class CertificateTemplate(TimestampMixin, db.Model):
    """A designed certificate: page, background, positioned items and font chain (certificates.layout)."""

    __tablename__ = "certificate_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    kind: Mapped[str | None] = mapped_column(sa.String(20))  # the kind it is meant for; None = any
    number_pattern: Mapped[str] = mapped_column(sa.String(80), default="{YEAR}-{CONTEST}-{SEQ:05d}", nullable=False)
    spec: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict, nullable=False)  # TemplateSpec.to_dict()
    archived: Mapped[bool] = mapped_column(default=False, nullable=False)

    organisation = relationship("Organisation")

    __table_args__ = (
        sa.CheckConstraint(
            "kind IS NULL OR kind IN ('award','participation','advisor','organisation','attendance')", name="kind"
        ),
    )

    @property
    def audit_organisation_id(self) -> int:
        return self.organisation_id


class CertificateSeries(db.Model):
    """The counter of one number series: a pattern with year/contest/kind filled in, e.g. "2026-KC-{SEQ}".

    Numbers are taken under core.locks.acquire_lock("certificates.series:<key>") inside the issuing
    transaction, so concurrent issuing neither duplicates nor skips a number."""

    __tablename__ = "certificate_series"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(120), unique=True, nullable=False)
    last_seq: Mapped[int] = mapped_column(default=0, nullable=False)

    __table_args__ = (sa.CheckConstraint("last_seq >= 0", name="last_seq"),)


class Certificate(db.Model):
    """One issued certificate. Display values are copied at issue time: a certificate states what was
    awarded then, and a correction is a reissue (new number) that supersedes it."""

    __tablename__ = "certificates"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    number: Mapped[str] = mapped_column(sa.String(64), unique=True, nullable=False)
    token: Mapped[str] = mapped_column(sa.String(64), unique=True, nullable=False)  # secrets, >= 128 bits
    status: Mapped[str] = mapped_column(sa.String(20), default=CertificateStatus.VALID, nullable=False, index=True)

    # where the holder came from (certificates.sources)
    source_key: Mapped[str] = mapped_column(sa.String(60), nullable=False)
    scope: Mapped[str] = mapped_column(sa.String(10), nullable=False)  # contest | event | call
    scope_id: Mapped[int] = mapped_column(nullable=False)
    holder_ref: Mapped[str] = mapped_column(sa.String(120), nullable=False)

    # holder and printed values
    holder_name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    holder_minor: Mapped[bool] = mapped_column(default=True, nullable=False)
    public_full_name: Mapped[bool] = mapped_column(default=False, nullable=False)  # organiser's choice for minors
    holder_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    school_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id", ondelete="SET NULL"), index=True)
    school_name: Mapped[str] = mapped_column(sa.String(200), default="", nullable=False)
    award: Mapped[str] = mapped_column(sa.String(100), default="", nullable=False)
    category: Mapped[str] = mapped_column(sa.String(200), default="", nullable=False)
    category_code: Mapped[str] = mapped_column(sa.String(40), default="", nullable=False)
    title: Mapped[str] = mapped_column(sa.String(300), default="", nullable=False)
    advisors: Mapped[str] = mapped_column(sa.String(300), default="", nullable=False)
    scope_title: Mapped[str] = mapped_column(sa.String(300), nullable=False)
    org_name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    sort_order: Mapped[int] = mapped_column(default=0, nullable=False)

    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    template_id: Mapped[int] = mapped_column(
        sa.ForeignKey("certificate_templates.id", ondelete="RESTRICT"), nullable=False
    )
    issue_date: Mapped[date] = mapped_column(sa.Date, nullable=False)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    issued_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoke_reason: Mapped[str | None] = mapped_column(sa.String(500))
    superseded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("certificates.id", ondelete="SET NULL"))
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    template: Mapped[CertificateTemplate] = relationship()
    superseded_by: Mapped[Certificate | None] = relationship(remote_side=[id])

    __table_args__ = (
        sa.CheckConstraint("status IN ('valid','revoked','superseded')", name="status"),
        sa.CheckConstraint("kind IN ('award','participation','advisor','organisation','attendance')", name="kind"),
        sa.CheckConstraint("scope IN ('contest','event','call')", name="scope"),
        sa.CheckConstraint(
            "status != 'revoked' OR (revoke_reason IS NOT NULL AND revoked_at IS NOT NULL)", name="revoked_reason"
        ),
        # one current (not superseded) certificate per holder of a source: issuing twice issues nothing new
        sa.Index(
            "ix_certificates_current_holder",
            "source_key",
            "scope_id",
            "holder_ref",
            unique=True,
            sqlite_where=sa.text("status != 'superseded'"),
            postgresql_where=sa.text("status != 'superseded'"),
        ),
        sa.Index("ix_certificates_scope", "scope", "scope_id"),
    )

    @property
    def audit_organisation_id(self) -> int:
        return self.organisation_id

    @property
    def is_valid(self) -> bool:
        return self.status == CertificateStatus.VALID

    def placeholder_values(self, date_text: str) -> dict[str, str]:
        """What the template's {placeholders} print for this certificate."""
        return {
            "name": self.holder_name,
            "school": self.school_name,
            "award": self.award,
            "contest": self.scope_title,
            "category": self.category,
            "title": self.title,
            "advisors": self.advisors,
            "date": date_text,
            "number": self.number,
            "org": self.org_name,
        }
