"""The messages of the judging area: a judge's round opening (with the entries assigned), the daily digest of
unscored entries before a round closes, results published for 公示 and final (school coordinators), objections
received (organisers) and answered (the objector, by the contact they left). Each trigger in judging.services
is one call to a function here."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from accounts.models import Membership, User
from accounts.services import organisers_of
from core.extensions import db
from core.permissions import Role
from notifications import notify_many
from notifications.kinds import MessageKind, register_kind
from notifications.models import Channel
from notifications.services.addresses import Contact, clean_address
from notifications.services.rendering import link_for

ROUND_OPEN = register_kind(
    MessageKind(
        "judging.round_open",
        label=_l("A round I judge opened"),
        subject=_l("Judging is open: %(contest)s · %(round)s"),
        body=_l(
            "%(name)s, the round “%(round)s” of %(contest)s is open. %(count)s entries are assigned to you."
            "\n\nStart scoring: %(link)s"
        ),
        sms=_l("%(round)s of %(contest)s is open: %(count)s entries to score. %(link)s"),
    )
)
UNSCORED = register_kind(
    MessageKind(
        "judging.unscored_reminder",
        label=_l("Daily reminder of entries I have not scored"),
        subject=_l("%(count)s entries still to score: %(round)s"),
        body=_l(
            "%(name)s, %(count)s of your entries in “%(round)s” (%(contest)s) are not scored yet; the round closes "
            "%(closes)s.\n\nScore them here: %(link)s"
        ),
        sms=_l("%(count)s entries of %(round)s still to score; closes %(closes)s. %(link)s"),
        limit=1,
    )
)
PUBLISHED = register_kind(
    MessageKind(
        "judging.results_published",
        label=_l("Results published for public notice (公示)"),
        subject=_l("Results published for public notice: %(contest)s"),
        body=_l(
            "The results of %(contest)s are published for public notice until %(ends)s. Objections can be sent "
            "during this period.\n\nSee them here: %(link)s"
        ),
        sms=_l("%(contest)s results are on public notice until %(ends)s. %(link)s"),
    )
)
FINAL = register_kind(
    MessageKind(
        "judging.results_final",
        label=_l("Results final"),
        subject=_l("Results are final: %(contest)s"),
        body=_l("The results of %(contest)s are final.\n\nSee your school's results: %(link)s"),
        sms=_l("%(contest)s results are final. %(link)s"),
    )
)
OBJECTION_RECEIVED = register_kind(
    MessageKind(
        "judging.objection_received",
        label=_l("An objection was received"),
        channels=(Channel.INBOX, Channel.EMAIL),
        subject=_l("New objection: %(contest)s"),
        body=_l("%(name)s sent an objection to the results of %(contest)s:\n\n%(reason)s\n\nAnswer it here: %(link)s"),
    )
)
OBJECTION_ANSWERED = register_kind(
    MessageKind(
        "judging.objection_answered",
        label=_l("My objection was answered"),
        security=True,
        channels=(Channel.EMAIL, Channel.SMS),
        subject=_l("Answer to your objection: %(contest)s"),
        body=_l("%(name)s, your objection to the results of %(contest)s was %(outcome)s.\n\nReply: %(reply)s"),
        sms=_l("Your objection to %(contest)s was %(outcome)s: %(reply)s"),
    )
)

OUTCOMES = {"accepted": _l("accepted"), "rejected": _l("not accepted")}


def _judge_counts(rnd, unscored_only: bool = False) -> list[tuple[User, int]]:
    from judging.models import Judge, JudgeAssignment, Score

    query = (
        sa.select(User, sa.func.count(JudgeAssignment.id))
        .join(Judge, Judge.user_id == User.id)
        .join(JudgeAssignment, JudgeAssignment.judge_id == Judge.id)
        .where(JudgeAssignment.round_id == rnd.id, JudgeAssignment.status == "active", Judge.withdrawn_at.is_(None))
        .group_by(User.id)
    )
    if unscored_only:
        scored = sa.select(Score.id).where(Score.assignment_id == JudgeAssignment.id, Score.submitted.is_(True))
        query = query.where(~scored.exists())
    return [(user, n) for user, n in db.session.execute(query).all() if n]


def tell_round_opened(rnd) -> None:
    """Every judge with entries in the round, once per round."""
    items = [
        (
            user,
            {
                "name": user.display_name,
                "round": rnd.name,
                "contest": rnd.owner.name,
                "count": n,
                "link": link_for("judging.worklist", round_id=rnd.id),
            },
        )
        for user, n in _judge_counts(rnd)
    ]
    notify_many(items, ROUND_OPEN.key, key=f"{ROUND_OPEN.key}:{rnd.id}", organisation_id=rnd.owner.organisation_id)


def send_judge_reminders(now: datetime, hours: int = 48) -> int:
    """A daily digest to judges with unscored entries in open rounds closing within `hours`."""
    from judging.models import Round

    rounds = db.session.execute(
        sa.select(Round).where(
            Round.status == "open", Round.closes_at > now, Round.closes_at <= now + timedelta(hours=hours)
        )
    ).scalars()
    queued = 0
    for rnd in rounds:
        items = [
            (
                user,
                {
                    "name": user.display_name,
                    "round": rnd.name,
                    "contest": rnd.owner.name,
                    "count": n,
                    "closes": rnd.closes_at,
                    "link": link_for("judging.worklist", round_id=rnd.id),
                },
            )
            for user, n in _judge_counts(rnd, unscored_only=True)
        ]
        queued += len(
            notify_many(
                items,
                UNSCORED.key,
                key=f"{UNSCORED.key}:{rnd.id}:{now.date().isoformat()}",
                organisation_id=rnd.owner.organisation_id,
            )
        )
    return queued


def _coordinators_of_contest(contest) -> list[User]:
    from competitions.models import Entry

    schools = sa.select(Entry.school_id).where(Entry.contest_id == contest.id).distinct()
    return list(
        db.session.execute(
            sa.select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.role == Role.COORDINATOR, Membership.organisation_id.in_(schools), User.active.is_(True))
            .distinct()
        ).scalars()
    )


def tell_results(notice, final: bool = False) -> None:
    """公示 started, or results final: the coordinators of every school with an entry in the contest."""
    contest = notice.contest
    kind = FINAL if final else PUBLISHED
    context = {
        "contest": contest.name,
        "ends": notice.ends_at,
        "link": link_for("judging.public_notice", contest_id=contest.id),
    }
    stamp = notice.finalised_at.isoformat() if final else notice.starts_at.isoformat()
    notify_many(
        [(user, context) for user in _coordinators_of_contest(contest)],
        kind.key,
        key=f"{kind.key}:{contest.id}:{stamp}",
        organisation_id=contest.organisation_id,
    )


def _notice_link(notice) -> str:
    """The organisers' page of a notice: the contest's notice page, or the page its owner kind names (a call's)."""
    if notice.owned_by_contest:
        return link_for("judging.notice", contest_id=notice.contest_id)
    from judging.owners import owner_kind

    kind = owner_kind(notice.owner_kind)
    return link_for(kind.endpoint, **{kind.id_arg: notice.owner_id})


def tell_objection_received(objection) -> None:
    """The organisers of the contest's organising unit."""
    contest = objection.notice.owner
    organisers = organisers_of(contest.organisation_id)
    context = {
        "name": objection.name,
        "contest": contest.name,
        "reason": objection.reason[:500],
        "link": _notice_link(objection.notice),
    }
    notify_many(
        [(user, context) for user in organisers],
        OBJECTION_RECEIVED.key,
        key=f"{OBJECTION_RECEIVED.key}:{objection.id}",
        organisation_id=contest.organisation_id,
    )


def tell_objection_answered(objection) -> None:
    """The objector, by the phone or email they left (nothing when it is neither)."""
    from core.errors import DomainError

    try:
        channel, address = clean_address(objection.contact)
    except DomainError:
        return
    contact = Contact(
        email=address if channel == Channel.EMAIL else None, mobile=address if channel == Channel.SMS else None
    )
    contest = objection.notice.owner
    notify_many(
        [
            (
                contact,
                {
                    "name": objection.name,
                    "contest": contest.name,
                    "outcome": OUTCOMES.get(objection.status, objection.status),
                    "reply": objection.reply,
                },
            )
        ],
        OBJECTION_ANSWERED.key,
        key=f"{OBJECTION_ANSWERED.key}:{objection.id}:{objection.answered_at}",
        organisation_id=contest.organisation_id,
    )
