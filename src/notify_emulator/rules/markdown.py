"""Notify's markdown subset, rendered for email HTML, plain-text email and letters (§3.2, §4.7).

Notify renders markdown with mistune 0.8.4 plus its own grammar patches: ``^`` starts
inset text, bullets are ``•``, ``*`` or ``-`` with the space after the marker optional,
only ``http(s)://`` addresses are autolinked, and emphasis, strong, strikethrough and code
spans are switched off. Current mistune (3) follows CommonMark instead, and cannot
be configured into that grammar: it needs a space after a list marker, treats ``+`` as a
bullet, has no ``•`` bullets, needs a space after ``#``, nests list items by content
indent rather than by any indent, and decodes ``&nbsp;`` in text. Those differences
change documented vectors, so the small 0.8.4-style block and inline grammar lives in
:mod:`notify_emulator.rules.markdown_grammar`, and this module holds Notify's four
renderers as classes.

The block lexer splits text into tokens; a renderer here turns tokens into output. Public
entry points: :func:`render_email_html`, :func:`render_plain_text`,
:func:`render_preheader` and :func:`render_letter_html`.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from urllib.parse import quote

from notify_emulator.rules.markdown_grammar import (
    INLINE_PATTERNS,
    INLINE_RULES,
    LINE_OF_SPACES,
    BlockLexer,
    Document,
    Token,
    escape,
    link_key,
)

__all__ = [
    "LINK_STYLE",
    "EmailHtmlRenderer",
    "LetterRenderer",
    "PlainTextRenderer",
    "PreheaderRenderer",
    "create_sanitised_html_for_url",
    "qr_code_data",
    "render",
    "render_email_html",
    "render_letter_html",
    "render_plain_text",
    "render_preheader",
]


# --- renderers -------------------------------------------------------------------------

RECOGNISED_URL_PROTOCOLS = ("ftp:", "file:", "http:", "https:", "mailto:", "tel:")
LINK_STYLE = "word-wrap: break-word; color: #1D70B8;"
PARAGRAPH_STYLE = "Margin: 0 0 20px 0; font-size: 19px; line-height: 25px; color: #0B0C0C;"

# A paragraph that is a QR code: "qr:" then the data (Notify's letter syntax).
_QR_CODE_PARAGRAPH = re.compile(r"^[\s]*qr[\s]*:[\s]*(.+)", re.IGNORECASE)
_LETTER_AUTOLINK = re.compile(r"<strong data-original-protocol='(https?://|)'>(.*?)</strong>")


def create_sanitised_html_for_url(
    link: str, *, style: str = "", title: str = "", link_text: str = ""
) -> str:
    """Return an ``<a>`` for ``link``: ``http://`` added when no known scheme is given, and
    every character but letters, digits, ``_.-~`` and ``:/?#=&;%`` percent-encoded, so the
    address cannot break out of the attribute but already-encoded parts stay as they are."""
    link_text = link_text or link
    if not link.lower().startswith(RECOGNISED_URL_PROTOCOLS):
        link = f"http://{link}"
    style_attribute = f'style="{style}" ' if style else ""
    href = quote(link, safe=":/?#=&;%")
    title_attribute = f' title="{title}"' if title else ""
    return f'<a {style_attribute}href="{href}"{title_attribute}>{link_text}</a>'


def qr_code_data(paragraph_html: str) -> str | None:
    """Return the data of a ``qr: ...`` paragraph (as rendered inline), or ``None``."""
    match = _QR_CODE_PARAGRAPH.fullmatch(paragraph_html)
    if not match:
        return None
    # Autolinking hid the protocol in a <strong>; a QR code needs the address as typed.
    return _LETTER_AUTOLINK.sub(r"\1\2", match.group(1))


def _restore_placeholder_link(link: str) -> str:
    # The link grammar eats the < > around an unfilled placeholder's <span> tag.
    if link.startswith("span class='placeholder") and link.endswith("</span"):
        return f"<{link}>"
    return link


class LetterRenderer:
    """Letter HTML: ``#`` is ``<h2>``, other headings are paragraphs, rules are page breaks,
    links stay as markdown text and bare addresses lose their protocol.

    ``qr_code`` turns the (HTML-escaped) data of a ``qr:`` paragraph into HTML; by default
    it is kept as text in ``<div class='qrcode'>``, for the PDF builder to draw.
    """

    def __init__(self, qr_code: Callable[[str], str] | None = None) -> None:
        self._qr_code = qr_code or _qr_code_as_text

    def text(self, text: str) -> str:
        return escape(text)

    def escape(self, text: str) -> str:
        return escape(text)

    def block_code(self, code: str) -> str:
        return code

    def block_quote(self, text: str) -> str:
        return text

    def block_html(self, html: str) -> str:
        return html

    def inline_html(self, html: str) -> str:
        return html

    def header(self, text: str, level: int) -> str:
        if level == 1:
            return f"<h2>{text}</h2>\n"
        return self.paragraph(text)

    def hrule(self) -> str:
        return '<div class="page-break">&nbsp;</div>'

    def paragraph(self, text: str) -> str:
        if not text.strip():
            return ""
        data = qr_code_data(text)
        if data:
            text = self._qr_code(data)
        return f"<p>{text}</p>"

    def table(self) -> str:
        return ""

    def list(self, body: str, ordered: bool) -> str:
        tag = "ol" if ordered else "ul"
        return f"<{tag}>\n{body}</{tag}>\n"

    def list_item(self, text: str) -> str:
        return f"<li>{text.strip()}</li>\n"

    def link(self, link: str, title: str | None, text: str) -> str:
        link = _restore_placeholder_link(link)
        if title:
            return f'[{text}]({link} "{title}")'
        return f"[{text}]({link})"

    def autolink(self, link: str, is_email: bool) -> str:
        protocol = ""
        match = re.match(r"^(https?://)", link)
        if match:
            protocol = match.group(1)
            link = link[len(protocol) :]
        return f"<strong data-original-protocol='{protocol}'>{link}</strong>"

    def image(self) -> str:
        return ""

    def linebreak(self) -> str:
        return "<br>"

    def newline(self) -> str:
        return self.linebreak()


# Keeps the hyphens in QR data out of the letter's hyphen-to-U+2011 step.
QR_HYPHEN_STAND_IN = "\U0010fffe\ue001"


def _qr_code_as_text(data: str) -> str:
    if "<span class='placeholder" in data or '<span class="placeholder' in data:
        body = f"<div class='qrcode-placeholder'>{data}</div>"
    else:
        body = f"<div class='qrcode'>{data}</div>"
    return body.replace("-", QR_HYPHEN_STAND_IN)


class EmailHtmlRenderer(LetterRenderer):
    """Email HTML with Notify's inline styles (the odd missing spaces included)."""

    def header(self, text: str, level: int) -> str:
        if level == 1:
            return (
                '<h2 style="Margin: 0 0 15px 0; padding: 10px 0 0 0; font-size: 27px; '
                f'line-height: 35px; font-weight: bold; color: #0B0C0C;">{text}</h2>'
            )
        if level == 2:
            return (
                '<h3 style="Margin: 0 0 15px 0; padding: 10px 0 0 0; font-size: 19px; '
                f'line-height: 25px; font-weight: bold; color: #0B0C0C;">{text}</h3>'
            )
        return self.paragraph(text)

    def hrule(self) -> str:
        return '<hr style="border: 0; height: 1px; background: #B1B4B6; Margin: 30px 0 30px 0;">'

    def list(self, body: str, ordered: bool) -> str:
        tag, style = ("ol", "decimal") if ordered else ("ul", "disc")
        return (
            '<table role="presentation" style="padding: 0 0 20px 0;"><tr>'
            '<td style="font-family: Helvetica, Arial, sans-serif;">'
            f'<{tag} style="Margin: 0 0 0 20px; padding: 0; list-style-type: {style};">'
            f"{body}</{tag}></td></tr></table>"
        )

    def list_item(self, text: str) -> str:
        return (
            '<li style="Margin: 5px 0 5px; padding: 0 0 0 5px; font-size: 19px;'
            f'line-height: 25px; color: #0B0C0C;">{text.strip()}</li>'
        )

    def paragraph(self, text: str) -> str:
        if text.strip():
            return f'<p style="{PARAGRAPH_STYLE}">{text}</p>'
        return ""

    def block_quote(self, text: str) -> str:
        return (
            '<div style="Margin: 0 0 20px 0;"><blockquote style="Margin: 0; '
            "border-left: 10px solid #B1B4B6;padding: 15px 0 0.1px 15px; font-size: 19px; "
            f'line-height: 25px;">{text}</blockquote></div>'
        )

    def link(self, link: str, title: str | None, text: str) -> str:
        link = _restore_placeholder_link(link)
        return create_sanitised_html_for_url(
            link, style=LINK_STYLE, title=title or "", link_text=text
        )

    def autolink(self, link: str, is_email: bool) -> str:
        if is_email:
            return link
        return create_sanitised_html_for_url(link, style=LINK_STYLE)


# Marks each plain-text list item until its list knows whether to number or bullet it.
_LIST_MARKER = "\U0010fffd\ue002"
COLUMN_WIDTH = 65


class PlainTextRenderer(EmailHtmlRenderer):
    """Plain-text email: underlined headings, ``•`` bullets, renumbered lists, and links
    written out as ``text: url``. Its output still has HTML entities to unescape."""

    def header(self, text: str, level: int) -> str:
        if level == 1:
            return "\n\n\n" + text + "\n" + "=" * COLUMN_WIDTH
        if level == 2:
            return "\n\n\n" + text + "\n" + "-" * COLUMN_WIDTH
        return self.paragraph(text)

    def hrule(self) -> str:
        return self.paragraph("".join(itertools.islice(itertools.cycle("=-"), COLUMN_WIDTH)))

    def linebreak(self) -> str:
        return "\n"

    def list(self, body: str, ordered: bool) -> str:
        numbers = itertools.count(1)
        return "\n" + re.sub(_LIST_MARKER, lambda _: f"{next(numbers)}." if ordered else "•", body)

    def list_item(self, text: str) -> str:
        return f"\n{_LIST_MARKER} {text.strip()}"

    def paragraph(self, text: str) -> str:
        if text.strip():
            return "\n\n" + text
        return ""

    def block_quote(self, text: str) -> str:
        return text

    def link(self, link: str, title: str | None, text: str) -> str:
        return text + (f" ({title})" if title else "") + ": " + link

    def autolink(self, link: str, is_email: bool) -> str:
        return link


class PreheaderRenderer(PlainTextRenderer):
    """The hidden email preheader: text only, headings as paragraphs, no rules or URLs."""

    def header(self, text: str, level: int) -> str:
        return self.paragraph(text)

    def hrule(self) -> str:
        return ""

    def link(self, link: str, title: str | None, text: str) -> str:
        return text + (f" ({title})" if title else "")


# Every renderer shares the letter renderer's interface (Notify's renderers inherit the
# same way), so it doubles as the type of "any renderer".
Renderer = LetterRenderer


# --- rendering tokens ------------------------------------------------------------------


class _InlineLexer:
    def __init__(self, renderer: Renderer, document: Document) -> None:
        self.renderer = renderer
        self.document = document
        self.in_link = False
        self.in_footnote = False
        self.footnote_index = 0

    def output(self, text: str) -> str:
        text = text.rstrip("\n")
        out: list[str] = []
        position = 0
        while position < len(text):
            for rule in INLINE_RULES:
                if rule == "footnote" and self.in_footnote:
                    continue
                match = INLINE_PATTERNS[rule].match(text, position)
                if not match or match.end() == position:
                    continue
                rendered = getattr(self, "_" + rule)(match)
                if rendered is not None:
                    out.append(rendered)
                    position = match.end()
                    break
            else:  # pragma: no cover - the text rule matches any non-empty string
                raise RuntimeError("markdown inline grammar made no progress")
        return "".join(out)

    def _escape(self, match: re.Match[str]) -> str:
        return self.renderer.escape(match.group(1))

    def _inline_html(self, match: re.Match[str]) -> str:
        return self.renderer.inline_html(match.group(0))

    def _autolink(self, match: re.Match[str]) -> str:
        return self.renderer.autolink(match.group(1), match.group(2) == "@")

    def _url(self, match: re.Match[str]) -> str:
        if self.in_link:
            return self.renderer.text(match.group(1))
        return self.renderer.autolink(match.group(1), False)

    def _footnote(self, match: re.Match[str]) -> str | None:
        key = link_key(match.group(1))
        if self.document.footnotes.get(key, 1):  # unknown, or already referenced
            return None
        self.footnote_index += 1
        self.document.footnotes[key] = self.footnote_index
        return ""  # Notify renders no footnote reference

    def _link(self, match: re.Match[str]) -> str:
        return self._process_link(match, match.group(3), match.group(4))

    def _reflink(self, match: re.Match[str]) -> str | None:
        found = self.document.links.get(link_key(match.group(2) or match.group(1)))
        return None if found is None else self._process_link(match, *found)

    def _nolink(self, match: re.Match[str]) -> str | None:
        found = self.document.links.get(link_key(match.group(1)))
        return None if found is None else self._process_link(match, *found)

    def _process_link(self, match: re.Match[str], link: str, title: str | None) -> str:
        if match.group(0).startswith("!"):
            return self.renderer.image()
        self.in_link = True
        text = self.output(match.group(1))
        self.in_link = False
        return self.renderer.link(link, title, text)

    def _linebreak(self, match: re.Match[str]) -> str:
        return self.renderer.linebreak()

    def _text(self, match: re.Match[str]) -> str:
        return self.renderer.text(match.group(0))


class _TokenRenderer:
    def __init__(self, renderer: Renderer, document: Document) -> None:
        self.renderer = renderer
        self.inline = _InlineLexer(renderer, document)
        self.footnotes: list[tuple[str, str]] = []

    def render(self, tokens: list[Token], *, merge_text: bool = False) -> str:
        out: list[str] = []
        index = 0
        while index < len(tokens):
            token = tokens[index]
            if token.kind == "text":
                # Consecutive text lines are one run of inline text.
                run = [token.text]
                while index + 1 < len(tokens) and tokens[index + 1].kind == "text":
                    index += 1
                    run.append(tokens[index].text)
                inline = self.inline.output("\n".join(run))
                out.append(inline if merge_text else self.renderer.paragraph(inline))
            else:
                out.append(self.render_token(token))
            index += 1
        return "".join(out)

    def render_token(self, token: Token) -> str:
        renderer = self.renderer
        match token.kind:
            case "newline":
                return renderer.newline()
            case "hrule":
                return renderer.hrule()
            case "code":
                return renderer.block_code(token.text)
            case "heading":
                return renderer.header(self.inline.output(token.text), token.level)
            case "table":
                return renderer.table()
            case "block_quote":
                return renderer.block_quote(self.render(token.children))
            case "list":
                body = "".join(
                    renderer.list_item(self.render(item.children, merge_text=not item.loose))
                    for item in token.children
                )
                return renderer.list(body, token.ordered)
            case "html":
                return renderer.block_html(token.text)
            case "paragraph":
                return renderer.paragraph(self.inline.output(token.text))
            case "footnote":
                self.inline.in_footnote = True
                self.footnotes.append((token.text, self.render(token.children)))
                self.inline.in_footnote = False
                return ""
        raise AssertionError(f"unknown markdown token {token.kind}")  # pragma: no cover


def _preprocess(text: str) -> str:
    text = re.sub(r"\r\n|\r", "\n", text)
    text = text.expandtabs(4).replace("\u2424", "\n")
    return LINE_OF_SPACES.sub("", text)


def render(text: str, renderer: Renderer) -> str:
    """Render Notify-flavoured markdown with any of this module's renderers."""
    document = Document()
    tokens = BlockLexer(document).parse(_preprocess(text))
    token_renderer = _TokenRenderer(renderer, document)
    out = token_renderer.render(tokens)
    # Footnotes that were referenced are appended in the order they were referenced.
    referenced = sorted(
        (document.footnotes[key], body)
        for key, body in token_renderer.footnotes
        if document.footnotes.get(key)
    )
    return out + "".join(body for _, body in referenced)


def render_email_html(text: str) -> str:
    """Render markdown (already HTML-escaped by the caller) to Notify's email HTML."""
    return render(text, EmailHtmlRenderer())


def render_plain_text(text: str) -> str:
    """Render markdown to the plain-text email's raw text (entities not yet unescaped)."""
    return render(text, PlainTextRenderer())


def render_preheader(text: str) -> str:
    """Render markdown to the text of an email preheader (before whitespace collapsing)."""
    return render(text, PreheaderRenderer())


def render_letter_html(text: str, qr_code: Callable[[str], str] | None = None) -> str:
    """Render markdown (already HTML-escaped) to Notify's letter body HTML."""
    return render(text, LetterRenderer(qr_code))
