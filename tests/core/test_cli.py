"""The shared commands (seed-demo, demo-logins) print in the installation's language: Chinese by default
(BABEL_DEFAULT_LOCALE, set with KECHUANG_BABEL_DEFAULT_LOCALE), English when set so."""

import pytest

from core.demo import SEEDERS

CLI_WORDS = {
    "zh_CN": {
        "seeding": "正在载入演示数据：账号与单位 …",
        "ready": "演示数据已就绪",
        "logins": "演示账号（密码均为 kechuang-demo）：",
    },
    "en": {
        "seeding": "seeding accounts and organisations …",
        "ready": "demo data ready",
        "logins": "Demo logins (password for all: kechuang-demo):",
    },
}


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_demo_logins_speak_the_installation_language(runner, installation_language, language):
    installation_language(language)
    result = runner.invoke(args=["demo-logins"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(CLI_WORDS[language]["logins"] + "\n")
    assert "admin@kechuang.demo" in result.output


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_seed_demo_says_what_it_loads_in_the_installation_language(
    runner, installation_language, language, monkeypatch
):
    installation_language(language)
    monkeypatch.setattr("core.cli.SEEDERS", [s for s in SEEDERS if s.name == "accounts"])  # the quickest seeder
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    words = CLI_WORDS[language]
    assert words["seeding"] in result.output and words["ready"] in result.output and words["logins"] in result.output


def test_command_help_is_in_the_installation_language_by_default(runner):
    """`flask certificates --help` under the default configuration: the group's and each command's help in
    Chinese, and an option's too (core.cli.translate_help; the texts are extracted by core.catalogs)."""
    result = runner.invoke(args=["certificates", "--help"])
    assert result.exit_code == 0, result.output
    assert "证书：颁发、生成、字体。" in result.output
    assert "列出可用的 TrueType 字体" in result.output
    assert "Certificates: issue, render, fonts." not in result.output
    result = runner.invoke(args=["certificates", "issue", "--help"])
    assert result.exit_code == 0, result.output
    assert "为每位尚未获得证书的合格持有人颁发证书" in result.output
    assert "只处理这个类别代码。" in result.output
    result = runner.invoke(args=["events", "stats", "--help"])
    assert "计算方式与年度报告相同" in result.output  # a docstring of several paragraphs


def test_command_help_follows_the_installation_language(runner, installation_language):
    installation_language("en")
    result = runner.invoke(args=["certificates", "issue", "--help"])
    assert result.exit_code == 0, result.output
    assert "Issue certificates to every eligible holder who has none yet" in result.output
    assert "Only this category code." in result.output


def test_command_help_texts_are_extracted_for_the_catalogs():
    from core.catalogs import cli_help_messages

    source = b'''
@group.command("go", help="Explicit help.")
@click.option("--n", help="How many.")
def go(n):
    """Not extracted: help= is given."""


@group.command("run")
def run():
    """Run it.

    Second paragraph."""


def not_a_command():
    """Not a command."""
'''
    assert sorted(m for _, _, m, _ in cli_help_messages(source)) == [
        "Explicit help.",
        "How many.",
        "Run it.\n\nSecond paragraph.",
    ]
