"""The messages of the events area: registration, waiting list, reminders, changes, caravan requests and
ticket recovery. Each trigger in events.services is one call to a function here, which calls notify()."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from core import audit
from core.extensions import db
from notifications import notify, notify_many
from notifications.kinds import MessageKind, register_kind
from notifications.models import Channel
from notifications.services.addresses import Contact
from notifications.services.rendering import link_for

CONFIRMED = register_kind(
    MessageKind(
        "events.registration_confirmed",
        label=_l("Registration confirmed (with the ticket)"),
        subject=_l("Registration confirmed: %(event)s"),
        body=_l(
            "%(name)s, your registration for “%(event)s” is confirmed.\n\nWhen: %(starts)s\nWhere: %(venue)s\n\n"
            "Your ticket (show its QR code at the entrance): %(link)s"
        ),
        sms=_l("%(name)s, you are registered for %(event)s, %(starts)s. Ticket: %(link)s"),
    )
)
WAITLISTED = register_kind(
    MessageKind(
        "events.registration_waitlisted",
        label=_l("On the waiting list"),
        subject=_l("On the waiting list: %(event)s"),
        body=_l(
            "%(name)s, “%(event)s” (%(starts)s) is full, so you are on the waiting list. We will tell you if a "
            "place becomes free.\n\nYour registration: %(link)s"
        ),
        sms=_l(
            "%(name)s, %(event)s is full: you are on the waiting list. We will tell you if a place frees up. %(link)s"
        ),
    )
)
PROMOTED = register_kind(
    MessageKind(
        "events.registration_promoted",
        label=_l("A place became free (promoted from the waiting list)"),
        subject=_l("You have a place: %(event)s"),
        body=_l(
            "%(name)s, a place became free: your registration for “%(event)s” is now confirmed.\n\n"
            "When: %(starts)s\nWhere: %(venue)s\n\nYour ticket: %(link)s"
        ),
        sms=_l("%(name)s, a place became free: you are confirmed for %(event)s, %(starts)s. Ticket: %(link)s"),
    )
)
REMINDER = register_kind(
    MessageKind(
        "events.reminder",
        label=_l("Reminder the day before an event"),
        subject=_l("Tomorrow: %(event)s"),
        body=_l("%(name)s, a reminder: “%(event)s” starts %(starts)s at %(venue)s.\n\nYour ticket: %(link)s"),
        sms=_l("Reminder: %(event)s starts %(starts)s at %(venue)s. Ticket: %(link)s"),
        limit=3,
    )
)
CHANGED = register_kind(
    MessageKind(
        "events.changed",
        label=_l("An event I registered for changed"),
        subject=_l("Changed: %(event)s"),
        body=_l("“%(event)s” has changed. It now takes place %(starts)s at %(venue)s.\n\nYour registration: %(link)s"),
        sms=_l("%(event)s has changed: now %(starts)s at %(venue)s. %(link)s"),
    )
)
CANCELLED = register_kind(
    MessageKind(
        "events.cancelled",
        label=_l("An event I registered for was cancelled"),
        subject=_l("Cancelled: %(event)s"),
        body=_l("We are sorry: “%(event)s” (%(starts)s) was cancelled.\n\nYour registration: %(link)s"),
        sms=_l("We are sorry: %(event)s (%(starts)s) was cancelled."),
    )
)
VISIT_RECEIVED = register_kind(
    MessageKind(
        "events.visit_received",
        label=_l("Caravan request received"),
        subject=_l("We received your caravan request: %(host)s"),
        body=_l(
            "Your request for the science caravan at %(host)s (%(starts)s) was received; we will answer soon.\n\n"
            "Follow it here: %(link)s"
        ),
        sms=_l("Caravan request for %(host)s received; we will answer soon. %(link)s"),
    )
)
VISIT_APPROVED = register_kind(
    MessageKind(
        "events.visit_approved",
        label=_l("Caravan request approved"),
        subject=_l("Caravan visit confirmed: %(host)s"),
        body=_l("The science caravan will come to %(host)s on %(starts)s.\n\nDetails: %(link)s"),
        sms=_l("The science caravan comes to %(host)s on %(starts)s. %(link)s"),
    )
)
VISIT_DECLINED = register_kind(
    MessageKind(
        "events.visit_declined",
        label=_l("Caravan request declined"),
        subject=_l("Caravan request declined: %(host)s"),
        body=_l(
            "We are sorry: your caravan request for %(host)s was declined. Reason: %(reason)s\n\nDetails: %(link)s"
        ),
        sms=_l("Caravan request for %(host)s declined: %(reason)s %(link)s"),
    )
)
VISIT_PROPOSED = register_kind(
    MessageKind(
        "events.visit_proposed",
        label=_l("Another date proposed for the caravan"),
        subject=_l("Another date for the caravan: %(host)s"),
        body=_l(
            "We propose another date for the caravan at %(host)s: %(starts)s. %(reason)s\n\n"
            "Accept it or answer here: %(link)s"
        ),
        sms=_l("Proposed caravan date for %(host)s: %(starts)s. Accept it here: %(link)s"),
    )
)
RECOVERY_CODE = register_kind(
    MessageKind(
        "events.recovery_code",
        label=_l("Code to find my registrations"),
        security=True,
        channels=(Channel.EMAIL, Channel.SMS),
        subject=_l("Your code: %(code)s"),
        body=_l(
            "Your code to see your registrations is %(code)s. It works once, for 10 minutes. If you did not ask "
            "for it, ignore this message."
        ),
        sms=_l("Your code to see your registrations: %(code)s (10 minutes). Ignore this if you did not ask for it."),
    )
)


def _registrant(registration):
    """The account that registered (its own channels and language), else the phone given."""
    if registration.registered_by_id:
        from accounts.models import User

        user = db.session.get(User, registration.registered_by_id)
        if user is not None:
            return user
    return Contact(mobile=registration.phone) if registration.phone else None


def _context(registration) -> dict:
    event, session = registration.event, registration.session
    return {
        "name": registration.name,
        "event": event.title,
        "starts": session.starts_at,
        "venue": event.venue.name if event.venue else "—",
        "link": link_for("events.ticket", token=registration.link_token),
    }


def tell_registrant(registration, kind: str) -> None:
    """Confirmed, waitlisted or promoted: one message per registration and kind."""
    recipient = _registrant(registration)
    if recipient is not None:
        notify(
            recipient,
            kind,
            _context(registration),
            key=f"{kind}:{registration.id}",
            organisation_id=registration.event.organisation_id,
        )


def tell_promoted(registrations) -> None:
    for registration in registrations:
        tell_registrant(registration, PROMOTED.key)


def live_registrations(event, session_id: int | None = None) -> list:
    """Registrations still holding or waiting for a place (whom a change, a cancellation or a message reaches)."""
    from events.models import Registration, RegistrationStatus

    query = sa.select(Registration).where(
        Registration.event_id == event.id, Registration.status != RegistrationStatus.CANCELLED
    )
    if session_id is not None:
        query = query.where(Registration.session_id == session_id)
    return list(db.session.execute(query.order_by(Registration.id)).scalars())


def tell_event_changed(event, cancelled: bool = False) -> None:
    """Every live registrant of the event, once per version of the event (its iCalendar SEQUENCE)."""
    kind = CANCELLED.key if cancelled else CHANGED.key
    items = [(r, _registrant(r)) for r in live_registrations(event)]
    notify_many(
        [(recipient, _context(r)) for r, recipient in items if recipient is not None],
        kind,
        key=f"{kind}:{event.id}:{event.sequence}",
        organisation_id=event.organisation_id,
    )


def send_reminders(now: datetime) -> int:
    """Remind confirmed registrants of sessions starting in the next 12 to 36 hours (run daily or hourly by
    `flask events remind`); once per registration. Returns the number of messages queued."""
    from events.models import Event, EventSession, EventStatus, Registration, RegistrationStatus

    rows = (
        db.session.execute(
            sa.select(Registration)
            .join(EventSession, Registration.session_id == EventSession.id)
            .join(Event, Registration.event_id == Event.id)
            .where(
                Event.status == EventStatus.PUBLISHED,
                Registration.status == RegistrationStatus.CONFIRMED,
                EventSession.starts_at >= now + timedelta(hours=12),
                EventSession.starts_at < now + timedelta(hours=36),
            )
        )
        .scalars()
        .all()
    )
    queued = 0
    for registration in rows:
        recipient = _registrant(registration)
        if recipient is not None:
            queued += len(
                notify(
                    recipient,
                    REMINDER.key,
                    _context(registration),
                    key=f"{REMINDER.key}:{registration.id}",
                    organisation_id=registration.event.organisation_id,
                )
            )
    return queued


def tell_visit(visit, kind: str) -> None:
    """The requester of a caravan visit (their account, and the contact phone they left)."""
    context = {
        "host": visit.host_name,
        "starts": visit.starts_at,
        "reason": visit.decision_reason or "",
        "link": link_for("events.visit_status", token=visit.token),
    }
    key = f"{kind}:{visit.id}:{visit.sequence}"
    recipients = [Contact(mobile=visit.contact_phone)]
    if visit.submitted_by_id:
        from accounts.models import User

        user = db.session.get(User, visit.submitted_by_id)
        if user is not None:
            recipients = [user] if user.mobile == visit.contact_phone else [user, recipients[0]]
    notify_many([(r, context) for r in recipients], kind, key=key, organisation_id=visit.organisation_id)


def send_recovery_code(contact: Contact, code: str) -> None:
    notify(contact, RECOVERY_CODE.key, {"code": code}, key=f"{RECOVERY_CODE.key}:{uuid.uuid4().hex}")


def announce(event, session_id: int | None, subject: str, body: str, channels, actor=None) -> int:
    """An organiser's message to the live registrants of an event (or one session); returns how many were
    reached. Each registrant once, whatever the number of channels."""
    items = [
        (_registrant(r), {"subject": subject, "body": body, "link": link_for("events.ticket", token=r.link_token)})
        for r in live_registrations(event, session_id)
    ]
    items = [(recipient, context) for recipient, context in items if recipient is not None]
    notify_many(
        items,
        "notifications.announcement",
        key=f"announcement:{uuid.uuid4().hex}",
        organisation_id=event.organisation_id,
        channels=channels,
    )
    audit.record(
        "announce",
        event,
        after={"subject": subject, "session_id": session_id, "recipients": len(items), "channels": list(channels)},
        actor=actor,
    )
    return len(items)


def count_registrants(event, session_id: int | None = None) -> int:
    return sum(1 for r in live_registrations(event, session_id) if r.registered_by_id or r.phone)
