"""A whole signal walked through the intake service, as the console channel does."""

from __future__ import annotations

from bot.core.inputs import Choose, Done, Input, Skip, Text, Toggle
from bot.core.intake import ConversationKey
from bot.services import Services


def signal_steps(postcode: str = "6412") -> list[Input]:
    """A whole signal after ``/start``, up to and including "Versturen"."""
    return [Choose("danger", "nee"), Choose("role", "buurt"), Text(postcode), Text("1"),
            Toggle("signs", "post", True), Done("signs"), Choose("since", "kort"),
            Choose("frequency", "eenmalig"), Toggle("actions", "niets", True), Done("actions"),
            Skip("description"), Choose("person_knows", "ja"), Choose("contact_ok", "nee"),
            Choose("summary", "send")]


async def file_signal(services: Services, user: str, postcode: str = "6412", *,
                      channel: str = "console") -> str:
    """Walk a whole signal through the intake service; returns the confirmation text."""
    key = ConversationKey(channel, user)
    token = (await services.intake.start(key)).draft.token
    for given in signal_steps(postcode):
        result = await services.intake.handle(
            key, given, token=None if isinstance(given, Text) else token)
    assert result.status.value == "submit", result
    return result.notice or ""
