"""What city tilesets are available, with their attribution and where to fetch them."""

from __future__ import annotations

from pathlib import Path

from backend.db.models import Tileset
from backend.errors import NotFoundError
from backend.repositories import tilesets as repo
from backend.repositories.session import Session
from backend.schemas.tilesets import TilesetPublic

#: Attribution of tilesets built from OpenStreetMap data (ODbL 1.0 requires it to be shown).
OSM_ATTRIBUTION = "© OpenStreetMap contributors, ODbL 1.0"


def tileset_url(name: str) -> str:
    return f"/tiles/{name}/tileset.json"


def public(t: Tileset) -> TilesetPublic:
    return TilesetPublic(
        name=t.name,
        title=t.title,
        attribution=t.attribution,
        licence=t.licence,
        bbox=list(t.bbox) if t.bbox else None,
        building_count=t.building_count,
        built_at=t.built_at,
        tileset_url=tileset_url(t.name),
    )


def list_tilesets(session: Session) -> list[TilesetPublic]:
    return [public(t) for t in repo.list_all(session)]


# --- files under the tiles folder -----------------------------------------------------------

_SEGMENT_FORBIDDEN = ("\\", "\x00", ":")


def resolve_tile(tiles_dir: Path, tileset: str, path: str) -> Path:
    """The file ``tiles_dir/tileset/path``, or NotFoundError when it is not safely inside.

    Refuses ``.`` and ``..`` segments, empty segments (``//``, absolute paths), hidden names
    (the pipeline's temporary folders start with ``.``), backslashes and NULs; then resolves
    symlinks and checks that the real file is still inside the tiles folder.
    """
    segments = [tileset, *path.split("/")]
    for seg in segments:
        if not seg or seg.startswith(".") or any(c in seg for c in _SEGMENT_FORBIDDEN):
            raise NotFoundError(f"tile {tileset}/{path} not found")
    root = tiles_dir.resolve()
    target = root.joinpath(*segments)
    try:
        real = target.resolve(strict=True)
    except (OSError, RuntimeError):
        raise NotFoundError(f"tile {tileset}/{path} not found") from None
    if not real.is_relative_to(root) or not real.is_file():
        raise NotFoundError(f"tile {tileset}/{path} not found")
    return real
