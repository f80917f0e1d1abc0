"""Message catalogs: ``i18n extract`` (the template) and ``i18n update`` (each language's file).

The template ``bot/core/locales/messages.pot`` holds every Dutch text a person can read, each
keyed by its context (see ``bot.core.catalog``). ``update`` merges it into every
``locales/<code>.po``: new texts come in empty, changed ones fuzzy, so a translator (Poedit,
Weblate, any gettext tool) sees what is left. A new language: ``i18n update --new tr``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from bot.core import messages, questionnaires
from bot.core.catalog import message_entries, questionnaire_entries
from bot.core.language import LOCALES, SOURCE
from bot.core.vraagjes import VRAAGJE_CONTEXT, cards

TEMPLATE = LOCALES / "messages.pot"
i18n_app = typer.Typer(help="Message catalogs of the languages besides Dutch.",
                       no_args_is_help=True)


def source_entries() -> Iterator[tuple[str, str]]:
    """Every (context, Dutch text) a person can read, in a stable order."""
    for name in sorted(messages.TRANSLATED):
        yield from message_entries(name, messages.SOURCE_TEXTS[name])
    for questionnaire in (questionnaires.door(), questionnaires.signal(),
                          *questionnaires.others()):
        yield from questionnaire_entries(questionnaire)
    for card in cards():
        yield VRAAGJE_CONTEXT, card


def template() -> Catalog:
    """The template of every catalog: the Dutch texts, untranslated."""
    catalog = Catalog(locale=SOURCE, project="Signaalbot", fuzzy=False)
    for context, text in source_entries():
        catalog.add(text, context=context)
    return catalog


def _write(catalog: Catalog, path: Path) -> None:
    with path.open("wb") as file:
        write_po(file, catalog, width=100, sort_output=False, ignore_obsolete=True)


@i18n_app.command("extract")
def extract() -> None:
    """Write the template, ``bot/core/locales/messages.pot``."""
    _write(template(), TEMPLATE)
    typer.echo(f"{TEMPLATE}: {len(template())} texts")


@i18n_app.command("update")
def update(new: Annotated[str | None, typer.Option(
        help="Start a catalog for this language code (e.g. tr, ar, pl).")] = None) -> None:
    """Merge the template into each language's catalog (and start a new one)."""
    fresh = template()
    if new:
        path = LOCALES / f"{new}.po"
        if path.exists():
            raise typer.BadParameter(f"{path} exists already")
        _write(Catalog(locale=new, project="Signaalbot"), path)
    for path in sorted(LOCALES.glob("*.po")):
        with path.open("rb") as file:
            catalog = read_po(file)
        catalog.update(fresh, no_fuzzy_matching=False)
        _write(catalog, path)
        left = sum(1 for message in catalog if message.id and (not message.string
                                                                 or message.fuzzy))
        typer.echo(f"{path.name}: {left} of {len(catalog)} texts to translate")
