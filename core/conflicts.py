"""回避 keys: what makes a judge and a submission conflict, written once as comparable strings.

A submission (a contest entry, a call's application) carries the keys of the parties behind it — its school or
unit, its authors — and a judge carries the keys of the parties they belong to or declared; judging's assignment
rule refuses a pair that shares a key (judging.assignment.has_conflict). Every area builds its keys here, so
"the same unit" and "the same person" mean one thing on both sides. Pure Python, no Flask.
"""

from __future__ import annotations

import unicodedata


def normalised(text: str) -> str:
    """NFKC (full-width letters and spaces become ordinary ones), spaces removed, case folded: "北京 大学" and
    "北京大学", "ＡＢＣ" and "abc" are the same name."""
    return "".join(unicodedata.normalize("NFKC", text or "").split()).casefold()


def organisation_key(organisation_id: int) -> str:
    """An organisation with an account on the platform: a school, a society, a company, an association."""
    return f"org:{int(organisation_id)}"


def unit_key(name: str) -> str | None:
    """A workplace or unit known by its name only (an applicant's 工作单位); None for an empty name."""
    name = normalised(name)
    return f"unit:{name}" if name else None


def person_key(name: str) -> str | None:
    """A person known by name (an author, a co-author, the expert themself); None for an empty name."""
    name = normalised(name)
    return f"person:{name}" if name else None


def keys(*candidates: str | None) -> frozenset[str]:
    """The keys given, without the empty ones."""
    return frozenset(k for k in candidates if k)
