"""A contest entry as judging sees it: a *submission* of kind "entry" (judging.submissions).

Competitions may not import judging (judging sits above it), so this module only adapts an Entry to the small
interface judging reads — code, title, anonymised materials, conflict keys, the school responsible, the category
it is ranked in — and judging's init_app registers ``load_entries`` under the key "entry". What an entry shows a
judge, and which parties it stands for in 回避, is decided here, once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext

from competitions.materials import MATERIAL_KIND_LABELS
from competitions.models import Entry
from core import conflicts
from core.extensions import db

KIND = "entry"


@dataclass(frozen=True)
class EntrySubmission:
    entry: Entry

    kind = KIND

    @property
    def id(self) -> int:
        return self.entry.id

    @property
    def code(self) -> str:
        return self.entry.code or ""

    @property
    def title(self) -> str:
        return self.entry.title

    @property
    def materials(self) -> list[tuple[str, str]]:
        """The abstract, then each uploaded file by its kind and type — never its original file name, which often
        carries a student's or school's name. Students, advisors and the school are not materials."""
        shown = [(gettext("Abstract"), self.entry.abstract)] if self.entry.abstract else []
        for material in self.entry.materials:  # loaded when a judge opens the entry, not for assignment
            label = gettext(MATERIAL_KIND_LABELS.get(material.kind, material.kind))
            shown.append((label, f"{material.file_type.upper()}, {material.size / 1_048_576:.1f} MB"))
        return shown

    @property
    def conflict_keys(self) -> frozenset[str]:
        """回避 of an entry: its school (a judge who belongs to it or declared it stands aside)."""
        return conflicts.keys(conflicts.organisation_key(self.entry.school_id))

    @property
    def organisation_id(self) -> int:
        return self.entry.school_id

    @property
    def group(self) -> int:
        return self.entry.category_id


def load_entries(ids: Sequence[int]) -> list[EntrySubmission]:
    """The entries with these ids as submissions, in one query."""
    rows = db.session.execute(sa.select(Entry).where(Entry.id.in_(list(ids)))).scalars()
    return [EntrySubmission(entry) for entry in rows]


def as_submission(entry: Entry) -> EntrySubmission:
    """An entry already loaded, as a submission (no query)."""
    return EntrySubmission(entry)
