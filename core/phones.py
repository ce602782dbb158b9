"""The one phone-number rule (plain Python, no Flask at import): mainland mobile numbers as 11 ASCII digits.

Used by every form, import and registration that takes a phone: roster files (Excel may hand over a number
as 13800138000.0), visitor registration, caravan visit requests, the single-student form.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

_NOISE = re.compile(r"[\s\-()（）+]")
_MAINLAND_MOBILE = re.compile(r"1[3-9]\d{9}")


class InvalidPhone(ValueError):
    """Not a mainland mobile number."""


def parse_mobile(value: Any) -> str:
    """A mainland mobile number as 11 digits, or InvalidPhone.

    Accepts full-width digits, spaces, dashes and brackets between the digits, a +86 / 86 / 0086 prefix and
    a number Excel stored as a number (13800138000.0). The number must be 1[3-9] followed by 9 digits.
    The result is also the key that detects the same phone registering twice.
    """
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    raw = "" if value is None else str(value)
    text = _NOISE.sub("", unicodedata.normalize("NFKC", raw)).replace("\u200b", "").replace("\ufeff", "")
    for prefix in ("0086", "86"):
        if len(text) == 11 + len(prefix) and text.startswith(prefix):
            text = text[len(prefix) :]
            break
    if not (text.isascii() and _MAINLAND_MOBILE.fullmatch(text)):
        raise InvalidPhone(raw)
    return text


def clean_mobile(value: str, field: str = "mobile") -> str:
    """parse_mobile for a number a person typed: the 11 digits, or a DomainError next to `field` whose message
    is translated where it is shown."""
    from flask_babel import lazy_gettext as _l

    from core.errors import DomainError

    try:
        return parse_mobile(value)
    except InvalidPhone:
        raise DomainError(
            _l("Enter a mainland mobile number: 11 digits starting with 13 to 19, such as 138 0013 8000."), field=field
        ) from None
