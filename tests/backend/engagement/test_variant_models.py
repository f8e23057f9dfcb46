"""Design variants drawn from an uploaded glb model (issue 14): the listing says where each
variant's model stands and where to fetch it, and a model a variant uses outlives the proposal's
own model being replaced; deleting the document leaves the variant without a model."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from tests.backend.engagement.conftest import Person
from tests.backend.proposals.test_documents import glb, put_model


def _variant(client: TestClient, planner: Person, pid: int, name: str, **extra: Any) -> Any:
    return client.post(
        f"/api/v1/proposals/{pid}/variants", json={"name": name, **extra}, headers=planner.headers
    )


def test_a_variant_drawn_from_a_model_keeps_its_document_and_placement(
    client: TestClient,
    planner: Person,
    new_proposal: Callable[..., dict[str, Any]],
) -> None:
    pid = new_proposal()["id"]
    first = put_model(client, pid, planner.headers, glb()).json()["model"]
    r = _variant(client, planner, pid, "A: model", model_document_id=first["document_id"])
    assert r.status_code == 201, r.text
    model = r.json()["model"]
    assert model["url"] == f"/api/v1/documents/{first['document_id']}"
    assert (model["lon"], model["lat"], model["height_m"]) == (-0.0948, 51.5152, 12.5)
    assert (model["heading_deg"], model["scale"]) == (90, 1.5)

    # the scheme's own model replaced, moved elsewhere: variant A still has its glb, in place
    second = put_model(client, pid, planner.headers, glb(), lon=-0.0950, heading_deg=0).json()
    assert second["model"]["document_id"] != first["document_id"]
    assert client.get(model["url"]).content[:4] == b"glTF"
    r = _variant(client, planner, pid, "B: model", model_document_id=second["model"]["document_id"])
    assert r.status_code == 201, r.text
    listed = {v["name"]: v for v in client.get(f"/api/v1/proposals/{pid}/variants").json()["items"]}
    assert listed["A: model"]["model"] == model
    assert listed["B: model"]["model"]["lon"] == -0.0950
    assert listed["B: model"]["model"]["heading_deg"] == 0
    blocks = _variant(client, planner, pid, "C: blocks").json()
    assert blocks["model"] is None and blocks["model_document_id"] is None

    # another proposal's model is no model of this one: 422 naming the field, nothing stored
    other = new_proposal()["id"]
    theirs = put_model(client, other, planner.headers, glb()).json()["model"]["document_id"]
    r = _variant(client, planner, pid, "D: theirs", model_document_id=theirs)
    assert r.status_code == 422 and r.json()["detail"].startswith("model_document_id:"), r.text
    assert len(client.get(f"/api/v1/proposals/{pid}/variants").json()["items"]) == 3

    # a model no variant uses goes when replaced, as before
    third = put_model(client, other, planner.headers, glb()).json()["model"]["document_id"]
    assert third != theirs
    assert client.get(f"/api/v1/documents/{theirs}").status_code == 404

    # the document deleted: variant A has no model any more (nothing to fetch), B keeps its own
    assert client.delete(model["url"], headers=planner.headers).status_code == 204
    listed = {v["name"]: v for v in client.get(f"/api/v1/proposals/{pid}/variants").json()["items"]}
    assert listed["A: model"]["model"] is None and listed["A: model"]["model_document_id"] is None
    assert (
        listed["B: model"]["model"]["url"] == f"/api/v1/documents/{second['model']['document_id']}"
    )
