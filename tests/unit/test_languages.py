"""The catalogs of other languages: complete, not stale, the same placeholders and HTML."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from bot.cli.i18n import TEMPLATE, source_entries
from bot.core import language, messages, questionnaires
from bot.core.catalog import placeholders
from bot.core.engine import Engine
from bot.core.language import LOCALES, in_gemeente_language, pick, use_language

CATALOGS = sorted(LOCALES.glob("*.po"))
_TAG = re.compile(r"</?[a-z]+")


def entries(path: Path) -> dict[tuple[str, str], str]:
    with path.open("rb") as file:
        return {(m.context or "", m.id): m.string for m in read_po(file)
                if m.id and not m.fuzzy}


@pytest.fixture(autouse=True)
def fresh_catalogs() -> Iterator[None]:
    language.catalogs.cache_clear()
    yield
    language.catalogs.cache_clear()


def test_english_is_there() -> None:
    assert [path.stem for path in CATALOGS] == ["en"]
    assert language.languages() == ("nl", "en")


@pytest.mark.parametrize("path", CATALOGS, ids=lambda path: path.stem)
def test_each_catalog_translates_every_text_the_code_shows(path: Path) -> None:
    """A text added or changed in Dutch fails here until the catalog has it again."""
    translated = entries(path)
    missing = [entry for entry in source_entries() if not translated.get(entry)]
    assert missing == []


@pytest.mark.parametrize("path", CATALOGS, ids=lambda path: path.stem)
def test_no_catalog_holds_a_stale_text(path: Path) -> None:
    """An entry whose Dutch source changed or went is stale: ``i18n update`` marks it."""
    assert sorted(set(entries(path)) - set(source_entries())) == []


@pytest.mark.parametrize("path", CATALOGS, ids=lambda path: path.stem)
def test_translations_keep_the_placeholders_and_the_html(path: Path) -> None:
    for (context, source), text in entries(path).items():
        assert placeholders(text) == placeholders(source), (context, text)
        assert _TAG.findall(text) == _TAG.findall(source), (context, text)


def test_the_template_is_up_to_date() -> None:
    with TEMPLATE.open("rb") as file:
        stored = {(m.context or "", m.id) for m in read_po(file) if m.id}
    assert stored == set(source_entries())


def test_a_language_code_picks_the_nearest_catalog() -> None:
    assert pick("en-GB") == pick("en") == "en"
    assert pick("tr") == pick(None) == pick("") == "nl"  # no Turkish catalog (yet)
    assert language.name("en") == "English" and language.name("nl") == "Nederlands"
    assert language.direction("ar") == "rtl" and language.direction("en") == "ltr"


def test_messages_resolve_in_the_active_language_and_staff_texts_stay_dutch() -> None:
    dutch = messages.WELCOME
    with use_language("en"):
        assert messages.WELCOME.startswith("Welcome") and messages.LANGUAGE == "en"
        assert messages.STATE_LABELS == {"new": "Nieuw", "claimed": "Opgepakt",
                                         "in_progress": "In behandeling",
                                         "closed": "Afgerond"}  # staff read Dutch
        assert in_gemeente_language(lambda: messages.WELCOME)() == dutch
        assert ("taal", "Choose another language") in messages.COMMANDS  # commands stay
        assert "/start" not in messages.WEB_REWORDED[messages.STOPPED]  # the web's wording
    assert messages.WELCOME == dutch


def test_a_questionnaire_reads_in_the_active_language() -> None:
    engine = Engine(questionnaires.signal())
    with use_language("en"):
        danger = engine.questionnaire.get("danger")
        assert danger is not None and danger.label("nee") == "No"
        assert dict(engine.questionnaire.groups)["adres"] == "Address"
    assert engine.questionnaire is engine.source  # Dutch: the questionnaire as loaded


def test_adding_a_language_is_adding_its_file(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "tr.po").write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        f'msgctxt "SKIP"\nmsgid "{messages.SKIP}"\nmsgstr "Atla"\n', encoding="utf-8")
    monkeypatch.setattr(language, "LOCALES", tmp_path)
    language.catalogs.cache_clear()
    assert language.languages() == ("nl", "tr") and language.name("tr") == "Türkçe"
    with use_language("tr-TR"):
        assert messages.SKIP == "Atla"
        assert messages.DONE == "Klaar"  # not translated yet: the Dutch
