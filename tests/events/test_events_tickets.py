"""Ticket codes: entropy, alphabet, check symbol, normalisation of scanner input, refusal of forgeries."""

import math
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from events import tickets
from events.tickets import (
    ALPHABET,
    BAD_CHARACTER,
    BAD_CHECK,
    CODE_LENGTH,
    EMPTY,
    WRONG_LENGTH,
    InvalidCode,
    check_symbol,
    format_code,
    is_valid_code,
    new_code,
    new_link_token,
    normalise,
    parse_code,
)

pytestmark = pytest.mark.no_app  # pure logic: no app context or database

# A code worked out by hand: body "2" * 26 + "3" -> values 0 * (1..26) + 1 * 27 = 27 -> ALPHABET[27] = "W"
HAND_BODY = "2" * 26 + "3"


def test_alphabet_has_no_look_alikes_and_is_prime_sized():
    assert len(ALPHABET) == 31 == len(set(ALPHABET))
    for symbol in "01OIL":
        assert symbol not in ALPHABET
    assert all(31 % n for n in range(2, 31))


def test_codes_carry_at_least_128_random_bits():
    assert tickets.entropy_bits() >= 128
    assert tickets.RANDOM_LENGTH * math.log2(len(ALPHABET)) == pytest.approx(133.76, abs=0.01)


def test_check_symbol_worked_by_hand():
    assert check_symbol(HAND_BODY) == "W"
    assert check_symbol("2" * 27) == "2"
    # "3" in position 1 (weight 1) and "4" in position 2 (weight 2): 1 + 2*2 = 5 -> "7"
    assert check_symbol("34" + "2" * 25) == "7"
    assert parse_code(HAND_BODY + "W") == HAND_BODY + "W"


def test_new_codes_are_valid_distinct_and_canonical():
    codes = {new_code() for _ in range(2000)}
    assert len(codes) == 2000
    for code in codes:
        assert len(code) == CODE_LENGTH
        assert re.fullmatch(f"[{ALPHABET}]+", code)
        assert parse_code(code) == code


def test_every_symbol_appears_in_generated_codes():
    seen = set("".join(new_code()[:-1] for _ in range(300)))
    assert seen == set(ALPHABET)


@pytest.mark.parametrize(
    "typed",
    [
        "{code}",
        "{lower}",
        "  {code}\r\n",
        "{grouped}",
        "{grouped_lower}",
        "{spaced}",
        "{fullwidth}",
        "{code_with_underscores}",
    ],
)
def test_scanner_input_is_normalised(typed):
    code = HAND_BODY + "W"
    grouped = format_code(code)
    variants = {
        "code": code,
        "lower": code.lower(),
        "grouped": grouped,
        "grouped_lower": grouped.lower(),
        "spaced": grouped.replace("-", " "),
        "fullwidth": "".join(chr(ord(c) + 0xFEE0) for c in grouped.lower()),
        "code_with_underscores": code[:10] + "_" + code[10:],
    }
    assert parse_code(typed.format(**variants)) == code


def test_fullwidth_dash_and_ideographic_space_are_separators():
    code = HAND_BODY + "W"
    typed = code[:4] + "\uff0d" + code[4:8] + "\u3000" + code[8:]
    assert parse_code(typed) == code


def test_format_code_groups_of_four():
    code = HAND_BODY + "W"
    assert format_code(code) == "2222-2222-2222-2222-2222-2222-223W"
    assert normalise(format_code(code)) == code


@pytest.mark.parametrize(
    "raw, reason",
    [
        ("", EMPTY),
        ("   - ", EMPTY),
        (None, EMPTY),
        (HAND_BODY + "W"[:0], WRONG_LENGTH),  # truncated: check symbol missing
        ((HAND_BODY + "W")[:20], WRONG_LENGTH),
        (HAND_BODY + "WW", WRONG_LENGTH),
        (HAND_BODY + "X", BAD_CHECK),
        ("O" + HAND_BODY[1:] + "W", BAD_CHARACTER),
        ("0" + HAND_BODY[1:] + "W", BAD_CHARACTER),
        ("1" + HAND_BODY[1:] + "W", BAD_CHARACTER),
        ("https://example.org/t/abc", BAD_CHARACTER),
        ("12345", BAD_CHARACTER),
    ],
)
def test_malformed_codes_are_refused_with_a_reason(raw, reason):
    with pytest.raises(InvalidCode) as excinfo:
        parse_code(raw)
    assert excinfo.value.reason == reason
    assert not is_valid_code(raw or "")


def test_every_single_substitution_is_caught():
    code = new_code()
    for position in range(CODE_LENGTH):
        for symbol in ALPHABET:
            if symbol == code[position]:
                continue
            forged = code[:position] + symbol + code[position + 1 :]
            with pytest.raises(InvalidCode):
                parse_code(forged)


def test_every_swap_of_two_different_symbols_is_caught():
    code = new_code()
    for i in range(CODE_LENGTH):
        for j in range(i + 1, CODE_LENGTH):
            if code[i] == code[j]:
                continue
            swapped = list(code)
            swapped[i], swapped[j] = swapped[j], swapped[i]
            assert not is_valid_code("".join(swapped)), (i, j)


@given(st.text(alphabet=ALPHABET, min_size=27, max_size=27))
def test_any_body_with_its_check_symbol_parses(body):
    assert parse_code(body.lower() + check_symbol(body).lower()) == body + check_symbol(body)


@given(st.text(max_size=40))
def test_parse_never_crashes_on_arbitrary_text(raw):
    try:
        code = parse_code(raw)
    except InvalidCode as exc:
        assert exc.reason in {EMPTY, BAD_CHARACTER, WRONG_LENGTH, BAD_CHECK}
    else:
        assert len(code) == CODE_LENGTH


def test_link_tokens_are_long_and_url_safe():
    tokens = {new_link_token() for _ in range(500)}
    assert len(tokens) == 500
    for token in tokens:
        assert len(token) == 32  # 24 bytes -> 32 base64url characters, 192 bits
        assert re.fullmatch(r"[A-Za-z0-9_-]+", token)
