"""TLS failures, at a real local TLS server: only a failed handshake means "not sent".

The certificate in ``tls/`` is a self-signed one for ``localhost`` and ``127.0.0.1``, valid from
2020 to 2120, made for these tests only.
"""

from __future__ import annotations

import contextlib
import os
import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests
import urllib3.exceptions

from notifications_python_client import NotificationsAPIClient, RetryPolicy
from notifications_python_client.base import translate_requests_error
from notifications_python_client.errors import ConnectError, ResponseNotReceivedError

from .fakenotify import API_KEY, TEMPLATE_ID

TLS = Path(__file__).parent / "tls"
CERT = str(TLS / "localhost-cert.pem")
KEY = str(TLS / "localhost-key.pem")

FAST = RetryPolicy(max_retries=3, initial_backoff=0.001, max_backoff=0.005)

# A TLS application-data record whose contents cannot decrypt: the client's read fails with
# an SSL error ("bad record mac") after the request has been sent.
BAD_RECORD = b"\x17\x03\x03\x00\x20" + b"\x00" * 32


class TLSServer:
    """Accepts connections on 127.0.0.1 and hands each to ``handle``; counts what arrives."""

    def __init__(self, handle: Callable[[TLSServer, socket.socket], None]) -> None:
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(CERT, KEY)
        self._handle = handle
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self.port = self._listener.getsockname()[1]
        self.connections = 0
        self.requests: list[bytes] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def url(self) -> str:
        return f"https://localhost:{self.port}"

    def _serve(self) -> None:
        while not self._stopping.is_set():
            try:
                connection, _ = self._listener.accept()
            except (TimeoutError, OSError):
                continue
            with self._lock:
                self.connections += 1
            with connection:
                connection.settimeout(5)
                with contextlib.suppress(OSError):  # ssl.SSLError is an OSError
                    self._handle(self, connection)

    def received(self, request: bytes) -> None:
        with self._lock:
            self.requests.append(request)

    def __enter__(self) -> TLSServer:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stopping.set()
        self._thread.join(5)
        self._listener.close()


def read_request(stream: ssl.SSLSocket) -> bytes:
    """A whole request: its headers and as much body as ``Content-Length`` says."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = stream.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = stream.recv(65536)
        if not chunk:
            break
        body += chunk
    return data


def garbles_the_answer(server: TLSServer, connection: socket.socket) -> None:
    """Completes the handshake, reads the request, then answers with a corrupt TLS record."""
    with server.context.wrap_socket(connection, server_side=True) as stream:
        server.received(read_request(stream))
        with socket.socket(fileno=os.dup(stream.fileno())) as raw:
            raw.sendall(BAD_RECORD)


def garbles_the_handshake(server: TLSServer, connection: socket.socket) -> None:
    """Answers the client's hello with bytes that are not TLS: the handshake fails."""
    connection.recv(65536)
    connection.sendall(b"\x16\x03\x03\x00\x02\x02\x28" + b"\xff" * 16)


@pytest.fixture
def session() -> Iterator[requests.Session]:
    # The environment's CA bundle would replace ``verify`` with trust_env on.
    with requests.Session() as tls_session:
        tls_session.trust_env = False
        tls_session.verify = CERT
        yield tls_session


def client_for(server: TLSServer, session: requests.Session) -> NotificationsAPIClient:
    return NotificationsAPIClient(
        API_KEY, base_url=server.url, timeout=5, retry_policy=FAST, session=session
    )


def test_an_ssl_error_reading_the_answer_to_a_post_is_not_retried(
    session: requests.Session,
) -> None:
    with TLSServer(garbles_the_answer) as server:
        client = client_for(server, session)
        with pytest.raises(ResponseNotReceivedError) as raised:
            client.send_sms_notification("07700900123", TEMPLATE_ID)

    assert not isinstance(raised.value, ConnectError)
    assert len(server.requests) == 1
    assert server.requests[0].startswith(b"POST /v2/notifications/sms ")
    assert isinstance(raised.value.__cause__, requests.exceptions.SSLError)
    assert raised.value.status_code == 503


def test_an_ssl_error_reading_the_answer_to_a_get_is_retried(session: requests.Session) -> None:
    with TLSServer(garbles_the_answer) as server:
        client = client_for(server, session)
        with pytest.raises(ResponseNotReceivedError):
            client.get_notification_by_id("740e5834-3a29-46b4-9a6f-16142fde533a")

    assert len(server.requests) == 1 + FAST.max_retries


def test_a_failed_handshake_is_a_connect_error_and_a_post_is_retried(
    session: requests.Session,
) -> None:
    with TLSServer(garbles_the_handshake) as server:
        client = client_for(server, session)
        with pytest.raises(ConnectError) as raised:
            client.send_sms_notification("07700900123", TEMPLATE_ID)

    assert server.requests == []
    assert server.connections == 1 + FAST.max_retries
    assert isinstance(raised.value.__cause__, requests.exceptions.SSLError)


def test_an_untrusted_certificate_is_a_connect_error(session: requests.Session) -> None:
    def answers(server: TLSServer, connection: socket.socket) -> None:
        with server.context.wrap_socket(connection, server_side=True) as stream:
            server.received(read_request(stream))

    session.verify = True  # the system's bundle, which does not hold the test certificate
    with TLSServer(answers) as server:
        client = client_for(server, session)
        with pytest.raises(ConnectError):
            client.send_sms_notification("07700900123", TEMPLATE_ID)

    assert server.requests == []


def test_a_tls_error_that_cannot_be_placed_counts_as_sent() -> None:
    # No traceback says where it happened, so the safe reading: the outcome is unknown.
    reason = urllib3.exceptions.SSLError(ssl.SSLError(1, "bad record mac"))
    wrapped = urllib3.exceptions.MaxRetryError(None, "/v2/notifications/sms", reason)  # type: ignore[arg-type]
    error = translate_requests_error(requests.exceptions.SSLError(wrapped))
    assert type(error) is ResponseNotReceivedError


def test_a_certificate_error_counts_as_not_sent() -> None:
    reason = urllib3.exceptions.SSLError(
        ssl.SSLCertVerificationError(1, "certificate verify failed")
    )
    error = translate_requests_error(requests.exceptions.SSLError(reason))
    assert type(error) is ConnectError
