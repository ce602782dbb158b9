"""Performance runs: time parsing, best-of-N, sum, average, penalties, DNF/DQ (no app)."""

from decimal import Decimal

import pytest

from judging import performance
from judging.performance import Run, TimeFormatError, compute_result, format_time, parse_time, rank_performance


@pytest.mark.parametrize(
    "text, cs",
    [("01:23.45", 8345), ("1:05", 6500), ("59.9", 5990), ("0:00.07", 7), ("12:00.00", 72000), ("2:03,5", 12350)],
)
def test_parse_time(text, cs):
    assert parse_time(text) == cs


@pytest.mark.parametrize("text", ["", "abc", "1:60.00", "1:2:3", "01:23.456", "-1:00"])
def test_parse_time_rejects(text):
    with pytest.raises(TimeFormatError):
        parse_time(text)


def test_format_time():
    assert format_time(8345) == "01:23.45"
    assert format_time(None) == "—"


def run(points, seconds=None, penalty=0, status="ok"):
    return Run(Decimal(points), None if seconds is None else seconds * 100, penalty, status)


def test_penalty_adds_seconds():
    assert run(100, 70, penalty=20).effective_time_cs == 9000


def test_best_of_two_points_then_time_then_other_run():
    ranking = rank_performance(
        {
            "A": [run(100, 60), run(120, 90)],  # best 120 / 90 s, other 100 / 60 s
            "B": [run(120, 80), run(50, 30)],  # best 120 / 80 s -> first
            "C": [run(120, 90), run(100, 50)],  # same best as A, better other run -> above A
            "D": [run(120, 70, penalty=20), run(10, 10)],  # 120 / 90 s, other run worse than A's
        },
        "best_of",
        2,
    )
    assert [(r.entry_id, r.rank) for r in ranking] == [("B", 1), ("C", 2), ("A", 3), ("D", 4)]
    assert ranking[0].points == 120 and ranking[0].time_cs == 8000


def test_best_of_only_first_n_runs_count():
    result = compute_result("A", [run(10, 50), run(20, 50), run(99, 10)], "best_of", 2)
    assert result.points == 20 and result.counted_runs == [1]


def test_dnf_and_dq_are_no_result():
    ranking = rank_performance(
        {
            "timed": [run(100, 99)],
            "dnf": [run(100, status="dnf")],
            "dq": [run(150, 10, status="dq")],
            "low": [run(10, 20)],
        },
        "best_of",
        1,
    )
    assert [(r.entry_id, r.rank, r.has_result) for r in ranking] == [
        ("timed", 1, True),
        ("low", 2, True),
        ("dnf", None, False),
        ("dq", None, False),
    ]
    assert ranking[-1].points == 0 and ranking[-2].points == 0


def test_a_dnf_run_with_points_typed_by_mistake_never_wins():
    """Issue 22: a slip turned 180 into 1800 on a DNF run, and the DNF run ranked the team first."""
    ranking = rank_performance(
        {
            "slip": [run(120, 70), run(100, 80), run(1800, status="dnf")],
            "clean": [run(150, 90), run(140, 85), run(130, 80)],
        },
        "best_of",
        3,
    )
    assert [(r.entry_id, r.points, r.counted_runs) for r in ranking] == [("clean", 150, [0]), ("slip", 120, [0])]


def test_sum_and_average():
    runs = {"A": [run(50, 60), run(70, 80)], "B": [run(60, 50), run(60, 60)], "C": [run(100, 30), run(20, None)]}
    summed = rank_performance(runs, "sum")
    # all 120 points: B 110 s beats A 140 s; C's untimed run makes its time unknown -> last
    assert [(r.entry_id, r.points, r.time_cs) for r in summed] == [
        ("B", 120, 11000),
        ("A", 120, 14000),
        ("C", 120, None),
    ]
    averaged = rank_performance(runs, "average")
    assert averaged[0].points == 60 and averaged[0].time_cs == 5500


def test_full_tie_shares_rank():
    ranking = rank_performance(
        {"A": [run(10, 20), run(5, 5)], "B": [run(10, 20), run(5, 5)], "C": [run(1, 1)]}, "best_of", 2
    )
    assert [r.rank for r in ranking] == [1, 1, 3]


def test_entry_with_fewer_runs_ranks_after_equal_best():
    ranking = rank_performance({"one": [run(10, 20)], "two": [run(10, 20), run(1, 99)]}, "best_of", 2)
    assert [r.entry_id for r in ranking] == ["two", "one"]


def test_time_accepts_full_width_punctuation_from_chinese_input():
    """Bug: 01：23．45 typed with a Chinese input method was refused."""
    assert performance.parse_time("01：23．45") == 8345
    assert performance.parse_time("1：05。3") == 6530
    with pytest.raises(performance.TimeFormatError):
        performance.parse_time("01：65．00")
