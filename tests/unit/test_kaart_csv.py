"""A sociale kaart from CSV: Dutch Excel's files read, every problem named by line and column."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.kaart_csv import PROBLEMS_SHOWN, CsvProblems, check, parse, parse_text
from bot.core.sociale_kaart import TAGS, Activity

EXCEL = (
    "\ufeffnaam;wat;pc4;plaats;wanneer;contact;tags;\r\n"
    "Koffie-ochtend;Koffie en een praatje;2181;Dorpshuis;dinsdag 10-12 uur;0252-123456;"
    "koffie, praatje;\r\n"
    "\"Zangkoor; De Lijster\";\"Zingen, samen\";;;woensdag 19 uur;www.delijster.nl;muziek;\r\n"
    ";;;;;;;\r\n"
)


def problems(text: str) -> list[str]:
    with pytest.raises(CsvProblems) as raised:
        parse(text.encode())
    return raised.value.problems


def test_a_file_from_dutch_excel_is_read() -> None:
    assert parse(EXCEL.encode("utf-8")) == [
        Activity("Koffie-ochtend", "Koffie en een praatje", 2181, "Dorpshuis",
                 "dinsdag 10-12 uur", "0252-123456", frozenset({"koffie", "praatje"})),
        Activity("Zangkoor; De Lijster", "Zingen, samen", None, "", "woensdag 19 uur",
                 "www.delijster.nl", frozenset({"muziek"}))]


def test_commas_between_cells_and_columns_in_any_order() -> None:
    text = 'tags,naam,wat\n"muziek;bewegen",Dansen,Dansen op muziek\n'
    assert parse_text(text) == [Activity("Dansen", "Dansen op muziek",
                                         tags=frozenset({"muziek", "bewegen"}))]
    # Tags typed apart in the last column are its cells, even between cells
    for text in ("naam;wat;tags\nDansen;Dansen op muziek;muziek;bewegen\n",
                 "naam;wat;tags;;\nDansen;Dansen op muziek;muziek;bewegen;\n"):
        assert parse_text(text) == [
            Activity("Dansen", "Dansen op muziek", tags=frozenset({"muziek", "bewegen"}))]


def test_every_problem_is_named_by_its_line_and_column() -> None:
    text = ("naam;wat;pc4;tags\n"
            "Koffie;Koffie drinken;0999;koffie\n"
            ";Zonder naam;2181;koffie\n"
            "Koor;Zingen;2181;musiek\n"
            "Koor;Zingen;2181;muziek\n"
            "\n"
            "KOFFIE;Nog eens;2181;koffie\n"
            f"Lang;{'x' * 301};2181;koffie\n"
            "Leeg;Geen tags;;\n")
    assert problems(text) == [
        'regel 2: kolom pc4: "0999" is geen postcodegebied: vier cijfers van 1000 tot en met '
        "9999, of leeg voor de hele gemeente",
        "regel 3: kolom naam: is leeg; vul deze in",
        'regel 4: kolom tags: onbekende tag "musiek" (bedoelt u "muziek"?); de tags zijn: '
        + ", ".join(TAGS),
        'regel 5: kolom naam: "Koor" staat al op regel 4',
        'regel 7: kolom naam: "KOFFIE" staat al op regel 2',
        "regel 8: kolom wat: te lang: 301 tekens, hoogstens 300",
        "regel 9: kolom tags: geen tags; kies er minstens één uit: " + ", ".join(TAGS),
    ]


def test_the_header_is_checked() -> None:
    assert problems("naam;omschrijving;tags\n") == [
        "regel 1: kolom omschrijving: onbekende kolom; de kolommen zijn: naam, wat, pc4, "
        "plaats, wanneer, contact, tags",
        "regel 1: kolom wat: ontbreekt in de kopregel"]
    assert problems("naam;wat;naam\nA;B;C\n") == [
        "regel 1: kolom naam: staat twee keer in de kopregel"]
    assert problems("naam;wat;tags\n") == ["regel 1: na de kopregel staan geen activiteiten"]
    assert problems("") == problems('"  \n "\n') == [
        "regel 1: het bestand is leeg; de eerste regel noemt de kolommen: naam, wat, pc4, "
        "plaats, wanneer, contact, tags"]
    assert problems("naam;tags;wat\nA;koffie;B;extra\n") == [
        "regel 2: 4 cellen, maar de kopregel noemt 3 kolommen"]


def test_a_file_that_is_no_utf8_names_the_line() -> None:
    with pytest.raises(CsvProblems) as raised:
        parse("naam;wat;tags\nCafé;Koffie;koffie\n".encode("cp1252"))
    assert raised.value.problems == [
        'regel 2: het bestand is geen UTF-8; sla het op als "CSV UTF-8"']


def test_values_in_problems_are_escaped() -> None:
    assert problems("naam;wat;pc4;tags\nA;B;<b>;koffie\n")[0].startswith(
        'regel 2: kolom pc4: "&lt;b&gt;" is geen')


def test_many_problems_are_cut_to_the_first_fifty_and_a_count() -> None:
    text = "naam;wat;tags\n" + "".join(f"A{n};B;onzin\n" for n in range(60))
    with pytest.raises(CsvProblems) as raised:
        parse(text.encode())
    assert len(raised.value.problems) == 60
    lines = str(raised.value).splitlines()
    assert len(lines) == PROBLEMS_SHOWN + 1 and lines[-1] == "en 10 meer"


def test_check_gives_one_activity_or_its_problems_by_column() -> None:
    activity, found = check({"naam": "  Wandelen  in het   park ", "wat": "Samen lopen",
                             "tags": "Bewegen"})
    assert activity == Activity("Wandelen in het park", "Samen lopen",
                                tags=frozenset({"bewegen"})) and found == []
    activity, found = check({"naam": "", "wat": "x", "tags": "koffie"})
    assert activity is None and [column for column, _ in found] == ["naam"]


@given(st.text(max_size=300))
def test_any_text_gives_activities_or_problems(text: str) -> None:
    try:
        found = parse_text(text)
    except CsvProblems as problems:
        assert problems.problems and all(p.startswith("regel ") for p in problems.problems)
    else:
        assert found and all(a.name and a.tags <= set(TAGS) for a in found)
