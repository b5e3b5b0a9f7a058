"""The HTML document of an email as Notify sends it: the body fragment of
:func:`~notify_emulator.rules.email.email_html_body` inside Notify's email wrapper.

Facts of the wrapper (notifications-utils ``email_template.jinja2``, as the API's
``HTMLEmailTemplate`` fills it for a service with GOV.UK branding, the default): the title is
the HTML-escaped subject; the body text is Helvetica/Arial, dark grey (#0b0c0c) on white; a
hidden preheader (the first 256 characters of the message, then an ellipsis) comes first; a
60-pixel blue (#1d70b8) banner carries the GOV.UK wordmark; the message sits in a centred
column at most 580 pixels wide, 19 px text with a 25 px line height, with 30 px above and below.
The markup here is the emulator's own: the same facts, tables for layout as email clients need,
and no image fetched from anywhere (the crown logo is left out).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from notify_emulator.rules.email import email_html_body, email_preheader, email_subject

__all__ = ["GOVUK_BLUE", "email_document"]

GOVUK_BLUE = "#1d70b8"
_TEXT_COLOUR = "#0b0c0c"
_FONT = "Helvetica, Arial, sans-serif"
_COLUMN_WIDTH = 580

_DOCUMENT = """<!DOCTYPE html>
<html lang="en">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<meta name="viewport" content="width=device-width">
<meta name="format-detection" content="telephone=no">
<title>{title}</title>
<style>body {{ margin: 0 !important; }}</style>
</head>
<body style="font-family: {font}; font-size: 16px; margin: 0; color: {text};">
<span style="display: none; font-size: 1px; color: #fff; max-height: 0;" hidden>{preheader}…</span>
{banner}<table role="presentation" align="center" cellpadding="0" cellspacing="0" border="0" \
style="border-collapse: collapse; max-width: {width}px; width: 100%;">
<tr><td height="30"><br></td></tr>
<tr>
<td width="10" valign="middle"><br></td>
<td style="font-family: {font}; font-size: 19px; line-height: 1.315789474; \
max-width: {inner}px; color: {text};">
{body}</td>
<td width="10" valign="middle"><br></td>
</tr>
<tr><td height="30"><br></td></tr>
</table>
</body>
</html>
"""

_GOVUK_BANNER = """<table role="presentation" cellpadding="0" cellspacing="0" border="0" \
style="border-collapse: collapse; width: 100%;">
<tr><td width="100%" height="60" bgcolor="{blue}" style="background-color: {blue};">
<table role="presentation" align="center" cellpadding="0" cellspacing="0" border="0" \
style="border-collapse: collapse; max-width: {width}px; width: 100%;">
<tr><td style="padding: 0 10px; font-family: {font}; font-size: 28px; font-weight: 700; \
line-height: 60px; color: #ffffff;">
<a href="https://www.gov.uk" title="Go to the GOV.UK homepage" \
style="color: #ffffff; text-decoration: none;">GOV.UK</a>
</td></tr>
</table>
</td></tr>
</table>
"""


def email_document(
    subject: str,
    content: str,
    personalisation: Mapping[str, Any] | None,
    *,
    unsubscribe_link: str | None = None,
    govuk_banner: bool = True,
) -> str:
    """The whole HTML email for a template's ``subject`` and ``content`` with values filled.

    Values are escaped before the markdown is rendered (``email_html_body``), so
    personalisation cannot add markup; the subject and preheader are escaped here.
    """
    body = email_html_body(content, personalisation, unsubscribe_link=unsubscribe_link)
    banner = (
        _GOVUK_BANNER.format(blue=GOVUK_BLUE, width=_COLUMN_WIDTH, font=_FONT)
        if govuk_banner
        else ""
    )
    return _DOCUMENT.format(
        # email_subject(escape=True) escapes the values; the template's text is escaped with it.
        title=email_subject(subject, personalisation, escape=True),
        font=_FONT,
        text=_TEXT_COLOUR,
        # The preheader is built from the escaped markdown, so it is HTML already.
        preheader=email_preheader(content, personalisation),
        banner=banner,
        width=_COLUMN_WIDTH,
        inner=_COLUMN_WIDTH - 20,
        body=body,
    )
