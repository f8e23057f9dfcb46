"""Fixtures of the participation-loop tests: a planner's published proposal, citizens, the
scheduler step run as the CLI runs it (with the app's own links)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from backend.api.links import Links
from backend.db.engine import Database
from backend.db.models import User
from backend.services import engagement
from backend.services.engagement import StepReport
from backend.settings import Settings
from tests.backend.proposals.helpers import create, publish, square

Headers = dict[str, str]
#: The site of the tests' proposals: a 0.0004° square in the City of London.
SITE_LON, SITE_LAT = -0.0950, 51.5150


@dataclass(eq=False)
class Person:
    user: User
    headers: Headers


@pytest.fixture
def person(
    make_user: Callable[..., User], bearer: Callable[[User], Headers]
) -> Callable[..., Person]:
    def make(*roles: str, name: str | None = None) -> Person:
        user = make_user(*(roles or ("citizen",)), name=name)
        return Person(user, bearer(user))

    return make


@pytest.fixture
def planner(person: Callable[..., Person]) -> Person:
    return person("planner")


@pytest.fixture
def new_proposal(client: TestClient, planner: Person) -> Callable[..., dict[str, Any]]:
    """A planner's proposal on the test site; published (consultation) unless ``draft``."""

    def make(draft: bool = False, **fields: Any) -> dict[str, Any]:
        fields.setdefault("site_boundary", square(SITE_LON, SITE_LAT))
        made = create(client, planner.headers, **fields)
        return made if draft else publish(client, planner.headers, made["id"])

    return make


@pytest.fixture
def step(app: FastAPI, database: Database, settings: Settings) -> Callable[..., StepReport]:
    """``civictwin engagement run`` without the SMTP part."""

    def run(**kwargs: Any) -> StepReport:
        links = Links.for_app(app, settings.public_base_url)
        with database.sessions() as session:
            return engagement.run(
                session,
                links,
                settings.secret_key.get_secret_value(),
                settings.uploads_dir,
                **kwargs,
            )

    return run


def stage(client: TestClient, headers: Headers, proposal_id: int, to: str, **extra: Any) -> None:
    r = client.post(
        f"/api/v1/proposals/{proposal_id}/stage", json={"stage": to, **extra}, headers=headers
    )
    assert r.status_code == 200, r.text


def comment(
    client: TestClient, proposal_id: int, headers: Headers, **fields: Any
) -> dict[str, Any]:
    body = {"body": "A comment", **fields}
    r = client.post(f"/api/v1/proposals/{proposal_id}/comments", json=body, headers=headers)
    assert r.status_code == 201, r.text
    return dict(r.json())
