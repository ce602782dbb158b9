"""The words of the reports: pipeline steps, stages, award levels, kinds of event and host, and which
contest statuses count where. Labels are lazy (translated when shown); the kinds of event and host are the
events area's own (events.models), re-exported under the names the reports use."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

# Stages, awards and event kinds are worded where they are defined (competitions, judging, events); reports use
# those words.
from competitions.eligibility import STAGES  # noqa: F401  (re-exported for the reports)
from competitions.models import STAGE_LABELS  # noqa: F401
from events.models import EVENT_KIND_LABELS, VENUE_KIND_LABELS, EventKind  # noqa: F401  (re-exported)
from judging.awards import AWARD_LEVELS  # noqa: F401
from judging.models import AWARD_LABELS, SPECIAL_AWARD_LABELS  # noqa: F401

STEPS = ("registered", "submitted", "approved", "scored", "awarded")
STEP_LABELS = {
    "registered": _l("Registered"),
    "submitted": _l("Submitted"),
    "approved": _l("Approved"),
    "scored": _l("Scored"),
    "awarded": _l("Awarded"),
    "participating": _l("Participating"),
}
EVENT_KINDS = tuple(EventKind)  # events' own vocabulary (events/models.py), in its order
HOST_KIND_LABELS = VENUE_KIND_LABELS  # caravan hosts and venues are the same kinds
#: Contest statuses whose results are public (公示 or final): their awards count in annual figures.
PUBLISHED_CONTEST_STATUSES = ("notice", "final", "archived")
#: Contests shown on the organiser dashboard: those still in progress.
ACTIVE_CONTEST_STATUSES = ("registration", "closed", "judging", "notice")
