"""signal-cli HTTP daemon stand-in for tests and benchmarks.

An aiohttp server on 127.0.0.1 (a free port, the caller's event loop) that answers as
``signal-cli -a ACCOUNT daemon --http 127.0.0.1:PORT --receive-mode on-connection`` does, plus a
test-driving API::

    async with SignalCliStandIn(account="+31612345678") as cli:   # cli.rpc_url, events_url
        anna = cli.person("Anna")
        anna.says("hallo")                                          # one SSE "receive" event
        message = await cli.wait_for_message(anna, containing="Welkom")
        cli.fail_sends(anna, "RATE_LIMIT_FAILURE", proof_token="tok")
        cli.version = "0.11.5"                                      # what `version` answers

The parts: `server` (HTTP, JSON-RPC framing, lifecycle), `stream` (SSE, queueing), `methods`
(the RPC methods), `faults`, `phones` (people and their envelopes), `chats` (the phones' view
and Signal's client rules), `observing`, `state` and `protocol`.

Facts relied on (signal-cli at /work/.mirror/AsamK+signal-cli/repo; paths under
src/main/java/org/asamk/signal/ unless they start with lib/ or man/):

- http/HttpServerHandler.java: three endpoints; wrong method 405, wrong path 404, a Host header
  other than the bound host, localhost, 127.0.0.1 or ::1 (or another port) 421, all without a
  body. /api/v1/rpc needs Content-Type application/json* (else 415); the single or batch
  response is HTTP 200 application/json; no response (only notifications) is HTTP 201, no body.
  /api/v1/check: 200, no body. /api/v1/events: 200 text/event-stream, headers flushed at once;
  every connected stream gets every envelope; a keep-alive every 15 s.
- http/ServerSentEventSender.java: an event is ``event:receive\\ndata:<json>\\n\\n``, the
  keep-alive the comment ``:\\n``. The JSON is JsonReceiveMessageHandler's
  ``{"envelope": ..., "account": ACCOUNT}`` (plus "exception": {"message", "type"} when
  decryption failed), written compactly by Jackson (util/Util.java: nulls are kept).
- jsonrpc/JsonRpcReader.java, JsonRpcResponse.java: a batch array is answered with an array
  (failed members included, notifications left out); an empty array, or a body that is no
  object or array, is -32600 ("invalid request", "unexpected type: STRING"); bad JSON -32700;
  jsonrpc other than "2.0" and a missing method -32600; a request without id gets no response;
  a response is {"jsonrpc","result"|"error","id"}, error {"code","message","data"} with data
  null unless a send result exists (man/signal-cli-jsonrpc.5.adoc shows ``"data":null``).
- jsonrpc/SignalJsonRpcCommandHandler.java: unknown method -32601 "Method not implemented";
  UserError -1, IOError -3, UntrustedKey -4, RateLimit -5, CaptchaRejected -6, anything else
  -32603 "<message> (<ExceptionClass>)"; a failed send's data is {"response": <its result>}.
  Params that are no object are -32600; -32602 only concerns the multi-account "account"
  param, so a single-account daemon (this one) never answers it.
- commands/JsonRpcNamespace.java: camelCase params; a list param takes one value or a list,
  under its name or the plural ("recipient"/"recipients").
- commands/SendCommand.java, util/CommandUtil.java, lib/.../RecipientIdentifier.java: recipients
  are ACIs (uuid strings) or E.164 numbers (else -1 "Invalid phone number ..."); none given:
  -1 "No recipients given"; empty message -1 "Sending empty message is not allowed, ...";
  quoteTimestamp without quoteAuthor -1; textStyle "start:length:STYLE" in UTF-16 units, STYLE
  one of NONE BOLD ITALIC SPOILER STRIKETHROUGH MONOSPACE (lib/.../TextStyle.java), else -1;
  editTimestamp sends an edit (a new timestamp); an IOException is -32603 "Failed to send
  message: <msg> (IOException) (UnexpectedErrorException)" (so for remoteDelete, sendReaction).
- util/SendMessageResultUtils.java, lib/.../SendMessageResults.java, json/JsonSendMessageResult:
  send, remoteDelete, sendReaction, sendReceipt and sendTyping return {"timestamp", "results":
  [{"recipientAddress": {"uuid","number","username"}, "type", ["token"], ["retryAfterSeconds"]}]};
  with no SUCCESS: only IDENTITY_FAILURE -4 "Failed to send message due to untrusted
  identities", only RATE_LIMIT_FAILURE (proof-required included, with its "token") -5 "Failed
  to send message due to rate limiting", else -1 "Failed to send message".
- lib/.../internal/ManagerImpl.java: a number that is not registered gives UNREGISTERED_FAILURE
  with {"uuid": null, "number": N}; updateContact with expiration sets the chat's timer
  (UpdateContactCommand: result {}, IOException -3 "Update contact error: ...", a number not
  registered -1 "The user N is not registered."); submitRateLimitChallenge strips
  "signalcaptcha://", result {}, a rejected captcha -6 "Captcha rejected, it may be outdated,
  already used or solved from a different IP address.", IOException -3; sendTyping's IOException
  -1; sendReceipt "type" read|viewed (else -1 "Unknown receipt type: X"); version
  {"version": "0.14.6"} (the newest release tag).
- json/JsonMessageEnvelope.java and the Json* records: source (number, else ACI), sourceNumber,
  sourceUuid, sourceName, sourceDevice, timestamp, serverReceivedTimestamp,
  serverDeliveredTimestamp, then one of dataMessage, editMessage {targetSentTimestamp,
  dataMessage}, syncMessage {sentMessage: destination* + the data message's fields},
  callMessage, receiptMessage {when, isDelivery, isRead, isViewed, timestamps}, typingMessage
  {action STARTED|STOPPED, timestamp}. dataMessage always has timestamp, message (null
  without text), expiresInSeconds, isExpirationUpdate, viewOnce; quote {id, author,
  authorNumber, authorUuid, text, attachments: []}; reaction {emoji, targetAuthor,
  targetAuthorNumber, targetAuthorUuid, targetSentTimestamp, isRemove}; remoteDelete
  {timestamp}; attachments [{contentType, filename, id, size, width, height, caption,
  uploadTimestamp}]; sticker {packId, stickerId}; groupInfo {groupId, groupName, revision,
  type}.

Modelled beyond signal-cli (Signal's server and phones): with no stream open, events wait and
go to the next stream to connect; a stream's unwritten events wait again when it drops;
`restart(redeliver=s)` delivers again what was written in the last s seconds (not yet
acknowledged). A phone ignores an edit or remote delete of a message more than 24 hours old,
an edit of a deleted message, and one of a message it never got (recorded in Chat.ignored);
edits may name the original's or an earlier edit's timestamp. Disappearing messages vanish
`expires_in` seconds after sending. Groups are not modelled for sending ("Group not found").
"""

from tests.signalcli.chats import Chat, Ignored, SentMessage, Version
from tests.signalcli.phones import InGroup, Phone
from tests.signalcli.protocol import Call, RpcError
from tests.signalcli.server import SignalCliStandIn

__all__ = ["Call", "Chat", "Ignored", "InGroup", "Phone", "RpcError", "SentMessage",
           "SignalCliStandIn", "Version"]
