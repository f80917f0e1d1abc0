"""The signal-cli stand-in against signal-cli's formats: JSON-RPC over HTTP and the SSE stream."""

from __future__ import annotations

import asyncio
import json

import aiohttp
import pytest
import pytest_asyncio

from tests.signalcli import SignalCliStandIn

pytestmark = pytest.mark.asyncio
ACCOUNT = "+31612345678"


@pytest_asyncio.fixture
async def cli():
    async with SignalCliStandIn(account=ACCOUNT, keepalive=0.2) as stand_in:
        yield stand_in


@pytest_asyncio.fixture
async def session():
    async with aiohttp.ClientSession() as client:
        yield client


async def rpc(session, cli, method, params=None, request_id=1):
    """The JSON answer of one JSON-RPC call."""
    body = {"jsonrpc": "2.0", "method": method, "id": request_id}
    if params is not None:
        body["params"] = params
    async with session.post(cli.rpc_url, json=body) as response:
        assert response.status == 200
        assert response.headers["Content-Type"] == "application/json"
        return await response.json()


async def next_event(stream, timeout=5.0):
    """The next "receive" event of an SSE response (keep-alive comments skipped)."""
    async with asyncio.timeout(timeout):
        while True:
            line = await stream.content.readline()
            if not line:
                raise EOFError("stream ended")
            if line == b"event:receive\n":
                data = await stream.content.readline()
                assert data.startswith(b"data:") and await stream.content.readline() == b"\n"
                return json.loads(data[5:])


async def test_send_returns_signal_clis_result_and_the_phone_shows_the_styled_text(
        cli, session):
    anna = cli.person("Anna")
    answer = await rpc(session, cli, "send", {
        "recipient": [anna.aci], "message": "Welkom 👋 bij ons", "textStyle": ["7:2:BOLD"]})
    result = answer["result"]
    assert set(answer) == {"jsonrpc", "result", "id"} and answer["id"] == 1
    assert result["results"] == [{"recipientAddress": {
        "uuid": anna.aci, "number": anna.number, "username": None}, "type": "SUCCESS"}]
    message = await cli.wait_for_message(anna, containing="Welkom")
    assert message.timestamp == result["timestamp"] and message.styled() == [("BOLD", "👋")]
    by_number = await rpc(session, cli, "send", {"recipients": anna.number, "message": "twee"})
    assert by_number["result"]["timestamp"] > result["timestamp"]
    assert [m.text for m in cli.messages(anna)] == ["Welkom 👋 bij ons", "twee"]
    assert (await rpc(session, cli, "version"))["result"] == {"version": "0.14.6"}
    assert cli.calls_of("send")[0]["textStyle"] == ["7:2:BOLD"]


async def test_edits_and_deletes_follow_signals_client_rules(cli, session):
    anna = cli.person("Anna")
    first = (await rpc(session, cli, "send", {"recipient": anna.aci, "message": "1234AB"}))
    sent = first["result"]["timestamp"]
    edit = await rpc(session, cli, "send", {"recipient": anna.aci, "message": "[verwijderd]",
                                            "editTimestamp": sent})
    assert edit["result"]["timestamp"] > sent
    message = cli.messages(anna)[0]
    assert message.text == "[verwijderd]" and [v.text for v in message.edits] == ["[verwijderd]"]
    assert cli.visible_texts() == ["1234AB", "[verwijderd]"]  # the history stays visible
    await rpc(session, cli, "remoteDelete", {"recipient": anna.aci, "targetTimestamp": sent})
    assert message.deleted and cli.visible_texts() == []
    await rpc(session, cli, "send", {"recipient": anna.aci, "message": "x", "editTimestamp": sent})
    old = (await rpc(session, cli, "send", {"recipient": anna.aci, "message": "oud"}))
    cli.advance_clock(hours=25)
    target = old["result"]["timestamp"]
    await rpc(session, cli, "send", {"recipient": anna.aci, "message": "y",
                                     "editTimestamp": target})
    await rpc(session, cli, "remoteDelete", {"recipient": anna.aci, "targetTimestamp": target})
    await rpc(session, cli, "remoteDelete", {"recipient": anna.aci, "targetTimestamp": 5})
    assert [(i.kind, i.reason) for i in cli.chat(anna).ignored] == [
        ("edit", "deleted"), ("edit", "older than 24 hours"),
        ("delete", "older than 24 hours"), ("delete", "unknown message")]
    assert cli.visible_texts() == ["oud"]


@pytest.mark.parametrize(("failure", "code", "message"), [
    ("NETWORK_FAILURE", -1, "Failed to send message"),
    ("UNREGISTERED_FAILURE", -1, "Failed to send message"),
    ("IDENTITY_FAILURE", -4, "Failed to send message due to untrusted identities"),
    ("RATE_LIMIT_FAILURE", -5, "Failed to send message due to rate limiting"),
])
async def test_a_send_without_success_is_an_error_carrying_the_results(
        cli, session, failure, code, message):
    anna = cli.person("Anna")
    cli.fail_sends(anna, failure, retry_after=30 if failure == "RATE_LIMIT_FAILURE" else None)
    error = (await rpc(session, cli, "send", {"recipient": anna.aci, "message": "hoi"}))["error"]
    assert (error["code"], error["message"]) == (code, message)
    [result] = error["data"]["response"]["results"]
    assert result["type"] == failure and result["recipientAddress"]["uuid"] == anna.aci
    assert result.get("retryAfterSeconds") == (30 if failure == "RATE_LIMIT_FAILURE" else None)
    assert isinstance(error["data"]["response"]["timestamp"], int) and cli.messages(anna) == []
    retry = await rpc(session, cli, "send", {"recipient": anna.aci, "message": "hoi"})
    assert retry["result"]["results"][0]["type"] == "SUCCESS"  # times=1


async def test_unregistered_people_and_partial_success(cli, session):
    anna, bram = cli.person("Anna"), cli.person("Bram")
    cli.unregister(bram)
    answer = await rpc(session, cli, "send", {"recipient": [anna.aci, bram.number],
                                              "message": "hoi"})
    assert [r["type"] for r in answer["result"]["results"]] == ["SUCCESS",
                                                               "UNREGISTERED_FAILURE"]
    assert answer["result"]["results"][1]["recipientAddress"] == {
        "uuid": None, "number": bram.number, "username": None}
    error = (await rpc(session, cli, "send", {"recipient": bram.aci, "message": "x"}))["error"]
    assert error["code"] == -1 and error["data"]["response"]["results"][0]["recipientAddress"][
        "uuid"] == bram.aci
    for params, text in [({"recipient": "0612"}, "Invalid phone number '0612'"),
                         ({"message": "x"}, "No recipients given"),
                         ({"recipient": anna.aci}, "Sending empty message is not allowed"),
                         ({"recipient": anna.aci, "message": "x", "textStyle": "0:1:FAT"},
                          "Invalid style: FAT")]:
        error = (await rpc(session, cli, "send", {"message": "x", **params}
                           if "message" in params else params))["error"]
        assert error["code"] == -1 and error["message"].startswith(text) and error["data"] is None


async def test_proof_required_until_the_challenge_is_submitted(cli, session):
    anna = cli.person("Anna")
    cli.fail_sends(anna, "RATE_LIMIT_FAILURE", proof_token="tok-1", retry_after=86400)
    for _ in range(2):
        error = (await rpc(session, cli, "send", {"recipient": anna.aci, "message": "x"}))["error"]
        assert error["code"] == -5
        assert error["data"]["response"]["results"][0]["token"] == "tok-1"
    wrong = await rpc(session, cli, "submitRateLimitChallenge",
                      {"challenge": "tok-2", "captcha": "signalcaptcha://abc"})
    assert wrong["error"]["code"] == -6 and wrong["error"]["message"].startswith("Captcha rejected")
    right = await rpc(session, cli, "submitRateLimitChallenge",
                      {"challenge": "tok-1", "captcha": "signalcaptcha://abc"})
    assert right == {"jsonrpc": "2.0", "result": {}, "id": 1} and cli.proof_required == []
    ok = await rpc(session, cli, "send", {"recipient": anna.aci, "message": "x"})
    assert ok["result"]["results"][0]["type"] == "SUCCESS"


async def test_io_errors_answer_with_each_commands_code(cli, session):
    anna = cli.person("Anna")
    cli.fail_io("send", "Connection reset")
    cli.fail_io("updateContact", "timeout")
    error = (await rpc(session, cli, "send", {"recipient": anna.aci, "message": "x"}))["error"]
    assert error == {"code": -32603, "data": None, "message": "Failed to send message: "
                     "Connection reset (IOException) (UnexpectedErrorException)"}
    error = (await rpc(session, cli, "updateContact", {"recipient": anna.aci,
                                                       "expiration": 60}))["error"]
    assert (error["code"], error["message"]) == (-3, "Update contact error: timeout")
    assert cli.messages(anna) == [] and cli.chat(anna).expires_in == 0


async def test_the_disappearing_timer_is_kept_per_chat(cli, session):
    anna, bram = cli.person("Anna"), cli.person("Bram")
    answer = await rpc(session, cli, "updateContact", {"recipient": anna.aci, "expiration": 3600})
    assert answer["result"] == {} and cli.chat(anna).expires_in == 3600
    await rpc(session, cli, "send", {"recipient": [anna.aci, bram.aci], "message": "geheim"})
    assert [cli.messages(p)[0].expires_in for p in (anna, bram)] == [3600, 0]
    anna.says("ok")
    assert cli.events[-1]["envelope"]["dataMessage"]["expiresInSeconds"] == 3600
    cli.advance_clock(hours=1.01)
    assert cli.visible_texts() == ["geheim"]  # Bram's copy only


async def test_receipts_typing_and_reactions_return_send_results(cli, session):
    anna = cli.person("Anna")
    said = anna.says("hallo")
    for method, params in [("sendReceipt", {"recipient": anna.aci, "targetTimestamp": said}),
                           ("sendTyping", {"recipient": anna.aci}),
                           ("sendTyping", {"recipient": anna.aci, "stop": True}),
                           ("sendReaction", {"recipient": anna.aci, "emoji": "👍",
                                             "targetAuthor": anna.aci, "targetTimestamp": said})]:
        result = (await rpc(session, cli, method, params))["result"]
        assert result["results"][0]["type"] == "SUCCESS"
    chat = cli.chat(anna)
    assert chat.receipts == [("READ", [said])] and chat.typing == ["STARTED", "STOPPED"]
    assert chat.reactions[0]["emoji"] == "👍"
    bad = await rpc(session, cli, "sendReceipt", {"recipient": anna.aci, "targetTimestamp": said,
                                                  "type": "seen"})
    assert bad["error"]["message"] == "Unknown receipt type: seen"


async def test_json_rpc_framing(cli, session):
    async def post(data, content_type="application/json", method="POST", host=None):
        headers = {"Content-Type": content_type} | ({"Host": host} if host else {})
        async with session.request(method, cli.rpc_url, data=data, headers=headers) as response:
            return response.status, (await response.read())

    def error(answer):
        return json.loads(answer[1])["error"]

    assert (await post(b'{"jsonrpc":"2.0","method":"version"}')) == (201, b"")
    batch = [{"jsonrpc": "2.0", "method": "version", "id": "a"},
             {"jsonrpc": "2.0", "method": "listGroups", "id": 2},
             {"jsonrpc": "2.0", "method": "version"}, {"id": 3}]
    answers = json.loads((await post(json.dumps(batch)))[1])
    assert [(a["id"], a.get("result"), a.get("error", {}).get("code")) for a in answers] == [
        ("a", {"version": "0.14.6"}, None), (2, None, -32601), (3, None, -32600)]
    assert error(await post(b"{nope"))["code"] == -32700
    assert error(await post(b"[]")) == {"code": -32600, "message": "invalid request",
                                        "data": None}
    assert error(await post(b'"x"'))["message"] == "unexpected type: STRING"
    assert error(await post(b'{"jsonrpc":"1.0","method":"version","id":1}'))["message"] == (
        "only jsonrpc version 2.0 is supported")
    assert (await post(b"{}", content_type="text/plain"))[0] == 415
    assert (await post(b"{}", method="PUT"))[0] == 405
    assert (await post(b"{}", host="signal.example:80"))[0] == 421
    async with session.get(cli.check_url) as response:
        assert response.status == 200 and await response.read() == b""


async def test_events_wait_while_no_client_is_connected(cli, session):
    anna = cli.person("Anna")
    first, second = anna.says("een"), anna.says("twee")
    assert len(cli.pending) == 2
    async with session.get(cli.events_url) as stream, session.get(cli.events_url) as other:
        assert stream.headers["Content-Type"] == "text/event-stream"
        await cli.wait_connected(2)
        assert [(await next_event(stream))["envelope"]["timestamp"] for _ in "12"] == [
            first, second]
        third = anna.says("drie")
        assert (await next_event(other))["envelope"]["timestamp"] == third  # every client
        event = await next_event(stream)
        assert event["account"] == ACCOUNT and event["envelope"]["dataMessage"]["message"] == (
            "drie")
        assert event["envelope"]["serverDeliveredTimestamp"] >= third


async def test_keep_alive_comments(cli, session):
    async with session.get(cli.events_url) as stream:
        async with asyncio.timeout(3):
            assert await stream.content.readline() == b":\n"
            assert await stream.content.readline() == b":\n"


async def test_a_dropped_stream_keeps_what_it_did_not_write(cli, session):
    anna = cli.person("Anna")
    async with session.get(cli.events_url) as stream:
        await cli.wait_connected()
        anna.says("een")
        await next_event(stream)
        cli.drop_stream()
        with pytest.raises((EOFError, aiohttp.ClientPayloadError)):
            await next_event(stream)
    later = anna.says("twee")
    async with session.get(cli.events_url) as stream:
        assert (await next_event(stream))["envelope"]["timestamp"] == later


@pytest.mark.parametrize("redeliver", [0.0, 5.0])
async def test_restart_refuses_connections_and_may_redeliver(cli, session, redeliver):
    anna = cli.person("Anna")
    async with session.get(cli.events_url) as stream:
        await cli.wait_connected()
        said = anna.says("een")
        await next_event(stream)
        restart = asyncio.create_task(cli.restart(down_for=0.5, redeliver=redeliver))
        with pytest.raises((EOFError, aiohttp.ClientPayloadError)):
            await next_event(stream)
    with pytest.raises(aiohttp.ClientConnectionError):
        async with session.get(cli.check_url):
            pass
    await restart
    later = anna.says("twee")
    async with session.get(cli.events_url) as stream:
        first = (await next_event(stream))["envelope"]["timestamp"]
        assert first == (said if redeliver else later)


async def test_envelopes_have_signal_clis_shapes(cli):
    anna = cli.person("Anna", share_number=False)
    bram = cli.person("Bram", uuid_known=False)
    bot = cli.chat(anna)
    bot.add(1000, "Welkom", [], None, [])
    anna.says("antwoord", quote=1000)
    quote = cli.events[-1]["envelope"]["dataMessage"]["quote"]
    assert quote == {"id": 1000, "author": ACCOUNT, "authorNumber": ACCOUNT,
                     "authorUuid": cli.account_aci, "text": "Welkom", "attachments": []}
    envelope = cli.events[-1]["envelope"]
    assert (envelope["source"], envelope["sourceNumber"]) == (anna.aci, None)
    bram.says("x")
    envelope = cli.events[-1]["envelope"]
    assert (envelope["source"], envelope["sourceUuid"]) == (bram.number, None)
    said = anna.says("typo")
    anna.edits(said, "fixed")
    assert cli.events[-1]["envelope"]["editMessage"]["targetSentTimestamp"] == said
    anna.deletes(said)
    assert cli.events[-1]["envelope"]["dataMessage"]["remoteDelete"] == {"timestamp": said}
    anna.reacts(1000, "👍")
    reaction = cli.events[-1]["envelope"]["dataMessage"]["reaction"]
    assert reaction["targetAuthorUuid"] == cli.account_aci and reaction["isRemove"] is False
    anna.sends_attachment("image/png", caption="foto")
    [attachment] = cli.events[-1]["envelope"]["dataMessage"]["attachments"]
    assert attachment["contentType"] == "image/png" and attachment["id"].endswith(".png")
    anna.sends_sticker()
    assert cli.events[-1]["envelope"]["dataMessage"]["message"] is None
    group = anna.in_group(name="Buren")
    group.says("hoi")
    info = cli.events[-1]["envelope"]["dataMessage"]["groupInfo"]
    assert info == {"groupId": group.group_id, "groupName": "Buren", "revision": 2,
                    "type": "DELIVER"}
    anna.receipt([1000], "DELIVERY")
    assert cli.events[-1]["envelope"]["receiptMessage"]["isDelivery"] is True
    anna.typing()
    assert cli.events[-1]["envelope"]["typingMessage"]["action"] == "STARTED"
    anna.calls()
    assert cli.events[-1]["envelope"]["callMessage"]["offerMessage"]["type"] == "AUDIO_CALL"
    anna.sync_sent("van de telefoon")
    envelope = cli.events[-1]["envelope"]
    assert envelope["sourceUuid"] == cli.account_aci
    assert envelope["syncMessage"]["sentMessage"]["destinationUuid"] == anna.aci
    cli.push_raw({"source": None, "timestamp": 1}, exception={"message": "m", "type": "T"})
    assert cli.events[-1]["exception"] == {"message": "m", "type": "T"}
    stamps = [event["envelope"]["timestamp"] for event in cli.events[:-1]]
    assert stamps == sorted(set(stamps))
