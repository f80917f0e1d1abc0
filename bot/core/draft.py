"""A conversation in progress, as the engine reads and writes it (and the database keeps it)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

MENU = "_menu"  # pseudo question id of the "Wijzigen" menu
CONFIRM_CANCEL = "_cancel"  # pseudo question id of "Weet u zeker dat u wilt stoppen?"


@dataclass(frozen=True)
class Draft:
    """A conversation in progress: answers so far, ticks of the open checklist, edit state."""

    token: str
    answers: Mapping[str, Any] = field(default_factory=dict)
    selections: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    editing: str | None = None  # edit group being changed, or MENU
    edited: tuple[str, ...] = ()
    cancelling: bool = False  # asked "Weet u zeker dat u wilt stoppen?"
    flow: str = ""  # the questionnaire a door opened ("": the one the conversation began in)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "token": self.token,
            "answers": dict(self.answers),
            "selections": {key: list(value) for key, value in self.selections.items()},
            "editing": self.editing,
            "edited": list(self.edited),
            "cancelling": self.cancelling,
            **({"flow": self.flow} if self.flow else {}),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Draft:
        """The inverse of ``to_json``."""
        return cls(
            token=data["token"],
            answers=dict(data.get("answers", {})),
            selections={k: tuple(v) for k, v in data.get("selections", {}).items()},
            editing=data.get("editing"),
            edited=tuple(data.get("edited", ())),
            cancelling=bool(data.get("cancelling", False)),
            flow=str(data.get("flow", "")),
        )
