"""Typed answers as people write them: Dutch postcodes, house numbers, phone numbers."""

from __future__ import annotations

import re

_POSTCODE = re.compile(r"^\s*([1-9]\d{3})\s*([A-Za-z]{2})?\s*$")
_HOUSE_NUMBER = re.compile(r"^\s*(\d{1,5})\s*(?:[-/ ]\s*)?([A-Za-z0-9]{1,4})?\s*$")
_PHONE_CHARS = re.compile(r"[\s\-().]")


def parse_postcode(text: str) -> tuple[str, int] | None:
    """``"4531 ab"`` -> ``("4531 AB", 4531)``; ``"4531"`` -> ``("4531", 4531)``; else None."""
    match = _POSTCODE.match(text)
    if not match:
        return None
    digits, letters = match.group(1), (match.group(2) or "").upper()
    if letters in {"SA", "SD", "SS"}:  # never issued in the Netherlands
        return None
    return (f"{digits} {letters}" if letters else digits), int(digits)


def parse_house_number(text: str) -> str | None:
    """``"12a"`` -> ``"12 A"``, ``"12-2"`` -> ``"12 2"``; None when it is no house number."""
    match = _HOUSE_NUMBER.match(text)
    if not match or int(match.group(1)) == 0:
        return None
    number, addition = match.group(1), (match.group(2) or "").upper()
    return f"{int(number)} {addition}".strip()


def parse_phone(text: str) -> str | None:
    """A Dutch or international phone number, normalised; None when it is not one."""
    compact = _PHONE_CHARS.sub("", text.strip())
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    if re.fullmatch(r"0\d{9}", compact):
        return compact
    if re.fullmatch(r"\+\d{8,15}", compact):
        return compact
    return None
