"""The ``notify`` command group and its one-request commands (everything except ``bulk``)."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

import click
from click.core import ParameterSource
from rich.text import Text

from notifications_python_client._constants import (
    API_PAGE_SIZE,
    DEFAULT_BASE_URL,
    DEFAULT_TIMEOUT,
)
from notifications_python_client.errors import PDFNotReadyError

from . import render
from .session import (
    API_KEY_ENV,
    BASE_URL_ENV,
    CliSession,
    build_personalisation,
    configure_logging,
)
from .smoke_tests import smoke_test_note

F = TypeVar("F", bound=Callable[..., Any])

#: How often ``notify pdf --wait`` asks again while the PDF is not ready.
PDF_POLL_SECONDS = 0.5

NOTIFICATION_TYPES = ("sms", "email", "letter")
# The statuses GET /v2/notifications accepts, aliases included (notify-api.md §5.7).
NOTIFICATION_STATUSES = (
    "cancelled",
    "created",
    "sending",
    "sent",
    "delivered",
    "pending",
    "failed",
    "technical-failure",
    "temporary-failure",
    "permanent-failure",
    "pending-virus-check",
    "validation-failed",
    "virus-scan-failed",
    "returned-letter",
    "accepted",
    "received",
)


def json_option(function: F) -> F:
    """``--json``: print the API's raw answer instead of tables."""

    def turn_on(ctx: click.Context, _param: click.Parameter, value: bool) -> bool:
        session = ctx.find_object(CliSession)
        if value and session is not None:
            session.json_output = True
        return value

    return click.option(
        "--json",
        "json_output",
        is_flag=True,
        expose_value=False,
        callback=turn_on,
        help="Print the API's answer as JSON.",
    )(function)


def personalisation_options(function: F) -> F:
    """``-p key=value`` (repeatable) and ``--personalisation-json``."""
    function = click.option(
        "--personalisation-json",
        metavar="JSON",
        help="Personalisation as a JSON object (or @FILE holding one); -p values win.",
    )(function)
    return click.option(
        "-p",
        "--personalisation",
        "pairs",
        multiple=True,
        metavar="KEY=VALUE",
        help="A placeholder value; repeat for each placeholder.",
    )(function)


pass_session = click.make_pass_decorator(CliSession)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option(
    "--api-key",
    envvar=API_KEY_ENV,
    show_envvar=True,
    metavar="KEY",
    help="Your Notify API key. Prefer the environment variable: flags show up in process lists.",
)
@click.option(
    "--base-url",
    envvar=BASE_URL_ENV,
    show_envvar=True,
    default=DEFAULT_BASE_URL,
    show_default=True,
    help="The API root, e.g. a local emulator's http://127.0.0.1:6011.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=DEFAULT_TIMEOUT,
    show_default=True,
    help="Seconds to wait for a connection and for each answer.",
)
@click.option("--json", "json_output", is_flag=True, help="Print every answer as JSON.")
@click.option("-v", "--verbose", is_flag=True, help="Log each request to standard error.")
@click.version_option(package_name="notifications-python-client", prog_name="notify")
@click.pass_context
def notify(
    ctx: click.Context,
    api_key: str | None,
    base_url: str,
    timeout: float,
    json_output: bool,
    verbose: bool,
) -> None:
    """Send and inspect GOV.UK Notify texts, emails and letters from the command line.

    Set NOTIFY_API_KEY (and NOTIFY_BASE_URL for anything other than the live service),
    then run a command; `notify COMMAND --help` explains each one.
    """
    configure_logging(ctx, verbose=verbose)
    ctx.obj = CliSession(
        api_key=api_key,
        base_url=base_url,
        timeout=timeout,
        json_output=json_output,
        base_url_given=ctx.get_parameter_source("base_url") is not ParameterSource.DEFAULT,
    )


# --- send ---


@notify.group()
def send() -> None:
    """Send one text message, email or letter."""


def _show_sent(
    session: CliSession, response: Any, notification_type: str, recipient: str | None = None
) -> None:
    if session.json_output:
        render.print_json(session.stdout(), response)
    else:
        session.stdout().print(render.sent_panel(response, notification_type))
    note = smoke_test_note(recipient, notification_type) if recipient else None
    if note:
        # On standard error, so that --json output stays the API's answer alone.
        session.stderr().print(Text(note))


@send.command("sms")
@click.argument("phone_number")
@click.option("-t", "--template", "template_id", required=True, help="The template's id.")
@personalisation_options
@click.option("--reference", help="Your own reference for this message.")
@click.option("--sms-sender-id", help="Send from this SMS sender instead of the default.")
@json_option
@pass_session
def send_sms(
    session: CliSession,
    phone_number: str,
    template_id: str,
    pairs: tuple[str, ...],
    personalisation_json: str | None,
    reference: str | None,
    sms_sender_id: str | None,
) -> None:
    """Send a text message to PHONE_NUMBER."""
    personalisation = build_personalisation(pairs, personalisation_json)
    client = session.client()
    with session.reporting_errors():
        response = client.send_sms_notification(
            phone_number, template_id, personalisation, reference, sms_sender_id
        )
    _show_sent(session, response, "sms", phone_number)


@send.command("email")
@click.argument("email_address")
@click.option("-t", "--template", "template_id", required=True, help="The template's id.")
@personalisation_options
@click.option("--reference", help="Your own reference for this message.")
@click.option("--email-reply-to-id", help="Use this reply-to address instead of the default.")
@click.option("--one-click-unsubscribe-url", help="An https URL that unsubscribes the recipient.")
@json_option
@pass_session
def send_email(
    session: CliSession,
    email_address: str,
    template_id: str,
    pairs: tuple[str, ...],
    personalisation_json: str | None,
    reference: str | None,
    email_reply_to_id: str | None,
    one_click_unsubscribe_url: str | None,
) -> None:
    """Send an email to EMAIL_ADDRESS."""
    personalisation = build_personalisation(pairs, personalisation_json)
    client = session.client()
    with session.reporting_errors():
        response = client.send_email_notification(
            email_address,
            template_id,
            personalisation,
            reference,
            email_reply_to_id,
            one_click_unsubscribe_url,
        )
    _show_sent(session, response, "email", email_address)


@send.command("letter")
@click.option("-t", "--template", "template_id", required=True, help="The template's id.")
@personalisation_options
@click.option("--reference", help="Your own reference for this letter.")
@json_option
@pass_session
def send_letter(
    session: CliSession,
    template_id: str,
    pairs: tuple[str, ...],
    personalisation_json: str | None,
    reference: str | None,
) -> None:
    """Send a letter; the address goes in the personalisation.

    Give address_line_1 … address_line_7 (at least 3 lines, the last a postcode or a
    country), for example: -p address_line_1="A Person" -p address_line_2="1 Street"
    -p address_line_3="SW1A 1AA".
    """
    personalisation = build_personalisation(pairs, personalisation_json) or {}
    client = session.client()
    with session.reporting_errors():
        response = client.send_letter_notification(template_id, personalisation, reference)
    _show_sent(session, response, "letter")


# --- reading notifications ---


@notify.command()
@click.argument("notification_id")
@json_option
@pass_session
def status(session: CliSession, notification_id: str) -> None:
    """Show one notification and its status."""
    client = session.client()
    with session.reporting_errors():
        notification = client.get_notification_by_id(notification_id)
    if session.json_output:
        render.print_json(session.stdout(), notification)
    else:
        session.stdout().print(render.notification_panel(notification))


@notify.command("list")
@click.option(
    "--status",
    "statuses",
    multiple=True,
    type=click.Choice(NOTIFICATION_STATUSES),
    metavar="STATUS",
    help="Only notifications with this status, e.g. delivered, sending, or failed (every "
    "failure); repeatable.",
)
@click.option(
    "--type",
    "types",
    multiple=True,
    type=click.Choice(NOTIFICATION_TYPES),
    help="Only this type of notification (repeatable).",
)
@click.option("--reference", help="Only notifications sent with this reference.")
@click.option("--older-than", metavar="ID", help="Start after this notification (paging).")
@click.option("--include-jobs", is_flag=True, help="Include notifications sent from spreadsheets.")
@click.option("--all", "follow_pages", is_flag=True, help="Follow every page, not just the first.")
@json_option
@pass_session
def list_notifications(
    session: CliSession,
    statuses: tuple[str, ...],
    types: tuple[str, ...],
    reference: str | None,
    older_than: str | None,
    include_jobs: bool,
    follow_pages: bool,
) -> None:
    """List notifications, newest first: one page of up to 250 unless --all."""
    client = session.client()
    filters: dict[str, Any] = {
        "status": list(statuses) or None,
        "template_type": list(types) or None,
        "reference": reference,
        "older_than": older_than,
        "include_jobs": include_jobs or None,
    }
    _show_paged(
        session,
        "notifications",
        follow_pages=follow_pages,
        one_page=lambda: client.get_all_notifications(**filters),
        every_page=lambda: client.get_all_notifications_iterator(**filters),
        table=render.notifications_table,
        command="notify list",
        nothing="No notifications.",
    )


def _show_paged(
    session: CliSession,
    key: str,
    *,
    follow_pages: bool,
    one_page: Callable[[], Any],
    every_page: Callable[[], Iterable[Any]],
    table: Callable[[list[Any], int], Any],
    command: str,
    nothing: str,
) -> None:
    """Print one page of a list (with how to get the next), or every page with ``--all``."""
    next_link = None
    with session.reporting_errors():
        if follow_pages:
            items = list(every_page())
            answer: Any = {key: items}
        else:
            answer = one_page()
            items = answer[key]
            next_link = answer.get("links", {}).get("next")
    if session.json_output:
        render.print_json(session.stdout(), answer)
        return
    console = session.stdout()
    if not items:
        console.print(nothing)
        return
    console.print(table(items, console.width))
    if more_may_follow(items, next_link):
        console.print(f"More: {command} --older-than {items[-1]['id']} (or --all)")


def more_may_follow(items: list[Any], next_link: str | None) -> bool:
    """Whether a page may have a next one: Notify links onward from every non-empty page,
    so only a full page says that there may be more."""
    return bool(next_link) and len(items) >= API_PAGE_SIZE


# --- templates ---


@notify.command()
@click.option(
    "--type", "template_type", type=click.Choice(NOTIFICATION_TYPES), help="Only this type."
)
@json_option
@pass_session
def templates(session: CliSession, template_type: str | None) -> None:
    """List the service's templates (latest versions, archived ones left out)."""
    client = session.client()
    with session.reporting_errors():
        answer = client.get_all_templates(template_type)
    if session.json_output:
        render.print_json(session.stdout(), answer)
    else:
        console = session.stdout()
        console.print(render.templates_table(answer["templates"], console.width))


@notify.command()
@click.argument("template_id")
@click.option("--version", type=click.IntRange(min=1), help="This version instead of the latest.")
@json_option
@pass_session
def template(session: CliSession, template_id: str, version: int | None) -> None:
    """Show a template: its body, subject and placeholders."""
    client = session.client()
    with session.reporting_errors():
        if version is None:
            answer = client.get_template(template_id)
        else:
            answer = client.get_template_version(template_id, version)
    if session.json_output:
        render.print_json(session.stdout(), answer)
    else:
        session.stdout().print(render.template_panel(answer))


@notify.command()
@click.argument("template_id")
@personalisation_options
@json_option
@pass_session
def preview(
    session: CliSession, template_id: str, pairs: tuple[str, ...], personalisation_json: str | None
) -> None:
    """Render a template with personalisation, without sending anything."""
    personalisation = build_personalisation(pairs, personalisation_json)
    client = session.client()
    with session.reporting_errors():
        answer = client.post_template_preview(template_id, personalisation)
    if session.json_output:
        render.print_json(session.stdout(), answer)
    else:
        session.stdout().print(render.preview_panel(answer))


# --- received texts and letter PDFs ---


@notify.command()
@click.option("--older-than", metavar="ID", help="Start after this received text (paging).")
@click.option("--all", "follow_pages", is_flag=True, help="Follow every page, not just the first.")
@json_option
@pass_session
def received(session: CliSession, older_than: str | None, follow_pages: bool) -> None:
    """List text messages your service has received, newest first."""
    client = session.client()
    _show_paged(
        session,
        "received_text_messages",
        follow_pages=follow_pages,
        one_page=lambda: client.get_received_texts(older_than),
        every_page=lambda: client.get_received_texts_iterator(older_than),
        table=render.received_texts_table,
        command="notify received",
        nothing="No received text messages.",
    )


@notify.command()
@click.argument("notification_id")
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
    help="Where to save the PDF ('-' for standard output).",
)
@click.option(
    "--wait",
    "wait_seconds",
    type=click.FloatRange(min=0),
    default=0,
    show_default=True,
    help="While Notify says the PDF is not ready yet, keep asking for up to this many seconds.",
)
@json_option
@pass_session
def pdf(session: CliSession, notification_id: str, output: Path, wait_seconds: float) -> None:
    """Save a letter's PDF (Notify makes it a few seconds after the letter is sent)."""
    client = session.client()
    deadline = time.monotonic() + wait_seconds
    with session.reporting_errors():
        while True:
            try:
                content = client.get_pdf_for_letter(notification_id).getvalue()
                break
            except PDFNotReadyError:
                if time.monotonic() + PDF_POLL_SECONDS > deadline:
                    raise
                time.sleep(PDF_POLL_SECONDS)
    if str(output) == "-":
        sys.stdout.flush()
        sys.stdout.buffer.write(content)
        sys.stdout.buffer.flush()
        return
    try:
        output.write_bytes(content)
    except OSError as error:
        raise click.FileError(str(output), hint=error.strerror) from None
    if session.json_output:
        summary = {"id": notification_id, "file": str(output), "bytes": len(content)}
        render.print_json(session.stdout(), summary)
    else:
        session.stdout().print(f"Saved the letter's PDF ({len(content)} bytes) to {output}")
