"""The messages of the certificates area: a certificate issued to a holder with an account (with its verification
link), and to each school's coordinators how many of their students' and advisors' certificates were issued."""

from __future__ import annotations

from collections import Counter

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from accounts.models import Membership, User
from core.extensions import db
from core.permissions import Role
from notifications import notify_many
from notifications.kinds import MessageKind, register_kind
from notifications.services.rendering import link_for

ISSUED = register_kind(
    MessageKind(
        "certificates.issued",
        label=_l("A certificate was issued to me"),
        subject=_l("Certificate issued: %(scope)s"),
        body=_l(
            "%(name)s, your certificate for %(scope)s (No. %(number)s) was issued.\n\n"
            "Anyone can verify it here: %(link)s"
        ),
        sms=_l("Your certificate for %(scope)s (No. %(number)s) was issued. Verify: %(link)s"),
    )
)
SCHOOL_ISSUED = register_kind(
    MessageKind(
        "certificates.school_issued",
        label=_l("Certificates issued to my school"),
        subject=_l("%(count)s certificates issued: %(scope)s"),
        body=_l(
            "%(count)s certificates of %(scope)s were issued to students and advisors of %(school)s.\n\n"
            "Download them here: %(link)s"
        ),
        sms=_l("%(count)s certificates of %(scope)s issued to %(school)s. %(link)s"),
    )
)


def tell_issued(certificates) -> None:
    """Holders with an account get their own message; each school's coordinators one message per batch."""
    from certificates.services.base import verify_url  # base imports nothing of the area: no import circle

    if not certificates:
        return
    first = certificates[0]
    holders = [c for c in certificates if c.holder_user_id]
    users = {
        u.id: u
        for u in db.session.execute(
            sa.select(User).where(User.id.in_([c.holder_user_id for c in holders] or [-1]))
        ).scalars()
    }
    notify_many(
        [
            (
                users.get(c.holder_user_id),
                {"name": c.holder_name, "scope": c.scope_title, "number": c.number, "link": verify_url(c.token)},
            )
            for c in holders
        ],
        ISSUED.key,
        key=f"{ISSUED.key}:{first.id}",
        organisation_id=first.organisation_id,
    )
    per_school = Counter(c.school_id for c in certificates if c.school_id)
    names = {c.school_id: c.school_name for c in certificates}
    coordinators = db.session.execute(
        sa.select(Membership.organisation_id, User)
        .join(User, Membership.user_id == User.id)
        .where(
            Membership.role == Role.COORDINATOR,
            Membership.organisation_id.in_(list(per_school) or [-1]),
            User.active.is_(True),
        )
    ).all()
    notify_many(
        [
            (
                user,
                {
                    "count": per_school[school_id],
                    "scope": first.scope_title,
                    "school": names[school_id],
                    "link": link_for("certificates.school", school_id=school_id),
                },
            )
            for school_id, user in coordinators
        ],
        SCHOOL_ISSUED.key,
        key=f"{SCHOOL_ISSUED.key}:{first.id}",
        organisation_id=first.organisation_id,
    )
