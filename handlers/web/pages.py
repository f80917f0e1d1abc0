"""The web chat's pages: plain, semantic HTML5, no script, no inline style.

Texts from the engine (prompts, notices, answers) are HTML-safe already (the core escapes what
people typed); every other value that goes into a page is escaped here. Newlines become
``<br>``. Errors follow GOV.UK's pattern: a summary at the top linking to the field, the
field's own message, ``aria-invalid`` and ``aria-describedby``.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from bot.core import messages
from bot.core.inputs import Toggle
from bot.core.language import active, direction, languages, name
from bot.core.prompts import Button, Prompt
from bot.core.questionnaire import Kind, Question
from handlers.web import forms
from handlers.web.forms import Field
from handlers.web.status import Sent


@dataclass(frozen=True)
class Row:
    """One answer so far: its label, its HTML-safe value, and at the summary its "Wijzig"."""

    label: str
    value: str
    change: Button | None = None


@dataclass(frozen=True)
class Step:
    """What the conversation page shows."""

    token: str
    prompt: Prompt
    question: Question | None
    rows: list[Row]
    error: str | None = None
    notice: str | None = None


def message(text: str, *, link: bool = True) -> str:
    """A page with one message (an error page, the end of a conversation)."""
    more = f'<p><a href="/">{escape(messages.WEB_NEW_SIGNAL)}</a></p>' if link else ""
    return _layout(f"<h1>{escape(messages.WEB_TITLE)}</h1>\n<p>{_html(worded(text))}</p>\n{more}")


def worded(notice: str) -> str:
    """A core notice as the web says it: no chat command to type."""
    return messages.WEB_REWORDED.get(notice, notice)


def done(sent: Sent, status_url: str | None) -> str:
    """After sending: the thanks, what happens next, the status link, the suggestions."""
    suggested = (f'<section class="suggestions"><p>{_html(sent.suggestions)}</p></section>\n'
                 if sent.suggestions else "")
    thanks = messages.SUBMITTED_BY_KIND.get(sent.kind, messages.WEB_SUBMITTED).format(
        reference=escape(sent.reference), gemeente=escape(sent.gemeente))
    next_steps = messages.WEB_NEXT_STEPS_CONTACT if sent.contact else messages.WEB_NEXT_STEPS
    steps = "" if sent.kind in messages.SUBMITTED_BY_KIND else (  # said in their thanks
        f"<p>{escape(next_steps)}</p>\n")
    if status_url is None:
        link = f"<p>{escape(messages.WEB_STATUS_LINK_GONE)}</p>"
    else:
        url = escape(status_url)
        link = (f"<p>{escape(messages.WEB_STATUS_LINK)}</p>\n"
                f'<p class="reference"><a href="{url}">{url}</a></p>')
    return _layout(
        f"<h1>{escape(messages.WEB_TITLE)}</h1>\n"
        f'<div class="notice" role="status"><p>{_html(thanks)}</p></div>\n'
        f"{steps}{link}\n{suggested}"
        f'<p><a href="/">{escape(messages.WEB_NEW_SIGNAL)}</a></p>')


def help_page(forget_token: str | None) -> str:
    """Help and privacy; with a session, the form that forgets this browser's signaler."""
    parts = [f"<h1>{escape(messages.WEB_HELP_TITLE)}</h1>",
             f"<p>{_html(messages.WEB_HELP)}</p>",
             f'<p class="notice">{_html(messages.HELP_DANGER)}</p>',
             f"<p>{_html(messages.WEB_PRIVACY)}</p>",
             f'<h2 id="forget">{escape(messages.WEB_FORGET_TITLE)}</h2>']
    if forget_token is None:
        parts.append(f"<p>{escape(messages.WEB_FORGET_NOTHING)}</p>")
    else:
        parts.append(
            f'<form method="post" action="/vergeetmij" aria-labelledby="forget">'
            f"<p>{escape(messages.WEB_FORGET)}</p>"
            f'<input type="hidden" name="token" value="{escape(forget_token)}">'
            f'<div class="actions"><button type="submit" name="action" value="forget">'
            f"{escape(messages.FORGET_YES)}</button></div></form>")
    parts.append(f'<p><a href="/">{escape(messages.WEB_BACK)}</a></p>')
    return _layout("\n".join(parts))


def status(text: str) -> str:
    """The status page: the plain status of one signal, nothing more."""
    return _layout(f"<h1>{escape(messages.WEB_STATUS_TITLE)}</h1>\n"
                   f'<p role="status">{escape(text)}</p>')


def conversation(step: Step) -> str:
    """The conversation: the answers so far, then one question as a form."""
    prompt, token = step.prompt, step.token
    field = forms.field_of(prompt, step.question)
    summary = bool(prompt.edit_groups)
    parts = [f"<h1>{escape(messages.WEB_TITLE)}</h1>"]
    if step.error:
        parts.append(
            '<div class="error-summary" role="alert" aria-labelledby="error-title">'
            f'<h2 id="error-title">{escape(messages.WEB_ERROR_TITLE)}</h2>'
            f'<ul><li><a href="#{_first_id(field)}">{_html(step.error)}</a></li></ul></div>')
    if step.notice:
        parts.append(
            f'<div class="notice" role="status"><p>{_html(worded(step.notice))}</p></div>')
    if step.rows and not summary:
        items = "".join(f'<li><span class="label">{escape(r.label)}:</span> '
                        f'<span class="value">{r.value}</span></li>' for r in step.rows)
        parts.append(f'<h2 id="answers">{escape(messages.WEB_ANSWERS)}</h2>'
                     f'<div role="log" aria-labelledby="answers"><ol class="answers">{items}</ol>'
                     "</div>")
    body = [f'<input type="hidden" name="token" value="{escape(token)}">',
            f'<input type="hidden" name="question" value="{escape(prompt.question)}">']
    if summary:
        body.append(_check_answers(step.rows, token))
    body.append(_fieldset(step, field))
    parts.append('<form method="post" action="/">' + "".join(body) + "</form>")
    return _layout("\n".join(parts))


def _fieldset(step: Step, field: Field) -> str:
    prompt, token = step.prompt, step.token
    error_id = "answer-error" if step.error else ""
    invalid = f' aria-invalid="true" aria-describedby="{error_id}"' if step.error else ""
    own_error = (f'<p class="error-message" id="{error_id}">{_html(step.error)}</p>'
                 if step.error else "")
    question = step.question
    text = question.text if prompt.edit_groups and question is not None else prompt.text
    inner = [f"<legend>{_html(text)}</legend>", own_error]
    if field is Field.TEXT:
        inner.append(_text_field(step.question, invalid))
    for index, button in enumerate(forms.options(prompt, field)):
        inner.append(_option(field, token, button, index, invalid))
    buttons = []
    if field is not Field.BUTTONS:
        buttons.append('<button type="submit" class="primary" name="action" value="next">'
                       f"{escape(messages.WEB_NEXT)}</button>")
    primary = ' class="primary"' if field is Field.BUTTONS else ""
    for position, button in enumerate(forms.actions(prompt, field)):
        buttons.append(f'<button type="submit"{primary if position == 0 else ""} name="button" '
                       f'value="{escape(forms.value(token, button))}">'
                       f"{escape(button.label)}</button>")
    return (f'<fieldset{invalid if field is Field.BUTTONS else ""}>{"".join(inner)}</fieldset>'
            f'<div class="actions">{"".join(buttons)}</div>')


def _option(field: Field, token: str, button: Button, index: int, invalid: str) -> str:
    if field is Field.CHECK:
        toggle = button.input
        assert isinstance(toggle, Toggle)
        value, checked, kind, name = toggle.value, not toggle.on, "checkbox", "pick"
        label = button.label.removeprefix("✅ ").removeprefix("▫️ ")
    else:
        value, checked, kind, name = forms.value(token, button), False, "radio", "choice"
        label = button.label
    return (f'<div class="option"><input type="{kind}" id="option-{index}" name="{name}" '
            f'value="{escape(value)}"{" checked" if checked else ""}{invalid}>'
            f'<label for="option-{index}">{escape(label)}</label></div>')


def _text_field(question: Question | None, invalid: str) -> str:
    kind = question.kind if question is not None else Kind.TEXT
    hints = {Kind.POSTCODE: ' autocomplete="postal-code" maxlength="7" spellcheck="false"',
             Kind.HOUSE_NUMBER: ' autocomplete="off" maxlength="12" spellcheck="false"',
             Kind.PHONE: ' type="tel" autocomplete="tel" inputmode="tel" maxlength="20"'}
    label = f'<label for="answer">{escape(messages.WEB_ANSWER_LABEL)}</label>'
    if kind in hints:
        typed = "" if kind is Kind.PHONE else ' type="text"'
        return f'{label}<input id="answer" name="answer"{typed}{hints[kind]}{invalid}>'
    limit = f' maxlength="{question.max_chars}"' if question and question.max_chars else ""
    return f'{label}<textarea id="answer" name="answer" rows="5"{limit}{invalid}></textarea>'


def _check_answers(rows: list[Row], token: str) -> str:
    """GOV.UK's check-answers list: each answer with its "Wijzig" button."""
    items = []
    for row in rows:
        change = "" if row.change is None else (
            f'<button type="submit" name="button" value="{escape(forms.value(token, row.change))}"'
            f' aria-label="{escape(messages.WEB_CHANGE_WHAT.format(part=row.label))}">'
            f"{escape(messages.WEB_CHANGE)}</button>")
        items.append(f'<li><span class="label">{escape(row.label)}:</span> '
                     f'<span class="value">{row.value}</span>{change}</li>')
    return (f'<h2 id="answers">{escape(messages.WEB_ANSWERS)}</h2>'
            f'<div role="log" aria-labelledby="answers"><ul class="check">{"".join(items)}</ul>'
            "</div>")


def _first_id(field: Field) -> str:
    return {Field.TEXT: "answer", Field.RADIO: "option-0", Field.CHECK: "option-0"}.get(
        field, "main")


def _html(text: str) -> str:
    """An HTML-safe engine text, its line breaks kept."""
    return text.replace("\n", "<br>")


def _layout(main: str) -> str:
    code = active()
    return (f'<!doctype html>\n<html lang="{code}" dir="{direction(code)}">\n<head>\n'
            '<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{escape(messages.WEB_TITLE)}</title>\n"
            '<link rel="stylesheet" href="/static/web.css">\n</head>\n<body>\n'
            f'<main id="main">\n{main}\n</main>\n'
            f'<footer><a href="/hulp">{escape(messages.WEB_HELP_LINK)}</a>\n{_languages(code)}'
            '</footer>\n'
            "</body>\n</html>\n")


def _languages(current: str) -> str:
    """A button per other language, each in its own name (``POST /taal``)."""
    buttons = "".join(f'<button name="code" value="{code}" lang="{code}" dir="{direction(code)}">'
                      f"{escape(name(code))}</button>" for code in languages() if code != current)
    return (f'<form method="post" action="/taal" aria-label="{escape(messages.WEB_LANGUAGES)}">'
            f"{buttons}</form>\n") if buttons else ""
