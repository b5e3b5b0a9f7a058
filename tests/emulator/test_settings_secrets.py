"""The settings never show the database's password: not in repr() or str(), not in the
start-up lines, not in an error about the URL."""

from __future__ import annotations

import socket

import pytest
from click.testing import CliRunner

from notify_emulator.app import create_app
from notify_emulator.cli import main
from notify_emulator.settings import Settings, shown_database_url

URL = "postgresql://emulator:hunter2@db.example:5432/notify"


def test_repr_and_str_hide_the_password() -> None:
    settings = Settings(database_url=URL, admin_token="admin-token-secret")
    for shown in (repr(settings), str(settings)):
        assert "hunter2" not in shown
        assert "postgresql://emulator:***@db.example:5432/notify" in shown
        assert "admin-token-secret" not in shown
        assert "port=6011" in shown  # the rest is shown as before


def test_repr_of_a_url_without_a_password_is_unchanged() -> None:
    assert "database_url='sqlite:///:memory:'" in repr(Settings(database_url="sqlite:///:memory:"))
    assert "database_url=None" in repr(Settings())


def test_the_start_up_lines_hide_it(monkeypatch: pytest.MonkeyPatch) -> None:
    import notify_emulator.app
    import notify_emulator.cli as cli

    def no_server(*_args: object, **_kwargs: object) -> None:
        raise SystemExit(0)

    seen: list[str] = []

    def fake_create_app(settings: Settings) -> object:
        seen.append(repr(settings))
        return create_app(
            Settings(database_url="sqlite:///:memory:", log_requests=False, seed_demo=True)
        )

    listeners: list[socket.socket] = []

    def bind(host: str, port: int) -> socket.socket:
        listener = socket.socket()
        listener.bind((host, port))
        listeners.append(listener)
        return listener

    monkeypatch.setattr(notify_emulator.app, "create_app", fake_create_app)
    monkeypatch.setattr(cli, "_bind", bind)
    monkeypatch.setattr(cli, "settle_for_serving", no_server)
    try:
        result = CliRunner().invoke(main, ["serve", "--port", "0", "--database", URL])
    finally:
        for listener in listeners:
            listener.close()
    assert "Database: postgresql://emulator:***@db.example:5432/notify" in result.output
    assert "hunter2" not in result.output
    (settings_repr,) = seen
    assert "hunter2" not in settings_repr


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (URL, "postgresql://emulator:***@db.example:5432/notify"),
        ("postgresql://emulator:hunter2@db.example:port/x", "postgresql://emulator:***@"),
        ("postgresql://emulator:p@ss:w@rd@db/x", "postgresql://emulator:***@db/x"),
        ("postgresql://emulator:hunter@2@db/x", "postgresql://emulator:***@db/x"),
        ("postgresql://emulator:hunt/er2@db/x", "postgresql://emulator:***@db/x"),
        ("postgresql://emulator:hu@nt/er2@db/x", "postgresql://emulator:***@db/x"),
        ("postgresql://emulator:hun?ter2@db/x", "postgresql://emulator:***@db/x"),
        ("postgresql://db/x?password=hunter2", "postgresql://db/x?password=***"),
        (
            "postgresql://u@db/x?sslmode=require&PASSWORD=hunter2&application_name=a@b",
            "postgresql://u@db/x?sslmode=require&PASSWORD=***&application_name=a@b",
        ),
        ("postgresql+psycopg://u:hunter2@db/x?password=ss:w", "postgresql+psycopg://u:***@db/x?"),
        ("sqlite:///:memory:", "sqlite:///:memory:"),
        ("postgresql://db.example/notify", "postgresql://db.example/notify"),
    ],
)
def test_shown_database_url(url: str, shown: str) -> None:
    assert shown_database_url(url).startswith(shown)
    assert "hunter2" not in shown_database_url(url)
    assert "ss:w" not in shown_database_url(url)
    assert "er2" not in shown_database_url(url)


@pytest.mark.parametrize("command", ["serve", "export"])
def test_a_url_sqlalchemy_cannot_read_is_one_line_without_its_password(command: str) -> None:
    result = CliRunner().invoke(
        main, [command, "--database", "postgresql://emulator:hunter2@127.0.0.1:notaport/x"]
    )
    assert result.exit_code != 0
    assert result.output.startswith("notify-emulator: not a database URL")
    assert result.output.count("\n") == 1
    assert "hunter2" not in result.output
