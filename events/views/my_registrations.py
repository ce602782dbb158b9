"""“我的报名”: a registrant finds their tickets again with a one-time code sent to the phone or e-mail they used."""

from __future__ import annotations

from flask import redirect, render_template, session, url_for
from flask_babel import gettext as _

from core.db import utcnow
from core.extensions import limiter
from core.forms import commit_or_show
from core.permissions import public
from events import forms
from events.services import recovery as recovery_service
from events.views.common import bp

RECOVERY_SESSION_MINUTES = 30


def _recovered_address() -> str | None:
    found = session.get("events_recovered")
    if not found or found.get("until", 0) < utcnow().timestamp():
        return None
    return found.get("address")


@bp.route("/my", methods=["GET", "POST"])
@public
@limiter.limit("10 per minute;30 per hour", methods=["POST"])
def my_registrations():
    """Step 1: the phone or email used to register; a code goes there if it registered (the answer is the same
    either way)."""
    form = forms.RecoveryStartForm()
    if form.validate_on_submit():
        from notifications.services.addresses import clean_address

        def start() -> str:
            channel, address = clean_address(form.contact.data, field="contact")
            recovery_service.start_ticket_recovery(channel, address, language=session.get("lang"))
            return address

        done = commit_or_show(start, form)
        if done:
            session["events_recovery"] = done.value
            return redirect(url_for("events.my_registrations_code"))
    return render_template("events/my_start.html", form=form)


@bp.route("/my/code", methods=["GET", "POST"])
@public
@limiter.limit("10 per minute;30 per hour", methods=["POST"])
def my_registrations_code():
    """Step 2: the code; right once, it opens the list for half an hour in this browser."""
    address = session.get("events_recovery")
    if not address:
        return redirect(url_for("events.my_registrations"))
    form = forms.RecoveryCodeForm()
    if form.validate_on_submit():
        done = commit_or_show(lambda: recovery_service.finish_ticket_recovery(address, form.code.data))
        if done and done.value:  # committed either way: a wrong guess is counted
            session.pop("events_recovery", None)
            session["events_recovered"] = {
                "address": address,
                "until": utcnow().timestamp() + RECOVERY_SESSION_MINUTES * 60,
            }
            return redirect(url_for("events.my_registrations_list"))
        form.code.errors = [_("This code is not right, or it has expired. Ask for a new one.")]
    from core.privacy import mask_contact as mask_address

    return render_template("events/my_code.html", form=form, masked=mask_address(address))


@bp.route("/my/list")
@public
def my_registrations_list():
    address = _recovered_address()
    if address is None:
        return redirect(url_for("events.my_registrations"))
    channel = "email" if "@" in address else "sms"
    rows = recovery_service.registrations_of_contact(channel, address)
    from core.privacy import mask_contact as mask_address

    return render_template("events/my_list.html", rows=rows, masked=mask_address(address))
