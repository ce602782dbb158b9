"""The messages of the competitions area: review outcomes, registration closing soon, an organiser's message to
the coordinators of a contest's schools. Each trigger in competitions.services is one call to a function here."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from accounts.models import Membership, User
from core import audit
from core.extensions import db
from core.permissions import Role
from notifications import notify_many
from notifications.kinds import MessageKind, register_kind
from notifications.services.rendering import link_for

ENTRY_APPROVED = register_kind(
    MessageKind(
        "competitions.entry_approved",
        label=_l("An entry of my school was approved"),
        subject=_l("Entry approved: %(entry)s"),
        body=_l("The entry “%(entry)s” (%(contest)s) passed the qualification review.\n\nSee it here: %(link)s"),
        sms=_l("Entry “%(entry)s” approved (%(contest)s)."),
    )
)
ENTRY_RETURNED = register_kind(
    MessageKind(
        "competitions.entry_returned",
        label=_l("An entry of my school was returned for correction"),
        subject=_l("Entry returned for correction: %(entry)s"),
        body=_l(
            "The entry “%(entry)s” (%(contest)s) was returned for correction. What to correct: %(reason)s\n\n"
            "Correct it and submit it again: %(link)s"
        ),
        sms=_l("Entry “%(entry)s” returned for correction: %(reason)s %(link)s"),
    )
)
ENTRY_REJECTED = register_kind(
    MessageKind(
        "competitions.entry_rejected",
        label=_l("An entry of my school was rejected"),
        subject=_l("Entry rejected: %(entry)s"),
        body=_l("The entry “%(entry)s” (%(contest)s) was rejected. Reason: %(reason)s\n\nDetails: %(link)s"),
        sms=_l("Entry “%(entry)s” rejected: %(reason)s"),
    )
)
CLOSING = register_kind(
    MessageKind(
        "competitions.registration_closing",
        label=_l("Registration closing soon with unfinished entries"),
        subject=_l("Registration closes %(closes)s: %(contest)s"),
        body=_l(
            "Registration for “%(contest)s” closes %(closes)s. Your school still has %(open)s entries that are "
            "drafts or returned for correction.\n\nFinish them here: %(link)s"
        ),
        sms=_l(
            "%(contest)s: registration closes %(closes)s; %(open)s entries of your school are not submitted. %(link)s"
        ),
        limit=1,
    )
)

REVIEW_KINDS = {"approved": ENTRY_APPROVED.key, "returned": ENTRY_RETURNED.key, "rejected": ENTRY_REJECTED.key}


def coordinators_of(school_ids) -> dict[int, list[User]]:
    """The active coordinators of each school."""
    rows = db.session.execute(
        sa.select(Membership.organisation_id, User)
        .join(User, Membership.user_id == User.id)
        .where(
            Membership.role == Role.COORDINATOR,
            Membership.organisation_id.in_(sorted(set(school_ids)) or [-1]),
            User.active.is_(True),
        )
    ).all()
    found: dict[int, list[User]] = defaultdict(list)
    for school_id, user in rows:
        found[school_id].append(user)
    return found


def tell_review(entry) -> None:
    """Approved, returned (with what to correct) or rejected: the school's coordinators, once per review."""
    kind = REVIEW_KINDS.get(entry.status)
    if kind is None:
        return
    context = {
        "entry": entry.title,
        "contest": entry.contest.name,
        "reason": entry.review_reason or "",
        "link": link_for("competitions.entry", entry_id=entry.id),
    }
    stamp = entry.reviewed_at.isoformat() if entry.reviewed_at else ""
    notify_many(
        [(user, context) for user in coordinators_of([entry.school_id]).get(entry.school_id, [])],
        kind,
        key=f"{kind}:{entry.id}:{stamp}",
        organisation_id=entry.contest.organisation_id,
    )


def send_closing_reminders(now: datetime, days: int = 3) -> int:
    """Coordinators of schools with drafts or returned entries in contests whose registration closes within
    `days`: at most one such message a day each. Returns the number of messages queued."""
    from competitions.models import Contest, ContestStatus, Entry, EntryStatus

    contests = (
        db.session.execute(
            sa.select(Contest).where(
                Contest.status == ContestStatus.REGISTRATION,
                Contest.registration_closes_at > now,
                Contest.registration_closes_at <= now + timedelta(days=days),
            )
        )
        .scalars()
        .all()
    )
    queued = 0
    for contest in contests:
        open_counts = dict(
            db.session.execute(
                sa.select(Entry.school_id, sa.func.count(Entry.id))
                .where(Entry.contest_id == contest.id, Entry.status.in_([EntryStatus.DRAFT, EntryStatus.RETURNED]))
                .group_by(Entry.school_id)
            ).all()
        )
        coordinators = coordinators_of(open_counts)
        items = [
            (
                user,
                {
                    "contest": contest.name,
                    "closes": contest.registration_closes_at,
                    "open": n,
                    "link": link_for("competitions.school_entries", contest_id=contest.id, school_id=school_id),
                },
            )
            for school_id, n in open_counts.items()
            for user in coordinators.get(school_id, [])
        ]
        queued += len(
            notify_many(
                items,
                CLOSING.key,
                key=f"{CLOSING.key}:{contest.id}:{now.date().isoformat()}",
                organisation_id=contest.organisation_id,
            )
        )
    return queued


def contest_coordinators(contest) -> list[User]:
    """The coordinators of every school with an entry in the contest (each once)."""
    from competitions.models import Entry

    school_ids = db.session.execute(
        sa.select(Entry.school_id).where(Entry.contest_id == contest.id).distinct()
    ).scalars()
    seen, users = set(), []
    for group in coordinators_of(list(school_ids)).values():
        for user in group:
            if user.id not in seen:
                seen.add(user.id)
                users.append(user)
    return users


def announce(contest, subject: str, body: str, channels, actor=None) -> int:
    """An organiser's message to the coordinators of all schools of the contest; returns how many."""
    users = contest_coordinators(contest)
    context = {"subject": subject, "body": body, "link": link_for("competitions.contest", contest_id=contest.id)}
    notify_many(
        [(user, context) for user in users],
        "notifications.announcement",
        key=f"announcement:{uuid.uuid4().hex}",
        organisation_id=contest.organisation_id,
        channels=channels,
    )
    audit.record(
        "announce",
        contest,
        after={"subject": subject, "recipients": len(users), "channels": list(channels)},
        actor=actor,
    )
    return len(users)
