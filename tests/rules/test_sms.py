"""Text messages: rules.md §2 vectors (body, character sets, counting, limits, prefix)."""

from __future__ import annotations

from typing import Any

import pytest

from notify_emulator.rules.errors import MessageEmpty, MessageTooLong
from notify_emulator.rules.gsm import (
    GSM_CHARACTERS,
    WELSH_NON_GSM_CHARACTERS,
    encode_for_sms,
    non_gsm_characters,
)
from notify_emulator.rules.sms import (
    SMS_CHAR_COUNT_LIMIT,
    check_sms,
    render_sms,
    sms_body,
)
from notify_emulator.rules.typography import remove_whitespace_before_punctuation

# §2.2 Character sets


def test_welsh_non_gsm_has_43_characters() -> None:
    assert len(WELSH_NON_GSM_CHARACTERS) == 43
    assert set("ÀÁÂÈÊËÌÍÎÏÒÓÔÙÚÛÝáâêëíîïóôúûýÿŴŵŶŷŸẀẁẂẃẄẅỲỳ") == WELSH_NON_GSM_CHARACTERS


@pytest.mark.parametrize("character", "àèéìòùäöüÄÖÜÉ")
def test_thirteen_welsh_characters_are_gsm(character: str) -> None:
    assert character in GSM_CHARACTERS
    assert character not in WELSH_NON_GSM_CHARACTERS


@pytest.mark.parametrize(
    "character",
    list(
        "AZaz09 \n\r\x1b!\"#%&'()*+,-./:;<=>?@_¡¿§¤£$¥èéùìòÇØøÅåÆæßÉÄÖÑÜäöñüàΔΦΓΛΩΠΨΣΘΞ^{}\\[~]|€"
    ),
)
def test_gsm_characters_are_kept(character: str) -> None:
    assert encode_for_sms(character) == character


# §2.3 Downgrading

DOWNGRADE_VECTORS = [
    ("ç", "c"),
    ("é", "é"),
    ("ñ", "ñ"),
    ("ß", "ß"),
    ("Ç", "Ç"),
    ("ś", "s"),
    ("ő", "o"),
    ("ğ", "g"),
    ("İ", "I"),
    ("ı", "?"),
    ("€", "€"),
    ("`", "?"),
    ("™", "?"),
    ("½", "?"),
    ("©", "?"),
    ("•", "?"),
    ("«", "?"),
    ("α", "?"),
    ("😬", "?"),
    ("↉", "?"),
    ("嶲", "?"),
    ("Łōdź", "Lodz"),
    ("It Just Works™", "It Just Works?"),
    ("\t", " "),
    ("¤ ¡ ¿ \x1b", "¤ ¡ ¿ \x1b"),
    ("ŵ Ÿ", "ŵ Ÿ"),
    ("\u2011–—−", "----"),
    ("…", "..."),
    ("‘’‚", "'''"),
    ("“”„", '"""'),
    ("a\u180e\u200b\u200c\u200d\u2060\ufeff\u2028\u2029b", "ab"),
    ("\u00a0\u202f", "  "),
    ("\f", "?"),
]


@pytest.mark.parametrize(("text", "expected"), DOWNGRADE_VECTORS)
def test_encode_for_sms(text: str, expected: str) -> None:
    assert encode_for_sms(text) == expected


def test_astral_first_code_point_becomes_question_mark() -> None:
    # Notify raises here (HTTP 500); the emulator downgrades to "?" instead.
    assert encode_for_sms("\U0001d15e\ufa6c\U0001109a") == "???"


def test_non_gsm_characters() -> None:
    assert non_gsm_characters("Need more 🐮🔔") == {"🐮", "🔔"}
    assert non_gsm_characters("é ç – ŵ") == set()


# §2.4 Fragments

FRAGMENT_VECTORS = [
    ("à" * 71, 1, 71),
    ("à" * 160, 1, 160),
    ("à" * 161, 2, 1),
    ("à" * 306, 2, 146),
    ("à" * 307, 3, 1),
    ("à" * 612, 4, 153),
    ("à" * 613, 5, 1),
    ("à" * 765, 5, 153),
    ("à" * 766, 6, 1),
    ("à" * 918, 6, 153),
    ("à" * 919, 7, 1),
    ("ÿ" * 70, 1, 70),
    ("ÿ" * 71, 2, 1),
    ("ÿ" * 134, 2, 64),
    ("ÿ" * 135, 3, 1),
    ("ÿ" * 268, 4, 67),
    ("ÿ" * 269, 5, 1),
    ("ÿ" * 402, 6, 67),
    ("ÿ" * 403, 7, 1),
    ("à" * 70 + "ÿ", 2, 1),
    ("🚀" * 160, 1, 160),
    ("🚀" * 161, 2, 1),
    ("^" * 80, 1, 160),
    ("^" * 81, 2, 2),
    ("a" * 158 + "|", 1, 160),
    ("a" * 159 + "|", 2, 1),
    ("a" * 304 + "[", 2, 146),
    ("a" * 304 + "[]", 3, 2),
    ("â" * 69 + "{", 1, 70),
    ("â" * 70 + "{", 2, 1),
    ("â" * 133 + "}", 2, 64),
    ("â" * 134 + "}", 3, 1),
    ("a" * 160 + "(( placeholder with â ))", 1, 160),
]


@pytest.mark.parametrize(("content", "fragments", "above"), FRAGMENT_VECTORS)
def test_fragments(content: str, fragments: int, above: int) -> None:
    message = render_sms(content)
    assert message.fragment_count == fragments
    assert message.characters_above_previous_fragment_boundary == above


def test_ucs2_is_detected_in_the_prefix() -> None:
    assert render_sms("a" * 100, prefix="Ŵales").is_unicode
    assert not render_sms("a" * 100, prefix="Wales").is_unicode


def test_fragments_include_the_prefix() -> None:
    assert render_sms("a" * 160).fragment_count == 1
    assert render_sms("a" * 160, prefix="GDS").fragment_count == 2


def test_ellipsis_counts_three() -> None:
    assert render_sms("…").content_count == 3


def test_euro_counts_one_but_two_septets() -> None:
    message = render_sms("€")
    assert (message.content_count, message.extended_count) == (1, 1)


CHARACTER_COUNT_VECTORS: list[tuple[str, dict[str, Any] | None, str | None, int, int]] = [
    ("深", None, None, 1, 1),
    ("Ŵ", None, None, 1, 1),
    ("'First line.\n", None, None, 12, 12),
    ("\t\n\r", None, None, 0, 0),
    ("Content with ((placeholder))", {"placeholder": "something extra here"}, None, 13, 33),
    ("Content with ((placeholder))", {"placeholder": ""}, None, 13, 12),
    ("((placeholder))  ", {"placeholder": "  "}, None, 0, 0),
    ("Content with ((placeholder))", {"placeholder": "something extra here"}, "GDS", 18, 38),
    ("Just content", None, "GDS", 17, 17),
    ("((placeholder))  ", {"placeholder": "  "}, "GDS", 5, 4),
    ("  ", None, "GDS", 4, 4),
    ("  G      D       S  ", None, None, 5, 5),
    ("P1 \n\n\n\n\n\n P2", None, None, 6, 6),
    ("a    ((placeholder))    b", {"placeholder": ""}, None, 4, 3),
]


@pytest.mark.parametrize(
    ("content", "values", "prefix", "without_values", "with_values"), CHARACTER_COUNT_VECTORS
)
def test_character_count(
    content: str,
    values: dict[str, Any] | None,
    prefix: str | None,
    without_values: int,
    with_values: int,
) -> None:
    assert render_sms(content, prefix=prefix).content_count == without_values
    assert render_sms(content, values, prefix=prefix).content_count == with_values


def test_prefix_only_body() -> None:
    assert render_sms("  ", prefix="GDS").body == "GDS:"


# §2.5 Limit and empty check


@pytest.mark.parametrize(
    ("content", "values", "over_by"),
    [
        ("b" * 917 + "((foo))", {"foo": "cc"}, 1),
        ("b" * 1000 + "((foo))", {"foo": "cc"}, 84),
        ("Ŵ" * 917 + "((foo))", {"foo": "cc"}, 1),
        ("🏳️‍🌈" * 917 + "((foo))", {"foo": "cc"}, 1835),
    ],
)
def test_too_long(content: str, values: dict[str, Any], over_by: int) -> None:
    message = render_sms(content, values, prefix="a" * 100)
    assert message.is_too_long
    assert message.characters_above_limit == over_by
    with pytest.raises(MessageTooLong) as raised:
        check_sms(message)
    assert raised.value.message == (
        "Your message is too long. Text messages cannot be longer than 918 characters. "
        f"Your message is {SMS_CHAR_COUNT_LIMIT + over_by} characters long."
    )
    assert raised.value.error == "BadRequestError"


def test_exactly_918_is_allowed() -> None:
    message = render_sms("b" * 917 + "((foo))", {"foo": "c"}, prefix="a" * 100)
    assert not message.is_too_long
    assert message.characters_above_limit == 0
    check_sms(message)


def test_919_error_message() -> None:
    with pytest.raises(MessageTooLong) as raised:
        check_sms(render_sms("x" * 919))
    assert raised.value.message == (
        "Your message is too long. Text messages cannot be longer than 918 characters. "
        "Your message is 919 characters long."
    )


def test_extension_characters_count_once_for_the_limit() -> None:
    assert not render_sms("^" * 918).is_too_long


@pytest.mark.parametrize(
    ("content", "values", "prefix"),
    [
        ("", None, None),
        ("", None, "GDS"),
        ("((placeholder))", {"placeholder": ""}, None),
        ("((placeholder))", {"placeholder": ""}, "GDS"),
    ],
)
def test_empty(content: str, values: dict[str, Any] | None, prefix: str | None) -> None:
    message = render_sms(content, values, prefix=prefix)
    assert message.is_empty
    with pytest.raises(MessageEmpty) as raised:
        check_sms(message)
    assert raised.value.message == "Your message is empty."


def test_not_empty() -> None:
    assert not render_sms("Some content").is_empty


# §2.6 Prefix


def test_prefix() -> None:
    assert render_sms("b", prefix="a").body == "a: b"
    assert render_sms("b").body == "b"
    assert render_sms("b", prefix="  a  ").body == "a: b"


def test_prefix_is_sanitised_and_excluded_from_the_limit() -> None:
    message = render_sms("嶲", prefix="👨‍👩‍👧‍👦")
    assert message.body == "????: ?"
    assert (message.content_count, message.content_count_without_prefix) == (7, 1)


def test_api_body_has_no_prefix() -> None:
    assert sms_body("Hello (( Name))\nYour thing is due soon", {" Name": "Jo"}) == (
        "Hello Jo\nYour thing is due soon"
    )


# §2.1 / §2.7 Body vectors

NORMALISED = "one newline\ntwo newlines\n\nend"
QUICK_FOX = "The quick brown fox.\n\nJumps over the lazy dog.\nSingle linebreak above."

BODY_VECTORS: list[tuple[str, dict[str, Any] | None, str]] = [
    ("one newline\ntwo newlines\n\nend", None, NORMALISED),
    ("one newline\r\ntwo newlines\r\n\r\nend", None, NORMALISED),
    ("one newline\rtwo newlines\r\rend", None, NORMALISED),
    ("\t\t\n\r one newline\ntwo newlines\r\r\nend\n\n  \r \n \t ", None, NORMALISED),
    ("  Hi\u00a0there\u00a0 what's\u200d up\t", None, "Hi there what's up"),
    (
        "The     quick brown fox.\n\n\n\n\nJumps over the lazy dog.   \nSingle linebreak above.",
        None,
        QUICK_FOX,
    ),
    (
        "\n   \nThe quick brown fox.  \n\n          Jumps over the lazy dog   .  \n"
        "Single linebreak above. \n  \n \n",
        None,
        QUICK_FOX,
    ),
    (
        "Hello ((name)) ,\nYour code is ((code)).",
        {"name": "Jo", "code": 1234},
        "Hello Jo,\nYour code is 1234.",
    ),
    ("Hello ((name))", {"name": ["a", None, "", " b "]}, "Hello a and b"),
    (
        "‘Smart’ “quotes” – dash — em … ellipsis",
        None,
        "'Smart' \"quotes\" - dash - em ... ellipsis",
    ),
    ("Emoji 😀 and Chinese 你好", None, "Emoji ? and Chinese ??"),
    ("Croeso i Gymru – ŵ ŷ â", None, "Croeso i Gymru - ŵ ŷ â"),
    ("a\fb\vc\x85d", None, "a\nb\nc\nd"),
    ("a\x1cb\x1dc\x1ed\u2028e\u2029f", None, "a\nb\nc\nd\ne\nf"),
    ("Back`tick", None, "Back?tick"),
    ("Hello ((x))", {"x": "((y))"}, "Hello ((y))"),
    ("((show??You must bring ID.)) Bye", {"show": "1.0"}, "Bye"),
    ("((show??You must bring ID.)) Bye", {"show": 1}, "You must bring ID. Bye"),
    ("((show??You must bring ID.)) Bye", {"show": True}, "You must bring ID. Bye"),
    ("((show??You must bring ID.)) Bye", {"show": "Y"}, "You must bring ID. Bye"),
    ("((show??text))", {"show": ["yes"]}, "text"),
    ("Code: ((code))", {"code": "<b>&amp;</b>"}, "Code: <b>&amp;</b>"),
    ("Hi ((name)) ((other??x))", {"name": "Jo"}, "Hi Jo ((other??x))"),
]


@pytest.mark.parametrize(("content", "values", "expected"), BODY_VECTORS)
def test_body(content: str, values: dict[str, Any] | None, expected: str) -> None:
    assert sms_body(content, values) == expected


def test_quick_fox_counts_70() -> None:
    assert render_sms(QUICK_FOX).content_count == 70


def test_extension_characters_are_kept_and_counted() -> None:
    content = "Price: €5 [ok] {x} ~ ^ | \\"
    message = render_sms(content)
    assert message.body == content
    assert (message.content_count, message.extended_count, message.fragment_count) == (26, 9, 1)


def test_welsh_message_is_ucs2() -> None:
    message = render_sms("Croeso i Gymru – ŵ ŷ â")
    assert message.is_unicode
    assert message.content_count == 22


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Hello Jo ,", "Hello Jo,"), ("Wait  .  Then ,go", "Wait. Then,go"), ("a\t.", "a.")],
)
def test_remove_whitespace_before_punctuation(text: str, expected: str) -> None:
    # Collapsing whitespace afterwards gives the §2.1 step 3 results.
    assert " ".join(remove_whitespace_before_punctuation(text).split()) == expected


def test_no_typography_in_sms() -> None:
    assert sms_body("Tom's tax - due GOV.UK") == "Tom's tax - due GOV.UK"
