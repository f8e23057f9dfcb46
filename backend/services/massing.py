"""A proposal's massing as 3D Tiles, meshed by the same ``tiles`` code as the city.

The tileset of proposal ``<id>`` lives in ``<tiles_dir>/proposals/<id>/`` and is served at
``/tiles/proposals/<id>/tileset.json``. It is rebuilt whenever the massing changes and removed
with the proposal (or when the massing becomes empty). ``tiles.massing`` writes the new tileset
beside the old one and swaps it in only when complete, so a failed build leaves the old one.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import shapely

from backend.db.models import MassingBuilding
from backend.errors import InvalidInputError
from backend.repositories.geometry import to_shape

# imported at import time on purpose: tiles loads pyogrio (GDAL), which must be loaded before
# mod_spatialite or the process crashes at exit
from tiles.errors import TilingError
from tiles.massing import build_massing_tileset
from tiles.terrain.grid import TerrainGrid
from tiles.terrain.quantized_mesh import GRID_FILE, TERRAIN_DIR

logger = logging.getLogger(__name__)

#: Folder (under the tiles folder) holding one massing tileset per proposal.
PROPOSALS_FOLDER = "proposals"
#: Storey height used when a block gives storeys but no height.
STOREY_HEIGHT_M = 3.0


def tileset_dir(tiles_dir: Path, proposal_id: int) -> Path:
    return tiles_dir / PROPOSALS_FOLDER / str(proposal_id)


def tileset_url(proposal_id: int) -> str:
    return f"/tiles/{PROPOSALS_FOLDER}/{proposal_id}/tileset.json"


def height_of(height_m: float | None, base_height_m: float, storeys: int | None) -> float:
    """Top of a block above ground: given, or base + storeys × 3 m."""
    if height_m is not None:
        return float(height_m)
    if storeys is None:
        raise InvalidInputError("massing: a block needs height_m or storeys")
    return float(base_height_m) + storeys * STOREY_HEIGHT_M


def feature_collection(blocks: Sequence[MassingBuilding]) -> dict[str, Any]:
    """The massing as a GeoJSON FeatureCollection with the heights as properties."""
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": b.id,
                "geometry": shapely.geometry.mapping(to_shape(b.footprint)),
                "properties": {
                    "name": b.name,
                    "height_m": b.height_m,
                    "base_height_m": b.base_height_m,
                    "storeys": b.storeys,
                },
            }
            for b in blocks
        ],
    }


def rebuild(tiles_dir: Path, proposal_id: int, blocks: Sequence[MassingBuilding]) -> Path | None:
    """(Re)write the massing tileset of a proposal; remove it when there are no blocks."""
    if not blocks:
        remove(tiles_dir, proposal_id)
        return None
    features = [
        {
            "id": str(i + 1),
            "footprint": to_shape(b.footprint),
            "height_m": b.height_m,
            "base_height_m": b.base_height_m,
            "name": b.name,
            "storeys": b.storeys,
        }
        for i, b in enumerate(blocks)
    ]
    out = tiles_dir / PROPOSALS_FOLDER
    bbox = shapely.total_bounds([f["footprint"] for f in features])
    terrain = city_terrain(tiles_dir, (bbox[0], bbox[1], bbox[2], bbox[3]))
    try:
        result = build_massing_tileset(features, out, str(proposal_id), terrain)
    except TilingError as exc:
        raise InvalidInputError(f"massing: {exc}") from None
    logger.info("massing tileset of proposal %s: %d blocks", proposal_id, len(blocks))
    return result.tileset_dir


def city_terrain(tiles_dir: Path, bbox: tuple[float, float, float, float]) -> Path | None:
    """The terrain grid of a city tileset (built with ``--dem``) that covers ``bbox`` (lon/lat),
    so a scheme stands on the same ground as its neighbours; None when no city has terrain."""
    for grid in sorted(tiles_dir.glob(f"*/{TERRAIN_DIR}/{GRID_FILE}")):
        if grid.parent.parent.name == PROPOSALS_FOLDER:
            continue
        try:
            w, s, e, n = TerrainGrid.saved_bbox(grid)
        except (OSError, ValueError, KeyError):
            logger.warning("unreadable terrain grid %s", grid)
            continue
        if w <= bbox[0] and s <= bbox[1] and bbox[2] <= e and bbox[3] <= n:
            return grid
    return None


def remove(tiles_dir: Path, proposal_id: int) -> None:
    shutil.rmtree(tileset_dir(tiles_dir, proposal_id), ignore_errors=True)
