"""Aggregation methods against hand-computed examples (no app)."""

import math

import pytest

from judging.aggregation import METHODS, AggregationOptions, JudgeScore, aggregate, rank_results, register_method


def scores_for(entry, values, criteria=None):
    return [JudgeScore(entry, f"j{i + 1}", v, (criteria or [{}] * len(values))[i]) for i, v in enumerate(values)]


def test_registry_has_all_methods():
    assert {"mean", "trimmed_mean", "zscore", "zscore_trimmed", "median"} <= set(METHODS)


def test_mean():
    result = aggregate(scores_for("A", [80, 90, 70]), "mean")["A"]
    assert result.score == 80
    assert result.raw_sum == 240
    assert [e.raw for e in result.explanation] == [80, 90, 70]
    assert not any(e.dropped for e in result.explanation)


def test_trimmed_mean_drops_highest_and_lowest_with_five_scores():
    result = aggregate(scores_for("A", [60, 70, 80, 90, 100]), "trimmed_mean")["A"]
    assert result.score == 80
    assert result.trimmed
    assert {e.judge_id for e in result.explanation if e.dropped} == {"j1", "j5"}


def test_trimmed_mean_with_tied_extremes_drops_only_one_of_each():
    result = aggregate(scores_for("A", [70, 70, 80, 90, 90]), "trimmed_mean")["A"]
    assert result.score == pytest.approx(80)  # (70 + 80 + 90) / 3
    assert [e.judge_id for e in result.explanation if e.dropped] == ["j1", "j4"]


def test_trimmed_mean_with_fewer_than_n_min_takes_plain_mean():
    result = aggregate(scores_for("A", [60, 70, 80, 100]), "trimmed_mean")["A"]
    assert result.score == 77.5
    assert not result.trimmed
    lowered = aggregate(scores_for("A", [60, 70, 80, 100]), "trimmed_mean", AggregationOptions(n_min=3))["A"]
    assert lowered.score == 75


def test_median_odd_and_even():
    assert aggregate(scores_for("A", [60, 100, 70]), "median")["A"].score == 70
    assert aggregate(scores_for("A", [60, 70, 80, 100]), "median")["A"].score == 75


def two_judge_round():
    # J1 is strict (60, 80), J2 lenient (85, 95); J3 scored a single entry
    return [JudgeScore("A", "J1", 60), JudgeScore("B", "J1", 80), JudgeScore("A", "J2", 85), JudgeScore("B", "J2", 95)]


def test_zscore_hand_computed():
    # panel of raw totals 60, 80, 85, 95: mean 80, population sd sqrt(162.5)
    sd = math.sqrt(162.5)
    results = aggregate(two_judge_round(), "zscore")
    assert results["A"].score == pytest.approx(80 - sd)  # both judges put A at z = -1
    assert results["B"].score == pytest.approx(80 + sd)
    assert [e.normalised for e in results["A"].explanation] == pytest.approx([80 - sd, 80 - sd])
    assert results["A"].raw_sum == 145


def test_zscore_judge_with_single_score_maps_to_panel_mean():
    scores = two_judge_round() + [JudgeScore("C", "J3", 50)]
    # raw totals 60, 80, 85, 95, 50: mean 74, population sd sqrt(274)
    sd = math.sqrt(274)
    results = aggregate(scores, "zscore")
    assert results["C"].score == pytest.approx(74)
    assert results["C"].explanation[0].normalised == pytest.approx(74)
    assert results["A"].score == pytest.approx(74 - sd)
    assert results["B"].score == pytest.approx(74 + sd)


def test_zscore_clamped_to_rubric_scale():
    results = aggregate(two_judge_round(), "zscore", AggregationOptions(scale_max=90))
    assert results["B"].score == 90


def test_zscore_judge_with_identical_scores_maps_to_panel_mean():
    scores = [
        JudgeScore("A", "J1", 70),
        JudgeScore("B", "J1", 70),
        JudgeScore("A", "J2", 60),
        JudgeScore("B", "J2", 100),
    ]
    # panel mean 75, sd sqrt((25+25+225+625)/4) = 15; J1 z=0 -> 75; J2 z=-1/+1 -> 60/90
    results = aggregate(scores, "zscore")
    assert results["A"].score == pytest.approx((75 + 60) / 2)
    assert results["B"].score == pytest.approx((75 + 90) / 2)


def five_judge_round():
    scores = []
    for judge in ("J1", "J2", "J3", "J4"):
        scores += [JudgeScore("A", judge, 70), JudgeScore("B", judge, 80), JudgeScore("C", judge, 90)]
    scores += [JudgeScore("A", "J5", 90), JudgeScore("B", "J5", 80), JudgeScore("C", "J5", 70)]
    return scores


def test_zscore_trimmed_hand_computed():
    # every judge has mean 80 and sd sqrt(200/3), as has the panel, so normalised == raw
    plain = aggregate(five_judge_round(), "zscore")
    assert plain["A"].score == pytest.approx(74)  # (4 * 70 + 90) / 5
    trimmed = aggregate(five_judge_round(), "zscore_trimmed")
    assert trimmed["A"].score == pytest.approx(70)  # one 70 and the 90 dropped
    assert trimmed["C"].score == pytest.approx(90)
    assert trimmed["B"].score == pytest.approx(80)
    dropped = {e.judge_id for e in trimmed["A"].explanation if e.dropped}
    assert "J5" in dropped and len(dropped) == 2
    assert [e.normalised for e in trimmed["A"].explanation] == pytest.approx([70, 70, 70, 70, 90])


def test_zscore_trimmed_with_fewer_than_n_min_is_plain_mean_of_normalised():
    assert aggregate(two_judge_round(), "zscore_trimmed")["A"].score == pytest.approx(
        aggregate(two_judge_round(), "zscore")["A"].score
    )


def test_new_method_is_one_registered_function():
    @register_method("max_for_test")
    def maximum(scores, options):
        results = METHODS["mean"](scores, options)
        for r in results.values():
            r.score = max(e.raw for e in r.explanation)
        return results

    try:
        assert aggregate(scores_for("A", [1, 5, 3]), "max_for_test")["A"].score == 5
    finally:
        del METHODS["max_for_test"]


def test_unknown_method():
    with pytest.raises(KeyError):
        aggregate([], "nope")


def test_tie_break_chain_raw_sum_then_criterion_then_later_round():
    crit = lambda *vals: [{"innovation": v} for v in vals]  # noqa: E731
    scores = (
        scores_for("X", [60, 80, 80, 80, 100], crit(10, 10, 10, 10, 10))  # trimmed 80, sum 400
        + scores_for("Y", [70, 80, 80, 80, 95], crit(10, 10, 10, 10, 10))  # trimmed 80, sum 405, innov 50
        + scores_for("Z", [65, 80, 80, 80, 100], crit(12, 10, 10, 10, 10))  # trimmed 80, sum 405, innov 52
        + scores_for("W", [90, 90, 90, 90, 90])
    )  # trimmed 90
    results = aggregate(scores, "trimmed_mean")
    ranked = rank_results(results.values(), ["raw_sum", "criterion:innovation"])
    assert [r.entry_id for r in ranked] == ["W", "Z", "Y", "X"]
    assert [r.rank for r in ranked] == [1, 2, 3, 4]
    by_id = {r.entry_id: r for r in ranked}
    assert by_id["W"].decided_by is None
    assert by_id["Z"].decided_by == "criterion:innovation"  # only the criterion separates Z from Y
    assert by_id["Y"].decided_by == "criterion:innovation"  # vs Z: criterion; vs X: raw sum -> deepest
    assert by_id["X"].decided_by == "raw_sum"


def test_tie_break_later_round_and_shared_rank():
    scores = scores_for("P", [80, 80, 80]) + scores_for("Q", [80, 80, 80]) + scores_for("R", [80, 80, 80])
    results = aggregate(scores, "mean")
    ranked = rank_results(results.values(), ["raw_sum", "later_round"], later_round={"Q": 91.0})
    assert ranked[0].entry_id == "Q" and ranked[0].decided_by == "later_round"
    assert [r.rank for r in ranked] == [1, 2, 2]  # P and R stay tied
    assert {r.entry_id for r in ranked[1:]} == {"P", "R"}


def test_float_noise_does_not_break_ties():
    # (0.1 + 0.2) / 2 vs 0.15 differ in the last bit
    results = aggregate(
        [
            JudgeScore("A", "j1", 0.1),
            JudgeScore("A", "j2", 0.2),
            JudgeScore("B", "j1", 0.15),
            JudgeScore("B", "j2", 0.15),
        ],
        "mean",
    )
    ranked = rank_results(results.values(), [])
    assert [r.rank for r in ranked] == [1, 1]


from hypothesis import assume, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.floats(0, 100, allow_nan=False), min_size=1, max_size=9),
    st.sampled_from(["mean", "trimmed_mean", "median"]),
    st.integers(3, 6),
)
def test_plain_methods_stay_within_the_raw_scores(values, method, n_min):
    result = aggregate(scores_for("A", values), method, AggregationOptions(n_min=n_min))["A"]
    assert min(values) - 1e-9 <= result.score <= max(values) + 1e-9
    assert sum(e.dropped for e in result.explanation) == (2 if method == "trimmed_mean" and len(values) >= n_min else 0)


@settings(max_examples=150, deadline=None)
@given(st.integers(3, 6), st.integers(2, 5), st.data())
def test_zscore_ranking_ignores_each_judges_leniency(n_entries, n_judges, data):
    """Complete design: shifting and stretching one judge's scale (a*x + b, a > 0) changes no ranking."""
    raw = [[data.draw(st.integers(0, 100)) for _ in range(n_entries)] for _ in range(n_judges)]
    assume(all(len(set(row)) > 1 for row in raw))
    a, b = data.draw(st.floats(0.2, 5)), data.draw(st.floats(-50, 50))
    wide = AggregationOptions(scale_min=-1e9, scale_max=1e9)

    def ranking(rows):
        scores = [JudgeScore(e, j, rows[j][e]) for j in range(n_judges) for e in range(n_entries)]
        results = aggregate(scores, "zscore", wide)
        return [round(results[e].score, 6) for e in range(n_entries)]

    before = ranking(raw)
    shifted = [row if j else [a * x + b for x in row] for j, row in enumerate(raw)]
    after = ranking(shifted)
    order = lambda xs: sorted(range(len(xs)), key=lambda i: (-round(xs[i], 4), i))  # noqa: E731
    assert order(before) == order(after)
