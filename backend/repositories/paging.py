"""A page of rows and their total in one statement, the way every public list reads them."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa


def rows_and_total(
    conn: sa.Connection,
    stmt: sa.Select[Any],
    params: Mapping[str, Any],
    count: Callable[[], sa.Select[Any]],
    *,
    offset: int,
) -> tuple[Sequence[sa.Row[Any]], int]:
    """The rows of ``stmt`` (a page whose rows carry ``count(*) OVER ()`` as ``total``) and the
    number matched. Only a page past the end, which has no row to carry the total, runs
    ``count()`` (a statement counting the same filtered rows) on its own."""
    rows = conn.execute(stmt, params).all()
    if rows:
        return rows, int(rows[0].total)
    if offset == 0:
        return rows, 0
    return rows, int(conn.execute(count(), params).scalar() or 0)
