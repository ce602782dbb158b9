"""The words of the reports: pipeline steps, stages, award levels, kinds of event and host, and which
contest statuses count where. Labels are lazy (translated when shown); the kinds of event and host are the
events area's own (events.models), re-exported under the names the reports use."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from events.models import EVENT_KIND_LABELS, VENUE_KIND_LABELS, EventKind  # noqa: F401  (re-exported)

STEPS = ("registered", "submitted", "approved", "scored", "awarded")
STEP_LABELS = {"registered": _l("Registered"), "submitted": _l("Submitted"), "approved": _l("Approved"),
               "scored": _l("Scored"), "awarded": _l("Awarded"), "participating": _l("Participating")}
STAGES = ("primary", "junior", "senior")
STAGE_LABELS = {"primary": _l("Primary school"), "junior": _l("Junior secondary"), "senior": _l("Senior secondary")}
AWARD_LEVELS = ("first", "second", "third", "merit")
AWARD_LABELS = {"first": _l("First prize"), "second": _l("Second prize"), "third": _l("Third prize"),
                "merit": _l("Merit award")}
SPECIAL_AWARD_LABELS = {"mayor": _l("Mayor's award"), "best_creativity": _l("Best creativity award"),
                        "outstanding_advisor": _l("Outstanding science advisor"),
                        "outstanding_organiser": _l("Outstanding organising unit")}
EVENT_KINDS = tuple(EventKind)  # events' own vocabulary (events/models.py), in its order
HOST_KIND_LABELS = VENUE_KIND_LABELS  # caravan hosts and venues are the same kinds
#: Contest statuses whose results are public (公示 or final): their awards count in annual figures.
PUBLISHED_CONTEST_STATUSES = ("notice", "final", "archived")
#: Contests shown on the organiser dashboard: those still in progress.
ACTIVE_CONTEST_STATUSES = ("registration", "closed", "judging", "notice")
