"""The organiser's schedule of a presentation round (答辩/路演): rooms, slots with their panel, placing each
submission of the round in a slot (judging.presentations.services). For a contest's round and a call's alike:
the organisers of the round's owner manage it."""

from __future__ import annotations

from datetime import UTC

from flask import abort, redirect, render_template, request, url_for
from flask_babel import get_timezone
from flask_babel import gettext as _

from core.forms import commit_or_show
from core.permissions import get_or_404, require
from judging import forms
from judging.owners import owner_kind
from judging.presentations import services as presentations
from judging.presentations.models import PresentationSlot
from judging.services.judges import judges_of
from judging.views.common import _load_round, bp


def _managed_round(round_id: int):
    rnd = _load_round(round_id)
    require("judging.manage", rnd.owner)
    return rnd


def _owner_url(rnd) -> str:
    if rnd.owned_by_contest:
        return url_for("judging.round_detail", round_id=rnd.id)
    kind = owner_kind(rnd.owner_kind)
    return url_for(kind.endpoint, **{kind.id_arg: rnd.owner_id})


def _to_utc(value):
    """A wall-clock time typed in the user's time zone, as aware UTC."""
    return value.replace(tzinfo=get_timezone()).astimezone(UTC) if value else None


@bp.route("/rounds/<int:round_id>/schedule", methods=["GET", "POST"])
def presentation_schedule(round_id: int):
    """Rooms and slots per room in time order, the submissions placed in each; add a room or a slot."""
    rnd = _managed_round(round_id)
    rooms = presentations.rooms_of(rnd)
    room_form = forms.PresentationRoomForm(prefix="room")
    slot_form = forms.PresentationSlotForm(prefix="slot")
    slot_form.room.choices = [(r.id, r.name) for r in rooms]
    slot_form.judges.choices = [(j.id, j.user.display_name) for j in judges_of(rnd.owner, include_withdrawn=False)]
    here = url_for("judging.presentation_schedule", round_id=rnd.id)
    if request.method == "POST" and room_form.submit.data and room_form.validate_on_submit():
        if commit_or_show(lambda: presentations.add_room(rnd, room_form.name.data), room_form, _("Room added.")):
            return redirect(here)
    elif request.method == "POST" and slot_form.submit.data and slot_form.validate_on_submit():
        room = next((r for r in rooms if r.id == slot_form.room.data), None)
        if room is None:
            abort(404)
        panel = [j for j in judges_of(rnd.owner, include_withdrawn=False) if j.id in set(slot_form.judges.data or [])]

        def add():
            return presentations.add_slot(
                rnd, room, _to_utc(slot_form.starts_at.data), _to_utc(slot_form.ends_at.data), panel
            )

        if commit_or_show(add, slot_form, _("Slot added.")):
            return redirect(here)
    return render_template(
        "judging/presentation_schedule.html",
        rnd=rnd,
        owner_url=_owner_url(rnd),
        schedule=presentations.schedule(rnd),
        unplaced=presentations.unplaced(rnd),
        room_form=room_form,
        slot_form=slot_form,
    )


@bp.route("/rounds/<int:round_id>/schedule/slots/<int:slot_id>/place", methods=["POST"])
def place_in_slot(round_id: int, slot_id: int):
    rnd = _managed_round(round_id)
    slot = get_or_404(PresentationSlot, slot_id)
    if slot.round_id != rnd.id:
        abort(404)
    submission_id = request.form.get("submission", type=int)
    commit_or_show(lambda: presentations.place_submission(slot, submission_id or 0), None, _("Placed in the slot."))
    return redirect(url_for("judging.presentation_schedule", round_id=rnd.id) + f"#room-{slot.room_id}")
