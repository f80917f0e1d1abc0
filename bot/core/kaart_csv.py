"""Reading a sociale kaart from CSV, all or nothing, each problem as "regel N: kolom X: …".

The first line names the columns (``naam`` and ``wat`` at least; ``pc4``, ``plaats``,
``wanneer``, ``contact``, ``tags`` optional, in any order). UTF-8 with or without BOM; ``;``
(Dutch Excel) or ``,`` between cells, told from the header. Tags in one cell are separated by
``;`` or ``,``. Problems are HTML-safe (values escaped), for the chat and, unescaped, the CLI.
"""

from __future__ import annotations

import csv
import difflib
import html
import io
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

from bot.core import messages
from bot.core.sociale_kaart import (
    CONTACT_MAX,
    NAME_MAX,
    PC4_MAX,
    PC4_MIN,
    PLACE_MAX,
    TAGS,
    WHAT_MAX,
    WHEN_MAX,
    Activity,
)

if TYPE_CHECKING:
    from _csv import Reader

COLUMNS = ("naam", "wat", "pc4", "plaats", "wanneer", "contact", "tags")
REQUIRED = ("naam", "wat")
MAX_LENGTHS = {"naam": NAME_MAX, "wat": WHAT_MAX, "plaats": PLACE_MAX, "wanneer": WHEN_MAX,
               "contact": CONTACT_MAX}
PROBLEMS_SHOWN = 50
MAX_ROWS = 2000
_TAG_SPLIT = re.compile(r"[;,]")
_SPACES = re.compile(r"\s+")


class CsvProblems(ValueError):
    """The file cannot be imported; ``problems`` lists every reason, one line each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(shown(problems)))
        self.problems = problems


def shown(problems: list[str], limit: int = PROBLEMS_SHOWN) -> list[str]:
    """The first ``limit`` problems, and how many more there are."""
    more = len(problems) - limit
    if more <= 0:
        return problems
    return [*problems[:limit], messages.KAART_CSV_MORE.format(count=more)]


def parse(data: bytes) -> list[Activity]:
    """The activities of a CSV file, or ``CsvProblems`` naming every problem in it."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[:error.start].count(b"\n") + 1
        raise CsvProblems([_problem(line, None, messages.KAART_CSV_NOT_UTF8)]) from None
    return parse_text(text)


def parse_text(text: str) -> list[Activity]:
    """``parse`` for text already decoded (typed lines in a chat)."""
    text = text.removeprefix("\ufeff")
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    problems: list[str] = []
    activities: list[Activity] = []
    try:
        header_line, columns = _header(reader, problems)
        if problems:
            raise CsvProblems(problems)
        seen: dict[str, int] = {}
        line, rows = reader.line_num + 1, 0
        for cells in reader:
            start, line = line, reader.line_num + 1
            if not any(cell.strip() for cell in cells):
                continue
            rows += 1
            if rows > MAX_ROWS:
                problems.append(_problem(start, None, messages.KAART_CSV_TOO_MANY.format(
                    max=MAX_ROWS)))
                break
            activity = _row(start, columns, cells, seen, problems)
            if activity is not None:
                activities.append(activity)
    except csv.Error as error:
        problems.append(_problem(reader.line_num, None, messages.KAART_CSV_UNREADABLE.format(
            error=html.escape(str(error)))))
    if not problems and not activities:
        problems.append(_problem(header_line, None, messages.KAART_CSV_NO_ROWS))
    if problems:
        raise CsvProblems(problems)
    return activities


def _header(reader: Reader, problems: list[str]) -> tuple[int, list[str]]:
    """The header's line and its column names (an empty one, Excel's trailing ``;``, is none)."""
    cells = next((cells for cells in reader if any(cell.strip() for cell in cells)), None)
    if cells is None:
        raise CsvProblems([_problem(1, None, messages.KAART_CSV_EMPTY.format(
            columns=", ".join(COLUMNS)))])
    line, columns = reader.line_num, [cell.strip().lower() for cell in cells]
    while not columns[-1]:  # Excel's trailing separators (a named column is there)
        columns.pop()
    for index, column in enumerate(columns):
        if column and column not in COLUMNS:
            problems.append(_problem(line, column, messages.KAART_CSV_COLUMN.format(
                columns=", ".join(COLUMNS))))
        elif column and columns.index(column) != index:
            problems.append(_problem(line, column, messages.KAART_CSV_COLUMN_TWICE))
    problems.extend(_problem(line, column, messages.KAART_CSV_COLUMN_MISSING)
                    for column in REQUIRED if column not in columns)
    return line, columns


def _row(line: int, columns: list[str], cells: list[str], seen: dict[str, int],
         problems: list[str]) -> Activity | None:
    if len(cells) > len(columns) and columns[-1] == "tags":  # tags;typed;apart: all tags
        cells = [*cells[:len(columns) - 1], ";".join(cells[len(columns) - 1:])]
    if len(cells) > len(columns) and any(cell.strip() for cell in cells[len(columns):]):
        problems.append(_problem(line, None, messages.KAART_CSV_EXTRA_CELLS.format(
            cells=len(cells), columns=len(columns))))
        return None
    fields = {column: cell for column, cell in zip(columns, cells, strict=False)}
    activity, found = check(fields)
    name = _clean(fields.get("naam", ""))
    if name.casefold() in seen:  # named by whichever line had it first, with problems or not
        found.append(("naam", messages.KAART_CSV_DUPLICATE.format(
            name=html.escape(name), line=seen[name.casefold()])))
    elif name:
        seen[name.casefold()] = line
    problems.extend(_problem(line, column, problem) for column, problem in found)
    return None if found else activity


def check(fields: Mapping[str, str]) -> tuple[Activity | None, list[tuple[str, str]]]:
    """One activity from its cells by column name, or the problems as (column, problem)."""
    values = {column: _clean(fields.get(column, "")) for column in COLUMNS}
    found = [(column, messages.KAART_CSV_REQUIRED) for column in REQUIRED if not values[column]]
    found += [(column, messages.KAART_CSV_TOO_LONG.format(length=len(values[column]),
                                                          max=most))
              for column, most in MAX_LENGTHS.items() if len(values[column]) > most]
    pc4 = _pc4(values["pc4"], found)
    tags = _tags(values["tags"], found)
    if found:
        return None, found
    return Activity(name=values["naam"], what=values["wat"], pc4=pc4, place=values["plaats"],
                    when=values["wanneer"], contact=values["contact"], tags=tags), []


def _clean(value: str) -> str:
    """A cell's text: spaces (also line breaks) collapsed, none at either end."""
    return _SPACES.sub(" ", value).strip()


def _pc4(value: str, found: list[tuple[str, str]]) -> int | None:
    if not value:
        return None
    if value.isascii() and value.isdigit() and PC4_MIN <= int(value) <= PC4_MAX:
        return int(value)
    found.append(("pc4", messages.KAART_CSV_PC4.format(value=html.escape(value))))
    return None


def _tags(value: str, found: list[tuple[str, str]]) -> frozenset[str]:
    given = [tag.strip().lower() for tag in _TAG_SPLIT.split(value) if tag.strip()]
    known = ", ".join(TAGS)
    if not given:
        found.append(("tags", messages.KAART_CSV_NO_TAGS.format(tags=known)))
    for tag in given:
        if tag not in TAGS:
            close = difflib.get_close_matches(tag, TAGS, n=1)
            hint = messages.KAART_CSV_DID_YOU_MEAN.format(tag=close[0]) if close else ""
            found.append(("tags", messages.KAART_CSV_TAG.format(
                tag=html.escape(tag), hint=hint, tags=known)))
    return frozenset(given)


def _problem(line: int, column: str | None, problem: str) -> str:
    if column is None:
        return messages.KAART_CSV_LINE.format(line=line, problem=problem)
    return messages.KAART_CSV_CELL.format(line=line, column=html.escape(column), problem=problem)
