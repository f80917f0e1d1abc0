"""The Bot API stand-in, exercised with the real python-telegram-bot."""

from __future__ import annotations

import asyncio
import datetime as dtm
import time

import aiohttp
import pytest
import pytest_asyncio
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    MessageEntity,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
)
from telegram.ext import (
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from tests.standin import BotApiStandIn, Upload, parse_html

pytestmark = pytest.mark.asyncio

USER = 4242
KEYBOARD = InlineKeyboardMarkup([[InlineKeyboardButton("Ja", callback_data="yes"),
                                  InlineKeyboardButton("Nee", callback_data="no")]])


@pytest.fixture(autouse=True)
def timedelta_periods(monkeypatch):
    """Opt in to PTB's timedelta periods; the int ones warn (and warnings are errors)."""
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


@pytest_asyncio.fixture
async def api():
    async with BotApiStandIn() as stand_in:
        stand_in.user(USER, "Anna", username="anna")
        yield stand_in


@pytest_asyncio.fixture
async def bot(api):
    async with Bot(api.token, base_url=api.base_url) as client:
        yield client


async def test_initialize_calls_get_me(api, bot):
    assert bot.username == "signaalbot_test_bot"
    assert bot.bot.is_bot and bot.bot.can_join_groups
    assert [call.method for call in api.calls] == ["getMe"]


async def test_send_html_message_with_inline_keyboard(api, bot):
    message = await bot.send_message(USER, "<b>Hoi</b> &amp; <a href='https://x.nl'>welkom</a>",
                                     parse_mode=ParseMode.HTML, reply_markup=KEYBOARD)
    assert message.text == "Hoi & welkom"
    assert message.entities == (MessageEntity("bold", 0, 3),
                                MessageEntity("text_link", 6, 6, url="https://x.nl"))
    assert message.reply_markup == KEYBOARD
    call = api.calls_of("sendMessage")[0]
    assert call.params["chat_id"] == USER  # form values are decoded ...
    assert call.params["reply_markup"]["inline_keyboard"][0][1]["callback_data"] == "no"  # JSON
    assert api.last_message(USER)["message_id"] == message.message_id
    second = await bot.send_message(USER, "Nog een")
    assert second.message_id == message.message_id + 1
    assert [m["text"] for m in api.messages(USER)] == ["Hoi & welkom", "Nog een"]


@pytest.mark.parametrize("text", ["<b>open", "<foo>x</foo>", "a < b", "AT&T", "<b>x</i>",
                                  "x</b>", "<span>x</span>", "<b"])
async def test_malformed_html_is_rejected(bot, text):
    with pytest.raises(BadRequest, match="(?i)can't parse entities"):
        await bot.send_message(USER, text, parse_mode=ParseMode.HTML)


async def test_html_parser_details():
    text, entities = parse_html('<pre><code class="language-py">x &lt; 1</code></pre>'
                                '<blockquote expandable>😀 &#33;</blockquote>')
    assert text == "x < 1😀 !"
    assert entities == [{"offset": 0, "length": 5, "type": "pre", "language": "py"},
                        {"offset": 5, "length": 4, "type": "expandable_blockquote"}]
    assert parse_html("AT&T", strict=False) == ("AT&T", [])


async def test_text_validation(bot):
    with pytest.raises(BadRequest, match="(?i)message is too long"):
        await bot.send_message(USER, "x" * 4097)
    long_but_fine = await bot.send_message(USER, f"<b>{'x' * 4096}</b>", parse_mode="HTML")
    assert len(long_but_fine.text) == 4096
    with pytest.raises(BadRequest, match="(?i)message text is empty"):
        await bot.send_message(USER, "  <i></i> ", parse_mode="HTML")
    with pytest.raises(BadRequest, match="(?i)BUTTON_DATA_INVALID"):
        await bot.send_message(USER, "x", reply_markup=InlineKeyboardMarkup(
            [[InlineKeyboardButton("x", callback_data="d" * 65)]]))
    with pytest.raises(BadRequest, match="(?i)can't parse inline keyboard button"):
        await bot.send_message(USER, "x", reply_markup=InlineKeyboardMarkup(
            [[InlineKeyboardButton(" ", callback_data="d")]]))
    with pytest.raises(BadRequest, match="(?i)chat not found"):
        await bot.send_message(999, "hallo?")


async def test_reply_keyboard_is_tracked(api, bot):
    markup = ReplyKeyboardMarkup([[KeyboardButton("Deel nummer", request_contact=True)]])
    message = await bot.send_message(USER, "Telefoon?", reply_markup=markup)
    assert message.reply_markup is None  # Telegram only echoes inline keyboards
    assert api.reply_keyboard(USER)["keyboard"][0][0]["request_contact"] is True
    await bot.send_message(USER, "Dank", reply_markup=ReplyKeyboardRemove())
    assert api.reply_keyboard(USER) is None


async def test_blocked_chat_is_forbidden(api, bot):
    api.block_chat(USER)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(USER, "Hallo")
    api.unblock_chat(USER)
    await bot.send_message(USER, "Hallo")


async def test_injected_faults(api, bot):
    api.fail_next("sendMessage", 429, retry_after=3)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(USER, "x")
    assert caught.value.retry_after == dtm.timedelta(seconds=3)
    assert api.calls[-1].response["parameters"] == {"retry_after": 3}
    api.group(-100123, "Buurt")
    api.fail_next("sendMessage", 500, count=2, chat_id=-100123)
    await bot.send_message(USER, "other chats are unaffected")
    for _ in range(2):
        with pytest.raises(NetworkError, match="Internal Server Error"):
            await bot.send_message(-100123, "x")
    await bot.send_message(-100123, "x")


async def test_edit_message_text(api, bot):
    message = await bot.send_message(USER, "Kies", reply_markup=KEYBOARD)
    edited = await bot.edit_message_text("Kies nu", USER, message.message_id,
                                         reply_markup=KEYBOARD)
    assert edited.text == "Kies nu" and edited.edit_date is not None
    with pytest.raises(BadRequest, match="(?i)message is not modified"):
        await bot.edit_message_text("Kies nu", USER, message.message_id, reply_markup=KEYBOARD)
    await bot.edit_message_text("Gekozen", USER, message.message_id)  # drops the keyboard
    assert api.messages(USER) == [api.last_message(USER)]
    assert "reply_markup" not in api.last_message(USER)
    await bot.edit_message_reply_markup(USER, message.message_id, reply_markup=KEYBOARD)
    assert api.last_message(USER)["reply_markup"]["inline_keyboard"][0][0]["text"] == "Ja"
    await bot.delete_message(USER, message.message_id)
    assert api.messages(USER) == []
    with pytest.raises(BadRequest, match="(?i)message to edit not found"):
        await bot.edit_message_text("Weg", USER, message.message_id)


async def test_get_updates_long_poll_and_offset(api, bot):
    asyncio.get_running_loop().call_later(0.1, api.send_text, USER, "hallo")
    started = time.monotonic()
    updates = await bot.get_updates(timeout=3)
    assert time.monotonic() - started < 1.0
    assert [u.message.text for u in updates] == ["hallo"]
    assert updates[0].message.chat.id == USER and updates[0].message.from_user.first_name == "Anna"
    # Not confirmed yet: delivered again.
    assert [u.update_id for u in await bot.get_updates()] == [updates[0].update_id]
    assert await bot.get_updates(offset=updates[0].update_id + 1, timeout=0) == ()
    assert api.pending_updates == []
    api.redeliver_from(updates[0].update_id)
    assert [u.update_id for u in await bot.get_updates()] == [updates[0].update_id]


async def test_second_poller_terminates_the_first(api, bot):
    first = asyncio.create_task(bot.get_updates(timeout=3))
    await api.wait_for(lambda: api.polling)
    # PTB gives getUpdates its own one-connection pool, so the rival must be another Bot.
    async with Bot(api.token, base_url=api.base_url) as rival:
        await rival.get_updates(timeout=0)
    with pytest.raises(Conflict, match="terminated by other getUpdates request"):
        await first


async def test_pushed_update_shapes_parse_in_ptb(api, bot):
    api.send_command(USER, "start", args="abc")
    api.send_contact(USER, "+31612345678")
    api.send_photo(USER, caption="foto")
    api.send_sticker(USER)
    api.send_voice(USER)
    api.send_location(USER, 52.37, 4.89)
    api.edit_text(USER, 1, "/help")
    bo = {"id": 77, "is_bot": False, "first_name": "Bo"}
    api.push_raw({"my_chat_member": {
        "chat": {"id": 77, "type": "private", "first_name": "Bo"}, "from": bo, "date": 0,
        "old_chat_member": {"status": "member", "user": api.bot_user},
        "new_chat_member": {"status": "kicked", "user": api.bot_user, "until_date": 0}}})
    updates = await bot.get_updates()
    start, contact, photo, sticker, voice, location, edited, member = updates
    assert start.message.text == "/start abc" and start.message.parse_entities() == {
        MessageEntity("bot_command", 0, 6): "/start"}
    assert contact.message.contact.user_id == USER
    assert photo.message.photo[-1].width == 1280 and photo.message.caption == "foto"
    assert sticker.message.sticker.emoji == "👍"
    assert voice.message.voice.duration == dtm.timedelta(seconds=3)
    assert location.message.location.latitude == 52.37
    assert edited.edited_message.text == "/help" and edited.edited_message.message_id == 1
    assert member.my_chat_member.new_chat_member.status == "kicked"


async def test_callback_query_and_answer(api, bot):
    message = await bot.send_message(USER, "Kies", reply_markup=KEYBOARD)
    with pytest.raises(AssertionError, match="no button 'maybe'"):
        api.press(USER, message.message_id, "maybe")
    api.press(USER, message.message_id, "forged", check=False)
    update = Update.de_json(api.press(USER, api.last_message(USER), "yes"), bot)
    assert update.callback_query.data == "yes"
    assert update.callback_query.message.message_id == message.message_id
    await bot.answer_callback_query(update.callback_query.id, "Top!", show_alert=True)
    assert api.callback_answers[-1]["text"] == "Top!"
    assert api.callback_answers[-1]["show_alert"] is True
    with pytest.raises(BadRequest, match="(?i)query is too old"):
        await bot.answer_callback_query(update.callback_query.id)


async def test_photo_and_document_uploads(api, bot):
    await bot.send_chat_action(USER, "upload_photo")
    photo = await bot.send_photo(USER, b"\x89PNG" + bytes(2000), caption="<i>kaart</i>",
                                 parse_mode="HTML")
    assert photo.caption == "kaart" and photo.photo[0].file_size == 2004
    upload = api.calls_of("sendPhoto")[0].params["photo"]
    assert isinstance(upload, Upload) and upload.size == 2004
    document = await bot.send_document(USER, b"a;b\n", filename="export.csv")
    assert document.document.file_name == "export.csv"
    again = await bot.send_document(USER, document.document.file_id)
    assert again.document.file_id == document.document.file_id
    with pytest.raises(BadRequest, match="(?i)wrong file identifier"):
        await bot.send_photo(USER, "no-such-file-id")


async def test_other_clients_commands_and_webhooks(api, bot):
    async with aiohttp.ClientSession() as http:
        url = f"{api.base_url}{api.token}"
        async with http.get(f"{url}/sendMessage", params={"chat_id": USER, "text": "q"}) as res:
            assert (await res.json())["result"]["text"] == "q"
        async with http.post(f"{url}/SENDMESSAGE", json={
                "chat_id": str(USER), "text": "j", "reply_markup": '{"remove_keyboard": true}'}
                ) as res:
            assert res.status == 200
        async with http.post(f"{url}/sendPoll", json={"chat_id": USER}) as res:
            assert await res.json() == {"ok": False, "error_code": 404, "description": "Not Found"}
    assert api.calls_of("sendMessage")[-1].params["reply_markup"] == {"remove_keyboard": True}
    assert [call.method for call in api.unexpected_calls] == ["sendPoll"]
    await bot.set_my_commands([("start", "Begin"), ("help", "Hulp")])
    assert [c.command for c in await bot.get_my_commands()] == ["start", "help"]
    assert api.commands()[1] == {"command": "help", "description": "Hulp"}
    await bot.set_webhook("https://example.invalid/hook", secret_token="s3cret")
    assert (await bot.get_webhook_info()).url == "https://example.invalid/hook"
    with pytest.raises(Conflict, match="webhook is active"):
        await bot.get_updates()
    await bot.delete_webhook()
    wrong = Bot("654321:WRONG", base_url=api.base_url)
    try:
        with pytest.raises(InvalidToken, match="was rejected by the server"):
            await wrong.initialize()
    finally:
        await wrong.shutdown()
    assert api.calls[-1].response["error_code"] == 401


async def test_rate_accounting_and_waiting(api, bot):
    api.group(-5, "Klein")
    for _ in range(3):
        await bot.send_message(USER, "snel")
    await bot.send_message(-5, "groep")
    assert api.max_rate(USER) == 3 and api.max_rate() == 4 and api.max_rate(-5) == 1
    with pytest.raises(AssertionError, match="recent calls:(.|\n)*sendMessage"):
        await api.wait_for_message(USER, containing="nooit", timeout=0.1)
    await api.wait_idle(quiet=0.05)


async def test_application_end_to_end(api):
    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.message.reply_text(f"Echo: {update.message.text}", do_quote=True,
                                        reply_markup=KEYBOARD)

    async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        await query.answer(f"Gekozen: {query.data}")
        await query.edit_message_text(f"Je koos {query.data}")

    app = ApplicationBuilder().token(api.token).base_url(api.base_url).build()
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    app.add_handler(CallbackQueryHandler(button))
    async with app:
        await app.start()
        await app.updater.start_polling(poll_interval=0.0, timeout=1)
        try:
            api.send_text(USER, "hallo")
            reply = await api.wait_for_message(USER, containing="Echo: hallo")
            assert reply["reply_to_message"]["text"] == "hallo"
            api.press(USER, reply, "no")
            await api.wait_for_message(USER, containing="Je koos no")
            assert api.callback_answers == [{"callback_query_id": api.callback_answers[0][
                "callback_query_id"], "text": "Gekozen: no"}]
            await api.wait_idle(quiet=0.05)
        finally:
            await app.updater.stop()
            await app.stop()
    assert api.pending_updates == []  # the updater's final getUpdates confirmed everything
    assert api.unexpected_calls == []


async def test_old_messages_cannot_be_deleted(api, bot):
    old = await bot.send_message(USER, "Oud")
    api.send_text(USER, "van Anna")
    incoming = api.updates[-1]["message"]["message_id"]
    api.advance_clock(47.9)
    young = await bot.send_message(USER, "Nieuw")
    assert young.date.timestamp() >= old.date.timestamp() + 47.9 * 3600 - 1
    api.advance_clock(0.2)  # "Oud" and Anna's message are now 48.1 h old
    for message_id in (old.message_id, incoming):
        with pytest.raises(BadRequest, match="^Message can't be deleted for everyone$"):
            await bot.delete_message(USER, message_id)
    assert api.calls[-1].response["description"] == (
        "Bad Request: message can't be deleted for everyone")
    assert await bot.delete_message(USER, young.message_id)
    with pytest.raises(BadRequest, match="(?i)message to delete not found"):
        await bot.delete_message(USER, young.message_id)
    assert [m["text"] for m in api.messages(USER)] == ["Oud"]
    await bot.edit_message_text("Oud, bewerkt", USER, old.message_id)  # editing still works


async def test_refused_edits(api, bot):
    message = await bot.send_message(USER, "Kies", reply_markup=KEYBOARD)
    api.refuse_edits(USER, message.message_id)
    with pytest.raises(BadRequest, match="^Message can't be edited$"):
        await bot.edit_message_text("Kies nu", USER, message.message_id)
    with pytest.raises(BadRequest, match="^Message can't be edited$"):
        await bot.edit_message_reply_markup(USER, message.message_id, reply_markup=None)
    assert api.last_message(USER)["text"] == "Kies"
    assert api.calls[-1].response["description"] == "Bad Request: message can't be edited"
    await bot.delete_message(USER, message.message_id)
    with pytest.raises(BadRequest, match="(?i)message to edit not found"):
        await bot.edit_message_text("Weg", USER, message.message_id)


async def test_group_upgraded_to_supergroup(api, bot):
    api.group(-4518810793, "Buurtpreventie")
    sent = await bot.send_message(-4518810793, "Welkom", reply_markup=KEYBOARD)
    supergroup = api.upgrade_group(-4518810793, -1002471352452, by=USER)
    assert supergroup == {"id": -1002471352452, "type": "supergroup", "title": "Buurtpreventie"}
    calls = [lambda: bot.send_message(-4518810793, "Hallo"),
             lambda: bot.send_chat_action(-4518810793, "typing"),
             lambda: bot.edit_message_text("Welkom!", -4518810793, sent.message_id),
             lambda: bot.edit_message_reply_markup(-4518810793, sent.message_id),
             lambda: bot.delete_message(-4518810793, sent.message_id)]
    for call in calls:
        with pytest.raises(ChatMigrated) as caught:
            await call()
        assert caught.value.new_chat_id == -1002471352452
    assert api.calls[-1].response == {
        "ok": False, "error_code": 400,
        "description": "Bad Request: group chat was upgraded to a supergroup chat",
        "parameters": {"migrate_to_chat_id": -1002471352452}}
    assert [m["text"] for m in api.messages(-4518810793)] == ["Welkom"]
    moved, arrived = await bot.get_updates()
    assert moved.message.migrate_to_chat_id == -1002471352452
    assert arrived.message.migrate_from_chat_id == -4518810793
    assert arrived.message.chat.type == "supergroup"
    message = await bot.send_message(-1002471352452, "Hallo supergroep")
    assert message.chat.type == "supergroup"
    with pytest.raises(ValueError, match="was upgraded"):
        api.send_text(USER, "nog hier?", chat_id=-4518810793)


async def test_lost_answers(api, bot):
    api.lose_answer_next("sendMessage", chat_id=USER)
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await bot.send_message(USER, "Eén keer")
    assert [m["text"] for m in api.messages(USER)] == ["Eén keer"]
    call = api.calls[-1]
    assert call.performed and not call.ok
    assert call.response == {"ok": False, "error_code": 502, "description": "Bad Gateway"}
    assert "answer lost" in api.describe()

    api.lose_answer_next("editMessageText", status=None)
    with pytest.raises(NetworkError, match="disconnected without sending a response"):
        await bot.edit_message_text("Bewerkt", USER, api.last_message(USER)["message_id"])
    assert api.last_message(USER)["text"] == "Bewerkt"
    assert api.calls[-1].performed and api.calls[-1].response["error_code"] == 0

    api.fail_next("sendMessage", None, count=2)  # dropped before Telegram did anything
    for _ in range(2):
        with pytest.raises(NetworkError):
            await bot.send_message(USER, "Nooit")
    assert not api.calls[-1].performed
    assert [m["text"] for m in api.messages(USER)] == ["Bewerkt"]
    await bot.send_message(USER, "Weer goed")  # a fresh connection works
    assert [m["text"] for m in api.messages(USER)] == ["Bewerkt", "Weer goed"]


async def test_wait_idle_waits_for_confirmed_updates(api, bot):
    api.send_text(USER, "hallo")
    with pytest.raises(AssertionError, match="bot not idle"):
        await api.wait_idle(quiet=0.01, timeout=0.2)
    (update,) = await bot.get_updates()
    await bot.get_updates(offset=update.update_id + 1)
    await api.wait_idle(quiet=0.05)


async def test_webhook_delivery_retries_until_answered(api, bot):
    """After setWebhook each update is posted with the secret header until it gets a 200."""
    answers, received = [500, 200, 200], []

    async def hook(request):
        received.append((request.headers.get("X-Telegram-Bot-Api-Secret-Token"),
                         (await request.json())["update_id"]))
        return aiohttp.web.Response(status=answers[len(received) - 1])

    app = aiohttp.web.Application()
    app.router.add_post("/hook", hook)
    runner = aiohttp.web.AppRunner(app)
    await runner.setup()
    site = aiohttp.web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        port = runner.addresses[0][1]
        first = api.send_text(USER, "een")
        await bot.set_webhook(f"http://127.0.0.1:{port}/hook", secret_token="s3cret")
        second = api.send_text(USER, "twee")
        await api.wait_for(lambda: api.delivered == {first["update_id"], second["update_id"]})
        assert len(received) == 3 and set(received) == {  # the one answered 500 came again
            ("s3cret", first["update_id"]), ("s3cret", second["update_id"])}
        assert api.pending_updates == [] and sorted(status for _, status in api.deliveries) == [
            200, 200, 500]
        await bot.delete_webhook()
        third = api.send_text(USER, "drie")  # delivered by getUpdates again, not posted
        assert [u.update_id for u in await bot.get_updates()] == [third["update_id"]]
    finally:
        await runner.cleanup()
