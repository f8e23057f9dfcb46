"""What a public list costs per request, counted (issue 10): routes matched flat, one trip to
the thread pool, and a fixed number of SELECT statements whatever the page holds.

Counts, not timings: the speed itself is measured by ``bench/bench_api.py`` (docs/benchmarks.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import anyio.to_thread
import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from starlette.routing import Mount, Route

from backend.db.engine import Database
from backend.db.models import Proposal, User
from backend.db.types import utcnow
from tests.backend.opportunities.conftest import opportunity_body
from tests.backend.proposals.helpers import create


def test_every_operation_is_a_route_of_the_app_itself(app: FastAPI) -> None:
    """No included-router branches: FastAPI matches those twice per request and recomputes
    each branch's route version every time (1.8-2.7 ms of CPU a request over 163 operations)."""
    kinds = {type(r) for r in app.router.routes}
    assert kinds <= {APIRoute, Route, Mount}, kinds
    declared = {
        (path, method.upper()) for path, item in app.openapi()["paths"].items() for method in item
    }
    routed = [
        (r.path_format, m) for r in app.router.routes if isinstance(r, APIRoute) for m in r.methods
    ]
    assert len(routed) == len(set(routed)), "an operation is routed twice"
    assert declared <= set(routed), declared - set(routed)


@contextmanager
def counted(database: Database) -> Iterator[dict[str, Any]]:
    """SELECT statements sent to ``database`` and hops to the thread pool while inside."""
    seen: dict[str, Any] = {"selects": [], "hops": 0}
    original = anyio.to_thread.run_sync

    async def hop(*args: Any, **kwargs: Any) -> Any:
        seen["hops"] += 1
        return await original(*args, **kwargs)

    def on_execute(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            seen["selects"].append(statement)

    sa.event.listen(database.engine, "before_cursor_execute", on_execute)
    anyio.to_thread.run_sync = hop  # type: ignore[assignment]
    try:
        yield seen
    finally:
        anyio.to_thread.run_sync = original  # type: ignore[assignment]
        sa.event.remove(database.engine, "before_cursor_execute", on_execute)


@pytest.mark.parametrize("n", [1, 4])
def test_a_public_list_costs_the_same_few_statements_and_one_hop_for_any_page(
    client: TestClient,
    database: Database,
    make_user: Callable[..., User],
    bearer: Callable[[User], dict[str, str]],
    n: int,
) -> None:
    headers = bearer(make_user("admin"))
    ids = [create(client, headers)["id"] for _ in range(n)]
    with database.sessions() as session:  # every one in an open consultation
        for proposal in session.scalars(sa.select(Proposal).where(Proposal.id.in_(ids))):
            proposal.stage = "consultation"
            proposal.consultation_start = utcnow().date() - timedelta(days=1)
            proposal.consultation_end = utcnow().date() + timedelta(days=10)
        session.commit()
    for proposal_id in ids:
        r = client.post(
            "/api/v1/opportunities", json=opportunity_body(proposal_id), headers=headers
        )
        assert r.status_code == 201, r.text
    poster = bearer(make_user())
    for i in range(n):
        r = client.post(
            f"/api/v1/proposals/{ids[0]}/comments", json={"body": f"Comment {i}"}, headers=poster
        )
        assert r.status_code == 201, r.text
    client.get("/api/v1/proposals")  # warm: the first request opens the pool's connection
    # anonymous readers: what the bench and a citizen's first look ask for
    expected = {
        "/api/v1/proposals": (1, n),  # page and total in one statement
        f"/api/v1/proposals/{ids[0]}/comments": (3, n),  # the stage, the roots, their replies
        "/api/v1/opportunities": (3, n),  # the page, its CPV codes, its documents
        "/ogc/collections/proposals/items": (1, n),
    }
    for url, (selects, items) in expected.items():
        with counted(database) as seen:
            r = client.get(url)
        assert r.status_code == 200, (url, r.text)
        found = r.json().get("items", r.json().get("features"))
        assert len(found) == items, (url, found)
        assert len(seen["selects"]) == selects, (url, seen["selects"])
        assert seen["hops"] == 1, (url, seen["hops"])
    # a page past the end has no row to carry the total: one more statement counts
    with counted(database) as seen:
        r = client.get("/api/v1/proposals", params={"offset": 10})
    assert r.status_code == 200 and r.json()["items"] == [] and r.json()["total"] == n, r.text
    assert len(seen["selects"]) == 2, seen["selects"]


def test_the_opportunities_list_as_first_opened_takes_its_prebuilt_statement() -> None:
    """The list's query from a request without filters carries empty lists of codes and
    statuses: that is still the unfiltered list, whose page statement is built once (building
    and keying one per request cost 1.2 ms of its 4.2). Every real filter, also a zero or a
    False, builds its own."""
    from dataclasses import replace

    from backend.repositories.opportunities import OpportunityQuery, _unfiltered

    as_opened = OpportunityQuery(cpv_prefixes=[], statuses=[], text=None)
    assert _unfiltered(as_opened)
    assert _unfiltered(replace(as_opened, public_only=False))
    for change in (
        {"cpv_prefixes": ["45"]},
        {"statuses": ["active"]},
        {"min_value": 0.0},
        {"max_value": 0.0},
        {"sme_suitable": False},
        {"text": "roof"},
        {"proposal_id": 1},
        {"bbox": (0.0, 0.0, 1.0, 1.0)},
        {"ids": []},
        {"exclude_ids": [3]},
        {"closing_after": utcnow()},
        {"closing_before": utcnow()},
    ):
        assert not _unfiltered(replace(as_opened, **change)), change
