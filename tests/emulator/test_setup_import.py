"""``notify-emulator import``: a service read through the v2 API with the project's client.

Against the emulator itself: one running emulator is read, the seed file is loaded into a
second, fresh one, and the second serves the same templates, versions and ids to the new local
keys. Against the real Notify API when one is reachable: set ``NOTIFY_REFERENCE_URL`` and
``NOTIFY_REFERENCE_API_KEY`` (shared/notify-reference runs one on loopback).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import requests
from click.testing import CliRunner

from notifications_python_client.errors import AuthError
from notifications_python_client.notifications import NotificationsAPIClient
from notify_emulator.cli import main
from notify_emulator.seed import load_seed_file

from ..emulators import emulator_settings, serve_emulator

KEY_LINE = re.compile(r"^\s+(normal|team|test)\s+(\S+)$", re.MULTILINE)
# What a version read back must keep (the times are when the copy was stored).
COMPARED = ("id", "type", "name", "version", "body", "subject", "postage", "letter_contact_block")


def every_version(client: NotificationsAPIClient) -> dict[tuple[str, int], dict[str, Any]]:
    """Each template's every version, as the v2 API shows it."""
    versions: dict[tuple[str, int], dict[str, Any]] = {}
    for template in client.get_all_templates()["templates"]:
        for number in range(1, template["version"] + 1):
            version = client.get_template_version(template["id"], number)
            versions[(template["id"], number)] = {name: version.get(name) for name in COMPARED}
    return versions


def run_import(api_key: str, base_url: str, output: Path, *extra: str) -> Any:
    return CliRunner().invoke(
        main,
        ["import", "--api-key", api_key, "--base-url", base_url, "-o", str(output), *extra],
    )


def local_keys(output: str) -> dict[str, str]:
    return dict(KEY_LINE.findall(output))


def make_source_service(base: str) -> tuple[str, str]:
    """A service with templates of each type, some edited, one archived; its live key."""

    def post(path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = requests.post(base + "/_emulator" + path, json=body, timeout=10)
        assert response.status_code in {200, 201}, response.text
        answer: dict[str, Any] = response.json()
        return answer

    service_id = post("/services", {"name": "Source"})["id"]
    key = post(f"/services/{service_id}/api-keys", {"name": "real", "type": "normal"})["key"]
    sms = post(
        f"/services/{service_id}/templates", {"type": "sms", "name": "Code", "body": "v1 ((code))"}
    )["id"]
    post(f"/templates/{sms}", {"body": "v2 ((code))"})
    post(f"/templates/{sms}", {"body": "v3 ((code))", "name": "Code, edited"})
    email = post(
        f"/services/{service_id}/templates",
        {"type": "email", "name": "Mail", "subject": "Hi ((name))", "body": "Line 1\n\nLine 2"},
    )["id"]
    post(f"/templates/{email}", {"subject": "Hello ((name))"})
    post(
        f"/services/{service_id}/templates",
        {
            "type": "letter",
            "name": "Letter",
            "subject": "Heading",
            "body": "Dear ((name))",
            "letter_contact_block": "The Office\nLondon",
            "postage": "first",
        },
    )
    old = post(f"/services/{service_id}/templates", {"type": "sms", "name": "Old", "body": "x"})
    post(f"/templates/{old['id']}", {"archived": True})
    post(f"/services/{service_id}", {"inbound_number": "07700900999"})  # to receive texts
    requests.post(
        base + "/_emulator/received-texts",
        json={"service_id": service_id, "user_number": "07700900111", "content": "Hi"},
        timeout=10,
    ).raise_for_status()
    return service_id, key


def test_an_import_from_one_emulator_loads_into_another_with_the_same_templates(
    tmp_path: Path,
) -> None:
    seed_path = tmp_path / "imported.toml"
    with serve_emulator(emulator_settings(seed_demo=False)) as source:
        service_id, real_key = make_source_service(source.base_url)
        requests.post(
            source.base_url + "/_emulator/received-texts",
            json={"service_id": service_id, "user_number": "07700900222", "content": "Later"},
            timeout=10,
        ).raise_for_status()
        result = run_import(real_key, source.base_url, seed_path, "--name", "Copied")
        assert result.exit_code == 0, result.output
        with NotificationsAPIClient(real_key, base_url=source.base_url) as client:
            expected = every_version(client)
    real_secret = real_key[-36:]
    written = seed_path.read_text()
    # The real key is used, never written or shown.
    for text in (written, result.output):
        assert real_key not in text
        assert real_secret not in text
    assert "4 template" not in result.output  # the archived one is not listed by v2
    assert "3 template(s), 6 version(s)" in result.output
    assert "email reply-to addresses" in result.output  # what the user must add
    keys = local_keys(result.output)
    assert sorted(keys) == ["normal", "team", "test"]
    assert all(key[-73:-37] == service_id for key in keys.values())
    (service,) = load_seed_file(seed_path).services
    assert (service.id, service.name, service.inbound_number) == (
        service_id,
        "Copied",
        "07700900999",
    )
    with serve_emulator(emulator_settings(seed_demo=False, config_path=seed_path)) as target:
        for key_type, key in keys.items():
            with NotificationsAPIClient(key, base_url=target.base_url) as client:
                assert every_version(client) == expected, key_type
        with (
            NotificationsAPIClient(real_key, base_url=target.base_url) as client,
            pytest.raises(AuthError),
        ):
            client.get_all_templates()


def test_standard_output_gets_the_seed_and_standard_error_the_rest(tmp_path: Path) -> None:
    with serve_emulator(emulator_settings(seed_demo=False)) as source:
        _service_id, real_key = make_source_service(source.base_url)
        result = CliRunner().invoke(
            main, ["import", "--api-key", real_key, "--base-url", source.base_url, "-o", "-"]
        )
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("# A notify-emulator seed file")
    assert "New local API keys" in result.stderr
    assert real_key[-36:] not in result.stdout + result.stderr


def test_a_refused_key_is_reported_without_the_key(tmp_path: Path) -> None:
    with serve_emulator(emulator_settings(seed_demo=False)) as source:
        _service_id, real_key = make_source_service(source.base_url)
        wrong = real_key[:-36] + "00000000-0000-4000-8000-000000000000"
        result = run_import(wrong, source.base_url, tmp_path / "x.toml")
    assert result.exit_code == 2
    assert (
        "notify-emulator: the Notify API did not answer as expected: 403 AuthError: "
        "Invalid token: API key not found"
    ) in result.output
    assert wrong[-36:] not in result.output
    assert not (tmp_path / "x.toml").exists()
    malformed = run_import("not-a-key", "http://127.0.0.1:9", tmp_path / "y.toml")
    assert malformed.exit_code == 2
    assert "not-a-key" not in malformed.output


@pytest.mark.skipif(
    not (os.environ.get("NOTIFY_REFERENCE_URL") and os.environ.get("NOTIFY_REFERENCE_API_KEY")),
    reason="needs a real Notify API: set NOTIFY_REFERENCE_URL and NOTIFY_REFERENCE_API_KEY",
)
def test_an_import_from_the_real_notify_api(tmp_path: Path) -> None:
    base_url = os.environ["NOTIFY_REFERENCE_URL"]
    real_key = os.environ["NOTIFY_REFERENCE_API_KEY"]
    seed_path = tmp_path / "reference.toml"
    result = run_import(real_key, base_url, seed_path)
    assert result.exit_code == 0, result.output
    for text in (seed_path.read_text(), result.output):
        assert real_key[-36:] not in text
    with NotificationsAPIClient(real_key, base_url=base_url) as client:
        expected = every_version(client)
    assert expected
    keys = local_keys(result.output)
    with (
        serve_emulator(emulator_settings(seed_demo=False, config_path=seed_path)) as target,
        NotificationsAPIClient(keys["test"], base_url=target.base_url) as client,
    ):
        assert every_version(client) == expected


def test_without_this_repositorys_client_import_says_what_to_install(tmp_path: Path) -> None:
    # notify-emulator may be installed alone, or beside the official client.
    code = (
        "import sys; sys.modules['notifications_python_client'] = None; "
        "from notify_emulator.cli import main; main()"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, "import", "--api-key", "k", "-o", str(tmp_path / "s.toml")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.startswith(
        "notify-emulator: import reads the service with this repository's client, which is not "
        "installed here ("
    )
    assert not (tmp_path / "s.toml").exists()
