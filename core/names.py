"""Chinese names in the order and by the letters people expect: 按姓氏拼音 (pinyin of the surname first).

One sort key for every list of people or schools (rosters, entry lists, exports, pickers), so two pages never
order the same names differently. Pinyin comes from pypinyin (pinned in requirements.txt); a handful of
surnames read differently from the common reading of their character (单 shàn, 曾 zēng, 解 xiè…) are read
as surnames when they begin a name. Pure Python, no Flask.
"""

from __future__ import annotations

from functools import lru_cache

# Characters whose reading as a surname differs from the one pypinyin gives first (TONE3 spelling).
SURNAME_READINGS = {
    "单": "shan4",
    "曾": "zeng1",
    "解": "xie4",
    "仇": "qiu2",
    "朴": "piao2",
    "查": "zha1",
    "区": "ou1",
    "盖": "ge3",
    "乐": "yue4",
    "缪": "miao4",
    "翟": "zhai2",
    "秘": "bi4",
    "覃": "qin2",
    "种": "chong2",
    "员": "yun4",
    "卜": "bu3",
    "尉": "yu4",
    "长": "chang2",
    "召": "shao4",
    "繁": "po2",
    "折": "she2",
    "黑": "he4",
    "任": "ren2",
    "华": "hua4",
    "纪": "ji3",
    "过": "guo1",
    "相": "xiang1",
    "蕃": "pi2",
    "参": "can1",
    "沈": "shen3",
    "柏": "bai3",
    "句": "gou1",
    "宿": "su4",
    "车": "che1",
    "贲": "ben1",
}
_HIGH = "\U0010ffff"  # characters without a known reading sort after every spelled one


def _is_han(char: str) -> bool:
    code = ord(char)
    return (
        0x3400 <= code <= 0x4DBF or 0x4E00 <= code <= 0x9FFF or 0xF900 <= code <= 0xFAFF or 0x20000 <= code <= 0x3134F
    )


def _readings(name: str) -> list[str]:
    """One TONE3 reading per character of ``name`` ('' where the character has none, e.g. 𠮷)."""
    # Imported here: pypinyin loads its phrase dictionary on import (~0.3 s), which every process paid at
    # start-up through the areas that import this module, though only sorting and name search need it.
    from pypinyin import Style, lazy_pinyin

    out = []
    for index, char in enumerate(name):
        if index == 0 and char in SURNAME_READINGS:
            out.append(SURNAME_READINGS[char])
            continue
        if _is_han(char):
            reading = lazy_pinyin(char, style=Style.TONE3, neutral_tone_with_five=True, errors=lambda _c: [""])
            out.append(reading[0] if reading else "")
        else:
            out.append(char.lower())
    return out


@lru_cache(maxsize=65536)
def name_sort_key(name: str | None) -> tuple:
    """Sort key for a person's or a school's name: by pinyin syllable (tone as the tie-break: 李 lǐ before
    利 lì), then by the character itself, character by character, so 张三 < 张三丰 < 章 < 赵. Latin letters
    sort with the pinyin letters; characters without a reading come after."""
    name = (name or "").strip()
    return tuple((reading or _HIGH, char) for reading, char in zip(_readings(name), name, strict=True))


@lru_cache(maxsize=65536)
def name_initials(name: str | None) -> str:
    """The pinyin initials a user types to find a name: 张思远 → 'zsy', 单田芳 → 'stf'."""
    return "".join(reading[0] for reading in _readings((name or "").strip()) if reading and reading[0].isalnum())


def name_matches(query: str, name: str | None) -> bool:
    """Does ``query`` find ``name``: part of the name itself, or the start of its pinyin initials
    (case-insensitive), so 'zs', '张' and '思远' all find 张思远."""
    query = (query or "").strip().lower()
    if not query:
        return True
    name = name or ""
    return query in name.lower() or (query.isascii() and name_initials(name).startswith(query))
