"""The public surface: the official client's names and signatures, pinned."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest
import requests

import notifications_python_client
from notifications_python_client import authentication, base, errors, notifications, utils
from notifications_python_client.notifications import NotificationsAPIClient

from .fakenotify import API_KEY

# Each method's parameters, in order, with their defaults, as in the official client 13.x
# (``include_jobs`` on the iterator is our addition, last so positional calls still work).
OFFICIAL_SIGNATURES = {
    "send_sms_notification": "(phone_number, template_id, personalisation=None, reference=None, "
    "sms_sender_id=None)",
    "send_email_notification": "(email_address, template_id, personalisation=None, "
    "reference=None, email_reply_to_id=None, one_click_unsubscribe_url=None, "
    "sanitise_content_for=None)",
    "send_letter_notification": "(template_id, personalisation, reference=None)",
    "send_precompiled_letter_notification": "(reference, pdf_file, postage=None)",
    "get_received_texts": "(older_than=None)",
    "get_received_texts_iterator": "(older_than=None)",
    "get_notification_by_id": "(id)",
    "get_pdf_for_letter": "(id)",
    "get_all_notifications": "(status=None, template_type=None, reference=None, "
    "older_than=None, include_jobs=None)",
    "get_all_notifications_iterator": "(status=None, template_type=None, reference=None, "
    "older_than=None, include_jobs=None)",
    "post_template_preview": "(template_id, personalisation)",
    "get_template": "(template_id)",
    "get_template_version": "(template_id, version)",
    "get_all_template_versions": "(template_id)",
    "get_all_templates": "(template_type=None)",
    "get": "(url, params=None)",
    "post": "(url, data)",
    "put": "(url, data)",
    "delete": "(url, data=None)",
    "request": "(method, url, data=None, params=None)",
}


def plain_signature(function: object) -> str:
    parameters = [
        p.replace(annotation=inspect.Parameter.empty)
        for name, p in inspect.signature(function).parameters.items()  # type: ignore[arg-type]
        if name != "self"
    ]
    return str(inspect.Signature(parameters))


def test_method_signatures_match_the_official_client() -> None:
    for name, expected in OFFICIAL_SIGNATURES.items():
        assert plain_signature(getattr(NotificationsAPIClient, name)) == expected, name


def test_constructor() -> None:
    assert plain_signature(NotificationsAPIClient.__init__) == (
        "(api_key, base_url='https://api.notifications.service.gov.uk', timeout=30, *, "
        "max_retries=None, retry_policy=None, session=None)"
    )


def test_official_module_names_exist() -> None:
    assert notifications_python_client.__version__ == "13.1.0"
    assert notifications_python_client.NotificationsAPIClient is NotificationsAPIClient
    assert notifications_python_client.prepare_upload is utils.prepare_upload
    assert notifications_python_client.REQUEST_ERROR_STATUS_CODE == 503
    assert notifications_python_client.REQUEST_ERROR_MESSAGE == "Request failed"
    assert issubclass(notifications.NotificationsAPIClient, base.BaseAPIClient)
    for name in ("create_jwt_token", "decode_jwt_token", "get_token_issuer", "decode_token"):
        assert callable(getattr(authentication, name))
    assert callable(authentication.epoch_seconds)
    for name in (
        "APIError",
        "HTTPError",
        "HTTP503Error",
        "InvalidResponse",
        "TokenError",
        "TokenExpiredError",
        "TokenAlgorithmError",
        "TokenDecodeError",
        "TokenIssuerError",
        "TokenIssuedAtError",
    ):
        assert issubclass(getattr(errors, name), Exception), name
    assert issubclass(errors.TokenIssuerError, errors.TokenDecodeError)
    assert issubclass(errors.HTTP503Error, errors.HTTPError)
    assert issubclass(errors.InvalidResponse, errors.APIError)


def test_every_public_method_is_annotated() -> None:
    for name, member in inspect.getmembers(NotificationsAPIClient, inspect.isfunction):
        if name.startswith("_") and name not in {"__init__"}:
            continue
        signature = inspect.signature(member)
        assert signature.return_annotation is not inspect.Signature.empty, name
        for parameter in list(signature.parameters.values())[1:]:
            assert parameter.annotation is not inspect.Parameter.empty, (name, parameter.name)


def test_package_is_typed_and_independent_of_the_emulator() -> None:
    package = Path(notifications_python_client.__file__).parent
    assert (package / "py.typed").exists()
    mine = [
        path
        for path in package.glob("*.py")
        if path.name != "cli.py"  # the command is built on the client, elsewhere
    ]
    for path in mine:
        assert "notify_emulator" not in path.read_text(), path.name


def test_async_client_has_every_method_with_the_same_arguments() -> None:
    from notifications_python_client.aio import AsyncNotificationsAPIClient

    for name in [*OFFICIAL_SIGNATURES, "send_bulk"]:
        sync_method = getattr(NotificationsAPIClient, name)
        async_method = getattr(AsyncNotificationsAPIClient, name)
        assert plain_signature(async_method) == plain_signature(sync_method), name
        is_iterator = name.endswith("_iterator")
        assert inspect.iscoroutinefunction(async_method) is not is_iterator, name
    assert plain_signature(AsyncNotificationsAPIClient.__init__) == (
        plain_signature(NotificationsAPIClient.__init__)
    )


def test_the_official_modules_other_names_exist() -> None:
    # Names code written for the official client imports from its modules.
    assert (authentication.__algorithm__, authentication.__type__) == ("HS256", "JWT")
    assert authentication.__bound__ == 30
    assert authentication.INVALID_FUTURE_TOKEN_ERROR_MESSAGE == "Token can not be in the future"
    assert base.HTTPError is errors.HTTPError
    assert base.InvalidResponse is errors.InvalidResponse
    assert base.__version__ == notifications_python_client.__version__
    assert base.create_jwt_token is authentication.create_jwt_token
    assert base.logger.name == "notifications_python_client.base"
    assert notifications.logger.name == "notifications_python_client.notifications"
    for name in (
        "_create_request_objects",
        "_perform_request",
        "_process_json_response",
        "_serialize_data",
        "_extended_json_encoder",
        "generate_headers",
    ):
        assert callable(getattr(base.BaseAPIClient, name)), name


def test_validate_jwt_token_checks_decoded_claims() -> None:
    now = authentication.epoch_seconds()
    assert authentication.validate_jwt_token({"iss": "service", "iat": now}) is True
    with pytest.raises(errors.TokenIssuerError):
        authentication.validate_jwt_token({"iat": now})
    with pytest.raises(errors.TokenIssuedAtError):
        authentication.validate_jwt_token({"iss": "service"})
    with pytest.raises(errors.TokenExpiredError, match="Token has expired"):
        authentication.validate_jwt_token({"iss": "service", "iat": now - 31})
    with pytest.raises(errors.TokenExpiredError) as raised:
        authentication.validate_jwt_token({"iss": "service", "iat": now + 31})
    assert raised.value.message.startswith(authentication.INVALID_FUTURE_TOKEN_ERROR_MESSAGE)


def test_the_official_request_steps_work_on_their_own() -> None:
    client = NotificationsAPIClient(API_KEY, base_url="http://notify.invalid/")
    url, kwargs = client._create_request_objects("/v2/x", {"s": {"a"}}, {"q": "1"})
    assert url == "http://notify.invalid/v2/x"
    assert kwargs["data"] == '{"s": ["a"]}'
    assert kwargs["params"] == {"q": "1"}
    assert kwargs["timeout"] == 30
    assert kwargs["headers"]["Authorization"].startswith("Bearer ")
    assert client._serialize_data({"s": frozenset()}) == '{"s": []}'
    with pytest.raises(TypeError):
        client._extended_json_encoder(object())
    _, no_body = client._create_request_objects("/v2/x", None, None)
    assert set(no_body) == {"headers", "timeout"}

    answer = requests.Response()
    answer.status_code = 200
    answer._content = b'{"a": 1}'
    assert client._process_json_response(answer) == {"a": 1}
    answer.status_code = 204
    assert client._process_json_response(answer) is None
    answer.status_code = 200
    answer._content = b"not json"
    with pytest.raises(errors.InvalidResponse) as raised:
        client._process_json_response(answer)
    assert str(raised.value) == "200 - No JSON response object could be decoded"
    client.close()
