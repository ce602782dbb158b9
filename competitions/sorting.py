"""The order of people in competitions' lists and exports: grade, class, then 姓氏拼音 (core.names).
Pure Python, no Flask."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from core.names import name_sort_key


def class_sort_key(class_name: str | None) -> tuple:
    """3班 before 10班 (by the number in the class name), then by the name itself; no class last."""
    digits = "".join(ch for ch in class_name or "" if ch.isdigit())
    return (int(digits) if digits else 10**9, class_name or "")


def student_sort_key(student: Any) -> tuple:
    """Roster order: grade, class, then 姓氏拼音; the id keeps namesakes in a stable order."""
    return (student.grade, class_sort_key(student.class_name), name_sort_key(student.name), student.id or 0)


# Entry lists: official 作品编号 order by default; on request by 作品名称, 学校 or 第一作者 in pinyin order
# (core.names), the code then breaking ties. The pages, the master list .xlsx and its background job all go
# through sort_entries(), so an export follows the order the list shows.
ENTRY_SORTS = ("code", "title", "school", "author")


def entry_sort(value: str | None) -> str:
    """The sort a request asked for, or the official code order for anything unknown."""
    return value if value in ENTRY_SORTS else "code"


def _code_key(entry: Any) -> tuple:
    return (entry.code is None, entry.code or "", entry.id or 0)


def entry_sort_key(entry: Any, sort: str) -> tuple:
    """An entry's place in a list sorted by ``sort`` (see ENTRY_SORTS); entries without a code (drafts) come
    last in code order, and an entry without members last when sorted by first author."""
    sort = entry_sort(sort)
    if sort == "title":
        return (name_sort_key(entry.title), *_code_key(entry))
    if sort == "school":
        return (name_sort_key(entry.school.name if entry.school else ""), *_code_key(entry))
    if sort == "author":
        first = entry.members[0].student.name if entry.members else None
        return (first is None, name_sort_key(first), *_code_key(entry))
    return _code_key(entry)


def sort_entries(items: Any, sort: str | None, entry_of: Callable[[Any], Any] | None = None) -> list[Any]:
    """``items`` (entries, or rows that ``entry_of`` maps to their entry, e.g. a judge's assignments) in the order
    of ``sort``; the code order (the database's) is kept as it is."""
    sort = entry_sort(sort)
    if sort == "code":
        return list(items)
    return sorted(items, key=lambda item: entry_sort_key(entry_of(item) if entry_of else item, sort))
