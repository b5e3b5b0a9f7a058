"""The emulator beside the real Notify API: the same requests, the same answers.

Runs when ``NOTIFY_REFERENCE_URL`` names a real Notify API holding the fixtures that
shared/notify-reference creates (its README lists them: the service, its three keys, a template
of each type, an SMS sender, a reply-to address and a letter contact block). The emulator is
seeded with the same service, keys and ids, and every request goes to both. Answers are compared
after replacing what cannot match: notification ids, timestamps, the base URL and the
deployment's email domain.

A case marked ``NOTIFY_FAILS`` is one where the real API answers with a 500 (it accepts the text
and then cannot store it, say) and the emulator answers with a clear 4xx instead; the test
checks exactly that, so it notices if Notify starts answering those.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import jwt
import pytest
import requests

from notify_emulator.clock import SystemClock
from notify_emulator.rules.lifecycle import DeliveryDelays
from notify_emulator.server import BackgroundServer
from tests.emulators import emulator_settings, serve_emulator

REFERENCE_URL = os.environ.get("NOTIFY_REFERENCE_URL", "").rstrip("/")

pytestmark = pytest.mark.skipif(
    not REFERENCE_URL,
    reason="needs a real Notify API with shared/notify-reference's fixtures: set "
    "NOTIFY_REFERENCE_URL",
)

# The fixtures of shared/notify-reference (its README's table).
SERVICE_ID = "5f0c1e2a-0000-4000-8000-000000000100"
SECRETS = {
    "live": "5f0c1e2a-0000-4000-8000-000000000291",
    "team": "5f0c1e2a-0000-4000-8000-000000000292",
    "test": "5f0c1e2a-0000-4000-8000-000000000293",
}
SMS_TEMPLATE = "5f0c1e2a-0000-4000-8000-000000000301"
EMAIL_TEMPLATE = "5f0c1e2a-0000-4000-8000-000000000302"
LETTER_TEMPLATE = "5f0c1e2a-0000-4000-8000-000000000303"
SMS_SENDER = "5f0c1e2a-0000-4000-8000-000000000401"
REPLY_TO = "5f0c1e2a-0000-4000-8000-000000000501"
UNKNOWN = "00000000-0000-4000-8000-000000000000"
TEAM_NUMBER = "+447700900111"
LETTER_CONTACT = "Reference Team\n1 Example Street\nLondon"

SEED = f"""
[[services]]
id = "{SERVICE_ID}"
name = "Notify Reference Service"
sms_message_limit = 1000
email_message_limit = 1000
letter_message_limit = 1000
international_sms_message_limit = 100
permissions = ["sms", "email", "letter", "international_sms", "international_letters"]
guest_list = ["ref.user@example.gov.uk", "{TEAM_NUMBER}"]
contact_link = "https://example.gov.uk/contact"
letter_contact_block = {json.dumps(LETTER_CONTACT)}
{
    "".join(
        f'''
  [[services.api_keys]]
  name = "ref-{name}"
  type = "{"normal" if name == "live" else name}"
  secret = "{secret}"
'''
        for name, secret in SECRETS.items()
    )
}
  [[services.sms_senders]]
  id = "5f0c1e2a-0000-4000-8000-000000000400"
  sms_sender = "development"
  is_default = true

  [[services.sms_senders]]
  id = "{SMS_SENDER}"
  sms_sender = "RefSender"
  is_default = false

  [[services.email_reply_to]]
  id = "{REPLY_TO}"
  email_address = "reply-to@example.gov.uk"
  is_default = true

  [[services.templates]]
  id = "{SMS_TEMPLATE}"
  name = "Ref SMS"
  type = "sms"
  body = "Hello ((name))"
  created_by = "ref.user@example.gov.uk"

  [[services.templates]]
  id = "{EMAIL_TEMPLATE}"
  name = "Ref email"
  type = "email"
  subject = "Hello ((name))"
  body = "Dear ((name)),\\n\\nYour reference is ((reference_code)).\\n\\nThanks"
  created_by = "ref.user@example.gov.uk"

  [[services.templates]]
  id = "{LETTER_TEMPLATE}"
  name = "Ref letter"
  type = "letter"
  subject = "Reference letter for ((name))"
  body = "Dear ((name)),\\n\\nThis is a reference letter."
  postage = "second"
  created_by = "ref.user@example.gov.uk"
"""

SMS = "/v2/notifications/sms"
EMAIL = "/v2/notifications/email"
LETTER = "/v2/notifications/letter"
JSON = {"Content-Type": "application/json"}
NOTIFY_FAILS = "Notify fails with a 500"


@dataclass(frozen=True)
class Case:
    """One request, and whether Notify answers it (``None``) or fails on it (the reason)."""

    name: str
    method: str
    path: str
    body: object = None
    raw: str | None = None
    key: str | None = "live"
    headers: dict[str, str] = field(default_factory=dict)
    token: str | None = None
    notify_fails: str | None = None


CASES: list[Case] = []


def case(name: str, method: str, path: str, **options: Any) -> None:
    CASES.append(Case(name, method, path, **options))


def sms(**fields: object) -> dict[str, object]:
    body = {"phone_number": "07700900123", "template_id": SMS_TEMPLATE}
    return {**body, "personalisation": {"name": "A"}, **fields}


def email(**fields: object) -> dict[str, object]:
    body = {"email_address": "someone@example.com", "template_id": EMAIL_TEMPLATE}
    return {**body, "personalisation": {"name": "A", "reference_code": "B"}, **fields}


def letter(**personalisation: object) -> dict[str, object]:
    address = {"address_line_1": "A Person", "address_line_2": "1 Road", "postcode": "SW1A 1AA"}
    fields = {"name": "A", **address, **personalisation}
    return {
        "template_id": LETTER_TEMPLATE,
        "personalisation": {key: value for key, value in fields.items() if value is not ...},
    }


def raw_send(template: str, fields: str) -> str:
    """A body as JSON text, for what Python's encoder would not write (NaN, lone surrogates)."""
    return f'{{"phone_number": "07700900123", "template_id": "{template}", {fields}}}'


# --- texts: numbers, templates, personalisation, references, senders, body shapes -----------

for number in [
    "07700900123",
    "+447700900123",
    "07700 900 123",
    "(07700) 900-123",
    "0770090012",
    "077009001234",
    "+33612345678",
    "0033612345678",
    "+1 202 555 0123",
    "+80012345678",
    "+999123456789",
    "abc",
    "",
    "+44 (0) 7700 900123",
    "00447700900123",
    "7700900123",
    "+88212345678",
    "07800900123",
    "01632960000",
    "07700\u00a0900123",
    "+",
    "+44",
    "0770090\u00000123",
]:
    case(f"text to {number!r}", "POST", SMS, body=sms(phone_number=number), key="test")
for value in [None, 7700900123, ["07700900123"], True, 1.5]:
    case(f"text to a {type(value).__name__}", "POST", SMS, body=sms(phone_number=value), key="test")
for template in [
    None,
    5,
    "",
    "not-a-uuid",
    SMS_TEMPLATE.upper(),
    "{" + SMS_TEMPLATE + "}",
    SMS_TEMPLATE.replace("-", ""),
    UNKNOWN,
    EMAIL_TEMPLATE,
    LETTER_TEMPLATE,
    SMS_TEMPLATE + "\u0000",
]:
    case(f"text with template {template!r}", "POST", SMS, body=sms(template_id=template))
for personalisation in [
    None,
    {},
    [],
    "x",
    5,
    {"name": None},
    {"name": 5},
    {"name": ["a", "b"]},
    {"name": {"a": 1}},
    {"NAME": "x"},
    {" name ": "x"},
    {"name": "x" * 1000},
    {"name": True},
    {"name": ""},
    {"name": "a\u0000b"},
    {"name": ["a\u0000", "b"]},
    {"name": "a", "x\u0000": "b"},
]:
    case(f"text with {personalisation!r}", "POST", SMS, body=sms(personalisation=personalisation))
for reference in [None, "", 5, "x" * 1000, "x" * 1001, ["a"]]:
    case(f"text with reference {str(reference)[:12]!r}", "POST", SMS, body=sms(reference=reference))
case(
    "text with a NUL in its reference",
    "POST",
    SMS,
    body=sms(reference="r\u0000"),
    notify_fails=NOTIFY_FAILS + " storing it",
)
for sender in [None, "", 5, "not-a-uuid", UNKNOWN, SMS_SENDER, REPLY_TO, "\u0000"]:
    case(f"text from sender {sender!r}", "POST", SMS, body=sms(sms_sender_id=sender))
case("text with a property too many", "POST", SMS, body=sms(foo=1))
case("text with a key holding a NUL", "POST", SMS, body=sms(**{"fo\u0000o": 1}))
case("text with an email address", "POST", SMS, body=sms(email_address="a@b.com"))
case("text scheduled", "POST", SMS, body=sms(scheduled_for="2030-01-01 10:00"))
case("text by the team key to a stranger", "POST", SMS, body=sms(), key="team")
case(
    "text by the team key to the team", "POST", SMS, body=sms(phone_number=TEAM_NUMBER), key="team"
)
for raw in ["{}", "[]", "null", '"x"', "5", '{"a":', "", "NaN", " ", "\n"]:
    case(f"text body {raw!r}", "POST", SMS, raw=raw, headers=JSON)
case("text body without a content type", "POST", SMS, raw=json.dumps(sms()))
case(
    "text body as text/plain",
    "POST",
    SMS,
    raw=json.dumps(sms()),
    headers={"Content-Type": "text/plain"},
)
for fields in [
    '"personalisation": {"name": NaN}',
    '"personalisation": {"name": [-Infinity, 1e999]}',
    '"personalisation": NaN',
    '"personalisation": {"name": "A"}, "reference": Infinity',
]:
    case(f"text with {fields}", "POST", SMS, raw=raw_send(SMS_TEMPLATE, fields), headers=JSON)
case(
    "text number NaN",
    "POST",
    SMS,
    raw=f'{{"phone_number": NaN, "template_id": "{SMS_TEMPLATE}"}}',
    headers=JSON,
)
case(
    "text with a surrogate in its personalisation",
    "POST",
    SMS,
    raw=raw_send(SMS_TEMPLATE, '"personalisation": {"name": "A\\ud800"}'),
    headers=JSON,
    notify_fails=NOTIFY_FAILS + " encrypting it",
)
case(
    "text to a number holding a surrogate",
    "POST",
    SMS,
    raw=f'{{"phone_number": "0770\\ud800", "template_id": "{SMS_TEMPLATE}"}}',
    headers=JSON,
)

# --- emails ----------------------------------------------------------------------------------

for address in [
    "SOMEONE@EXAMPLE.COM",
    "a@b",
    "a@b.co",
    "a..b@example.com",
    ".a@example.com",
    "a@-example.com",
    "a@exa_mple.com",
    "a@example..com",
    "a b@example.com",
    "a@\u00e9xample.com",
    "a@[127.0.0.1]",
    "a+tag@example.com",
    '"a"@example.com',
    "",
    "@example.com",
    "a@",
    "x" * 65 + "@example.com",
    "perm-fail@simulator.notify",
    "a@example.com\n",
    "a@example.com,b@example.com",
    "a\u0000@example.com",
]:
    case(f"email to {address[:40]!r}", "POST", EMAIL, body=email(email_address=address), key="test")
case("email missing a placeholder", "POST", EMAIL, body=email(personalisation={"name": "A"}))
for reply_to in [None, "", "not-a-uuid", UNKNOWN, REPLY_TO, SMS_SENDER]:
    case(f"email reply-to {reply_to!r}", "POST", EMAIL, body=email(email_reply_to_id=reply_to))
for url in [
    None,
    "",
    5,
    "https://example.com/unsub",
    "http://example.com",
    "example.com",
    "javascript:alert(1)",
    "https://exa mple.com",
    "https://example.com/\u00e9",
    "https://example.com/%zz",
    "https://example.com/a[b]",
    "https://example.com/%E9",
    "https:",
    "https://example.com/\u0000",
]:
    case(f"email unsubscribe {url!r}", "POST", EMAIL, body=email(one_click_unsubscribe_url=url))
for value in [
    "**bold**",
    "line1\r\nline2",
    "<script>x</script>",
    ["a", "b"],
    [1, 2],
    "\t",
    "a\u0000",
]:
    body = email(personalisation={"name": value, "reference_code": "X"})
    case(f"email with {value!r}", "POST", EMAIL, body=body, key="test")
case(
    "email with sanitising",
    "POST",
    EMAIL,
    body=email(
        personalisation={"name": "[click](https://x.com)", "reference_code": "B"},
        sanitise_content_for=["name", "\u0000"],
    ),
)
case(
    "email with NaN personalisation",
    "POST",
    EMAIL,
    raw=f'{{"email_address": "a@example.com", "template_id": "{EMAIL_TEMPLATE}", '
    '"personalisation": {"name": NaN, "reference_code": 1e999}}',
    headers=JSON,
    key="test",
)
for selected, values in [
    (["name"], {"name": "see https://example.com/path and www.gov.uk", "reference_code": "B"}),
    (["name", "reference_code"], {"name": "**bold** [x](y)", "reference_code": "# h\n* l"}),
    (["NAME"], {"name": "example.com", "reference_code": "B"}),
    (["name"], {"name": "nothing to change", "reference_code": "B"}),
    (["missing"], {"name": "https://x.com", "reference_code": "B"}),
    ([], {"name": "https://x.com", "reference_code": "B"}),
    (None, {"name": "https://x.com", "reference_code": "B"}),
    ("name", {"name": "https://x.com", "reference_code": "B"}),
]:
    body = email(personalisation=values, sanitise_content_for=selected)
    case(f"email sanitising {selected!r} of {values['name']!r}", "POST", EMAIL, body=body)
for moment in [
    "2020-01-01 10:00", "2020-01-01T10:00:00", "not a date", "2999-01-01 10:00", "", 5,
]:  # fmt: skip
    case(f"text scheduled for {moment!r}", "POST", SMS, body=sms(scheduled_for=moment))
for options in [
    {"file": 5, "filename": "x", "is_csv": "x", "zzz": 1},
    {"file": "aGVsbG8=", "retention_period": "79 weeks"},
    {"file": "aGVsbG8=", "confirm_email_before_download": "yes"},
]:
    body = email(personalisation={"name": options, "reference_code": "X"})
    case(f"email file options {options}", "POST", EMAIL, body=body, key="test")

# --- letters ---------------------------------------------------------------------------------

case("letter", "POST", LETTER, body=letter(), key="test")
case("letter by the team key", "POST", LETTER, body=letter(), key="team")
for last_line in ["sw1a1aa", "XX1 1XX", "BFPO 123", "GIR 0AA", "12345", "", "France", "Narnia"]:
    case(f"letter to {last_line!r}", "POST", LETTER, body=letter(postcode=last_line), key="test")
case("letter of two lines", "POST", LETTER, body=letter(postcode=...), key="test")
case("letter without a first line", "POST", LETTER, body=letter(address_line_1=...), key="test")
case("letter starting with @", "POST", LETTER, body=letter(address_line_2="@home"), key="test")
case("letter with a number line", "POST", LETTER, body=letter(address_line_2=5), key="test")
case(
    "letter with a NUL postcode", "POST", LETTER, body=letter(postcode="SW1A 1AA\u0000"), key="test"
)
case("letter with a NUL name", "POST", LETTER, body=letter(name="A\u0000"), key="test")
case(
    "letter with a NUL address line",
    "POST",
    LETTER,
    body=letter(address_line_1="A\u0000"),
    key="test",
    notify_fails=NOTIFY_FAILS + " storing it",
)
for postage in ["first", "economy", "europe", "third", "", None, "first\u0000"]:
    case(f"letter postage {postage!r}", "POST", LETTER, body={**letter(), "postage": postage})
case("letter without personalisation", "POST", LETTER, body={"template_id": LETTER_TEMPLATE})
case(
    "letter from an email template",
    "POST",
    LETTER,
    body={**letter(), "template_id": EMAIL_TEMPLATE},
)
case("precompiled letter without a reference", "POST", LETTER, body={"content": "aGVsbG8="})

# --- reads -----------------------------------------------------------------------------------

for query in [
    "?template_type=foo",
    "?template_type=",
    "?status=foo",
    "?status=",
    "?older_than=foo",
    "?include_jobs=foo",
    "?foo=bar",
    "?status=permanent-failure&template_type=foo",
    "?template_type=sms%00",
    "?status=a%00b",
    "?fo%00o=1",
    "?older_than=%00",
    "?reference=nothing-like-this",
    "?older_than=" + UNKNOWN,
]:
    case(f"list {query}", "GET", f"/v2/notifications{query}")
case(
    "list by a reference holding a NUL",
    "GET",
    "/v2/notifications?reference=%00",
    notify_fails=NOTIFY_FAILS + " querying it",
)
for identifier in [
    "foo",
    UNKNOWN,
    SMS_TEMPLATE.upper(),
    "a%00b",
    "12345678123456781234567812345678",
]:
    case(f"notification {identifier}", "GET", f"/v2/notifications/{identifier}")
    case(f"pdf of {identifier}", "GET", f"/v2/notifications/{identifier}/pdf")
    case(f"template {identifier}", "GET", f"/v2/template/{identifier}")
    case(f"preview of {identifier}", "POST", f"/v2/template/{identifier}/preview", body={})
for version in ["0", "1", "2", "foo", "99999999999999999999"]:
    case(f"template version {version}", "GET", f"/v2/template/{SMS_TEMPLATE}/version/{version}")
for query in ["", "?type=sms", "?type=letter", "?type=foo", "?type=", "?type=%00", "?foo=1"]:
    case(f"templates {query}", "GET", f"/v2/templates{query}")
for template in [SMS_TEMPLATE, EMAIL_TEMPLATE, LETTER_TEMPLATE]:
    for body in [
        None,
        {},
        {"personalisation": {"name": "A"}},
        {"personalisation": None},
        {"personalisation": "x"},
        {"personalisation": {"name": "A"}, "foo": 1},
        {"personalisation": {"name": ["a", "b"]}},
        {"personalisation": {"name": "**b**"}},
        {"personalisation": {"name": "A\u0000", "reference_code": "x"}},
    ]:
        case(
            f"preview {template[-1]} {body!r}",
            "POST",
            f"/v2/template/{template}/preview",
            body=body,
        )
    case(
        f"preview {template[-1]} with a surrogate and NaN",
        "POST",
        f"/v2/template/{template}/preview",
        raw='{"personalisation": {"name": "A\\ud800", "reference_code": NaN}}',
        headers=JSON,
    )
    for raw in ["", " ", "\n", " \t "]:
        case(
            f"preview {template[-1]} body {raw!r}",
            "POST",
            f"/v2/template/{template}/preview",
            raw=raw,
            headers=JSON,
        )
# Personalisation is rendered with the template's markdown, so these exercise each renderer
# (the email's HTML too) on what a value may bring with it.
MARKDOWN_VALUES = [
    "# Heading\n\nText",
    "* one\n* two",
    "- one\n- two",
    "\u2022 one\n\u2022 two",
    "1. one\n2. two",
    "^ inset text",
    "line\n\n---\n\nline",
    "[link](https://example.com)",
    "https://example.com/a_b?c=d&e=f",
    "www.gov.uk",
    "**bold** and __under__",
    "> quoted",
    "one\ntwo\n\n\n\nthree",
    "a\tb",
    "<b>html</b> &amp; <script>x</script>",
    "x" * 120,
    "((reference_code))",
    ["**a**", "[b](c)", "# d"],
    "\u201cq\u201d \u2014 \u2026",
    "\u0175\u0177 \U0001f600",
    "  leading and trailing  ",
    "email@example.com",
]
for value in MARKDOWN_VALUES:
    for template in [SMS_TEMPLATE, EMAIL_TEMPLATE, LETTER_TEMPLATE]:
        personalisation = {"name": value, "reference_code": "R"}
        case(
            f"preview {template[-1]} of {value!r}",
            "POST",
            f"/v2/template/{template}/preview",
            body={"personalisation": personalisation},
        )
for query in ["", "?older_than=foo", "?older_than=" + UNKNOWN, "?foo=1", "?older_than=%00"]:
    case(f"received texts {query}", "GET", f"/v2/received-text-messages{query}")

# --- routes and methods ----------------------------------------------------------------------

for method, path in [
    ("PUT", SMS),
    ("GET", SMS),
    ("DELETE", "/v2/notifications"),
    ("POST", "/v2/notifications"),
    ("GET", "/v2/nope"),
    ("GET", "/v2/notifications/"),
    ("POST", SMS + "/"),
    ("HEAD", "/v2/templates"),
    ("GET", "/v2/notifications/a/b/c"),
]:
    case(f"{method} {path}", method, path, body={} if method in {"POST", "PUT"} else None)
# One-click unsubscribe (api app/one_click_unsubscribe/rest.py): no auth, any body, POST only.
UNSUBSCRIBE = f"/unsubscribe/{UNKNOWN}/not-a-valid-token"
for method, path, options in [
    ("POST", UNSUBSCRIBE, {"raw": "List-Unsubscribe=One-Click"}),
    ("POST", UNSUBSCRIBE, {"body": {}}),
    ("GET", UNSUBSCRIBE, {}),
    ("POST", "/unsubscribe/not-a-uuid/token", {"raw": "List-Unsubscribe=One-Click"}),
    ("POST", "/nope", {"raw": "a=1"}),
]:
    headers = {"Content-Type": "application/x-www-form-urlencoded"} if "raw" in options else {}
    shown = "a form" if "raw" in options else "JSON" if "body" in options else "nothing"
    case(f"{method} {path} with {shown}", method, path, key=None, headers=headers, **options)
case(
    "an unknown kind of notification",
    "POST",
    "/v2/notifications/fax",
    body={},
    notify_fails=NOTIFY_FAILS,
)

# --- authentication --------------------------------------------------------------------------


def _segment(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def signed(claims: str, secret: str = SECRETS["live"], algorithm: str = "HS256") -> str:
    """A token whose claims are exactly this JSON text, signed with HMAC-SHA256 or -SHA512."""
    header = json.dumps({"typ": "JWT", "alg": algorithm}).encode()
    signing_input = _segment(header) + "." + _segment(claims.encode())
    digest = hashlib.sha512 if algorithm == "HS512" else hashlib.sha256
    return (
        signing_input
        + "."
        + _segment(hmac.new(secret.encode(), signing_input.encode(), digest).digest())
    )


TOKENS = {
    "without iss": '{"iat": {now}}',
    "without iat": f'{{"iss": "{SERVICE_ID}"}}',
    "of an unknown service": f'{{"iss": "{UNKNOWN}", "iat": {{now}}}}',
    "of a service id that is not a UUID": '{"iss": "abc", "iat": {now}}',
    "20 s ahead": f'{{"iss": "{SERVICE_ID}", "iat": {{now+20}}}}',
    "40 s ahead": f'{{"iss": "{SERVICE_ID}", "iat": {{now+40}}}}',
    "40 s old": f'{{"iss": "{SERVICE_ID}", "iat": {{now-40}}}}',
    "with iat as a string": f'{{"iss": "{SERVICE_ID}", "iat": "{{now}}"}}',
    "expired": f'{{"iss": "{SERVICE_ID}", "iat": {{now}}, "exp": {{now-10}}}}',
    "expiring soon": f'{{"iss": "{SERVICE_ID}", "iat": {{now}}, "exp": "soon"}}',
    "not before soon": f'{{"iss": "{SERVICE_ID}", "iat": {{now}}, "nbf": "soon"}}',
    "not before later": f'{{"iss": "{SERVICE_ID}", "iat": {{now}}, "nbf": {{now+1000}}}}',
    "with an audience": f'{{"iss": "{SERVICE_ID}", "iat": {{now}}, "aud": "x"}}',
    "of a list": "[1]",
}
for description, claims in TOKENS.items():
    case(f"a token {description}", "GET", "/v2/templates", key=None, token=claims)
case("a token signed with the wrong secret", "GET", "/v2/templates", key=None, token="wrong-secret")
case("a token signed with HS512", "GET", "/v2/templates", key=None, token="HS512")
for header in ["abc", "Bearer", "Bearer ", "bearer {token}", "Basic abc", "Bearer {token} x"]:
    case(
        f"authorization {header!r}",
        "GET",
        "/v2/templates",
        key=None,
        headers={"Authorization": header},
    )
case("no authorization", "GET", "/v2/templates", key=None)
case("no authorization on a send", "POST", SMS, key=None, raw="{")


# --- running the cases -----------------------------------------------------------------------

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z?")
_FIXED_IDS = {
    SERVICE_ID,
    SMS_TEMPLATE,
    EMAIL_TEMPLATE,
    LETTER_TEMPLATE,
    SMS_SENDER,
    REPLY_TO,
    UNKNOWN,
    *SECRETS.values(),
}


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BackgroundServer]:
    seed = tmp_path_factory.mktemp("reference") / "seed.toml"
    seed.write_text(SEED)
    settings = emulator_settings(config_path=seed, seed_demo=False, clock=SystemClock())
    with serve_emulator(settings) as server:
        yield server


def _authorization(item: Case) -> dict[str, str]:
    now = int(time.time())
    if item.token == "wrong-secret":
        return {
            "Authorization": "Bearer " + signed(f'{{"iss": "{SERVICE_ID}", "iat": {now}}}', "x")
        }
    if item.token == "HS512":
        claims = f'{{"iss": "{SERVICE_ID}", "iat": {now}}}'
        return {"Authorization": "Bearer " + signed(claims, algorithm="HS512")}
    if item.token is not None:
        claims = re.sub(r"\{now([+-]\d+)?\}", lambda m: str(now + int(m.group(1) or 0)), item.token)
        return {"Authorization": "Bearer " + signed(claims)}
    if item.key is None:
        live = jwt.encode({"iss": SERVICE_ID, "iat": now}, SECRETS["live"], algorithm="HS256")
        return {name: value.format(token=live) for name, value in item.headers.items()}
    token = jwt.encode({"iss": SERVICE_ID, "iat": now}, SECRETS[item.key], algorithm="HS256")
    return {"Authorization": "Bearer " + token}


def _answer(base_url: str, item: Case) -> tuple[int, str]:
    headers = {**item.headers, **_authorization(item)}
    data = item.raw.encode("utf-8", "surrogatepass") if item.raw is not None else None
    response = requests.request(
        item.method,
        base_url + item.path,
        headers=headers,
        data=data if data is not None else None,
        json=item.body if item.raw is None and item.body is not None else None,
        allow_redirects=False,
        timeout=30,
    )
    return response.status_code, _normalised(response, base_url)


def _normalised(response: requests.Response, base_url: str) -> str:
    try:
        text = json.dumps(response.json(), sort_keys=True, indent=1)
    except ValueError:
        text = response.text
    text = text.replace(base_url, "BASE")
    # The local Notify runs with its development settings, which send from another domain.
    text = text.replace("@notify.tools", "@notifications.service.gov.uk")
    text = _UUID.sub(lambda found: found[0] if found[0] in _FIXED_IDS else "<id>", text)
    return _TIMESTAMP.sub("<timestamp>", text)


@pytest.mark.parametrize("item", CASES, ids=[item.name for item in CASES])
def test_the_emulator_answers_as_notify_does(emulator: BackgroundServer, item: Case) -> None:
    real = _answer(REFERENCE_URL, item)
    ours = _answer(emulator.base_url, item)
    if item.notify_fails is None:
        assert ours == real
    else:
        assert real[0] == 500, f"Notify answers this now ({item.notify_fails} no longer): {real}"
        assert 400 <= ours[0] < 500, ours


# --- what is stored: the same sends, read back once both have delivered them ------------------

STORED_SENDS: list[tuple[str, dict[str, object]]] = [
    (SMS, sms(phone_number="+33612345678")),
    (SMS, sms(phone_number="07700900003")),
    (SMS, sms(personalisation={"name": "\u0175" * 80}, sms_sender_id=SMS_SENDER)),
    (EMAIL, email(one_click_unsubscribe_url="https://example.com/unsubscribe")),
    (EMAIL, email(email_address="perm-fail@simulator.notify", email_reply_to_id=REPLY_TO)),
    (LETTER, letter(address_line_3="Paris", postcode=..., address_line_4="France")),
    (LETTER, letter(postcode="BFPO 123")),
]
FINAL = {"delivered", "received", "permanent-failure", "temporary-failure", "sent"}


def _read(base_url: str, path: str) -> tuple[int, str]:
    return _answer(base_url, Case("read", "GET", path, key="test"))


def _sent(base_url: str, reference: str) -> list[str]:
    ids = []
    for path, body in STORED_SENDS:
        item = Case("send", "POST", path, body={**body, "reference": reference}, key="test")
        response = requests.post(
            base_url + path, json=item.body, headers=_authorization(item), timeout=30
        )
        assert response.status_code == 201, response.text
        ids.append(response.json()["id"])
    return ids


def _settled(base_url: str, ids: list[str]) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        statuses = [json.loads(_read(base_url, f"/v2/notifications/{i}")[1])["status"] for i in ids]
        if FINAL.issuperset(statuses):
            return
        time.sleep(0.5)
    raise AssertionError(f"{base_url} did not settle: {statuses}")


def test_stored_notifications_read_back_as_notify_shows_them(emulator: BackgroundServer) -> None:
    reference = f"reference-suite-{time.time_ns()}"
    sent = {base: _sent(base, reference) for base in (REFERENCE_URL, emulator.base_url)}
    for base, ids in sent.items():
        _settled(base, ids)
    for real_id, our_id in zip(sent[REFERENCE_URL], sent[emulator.base_url], strict=True):
        real = _read(REFERENCE_URL, f"/v2/notifications/{real_id}")
        assert _read(emulator.base_url, f"/v2/notifications/{our_id}") == real
    for query in ["", "&template_type=sms", "&template_type=letter&status=received"]:
        path = f"/v2/notifications?reference={reference}{query}"
        assert _read(emulator.base_url, path) == _read(REFERENCE_URL, path)


def test_a_letters_pdf_asked_for_as_it_is_sent_is_not_ready_yet(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    # Notify makes a letter's PDF in a task queued after the 201, for test keys too; the reference
    # never makes one, so the emulator's answer is compared in the seconds before it would have.
    seed = tmp_path_factory.mktemp("pdf") / "seed.toml"
    seed.write_text(SEED)
    settings = emulator_settings(
        config_path=seed,
        seed_demo=False,
        clock=SystemClock(),
        delivery_delays=DeliveryDelays.from_seconds(sending=30, final=60),
    )
    with serve_emulator(settings) as slow_emulator:
        answers = []
        for base in (REFERENCE_URL, slow_emulator.base_url):
            for key in ("test", "live"):
                item = Case("send", "POST", LETTER, body=letter(), key=key)
                sent = requests.post(
                    base + LETTER, json=item.body, headers=_authorization(item), timeout=30
                )
                assert sent.status_code == 201, sent.text
                pdf = Case("pdf", "GET", f"/v2/notifications/{sent.json()['id']}/pdf", key=key)
                answers.append(_answer(base, pdf))
    real, ours = answers[:2], answers[2:]
    assert ours == real
    assert json.loads(real[0][1])["errors"][0]["error"] == "PDFNotReadyError"
