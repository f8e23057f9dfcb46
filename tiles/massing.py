"""A proposal's massing as a tiny tileset, through the same mesh and writer code as the city."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import shapely
import shapely.geometry

from tiles.errors import InvalidInputError
from tiles.heights import MAX_HEIGHT_M
from tiles.model import FeatureTable, HeightSource
from tiles.pipeline import BuildOptions, BuildResult, HeightResult, build_table

MASSING_DATASET = "massing"


def build_massing_tileset(
    features: Iterable[Mapping[str, Any]],
    out_dir: str | os.PathLike[str],
    name: str,
    terrain_grid: str | os.PathLike[str] | None = None,
) -> BuildResult:
    """Write ``out_dir / name / tileset.json`` for a few massing blocks.

    Each feature is a mapping with ``id`` (str), ``footprint`` (a shapely Polygon/MultiPolygon or
    a GeoJSON geometry dict, lon/lat EPSG:4326), ``height_m`` (top above ground) and optionally
    ``base_height_m``, ``name``, ``storeys``, ``building_type``. With ``terrain_grid`` (a city's
    ``terrain/grid.npz``, from ``tiles build --dem``) the blocks stand on that terrain, as the
    city's buildings do.

    Examples
    --------
    >>> import tempfile
    >>> from shapely import box
    >>> block = {"id": "A", "footprint": box(-0.1, 51.5, -0.0998, 51.5001), "height_m": 30.0}
    >>> result = build_massing_tileset([block], tempfile.mkdtemp(), "scheme-1")
    >>> result.buildings.loc[0, "building_id"], result.tileset_path.name
    ('massing:A', 'tileset.json')
    """
    table = massing_table(features, name)
    options = BuildOptions(
        name=name, terrain_grid=None if terrain_grid is None else os.fspath(terrain_grid)
    )
    return build_table(HeightResult(table, [], 0.0), [MASSING_DATASET], name, out_dir, options)


def massing_table(
    features: Iterable[Mapping[str, Any]], name: str, dataset: int = 0
) -> FeatureTable:
    """The rows of a proposal's blocks (see :func:`build_massing_tileset` for the mappings),
    checked: valid polygons, ``0 <= base < height <= 1000`` m. ``dataset`` is the index of
    :data:`MASSING_DATASET` in the build's dataset names."""
    rows = list(features)
    if not rows:
        raise InvalidInputError(f"massing {name!r}: no features")
    geoms, ids = [], []
    for i, f in enumerate(rows):
        fp = f.get("footprint")
        geom = shapely.geometry.shape(fp) if isinstance(fp, Mapping) else fp
        if geom is None or shapely.get_type_id(geom) not in (3, 6) or not shapely.is_valid(geom):
            raise InvalidInputError(
                f"massing {name!r}: feature {f.get('id', i)!r} needs a valid polygon footprint"
            )
        geoms.append(geom)
        ids.append(str(f.get("id", i)))
    height = np.array([float(f["height_m"]) for f in rows])
    base = np.array([float(f.get("base_height_m") or 0.0) for f in rows])
    bad = (height <= base) | (height > MAX_HEIGHT_M) | (base < 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InvalidInputError(
            f"massing {name!r}: feature {ids[i]!r} has height {height[i]} m over base {base[i]} m"
        )
    n = len(rows)
    table = FeatureTable(
        building_id=np.array([f"{MASSING_DATASET}:{i}" for i in ids], dtype=object),
        source_id=np.array(ids, dtype=object),
        dataset=np.full(n, dataset, np.int32),
        footprint=np.array([*geoms, None], dtype=object)[:-1],
        height_m=height,
        base_height_m=base,
        levels=np.array([float(f.get("storeys") or np.nan) for f in rows]),
        height_source=np.full(n, HeightSource.MASSING, np.int8),
        building_type=np.array([str(f.get("building_type") or "") for f in rows], dtype=object),
        name=np.array([str(f.get("name") or "") for f in rows], dtype=object),
        address=np.full(n, "", dtype=object),
        parent_id=np.full(n, "", dtype=object),
        drawn=np.ones(n, bool),
    )
    return table
