"""The words of the reports: pipeline steps, stages, award levels, kinds of event and host, and which
contest statuses count where. Labels are lazy (translated when shown)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

# Stages and awards are worded where they are defined (competitions, judging); reports use those words.
from competitions.eligibility import STAGES  # noqa: F401  (re-exported for the reports)
from competitions.models import STAGE_LABELS  # noqa: F401
from judging.awards import AWARD_LEVELS  # noqa: F401
from judging.models import AWARD_LABELS, SPECIAL_AWARD_LABELS  # noqa: F401

STEPS = ("registered", "submitted", "approved", "scored", "awarded")
STEP_LABELS = {"registered": _l("Registered"), "submitted": _l("Submitted"), "approved": _l("Approved"),
               "scored": _l("Scored"), "awarded": _l("Awarded"), "participating": _l("Participating")}
EVENT_KINDS = ("science_day", "lecture", "study_visit", "exhibition", "training", "caravan_school",
               "caravan_community")
EVENT_KIND_LABELS = {"science_day": _l("Science day"), "lecture": _l("Lecture"), "study_visit": _l("Study visit"),
                     "exhibition": _l("Exhibition"), "training": _l("Training"),
                     "caravan_school": _l("Caravan at a school"), "caravan_community": _l("Caravan in a community")}
HOST_KIND_LABELS = {"school": _l("School"), "community": _l("Community"), "science_base": _l("Science base"),
                    "other": _l("Other")}
#: Contest statuses whose results are public (公示 or final): their awards count in annual figures.
PUBLISHED_CONTEST_STATUSES = ("notice", "final", "archived")
#: Contests shown on the organiser dashboard: those still in progress.
ACTIVE_CONTEST_STATUSES = ("registration", "closed", "judging", "notice")
