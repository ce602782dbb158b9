"""A call's application as judging sees it: a *submission* of kind "application" (judging.submissions).

Registered at start-up by calls' init_app. What an expert may read of an application, and which parties it
stands for in 回避, is decided here, once:
- materials are the answers to the call's form (files aside) with every name of the applicants and their unit
  blotted out, so a double-blind round shows no author or unit, even where an applicant typed them into an
  answer (a paper's acknowledgements, a "team" field);
- conflict keys are each applicant (a paper's authors: an expert who co-wrote it stands aside) and the unit
  (an expert from the same workplace stands aside), in core.conflicts' form; ``expert_keys`` gives an expert's
  side of the same rule.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from calls.fields import answer_fields
from calls.models import CallApplication
from core import conflicts
from core.extensions import db

KIND = "application"
#: Separators between the names in an applicant field: 张三、李四, "Zhang San; Li Si".
_NAME_SEPARATORS = re.compile(r"[、,，;；/／]+")
#: What replaces a name in an anonymised answer.
REDACTED = "■■"


def applicant_names(application: CallApplication) -> list[str]:
    """The persons an application names as its applicants (authors), in order."""
    return [n.strip() for n in _NAME_SEPARATORS.split(application.applicant_name or "") if n.strip()]


def blind_names(application: CallApplication) -> list[str]:
    """What must not reach a blind reviewer: each applicant's name and the unit's, longest first ("青溪大学化学系"
    before "青溪大学"). A one-character "name" is left out: blotting every 李 or 王 would ruin the text."""
    return sorted(
        {n for n in [*applicant_names(application), (application.unit_name or "").strip()] if len(n) >= 2},
        key=len,
        reverse=True,
    )


def _redact(text: str, names: Sequence[str]) -> tuple[str, int]:
    """The text with every name blotted out, and how many places were blotted."""
    count = 0
    for name in names:
        count += text.count(name)
        text = text.replace(name, REDACTED)
    return text, count


@dataclass(frozen=True)
class ApplicationSubmission:
    application: CallApplication

    kind = KIND

    @property
    def id(self) -> int:
        return self.application.id

    @property
    def code(self) -> str:
        return self.application.code

    @property
    def title(self) -> str:
        return _redact(self.application.title, blind_names(self.application))[0]

    @property
    def materials(self) -> list[tuple[str, str]]:
        """(field label, answer) in the form's order, answered fields only, names blotted out."""
        names = blind_names(self.application)
        return [(label, _redact(text, names)[0]) for label, text in self._answers()]

    @property
    def blotted(self) -> int:
        """How many places of the title and answers named an applicant or the unit: the organiser is told, since
        the uploaded files may name them too."""
        names = blind_names(self.application)
        return sum(_redact(text, names)[1] for text in [self.application.title, *(t for _, t in self._answers())])

    def _answers(self) -> list[tuple[str, str]]:
        answers = self.application.answers or {}
        return [
            (d["label"], answers[d["key"]])
            for d in answer_fields(self.application.call.form_fields)
            if answers.get(d["key"])
        ]

    @property
    def conflict_keys(self) -> frozenset[str]:
        return conflicts.keys(
            *(conflicts.person_key(n) for n in applicant_names(self.application)),
            conflicts.unit_key(self.application.unit_name),
        )

    @property
    def organisation_id(self) -> None:
        return None  # applicants' units are known by name only (no unit account on an application yet)

    @property
    def group(self) -> int:
        return self.application.call_id  # one ranking per call


def load_applications(ids: Sequence[int]) -> list[ApplicationSubmission]:
    """The applications with these ids as submissions, with their calls, in one query."""
    rows = db.session.execute(
        sa.select(CallApplication).where(CallApplication.id.in_(list(ids))).options(joinedload(CallApplication.call))
    ).scalars()
    return [ApplicationSubmission(a) for a in rows]


def expert_keys(name: str, workplace: str, declared: Iterable[str] = ()) -> frozenset[str]:
    """An expert's side of 回避: themself (so they never review a paper they wrote or co-wrote), their workplace
    (the same unit), and the persons or units they declared (a student, a former employer)."""
    declared_keys = [conflicts.person_key(d) for d in declared] + [conflicts.unit_key(d) for d in declared]
    return conflicts.keys(conflicts.person_key(name), conflicts.unit_key(workplace), *declared_keys)
