"""Notify's markdown grammar: the block and inline rules, tokens and the block lexer.

Notify renders markdown with mistune 0.8.4 plus its own grammar patches (see
:mod:`notify_emulator.rules.markdown`, whose renderers turn these tokens into output). The
regular expressions here state that grammar, with Notify's patches noted where they apply.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

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
LINE_OF_SPACES = re.compile(r"^ +$", re.MULTILINE)


def escape(text: str) -> str:
    """Escape ``&`` (unless it starts an entity), ``<`` and ``>``, as mistune does."""
    text = _SMART_AMPERSAND.sub("&amp;", text)
    return text.replace("<", "&lt;").replace(">", "&gt;")


def link_key(text: str) -> str:
    lowered = escape(text.lower()).replace('"', "&quot;").replace("'", "&#39;")
    return _KEY_WHITESPACE.sub(" ", lowered)


# --- tokens ----------------------------------------------------------------------------


@dataclass
class Token:
    kind: str
    text: str = ""
    level: int = 0
    ordered: bool = False
    loose: bool = False
    children: list[Token] = field(default_factory=list)


@dataclass
class Document:
    links: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    footnotes: dict[str, int] = field(default_factory=dict)


class BlockLexer:
    def __init__(self, document: Document) -> None:
        self.document = document
        self.list_depth = 0
        self.quote_depth = 0

    def parse(self, text: str, rules: tuple[str, ...] = _TOP_LEVEL_RULES) -> list[Token]:
        tokens: list[Token] = []
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

    def _newline(self, match: re.Match[str], tokens: list[Token]) -> None:
        if len(match.group(0)) > 1:
            tokens.append(Token("newline"))

    def _hrule(self, match: re.Match[str], tokens: list[Token]) -> None:
        tokens.append(Token("hrule"))

    def _block_code(self, match: re.Match[str], tokens: list[Token]) -> None:
        tokens.append(Token("code", re.sub(r"^ {4}", "", match.group(0), flags=re.MULTILINE)))

    def _fences(self, match: re.Match[str], tokens: list[Token]) -> None:
        tokens.append(Token("code", match.group(3)))

    def _heading(self, match: re.Match[str], tokens: list[Token]) -> None:
        tokens.append(Token("heading", match.group(2), level=len(match.group(1))))

    def _lheading(self, match: re.Match[str], tokens: list[Token]) -> None:
        level = 1 if match.group(2) == "=" else 2
        tokens.append(Token("heading", match.group(1), level=level))

    def _nptable(self, match: re.Match[str], tokens: list[Token]) -> None:
        tokens.append(Token("table"))

    _table = _nptable

    def _block_quote(self, match: re.Match[str], tokens: list[Token]) -> None:
        self.quote_depth += 1
        if self.quote_depth > _MAX_NESTING:
            children = [Token("text", match.group(0))]
        else:
            children = self.parse(BLOCK_QUOTE_MARKER.sub("", match.group(0)))
        self.quote_depth -= 1
        tokens.append(Token("block_quote", children=children))

    def _list_block(self, match: re.Match[str], tokens: list[Token]) -> None:
        ordered = "." in match.group(2)
        self.list_depth += 1
        if self.list_depth > _MAX_NESTING:
            items = [Token("item", children=[Token("text", match.group(0))])]
        else:
            items = self._list_items(match.group(0))
        self.list_depth -= 1
        tokens.append(Token("list", ordered=ordered, children=items))

    def _list_items(self, block: str) -> list[Token]:
        found = [groups[0] for groups in LIST_ITEM.findall(block)]
        items: list[Token] = []
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
            items.append(Token("item", loose=loose, children=self.parse(item, _LIST_ITEM_RULES)))
        return items

    def _block_html(self, match: re.Match[str], tokens: list[Token]) -> None:
        tag = match.group(1)
        # An element is rebuilt from its parts; a comment or lone tag is kept as matched.
        html = f"<{tag}{match.group(2) or ''}>{match.group(3)}</{tag}>" if tag else match.group(0)
        tokens.append(Token("html", html))

    def _def_links(self, match: re.Match[str], tokens: list[Token]) -> None:
        self.document.links[link_key(match.group(1))] = (match.group(2), match.group(3))

    def _def_footnotes(self, match: re.Match[str], tokens: list[Token]) -> None:
        key = link_key(match.group(1))
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
        tokens.append(Token("footnote", key, children=children))

    def _paragraph(self, match: re.Match[str], tokens: list[Token]) -> None:
        tokens.append(Token("paragraph", match.group(1).rstrip("\n")))

    def _text(self, match: re.Match[str], tokens: list[Token]) -> None:
        tokens.append(Token("text", match.group(0)))


def at_position(pattern: re.Pattern[str]) -> re.Pattern[str]:
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
_BLOCK_RULES = {name: at_position(pattern) for name, pattern in _BLOCK_RULES.items()}

INLINE_RULES = (
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
INLINE_PATTERNS: dict[str, re.Pattern[str]] = {
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
INLINE_PATTERNS = {name: at_position(pattern) for name, pattern in INLINE_PATTERNS.items()}
