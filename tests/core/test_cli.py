"""The shared commands (seed-demo, demo-logins) print in the installation's language: Chinese by default
(BABEL_DEFAULT_LOCALE, set with KECHUANG_BABEL_DEFAULT_LOCALE), English when set so."""

import pytest

from core.demo import SEEDERS

CLI_WORDS = {
    "zh_CN": {
        "seeding": "正在载入演示数据：accounts …",
        "ready": "演示数据已就绪",
        "logins": "演示账号（密码均为 kechuang-demo）：",
    },
    "en": {
        "seeding": "seeding accounts …",
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
