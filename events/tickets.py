"""Ticket codes: random, unguessable, readable aloud, and robust to what a handheld scanner types.

A code is 27 random symbols plus one check symbol from a 31-symbol alphabet that leaves out the look-alikes
0/O, 1/I/L: 27 x log2(31) = 133.8 bits of randomness (at least 128 as the standards require), drawn with
`secrets`. It is never derived from a row id.

The check symbol is a weighted sum modulo 31 (a prime) with weights 1..27, all distinct and non-zero mod 31,
so every single wrong symbol and every swap of two symbols is caught before any database lookup; a truncated
or padded code fails on its length. A forged code that happens to pass the check (1 in 31) is still refused
because no registration carries it.

The QR code holds the bare canonical code (QR alphanumeric mode). People see it in groups of four:
`ABCD-EFGH-...`. What arrives from a USB/Bluetooth scanner or a keyboard is normalised first: Unicode NFKC
(full-width letters typed while a Chinese input method is active), upper case, and spaces, dashes and
underscores removed.
"""

from __future__ import annotations

import re
import secrets
import unicodedata

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
BASE = len(ALPHABET)  # 31, prime
RANDOM_LENGTH = 27
CODE_LENGTH = RANDOM_LENGTH + 1
GROUP = 4
_VALUE = {symbol: value for value, symbol in enumerate(ALPHABET)}
# what people and scanners put between symbols; the offline scanner gets the same pattern (JavaScript reads it alike)
SEPARATORS_PATTERN = r"[\s\-_\u2010-\u2015\u2212\u30fc\uff0d]+"
_SEPARATORS = re.compile(SEPARATORS_PATTERN)

# Reasons a typed or scanned string is not a well-formed code.
EMPTY = "empty"
BAD_CHARACTER = "bad_character"
WRONG_LENGTH = "wrong_length"
BAD_CHECK = "bad_check"


class InvalidCode(ValueError):
    """A string that cannot be a ticket code; `reason` is one of EMPTY, BAD_CHARACTER, WRONG_LENGTH, BAD_CHECK."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def entropy_bits() -> float:
    """Bits of randomness in a code (for the record: must stay at least 128)."""
    import math

    return RANDOM_LENGTH * math.log2(BASE)


def check_symbol(body: str) -> str:
    """The check symbol for `body` (RANDOM_LENGTH alphabet symbols): sum of value * position (1-based) mod 31."""
    total = sum(_VALUE[symbol] * weight for weight, symbol in enumerate(body, start=1))
    return ALPHABET[total % BASE]


def new_code() -> str:
    """A fresh canonical ticket code: 27 symbols from `secrets` plus the check symbol."""
    body = "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_LENGTH))
    return body + check_symbol(body)


def normalise(raw: str) -> str:
    """What a scanner or a person typed, reduced to canonical form (may still be invalid)."""
    text = unicodedata.normalize("NFKC", raw or "")
    return _SEPARATORS.sub("", text).upper()


def parse_code(raw: str) -> str:
    """The canonical code in `raw`, or InvalidCode saying why it is not one.

    Look-alike characters (0, O, 1, I, L) are refused rather than guessed: none of them is ever issued, so
    their presence means a misread or a forgery.
    """
    code = normalise(raw)
    if not code:
        raise InvalidCode(EMPTY)
    if any(symbol not in _VALUE for symbol in code):
        raise InvalidCode(BAD_CHARACTER)
    if len(code) != CODE_LENGTH:
        raise InvalidCode(WRONG_LENGTH)
    if check_symbol(code[:RANDOM_LENGTH]) != code[RANDOM_LENGTH]:
        raise InvalidCode(BAD_CHECK)
    return code


def is_valid_code(raw: str) -> bool:
    try:
        parse_code(raw)
    except InvalidCode:
        return False
    return True


def format_code(code: str) -> str:
    """Canonical code in groups of four for people: 'ABCD-EFGH-…'."""
    return "-".join(code[i : i + GROUP] for i in range(0, len(code), GROUP))


def new_link_token() -> str:
    """Token for a ticket page or cancel link in a URL: 192 random bits, URL-safe."""
    return secrets.token_urlsafe(24)
