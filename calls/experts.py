"""专家库: the expert pool an association's calls share — who each expert is (name, title, field, workplace,
contact), the calls they were invited to (history of calls served) and the conflicts they declared — and
inviting a pool expert to a call: an account invitation through accounts' invitations (role expert, scope the
call) for an expert without an account, a notification for one with an account. Models and services; services
flush, never commit."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship, selectinload

from accounts.models import Invitation, Organisation, User
from calls.models import Call
from core.db import UTCDateTime, utcnow
from core.errors import DomainError
from core.extensions import db
from core.permissions import Role

#: Longest value of each text column (the form and the service refuse longer ones).
LIMITS = {"name": 50, "title": 50, "field": 50, "workplace": 100, "mobile": 20, "email": 254}


class Expert(db.Model):
    """One expert in an association's pool."""

    __tablename__ = "call_experts"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id", ondelete="CASCADE"), nullable=False)
    name: Mapped[str] = mapped_column(sa.String(50), nullable=False)
    title: Mapped[str] = mapped_column(sa.String(50), default="", nullable=False)  # 职称: 教授, 高级工程师
    field: Mapped[str] = mapped_column(sa.String(50), default="", nullable=False)  # 专业领域
    workplace: Mapped[str] = mapped_column(sa.String(100), default="", nullable=False)
    mobile: Mapped[str | None] = mapped_column(sa.String(20))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)

    organisation: Mapped[Organisation] = relationship()
    user: Mapped[User | None] = relationship()
    calls: Mapped[list[CallExpert]] = relationship(back_populates="expert", order_by="CallExpert.id.desc()")
    conflicts: Mapped[list[ExpertConflict]] = relationship(
        back_populates="expert", order_by="ExpertConflict.id.desc()", cascade="all, delete-orphan"
    )

    __table_args__ = (
        sa.Index("ix_call_experts_org_field", "organisation_id", "field", "name"),
        sa.Index("ix_call_experts_org_name", "organisation_id", "name"),
    )

    @property
    def audit_organisation_id(self) -> int:
        return self.organisation_id


class CallExpert(db.Model):
    """A pool expert invited to a call (the history of calls served), with the account invitation sent when the
    expert had no account yet."""

    __tablename__ = "call_expert_invites"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(sa.ForeignKey("calls.id", ondelete="CASCADE"), nullable=False, index=True)
    expert_id: Mapped[int] = mapped_column(
        sa.ForeignKey("call_experts.id", ondelete="CASCADE"), nullable=False, index=True
    )
    invitation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("invitations.id", ondelete="SET NULL"))
    invited_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    invited_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)

    call: Mapped[Call] = relationship()
    expert: Mapped[Expert] = relationship(back_populates="calls")
    invitation: Mapped[Invitation | None] = relationship()

    __table_args__ = (sa.UniqueConstraint("call_id", "expert_id"),)


class ExpertConflict(db.Model):
    """回避: a conflict an expert declared — a unit, a person or a call they must not review."""

    __tablename__ = "call_expert_conflicts"

    id: Mapped[int] = mapped_column(primary_key=True)
    expert_id: Mapped[int] = mapped_column(
        sa.ForeignKey("call_experts.id", ondelete="CASCADE"), nullable=False, index=True
    )
    call_id: Mapped[int | None] = mapped_column(sa.ForeignKey("calls.id", ondelete="CASCADE"))
    note: Mapped[str] = mapped_column(sa.String(200), nullable=False)  # 与申报单位XX存在合作关系
    declared_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)

    expert: Mapped[Expert] = relationship(back_populates="conflicts")
    call: Mapped[Call | None] = relationship()


# --- services -------------------------------------------------------------------------------------------


def _clean(values: dict) -> dict:
    from core.phones import clean_mobile
    from notifications.services.addresses import clean_email

    data = {k: (values.get(k) or "").strip() for k in LIMITS}
    if not data["name"]:
        raise DomainError(_("%(name)s is required.", name=_("Full name")), field="name")
    labels = {
        "name": _l("Full name"),
        "title": _l("Professional title"),
        "field": _l("Field of expertise"),
        "workplace": _l("Workplace"),
        "mobile": _l("Mobile"),
        "email": _l("Email"),
    }
    for key, limit in LIMITS.items():
        if len(data[key]) > limit:
            raise DomainError(_("%(name)s has at most %(n)d characters.", name=labels[key], n=limit), field=key)
    data["mobile"] = clean_mobile(data["mobile"]) if data["mobile"] else None
    data["email"] = clean_email(data["email"]) if data["email"] else None
    return data


def add_expert(organisation: Organisation, values: dict) -> Expert:
    """A new expert in the association's pool (the phone rule: core.phones.clean_mobile)."""
    expert = Expert(organisation_id=organisation.id, **_clean(values))
    db.session.add(expert)
    db.session.flush()
    return expert


def search_experts(organisation_ids, *, name: str = "", field: str = "", page: int = 1, per_page: int = 50):
    """Pool experts of these associations, by field (exact, as chosen from the pool's fields) and name (a part
    of it), name order, as a Flask-SQLAlchemy page; their calls and conflicts loaded with them (a count and four
    queries whatever the page holds)."""
    query = sa.select(Expert).where(Expert.organisation_id.in_(sorted(organisation_ids) or [-1]))
    if field.strip():
        query = query.where(Expert.field == field.strip())
    if name.strip():
        escaped = name.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(Expert.name.like(f"%{escaped}%", escape="\\"))
    query = query.options(
        selectinload(Expert.calls).selectinload(CallExpert.call), selectinload(Expert.conflicts)
    ).order_by(Expert.name, Expert.id)
    return db.paginate(query, page=max(1, page), per_page=per_page, error_out=False, count=True)


def pool_fields(organisation_ids) -> list[str]:
    """The fields of the pool, for the search's choice list."""
    return list(
        db.session.execute(
            sa.select(Expert.field)
            .where(Expert.organisation_id.in_(sorted(organisation_ids) or [-1]), Expert.field != "")
            .distinct()
            .order_by(Expert.field)
        ).scalars()
    )


def declare_conflict(expert: Expert, note: str, call: Call | None = None) -> ExpertConflict:
    note = (note or "").strip()
    if not note or len(note) > 200:
        raise DomainError(_("Describe the conflict in 1 to 200 characters."), field="note")
    if call is not None and call.organisation_id != expert.organisation_id:
        raise DomainError(_("This call is not one of the pool's association."), field="call_id")
    conflict = ExpertConflict(expert=expert, call_id=call.id if call else None, note=note)
    db.session.add(conflict)
    db.session.flush()
    return conflict


def invite_to_call(expert: Expert, call: Call, actor: User) -> CallExpert:
    """Invite a pool expert to review a call. An expert with an account gets the expert role on the call and a
    notification; one without gets an account invitation (email or SMS, from accounts) for that role. Inviting
    the same expert again is refused."""
    from accounts.invitations import create_invitation
    from accounts.services import grant_role
    from calls.notifications import EXPERT_INVITED
    from notifications.services.rendering import link_for
    from notifications.services.sending import notify

    if expert.organisation_id != call.organisation_id:
        raise DomainError(_("Only experts of the call's own pool can be invited."), field="expert_id")
    if db.session.execute(
        sa.select(CallExpert.id).where(CallExpert.call_id == call.id, CallExpert.expert_id == expert.id)
    ).first():
        raise DomainError(
            _("%(name)s is already invited to this call.", name=expert.name),
            field="expert_id",
            code="duplicate",
            status=409,
        )
    if expert.user_id is None and expert.mobile is None and expert.email is None:
        raise DomainError(
            _("%(name)s has neither mobile nor email: add one to send the invitation.", name=expert.name),
            field="expert_id",
        )
    served = CallExpert(call_id=call.id, expert_id=expert.id, invited_by_id=actor.id)
    if expert.user_id is not None:
        grant_role(expert.user, Role.EXPERT, scope_id=call.id, actor=actor)
        db.session.add(served)
        db.session.flush()
        notify(
            expert.user,
            EXPERT_INVITED.key,
            {"call": call.title, "organisation": call.organisation.name, "link": link_for("calls.expert_calls")},
            key=f"calls.expert_invited:{served.id}",
            organisation_id=call.organisation_id,
        )
    else:
        invitation, _token = create_invitation(
            role=Role.EXPERT,
            created_by=actor,
            scope_id=call.id,
            email=expert.email,
            mobile=expert.mobile,
            name=expert.name,
        )
        served.invitation_id = invitation.id
        db.session.add(served)
        db.session.flush()
    return served


def link_accepted_invitations(call: Call) -> int:
    """Pool experts whose invitation to this call was accepted get the new account linked (once)."""
    rows = db.session.execute(
        sa.select(Expert, Invitation.used_by_id)
        .join(CallExpert, CallExpert.expert_id == Expert.id)
        .join(Invitation, Invitation.id == CallExpert.invitation_id)
        .where(CallExpert.call_id == call.id, Expert.user_id.is_(None), Invitation.used_by_id.is_not(None))
    ).all()
    for expert, user_id in rows:
        expert.user_id = user_id
    db.session.flush()
    return len(rows)


def invited_to(call: Call) -> list[CallExpert]:
    return list(
        db.session.execute(
            sa.select(CallExpert)
            .where(CallExpert.call_id == call.id)
            .options(selectinload(CallExpert.expert), selectinload(CallExpert.invitation))
            .order_by(CallExpert.id)
        ).scalars()
    )


def calls_of_expert(user: User) -> list[Call]:
    """The calls this user was invited to as an expert — and no other."""
    ids = sorted(user.scope_ids(Role.EXPERT))
    if not ids:
        return []
    return list(
        db.session.execute(
            sa.select(Call)
            .where(Call.id.in_(ids))
            .options(selectinload(Call.organisation))
            .order_by(Call.year.desc(), Call.id.desc())
        ).scalars()
    )
