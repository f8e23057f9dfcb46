"""The funder's "My schemes": the schemes one may change, drafts included."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from backend.db.models import User
from tests.backend.sme.conftest import create_scheme


def test_a_funder_lists_its_own_schemes_with_drafts_and_an_admin_every_one(
    client: TestClient, make_user: Callable[..., User], bearer: Callable[[User], dict[str, str]]
) -> None:
    funder, other = bearer(make_user("funder")), bearer(make_user("funder"))
    draft = create_scheme(client, funder, status="draft", provider="Draft Fund")
    published = create_scheme(client, funder)
    theirs = create_scheme(client, other, status="draft")

    mine = client.get("/api/v1/schemes/managed", headers=funder).json()
    assert [s["id"] for s in mine["items"]] == [published["id"], draft["id"]]
    assert mine["total"] == 2 and mine["items"][1]["status"] == "draft"
    # the draft is not in the public directory, nor another funder's in this list
    listed = {s["id"] for s in client.get("/api/v1/schemes").json()["items"]}
    assert draft["id"] not in listed and theirs["id"] not in listed

    # a change brings a scheme to the top; paging as everywhere
    r = client.patch(f"/api/v1/schemes/{draft['id']}", json={"status": "published"}, headers=funder)
    assert r.status_code == 200
    page = client.get("/api/v1/schemes/managed", params={"limit": 1}, headers=funder).json()
    assert [s["id"] for s in page["items"]] == [draft["id"]] and page["next"]

    admin = bearer(make_user("admin"))
    every = {s["id"] for s in client.get("/api/v1/schemes/managed", headers=admin).json()["items"]}
    assert {draft["id"], published["id"], theirs["id"]} <= every
