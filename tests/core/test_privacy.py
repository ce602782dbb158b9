"""One home for each privacy rule: minors' names, phone masks, ID masks, phone numbers (core.privacy, core.phones)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.phones import InvalidPhone, parse_mobile
from core.privacy import COMPOUND_SURNAMES, mask_id_number, mask_minor_name, mask_minor_names, mask_phone

pytestmark = pytest.mark.no_app


@pytest.mark.parametrize(
    "name, masked",
    [
        ("张三明", "张*明"),
        ("李四", "李*"),
        ("欧阳娜娜", "欧阳**"),
        ("欧阳娜", "欧阳*"),
        ("司马相如", "司马**"),
        ("王", "*"),
        ("", ""),
        (None, ""),
        ("  张  三明 ", "张*明"),
        ("买买提·艾力", "买****力"),
        ("阿卜杜热西提·买买提", "阿********提"),
        ("Anna Smith", "A*********"),
        ("𠮷野家", "𠮷*家"),
        ("张小明明", "张**明"),
        ("䶮", "*"),
        ("刘䶮", "刘*"),
        ("上官𠮷", "上官*"),
    ],
)
def test_mask_minor_name(name, masked):
    assert mask_minor_name(name) == masked


def test_mask_minor_names_joins_and_skips_blanks():
    assert mask_minor_names(["张三明", "", "李四"]) == "张*明、李*"


@given(st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF), min_size=2, max_size=6))
def test_masked_name_never_contains_the_given_name(name):
    masked = mask_minor_name(name)
    assert len(masked) == len(name)
    assert all(m in (c, "*") for m, c in zip(masked, name, strict=True))
    assert masked.count("*") >= max(1, len(name) - 2)  # at most the surname and one last character show
    assert masked[1] == "*" or (name[:2] in COMPOUND_SURNAMES and masked[2] == "*")


def test_phone_and_id_masks():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("12345") == "*****"
    assert mask_phone(None) == mask_phone("") == ""
    assert mask_id_number("11010519491231002X") == "110*************2X"
    assert mask_id_number(None) == ""


@pytest.mark.parametrize(
    "raw",
    [
        "13812345678",
        "138 1234 5678",
        "138-1234-5678",
        "+86 138 1234 5678",
        "8613812345678",
        "0086-13812345678",
        "(138)12345678",
        "（138）1234 5678",
        "１３８１２３４５６７８",
        13812345678,
        13812345678.0,
        "\ufeff13812345678",
    ],
)
def test_phone_variants_parse_to_the_same_number(raw):
    assert parse_mobile(raw) == "13812345678"


@pytest.mark.parametrize(
    "raw",
    [
        "",
        None,
        "1381234567",
        "138123456789",
        "23812345678",
        "12812345678",
        "0571-8888888",
        "abc",
        "2380013800a",
        3.5,
        "138١٢٣٤٥٦٧٨",
    ],
)
def test_bad_phones_are_refused(raw):
    with pytest.raises(InvalidPhone):
        parse_mobile(raw)


def test_no_second_copy_of_a_privacy_rule():
    """Masks and phone parsing live only in core.privacy / core.phones: no other module defines them."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    pattern = re.compile(r"^def (mask_\w*name\w*|mask_phone|mask_id_number|\w*normalise_phone|parse_mobile)\b", re.M)
    owners = {"core/privacy.py", "core/phones.py"}
    offenders = []
    for path in root.glob("*/**/*.py"):
        rel = path.relative_to(root).as_posix()
        if rel.startswith((".venv/", "tests/", "node_modules/")) or rel in owners:
            continue
        offenders += [f"{rel}: {m.group(1)}" for m in pattern.finditer(path.read_text(encoding="utf-8"))]
    assert offenders == []
