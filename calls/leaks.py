"""The blind-round leak check: does an uploaded PDF name an applicant or the unit?

Every review round of a call is double-blind — experts read the application as calls.submissions shows it, with
each applicant's and the unit's name blotted out of the title and answers — but a paper's PDF may still carry its
authors on the title page or in the acknowledgements. Its text is read once, at upload (pypdf), and matched
against the same names calls.submissions blots (``blind_names``) after core.conflicts' normalisation (NFKC,
spaces removed, case folded), applied to the page text too: PDF text of Chinese often has spaces or line breaks
between characters ("欧阳\n䶮").

What is stored is the finding, not the text (ApplicationFile.leaks): an application's names are fixed when it is
submitted (there is no edit of a submitted application; a recommended copy is a new application whose files are
checked again), so the finding cannot go stale, the organiser's pages list it without reading any file, and no
second copy of a paper's full text sits in the database. ``leaks`` is a list of {"name", "kind" (person or unit),
"pages"} — empty for a clean PDF — or None when the text was not read (not a PDF, or a PDF pypdf cannot read): the
organiser is told to check that file by hand.

Experts never download an application's files (calls.view_application: its applicant and the call's organisers);
they read the blind answers only. The warning is for the organiser, who may replace the file or accept it before
opening the round.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _

from calls.models import ApplicationStatus, Call, CallApplication
from calls.submissions import applicant_names, blind_names
from core.conflicts import normalised
from core.extensions import db

log = logging.getLogger(__name__)

#: Pages named per finding (a name on every page of a long paper is one warning, not a hundred numbers).
MAX_PAGES = 10


def page_texts(data: bytes) -> list[str] | None:
    """The normalised text of each page of a PDF, or None when pypdf cannot read it (damaged, encrypted)."""
    from pypdf import PdfReader  # only uploads read PDFs (pypdf brings Pillow): not every process (decision 0010)

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            return None
        return [normalised(page.extract_text() or "") for page in reader.pages]
    except Exception:  # untrusted bytes: pypdf raises many kinds (PdfReadError, ValueError, KeyError...)
        log.info("calls.leaks: a PDF's text could not be read", exc_info=True)
        return None


def find(pages: list[str], application: CallApplication) -> list[dict]:
    """Each applicant's or unit's name found in the pages, with the pages (1-based) it is on."""
    persons = {normalised(n) for n in applicant_names(application)}
    found = []
    for name in blind_names(application):
        key = normalised(name)
        on = [number for number, text in enumerate(pages, 1) if key and key in text]
        if on:
            found.append({"name": name, "kind": "person" if key in persons else "unit", "pages": on[:MAX_PAGES]})
    return found


def check(application: CallApplication, data: bytes, file_type: str) -> list[dict] | None:
    """What ApplicationFile.leaks stores for an uploaded file (see the module's docstring)."""
    if file_type != "pdf":
        return None
    pages = page_texts(data)
    return None if pages is None else find(pages, application)


def describe(file) -> list[str]:
    """The organiser's lines for a file: each name found, or why its text was not checked; none when clean."""
    if file.leaks is None:
        if file.file_type == "pdf":
            return [_("%(file)s: its text could not be read; check it for names by hand.", file=file.original_name)]
        return [_("%(file)s: not a PDF, its text is not checked; check it for names by hand.", file=file.original_name)]
    lines = []
    for leak in file.leaks:
        pages = "、".join(str(p) for p in leak["pages"])
        if leak["kind"] == "person":
            lines.append(
                _(
                    "Applicant's name in a file: %(name)s (%(file)s, page %(pages)s)",
                    name=leak["name"],
                    file=file.original_name,
                    pages=pages,
                )
            )
        else:
            lines.append(
                _(
                    "Unit's name in a file: %(name)s (%(file)s, page %(pages)s)",
                    name=leak["name"],
                    file=file.original_name,
                    pages=pages,
                )
            )
    return lines


@dataclass(frozen=True)
class LeakWarning:
    application: CallApplication
    lines: list[str]
    leaking: bool  # a name was found (not only a file left unread)


def warnings_of(files: list) -> list[str]:
    """The lines of an application's files, in upload order."""
    return [line for f in files for line in describe(f)]


def call_warnings(call: Call) -> list[LeakWarning]:
    """The accepted applications (what the round judges) whose files name an applicant or unit, or could not be
    read, by application number; one query."""
    from calls.files import ApplicationFile

    rows = db.session.execute(
        sa.select(ApplicationFile, CallApplication)
        .join(CallApplication, CallApplication.id == ApplicationFile.application_id)
        .where(
            CallApplication.call_id == call.id,
            CallApplication.status == ApplicationStatus.ACCEPTED,
        )
        .order_by(CallApplication.number, ApplicationFile.id)
    ).all()
    by_application: dict[int, tuple[CallApplication, list]] = {}
    for file, application in rows:
        by_application.setdefault(application.id, (application, []))[1].append(file)
    found = []
    for application, files in by_application.values():
        lines = warnings_of(files)
        if lines:
            found.append(LeakWarning(application, lines, any(f.leaks for f in files)))
    return found


def leaking(call: Call) -> bool:
    """Whether a file of an accepted application names an applicant or the unit: opening the round asks for the
    organiser's confirmation."""
    return any(w.leaking for w in call_warnings(call))
