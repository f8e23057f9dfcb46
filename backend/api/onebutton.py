"""The page behind an e-mail's one-click link (unsubscribe, stop alerts): one button that POSTs
to the same URL. A GET changes nothing, so mail scanners that follow links change nothing; mail
clients send the POST themselves (``List-Unsubscribe-Post``, RFC 8058)."""

from __future__ import annotations

import html
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from backend.api.errors import error_responses

_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} – CivicTwin</title></head><body style="font-family:sans-serif;margin:2rem">
<h1>{heading}</h1>
<p>{text}</p>
<form method="post" action="{action}"><button type="submit">{button}</button></form>
</body></html>"""


def one_button_page(
    request: Request, *, title: str, heading: str, text: str, button: str
) -> HTMLResponse:
    """The page for ``request``'s link, its form posting to the same path and query."""
    action = html.escape(str(request.url.path) + "?" + str(request.url.query), quote=True)
    return HTMLResponse(
        _PAGE.format(title=title, heading=heading, text=text, action=action, button=button)
    )


def one_button_responses(does: str) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` of such a page; ``does`` says what its button does."""
    return {
        200: {
            "content": {"text/html": {"example": '<!doctype html>…<form method="post">…'}},
            "description": f"A page with one button that {does} (a GET changes nothing, so "
            "mail scanners following links change nothing)",
        },
        **error_responses(422),
    }
