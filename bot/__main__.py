"""``python -m bot``: the same as the ``signaalbot`` command."""

from bot.cli.main import app

app(prog_name="signaalbot")
