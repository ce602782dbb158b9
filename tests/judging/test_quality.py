"""Judge quality statistics and outlier flags (no app)."""

import math

import pytest

from judging.aggregation import JudgeScore
from judging.quality import flag_outliers, judge_quality, pearson


def test_pearson():
    assert pearson([1, 2, 3], [2, 4, 6]) == pytest.approx(1)
    assert pearson([1, 2, 3], [3, 2, 1]) == pytest.approx(-1)
    assert pearson([1], [1]) is None
    assert pearson([1, 1], [1, 2]) is None


def test_judge_quality_hand_computed():
    table = {"J1": (10, 20, 30), "J2": (20, 30, 40), "J3": (30, 20, 40)}
    scores = [JudgeScore(e, j, v) for j, values in table.items() for e, v in zip("ABC", values, strict=True)]
    quality = judge_quality(scores)
    j1 = quality["J1"]
    assert j1.mean == 20 and j1.count == 3
    assert j1.spread == pytest.approx(math.sqrt(200 / 3))
    # J1 vs mean of the others: (10, 25), (20, 25), (30, 40) -> r = 150 / sqrt(200 * 150)
    assert j1.correlation == pytest.approx(math.sqrt(3) / 2)


def test_flag_outlier_leave_one_out():
    scores = [JudgeScore("A", f"J{i}", v) for i, v in enumerate([80, 82, 78, 81, 40])]
    flags = flag_outliers(scores)
    assert [(f.judge_id, f.score) for f in flags] == [("J4", 40.0)]
    assert flags[0].panel_mean == pytest.approx(80.25)
    assert flags[0].panel_sd == pytest.approx(math.sqrt(8.75 / 3))


def test_no_flag_within_two_sd_and_too_small_panel():
    assert flag_outliers([JudgeScore("A", f"J{i}", v) for i, v in enumerate([70, 80, 90, 75, 85])]) == []
    assert flag_outliers([JudgeScore("A", "J1", 0), JudgeScore("A", "J2", 100)]) == []


def test_unanimous_panel_uses_min_sd():
    scores = [JudgeScore("A", f"J{i}", v) for i, v in enumerate([80, 80, 80, 81])]
    assert [f.judge_id for f in flag_outliers(scores)] == ["J3"]
    assert flag_outliers(scores, min_sd=1.0) == []
