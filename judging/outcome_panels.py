"""Schools' outcomes shown on other pages: the entry page and the school's entry list (competitions' pages,
through core.ui page sections) and the coordinator's dashboard (past contests with their results)."""

from __future__ import annotations

from core.permissions import Role, can
from judging.models import AWARD_LABELS


def entry_section(user, entry) -> dict | None:
    """Competitions' entry page: the entry's award, score, rank, released comments and certificates."""
    from judging.services import outcomes

    if not can("entry.view", entry, user=user):
        return None
    outcome = outcomes.entry_outcome(entry)
    return None if outcome is None else {"outcome": outcome}


def entry_presentation_section(user, entry) -> dict | None:
    """Competitions' entry page (the school's coordinator, the organisers): the entry's presentation slot."""
    from judging.presentations.services import slots_of_submissions

    if not can("entry.view", entry, user=user):
        return None
    slot = slots_of_submissions("contest", [entry.id]).get(entry.id)
    return None if slot is None else {"slot": slot}


def school_entries_section(user, contest, school) -> dict | None:
    """Competitions' list of a school's entries: once results are final, the awards and a link to them."""
    from judging.services import outcomes

    if not (can("contest.view", contest, user=user) and can("school.view", school, user=user)):
        return None
    outcome = outcomes.school_outcome(contest, school)
    return None if outcome is None else {"outcome": outcome, "award_labels": AWARD_LABELS}


def dashboard_context(user) -> dict | None:
    """Coordinators keep every contest with final results their school took part in, with its awards."""
    from judging.services import outcomes

    school_ids = user.scope_ids(Role.COORDINATOR)
    finished = outcomes.finished_contests(school_ids) if school_ids else []
    return {"finished": finished, "award_labels": AWARD_LABELS} if finished else None
