"""Certificate number patterns such as ``{YEAR}-{CONTEST}-{SEQ:05d}``.

Plain Python (needs no app or request). A pattern is literal text plus tokens:
  {YEAR}      four-digit issue year
  {CONTEST}   short code of the contest or event (letters and digits)
  {KIND}      kind code of the certificate (AWD, PAR, ADV, ORG, ATT)
  {SEQ}       the sequence number, optionally zero-padded: {SEQ:05d}
Exactly one {SEQ} is required. The sequence counts per *series key*: the pattern with everything but
{SEQ} filled in, so 2025 and 2026 (or two contests) each start at 1 and numbers never collide.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.i18n import N_

TOKENS = ("YEAR", "CONTEST", "KIND", "SEQ")
DEFAULT_PATTERN = "{YEAR}-{CONTEST}-{SEQ:05d}"
MAX_NUMBER_LENGTH = 64
_TOKEN_RE = re.compile(r"\{([^{}]*)\}")
_SEQ_SPEC_RE = re.compile(r"^0?([1-9])d$")
_LITERAL_OK = re.compile(r"^[A-Za-z0-9\-_/.#()\u3400-\u9fff（）]*$")
_CODE_RE = re.compile(r"^[A-Za-z0-9]{1,16}$")


class NumberPatternError(ValueError):
    """The pattern or a value put into it is invalid. `message` is an English msgid, `params` its values."""

    def __init__(self, message: str, **params):
        self.message, self.params = message, params
        super().__init__(message % params if params else message)


@dataclass(frozen=True)
class NumberPattern:
    pattern: str
    parts: tuple[tuple[str, str], ...]  # ("lit", text) | ("YEAR", "") | ("SEQ", width) ...

    def format(self, year: int, contest: str = "", kind: str = "", seq: int = 1) -> str:
        """The certificate number for these values. Raises NumberPatternError on bad values."""
        if seq < 1:
            raise NumberPatternError(N_("The sequence starts at 1."))
        return self._render(year, contest, kind, seq)

    def series_key(self, year: int, contest: str = "", kind: str = "") -> str:
        """Everything but the sequence filled in: numbers of one series share a counter."""
        return self._render(year, contest, kind, None)

    def _render(self, year: int, contest: str, kind: str, seq: int | None) -> str:
        if not 1900 <= int(year) <= 9999:
            raise NumberPatternError(N_("The year must have four digits."))
        out = []
        for token, arg in self.parts:
            if token == "lit":
                out.append(arg)
            elif token == "YEAR":
                out.append(f"{int(year):04d}")
            elif token in ("CONTEST", "KIND"):
                value = contest if token == "CONTEST" else kind
                if not _CODE_RE.match(value or ""):
                    raise NumberPatternError(
                        N_("The code %(code)r of {%(token)s} must be 1 to 16 letters or digits."),
                        code=value or "",
                        token=token,
                    )
                out.append(value.upper())
            elif token == "SEQ":
                out.append("{SEQ}" if seq is None else (str(seq).zfill(int(arg)) if arg else str(seq)))
        number = "".join(out)
        if len(number) > MAX_NUMBER_LENGTH:
            raise NumberPatternError(N_("Certificate numbers are at most 64 characters long."))
        return number

    def uses(self, token: str) -> bool:
        return any(t == token for t, _arg in self.parts)

    def match(self, number: str) -> int | None:
        """The sequence of a number made by this pattern (any year/code), or None if it does not fit."""
        regex = []
        for token, arg in self.parts:
            if token == "lit":
                regex.append(re.escape(arg))
            elif token == "YEAR":
                regex.append(r"\d{4}")
            elif token in ("CONTEST", "KIND"):
                regex.append(r"[A-Z0-9]{1,16}")
            else:
                regex.append(r"(?P<seq>\d{" + str(int(arg) if arg else 1) + ",})")
        found = re.fullmatch("".join(regex), number)
        return int(found.group("seq")) if found else None


def parse_pattern(pattern: str) -> NumberPattern:  # noqa: C901 — a small tokenizer: one branch per token kind
    """Validate a pattern and split it into parts. Raises NumberPatternError with the reason."""
    if not pattern or not pattern.strip():
        raise NumberPatternError(N_("The number pattern is empty."))
    if len(pattern) > 80:
        raise NumberPatternError(N_("The number pattern is too long (80 characters at most)."))
    parts: list[tuple[str, str]] = []
    pos = 0
    seq_count = 0
    for found in _TOKEN_RE.finditer(pattern):
        literal = pattern[pos : found.start()]
        if literal:
            parts.append(("lit", literal))
        body = found.group(1)
        name, _sep, spec = body.partition(":")
        if name not in TOKENS:
            raise NumberPatternError(
                N_("Unknown token {%(token)s}; use {YEAR}, {CONTEST}, {KIND} and {SEQ}."), token=body
            )
        if spec and name != "SEQ":
            raise NumberPatternError(N_("Only {SEQ} takes a width, e.g. {SEQ:05d}."))
        width = ""
        if name == "SEQ":
            seq_count += 1
            if spec:
                m = _SEQ_SPEC_RE.match(spec)
                if not m:
                    raise NumberPatternError(N_("Write the sequence width like {SEQ:05d} (1 to 9 digits)."))
                width = m.group(1)
        parts.append((name, width))
        pos = found.end()
    if pattern[pos:]:
        parts.append(("lit", pattern[pos:]))
    for token, text in parts:
        if token == "lit" and ("{" in text or "}" in text or not _LITERAL_OK.match(text)):
            raise NumberPatternError(
                N_("Only letters, digits, Chinese characters and - _ / . # ( ) may appear between tokens.")
            )
    if seq_count != 1:
        raise NumberPatternError(N_("The pattern needs exactly one {SEQ}."))
    # Two adjacent variable-width tokens could let different series produce the same number
    # ("A1"+"2" and "A"+"12"); {YEAR} has a fixed width, so it may touch anything.
    variable = {"CONTEST", "KIND", "SEQ"}
    for (a, _a), (b, _b) in zip(parts, parts[1:], strict=False):
        if a in variable and b in variable:
            raise NumberPatternError(N_("Separate {SEQ} and the codes with a literal character such as -."))
    return NumberPattern(pattern, tuple(parts))
