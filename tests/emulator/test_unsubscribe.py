"""One-click unsubscribe, ``POST /unsubscribe/{notification_id}/{token}``, as Notify answers it
(api app/one_click_unsubscribe/rest.py), and the requests it records."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
import requests

from notify_emulator.demo import service as demo
from notify_emulator.present.serialise import unsubscribe_token
from tests.emulators import newsletter_template

from .emulator_harness import Running

SUCCESS = {"message": "Unsubscribe successful", "result": "success"}
NOT_VALID = {
    "message": {"unsubscribe request": "This is not a valid unsubscribe link."},
    "result": "error",
}
INVALID_OR_EXPIRED = {
    "message": {"unsubscribe request": "This unsubscribe link is invalid or expired."},
    "result": "error",
}
NOT_FOUND = {
    "message": "The requested URL was not found on the server. If you entered the URL manually "
    "please check your spelling and try again.",
    "result": "error",
}
ONE_CLICK = {"Content-Type": "application/x-www-form-urlencoded"}


def _post(url: str, **kwargs: object) -> requests.Response:
    return requests.post(url, timeout=10, **kwargs)  # type: ignore[arg-type]


def _sent_email(emulator: Running) -> dict[str, object]:
    """An email from a template with the unsubscribe link option, read back."""
    client = emulator.client()
    sent = client.send_email_notification(
        "someone@example.com", newsletter_template(emulator.base_url)
    )
    got: dict[str, object] = client.get_notification_by_id(sent["id"])
    return got


def _requests(emulator: Running, query: str = "") -> list[dict[str, object]]:
    answer = requests.get(f"{emulator.base_url}/_emulator/unsubscribe-requests{query}", timeout=10)
    assert answer.status_code == 200
    found: list[dict[str, object]] = answer.json()["unsubscribe_requests"]
    return found


def test_the_one_click_url_unsubscribes_and_is_recorded_once(emulator: Running) -> None:
    email = _sent_email(emulator)
    url = str(email["one_click_unsubscribe_url"])
    answer = _post(url, data="List-Unsubscribe=One-Click", headers=ONE_CLICK)
    assert (answer.status_code, answer.json()) == (200, SUCCESS)
    # Asked again: a success, not a second request.
    assert _post(url, data="List-Unsubscribe=One-Click", headers=ONE_CLICK).json() == SUCCESS
    (recorded,) = _requests(emulator)
    assert recorded == {
        "notification_id": email["id"],
        "service_id": demo.SERVICE_ID,
        "template_id": email["template"]["id"],  # type: ignore[index]
        "template_version": 1,
        "email_address": "someone@example.com",
        "created_at": recorded["created_at"],
    }
    assert _requests(emulator, f"?notification_id={email['id']}") == [recorded]
    assert _requests(emulator, f"?service_id={uuid.uuid4()}") == []


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"data": b""},
        {"json": {"anything": 1}},
        {"data": "x", "headers": {"Content-Type": "text/plain"}},
        {"data": "--b--", "headers": {"Content-Type": "multipart/form-data; boundary=b"}},
    ],
)
def test_any_body_will_do(emulator: Running, body: dict[str, object]) -> None:
    email = _sent_email(emulator)
    answer = _post(str(email["one_click_unsubscribe_url"]), **body)
    assert (answer.status_code, answer.json()) == (200, SUCCESS)


def test_the_id_may_be_upper_case(emulator: Running) -> None:
    email = _sent_email(emulator)
    notification_id = str(email["id"])
    url = f"{emulator.base_url}/unsubscribe/{notification_id.upper()}/"
    assert _post(url + unsubscribe_token(notification_id)).json() == SUCCESS


def test_a_wrong_token_is_not_a_valid_link(emulator: Running) -> None:
    email = _sent_email(emulator)
    answer = _post(
        f"{emulator.base_url}/unsubscribe/{email['id']}/not-the-token", headers=ONE_CLICK
    )
    assert (answer.status_code, answer.json()) == (404, NOT_VALID)
    assert _requests(emulator) == []


def test_an_unknown_notification_is_an_invalid_or_expired_link(emulator: Running) -> None:
    # Notify's answer when the token is good but neither its notifications nor their history
    # hold the id.
    unknown = str(uuid.uuid4())
    answer = _post(f"{emulator.base_url}/unsubscribe/{unknown}/{unsubscribe_token(unknown)}")
    assert (answer.status_code, answer.json()) == (404, INVALID_OR_EXPIRED)
    assert _requests(emulator) == []


def test_a_link_still_unsubscribes_after_the_retention_period(emulator: Running) -> None:
    # Reads no longer find the email, but Notify finds it in its history and records the
    # request.
    email = _sent_email(emulator)
    emulator.set_emulator_clock(emulator.clock.now() + timedelta(days=8))
    assert emulator.client().get_all_notifications()["notifications"] == []
    answer = _post(str(email["one_click_unsubscribe_url"]), headers=ONE_CLICK)
    assert (answer.status_code, answer.json()) == (200, SUCCESS)
    assert [request["notification_id"] for request in _requests(emulator)] == [email["id"]]


def test_a_link_after_a_reset_is_invalid_or_expired(emulator: Running) -> None:
    email = _sent_email(emulator)
    assert requests.post(f"{emulator.base_url}/_emulator/reset", timeout=10).status_code == 200
    answer = _post(str(email["one_click_unsubscribe_url"]), headers=ONE_CLICK)
    assert (answer.status_code, answer.json()) == (404, INVALID_OR_EXPIRED)


def test_only_an_email_can_be_unsubscribed_from(emulator: Running) -> None:
    # Notify's token is an email address, signed: no text or letter ever has one.
    text = emulator.client().send_sms_notification(
        "07700900123", demo.SMS_TEMPLATE_ID, {"name": "Jo"}
    )
    url = f"{emulator.base_url}/unsubscribe/{text['id']}/{unsubscribe_token(text['id'])}"
    answer = _post(url, headers=ONE_CLICK)
    assert (answer.status_code, answer.json()) == (404, NOT_VALID)
    assert _requests(emulator) == []


@pytest.mark.parametrize(
    "path",
    [
        "/unsubscribe/not-a-uuid/token",
        f"/unsubscribe/{uuid.UUID(int=1).hex}/token",  # no hyphens: Werkzeug's uuid refuses it
        f"/unsubscribe/{uuid.UUID(int=1)}",
        f"/unsubscribe/{uuid.UUID(int=1)}/token/",
    ],
)
def test_other_paths_are_not_found(emulator: Running, path: str) -> None:
    answer = _post(emulator.base_url + path, data="List-Unsubscribe=One-Click", headers=ONE_CLICK)
    assert (answer.status_code, answer.json()) == (404, NOT_FOUND)


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_only_post_is_allowed(emulator: Running, method: str) -> None:
    email = _sent_email(emulator)
    answer = requests.request(method, str(email["one_click_unsubscribe_url"]), timeout=10)
    assert answer.status_code == 405
    assert answer.json() == {
        "message": "The method is not allowed for the requested URL.",
        "result": "error",
    }
    assert answer.headers["Allow"] == "OPTIONS, POST"
    assert _requests(emulator) == []


def test_a_cross_origin_post_is_still_refused(emulator: Running) -> None:
    # The route is outside /v2, so the local surface's Origin check holds (emulator.md).
    email = _sent_email(emulator)
    headers = {**ONE_CLICK, "Origin": "http://evil.example"}
    answer = _post(str(email["one_click_unsubscribe_url"]), data="x", headers=headers)
    assert answer.status_code == 403
    assert _requests(emulator) == []


def test_a_reset_forgets_the_requests(emulator: Running) -> None:
    email = _sent_email(emulator)
    assert _post(str(email["one_click_unsubscribe_url"])).status_code == 200
    assert len(_requests(emulator)) == 1
    assert requests.post(f"{emulator.base_url}/_emulator/reset", timeout=10).status_code == 200
    assert _requests(emulator) == []


def test_the_requests_list_refuses_unknown_filters(emulator: Running) -> None:
    answer = requests.get(f"{emulator.base_url}/_emulator/unsubscribe-requests?x=1", timeout=10)
    assert answer.status_code == 400
    answer = requests.get(
        f"{emulator.base_url}/_emulator/unsubscribe-requests?service_id=nope", timeout=10
    )
    assert (answer.status_code, answer.json()["field"]) == (400, "service_id")
