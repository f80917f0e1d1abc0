"""The Bot API transport (AiohttpRequest vs HTTPXRequest) and per-chat ordered processing."""

from __future__ import annotations

import asyncio
import inspect
import io
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    MessageHandler,
    SimpleUpdateProcessor,
    TypeHandler,
    filters,
)
from telegram.request import HTTPXRequest

from bot.runtime import new_event_loop
from handlers.telegram.app import build_application
from handlers.telegram.request import AiohttpRequest, api_request, get_updates_request
from handlers.telegram.update_processor import ChatOrderedUpdateProcessor, update_processor
from tests.conftest import make_settings
from tests.harness import BotRunner, Person, file_signal
from tests.standin import BotApiStandIn, Upload

BACKENDS = ["aiohttp", "httpx"]


@pytest.fixture(params=BACKENDS)
async def bot(request: pytest.FixtureRequest, api: BotApiStandIn) -> AsyncIterator[Bot]:
    """A plain PTB Bot talking to the stand-in through one backend, with a small pool."""
    api.user(42, first_name="Anna")
    async with Bot(api.token, base_url=api.base_url,
                   request=api_request(request.param, connection_pool_size=2),
                   get_updates_request=get_updates_request(request.param)) as bot:
        yield bot


async def test_the_bot_and_its_tests_run_on_uvloop() -> None:
    import uvloop

    loop = new_event_loop()
    loop.close()
    assert isinstance(loop, uvloop.Loop)
    assert isinstance(asyncio.get_running_loop(), uvloop.Loop)


def test_backends_are_the_configured_classes() -> None:
    assert isinstance(api_request("aiohttp", connection_pool_size=8), AiohttpRequest)
    assert isinstance(api_request("httpx", connection_pool_size=8), HTTPXRequest)
    assert get_updates_request("aiohttp").read_timeout == 10.0


async def test_send_and_edit(api: BotApiStandIn, bot: Bot) -> None:
    sent = await bot.send_message(42, "<b>Hallo</b> &amp; welkom", parse_mode="HTML")
    assert sent.text == "Hallo & welkom" and sent.chat.id == 42
    edited = await bot.edit_message_text("Tot ziens", chat_id=42, message_id=sent.message_id)
    assert isinstance(edited, type(sent)) and edited.text == "Tot ziens"
    assert [call.method for call in api.calls[-2:]] == ["sendMessage", "editMessageText"]
    assert api.calls[-1].params["message_id"] == sent.message_id  # form values decoded as sent


async def test_errors_map_to_ptb_exceptions(api: BotApiStandIn, bot: Bot) -> None:
    with pytest.raises(BadRequest, match="(?i)chat not found"):
        await bot.send_message(999, "niemand")
    api.block_chat(42)
    with pytest.raises(Forbidden, match="blocked by the user"):
        await bot.send_message(42, "hallo")
    api.unblock_chat(42)
    api.fail_next("sendMessage", 429, retry_after=7)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(42, "hallo")
    assert caught.value.retry_after == timedelta(seconds=7)
    assert (await bot.send_message(42, "weer goed")).text == "weer goed"


async def test_multipart_uploads(api: BotApiStandIn, bot: Bot) -> None:
    photo = await bot.send_photo(42, b"\x89PNG" + bytes(3000), caption="<i>foto</i>",
                                 parse_mode="HTML", filename="foto.png")
    assert photo.caption == "foto"
    document = await bot.send_document(42, io.BytesIO(b"%PDF" + bytes(70_000)),
                                       filename="verslag é.pdf", caption="verslag")
    assert document.document is not None and document.document.file_name == "verslag é.pdf"
    photo_call, document_call = api.calls_of("sendPhoto")[-1], api.calls_of("sendDocument")[-1]
    assert photo_call.params["photo"] == Upload("foto.png", "image/png", 3004)
    assert document_call.params["document"] == Upload("verslag é.pdf", "application/pdf", 70_004)
    assert document_call.params["chat_id"] == 42 and document_call.params["caption"] == "verslag"


async def test_read_timeout_is_timed_out(api: BotApiStandIn, bot: Bot) -> None:
    api.set_latency(0.2)
    with pytest.raises(TimedOut):
        await bot.send_message(42, "te laat", read_timeout=0.05)


async def test_pool_timeout_is_timed_out(api: BotApiStandIn, bot: Bot) -> None:
    api.set_latency(0.2)
    busy = [asyncio.create_task(bot.send_message(42, f"bezet {n}")) for n in range(2)]
    await asyncio.sleep(0.05)
    with pytest.raises(TimedOut, match="Pool timeout"):
        await bot.send_message(42, "geen plek", pool_timeout=0.05)
    await asyncio.gather(*busy)


@pytest.mark.parametrize("backend", BACKENDS)
async def test_connection_refused_is_network_error(api: BotApiStandIn, backend: Any) -> None:
    base_url = api.base_url
    await api.stop()  # nothing listens there any more
    async with api_request(backend, connection_pool_size=1) as request, \
            get_updates_request(backend) as updates:
        bot = Bot(api.token, base_url=base_url, request=request, get_updates_request=updates)
        with pytest.raises(NetworkError) as caught:
            await bot.initialize()
    assert not isinstance(caught.value, TimedOut)


def test_settings_choose_backend_and_processor(tmp_path: Any) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}"
    token = {"token": "123456:TEST-TOKEN"}
    default = build_application(make_settings(url, telegram=token))
    assert isinstance(default.bot.request, AiohttpRequest)
    assert isinstance(default.update_processor, ChatOrderedUpdateProcessor)
    assert default.update_processor.max_concurrent_updates == 64
    stock = build_application(make_settings(
        url, telegram={**token, "http_backend": "httpx", "concurrent_updates": 0}))
    assert isinstance(stock.bot.request, HTTPXRequest)
    assert type(stock.update_processor) is SimpleUpdateProcessor
    assert stock.update_processor.max_concurrent_updates == 1
    assert update_processor(1).max_concurrent_updates == 1


# --- per-chat ordered processing -----------------------------------------------------------


class Recorder:
    """Handlers that log when each update starts and ends; "traag" (slow) takes a while."""

    def __init__(self) -> None:
        self.events: list[tuple[str, int, str]] = []  # (start|end, chat, label)
        self.done: dict[int, float] = {}
        self._changed = asyncio.Condition()

    async def on_update(self, update: Update, _context: object) -> None:
        assert update.effective_chat is not None
        label = (update.message.text if update.message else
                 f"knop:{update.callback_query.data}" if update.callback_query else "?")
        chat = update.effective_chat.id
        self.events.append(("start", chat, label or "?"))
        await asyncio.sleep(0.4 if label == "traag" else 0.01)
        self.events.append(("end", chat, label or "?"))

    async def mark_done(self, update: Update, _context: object) -> None:
        async with self._changed:
            self.done[update.update_id] = time.monotonic()
            self._changed.notify_all()

    async def wait(self, count: int) -> None:
        """Wait until ``count`` updates went through every handler group."""
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(lambda: len(self.done) == count), 3)

    def order(self, chat: int) -> list[tuple[str, str]]:
        return [(kind, label) for kind, who, label in self.events if who == chat]


@pytest.fixture
async def ordered_app(api: BotApiStandIn) -> AsyncIterator[tuple[Application[Any, Any, Any, Any,
                                                                           Any, Any], Recorder]]:
    """A bare PTB Application with the ordered processor, polling the stand-in."""
    recorder = Recorder()
    app = (ApplicationBuilder().token(api.token).base_url(api.base_url)
           .request(AiohttpRequest(connection_pool_size=8))
           .get_updates_request(get_updates_request("aiohttp"))
           .concurrent_updates(ChatOrderedUpdateProcessor(4)).build())
    app.add_handler(MessageHandler(filters.TEXT, recorder.on_update))
    app.add_handler(CallbackQueryHandler(recorder.on_update))
    app.add_handler(TypeHandler(Update, recorder.mark_done), group=99)
    await app.initialize()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0.0, timeout=timedelta(seconds=1))
    await app.start()
    yield app, recorder
    await app.updater.stop()
    await app.stop()
    await app.shutdown()


async def test_one_chat_in_order_while_other_chats_go_on(
        api: BotApiStandIn, ordered_app: tuple[Any, Recorder]) -> None:
    app, recorder = ordered_app
    for user in (1, 2, 3):
        api.user(user)
    menu = await app.bot.send_message(1, "Kies", reply_markup=InlineKeyboardMarkup(
        [[InlineKeyboardButton("Knop", callback_data="k")]]))
    first = api.send_text(1, "traag")  # chat 1 starts with a slow update...
    quick = [api.send_text(1, "a"), api.send_text(2, "x"), api.press(1, menu.message_id, "k"),
             api.send_text(3, "y"), api.send_text(1, "b"), api.send_text(2, "z")]
    await recorder.wait(7)

    expected = ["traag", "a", "knop:k", "b"]
    assert recorder.order(1) == [(kind, label) for label in expected
                                 for kind in ("start", "end")]
    assert recorder.order(2) == [("start", "x"), ("end", "x"), ("start", "z"), ("end", "z")]
    # ...while chats 2 and 3 were served meanwhile, long before the slow update was done.
    slow_done = recorder.done[first["update_id"]]
    others = [u for u in quick if u.get("message", {}).get("chat", {}).get("id") in (2, 3)]
    assert len(others) == 3
    assert all(recorder.done[u["update_id"]] < slow_done - 0.2 for u in others)
    assert app.update_processor.busy_chats == 0  # nothing kept per chat once idle


async def test_order_holds_when_all_slots_are_taken(
        api: BotApiStandIn, ordered_app: tuple[Any, Recorder]) -> None:
    app, recorder = ordered_app  # 4 slots, 6 chats, 5 updates each, pushed interleaved
    for user in range(10, 16):
        api.user(user)
    for n in range(5):
        for user in range(10, 16):
            api.send_text(user, f"{user}-{n}")
    await recorder.wait(30)
    for user in range(10, 16):
        labels = [label for kind, label in recorder.order(user) if kind == "end"]
        assert labels == [f"{user}-{n}" for n in range(5)]
    assert app.update_processor.busy_chats == 0


async def test_cancelled_chat_closes_its_queued_updates() -> None:
    processor = ChatOrderedUpdateProcessor(4)
    update = Update.de_json({"update_id": 1, "message": {
        "message_id": 1, "date": 0, "chat": {"id": 5, "type": "private"}, "text": "hoi"}}, None)

    async def work(seconds: float) -> None:
        await asyncio.sleep(seconds)

    worker = asyncio.create_task(processor.process_update(update, work(10)))
    await asyncio.sleep(0)
    queued = work(0)
    await processor.process_update(update, queued)  # returns at once: queued behind the first
    assert processor.busy_chats == 1
    worker.cancel()
    with pytest.raises(asyncio.CancelledError):
        await worker
    assert inspect.getcoroutinestate(queued) == inspect.CORO_CLOSED
    assert processor.busy_chats == 0


async def test_two_signalers_file_at_the_same_time(api: BotApiStandIn, runner: BotRunner) -> None:
    kim, ali = Person(runner, 601, "Kim"), Person(runner, 602, "Ali")
    await asyncio.gather(file_signal(kim), file_signal(ali, contact=False))
    for person in (kim, ali):
        assert "SP-20" in person.thanks()


async def test_a_failed_update_is_logged_without_the_chat_it_came_from(
        caplog: pytest.LogCaptureFixture, no_error_logs: Any) -> None:
    processor = ChatOrderedUpdateProcessor(4)
    update = Update.de_json({"update_id": 1, "message": {
        "message_id": 1, "date": 0, "chat": {"id": 987654321, "type": "private"},
        "text": "hoi"}}, None)

    async def fails() -> None:
        raise RuntimeError("boom")

    await processor.process_update(update, fails())
    assert [r.getMessage() for r in caplog.records] == ["processing an update failed"]
    assert "987654321" not in caplog.text
    no_error_logs.records.clear()  # the one ERROR this test expects
