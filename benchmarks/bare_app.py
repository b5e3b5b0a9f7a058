"""The emulator's own server stack with no work behind it: Starlette returning a canned 201.

Served by ``benchmarks.serve`` exactly as the emulator is (same uvicorn settings, same process
layout), it is the ceiling the emulator's throughput is compared with.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from benchmarks.fixtures import CANNED_SMS_RESPONSE


async def _send_sms(request: Request) -> Response:
    # Read the body as the emulator must, so that both sides pay for receiving it.
    await request.body()
    return Response(CANNED_SMS_RESPONSE, status_code=201, media_type="application/json")


async def _health(request: Request) -> Response:
    return Response(b'{"status":"ok"}', media_type="application/json")


def create_bare_app() -> Starlette:
    """A Starlette app answering ``POST /v2/notifications/sms`` with a canned 201."""
    return Starlette(
        routes=[
            Route("/v2/notifications/sms", _send_sms, methods=["POST"]),
            Route("/_emulator/health", _health, methods=["GET"]),
        ]
    )
