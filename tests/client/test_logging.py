"""Logs say what happened, and never show a key, secret, token or personalisation value."""

from __future__ import annotations

import logging

import pytest

from .fakenotify import API_KEY, SECRET, TEMPLATE_ID, Caller, FakeNotify, Reply, error_reply

PRIVATE = "Amala's secret diagnosis"


async def test_logs_hold_no_secrets(
    call: Caller, notify: FakeNotify, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="notifications_python_client")
    notify.queue(
        Reply(201, {"id": "x"}),
        # Notify's validation messages can echo submitted values back.
        error_reply(400, "ValidationError", f"personalisation {PRIVATE} is not of type object"),
    )
    await call("send_sms_notification", "07700900123", TEMPLATE_ID, {"diagnosis": PRIVATE}, "ref")
    with pytest.raises(Exception, match="ValidationError"):
        await call("send_sms_notification", "07700900123", TEMPLATE_ID, {"diagnosis": PRIVATE})
    token = notify.last.headers["authorization"].split()[1]

    records = [r for r in caplog.records if r.name.startswith("notifications_python_client")]
    text = "\n".join(record.getMessage() for record in records)
    for secret in (API_KEY, SECRET, token, PRIVATE, "07700900123"):
        assert secret not in text

    debug = [r.getMessage() for r in records if r.levelno == logging.DEBUG]
    assert len(debug) == 2  # one line per request
    assert all("POST" in line and "/v2/notifications/sms" in line for line in debug)
    assert "finished in" in debug[0]
    warnings = [r.getMessage() for r in records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "ValidationError" in warnings[0]
    assert "400" in warnings[0]


async def test_each_client_logs_to_its_modules_logger(
    call: Caller, notify: FakeNotify, caplog: pytest.LogCaptureFixture
) -> None:
    # The sync client's logger is the official client's (its ``base`` module's); both are
    # below "notifications_python_client", so configuring that one still covers them.
    caplog.set_level(logging.DEBUG, logger="notifications_python_client")
    notify.queue(Reply(200, {"templates": []}), error_reply(404, "NoResultFound", "No result"))
    await call("get_all_templates")
    with pytest.raises(Exception, match="NoResultFound"):
        await call("get_template", TEMPLATE_ID)

    expected = {
        "sync": "notifications_python_client.base",
        "async": "notifications_python_client.aio",
    }[call.kind]
    names = {r.name for r in caplog.records if r.name.startswith("notifications_python_client")}
    assert names == {expected}
