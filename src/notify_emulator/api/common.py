"""Pieces every v2 handler of a kind shares: the fields each stored notification starts with,
the choice of a service's sender or reply-to address, and the read of a notification that the
caller may see."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol, TypeVar

from notify_emulator.clock import utc_naive
from notify_emulator.rules.lifecycle import Step
from notify_emulator.store import NotificationRecord, TemplateRecord
from notify_emulator.web.auth import Caller, authenticate
from notify_emulator.web.context import ApiRequest, Emulator
from notify_emulator.web.errors import BadRequest, NotFound
from notify_emulator.web.schemas import GET_NOTIFICATION_REQUEST, stored_uuid, validate


def stored_fields(
    caller: Caller,
    template: TemplateRecord,
    *,
    notification_id: str,
    notification_type: str,
    reference: object,
    created_at: datetime,
    status: str,
    steps: Sequence[Step],
) -> dict[str, object]:
    """The columns every new notification row has, whatever its channel."""
    return {
        "id": notification_id,
        "service_id": caller.service.id,
        "api_key_id": caller.api_key.id,
        "key_type": caller.key_type,
        "template_id": template.id,
        "template_version": template.version,
        "reference": reference,
        "created_at": created_at,
        "notification_type": notification_type,
        "status": status,
        "planned_steps": steps_json(steps),
    }


def steps_json(steps: Sequence[Step]) -> list[dict[str, str]]:
    """A delivery plan as stored."""
    return [{"status": step.status, "at": utc_naive(step.at).isoformat()} for step in steps]


class _SenderOption(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def is_default(self) -> bool: ...
    @property
    def archived(self) -> bool: ...


_Option = TypeVar("_Option", bound=_SenderOption)


def chosen_option(
    options: Sequence[_Option], wanted_id: object, *, field: str, service_id: str
) -> _Option | None:
    """The sender or reply-to a send asked for by id, or the service's default when it gave
    none (``None`` if the service has no default).

    An id that is not one of the service's unarchived options is Notify's 400
    ``{field} {id} does not exist in database for service id {service id}``.
    """
    if wanted_id is None:
        return next((o for o in options if o.is_default and not o.archived), None)
    wanted = stored_uuid(str(wanted_id))
    for option in options:
        if option.id == wanted and not option.archived:
            return option
    raise BadRequest(f"{field} {wanted_id} does not exist in database for service id {service_id}")


def readable_notification(
    emulator: Emulator, request: ApiRequest
) -> tuple[Caller, NotificationRecord]:
    """The notification at ``{notification_id}``, as any key of its service may read it within
    the service's data retention; 404 ``NoResultFound`` otherwise."""
    caller = authenticate(request.authorization, emulator.store, emulator.settings.clock)
    notification_id = request.path_params["notification_id"]
    validate(
        {"notification_id": notification_id}, GET_NOTIFICATION_REQUEST, emulator.settings.clock
    )
    record = emulator.store.get_notification(
        stored_uuid(notification_id),
        caller.service.id,
        retention_days=caller.service.data_retention_days,
    )
    if record is None:
        raise NotFound()
    return caller, record
