"""What every audience shares: the language of this catalog."""

from __future__ import annotations

__all__ = [
    "LANGUAGE",
]

LANGUAGE = "nl"  # BCP 47, for ``<html lang>``: each catalog gives its own code
