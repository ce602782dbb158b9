"""Schools: the list of schools under a unit, imported from a spreadsheet, and looking one up."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from accounts.models import Organisation, OrganisationKind, descendant_ids
from core.errors import DomainError
from core.extensions import db
from core.names import name_sort_key

SCHOOL_HEADERS = {
    "name": ("学校名称", "学校", "name", "school"),
    "code": ("代码", "学校代码", "code"),
    "stage": ("学段", "stage"),
    "district": ("地区", "区县", "district"),
}
STAGE_WORDS = {
    "小学": "primary",
    "初中": "junior",
    "高中": "senior",
    "完全中学": "complete",
    "完中": "complete",
    "九年一贯制": "nine_year",
    "九年一贯": "nine_year",
    "primary": "primary",
    "junior": "junior",
    "senior": "senior",
    "complete": "complete",
    "nine_year": "nine_year",
}


@dataclass
class SchoolImportResult:
    created: int = 0
    updated: int = 0
    problems: list[tuple[int | None, Any]] = field(default_factory=list)  # (row or None, lazy message)


def import_schools(  # noqa: C901 — read, check every row, then write all or nothing: one transaction's story in order
    data: bytes,
    filename: str,
    parent: Organisation,
    actor=None,
    size: int | None = None,
) -> SchoolImportResult:
    """Create or update schools under ``parent`` from a file with 学校名称, 代码, 学段, 地区 (xlsx or csv).
    Matched by code. All or nothing: any problem means nothing is written (problems are returned).
    ``size``: the upload's full size when only its first bytes were read."""
    from accounts.services import save_organisation
    from competitions.roster.reading import read_table
    from competitions.roster.values import RosterFileError, normalise_header, normalise_text

    result = SchoolImportResult()
    try:
        rows, _fmt, _enc = read_table(data, filename, size=size)
    except RosterFileError as exc:
        result.problems.append((None, _l(exc.error.message, **exc.error.params)))
        return result
    from core.spreadsheets import find_header_row

    lookup = {normalise_header(alias): key for key, aliases in SCHOOL_HEADERS.items() for alias in aliases}
    found = find_header_row(rows, lambda value: lookup.get(normalise_header(value)), required="name")
    header_at, mapping = (found[0], found[1]) if found else (None, {})
    if header_at is None or "code" not in mapping or "stage" not in mapping:
        result.problems.append((None, _l("The file needs the columns 学校名称, 代码, 学段 and 地区.")))
        return result
    parsed = []
    seen: dict[str, int] = {}

    def cell(values: tuple, key: str) -> str:
        return normalise_text(values[mapping[key]]) if key in mapping and mapping[key] < len(values) else ""

    for number, values in rows[header_at + 1 :]:
        name, code, stage_text, district = (cell(values, k) for k in ("name", "code", "stage", "district"))
        if name and mapping["name"] < len(values):
            name = " ".join(str(values[mapping["name"]]).split())  # keep full-width （） as schools write them
        if not any((name, code, stage_text, district)):
            continue
        if not name:
            result.problems.append((number, _l("学校名称 is required.")))
        if not code:
            result.problems.append((number, _l("代码 is required.")))
        elif code in seen:
            result.problems.append((number, _l("The code %(code)s is also on row %(row)s.", code=code, row=seen[code])))
        seen.setdefault(code, number)
        stage = STAGE_WORDS.get(stage_text.replace(" ", ""))
        if stage is None:
            result.problems.append(
                (number, _l("学段 “%(value)s” must be 小学, 初中, 高中, 完全中学 or 九年一贯制.", value=stage_text))
            )
        parsed.append((number, name, code, stage, district or None))
    if not parsed and not result.problems:
        result.problems.append((None, _l("The file has a header row but no schools.")))
    if result.problems:
        return result
    existing = {
        o.code: o
        for o in db.session.execute(
            sa.select(Organisation).where(Organisation.code.in_([p[2] for p in parsed]))
        ).scalars()
    }
    for number, name, code, stage, district in parsed:
        org = existing.get(code)
        if org is not None and org.kind != OrganisationKind.SCHOOL:
            result.problems.append(
                (number, _l("The code %(code)s belongs to an organisation that is not a school.", code=code))
            )
            continue
        try:
            save_organisation(
                org,
                kind=OrganisationKind.SCHOOL.value,
                name=name,
                code=code,
                stage=stage,
                district=district,
                parent_id=org.parent_id if org else parent.id,
            )
        except DomainError as exc:
            result.problems.append((number, exc.message))
            continue
        if org is None:
            result.created += 1
        else:
            result.updated += 1
    return result


def school_of(school_id: int) -> Organisation | None:
    org = db.session.get(Organisation, school_id)
    return org if org is not None and org.kind == OrganisationKind.SCHOOL else None


def school_by_code(code: str) -> Organisation | None:
    return db.session.execute(
        sa.select(Organisation).where(Organisation.code == code, Organisation.kind == OrganisationKind.SCHOOL.value)
    ).scalar_one_or_none()


def schools_by_ids(ids: Iterable[int]) -> list[Organisation]:
    """These organisations (a coordinator's schools), in name order."""
    ids = list(ids)
    if not ids:
        return []
    found = db.session.execute(sa.select(Organisation).where(Organisation.id.in_(ids))).scalars()
    return sorted(found, key=lambda o: name_sort_key(o.name))


def organising_units(ids: Iterable[int] | None = None) -> list[Organisation]:
    """Organising units (科协) in name order: all of them (ids None), or those among ids."""
    query = sa.select(Organisation).where(Organisation.kind == OrganisationKind.ASSOCIATION.value)
    if ids is not None:
        query = query.where(Organisation.id.in_(list(ids) or [-1]))
    return sorted(db.session.execute(query).scalars(), key=lambda o: name_sort_key(o.name))


def schools_under(organisation_id: int) -> list[tuple[int, str]]:
    """(id, name) of every school below an organising unit, in name order (a contest's schools)."""
    ids = descendant_ids({organisation_id})
    rows = db.session.execute(
        sa.select(Organisation.id, Organisation.name).where(
            Organisation.id.in_(ids), Organisation.kind == OrganisationKind.SCHOOL.value
        )
    ).all()
    return [(r.id, r.name) for r in sorted(rows, key=lambda r: name_sort_key(r.name))]
