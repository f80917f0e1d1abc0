"""The web chat's request handlers: each step a plain form post to the same use cases.

``GET /`` continues the conversation in progress (a reload or a second tab) or starts one;
``GET /s/<code>`` starts with an organisation's role filled in (its QR code); ``POST /``
answers the question the page showed: the form must carry the draft's token and that
question's id (else the page shows the current question again), and a posted value must be
one of that prompt's own buttons or options. Sending redirects to ``GET /verstuurd`` (the
thanks and the status link, again on a reload). ``GET /hulp`` is help and privacy, linked from
every page; its form posts to ``/vergeetmij``.
"""

from __future__ import annotations

import secrets

from aiohttp import web

from bot.core import messages
from bot.core.intake import ConversationKey
from bot.core.people import WEB
from bot.core.prompts import Result, Status
from bot.services import Services
from handlers.web import forms, pages, status
from handlers.web.pages import Row, Step
from handlers.web.session import Sessions, genuine, key


class Views:
    """The pages of one web channel."""

    def __init__(self, services: Services, sessions: Sessions, public_url: str) -> None:
        self._services = services
        self._sessions = sessions
        self._public_url = public_url

    async def index(self, request: web.Request) -> web.Response:
        """Continue the conversation in progress, or start one."""
        session = self._sessions.read(request) or self._sessions.new()
        intake = self._services.intake
        result = await intake.current(key(session)) or await intake.start(key(session))
        return self._page(session, pages.conversation(self._step(key(session), result)))

    async def organisation(self, request: web.Request) -> web.Response:
        """Start from an organisation's QR code: its role is filled in."""
        session = self._sessions.read(request) or self._sessions.new()
        result = await self._services.intake.start(
            key(session), organisation=request.match_info["code"])
        return self._page(session, pages.conversation(self._step(key(session), result)))

    async def answer(self, request: web.Request) -> web.Response:
        """One step: the posted form as the answer to the page's question."""
        session = self._sessions.read(request)
        if session is None:
            return _see_other("/")
        form = await request.post()
        person = key(session)
        current = await self._services.intake.current(person)
        if current is None or current.prompt is None:
            return _see_other("/")
        prompt, token = current.prompt, current.draft.token
        if not genuine(form.get("token"), form.get("question"), token, prompt.question):
            return self._page(session, pages.conversation(
                self._step(person, current, notice=messages.WEB_FORM_EXPIRED)))
        question = self._services.engine.walking(current.draft).questionnaire.get(
            prompt.question)
        field = forms.field_of(prompt, question)
        picks = [v for v in form.getall("pick", []) if isinstance(v, str)]
        given = forms.read(prompt, field, token, form, picks)
        if isinstance(given, forms.Refusal):
            return self._page(session, pages.conversation(
                self._step(person, current, error=given.message)))
        result = await self._services.intake.handle(person, given, token=token)
        if result.status is Status.SUBMIT:  # a reload of the next page does not post again
            return _see_other("/verstuurd")
        if result.prompt is None:  # ended: stopped, or nothing to continue
            return self._page(session, pages.message(result.notice or ""))
        return self._page(session, pages.conversation(self._step(person, result)))

    async def sent(self, request: web.Request) -> web.Response:
        """After sending: the session's newest signal, its status link (again on a reload)."""
        session = self._sessions.read(request)
        sent = None if session is None else await status.sent(self._services, session)
        if session is None or sent is None:
            return _see_other("/")
        url = None if sent.token is None else f"{self._public_url}/status/{sent.token}"
        return self._page(session, pages.done(sent, url))

    async def help(self, request: web.Request) -> web.Response:
        """Help and privacy, linked from every page; the form to forget this browser."""
        session = self._sessions.read(request)
        return _html(pages.help_page(None if session is None else self._forget_token(session)))

    async def forget(self, request: web.Request) -> web.Response:
        """Forget this browser's signaler (as ``/vergeetmij``); the cookie goes too."""
        session = self._sessions.read(request)
        form = await request.post()
        posted = form.get("token")
        if session is None or not isinstance(posted, str) or not secrets.compare_digest(
                posted.encode(), self._forget_token(session).encode()):
            return _see_other("/hulp")
        count = await self._services.privacy.forget_signaler(WEB, session)
        response = _html(pages.message(messages.WEB_FORGOTTEN.format(count=count)))
        self._sessions.forget(response)
        return response

    def _forget_token(self, session: str) -> str:
        """The forget form's CSRF token: bound to the session, unknown to other sites."""
        return self._services.keyring.lookup_hash(f"web-forget:{session}")

    async def status(self, request: web.Request) -> web.Response:
        """The plain status of one signal, by its status link."""
        text = await status.lookup(self._services, request.match_info["token"])
        return _html(pages.status(text))

    def _step(self, person: ConversationKey, result: Result, *, notice: str | None = None,
              error: str | None = None) -> Step:
        assert result.prompt is not None
        if result.status is Status.INVALID:
            error = error or result.notice
        elif result.status is not Status.DUPLICATE:
            notice = notice or result.notice
        return Step(result.draft.token, result.prompt,
                    self._services.engine.walking(result.draft).questionnaire.get(
                        result.prompt.question),
                    self._rows(result), error=error, notice=notice)

    def _rows(self, result: Result) -> list[Row]:
        """The answers so far (at the summary with their groups' "Wijzig" buttons)."""
        engine = self._services.engine.walking(result.draft)
        answers = result.draft.answers
        assert result.prompt is not None
        groups = {b.input.group: b for b in result.prompt.edit_groups
                  if hasattr(b.input, "group")}
        rows = []
        for question in engine.questionnaire.questions:
            if question.summary and question.id in answers and question.applies(answers):
                value = answers[question.id]
                shown = (messages.NOT_GIVEN if value is None
                         else engine.answer_label(question, value))
                rows.append(Row(question.summary, shown, groups.get(question.group)))
        return rows

    def _page(self, session: str, text: str) -> web.Response:
        response = _html(text)
        self._sessions.remember(response, session)
        return response


def _see_other(path: str) -> web.Response:
    """A redirect returned (not raised), so the guard adds its headers to it."""
    return web.Response(status=303, headers={"Location": path})


def _html(text: str) -> web.Response:
    return web.Response(text=text, content_type="text/html", charset="utf-8")
