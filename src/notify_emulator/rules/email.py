"""Emails: the API body, the subject, the HTML and plain-text parts, and the limits (§3).

Source: notifications-utils ``template.py`` (``BaseEmailTemplate``, ``HTMLEmailTemplate``,
``PlainTextEmailTemplate``). The API ``body`` is the markdown source with the values
filled in; the markdown is only rendered for the message itself and for the v2 preview's
``html``. So its grammar (:mod:`notify_emulator.rules.markdown`, whose patterns take a while to
compile) is imported when the first one is rendered, not with the rules.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from typing import Any

from notify_emulator.rules.errors import MessageEmpty, MessageTooLong
from notify_emulator.rules.placeholders import fill
from notify_emulator.rules.typography import nice_typography, normalise_whitespace, unlink_govuk

__all__ = [
    "EMAIL_SIZE_LIMIT_IN_BYTES",
    "PREHEADER_LENGTH",
    "check_email",
    "content_with_unsubscribe_link",
    "email_body",
    "email_html_body",
    "email_plain_text",
    "email_preheader",
    "email_size_in_bytes",
    "email_subject",
    "is_message_empty",
]

# template.py: more than 2,000,000 bytes of API body is too long; exactly 2,000,000 is fine.
EMAIL_SIZE_LIMIT_IN_BYTES = 2_000_000

# Characters of text shown as the hidden preheader in mail clients.
PREHEADER_LENGTH = 256

Personalisation = Mapping[str, Any] | None


def email_body(content: str, personalisation: Personalisation) -> str:
    """The ``body`` the API returns: values filled (lists as markdown bullets), no markdown
    rendering, no typography, trimmed."""
    return fill(content, personalisation, markdown_lists=True).strip()


def email_subject(subject: str, personalisation: Personalisation, *, escape: bool = False) -> str:
    """The subject: prose lists, typography, and all whitespace collapsed onto one line.

    ``escape=False`` gives the subject the API returns and the plain-text email uses;
    ``escape=True`` the HTML-escaped form for the HTML email's ``<title>``.
    """
    filled = fill(subject, personalisation, escape=escape, unfilled="html" if escape else "plain")
    return normalise_whitespace(nice_typography(filled))


def content_with_unsubscribe_link(content: str, unsubscribe_link: str | None) -> str:
    """Append Notify's unsubscribe markdown when the template asks for the link (§3.5)."""
    if unsubscribe_link:
        return f"{content}\n\n---\n\n[Unsubscribe from these emails]({unsubscribe_link})"
    return content


def _strip_unsupported_characters(text: str) -> str:
    # Line separator and Hangul filler break some mail clients.
    return text.replace("\u2028", "").replace("\u3164", "")


def _prepare_markdown(
    content: str, personalisation: Personalisation, *, escape: bool, unsubscribe_link: str | None
) -> str:
    text = fill(
        content_with_unsubscribe_link(content, unsubscribe_link),
        personalisation,
        escape=escape,
        markdown_lists=True,
        unfilled="html" if escape else "plain",
    )
    return _strip_unsupported_characters(unlink_govuk(text)) + "\n"


def email_html_body(
    content: str, personalisation: Personalisation, *, unsubscribe_link: str | None = None
) -> str:
    """The HTML body fragment: the v2 preview's ``html`` and the inside of the email.

    Values are HTML-escaped before the markdown is rendered, so personalisation cannot
    inject HTML (it can still inject markdown; see ``sanitise_content_for``).
    """
    from notify_emulator.rules.markdown import render_email_html

    markdown = _prepare_markdown(
        content, personalisation, escape=True, unsubscribe_link=unsubscribe_link
    )
    return nice_typography(render_email_html(markdown))


def email_plain_text(
    content: str, personalisation: Personalisation, *, unsubscribe_link: str | None = None
) -> str:
    """The plain-text part of the email, ending with exactly one newline."""
    from notify_emulator.rules.markdown import render_plain_text

    markdown = _prepare_markdown(
        content, personalisation, escape=False, unsubscribe_link=unsubscribe_link
    )
    text = html.unescape(nice_typography(render_plain_text(markdown)))
    return text.lstrip() + "\n"


def email_preheader(content: str, personalisation: Personalisation) -> str:
    """The hidden preheader text: the first 256 characters of a text-only rendering.

    Notify counts the characters of the HTML-escaped text, so ``&amp;`` counts 5. Notify's
    email wrapper shows it followed by an ellipsis.
    """
    from notify_emulator.rules.markdown import render_preheader

    markdown = _prepare_markdown(content, personalisation, escape=True, unsubscribe_link=None)
    text = nice_typography(render_preheader(markdown))
    return _cut_text(" ".join(text.split()), PREHEADER_LENGTH)


# One piece of the preheader's HTML: a tag, a character reference, or one character.
_HTML_PIECE = re.compile(
    r"<(/?)([a-zA-Z]+)[^<>]*>|&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[a-zA-Z]+);|.", re.S
)


def _cut_text(fragment: str, length: int) -> str:
    """The first ``length`` characters of an HTML fragment, trimmed, as Notify cuts its
    preheader (``[:256]`` of the escaped text, so markup and character references count), but
    with the markup kept whole: a tag or character reference the cut would split is left out,
    and tags left open are closed.

    The preheader sits inside a hidden element, so markup cut in half (an unclosed attribute
    quote, say) would hide the whole email with it.
    """
    out: list[str] = []
    open_tags: list[str] = []
    count = 0
    for piece in _HTML_PIECE.finditer(fragment):
        count += len(piece.group(0))
        if count > length:
            break
        tag = piece.group(2)
        if tag is not None:
            if not piece.group(1):
                open_tags.append(tag.lower())
            elif open_tags and open_tags[-1] == tag.lower():
                open_tags.pop()
        out.append(piece.group(0))
    cut = "".join(out)
    # Trim the text the cut left at the end, also inside tags still open.
    cut = cut.rstrip()
    return cut + "".join(f"</{tag}>" for tag in reversed(open_tags))


def email_size_in_bytes(content: str, personalisation: Personalisation) -> int:
    """The size the limit applies to: UTF-8 bytes of the API body (subject not counted)."""
    return len(email_body(content, personalisation).encode("utf-8"))


def is_message_empty(content: str, personalisation: Personalisation) -> bool:
    """Notify's empty check for emails and letters (§3.6).

    Only a template that starts with ``((`` and ends with ``))`` can come out empty.
    """
    if not content:
        return True
    if not (content.startswith("((") and content.endswith("))")):
        return False
    return email_body(content, personalisation) == ""


def check_email(content: str, personalisation: Personalisation) -> None:
    """Raise Notify's errors for an empty or too-large email (``MessageEmpty`` first).

    The API checks emptiness before the recipient and size after it; callers that need
    that order can use :func:`is_message_empty` and :func:`email_size_in_bytes`.
    """
    if is_message_empty(content, personalisation):
        raise MessageEmpty()
    size = email_size_in_bytes(content, personalisation)
    if size > EMAIL_SIZE_LIMIT_IN_BYTES:
        raise MessageTooLong(
            "Your message is too long. Emails cannot be longer than "
            f"{EMAIL_SIZE_LIMIT_IN_BYTES} bytes. Your message is {size} bytes."
        )
