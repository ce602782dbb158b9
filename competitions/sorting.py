"""The order of people in competitions' lists and exports: grade, class, then 姓氏拼音 (core.names).
Pure Python, no Flask."""
from __future__ import annotations

from typing import Any

from core.names import name_sort_key


def class_sort_key(class_name: str | None) -> tuple:
    """3班 before 10班 (by the number in the class name), then by the name itself; no class last."""
    digits = "".join(ch for ch in class_name or "" if ch.isdigit())
    return (int(digits) if digits else 10**9, class_name or "")


def student_sort_key(student: Any) -> tuple:
    """Roster order: grade, class, then 姓氏拼音; the id keeps namesakes in a stable order."""
    return (student.grade, class_sort_key(student.class_name), name_sort_key(student.name), student.id or 0)
