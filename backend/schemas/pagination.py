"""One page model for every ``limit``/``offset`` list: :class:`Page` of any item type.

Each list's schema is a named subclass (``class ProposalList(Page[ProposalSummary])``), so
OpenAPI keeps stable, readable schema names while the fields and their meaning are written once.
The API layer fills it from :class:`backend.api.pagination.PageParams`.
"""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel, Field

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """A page of a list: its items, the total over all pages and links to its neighbours."""

    items: list[T]
    total: int = Field(ge=0, description="Items over all pages")
    limit: int = Field(ge=1, description="Page size asked for")
    offset: int = Field(ge=0, description="Items skipped before this page")
    next: str | None = Field(None, description="URL of the next page, if any")
    prev: str | None = Field(None, description="URL of the previous page, if any")
