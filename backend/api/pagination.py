"""Links between pages of a list (``limit``/``offset``), built from the request's own URL."""

from __future__ import annotations

from fastapi import Request


def page_links(
    request: Request, total: int, limit: int, offset: int
) -> tuple[str | None, str | None]:
    """The ``next`` and ``prev`` URLs of a page, or None at either end."""
    nxt = (
        str(request.url.include_query_params(limit=limit, offset=offset + limit))
        if offset + limit < total
        else None
    )
    prev = (
        str(request.url.include_query_params(limit=limit, offset=max(0, offset - limit)))
        if offset > 0
        else None
    )
    return nxt, prev


def next_link(request: Request, total: int, limit: int, offset: int) -> str | None:
    return page_links(request, total, limit, offset)[0]
