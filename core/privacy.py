"""Every privacy mask in one place (plain Python, no Flask): minors' names, phone numbers, ID numbers.

One rule per kind of data, used by every public surface and export (the 公示 page, open data, annual
figures, certificate verification, lists), so that two surfaces put together never reveal more than one.
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


def mask_minor_name(name: str | None) -> str:
    """A minor's name as every public surface and export shows it; one star per hidden character.

    The rule, as Chinese result notices show names:
    - a one-character surname stays and the given name is hidden, except its last character when the whole
      name has three or more characters: 张三明 -> 张*明, 李四 -> 李*, 张小明明 -> 张**明;
    - a compound surname (欧阳, 司马 … COMPOUND_SURNAMES) stays whole and the given name is hidden
      completely, because its last character would leave most of a short given name readable:
      欧阳娜娜 -> 欧阳**, 欧阳娜 -> 欧阳*;
    - a one-character name becomes '*' (the surname alone would be the whole name);
    - long minority names keep their first and last character, the separator dot is hidden too:
      买买提·艾力 -> 买****力, 阿卜杜热西提·买买提 -> 阿********提;
    - spaces inside a Chinese name are ignored (张 三明 is 张三明); characters are code points, so 𠮷 is one;
    - Latin-script names keep their first letter only (Anna Smith -> A*********); empty input gives ''.
    """
    text = " ".join((name or "").split())
    if not text:
        return ""
    if not _is_cjk(text[0]):
        return text[0] + MASK * (len(text) - 1)
    chars = [c for c in text if not c.isspace()]
    if len(chars) == 1:
        return MASK
    if len(chars) >= 3 and "".join(chars[:2]) in COMPOUND_SURNAMES:
        return "".join(chars[:2]) + MASK * (len(chars) - 2)
    if len(chars) == 2:
        return chars[0] + MASK
    return chars[0] + MASK * (len(chars) - 2) + chars[-1]


def mask_minor_names(names) -> str:
    """Several masked names joined the Chinese way (张*明、李*)."""
    return "、".join(mask_minor_name(n) for n in names if (n or "").strip())


def mask_phone(phone: str | None) -> str:
    """138****5678: what lists, scanner results and exports show of a phone number ('' for none)."""
    if not phone:
        return ""
    if len(phone) < 7:
        return MASK * len(phone)
    return phone[:3] + MASK * (len(phone) - 7) + phone[-4:]


def mask_contact(address: str | None) -> str:
    """li***@example.cn for an email address, 138****5678 for a phone: what lists and the CLI show of a contact."""
    if not address:
        return ""
    if "@" in address:
        local, _, domain = address.partition("@")
        return local[:2] + "***@" + domain
    return mask_phone(address)


def mask_id_number(number: str | None) -> str:
    """Only the first 3 and last 2 characters of an ID number: 110*************3X (lists never show it whole)."""
    if not number:
        return ""
    if len(number) <= 5:
        return MASK * len(number)
    return number[:3] + MASK * (len(number) - 5) + number[-2:]
