"""``/api/v1/tilesets``: the city tilesets available, with attribution and tileset.json URL."""

from __future__ import annotations

from fastapi import APIRouter

from backend.api.deps import SessionDep
from backend.schemas.tilesets import TilesetList
from backend.services import tilesets

router = APIRouter(tags=["city"])


@router.get(
    "/tilesets",
    response_model=TilesetList,
    operation_id="listTilesets",
    summary="City tilesets: bbox, building count, attribution, tileset.json URL",
)
def list_tilesets(session: SessionDep) -> TilesetList:
    return TilesetList(items=tilesets.list_tilesets(session))
