"""``/_emulator/faults``: add, list and delete the faults being rehearsed
(shared/spec/emulator.md, "Faults")."""

from __future__ import annotations

import uuid

from notify_emulator.admin.bodies import json_value
from notify_emulator.faults.rules import FaultError, parse_fault
from notify_emulator.web.context import ApiRequest, Emulator
from notify_emulator.web.errors import AdminError
from notify_emulator.web.handlers import Result


def add_fault(emulator: Emulator, request: ApiRequest) -> Result:
    """``POST /_emulator/faults`` ``{"match", "action", "times" | "rate"}`` → 201 the fault."""
    data = json_value(request.body, "the body must be a JSON object (a fault)")
    try:
        spec = parse_fault(data)
    except FaultError as error:
        raise AdminError(str(error)) from None
    record = emulator.store.faults.add(spec)
    return 201, record.as_json()


def list_faults(emulator: Emulator, _request: ApiRequest) -> Result:
    """``GET /_emulator/faults`` → ``{"faults": [...]}``, in the order they were added."""
    return 200, {"faults": [record.as_json() for record in emulator.store.faults.all()]}


def clear_faults(emulator: Emulator, _request: ApiRequest) -> Result:
    """``DELETE /_emulator/faults``: no more faults."""
    return 200, {"deleted": emulator.store.faults.clear()}


def delete_fault(emulator: Emulator, request: ApiRequest) -> Result:
    """``DELETE /_emulator/faults/{id}``."""
    fault_id = request.path_params["fault_id"]
    try:
        canonical = str(uuid.UUID(fault_id))
    except ValueError:
        raise AdminError(f"no fault with id {fault_id}", status_code=404) from None
    if not emulator.store.faults.delete(canonical):
        raise AdminError(f"no fault with id {fault_id}", status_code=404)
    return 200, {"deleted": 1}
