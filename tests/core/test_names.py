"""core.names: 按姓氏拼音 order and pinyin-initial search for Chinese names, rare characters included."""

from __future__ import annotations

from core.names import name_initials, name_matches, name_sort_key


def test_names_sort_by_pinyin_not_by_code_point():
    names = ["赵六", "张三丰", "章", "张三", "李四", "王五", "欧阳修", "阿明"]
    assert sorted(names, key=name_sort_key) == ["阿明", "李四", "欧阳修", "王五", "张三", "张三丰", "章", "赵六"]
    assert sorted(names) != sorted(names, key=name_sort_key)  # code point order is what users complained of


def test_surnames_read_as_surnames_and_rare_characters_keep_a_place():
    # 单 as a surname is shàn (before 沈 shěn), 曾 is zēng (before 张 zhāng), not dān and céng
    assert sorted(["张三", "曾小明", "沈括", "单田芳"], key=name_sort_key) == ["单田芳", "沈括", "曾小明", "张三"]
    # 䶮 (yǎn, CJK extension A) sorts among the y's; 𠮷 (extension B, no reading) after every spelled name
    assert sorted(["𠮷祥", "赵六", "杨洋", "䶮"], key=name_sort_key) == ["䶮", "杨洋", "赵六", "𠮷祥"]  # yan < yang


def test_tone_breaks_a_tie_and_the_character_breaks_the_rest():
    assert sorted(["利", "李", "力"], key=name_sort_key)[0] == "李"  # lǐ before lì
    assert name_sort_key("张三") < name_sort_key("张三丰")


def test_initials_and_matching():
    assert name_initials("张思远") == "zsy"
    assert name_initials("单田芳") == "stf"
    assert name_initials("刘䶮") == "ly"
    assert name_matches("zsy", "张思远") and name_matches("ZS", "张思远") and name_matches("思远", "张思远")
    assert not name_matches("zy", "张思远")
    assert not name_matches("wang", "张思远")
