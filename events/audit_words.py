"""The events area's words for the audit log page (core.audit.describe): venues, events, sessions,
registrations, check-in links and the caravan, with names for venue, caravan, staff and event ids."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l


def describe_audit() -> None:
    from core import audit
    from events.caravan.models import Caravan, CaravanStaff
    from events.models import (
        AUDIENCE_LABELS,
        EVENT_KIND_LABELS,
        EVENT_STATUS_LABELS,
        REGISTRATION_STATUS_LABELS,
        VENUE_KIND_LABELS,
        VISIT_STATUS_LABELS,
        Event,
        Venue,
    )

    audit.describe(
        objects={
            "event_venues": _l("Venue"),
            "events": _l("Event"),
            "event_sessions": _l("Session"),
            "event_registrations": _l("Registration"),
            "event_staff_links": _l("Check-in link"),
            "event_caravan_staff": _l("Caravan staff member"),
            "event_caravans": _l("Science caravan"),
            "event_caravan_visits": _l("Caravan visit"),
            "event_caravan_blackout": _l("Caravan day off"),
            "event_caravan_blackouts": _l("Caravan day off"),
        },
        actions={
            "set_status": _l("changed the status"),
            "add_session": _l("added a session"),
            "update_session": _l("changed a session"),
            "register": _l("registered"),
            "promote": _l("moved up from the waiting list"),
            "create_staff_link": _l("created a check-in link"),
            "revoke_staff_link": _l("revoked a check-in link"),
            "reset_feed": _l("reset the calendar link"),
            "save": _l("saved"),
            "add_blackout": _l("added days off"),
            "delete_blackout": _l("removed days off"),
            "request": _l("asked for a visit"),
            "counter_propose": _l("proposed another time"),
            "propose": _l("proposed another time"),
            "accept_proposal": _l("accepted the proposed time"),
            "reschedule": _l("rescheduled"),
            "view_contacts": _l("viewed contact details"),
            "cancel": _l("cancelled"),
        },
        fields={
            "kind": _l("Type"),
            "audience": _l("Audience"),
            "venue_id": _l("Venue"),
            "starts_at": _l("Starts"),
            "ends_at": _l("Ends"),
            "waitlist_enabled": _l("Waiting list"),
            "exit_scan": _l("Scan on leaving"),
            "personal_data": _l("Personal data asked"),
            "sessions": _l("Sessions"),
            "capacity": _l("Places"),
            "session_id": _l("Session number"),
            "seats": _l("Places taken"),
            "source": _l("Registered through"),
            "link_id": _l("Link number"),
            "expires_at": _l("Valid until"),
            "crew": _l("Crew"),
            "first_day": _l("First day"),
            "last_day": _l("Last day"),
            "caravan_id": _l("Caravan"),
            "host": _l("Host"),
            "start": _l("Starts"),
            "end": _l("Ends"),
            "staff": _l("Staff"),
            "event_id": _l("Event"),
            "what": _l("Page or file"),
        },
        ids={
            "venue_id": audit.names_of(Venue.id, Venue.name),
            "caravan_id": audit.names_of(Caravan.id, Caravan.name),
            "crew": audit.names_of(CaravanStaff.id, CaravanStaff.name),
            "staff": audit.names_of(CaravanStaff.id, CaravanStaff.name),
            "event_id": audit.names_of(Event.id, Event.title),
        },
    )
    audit.describe(object_type="events", fields={"label": _l("Label"), "title": _l("Title")})
    audit.describe(
        object_type="event_caravan_visits",
        actions={
            "approve": _l("approved the visit"),
            "decline": _l("declined the visit"),
            "cancel": _l("cancelled the visit"),
        },
    )
    audit.describe(object_type="event_registrations", actions={"cancel": _l("cancelled the registration")})
    values = {
        ("source", "online"): _l("Online"),
        ("source", "coordinator"): _l("School coordinator"),
        ("source", "walk_in"): _l("Walk-in"),
        ("personal_data", "birth_date"): _l("Gender and birth date"),
        ("personal_data", "id_number"): _l("ID number"),
        ("what", "registrations"): _l("Registrations page"),
        ("what", "attendance"): _l("Attendance page"),
    }
    # statuses in the area's own words (events/models.py); an event's or a registration's wins over a visit's
    for labels, field in (
        (VISIT_STATUS_LABELS, "status"),
        (REGISTRATION_STATUS_LABELS, "status"),
        (EVENT_STATUS_LABELS, "status"),
        (EVENT_KIND_LABELS, "kind"),
        (VENUE_KIND_LABELS, "kind"),
        (AUDIENCE_LABELS, "audience"),
    ):
        values.update({(field, str(key)): label for key, label in labels.items()})
    audit.describe(values=values)
