"""The iterators follow ``links.next`` across pages and keep every filter."""

from __future__ import annotations

import inspect
import uuid
from typing import Any
from unittest import mock

from notifications_python_client import NotificationsAPIClient

from .fakenotify import API_KEY, Caller, FakeNotify, Reply

ROOT = "https://api.notifications.service.gov.uk"


def ids(count: int) -> list[str]:
    return [str(uuid.UUID(int=i + 1, version=4)) for i in range(count)]


def notifications_page(items: list[str], next_query: str | None) -> Reply:
    links: dict[str, Any] = {"current": f"{ROOT}/v2/notifications"}
    if next_query is not None:
        links["next"] = f"{ROOT}/v2/notifications?{next_query}"
    return Reply(200, {"notifications": [{"id": i} for i in items], "links": links})


async def test_notifications_across_pages_until_an_empty_page(
    call: Caller, notify: FakeNotify
) -> None:
    first, second = ids(3), ids(5)[3:]
    # The next link carries the other filters first and a template id before older_than, so
    # taking "the first UUID in the link" would be wrong.
    notify.queue(
        notifications_page(first, f"status=delivered&template_type=sms&older_than={first[-1]}"),
        notifications_page(second, f"status=delivered&older_than={second[-1]}"),
        notifications_page([], None),
    )

    found = await call(
        "get_all_notifications_iterator",
        status="delivered",
        template_type="sms",
        reference="batch-7",
        include_jobs=True,
    )

    assert [item["id"] for item in found] == first + second
    assert [r.query.get("older_than") for r in notify.requests] == [
        None,
        [first[-1]],
        [second[-1]],
    ]
    for sent in notify.requests:
        assert sent.path == "/v2/notifications"
        assert sent.query["status"] == ["delivered"]
        assert sent.query["template_type"] == ["sms"]
        assert sent.query["reference"] == ["batch-7"]
        assert sent.query["include_jobs"] == ["True"]


async def test_older_than_is_read_from_its_parameter_not_the_first_uuid(
    call: Caller, notify: FakeNotify
) -> None:
    decoy, item, last = ids(3)
    notify.queue(
        notifications_page([item], f"reference={decoy}&older_than={last}"),
        notifications_page([], None),
    )

    await call("get_all_notifications_iterator")

    assert notify.requests[1].query["older_than"] == [last]
    # The filters sent are the caller's own, not whatever else the link carries.
    assert "reference" not in notify.requests[1].query


async def test_stops_when_a_page_has_no_next_link(call: Caller, notify: FakeNotify) -> None:
    notify.queue(notifications_page(ids(2), None))

    found = await call("get_all_notifications_iterator", older_than=ids(9)[8])

    assert len(found) == 2
    assert len(notify.requests) == 1
    assert notify.last.query["older_than"] == [ids(9)[8]]


async def test_stops_when_the_next_link_names_no_older_than(
    call: Caller, notify: FakeNotify
) -> None:
    # The official client 13.0 stops here too (12.x crashed): there is no page to ask for next.
    notify.queue(notifications_page(ids(2), "template_type=sms"))

    found = await call("get_all_notifications_iterator", template_type="sms")

    assert len(found) == 2
    assert len(notify.requests) == 1


async def test_stops_when_the_next_link_points_back(call: Caller, notify: FakeNotify) -> None:
    (item,) = ids(1)
    notify.queue(
        notifications_page([item], f"older_than={item}"),
        notifications_page([item], f"older_than={item}"),
    )

    found = await call("get_all_notifications_iterator")

    assert [n["id"] for n in found] == [item, item]
    assert len(notify.requests) == 2


async def test_received_texts_across_pages(call: Caller, notify: FakeNotify) -> None:
    texts = ids(4)

    def page(items: list[str], older_than: str | None) -> Reply:
        links = {"current": f"{ROOT}/v2/received-text-messages"}
        if older_than:
            links["next"] = f"{ROOT}/v2/received-text-messages?older_than={older_than}"
        return Reply(200, {"received_text_messages": [{"id": i} for i in items], "links": links})

    notify.queue(page(texts[:2], texts[1]), page(texts[2:], texts[3]), page([], None))

    found = await call("get_received_texts_iterator")

    assert [t["id"] for t in found] == texts
    assert [r.query for r in notify.requests] == [
        {},
        {"older_than": [texts[1]]},
        {"older_than": [texts[3]]},
    ]
    assert {r.path for r in notify.requests} == {"/v2/received-text-messages"}


async def test_empty_first_page_yields_nothing(call: Caller, notify: FakeNotify) -> None:
    notify.queue(Reply(200, {"received_text_messages": [], "links": {"current": ROOT}}))

    assert await call("get_received_texts_iterator") == []
    assert len(notify.requests) == 1


def test_sync_iterator_is_lazy(sync_client: Any, notify: FakeNotify) -> None:
    iterator = sync_client.get_all_notifications_iterator()
    assert notify.requests == []
    notify.queue(notifications_page(ids(1), None))
    assert len(list(iterator)) == 1


def received_texts_page(items: list[str], older_than: str | None) -> Reply:
    links = {"current": f"{ROOT}/v2/received-text-messages"}
    if older_than:
        links["next"] = f"{ROOT}/v2/received-text-messages?older_than={older_than}"
    return Reply(200, {"received_text_messages": [{"id": i} for i in items], "links": links})


def test_the_iterators_are_generator_functions_as_in_the_official_client() -> None:
    from notifications_python_client.aio import AsyncNotificationsAPIClient

    for name in ("get_all_notifications_iterator", "get_received_texts_iterator"):
        assert inspect.isgeneratorfunction(getattr(NotificationsAPIClient, name))
        assert inspect.isasyncgenfunction(getattr(AsyncNotificationsAPIClient, name))


class RecordsPages(NotificationsAPIClient):
    """Overrides the page methods with the official client's signatures, as a subclass may."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []

    def get_all_notifications(  # type: ignore[override]
        self,
        status: Any = None,
        template_type: Any = None,
        reference: Any = None,
        older_than: Any = None,
    ) -> Any:
        self.calls.append(("notifications", (status, template_type, reference, older_than), {}))
        return super().get_all_notifications(status, template_type, reference, older_than)

    def get_received_texts(self, older_than: Any = None) -> Any:
        self.calls.append(("texts", (), {"older_than": older_than}))
        return super().get_received_texts(older_than=older_than)


def test_pages_are_fetched_through_the_public_page_methods(notify: FakeNotify) -> None:
    # As in the official client, whose iterators call get_all_notifications and
    # get_received_texts for each page: code that overrides or mocks those sees every page.
    first, texts = ids(2), ids(4)[2:]
    notify.queue(
        notifications_page(first, f"older_than={first[-1]}"),
        notifications_page([], None),
        received_texts_page(texts, texts[-1]),
        received_texts_page([], None),
    )
    with RecordsPages(API_KEY, base_url=notify.url, max_retries=0) as client:
        found = list(client.get_all_notifications_iterator("failed", "sms", "batch-7"))
        texts_found = list(client.get_received_texts_iterator())

    assert [n["id"] for n in found] == first
    assert [t["id"] for t in texts_found] == texts
    assert client.calls == [
        ("notifications", ("failed", "sms", "batch-7", None), {}),
        ("notifications", ("failed", "sms", "batch-7", first[-1]), {}),
        ("texts", (), {"older_than": None}),
        ("texts", (), {"older_than": texts[-1]}),
    ]


def test_mocked_page_methods_feed_the_iterators() -> None:
    pages = [{"notifications": [{"id": "a"}], "links": {"next": f"{ROOT}/v2?older_than=x"}}]
    pages.append({"notifications": [], "links": {}})
    client = NotificationsAPIClient(API_KEY, base_url="http://notify.invalid")
    with mock.patch.object(client, "get_all_notifications", side_effect=pages) as page_method:
        assert list(client.get_all_notifications_iterator(status="sent")) == [{"id": "a"}]
    assert page_method.call_args_list == [
        mock.call("sent", None, None, None),
        mock.call("sent", None, None, "x"),
    ]
    client.close()


async def test_the_async_iterators_fetch_pages_through_the_public_methods(
    notify: FakeNotify,
) -> None:
    from notifications_python_client.aio import AsyncNotificationsAPIClient

    texts = ids(2)
    notify.queue(received_texts_page(texts, texts[-1]), received_texts_page([], None))
    async with AsyncNotificationsAPIClient(API_KEY, base_url=notify.url) as client:
        page_method = mock.AsyncMock(wraps=client.get_received_texts)
        with mock.patch.object(client, "get_received_texts", page_method):
            iterator = client.get_received_texts_iterator()
            assert notify.requests == []  # lazy: nothing is asked before the first item
            found = [text async for text in iterator]

    assert [t["id"] for t in found] == texts
    assert page_method.call_args_list == [
        mock.call(older_than=None),
        mock.call(older_than=texts[-1]),
    ]


def test_include_jobs_is_passed_on_by_name_only_when_given() -> None:
    client = NotificationsAPIClient(API_KEY, base_url="http://notify.invalid")
    page = {"notifications": [], "links": {}}
    with mock.patch.object(client, "get_all_notifications", return_value=page) as page_method:
        list(client.get_all_notifications_iterator(include_jobs=True))
    assert page_method.call_args_list == [mock.call(None, None, None, None, include_jobs=True)]
    client.close()
