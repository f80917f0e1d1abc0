"""``signaalbot signal ...``: what the operator does with signal-cli next to the bot.

``challenge`` answers a proof-required rate limit (Signal asks for a captcha before more
messages go out; the bot logs the token); ``aci`` finds the Signal id (ACI) of a staff
member's number for the config (the number itself is never stored).
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

import typer

from bot.cli.common import ConfigOption, fail, settings_or_exit

signal_app = typer.Typer(help="The Signal channel: signal-cli's daemon.", no_args_is_help=True)


def _call(config: ConfigOption, method: str, **params: Any) -> Any:
    from handlers.signal.rpc import RpcError, SignalRpc, Unreachable

    settings = settings_or_exit(config)
    if not settings.signal.account:
        raise fail("config error: signal.account: not set; the Signal channel is off")
    rpc = SignalRpc(str(settings.signal.rpc_url))

    async def _once() -> Any:
        try:
            return await rpc.call(method, **params)
        finally:
            await rpc.close()

    try:
        return asyncio.run(_once())
    except Unreachable as error:
        raise fail(f"signal-cli does not answer at {rpc.rpc_url}: {error}", 1) from None
    except RpcError as error:
        raise fail(f"signal-cli refused: {error}", 1) from None


@signal_app.command()
def challenge(token: Annotated[str, typer.Argument(help="the token the bot logged")],
              captcha: Annotated[str, typer.Argument(
                  help="from https://signalcaptchas.org/challenge/generate.html: the "
                       "'Open Signal' link, signalcaptcha://...")],
              config: ConfigOption = None) -> None:
    """Answer Signal's proof-required challenge, so messages go out again."""
    _call(config, "submitRateLimitChallenge", challenge=token, captcha=captcha)
    typer.echo("challenge accepted: waiting messages go out at their next retry")


@signal_app.command()
def aci(number: Annotated[str, typer.Argument(help="a staff member's number, +31...")],
        config: ConfigOption = None) -> None:
    """The Signal id (ACI) of a number, for a staff entry: channel = "signal", id = ACI."""
    found = _call(config, "getUserStatus", recipient=[number]) or []
    known = [entry.get("uuid") for entry in found if entry.get("isRegistered")]
    if not known or not known[0]:
        raise fail(f"{number} is not on Signal", 1)
    typer.echo(known[0])
