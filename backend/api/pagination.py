"""Pagination, once: the ``limit``/``offset`` dependency and the links between pages.

A route takes ``page: Pagination`` (or an alias with its own default and maximum page size,
made by :func:`page_params`) and answers ``page.of(ProposalList, items, total)``; the ``next``
and ``prev`` links are the request's own URL with the offset moved, so no path is typed twice.
"""

# No ``from __future__ import annotations``: FastAPI reads the dependency's annotations at
# runtime, and they use ``maximum`` and ``default`` of the enclosing factory.
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Query, Request

from backend.api.params import Offset
from backend.schemas.pagination import Page

P = TypeVar("P", bound=Page[Any])


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


@dataclass(frozen=True)
class PageParams:
    """The page a request asks for."""

    request: Request
    limit: int
    offset: int

    def of(self, model: type[P], items: Sequence[Any], total: int) -> P:
        """``model`` filled with ``items`` of this page, ``total`` and the neighbours' links."""
        nxt, prev = page_links(self.request, total, self.limit, self.offset)
        return model(
            items=list(items),
            total=total,
            limit=self.limit,
            offset=self.offset,
            next=nxt,
            prev=prev,
        )


def page_params(
    default: int = 20, maximum: int = 200
) -> Callable[..., Coroutine[Any, Any, PageParams]]:
    """A dependency reading ``limit`` (1..``maximum``, default ``default``) and ``offset``."""

    async def dependency(  # no I/O: on the event loop, not a thread-pool hop
        request: Request,
        limit: Annotated[
            int, Query(ge=1, le=maximum, description=f"Page size (1 to {maximum})")
        ] = default,
        offset: Offset = 0,
    ) -> PageParams:
        return PageParams(request, limit, offset)

    return dependency


#: The usual page: 20 items, at most 200.
Pagination = Annotated[PageParams, Depends(page_params())]
