"""Uploads: documents and the glb model. Sniffed types, limits while streaming, safe downloads."""

from __future__ import annotations

import json
import struct
import zlib
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa
from fastapi.testclient import TestClient

from backend.db.engine import Database
from backend.db.models import Document
from backend.main import create_app
from backend.settings import Settings
from tests.backend.proposals.helpers import create, publish

Headers = Callable[[str], dict[str, str]]

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32 + b"\xff\xd9"
WEBP = b"RIFF\x1a\x00\x00\x00WEBPVP8L" + b"\x00" * 14


def png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00\xff\x00\x00")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def glb(asset_version: str = "2.0", version: int = 2, extra_length: int = 0) -> bytes:
    doc = json.dumps({"asset": {"version": asset_version}, "scenes": [{"nodes": []}]}).encode()
    doc += b" " * (-len(doc) % 4)
    length = 12 + 8 + len(doc)
    header = struct.pack("<4sII", b"glTF", version, length + extra_length)
    return header + struct.pack("<II", len(doc), 0x4E4F534A) + doc


def upload(
    client: TestClient, pid: int, headers: dict[str, str], body: bytes, ctype: str, **q: str
):
    return client.post(
        f"/api/v1/proposals/{pid}/documents",
        params=q,
        content=body,
        headers={**headers, "Content-Type": ctype},
    )


def stored_files(settings: Settings) -> list[Path]:
    root = settings.uploads_dir
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def rows(database: Database) -> int:
    with database.sessions() as s:
        return int(s.scalar(sa.select(sa.func.count()).select_from(Document)) or 0)


def test_documents_are_sniffed_stored_under_a_random_key_and_served_safely(
    client: TestClient, as_role: Headers, settings: Settings
) -> None:
    planner = as_role("planner")
    pid = create(client, planner)["id"]
    r = upload(
        client,
        pid,
        planner,
        PDF,
        "application/pdf",
        title="Design and access",
        filename="../../etc/D&A statement.pdf",
    )
    assert r.status_code == 201, r.text
    doc = r.json()
    assert doc["content_type"] == "application/pdf" and doc["size_bytes"] == len(PDF)
    assert doc["filename"] == "D_A statement.pdf"
    import hashlib

    assert doc["sha256"] == hashlib.sha256(PDF).hexdigest()
    [stored] = stored_files(settings)
    assert stored.read_bytes() == PDF and "statement" not in str(stored)
    assert not str(stored).startswith(str(settings.tiles_dir))
    got = client.get(doc["url"], headers=planner)
    assert got.status_code == 200 and got.content == PDF
    assert got.headers["content-type"] == "application/pdf"
    assert got.headers["content-disposition"] == 'attachment; filename="D_A statement.pdf"'
    assert got.headers["x-content-type-options"] == "nosniff"
    assert got.headers["content-security-policy"] == "default-src 'none'; sandbox"
    for body, ctype in [
        (png(), "image/png"),
        (JPEG, "image/jpeg"),
        (WEBP, "application/octet-stream"),
    ]:
        r = upload(client, pid, planner, body, ctype, filename="photo")
        assert r.status_code == 201, r.text
        image = client.get(r.json()["url"], headers=planner)
        assert image.headers["content-disposition"].startswith("inline; filename=")
    listed = client.get(f"/api/v1/proposals/{pid}/documents", headers=planner).json()["items"]
    assert [d["content_type"] for d in listed] == [
        "application/pdf",
        "image/png",
        "image/jpeg",
        "image/webp",
    ]


def test_drafts_documents_are_hidden_like_the_draft(client: TestClient, as_role: Headers) -> None:
    planner = as_role("planner")
    pid = create(client, planner)["id"]
    url = upload(client, pid, planner, PDF, "application/pdf").json()["url"]
    for role in ("anonymous", "citizen"):
        assert client.get(url, headers=as_role(role)).status_code == 404
        assert (
            client.get(f"/api/v1/proposals/{pid}/documents", headers=as_role(role)).status_code
            == 404
        )
    publish(client, planner, pid)
    assert client.get(url).status_code == 200


def test_wrong_or_mismatched_types_are_415_and_leave_nothing(
    client: TestClient, as_role: Headers, settings: Settings, database: Database
) -> None:
    planner = as_role("planner")
    pid = create(client, planner)["id"]
    cases = [
        (b"<html><script>alert(1)</script></html>", "application/pdf", "not an accepted type"),
        (b"GIF89a" + b"\x00" * 20, "image/gif", "not an accepted type"),
        (png(), "application/pdf", "sent as application/pdf but its content is image/png"),
        (glb(), "model/gltf-binary", "not an accepted type"),
    ]
    for body, ctype, message in cases:
        r = upload(client, pid, planner, body, ctype)
        assert r.status_code == 415, r.text
        assert r.json()["detail"].startswith("file: ") and message in r.json()["detail"]
    empty = upload(client, pid, planner, b"", "application/pdf")
    assert empty.status_code == 422 and "empty" in empty.json()["detail"]
    assert stored_files(settings) == [] and rows(database) == 0


def test_uploads_over_the_limit_are_413_while_streaming(
    settings: Settings, database: Database, as_role: Headers
) -> None:
    small = settings.model_copy(update={"max_document_mb": 0.001, "max_model_mb": 0.001})
    with TestClient(create_app(small, database=database)) as client:
        planner = as_role("planner")
        pid = create(client, planner)["id"]
        big = PDF + b"0" * 2000
        r = upload(client, pid, planner, big, "application/pdf")
        assert r.status_code == 413 and "limit of 0.001 MB" in r.json()["detail"]

        def chunks():  # no Content-Length: the limit must hold while reading
            yield PDF
            for _ in range(10):
                yield b"0" * 500

        streamed = client.post(
            f"/api/v1/proposals/{pid}/documents",
            content=chunks(),
            headers={**planner, "Content-Type": "application/pdf"},
        )
        assert streamed.status_code == 413, streamed.text
        model = client.put(
            f"/api/v1/proposals/{pid}/model",
            params={"lon": -0.09, "lat": 51.515},
            content=glb() + b"\0" * 2000,
            headers={**planner, "Content-Type": "model/gltf-binary"},
        )
        assert model.status_code == 413 and "3D model" in model.json()["detail"]
    assert stored_files(small) == [] and rows(database) == 0


def put_model(client: TestClient, pid: int, headers: dict[str, str], body: bytes, **q: object):
    params = {
        "lon": -0.0948,
        "lat": 51.5152,
        "height_m": 12.5,
        "heading_deg": 90,
        "scale": 1.5,
        **q,
    }
    return client.put(
        f"/api/v1/proposals/{pid}/model",
        params=params,
        content=body,
        headers={**headers, "Content-Type": "model/gltf-binary"},
    )


def test_a_glb_model_is_checked_placed_and_replaced(
    client: TestClient, as_role: Headers, settings: Settings, database: Database
) -> None:
    planner = as_role("planner")
    pid = create(client, planner)["id"]
    r = put_model(client, pid, planner, glb(), filename="scheme.glb")
    assert r.status_code == 200, r.text
    model = r.json()["model"]
    assert model["lon"] == -0.0948 and model["heading_deg"] == 90 and model["scale"] == 1.5
    assert client.get(model["url"], headers=planner).content[:4] == b"glTF"
    moved = client.patch(
        f"/api/v1/proposals/{pid}/model",
        json={"lon": -0.0949, "lat": 51.5151, "height_m": 0, "heading_deg": 45, "scale": 1},
        headers=planner,
    )
    assert moved.status_code == 200 and moved.json()["model"]["heading_deg"] == 45
    again = put_model(client, pid, planner, glb())
    assert again.status_code == 200
    assert again.json()["model"]["document_id"] != model["document_id"]
    assert len(stored_files(settings)) == 1 and rows(database) == 1  # the old model is gone


def test_bad_models_and_placements_are_rejected_with_the_reason(
    client: TestClient, as_role: Headers, settings: Settings, database: Database
) -> None:
    planner = as_role("planner")
    pid = create(client, planner)["id"]
    cases = [
        (glb(version=1), {}, 422, "glb version 1"),
        (glb(extra_length=8), {}, 422, "declares"),
        (glb(asset_version="1.0"), {}, 422, 'asset.version "2.0"'),
        (glb()[:20] + b"{not json" + b" " * 3, {}, 422, "header declares"),
        (PDF, {}, 415, "not an accepted type"),
        (glb(), {"lon": 200}, 422, "query lon"),
        (glb(), {"lat": 51.5, "scale": 0}, 422, "query scale"),
        (glb(), {"heading_deg": 360}, 422, "query heading_deg"),
    ]
    for body, params, status, message in cases:
        r = put_model(client, pid, planner, body, **params)
        assert r.status_code == status, (message, r.text)
        assert message in r.json()["detail"]
    broken_json = bytearray(glb())
    broken_json[20:21] = b"!"
    r = put_model(client, pid, planner, bytes(broken_json))
    assert r.status_code == 422 and "JSON chunk does not parse" in r.json()["detail"]
    assert stored_files(settings) == [] and rows(database) == 0
    gltf = client.put(
        f"/api/v1/proposals/{pid}/model",
        params={"lon": -0.09, "lat": 51.5},
        content=b'{"asset": {"version": "2.0"}}',
        headers={**planner, "Content-Type": "model/gltf+json"},
    )
    assert gltf.status_code == 415


def test_deleting_documents_and_proposals_removes_the_files(
    client: TestClient, as_role: Headers, settings: Settings, database: Database
) -> None:
    planner = as_role("planner")
    pid = create(client, planner)["id"]
    doc = upload(client, pid, planner, PDF, "application/pdf").json()
    assert client.delete(doc["url"], headers=as_role("planner")).status_code == 403
    assert client.delete(doc["url"], headers=planner).status_code == 204
    assert stored_files(settings) == [] and rows(database) == 0
    upload(client, pid, planner, PDF, "application/pdf")
    put_model(client, pid, planner, glb())
    assert len(stored_files(settings)) == 2
    assert client.delete(f"/api/v1/proposals/{pid}", headers=planner).status_code == 204
    assert stored_files(settings) == [] and rows(database) == 0
