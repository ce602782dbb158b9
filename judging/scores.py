"""Validation of criterion scores and weighted totals (pure logic, no Flask).

A rubric criterion has a maximum and a step (e.g. 0.5): a score is valid when
``0 <= score <= maximum`` and ``score`` is a whole multiple of ``step``.
A judge's total for an entry is ``sum(weight * score)`` over the criteria, so the
rubric maximum is ``sum(weight * maximum)``.  Decimal is used throughout so that
0.1 + 0.2 style float errors never reject a valid score.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any


class ScoreError(ValueError):
    """A score that cannot be accepted; ``code`` is machine-readable, ``params`` fill the message."""

    MESSAGES = {
        "not_a_number": "{value} is not a number.",
        "missing": "A score is required.",
        "below_minimum": "{value} is below the minimum {minimum}.",
        "above_maximum": "{value} is above the maximum {maximum}.",
        "off_step": "{value} is not a multiple of the step {step}.",
    }

    def __init__(self, code: str, **params: Any):
        self.code = code
        self.params = params
        super().__init__(self.MESSAGES[code].format(**params))


class ScoreSheetError(ValueError):
    """One or more criteria of a score sheet are invalid; ``errors`` maps criterion key to ScoreError."""

    def __init__(self, errors: Mapping[Hashable, ScoreError]):
        self.errors = dict(errors)
        super().__init__("; ".join(f"{k}: {e}" for k, e in self.errors.items()))


@dataclass(frozen=True)
class CriterionSpec:
    """A rubric criterion as the pure logic needs it."""

    key: Hashable
    name: str
    maximum: Decimal
    step: Decimal = Decimal("1")
    weight: Decimal = Decimal("1")
    description: str = field(default="", compare=False)


def parse_score(value: Any) -> Decimal:
    """Turn user input (str, int, float, Decimal) into a finite Decimal or raise ScoreError."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ScoreError("missing")
    if isinstance(value, bool):
        raise ScoreError("not_a_number", value=value)
    try:
        number = Decimal(str(value).strip()) if not isinstance(value, Decimal) else value
    except (InvalidOperation, ValueError):
        raise ScoreError("not_a_number", value=value) from None
    if not number.is_finite():
        raise ScoreError("not_a_number", value=value)
    return number


def validate_criterion_score(
    value: Any,
    maximum: Decimal | int | str,
    step: Decimal | int | str = 1,
    minimum: Decimal | int | str = 0,
) -> Decimal:
    """Return the score as Decimal if minimum <= score <= maximum and it is a multiple of step."""
    score = parse_score(value)
    maximum, step, minimum = Decimal(str(maximum)), Decimal(str(step)), Decimal(str(minimum))
    if score < minimum:
        raise ScoreError("below_minimum", value=score, minimum=minimum)
    if score > maximum:
        raise ScoreError("above_maximum", value=score, maximum=maximum)
    if step > 0 and (score - minimum) % step != 0:
        raise ScoreError("off_step", value=score, step=step)
    return score


def validate_score_sheet(
    values: Mapping[Hashable, Any],
    criteria: Sequence[CriterionSpec],
    *,
    partial: bool = False,
) -> dict[Hashable, Decimal]:
    """Validate every criterion of a sheet at once; all errors are reported together.

    With ``partial=True`` (a draft) missing criteria are allowed and left out of the result.
    """
    result: dict[Hashable, Decimal] = {}
    errors: dict[Hashable, ScoreError] = {}
    for criterion in criteria:
        raw = values.get(criterion.key)
        if partial and (raw is None or (isinstance(raw, str) and not raw.strip())):
            continue
        try:
            result[criterion.key] = validate_criterion_score(raw, criterion.maximum, criterion.step)
        except ScoreError as exc:
            errors[criterion.key] = exc
    if errors:
        raise ScoreSheetError(errors)
    return result


def weighted_total(scores: Mapping[Hashable, Decimal], criteria: Sequence[CriterionSpec]) -> Decimal:
    """Sum of weight x score over the criteria present in ``scores``."""
    return sum((c.weight * Decimal(scores[c.key]) for c in criteria if c.key in scores), Decimal(0))


def rubric_maximum(criteria: Sequence[CriterionSpec]) -> Decimal:
    """Highest total a rubric allows: sum of weight x maximum."""
    return sum((c.weight * c.maximum for c in criteria), Decimal(0))


#: Rubric templates the organiser starts from: (name, description, weight, maximum, step).
RUBRIC_TEMPLATES: dict[str, list[tuple[str, str, str, str, str]]] = {
    "kexie": [
        ("Scientific soundness", "Sound method, correct science, reliable data", "1", "25", "0.5"),
        ("Innovation", "Originality of the question, idea or solution", "1", "25", "0.5"),
        ("Practical value", "Usefulness and feasibility of the result", "1", "25", "0.5"),
        ("Presentation standards", "Complete, well-structured and properly cited materials", "1", "25", "0.5"),
    ],
    "isef": [
        ("Research question", "Clear, focused and testable question", "1", "10", "0.5"),
        ("Design and methodology", "Well-designed plan, variables and controls", "1", "15", "0.5"),
        ("Execution", "Data collection, analysis and reproducibility", "1", "20", "0.5"),
        ("Creativity", "Creative approach and originality", "1", "20", "0.5"),
        ("Presentation", "Poster, interview and understanding of the work", "1", "35", "0.5"),
    ],
}
