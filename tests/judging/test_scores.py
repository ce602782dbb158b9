"""Criterion score validation and weighted totals (no app)."""

from decimal import Decimal

import pytest

from judging import scores
from judging.scores import (
    RUBRIC_TEMPLATES,
    CriterionSpec,
    ScoreError,
    ScoreSheetError,
    rubric_maximum,
    validate_criterion_score,
    validate_score_sheet,
    weighted_total,
)
from judging.services import scoring


@pytest.mark.parametrize(
    "value, expected", [("7.5", Decimal("7.5")), (10, Decimal(10)), ("0", Decimal(0)), (" 9.0 ", Decimal("9.0"))]
)
def test_valid_scores(value, expected):
    assert validate_criterion_score(value, 10, "0.5") == expected


@pytest.mark.parametrize(
    "value, code",
    [
        ("10.5", "above_maximum"),
        ("7.3", "off_step"),
        ("-1", "below_minimum"),
        ("abc", "not_a_number"),
        ("", "missing"),
        (None, "missing"),
        ("nan", "not_a_number"),
        ("inf", "not_a_number"),
        (True, "not_a_number"),
    ],
)
def test_invalid_scores(value, code):
    with pytest.raises(ScoreError) as info:
        validate_criterion_score(value, 10, "0.5")
    assert info.value.code == code


def test_decimal_step_has_no_float_error():
    # 0.3 is a multiple of 0.1 exactly in Decimal (0.1*3 != 0.3 in float)
    assert validate_criterion_score("0.3", 1, "0.1") == Decimal("0.3")
    with pytest.raises(ScoreError):
        validate_criterion_score("0.35", 1, "0.1")


def test_sheet_reports_every_error_and_returns_nothing():
    criteria = [CriterionSpec("a", "A", Decimal(10), Decimal("0.5")), CriterionSpec("b", "B", Decimal(5))]
    with pytest.raises(ScoreSheetError) as info:
        validate_score_sheet({"a": "11", "b": "2.5"}, criteria)
    assert set(info.value.errors) == {"a", "b"}
    assert info.value.errors["a"].code == "above_maximum"
    assert info.value.errors["b"].code == "off_step"


def test_partial_sheet_allows_missing_for_drafts():
    criteria = [CriterionSpec("a", "A", Decimal(10)), CriterionSpec("b", "B", Decimal(5))]
    assert validate_score_sheet({"a": "3", "b": ""}, criteria, partial=True) == {"a": Decimal(3)}
    with pytest.raises(ScoreSheetError):
        validate_score_sheet({"a": "3"}, criteria)


def test_weighted_total_and_isef_template():
    criteria = [
        CriterionSpec(name, name, Decimal(mx), Decimal(step), Decimal(w))
        for name, _, w, mx, step in RUBRIC_TEMPLATES["isef"]
    ]
    assert rubric_maximum(criteria) == Decimal(100)
    scores = {c.key: c.maximum / 2 for c in criteria}
    assert weighted_total(scores, criteria) == Decimal(50)
    weighted = [CriterionSpec("x", "x", Decimal(10), weight=Decimal("1.5")), CriterionSpec("y", "y", Decimal(10))]
    assert weighted_total({"x": Decimal(4), "y": Decimal(3)}, weighted) == Decimal("9.0")
    assert rubric_maximum(weighted) == Decimal("25.0")


def test_error_message_shows_limits_as_written():
    """Bug: the import said 超过满分 100.0000 (the rubric total's Decimal as stored)."""
    exc = scores.ScoreError("above_maximum", value="101", maximum=Decimal("100.0000"))
    message = scoring.score_error_message(exc)  # zh_CN: "101 超过满分 100。"
    assert "100" in message and "100.0" not in message
    message = scoring.score_error_message(scores.ScoreError("off_step", value="20.3", step=Decimal("0.50")))
    assert "0.5" in message and "0.50" not in message
