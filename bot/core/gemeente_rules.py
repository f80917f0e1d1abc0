"""What a gemeente's own settings may hold: the bounds of its numbers, the rules of its texts.

One definition for the config (``bot.settings``) and for what admins change in chat or on
the command line (``bot.core.admin``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from string import Formatter

# Bounds (inclusive) of the gemeente settings that `signaalbot gemeente set` changes too; the
# one definition for the config (bot.settings.GemeenteSettings) and bot.core.admin.
# NaN and infinity are outside every range: timedelta(days=inf) raises, so a single
# `retention_days = inf` once stopped the retention purge for all gemeenten.
GEMEENTE_BOUNDS: dict[str, tuple[float, float]] = {
    "escalation_hours": (1, 720),  # an hour .. 30 days (plain hours)
    "silent_days": (1, 365),
    "retention_days": (1, 3650),  # a day .. 10 years
}


def out_of_range(value: float, low: float, high: float) -> str | None:
    """Why ``value`` is not allowed (None: it is); NaN and infinity never are."""
    if low <= value <= high:  # False for NaN; infinity is above any high
        return None
    return f"must be a number from {show_number(low)} to {show_number(high)}"


def show_number(value: float) -> str:
    """A number as people write it: ``60``, not ``60.0``; ``0.5``."""
    return f"{value:.15g}"


def show_value(value: object) -> str:
    """A setting's value as the config writes it: ``60``, ``0.5``, ``true``, ``"text"``, ``[1]``."""
    if value is None:
        return "(not set)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return show_number(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(map(show_value, value)) + "]"
    return json.dumps(value, ensure_ascii=False)


# -- gemeente texts: plain text with {reference} and {gemeente}, nothing else

PLACEHOLDERS = ("reference", "gemeente")
_TEXT_TOKEN = re.compile(r"\{\{|\}\}|\{(" + "|".join(PLACEHOLDERS) + r")\}")
_TEXT_RULE = ("only {reference} and {gemeente} as they are (no format spec, conversion, "
              "index or attribute) and {{ or }} for a literal brace")


def text_problem(text: str) -> str | None:
    """Why a gemeente text is not allowed (None: it is): see ``_TEXT_RULE``."""
    try:
        pieces = list(Formatter().parse(text))
    except ValueError as error:
        return f"{error}; a text may use {_TEXT_RULE}"
    for _literal, field, spec, conversion in pieces:
        if field is None:
            continue
        if field not in PLACEHOLDERS or spec or conversion is not None:
            shown = "{" + field + (f"!{conversion}" if conversion else "") + (
                f":{spec}" if spec else "") + "}"
            return f"{shown} is not allowed; a text may use {_TEXT_RULE}"
    # Formatter also passes an empty spec ("{reference:}"); fill_text would not fill it in.
    if re.search(r"[{}]", _TEXT_TOKEN.sub("", text)):
        return f"a text may use {_TEXT_RULE}"
    return None


def fill_text(template: str, values: Mapping[str, str], escape: Callable[[str], str]) -> str:
    """Fill in ``{reference}`` and ``{gemeente}``; ``{{``/``}}`` become braces.

    Never a format spec, conversion or attribute: anything else, even in a text stored before
    texts were checked, stays as it is written, through ``escape`` like all literal text. A
    placeholder without a value stays too.
    """
    parts: list[str] = []
    position = 0
    for match in _TEXT_TOKEN.finditer(template):
        parts.append(escape(template[position:match.start()]))
        name = match.group(1)
        if name is None:
            parts.append(match.group()[0])
        elif name in values:
            parts.append(values[name])
        else:
            parts.append(escape(match.group()))
        position = match.end()
    parts.append(escape(template[position:]))
    return "".join(parts)
