"""New notification ids: random version-4 UUIDs, each handed out once, in a forked worker too."""

from __future__ import annotations

import os
import uuid

import pytest

from notify_emulator.store.ids import new_notification_id


def test_ids_are_canonical_version_4_uuids_and_never_repeat() -> None:
    ids = [new_notification_id() for _ in range(3_000)]  # several batches of randomness

    assert len(set(ids)) == len(ids)
    for text in ids:
        parsed = uuid.UUID(text)
        assert (parsed.version, parsed.variant) == (4, uuid.RFC_4122)
        assert str(parsed) == text


# Python 3.12+ warns about forking a process with threads; this child runs no thread's code.
@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
def test_a_forked_worker_does_not_hand_out_the_ids_its_parent_will() -> None:
    new_notification_id()  # the parent now holds a batch it has mostly not handed out
    reading, writing = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child, which reports through the pipe
        # Whatever happens, the child ends here rather than going on with the test session.
        try:
            os.write(writing, "".join(new_notification_id() for _ in range(10)).encode())
        finally:
            os._exit(0)
    os.close(writing)
    os.waitpid(child, 0)
    with os.fdopen(reading) as pipe:
        text = pipe.read()
    childs = {text[index : index + 36] for index in range(0, len(text), 36)}
    parents = {new_notification_id() for _ in range(10)}

    assert len(childs) == 10
    assert childs.isdisjoint(parents)
