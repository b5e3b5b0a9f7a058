"""An in-memory database shared by concurrent requests loses nothing it acknowledged."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from notifications_python_client.notifications import NotificationsAPIClient
from notify_emulator.demo import service as demo

from ..emulators import emulator_settings, serve_emulator

SENDS = 40


def test_concurrent_sends_to_an_in_memory_database_are_all_kept() -> None:
    with serve_emulator(emulator_settings("sqlite:///:memory:")) as server:
        client = NotificationsAPIClient(demo.LIVE_API_KEY, base_url=server.base_url, max_retries=0)

        def send(number: int) -> str:
            answer = client.send_sms_notification(
                "07700900123", demo.SMS_TEMPLATE_ID, {"name": f"n{number}"}
            )
            # Reads interleave with writes, as they do for a real integration.
            client.get_all_notifications(template_type="sms")
            return answer["id"]

        with ThreadPoolExecutor(max_workers=12) as pool:
            sent = set(pool.map(send, range(SENDS)))

        listed = {n["id"] for n in client.get_all_notifications_iterator()}
        assert len(sent) == SENDS
        assert listed == sent
        for notification_id in sent:
            assert client.get_notification_by_id(notification_id)["id"] == notification_id
