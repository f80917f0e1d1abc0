"""The alert text that staff receive for a new signal."""

from __future__ import annotations

import html
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot import messages
from bot.engine import Engine

LOCAL_TIME = ZoneInfo("Europe/Amsterdam")


def render_alert(
    engine: Engine,
    *,
    reference: str,
    created_at: datetime,
    gemeente_name: str,
    answers: Mapping[str, Any],
) -> str:
    """The alert as HTML-safe text, compact enough to read on a phone."""
    when = created_at.astimezone(LOCAL_TIME).strftime("%d-%m-%Y %H:%M")
    lines = [
        messages.ALERT_TITLE.format(reference=html.escape(reference)),
        messages.ALERT_RECEIVED.format(when=when),
        messages.ALERT_GEMEENTE.format(gemeente=html.escape(gemeente_name)),
        "",
    ]
    lines += [f"<b>{label}:</b> {value}" for label, value in engine.summary_lines(answers)]
    if answers.get("contact_ok") != "ja":
        lines += ["", messages.ALERT_ANONYMOUS]
    return "\n".join(lines)
