"""Nominations by lower associations (推荐) with per-association quotas: county → city → province. The call's
association sets a quota for each association below it; an organiser of one of those nominates up to its quota.
A named lock (core.locks, `calls.nominations:<call>`) is taken before nominations are counted, so two
concurrent nominations cannot both take the last place. Models and services; services flush, never commit."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accounts.models import Organisation, OrganisationKind, User, descendant_ids
from calls.models import Applicants, Call, CallApplication, CallStatus
from core.errors import DomainError
from core.extensions import db
from core.locks import acquire_lock


class CallQuota(db.Model):
    """How many applications one lower association may nominate to a call."""

    __tablename__ = "call_quotas"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(sa.ForeignKey("calls.id", ondelete="CASCADE"), nullable=False)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id", ondelete="CASCADE"), nullable=False)
    quota: Mapped[int] = mapped_column(nullable=False)

    organisation: Mapped[Organisation] = relationship()

    __table_args__ = (sa.UniqueConstraint("call_id", "organisation_id"), sa.CheckConstraint("quota >= 0", name="quota"))


def lower_associations(call: Call) -> list[Organisation]:
    """Associations below the call's own, which may be given a quota."""
    ids = descendant_ids({call.organisation_id}) - {call.organisation_id}
    return list(
        db.session.execute(
            sa.select(Organisation)
            .where(Organisation.id.in_(sorted(ids) or [-1]), Organisation.kind == OrganisationKind.ASSOCIATION)
            .order_by(Organisation.name)
        ).scalars()
    )


def set_quotas(call: Call, quotas: dict[int, object]) -> None:
    """Set every given association's quota (a blank or 0 takes its quota away); all are checked before any is
    saved. A quota below what an association has already nominated is refused."""
    if call.applicants != Applicants.NOMINATIONS:
        raise DomainError(_("This call does not take nominations."), code="not_nominations", status=409)
    allowed = {o.id: o for o in lower_associations(call)}
    used = nominated_counts(call)
    checked: dict[int, int] = {}
    for org_id, raw in quotas.items():
        if org_id not in allowed:
            raise DomainError(_("Quotas go to associations below the call's association."), field="quota")
        text = str(raw if raw is not None else "").strip() or "0"
        if not text.isdigit() or int(text) > 1000:
            raise DomainError(
                _("The quota of %(org)s is a whole number from 0 to 1000.", org=allowed[org_id].name), field="quota"
            )
        if int(text) < used.get(org_id, 0):
            raise DomainError(
                _(
                    "%(org)s has already nominated %(n)d; its quota cannot be lower.",
                    org=allowed[org_id].name,
                    n=used[org_id],
                ),
                field="quota",
            )
        checked[org_id] = int(text)
    existing = {q.organisation_id: q for q in quotas_of(call)}
    for org_id, quota in checked.items():
        if org_id in existing:
            if quota == 0 and not used.get(org_id):
                db.session.delete(existing[org_id])
            else:
                existing[org_id].quota = quota
        elif quota:
            db.session.add(CallQuota(call_id=call.id, organisation_id=org_id, quota=quota))
    db.session.flush()


def quotas_of(call: Call) -> list[CallQuota]:
    return list(
        db.session.execute(
            sa.select(CallQuota)
            .where(CallQuota.call_id == call.id)
            .join(CallQuota.organisation)
            .order_by(Organisation.name)
        ).scalars()
    )


def nominated_counts(call: Call) -> dict[int, int]:
    return dict(
        db.session.execute(
            sa.select(CallApplication.nominated_by_id, sa.func.count())
            .where(CallApplication.call_id == call.id, CallApplication.nominated_by_id.is_not(None))
            .group_by(CallApplication.nominated_by_id)
        ).all()
    )


def nominating_for(call: Call, user: User) -> list[CallQuota]:
    """The quotas of the call held by associations user organises (whom they may nominate for)."""
    mine = user.organised_org_ids()
    return [q for q in quotas_of(call) if q.organisation_id in mine and q.organisation_id != call.organisation_id]


def nominate(call: Call, organisation_id: int, actor: User, **application) -> CallApplication:
    """One nomination by a lower association: its quota row locked, its nominations counted, refused beyond the
    quota; then the application is submitted as any other (form, eligibility, files)."""
    from calls import services

    if call.applicants != Applicants.NOMINATIONS or call.status != CallStatus.OPEN:
        raise DomainError(_("This call does not take nominations now."), code="closed", status=409)
    acquire_lock(f"calls.nominations:{call.id}")  # before counting: two nominations cannot both take the last place
    quota = db.session.execute(
        sa.select(CallQuota).where(CallQuota.call_id == call.id, CallQuota.organisation_id == organisation_id)
    ).scalar_one_or_none()
    if quota is None or organisation_id not in actor.organised_org_ids():
        raise DomainError(_("Choose an association you organise that has a quota for this call."), field="nominated_by")
    used = db.session.execute(
        sa.select(sa.func.count()).where(
            CallApplication.call_id == call.id, CallApplication.nominated_by_id == organisation_id
        )
    ).scalar_one()
    if used >= quota.quota:
        raise DomainError(
            _(
                "%(org)s has used its quota of %(n)d nominations for this call.",
                org=quota.organisation.name,
                n=quota.quota,
            ),
            field="nominated_by",
            code="quota",
            status=409,
        )
    submitted = services.submit_application(call, actor=actor, **application)
    submitted.nominated_by_id = organisation_id
    db.session.flush()
    return submitted


def nominations_by_association(call: Call) -> list[tuple[CallQuota, list[CallApplication]]]:
    """Each quota with the nominations made under it, for the call's organiser (two queries)."""
    applications = (
        db.session.execute(
            sa.select(CallApplication)
            .where(CallApplication.call_id == call.id, CallApplication.nominated_by_id.is_not(None))
            .order_by(CallApplication.number)
        )
        .scalars()
        .all()
    )
    by_org: dict[int, list[CallApplication]] = {}
    for application in applications:
        by_org.setdefault(application.nominated_by_id, []).append(application)
    return [(q, by_org.get(q.organisation_id, [])) for q in quotas_of(call)]
