"""``/tiles``: content types, ETag/304, caching, gzip, HEAD, ranges, CORS, and no way out."""

from __future__ import annotations

import gzip
import http.client
import json
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from backend.db.engine import Database
from backend.main import create_app
from backend.settings import Settings
from tiles.pipeline import BuildResult

TILESET = "/tiles/london/tileset.json"


@pytest.fixture
def tiles(settings: Settings, city_build: BuildResult) -> Path:
    target = settings.tiles_dir / "london"
    shutil.copytree(city_build.tileset_dir, target)
    return target


def first_glb(tiles: Path) -> str:
    name = sorted((tiles / "content").glob("*.glb"))[0].name
    return f"/tiles/london/content/{name}"


def test_tileset_json_and_content_have_the_right_types_and_caching(
    client: TestClient, tiles: Path
) -> None:
    r = client.get(TILESET)
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json"
    assert r.headers["cache-control"] == "public, max-age=60, must-revalidate"
    assert r.json()["asset"]["version"] == "1.1"
    glb = client.get(first_glb(tiles))
    assert glb.status_code == 200 and glb.content[:4] == b"glTF"
    assert glb.headers["content-type"] == "model/gltf-binary"
    assert glb.headers["cache-control"] == "public, max-age=86400"
    assert glb.headers["x-content-type-options"] == "nosniff"
    (tiles / "root.subtree").write_bytes(b"subt")
    sub = client.get("/tiles/london/root.subtree")
    assert sub.headers["content-type"] == "application/octet-stream"


def test_etag_and_if_none_match_give_304(client: TestClient, tiles: Path) -> None:
    url = first_glb(tiles)
    etag = client.get(url).headers["etag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    other = client.get(url, headers={"If-None-Match": '"nope"'})
    assert other.status_code == 200
    # a rebuild changes the file, so the ETag changes
    path = tiles / "content" / url.rsplit("/", 1)[1]
    path.write_bytes(path.read_bytes() + b"\0\0\0\0")
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 200


def test_json_is_gzipped_when_accepted(client: TestClient, tiles: Path) -> None:
    raw = (tiles / "tileset.json").read_bytes()
    zipped = client.get(TILESET, headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["content-encoding"] == "gzip"
    assert zipped.headers["vary"] == "Accept-Encoding"
    assert zipped.content == raw  # httpx decodes it
    assert int(zipped.headers["content-length"]) < len(raw)
    plain = client.get(TILESET, headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain.content == raw
    assert zipped.headers["etag"] != plain.headers["etag"]
    assert (
        client.get(
            TILESET,
            headers={"Accept-Encoding": "gzip", "If-None-Match": zipped.headers["etag"]},
        ).status_code
        == 304
    )
    assert gzip.decompress(gzip.compress(raw)) == raw


def test_gzipped_json_follows_a_rebuilt_file(client: TestClient, tiles: Path) -> None:
    # the gzipped body is kept per file version: a rewrite must not serve the old one
    first = client.get(TILESET, headers={"Accept-Encoding": "gzip"})
    assert first.headers["content-encoding"] == "gzip"
    rebuilt = json.loads((tiles / "tileset.json").read_bytes())
    rebuilt["asset"]["tilesetVersion"] = "rebuilt"
    (tiles / "tileset.json").write_text(json.dumps(rebuilt))
    second = client.get(TILESET, headers={"Accept-Encoding": "gzip"})
    assert second.headers["content-encoding"] == "gzip"
    assert second.json()["asset"]["tilesetVersion"] == "rebuilt"
    assert second.headers["etag"] != first.headers["etag"]


def test_head_and_ranges(client: TestClient, tiles: Path) -> None:
    url = first_glb(tiles)
    size = (tiles / "content" / url.rsplit("/", 1)[1]).stat().st_size
    head = client.head(url)
    assert head.status_code == 200 and head.content == b""
    assert int(head.headers["content-length"]) == size
    assert head.headers["accept-ranges"] == "bytes"
    part = client.get(url, headers={"Range": "bytes=0-11"})
    assert part.status_code == 206 and len(part.content) == 12 and part.content[:4] == b"glTF"
    assert part.headers["content-range"] == f"bytes 0-11/{size}"
    tail = client.get(url, headers={"Range": "bytes=-4"})
    assert (
        tail.status_code == 206
        and tail.headers["content-range"] == f"bytes {size - 4}-{size - 1}/{size}"
    )
    beyond = client.get(url, headers={"Range": f"bytes={size}-"})
    assert beyond.status_code == 416 and beyond.headers["content-range"] == f"bytes */{size}"
    several = client.get(url, headers={"Range": "bytes=0-1,4-5"})
    assert several.status_code == 200 and len(several.content) == size


def test_cors_headers_for_configured_origins(
    settings: Settings, database: Database, tiles: Path
) -> None:
    app = create_app(
        settings.model_copy(update={"cors_origins": ["https://viewer.example.org"]}),
        database=database,
    )
    with TestClient(app) as c:
        r = c.get(TILESET, headers={"Origin": "https://viewer.example.org"})
        assert r.headers["access-control-allow-origin"] == "https://viewer.example.org"
        assert "ETag" in r.headers["access-control-expose-headers"]
        other = c.get(TILESET, headers={"Origin": "https://evil.example.org"})
        assert "access-control-allow-origin" not in other.headers


def raw_get(server_url: str, path: str) -> tuple[int, bytes]:
    """GET with the path sent exactly as given (no client-side normalisation)."""
    parts = urlsplit(server_url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        conn.putrequest("GET", path, skip_accept_encoding=True)
        conn.endheaders()
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def test_no_path_leaves_the_tiles_folder(
    server_url: str, settings: Settings, tiles: Path, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("database password")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "tileset.json").write_text(json.dumps({"secret": True}))
    (tiles / "link.json").symlink_to(secret)
    (tiles / "linked").symlink_to(outside, target_is_directory=True)
    (settings.tiles_dir / "elsewhere").symlink_to(outside, target_is_directory=True)
    hidden = settings.tiles_dir / ".london.tmp"
    hidden.mkdir()
    (hidden / "tileset.json").write_text("{}")
    assert raw_get(server_url, TILESET)[0] == 200
    attempts = [
        "/tiles/london/../../secret.txt",
        "/tiles/london/%2e%2e/%2e%2e/secret.txt",
        "/tiles/london/%2E%2E%2F%2E%2E%2Fsecret.txt",
        "/tiles/london/content%2F..%2F..%2F..%2Fsecret.txt",
        "/tiles/london/..%5c..%5csecret.txt",
        "/tiles/london//etc/passwd",
        "/tiles/london/%2Fetc%2Fpasswd",
        "/tiles/%2e%2e/secret.txt",
        "/tiles/london/link.json",
        "/tiles/london/linked/tileset.json",
        "/tiles/elsewhere/tileset.json",
        "/tiles/.london.tmp/tileset.json",
        "/tiles/london/content/missing.glb",
    ]
    for path in attempts:
        status, body = raw_get(server_url, path)
        assert status in (400, 404), (path, status)
        assert b"database password" not in body and b'"secret": true' not in body, path
