"""Notify's callbacks: the delivery worker that empties the outbox, and a local receiver for
tests (shared/spec/callbacks.md; the bodies and rules are in ``notify_emulator.rules.callbacks``,
the outbox in ``notify_emulator.store.outbox``)."""

from notify_emulator.callbacks.receiver import CallbackAnswer, CallbackReceiver, ReceivedRequest
from notify_emulator.callbacks.worker import CallbackWorker

__all__ = ["CallbackAnswer", "CallbackReceiver", "CallbackWorker", "ReceivedRequest"]
