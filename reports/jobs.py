"""Background job: render the annual report (PDF or .xlsx) into instance/exports/reports/ with a progress bar."""

from __future__ import annotations

import secrets
from pathlib import Path

from flask import current_app

from core.jobs import Progress, job_handler

FORMATS = ("pdf", "xlsx")


@job_handler("reports.annual", idempotent=True)
def render_annual_report(
    progress: Progress, *, organisation_id: int, year: int, fmt: str, base_url: str, lang: str | None = None
) -> dict:
    """Count the figures, render the file, store it under a random name; the job page offers the download.

    The file is in lang, the language of whoever asked (the page's download gives the same file); without it
    (a job queued before lang was passed), the installation's default language."""
    from flask_babel import force_locale
    from flask_babel import gettext as _

    from accounts.models import Organisation
    from core.extensions import db
    from reports.pdf import build_pdf
    from reports.xlsx import build_xlsx

    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    org = db.session.get(Organisation, organisation_id)
    if org is None:
        raise ValueError(f"organisation {organisation_id} no longer exists")
    lang = lang if lang in current_app.config["LANGUAGES"] else current_app.config["BABEL_DEFAULT_LOCALE"]
    with current_app.test_request_context("/", base_url=base_url), force_locale(lang):  # absolute links
        from reports.services.annual import build_annual_report

        progress.update(0, 2, _("Counting the figures"))
        report = build_annual_report(org, year)
        progress.update(1, 2, _("Rendering the file"))
        data = build_pdf(report) if fmt == "pdf" else build_xlsx(report, summary_title=_("Summary"))
        filename = _("%(org)s %(year)d annual report", org=org.name, year=year) + f".{fmt}"
    folder = Path(current_app.instance_path) / "exports" / "reports"
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{secrets.token_urlsafe(16)}.{fmt}"
    tmp = folder / f".{name}.part"
    progress.claim_file(tmp)  # removed by core.jobs if the worker dies while writing it
    tmp.write_bytes(data)
    tmp.replace(folder / name)
    return {"file": f"exports/reports/{name}", "filename": filename, "bytes": len(data)}
