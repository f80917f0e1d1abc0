"""The signal questionnaire, declared as data in one place.

Questions are asked in order; a question is asked while it is *applicable* (its ``when``
condition holds) and unanswered. Editing a summary group re-asks that group's questions.
Texts are Dutch and HTML-safe (Telegram's HTML subset); user input never appears here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

QUESTIONNAIRE_ID = "signaal-v1"


class Kind(StrEnum):
    """How a question is answered."""

    CHOICE = "choice"  # one button
    MULTI = "multi"  # toggle buttons, then "Klaar"
    TEXT = "text"  # typed text, length-limited
    POSTCODE = "postcode"  # typed postcode, routed to a gemeente
    HOUSE_NUMBER = "house_number"  # typed number with optional addition
    PHONE = "phone"  # shared contact or typed phone number
    SUMMARY = "summary"  # send / change / cancel


@dataclass(frozen=True)
class Option:
    """One answer button. ``ends`` stops the conversation; ``exclusive`` clears other ticks."""

    value: str
    label: str
    exclusive: bool = False
    ends: bool = False


@dataclass(frozen=True)
class Equals:
    """Holds when the answer to ``question`` is one of ``values``."""

    question: str
    values: tuple[str, ...]

    def holds(self, answers: Mapping[str, Any]) -> bool:
        """Whether the condition holds for these answers."""
        return answers.get(self.question) in self.values


@dataclass(frozen=True)
class Absent:
    """Holds when there is no answer (or prefilled value) for ``question``."""

    question: str

    def holds(self, answers: Mapping[str, Any]) -> bool:
        """Whether the condition holds for these answers."""
        return self.question not in answers


@dataclass(frozen=True)
class AnyOf:
    """Holds when one of its conditions holds."""

    conditions: tuple[Equals | Absent, ...]

    def holds(self, answers: Mapping[str, Any]) -> bool:
        """Whether the condition holds for these answers."""
        return any(condition.holds(answers) for condition in self.conditions)


Condition = Equals | Absent | AnyOf


@dataclass(frozen=True)
class Question:
    """One step of the conversation.

    ``summary`` is the label in the summary and alert (empty: not shown); ``group`` is the
    "Wijzigen" group; ``personal`` marks answers about a person (never logged, erased on purge).
    """

    id: str
    kind: Kind
    text: str
    options: tuple[Option, ...] = ()
    when: Condition | None = None
    optional: bool = False
    max_chars: int = 0
    summary: str = ""
    group: str = ""
    personal: bool = False

    def applies(self, answers: Mapping[str, Any]) -> bool:
        """Whether this question is asked, given the answers so far."""
        return self.when is None or self.when.holds(answers)

    def option(self, value: str) -> Option | None:
        """The option with this value, if any."""
        return next((option for option in self.options if option.value == value), None)

    def label(self, value: str) -> str:
        """The label of an option value (the value itself when unknown)."""
        option = self.option(value)
        return option.label if option else value


@dataclass(frozen=True)
class Questionnaire:
    """An ordered set of questions plus the summary's edit groups."""

    id: str
    questions: tuple[Question, ...]
    groups: tuple[tuple[str, str], ...] = field(default=())

    def __post_init__(self) -> None:
        ids = [question.id for question in self.questions]
        if len(ids) != len(set(ids)):
            raise ValueError("question ids must be unique")
        group_ids = {group for group, _ in self.groups}
        for question in self.questions:
            if question.group and question.group not in group_ids:
                raise ValueError(f"{question.id}: unknown group {question.group}")

    def get(self, question_id: str) -> Question | None:
        """The question with this id, if any."""
        return next((q for q in self.questions if q.id == question_id), None)

    def in_group(self, group: str) -> tuple[Question, ...]:
        """The questions of one edit group, in order."""
        return tuple(question for question in self.questions if question.group == group)


ROLES = (
    Option("kapper", "Kapper / salon"),
    Option("bezorger", "Pakket- of postbezorger"),
    Option("financieel", "Financieel adviseur / bank"),
    Option("winkel", "Supermarkt / winkel"),
    Option("horeca", "Horeca"),
    Option("sport", "Sportschool / sportclub"),
    Option("zorg", "Zorg / welzijn"),
    Option("buurt", "Buurtgenoot"),
    Option("anders", "Anders"),
)

SIGNS = (
    Option("gordijnen", "Gordijnen steeds dicht"),
    Option("post", "Post stapelt zich op"),
    Option("onverzorgd", "Overdag in pyjama / onverzorgd"),
    Option("praatje", "Komt vaak en lang langs / zoekt steeds een praatje"),
    Option("zelfzorg", "Vermagert / zorgt slecht voor zichzelf"),
    Option("eenzaam", "Zegt zich eenzaam te voelen"),
    Option("bezoek", "Weinig of geen bezoek"),
    Option("verlies", "Recent verlies (partner, verhuizing, baan)"),
    Option("anders", "Iets anders"),
)

YES_NO = (Option("ja", "Ja"), Option("nee", "Nee"))


def build_questionnaire(*, description_max_chars: int = 1000) -> Questionnaire:
    """The signal questionnaire (``signaal-v1``), with the configured text limit."""
    return Questionnaire(
        id=QUESTIONNAIRE_ID,
        groups=(
            ("rol", "Wie u bent"),
            ("adres", "Adres"),
            ("signalen", "Wat u opviel"),
            ("duur", "Sinds wanneer en hoe vaak"),
            ("gedaan", "Wat u al deed"),
            ("beschrijving", "Beschrijving"),
            ("weet", "Weet de persoon het"),
            ("contact", "Contact met u"),
        ),
        questions=(
            Question(
                "danger",
                Kind.CHOICE,
                "<b>Is er nu direct gevaar</b> voor de persoon of voor anderen?",
                (Option("ja", "Ja, er is nu gevaar"), Option("nee", "Nee")),
            ),
            Question(
                "acute",
                Kind.CHOICE,
                "<b>Bel nu 112.</b> Dit meldpunt is geen hulpdienst.\n\n"
                "Denkt iemand aan zelfdoding? Bel <b>113</b> of gratis <b>0800-0113</b>.\n"
                "Zorgen over verward gedrag, maar geen direct gevaar? Bel <b>0800-1205</b>.\n"
                "Huiselijk geweld of kindermishandeling? Bel Veilig Thuis <b>0800-2000</b>.\n\n"
                "Wilt u daarna ook een gewoon signaal doorgeven?",
                (
                    Option("verder", "Ja, gewoon signaal doorgeven"),
                    Option("stop", "Nee, stoppen", ends=True),
                ),
                when=Equals("danger", ("ja",)),
            ),
            Question(
                "role_confirm",
                Kind.CHOICE,
                "Vorige keer meldde u als <b>{remembered_role}</b>. Klopt dat nog?",
                (Option("ja", "Ja, klopt"), Option("nee", "Nee, iets anders")),
                when=Equals("remembered_role", tuple(option.value for option in ROLES)),
                group="rol",
            ),
            Question(
                "role",
                Kind.CHOICE,
                "<b>Wie bent u?</b> Kies wat het best past.",
                ROLES,
                when=AnyOf((Absent("remembered_role"), Equals("role_confirm", ("nee",)))),
                summary="Melder",
                group="rol",
            ),
            Question(
                "postcode",
                Kind.POSTCODE,
                "<b>Wat is de postcode</b> van de persoon over wie u zich zorgen maakt?\n"
                "Bijvoorbeeld <code>4531 AB</code>. Weet u alleen de cijfers? Dan is "
                "<code>4531</code> ook goed.",
                summary="Postcode",
                group="adres",
                personal=True,
            ),
            Question(
                "house_number",
                Kind.HOUSE_NUMBER,
                "<b>Welk huisnummer?</b> Met toevoeging als die er is, bijvoorbeeld "
                "<code>12</code> of <code>12 A</code>.",
                summary="Huisnummer",
                group="adres",
                personal=True,
            ),
            Question(
                "signs",
                Kind.MULTI,
                "<b>Wat is u opgevallen?</b> Tik alles aan wat past en kies dan <b>Klaar</b>.",
                SIGNS,
                summary="Signalen",
                group="signalen",
            ),
            Question(
                "since",
                Kind.CHOICE,
                "<b>Sinds wanneer</b> ziet u dit?",
                (
                    Option("kort", "Minder dan een maand"),
                    Option("maanden", "1 tot 6 maanden"),
                    Option("lang", "Langer dan een half jaar"),
                    Option("onbekend", "Weet ik niet"),
                ),
                summary="Sinds",
                group="duur",
            ),
            Question(
                "frequency",
                Kind.CHOICE,
                "<b>Hoe vaak</b> ziet of spreekt u de persoon?",
                (
                    Option("dagelijks", "(Bijna) elke dag"),
                    Option("wekelijks", "Elke week"),
                    Option("maandelijks", "Elke maand of minder"),
                    Option("eenmalig", "Eén keer"),
                ),
                summary="Hoe vaak",
                group="duur",
            ),
            Question(
                "actions",
                Kind.MULTI,
                "<b>Wat heeft u al gedaan?</b> Tik aan wat past en kies dan <b>Klaar</b>.",
                (
                    Option("aangesproken", "De persoon aangesproken"),
                    Option("aangebeld", "Aangebeld"),
                    Option("omgeving", "Buren of familie ingelicht"),
                    Option("hulp", "Huisarts, wijkteam of politie gebeld"),
                    Option("niets", "Nog niets", exclusive=True),
                ),
                summary="Al gedaan",
                group="gedaan",
            ),
            Question(
                "description",
                Kind.TEXT,
                "<b>Wilt u iets meer vertellen?</b> Typ het in uw eigen woorden "
                f"(hoogstens {description_max_chars} tekens), of kies <b>Overslaan</b>.",
                optional=True,
                max_chars=description_max_chars,
                summary="Beschrijving",
                group="beschrijving",
                personal=True,
            ),
            Question(
                "person_knows",
                Kind.CHOICE,
                "<b>Weet de persoon</b> dat u dit signaal doorgeeft?",
                (
                    Option("ja", "Ja"),
                    Option("nee", "Nee"),
                    Option("onbekend", "Weet ik niet"),
                ),
                summary="Persoon weet ervan",
                group="weet",
            ),
            Question(
                "contact_ok",
                Kind.CHOICE,
                "<b>Mag het Signaalpunt contact met u opnemen</b> als er vragen zijn?\n"
                "Kiest u nee, dan blijft u anoniem voor het team. U hoort via deze chat "
                "wel dat uw signaal is opgepakt.",
                (Option("ja", "Ja, dat mag"), Option("nee", "Nee, ik blijf anoniem")),
                summary="Contact mag",
                group="contact",
            ),
            Question(
                "contact_name",
                Kind.TEXT,
                "<b>Wat is uw naam?</b>",
                when=Equals("contact_ok", ("ja",)),
                max_chars=80,
                summary="Naam melder",
                group="contact",
                personal=True,
            ),
            Question(
                "contact_phone",
                Kind.PHONE,
                "<b>Op welk telefoonnummer</b> kunnen we u bereiken?",  # + the engine's hint
                when=Equals("contact_ok", ("ja",)),
                summary="Telefoon melder",
                group="contact",
                personal=True,
            ),
            Question(
                "summary",
                Kind.SUMMARY,
                "<b>Klopt dit?</b>",
                (
                    Option("send", "✅ Versturen"),
                    Option("edit", "✏️ Wijzigen"),
                    Option("cancel", "Annuleren", ends=True),
                ),
            ),
        ),
    )
