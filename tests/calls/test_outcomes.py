"""Outcome rules: bands that tile the scale (gaps and overlaps refused, localised), top-N with ties, levels by
quota through judging's allocation."""

from decimal import Decimal

import pytest
from flask_babel import force_locale

from calls import outcomes
from core.errors import DomainError
from judging.aggregation import EntryResult

BANDS = [
    {"label": "优秀", "min": "90", "max": "100"},
    {"label": "合格", "min": "60", "max": "90"},
    {"label": "不合格", "min": "0", "max": "60"},
]


def ranked(scores):
    out = []
    for i, s in enumerate(scores):
        out.append(EntryResult(entry_id=i + 1, method="mean", score=s, raw_sum=s, explanation=[]))
    ordered = sorted(out, key=lambda r: -r.score)
    for r in ordered:
        r.rank = 1 + sum(1 for o in ordered if o.score > r.score)
    return ordered


def test_bands_are_stored_best_first_and_cover_the_scale():
    rule = outcomes.check_rule("bands", {"bands": list(reversed(BANDS))}, Decimal(100))
    assert [b["label"] for b in rule["bands"]] == ["优秀", "合格", "不合格"]


@pytest.mark.parametrize(
    "bands, message",
    [
        (
            [
                {"label": "优秀", "min": "90", "max": "100"},
                {"label": "合格", "min": "60", "max": "85"},
                {"label": "不合格", "min": "0", "max": "60"},
            ],
            "85 至 90 分没有对应的等次",
        ),
        (
            [
                {"label": "优秀", "min": "85", "max": "100"},
                {"label": "合格", "min": "60", "max": "90"},
                {"label": "不合格", "min": "0", "max": "60"},
            ],
            "等次“合格”与“优秀”在 85 至 90 分重叠",
        ),
        (
            [{"label": "优秀", "min": "90", "max": "100"}, {"label": "合格", "min": "60", "max": "90"}],
            "0 至 60 分没有对应的等次",
        ),
        (
            [{"label": "优秀", "min": "90", "max": "95"}, {"label": "合格", "min": "0", "max": "90"}],
            "95 至 100 分没有对应的等次",
        ),
        (
            [{"label": "优秀", "min": "九十", "max": "100"}, {"label": "合格", "min": "0", "max": "90"}],
            "“优秀”的最低分不是数字",
        ),
        ([{"label": "优秀", "min": "0", "max": "100"}], "等次至少要有两档"),
    ],
)
def test_bands_with_a_gap_an_overlap_or_a_hole_are_refused_in_chinese(bands, message):
    with force_locale("zh_CN"), pytest.raises(DomainError) as exc:
        outcomes.check_rule("bands", {"bands": bands}, Decimal(100))
    assert message in str(exc.value)


def test_band_of_includes_the_lower_bound_and_the_maximum():
    bands = outcomes.check_bands(BANDS, Decimal(100))
    assert outcomes.band_of(90.0, bands) == "优秀"
    assert outcomes.band_of(100.0, bands) == "优秀"
    assert outcomes.band_of(89.999, bands) == "合格"
    assert outcomes.band_of(60.0, bands) == "合格"
    assert outcomes.band_of(59.5, bands) == "不合格"
    assert outcomes.band_of(0.0, bands) == "不合格"


def test_top_n_takes_the_best_n_and_everyone_tied_with_the_last():
    with force_locale("zh_CN"):
        result = outcomes.allocate("top", {"n": 2}, ranked([70, 90, 80, 80, 60]))
        assert result.results == {2: "前 2 名", 3: "前 2 名", 4: "前 2 名", 1: None, 5: None}
        assert "多出 1 个" in result.notes[0]


def test_top_n_needs_a_place():
    with pytest.raises(DomainError):
        outcomes.check_rule("top", {"n": 0}, Decimal(100))


def test_levels_by_quota_use_judging_allocation():
    rule = outcomes.check_rule("levels", {"levels": [["first", "10"], ["second", "20"], ["third", "30"]]}, Decimal(100))
    with force_locale("zh_CN"):
        result = outcomes.allocate("levels", rule, ranked([100 - i for i in range(10)]))
    assert [result.results[i + 1] for i in range(10)] == [
        "一等奖",
        "二等奖",
        "二等奖",
        "三等奖",
        "三等奖",
        "三等奖",
        None,
        None,
        None,
        None,
    ]


def test_levels_over_100_percent_are_refused():
    with force_locale("zh_CN"), pytest.raises(DomainError, match="超过 100%"):
        outcomes.check_rule("levels", {"levels": [["first", "60"], ["second", "50"]]}, Decimal(100))


def test_the_rule_is_described_in_words():
    rule = outcomes.check_rule("bands", {"bands": BANDS}, Decimal(100))
    with force_locale("zh_CN"):
        assert outcomes.describe("bands", rule) == "优秀 ≥ 90 分，合格 ≥ 60 分，其余为不合格"
