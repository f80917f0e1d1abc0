"""A gemeente's news: ``news send`` (``--dry-run`` only shows it), from the command line.

The text is shown as subscribers on Telegram will see it; without ``--dry-run`` it is queued
for every subscriber, and the running bot delivers it (after its conversations and alerts).
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.cli.admin import as_seen
from bot.cli.common import ConfigOption, fail, on_database, settings_or_exit, uow_for
from bot.core import messages
from bot.core.news import NewsError, NewsService, Preview

news_app = typer.Typer(help="News from a gemeente's Signaalpunt to those who opted in.",
                       no_args_is_help=True)


@news_app.command("send")
def news_send(
        gemeente: Annotated[str, typer.Option("--gemeente", "-g", help="CBS code, e.g. GM0534.")],
        text: Annotated[str, typer.Option("--text", help="the news, plain text")],
        dry_run: Annotated[bool, typer.Option(
            "--dry-run", help="show the message and the number of subscribers only")] = False,
        config: ConfigOption = None) -> None:
    """Send a short news text to everyone who opted in to the gemeente's news."""
    settings = settings_or_exit(config)

    async def _run(engine: AsyncEngine) -> tuple[Preview, int | None]:
        news = NewsService(lambda: uow_for(engine, settings), on_commit=lambda: None)
        preview = await news.preview(gemeente.upper(), text)
        return preview, None if dry_run else await news.send(gemeente.upper(), text)

    try:
        preview, sent = on_database(settings, _run, encrypted=True)
    except NewsError as error:
        raise fail(str(error), 1) from None
    typer.echo(as_seen(preview.text, terminal=sys.stdout.isatty()))
    typer.echo(f"[{messages.NEWS_BTN_LEAVE}]")
    if sent is None:
        typer.echo(f"dry run: would go to {preview.subscribers} subscriber(s)")
    else:
        typer.echo(f"queued for {sent} subscriber(s)")
