"""The web chat's request handlers: each step a plain form post to the same use cases.

``GET /`` continues the conversation in progress (a reload or a second tab) or starts one;
``GET /s/<code>`` starts with an organisation's role filled in (its QR code); ``POST /``
answers the question the page showed: the form must carry the draft's token and that
question's id (else the page shows the current question again), and a posted value must be
one of that prompt's own buttons or options.
"""

from __future__ import annotations

from aiohttp import web

from bot.core import messages
from bot.core.intake import ConversationKey
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
            raise web.HTTPSeeOther("/")
        form = await request.post()
        person = key(session)
        current = await self._services.intake.current(person)
        if current is None or current.prompt is None:
            raise web.HTTPSeeOther("/")
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
        if result.status is Status.SUBMIT:
            link = await status.issue(self._services, session)
            url = f"{self._public_url}/status/{link}" if link else self._public_url
            return self._page(session, pages.done(result.notice or "", url))
        if result.prompt is None:  # ended: stopped, or nothing to continue
            return self._page(session, pages.message(result.notice or ""))
        return self._page(session, pages.conversation(self._step(person, result)))

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


def _html(text: str) -> web.Response:
    return web.Response(text=text, content_type="text/html", charset="utf-8")
