"""Path and query parameters shared by every route, bounded once.

Ids are ``integer`` columns on PostgreSQL (up to 2**31 - 1) and 64-bit on SQLite, while Python
ints are unbounded: an id or offset the database cannot hold must be a 422 that names the
parameter, not a driver error (``integer out of range``, ``OverflowError``) answered 500.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

#: The largest id a row can have on both engines (PostgreSQL ``integer``).
MAX_ID = 2**31 - 1
#: The furthest a list can be paged (no list holds more rows than ids can number).
MAX_OFFSET = 2**31 - 1

ResourceId = Annotated[int, Path(ge=1, le=MAX_ID, description="Id (1 to 2147483647)")]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Items to skip")]

__all__ = ["MAX_ID", "MAX_OFFSET", "Offset", "ResourceId"]
