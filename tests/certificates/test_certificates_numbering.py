"""Certificate number patterns."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from certificates.numbering import DEFAULT_PATTERN, NumberPatternError, parse_pattern


def test_default_pattern_formats_hand_computed_numbers():
    p = parse_pattern(DEFAULT_PATTERN)
    assert p.format(2026, "kc", seq=1) == "2026-KC-00001"
    assert p.format(2026, "KC10", seq=12345) == "2026-KC10-12345"
    assert p.format(2026, "KC", seq=123456) == "2026-KC-123456"  # grows, never truncates
    assert p.series_key(2026, "KC") == "2026-KC-{SEQ}"


def test_other_tokens_and_literals():
    p = parse_pattern("科协证字({YEAR})第{SEQ:4d}号-{KIND}")
    assert p.format(2025, kind="awd", seq=7) == "科协证字(2025)第0007号-AWD"
    assert parse_pattern("{YEAR}{SEQ}").format(2025, seq=3) == "20253"
    assert p.uses("KIND") and not p.uses("CONTEST")


@pytest.mark.parametrize(
    "pattern, message",
    [
        ("", "empty"),
        ("{YEAR}-{CONTEST}", "exactly one {SEQ}"),
        ("{SEQ}-{SEQ}", "exactly one {SEQ}"),
        ("{YEAR}-{SCHOOL}-{SEQ}", "Unknown token {SCHOOL}"),
        ("{YEAR:04d}-{SEQ}", "Only {SEQ} takes a width"),
        ("{SEQ:5}", "{SEQ:05d}"),
        ("{SEQ:010d}", "{SEQ:05d}"),
        ("{CONTEST}{SEQ}", "literal character"),
        ("{CONTEST}{KIND}-{SEQ}", "literal character"),
        ("{YEAR} {SEQ}", "may appear between tokens"),
        ("{YEAR}-{SEQ}}", "may appear between tokens"),
    ],
)
def test_bad_patterns_are_rejected_with_reason(pattern, message):
    with pytest.raises(
        NumberPatternError,
        match=message.replace("{", r"\{").replace("}", r"\}").replace("(", r"\(").replace(")", r"\)"),
    ):
        parse_pattern(pattern)


def test_bad_values_are_rejected():
    p = parse_pattern(DEFAULT_PATTERN)
    with pytest.raises(NumberPatternError, match="{CONTEST}"):
        p.format(2026, "K-C", seq=1)
    with pytest.raises(NumberPatternError, match="starts at 1"):
        p.format(2026, "KC", seq=0)
    with pytest.raises(NumberPatternError, match="four digits"):
        p.format(26, "KC", seq=1)


def test_match_recovers_sequence():
    p = parse_pattern(DEFAULT_PATTERN)
    assert p.match("2026-KC-00042") == 42
    assert p.match("2026-KC-0042") is None  # too few digits for this pattern
    assert p.match("2026_KC-00042") is None


@given(
    year=st.integers(1900, 9999),
    code=st.from_regex(r"[A-Z0-9]{1,16}", fullmatch=True),
    a=st.integers(1, 10**7),
    b=st.integers(1, 10**7),
)
def test_distinct_sequences_give_distinct_numbers_that_round_trip(year, code, a, b):
    p = parse_pattern(DEFAULT_PATTERN)
    na, nb = p.format(year, code, seq=a), p.format(year, code, seq=b)
    assert (na == nb) == (a == b)
    assert p.match(na) == a
