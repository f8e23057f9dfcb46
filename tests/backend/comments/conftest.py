"""Fixtures of the comment tests: proposals in a given consultation state, apps with settings."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from backend.db.engine import Database
from backend.db.models import Proposal, User
from backend.db.types import utcnow
from backend.main import create_app
from backend.settings import Settings

_refs = itertools.count(1)

Headers = dict[str, str]


def today() -> date:
    return utcnow().date()


@pytest.fixture
def make_proposal(database: Database) -> Callable[..., int]:
    """A proposal straight in the database; by default in an open consultation."""

    def make(
        stage: str = "consultation",
        start: date | str | None = "default",
        end: date | str | None = "default",
    ) -> int:
        with database.sessions() as session:
            proposal = Proposal(
                reference=f"TEST/{next(_refs):04d}",
                title="Barbican East infill",
                stage=stage,
                consultation_start=today() - timedelta(days=3) if start == "default" else start,
                consultation_end=today() + timedelta(days=10) if end == "default" else end,
            )
            session.add(proposal)
            session.commit()
            return proposal.id

    return make


@pytest.fixture
def proposal_id(make_proposal: Callable[..., int]) -> int:
    return make_proposal()


@pytest.fixture
def citizen(
    make_user: Callable[..., User], bearer: Callable[[User], Headers]
) -> Callable[..., tuple[User, Headers]]:
    """A new user with ``roles`` (citizen by default) and their bearer headers."""

    def make(*roles: str, name: str | None = None) -> tuple[User, Headers]:
        user = make_user(*(roles or ("citizen",)), name=name)
        return user, bearer(user)

    return make


@pytest.fixture
def client_with(settings: Settings, database: Database) -> Iterator[Callable[..., TestClient]]:
    """A client of an app whose settings differ from the defaults by ``overrides``."""
    opened: list[TestClient] = []

    def make(**overrides: Any) -> TestClient:
        app = create_app(settings.model_copy(update=overrides), database=database)
        client = TestClient(app)
        client.__enter__()
        opened.append(client)
        return client

    yield make
    for client in opened:
        client.__exit__(None, None, None)


def post_comment(
    client: TestClient, proposal_id: int, headers: Headers, **fields: Any
) -> dict[str, Any]:
    body = {"body": "A comment", **fields}
    r = client.post(f"/api/v1/proposals/{proposal_id}/comments", json=body, headers=headers)
    assert r.status_code == 201, r.text
    result: dict[str, Any] = r.json()
    return result
