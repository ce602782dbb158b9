"""The inbox, preferences, the outbox (administrators; organisers for their units' messages), resending and the
one-click unsubscribe link."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core.errors import DomainError
from core.extensions import db, limiter
from core.permissions import get_or_404, is_admin, is_organiser, organises, public
from core.privacy import mask_contact
from notifications.kinds import KINDS, configurable_kinds
from notifications.models import Channel, Message, MessageStatus
from notifications.services import addresses as addresses_service
from notifications.services import inbox as inbox_service
from notifications.services import preferences as preferences_service
from notifications.services import sending as sending_service

bp = Blueprint("notifications", __name__)


def inject_unread() -> dict:
    """The unread count the navigation shows next to 'Messages'."""
    if not getattr(current_user, "is_authenticated", False):
        return {}
    return {"unread_notifications": inbox_service.unread_count(current_user)}


@bp.route("/")
def inbox():
    page = db.paginate(inbox_service.inbox_query(current_user), per_page=30, error_out=False)
    return render_template("notifications/inbox.html", page=page)


@bp.route("/read", methods=["POST"])
def mark_read():
    ids = request.form.getlist("message_id", type=int)
    inbox_service.mark_read(current_user, ids or None)
    db.session.commit()
    return redirect(request.form.get("next") or url_for("notifications.inbox"))


@bp.route("/<int:message_id>/open", methods=["POST"])
def open_message(message_id: int):
    """Mark an inbox message read and follow its link."""
    message = get_or_404(Message, message_id)
    if message.user_id != current_user.id or message.channel != Channel.INBOX:
        abort(403)
    inbox_service.mark_read(current_user, [message.id])
    db.session.commit()
    return redirect(message.link or url_for("notifications.inbox"))


@bp.route("/preferences", methods=["GET", "POST"])
def preferences():
    kinds = sorted(configurable_kinds(), key=lambda k: k.key)
    subject = addresses_service.user_subject(current_user)
    if request.method == "POST":
        for kind in kinds:
            for channel in kind.channels:
                wanted = request.form.get(f"{kind.key}:{channel}") == "on"
                preferences_service.set_preference(subject, kind.key, channel, wanted)
        db.session.commit()
        flash(_("Your choices were saved."), "success")
        return redirect(url_for("notifications.preferences"))
    chosen = preferences_service.preferences_of(subject)
    return render_template(
        "notifications/preferences.html",
        kinds=kinds,
        chosen=chosen,
        channels=list(Channel),
        describe_channel=inbox_service.describe_channel,
    )


def _may_read(message: Message) -> bool:
    return is_admin(current_user) or organises(current_user, message.organisation_id)


@bp.route("/outbox")
def outbox():
    if not (is_admin(current_user) or is_organiser(current_user)):
        abort(403)
    status = request.args.get("status") or None
    if status and status not in set(MessageStatus):
        status = None
    page = db.paginate(inbox_service.outbox_query(current_user, status=status), per_page=50, error_out=False)
    return render_template(
        "notifications/outbox.html",
        page=page,
        status=status,
        counts=inbox_service.status_counts(current_user),
        statuses=list(MessageStatus),
        mask=mask_contact,
        describe_status=inbox_service.describe_status,
        describe_channel=inbox_service.describe_channel,
        kinds=KINDS,
    )


@bp.route("/outbox/<int:message_id>")
def outbox_message(message_id: int):
    message = get_or_404(Message, message_id)
    if message.channel == Channel.INBOX or not _may_read(message):
        abort(403)
    return render_template(
        "notifications/outbox_message.html",
        message=message,
        mask=mask_contact,
        describe_status=inbox_service.describe_status,
        describe_channel=inbox_service.describe_channel,
        kinds=KINDS,
    )


@bp.route("/outbox/<int:message_id>/resend", methods=["POST"])
def resend(message_id: int):
    message = get_or_404(Message, message_id)
    if message.channel == Channel.INBOX or not _may_read(message):
        abort(403)
    try:
        sending_service.resend_message(message, actor=current_user)
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
    else:
        db.session.commit()
        flash(_("The message was queued again."), "success")
    return redirect(url_for("notifications.outbox_message", message_id=message.id))


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@public
@limiter.limit("30 per minute")
def unsubscribe(token: str):
    """One click: GET shows a button, POST (the button, or a mail client's List-Unsubscribe-Post) turns the
    kind's email off for the recipient."""
    found = preferences_service.read_unsubscribe_token(token)
    if found is None or found[1] not in KINDS or KINDS[found[1]].security:
        return render_template("errors/error.html", status=404, message=_("This unsubscribe link is not valid.")), 404
    subject, kind = found
    done = False
    if request.method == "POST":
        preferences_service.set_preference(subject, kind, Channel.EMAIL, False)
        db.session.commit()
        done = True
    return render_template("notifications/unsubscribe.html", kind=KINDS[kind], done=done, token=token)


unsubscribe.csrf_exempt = (
    True  # a mail client's one-click POST (RFC 8058) carries no CSRF token; the signed token is the proof
)
