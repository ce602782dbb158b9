"""Masking of people's names for public figures and open data (plain Python, no Flask).

Students are minors, so every student name that leaves the organiser's view is masked: the surname stays
and the given name is hidden, except the last character of a three-character (or longer) name with a
one-character surname, which is how Chinese result notices show names (张*明). Compound surnames (欧阳, 司马 …)
stay whole and the given name is hidden completely (欧阳**), because keeping the last character of a short
given name would leave most of the name readable.
"""
from __future__ import annotations

import unicodedata

#: Two-character surnames (复姓) common enough to matter; longer names starting with them keep both.
COMPOUND_SURNAMES = frozenset(
    "欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 司空 夏侯 轩辕 令狐 端木 独孤 南宫 西门"
    " 百里 呼延 赫连 澹台 公冶 宗政 濮阳 太史 申屠 闻人 万俟 钟离 拓跋".split()
)

MASK = "*"


def _is_cjk(char: str) -> bool:
    return unicodedata.category(char) == "Lo" and not char.isascii()  # hanzi, also Ext. B (𠮷)


def mask_name(name: str | None) -> str:
    """A minor's name as published: 张三明 -> 张*明, 李四 -> 李*, 欧阳娜娜 -> 欧阳**, 欧阳娜 -> 欧阳*.

    A one-character name becomes '*' (the surname alone would be the whole name); spaces inside a Chinese
    name are ignored, a separator dot counts as a character (买买提·艾力 -> 买****力). Latin-script names keep
    their first letter only (Anna Smith -> A*********). Empty input gives an empty string.
    """
    text = " ".join((name or "").split())
    if not text:
        return ""
    if not _is_cjk(text[0]):
        return text[0] + MASK * (len(text) - 1)
    chars = [c for c in text if not c.isspace()]  # 张 三明 is 张三明
    if len(chars) == 1:
        return MASK
    if len(chars) >= 3 and "".join(chars[:2]) in COMPOUND_SURNAMES:
        return "".join(chars[:2]) + MASK * (len(chars) - 2)
    if len(chars) == 2:
        return chars[0] + MASK
    return chars[0] + MASK * (len(chars) - 2) + chars[-1]


def mask_names(names) -> str:
    """Several masked names joined the Chinese way (张*明、李*)."""
    return "、".join(mask_name(n) for n in names if (n or "").strip())
