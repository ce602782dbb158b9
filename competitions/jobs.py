"""Background jobs of the competitions area: large roster imports (a 10,000-row file takes a few seconds)."""
from __future__ import annotations

from pathlib import Path

from flask import current_app
from flask_babel import force_locale, gettext

from accounts.models import Organisation, User
from competitions import services
from competitions.roster import parse_roster
from core.extensions import db
from core.jobs import Progress, job_handler

# Rosters up to this many rows are imported inside the request; larger ones as a background job.
JOB_THRESHOLD_ROWS = 2000


def pending_roster_path(token: str) -> Path:
    """Where an uploaded roster waits between preview and confirmation (random token, never user input)."""
    path = Path(current_app.config["UPLOAD_DIR"]) / "roster-imports"
    path.mkdir(parents=True, exist_ok=True)
    return path / f"{token}.bin"


@job_handler("competitions.import_roster")
def import_roster_job(progress: Progress, *, school_id: int, token: str, filename: str, actor_id: int | None) -> dict:
    """Check the confirmed file again and import it; one commit at the end, so all or nothing."""
    school = db.session.get(Organisation, school_id)
    actor = db.session.get(User, actor_id) if actor_id else None
    path = pending_roster_path(token)
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        progress.update(0, 3, gettext("Checking the file…"))
        result = parse_roster(path.read_bytes(), filename)
        if not result.ok:
            raise ValueError(result.errors[0].render(gettext))
        progress.update(1, 3, gettext("Importing %(n)s students…", n=len(result.rows)))
        counts = services.import_roster(school, result, actor=actor)
        message = gettext("Roster imported: %(created)s new, %(updated)s updated, %(unchanged)s unchanged.",
                          created=counts["create"], updated=counts["update"], unchanged=counts["unchanged"])
    progress.update(3, 3, message)  # commits the import together with the finished progress
    path.unlink(missing_ok=True)
    return {"school_id": school_id, "created": counts["create"], "updated": counts["update"],
            "unchanged": counts["unchanged"]}
