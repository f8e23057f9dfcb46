"""Authorization matrix of proposals, documents, tiles, tilesets and buildings.

Every operation × every caller: anonymous, citizen, sme, moderator, the planner who owns the
proposal, another planner, and an admin. Resources are drafts (the strictest case) created
afresh for each caller, so a mutating call by one caller cannot change what the next one sees.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from backend.db.models import User
from tests.backend.city.fixtures import SITE_BUILDING, City
from tests.backend.proposals.helpers import create, massing_body, proposal_body, square
from tests.backend.proposals.test_documents import PDF, glb

COVERED_OPERATIONS = {
    "createProposal",
    "listProposals",
    "getProposal",
    "updateProposal",
    "deleteProposal",
    "changeProposalStage",
    "publishProposal",
    "getProposalHistory",
    "setProposalMassing",
    "uploadProposalModel",
    "placeProposalModel",
    "uploadProposalDocument",
    "listProposalDocuments",
    "getDocument",
    "deleteDocument",
    "listTilesets",
    "listBuildings",
    "getBuilding",
    "getTile",
    "headTile",
}

CALLERS = ("anonymous", "citizen", "sme", "moderator", "owner", "other_planner", "admin")
#: Changing a proposal: its owner and admins only.
OWNER_ONLY = {
    "anonymous": 401,
    "citizen": 403,
    "sme": 403,
    "moderator": 403,
    "other_planner": 403,
    "owner": 200,
    "admin": 200,
}
#: Seeing a draft: planners and admins; everyone else is told it does not exist.
DRAFT_READ = {
    "anonymous": 404,
    "citizen": 404,
    "sme": 404,
    "moderator": 404,
    "other_planner": 200,
    "owner": 200,
    "admin": 200,
}
PUBLIC = dict.fromkeys(CALLERS, 200)
PLANNERS = {**OWNER_ONLY, "other_planner": 201, "owner": 201, "admin": 201}

Request = tuple[str, str, dict[str, Any]]


class World:
    """The owner, the caller's headers and ways to make fresh resources."""

    def __init__(self, client: TestClient, make_user: Callable[..., User], bearer: Any) -> None:
        self.client = client
        self.owner = bearer(make_user("planner"))
        self.headers = {
            "anonymous": {},
            "owner": self.owner,
            "other_planner": bearer(make_user("planner")),
            **{role: bearer(make_user(role)) for role in ("citizen", "sme", "moderator", "admin")},
        }

    def draft(self) -> int:
        return int(create(self.client, self.owner)["id"])

    def upload(self, pid: int) -> str:
        r = self.client.post(
            f"/api/v1/proposals/{pid}/documents",
            content=PDF,
            headers={**self.owner, "Content-Type": "application/pdf"},
        )
        assert r.status_code == 201, r.text
        return str(r.json()["url"])

    def model(self, pid: int) -> None:
        r = self.client.put(
            f"/api/v1/proposals/{pid}/model",
            params={"lon": -0.0948, "lat": 51.5152},
            content=glb(),
            headers={**self.owner, "Content-Type": "model/gltf-binary"},
        )
        assert r.status_code == 200, r.text

    def massing(self, pid: int) -> None:
        r = self.client.put(
            f"/api/v1/proposals/{pid}/massing",
            json=massing_body({"geometry": square(size=0.0002), "storeys": 3}),
            headers=self.owner,
        )
        assert r.status_code == 200, r.text


def _draft_url(suffix: str = "") -> Callable[[World], Request]:
    return lambda w: ("GET", f"/api/v1/proposals/{w.draft()}{suffix}", {})


def _document(w: World) -> Request:
    return ("GET", w.upload(w.draft()), {})


def _delete_document(w: World) -> Request:
    return ("DELETE", w.upload(w.draft()), {})


def _model_upload(w: World) -> Request:
    kwargs = {
        "params": {"lon": -0.0948, "lat": 51.5152},
        "content": glb(),
        "headers": {"Content-Type": "model/gltf-binary"},
    }
    return ("PUT", f"/api/v1/proposals/{w.draft()}/model", kwargs)


def _place_model(w: World) -> Request:
    pid = w.draft()
    w.model(pid)
    return ("PATCH", f"/api/v1/proposals/{pid}/model", {"json": {"lon": -0.09, "lat": 51.51}})


def _document_upload(w: World) -> Request:
    kwargs = {"content": PDF, "headers": {"Content-Type": "application/pdf"}}
    return ("POST", f"/api/v1/proposals/{w.draft()}/documents", kwargs)


def _tile(method: str) -> Callable[[World], Request]:
    def make(w: World) -> Request:
        pid = w.draft()
        w.massing(pid)
        return (method, f"/tiles/proposals/{pid}/tileset.json", {})

    return make


def _massing(w: World) -> Request:
    body = massing_body({"geometry": square(size=0.0002), "storeys": 3})
    return ("PUT", f"/api/v1/proposals/{w.draft()}/massing", {"json": body})


MATRIX: dict[str, tuple[Callable[[World], Request], dict[str, int]]] = {
    "createProposal": (
        lambda w: ("POST", "/api/v1/proposals", {"json": proposal_body()}),
        PLANNERS,
    ),
    "listProposals": (lambda w: ("GET", "/api/v1/proposals", {}), PUBLIC),
    "getProposal": (_draft_url(), DRAFT_READ),
    "getProposalHistory": (_draft_url("/history"), DRAFT_READ),
    "listProposalDocuments": (_draft_url("/documents"), DRAFT_READ),
    "getDocument": (_document, DRAFT_READ),
    "updateProposal": (
        lambda w: ("PATCH", f"/api/v1/proposals/{w.draft()}", {"json": {"title": "New"}}),
        OWNER_ONLY,
    ),
    "deleteProposal": (
        lambda w: ("DELETE", f"/api/v1/proposals/{w.draft()}", {}),
        {**OWNER_ONLY, "owner": 204, "admin": 204},
    ),
    "changeProposalStage": (
        lambda w: (
            "POST",
            f"/api/v1/proposals/{w.draft()}/stage",
            {"json": {"stage": "consultation"}},
        ),
        OWNER_ONLY,
    ),
    "publishProposal": (
        lambda w: ("POST", f"/api/v1/proposals/{w.draft()}/publish", {}),
        OWNER_ONLY,
    ),
    "setProposalMassing": (_massing, OWNER_ONLY),
    "uploadProposalModel": (_model_upload, OWNER_ONLY),
    "placeProposalModel": (_place_model, OWNER_ONLY),
    "uploadProposalDocument": (_document_upload, {**OWNER_ONLY, "owner": 201, "admin": 201}),
    "deleteDocument": (_delete_document, {**OWNER_ONLY, "owner": 204, "admin": 204}),
    "getTile": (_tile("GET"), DRAFT_READ),
    "headTile": (_tile("HEAD"), DRAFT_READ),
    "listTilesets": (lambda w: ("GET", "/api/v1/tilesets", {}), PUBLIC),
    "listBuildings": (
        lambda w: ("GET", "/api/v1/buildings", {"params": {"bbox": "-0.1,51.51,-0.09,51.52"}}),
        PUBLIC,
    ),
    "getBuilding": (lambda w: ("GET", f"/api/v1/buildings/london/{SITE_BUILDING}", {}), PUBLIC),
}


def test_the_matrix_covers_every_operation_listed() -> None:
    assert set(MATRIX) == COVERED_OPERATIONS


def test_authorization_matrix(
    client: TestClient, make_user: Callable[..., User], bearer: Any, city: City
) -> None:
    # one test per engine walking every operation: the callers' accounts are made once
    world = World(client, make_user, bearer)
    wrong = {}
    for operation, (setup, expected) in sorted(MATRIX.items()):
        got = {}
        for caller in CALLERS:
            method, url, kwargs = setup(world)
            headers = {**kwargs.pop("headers", {}), **world.headers[caller]}
            got[caller] = client.request(method, url, headers=headers, **kwargs).status_code
        if got != expected:
            wrong[operation] = {c: (got[c], expected[c]) for c in CALLERS if got[c] != expected[c]}
    assert not wrong, f"(got, expected) per caller: {wrong}"
