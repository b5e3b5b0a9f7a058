"""Notify's markdown subset, rendered for email HTML, plain-text email and letters (§3.2, §4.7).

Notify renders markdown with mistune 0.8.4 plus its own grammar patches: ``^`` starts
inset text, bullets are ``•``, ``*`` or ``-`` with the space after the marker optional,
only ``http(s)://`` addresses are autolinked, and emphasis, strong, strikethrough and code
spans are switched off. mistune 3 (installed here) follows CommonMark instead, and cannot
be configured into that grammar: it needs a space after a list marker, treats ``+`` as a
bullet, has no ``•`` bullets, needs a space after ``#``, nests list items by content
indent rather than by any indent, and decodes ``&nbsp;`` in text. Those differences
change documented vectors, so this module carries the small 0.8.4-style block and
inline grammar itself (the regular expressions below are that grammar, with Notify's
patches) and Notify's four renderers as classes.

The block lexer splits text into tokens; a renderer turns tokens into output. Public
entry points: :func:`render_email_html`, :func:`render_plain_text`,
:func:`render_preheader` and :func:`render_letter_html`.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import quote

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

# --- block grammar (mistune 0.8.4, with Notify's patches where noted) -------------------

_INLINE_TAGS = (
    "a|em|strong|small|s|cite|q|dfn|abbr|data|time|code|var|samp|kbd|sub|sup|i|b|u|mark|"
    "ruby|rt|rp|bdi|bdo|span|br|wbr|ins|del|img|font"
)
_VALID_END = r"(?!:/|[^\w\s@]*@)\b"
_VALID_ATTR = r"""\s*[a-zA-Z\-](?:\s*\=\s*(?:"[^"]*"|'[^']*'|[^\s'">]+))?"""
_BLOCK_TAG = rf"(?!(?:{_INLINE_TAGS})\b)\w+{_VALID_END}"

_DEF_LINKS = r'\ *\[([^^\]]+)\]:\ *<?([^\s>]+)>?(?:\ +["(]([^\n]+)[")])?\ *(?:\n+|$)'
_DEF_FOOTNOTES = r"\[\^([^\]]+)\]:\ *([^\n]*(?:\n+|$)(?:\ {1,}[^\n]*(?:\n+|$))*)"
_FENCES = r"\ *(`{3,}|~{3,})\ *([^`\s]+)?\ *\n([\s\S]+?)\s*\1\ *(?:\n+|$)"
_HRULE = r"\ {0,3}[-*_](?:\ *[-*_]){2,}\ *(?:\n+|$)"
_HEADING = r"\ *(\#{1,6})\ *([^\n]+?)\ *\#*\ *(?:\n+|$)"
_LHEADING = r"([^\n]+)\n\ *(=|-)+\ *(?:\n+|$)"
# The unpatched list and quote grammars still decide where a *paragraph* stops, because
# mistune composes its paragraph rule from them before Notify's patches are applied.
_ORIGINAL_LIST_BLOCK = (
    r"(\ *)(?=[*+-]|\d+\.)(([*+-])?(?:\d+\.)?)\ [\s\S]+?"
    r"(?:"
    r"\n+(?=\1?(?:[-*_]\ *){3,}(?:\n+|$))"
    rf"|\n+(?={_DEF_LINKS})"
    rf"|\n+(?={_DEF_FOOTNOTES})"
    r"|\n+(?=\1(?(3)\d+\.|[*+-])\ )"
    r"|\n{2,}(?!\ )(?!\1(?:[*+-]|\d+\.)\ )\n*"
    r"|\s*$)"
)
_ORIGINAL_BLOCK_QUOTE = r"(\ *>[^\n]+(\n[^\n]+)*\n*)+"

NEWLINE = re.compile(r"^\n+")
HRULE = re.compile("^" + _HRULE)
BLOCK_CODE = re.compile(r"^( {4}[^\n]+\n*)+")
FENCES = re.compile("^" + _FENCES)
HEADING = re.compile("^" + _HEADING)
LHEADING = re.compile("^" + _LHEADING)
NPTABLE = re.compile(r"^ *(\S.*\|.*)\n *([-:]+ *\|[-| :]*)\n((?:.*\|.*(?:\n|$))*)\n*")
TABLE = re.compile(r"^ *\|(.+)\n *\|( *[-:]+[-| :]*)\n((?: *\|.*(?:\n|$))*)\n*")
# Notify: inset text starts with ^ (not >).
BLOCK_QUOTE = re.compile(r"^( *\^[^\n]+(\n[^\n]+)*\n*)+")
BLOCK_QUOTE_MARKER = re.compile(r"^ *\^ ?", re.MULTILINE)
# Notify: bullets are • * or -, ordered items N., and no space is needed after either.
_BULLET = r"(?:[•*-]|\d+\.)"
LIST_BLOCK = re.compile(
    rf"^( *)({_BULLET})[\s\S]+?"
    r"(?:"
    r"\n+(?=\1?(?:[-*_] *){3,}(?:\n+|$))"
    rf"|\n+(?={_DEF_LINKS})"
    rf"|\n+(?={_DEF_FOOTNOTES})"
    rf"|\n{{2,}}(?! )(?!\1{_BULLET} )\n*"
    r"|\s*$)",
)
LIST_ITEM = re.compile(rf"^(( *){_BULLET}[^\n]*(?:\n(?!\2{_BULLET})[^\n]*)*)", re.MULTILINE)
LIST_BULLET = re.compile(rf"^ *{_BULLET}")
BLOCK_HTML = re.compile(
    r"^ *(?:<!--[\s\S]*?-->"
    rf"|<({_BLOCK_TAG})((?:{_VALID_ATTR})*?)>([\s\S]*?)<\/\1>"
    rf"|<{_BLOCK_TAG}(?:{_VALID_ATTR})*?\s*\/?>)"
    r" *(?:\n{2,}|\s*$)"
)
DEF_LINKS = re.compile("^" + _DEF_LINKS)
DEF_FOOTNOTES = re.compile("^" + _DEF_FOOTNOTES)
# A paragraph runs line by line until the next line would start another block. Group
# numbers shift inside this composite, exactly as they do in mistune 0.8.4.
PARAGRAPH = re.compile(
    r"^((?:[^\n]+\n?(?!"
    + "|".join(
        (
            _FENCES.replace(r"\1", r"\2"),
            _ORIGINAL_LIST_BLOCK.replace(r"\1", r"\3"),
            _HRULE,
            _HEADING,
            _LHEADING,
            _ORIGINAL_BLOCK_QUOTE,
            _DEF_LINKS,
            _DEF_FOOTNOTES,
            "<" + _BLOCK_TAG,
        )
    )
    + r"))+)\n*",
)
TEXT = re.compile(r"^[^\n]+")

_TOP_LEVEL_RULES = (
    "newline",
    "hrule",
    "block_code",
    "fences",
    "heading",
    "nptable",
    "lheading",
    "block_quote",
    "list_block",
    "block_html",
    "def_links",
    "def_footnotes",
    "table",
    "paragraph",
    "text",
)
_LIST_ITEM_RULES = (
    "newline",
    "block_code",
    "fences",
    "lheading",
    "hrule",
    "block_quote",
    "list_block",
    "block_html",
    "text",
)
_FOOTNOTE_RULES = (
    "newline",
    "block_code",
    "fences",
    "heading",
    "nptable",
    "lheading",
    "hrule",
    "block_quote",
    "list_block",
    "block_html",
    "table",
    "paragraph",
    "text",
)
_MAX_NESTING = 6

# --- inline grammar (hard_wrap on; Notify drops emphasis, strong, strike and code) -------

ESCAPE = re.compile(r"^\\([\\`*{}\[\]()#+\-.!_>~|])")
INLINE_HTML = re.compile(
    r"^(?:<!--[\s\S]*?-->"
    rf"|<(\w+{_VALID_END})((?:{_VALID_ATTR})*?)\s*>([\s\S]*?)<\/\1>"
    rf"|<\w+{_VALID_END}(?:{_VALID_ATTR})*?\s*\/?>)"
)
AUTOLINK = re.compile(r"^<([^ >]+(@|:)[^ >]+)>")
# Notify: only http(s), and the address may not end in < . , : " ' ) ] or whitespace.
URL = re.compile(r"""^(https?://[^\s<]+[^<.,:"')\]\s])""")
FOOTNOTE = re.compile(r"^\[\^([^\]]+)\]")
_LINK_TEXT = r"(?:\[[^^\]]*\]|[^\[\]]|\](?=[^\[]*\]))*"
LINK = re.compile(
    rf"^!?\[({_LINK_TEXT})\]\("
    r"""\s*(<)?([\s\S]*?)(?(2)>)(?:\s+['"]([\s\S]*?)['"])?\s*\)"""
)
REFLINK = re.compile(rf"^!?\[({_LINK_TEXT})\]\s*\[([^^\]]*)\]")
NOLINK = re.compile(r"^!?\[((?:\[[^\]]*\]|[^\[\]])*)\]")
LINEBREAK = re.compile(r"^ *\n(?!\s*$)")
INLINE_TEXT = re.compile(r"^[\s\S]+?(?=[\\<!\[_*`~]|https?://| *\n|$)")

_SMART_AMPERSAND = re.compile(r"&(?!#?\w+;)")
_KEY_WHITESPACE = re.compile(r"\s+")
_LINE_OF_SPACES = re.compile(r"^ +$", re.MULTILINE)


def escape(text: str) -> str:
    """Escape ``&`` (unless it starts an entity), ``<`` and ``>``, as mistune does."""
    text = _SMART_AMPERSAND.sub("&amp;", text)
    return text.replace("<", "&lt;").replace(">", "&gt;")


def _key(text: str) -> str:
    lowered = escape(text.lower()).replace('"', "&quot;").replace("'", "&#39;")
    return _KEY_WHITESPACE.sub(" ", lowered)


# --- tokens ----------------------------------------------------------------------------


@dataclass
class _Token:
    kind: str
    text: str = ""
    level: int = 0
    ordered: bool = False
    loose: bool = False
    children: list[_Token] = field(default_factory=list)


@dataclass
class _Document:
    links: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    footnotes: dict[str, int] = field(default_factory=dict)


class _BlockLexer:
    def __init__(self, document: _Document) -> None:
        self.document = document
        self.list_depth = 0
        self.quote_depth = 0

    def parse(self, text: str, rules: tuple[str, ...] = _TOP_LEVEL_RULES) -> list[_Token]:
        tokens: list[_Token] = []
        text = text.rstrip("\n")
        position = 0
        while position < len(text):
            for rule in rules:
                match = _BLOCK_RULES[rule].match(text, position)
                if match and match.end() > position:
                    getattr(self, "_" + rule)(match, tokens)
                    position = match.end()
                    break
            else:  # pragma: no cover - the text rule matches any non-empty line
                raise RuntimeError("markdown block grammar made no progress")
        return tokens

    def _newline(self, match: re.Match[str], tokens: list[_Token]) -> None:
        if len(match.group(0)) > 1:
            tokens.append(_Token("newline"))

    def _hrule(self, match: re.Match[str], tokens: list[_Token]) -> None:
        tokens.append(_Token("hrule"))

    def _block_code(self, match: re.Match[str], tokens: list[_Token]) -> None:
        tokens.append(_Token("code", re.sub(r"^ {4}", "", match.group(0), flags=re.MULTILINE)))

    def _fences(self, match: re.Match[str], tokens: list[_Token]) -> None:
        tokens.append(_Token("code", match.group(3)))

    def _heading(self, match: re.Match[str], tokens: list[_Token]) -> None:
        tokens.append(_Token("heading", match.group(2), level=len(match.group(1))))

    def _lheading(self, match: re.Match[str], tokens: list[_Token]) -> None:
        level = 1 if match.group(2) == "=" else 2
        tokens.append(_Token("heading", match.group(1), level=level))

    def _nptable(self, match: re.Match[str], tokens: list[_Token]) -> None:
        tokens.append(_Token("table"))

    _table = _nptable

    def _block_quote(self, match: re.Match[str], tokens: list[_Token]) -> None:
        self.quote_depth += 1
        if self.quote_depth > _MAX_NESTING:
            children = [_Token("text", match.group(0))]
        else:
            children = self.parse(BLOCK_QUOTE_MARKER.sub("", match.group(0)))
        self.quote_depth -= 1
        tokens.append(_Token("block_quote", children=children))

    def _list_block(self, match: re.Match[str], tokens: list[_Token]) -> None:
        ordered = "." in match.group(2)
        self.list_depth += 1
        if self.list_depth > _MAX_NESTING:
            items = [_Token("item", children=[_Token("text", match.group(0))])]
        else:
            items = self._list_items(match.group(0))
        self.list_depth -= 1
        tokens.append(_Token("list", ordered=ordered, children=items))

    def _list_items(self, block: str) -> list[_Token]:
        found = [groups[0] for groups in LIST_ITEM.findall(block)]
        items: list[_Token] = []
        next_is_loose = False
        for index, raw in enumerate(found):
            item = LIST_BULLET.sub("", raw, count=1)
            if "\n " in item:
                # Outdent continuation lines by up to the width of the marker.
                width = len(raw) - len(item)
                item = re.sub(rf"^ {{1,{width}}}", "", item, flags=re.MULTILINE)
            loose = next_is_loose or bool(re.search(r"\n\n(?!\s*$)", item))
            if index != len(found) - 1 and item:
                next_is_loose = item.endswith("\n")
                loose = loose or next_is_loose
            items.append(_Token("item", loose=loose, children=self.parse(item, _LIST_ITEM_RULES)))
        return items

    def _block_html(self, match: re.Match[str], tokens: list[_Token]) -> None:
        tag = match.group(1)
        # An element is rebuilt from its parts; a comment or lone tag is kept as matched.
        html = f"<{tag}{match.group(2) or ''}>{match.group(3)}</{tag}>" if tag else match.group(0)
        tokens.append(_Token("html", html))

    def _def_links(self, match: re.Match[str], tokens: list[_Token]) -> None:
        self.document.links[_key(match.group(1))] = (match.group(2), match.group(3))

    def _def_footnotes(self, match: re.Match[str], tokens: list[_Token]) -> None:
        key = _key(match.group(1))
        if key in self.document.footnotes:
            return
        self.document.footnotes[key] = 0
        text = match.group(2)
        if "\n" in text:
            lines = text.split("\n")
            indents = [len(line) - len(line.lstrip()) for line in lines[1:]]
            indent = min((width for width in indents if width), default=0)
            text = "\n".join([lines[0], *(line[indent:] for line in lines[1:])])
        children = self.parse(text, _FOOTNOTE_RULES)
        tokens.append(_Token("footnote", key, children=children))

    def _paragraph(self, match: re.Match[str], tokens: list[_Token]) -> None:
        tokens.append(_Token("paragraph", match.group(1).rstrip("\n")))

    def _text(self, match: re.Match[str], tokens: list[_Token]) -> None:
        tokens.append(_Token("text", match.group(0)))


def _at_position(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """The same rule without its leading ``^``, for ``pattern.match(text, position)``.

    Matching at a position instead of slicing the rest of the text off after every token
    keeps long messages linear (``^`` would only match at the true start).
    """
    if not pattern.pattern.startswith("^"):
        raise ValueError(f"markdown rule must be anchored: {pattern.pattern!r}")
    return re.compile(pattern.pattern[1:], pattern.flags)


_BLOCK_RULES: dict[str, re.Pattern[str]] = {
    "newline": NEWLINE,
    "hrule": HRULE,
    "block_code": BLOCK_CODE,
    "fences": FENCES,
    "heading": HEADING,
    "nptable": NPTABLE,
    "lheading": LHEADING,
    "block_quote": BLOCK_QUOTE,
    "list_block": LIST_BLOCK,
    "block_html": BLOCK_HTML,
    "def_links": DEF_LINKS,
    "def_footnotes": DEF_FOOTNOTES,
    "table": TABLE,
    "paragraph": PARAGRAPH,
    "text": TEXT,
}
_BLOCK_RULES = {name: _at_position(pattern) for name, pattern in _BLOCK_RULES.items()}

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
    def __init__(self, renderer: Renderer, document: _Document) -> None:
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
            for rule in _INLINE_RULES:
                if rule == "footnote" and self.in_footnote:
                    continue
                match = _INLINE_PATTERNS[rule].match(text, position)
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
        key = _key(match.group(1))
        if self.document.footnotes.get(key, 1):  # unknown, or already referenced
            return None
        self.footnote_index += 1
        self.document.footnotes[key] = self.footnote_index
        return ""  # Notify renders no footnote reference

    def _link(self, match: re.Match[str]) -> str:
        return self._process_link(match, match.group(3), match.group(4))

    def _reflink(self, match: re.Match[str]) -> str | None:
        found = self.document.links.get(_key(match.group(2) or match.group(1)))
        return None if found is None else self._process_link(match, *found)

    def _nolink(self, match: re.Match[str]) -> str | None:
        found = self.document.links.get(_key(match.group(1)))
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


_INLINE_RULES = (
    "escape",
    "inline_html",
    "autolink",
    "url",
    "footnote",
    "link",
    "reflink",
    "nolink",
    "linebreak",
    "text",
)
_INLINE_PATTERNS: dict[str, re.Pattern[str]] = {
    "escape": ESCAPE,
    "inline_html": INLINE_HTML,
    "autolink": AUTOLINK,
    "url": URL,
    "footnote": FOOTNOTE,
    "link": LINK,
    "reflink": REFLINK,
    "nolink": NOLINK,
    "linebreak": LINEBREAK,
    "text": INLINE_TEXT,
}
_INLINE_PATTERNS = {name: _at_position(pattern) for name, pattern in _INLINE_PATTERNS.items()}


class _TokenRenderer:
    def __init__(self, renderer: Renderer, document: _Document) -> None:
        self.renderer = renderer
        self.inline = _InlineLexer(renderer, document)
        self.footnotes: list[tuple[str, str]] = []

    def render(self, tokens: list[_Token], *, merge_text: bool = False) -> str:
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

    def render_token(self, token: _Token) -> str:
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
    return _LINE_OF_SPACES.sub("", text)


def render(text: str, renderer: Renderer) -> str:
    """Render Notify-flavoured markdown with any of this module's renderers."""
    document = _Document()
    tokens = _BlockLexer(document).parse(_preprocess(text))
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
