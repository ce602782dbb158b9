"""Background jobs of the competitions area: large roster imports (a 10,000-row file takes a few seconds)."""

from __future__ import annotations

from pathlib import Path

from flask import current_app
from flask_babel import force_locale, gettext

from accounts.models import Organisation, User
from competitions.roster.preview import roster_from_json
from competitions.services import listings as listings_service
from competitions.services import students as students_service
from core.extensions import db
from core.jobs import Progress, job_handler

# Rosters up to this many rows are imported inside the request; larger ones as a background job.
JOB_THRESHOLD_ROWS = 2000


def pending_roster_path(token: str) -> Path:
    """Where a checked roster waits between preview and confirmation, as parsed rows (roster_to_json), so the
    file is parsed once (random token, never user input)."""
    path = Path(current_app.config["UPLOAD_DIR"]) / "roster-imports"
    path.mkdir(parents=True, exist_ok=True)
    return path / f"{token}.json"


@job_handler("competitions.import_roster")
def import_roster_job(progress: Progress, *, school_id: int, token: str, filename: str, actor_id: int | None) -> dict:
    """Import the rows checked at preview (kept parsed, never read from the file again); one commit at the end,
    so all or nothing."""
    school = db.session.get(Organisation, school_id)
    actor = db.session.get(User, actor_id) if actor_id else None
    path = pending_roster_path(token)
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        progress.update(0, 3, gettext("Checking the file…"))
        result = roster_from_json(path.read_bytes())
        progress.update(1, 3, gettext("Importing %(n)s students…", n=len(result.rows)))
        counts = students_service.import_roster(school, result, actor=actor)
        message = gettext(
            "Roster imported: %(created)s new, %(updated)s updated, %(unchanged)s unchanged.",
            created=counts["create"],
            updated=counts["update"],
            unchanged=counts["unchanged"],
        )
    progress.update(3, 3, message)  # commits the import together with the finished progress
    path.unlink(missing_ok=True)
    return {
        "school_id": school_id,
        "created": counts["create"],
        "updated": counts["update"],
        "unchanged": counts["unchanged"],
    }


# Master lists with more entries than this are written by a background job (a province has 50,000).
EXPORT_JOB_THRESHOLD = 2000


@job_handler("competitions.export_entries", idempotent=True)
def export_entries_job(progress: Progress, *, contest_id: int, filters: dict) -> dict:
    """Write the organiser's master list to instance/exports/ under a random name; the job page links it."""
    import secrets

    from competitions.models import Contest

    contest = db.session.get(Contest, contest_id)
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        progress.update(0, 1, gettext("Writing the master list…"))
    data = listings_service.master_list_xlsx(contest, **filters)
    folder = Path(current_app.instance_path) / "exports"
    folder.mkdir(parents=True, exist_ok=True)
    name = f"entries-{secrets.token_hex(16)}.xlsx"
    progress.claim_file(folder / name)  # removed by core.jobs if the worker dies while writing it
    (folder / name).write_bytes(data)
    progress.update(1, 1)
    return {"file": f"exports/{name}", "filename": f"参赛作品-{contest.year}-{contest.id}.xlsx"}
