"""Build the ground tileset: read → polygons → tiles → tileset.json + labels.json."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from tiles.errors import InvalidInputError
from tiles.geometry.crs import LocalFrame
from tiles.ground.classes import GroundClass
from tiles.ground.labels import LABELS_FILE, write_labels
from tiles.ground.shapes import InPlane, Plane, ground_shapes
from tiles.ground.sources import is_osm, read_ground
from tiles.ground.tiling import HeightFn, build_tiles, flat
from tiles.writers.tileset import tileset_dict, write_tileset

log = logging.getLogger(__name__)

GROUND_DIR = "ground"
EXTENT_PAD_DEG = 0.001  # about 100 m: streets just outside the buildings' box are kept


def ground_inputs(build_inputs: list[Path], extra: list[Path]) -> list[Path]:
    """The files the ground layer is read from: the build's OSM inputs (footprint files of other
    formats hold buildings only) and every ``--ground-input``, each once."""
    osm = [p for p in build_inputs if is_osm(p)]
    return list(dict.fromkeys([*osm, *extra]))


@dataclass
class GroundOptions:
    # leaves of up to 512 m: about 10k triangles each in the City of London, and four times
    # fewer files to write than at 256 m (writing them was a third of the ground stage)
    leaf_size_m: float = 512.0
    quantize: bool = True
    meshopt: bool = True
    src_crs: str | None = None
    # on a terrain: polygons cut at cells of this size (metres) so they follow the slope
    drape_cell_m: float | None = None


def build_ground(
    inputs: list[Path],
    out_dir: Path,
    extent_lonlat: tuple[float, float, float, float] | None = None,
    options: GroundOptions | None = None,
    height: HeightFn = flat,
    osm_layers: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Write the ground tileset of ``inputs`` into ``out_dir`` (created); returns a report.

    ``extent_lonlat`` (the buildings' box) bounds the layer, padded by about 100 m; without it
    the extent of the roads and paths is used. Raises :class:`InvalidInputError` when the inputs
    hold no ground features. ``osm_layers`` are OSM inputs' layers already read with the
    buildings (:func:`tiles.ground.sources.read_ground`).
    """
    options = options or GroundOptions()
    t0 = time.perf_counter()
    if not inputs:
        raise InvalidInputError(
            "--ground: no OSM PBF input and no --ground-input file (roads, water, land use)"
        )
    src = read_ground(inputs, options.src_crs, osm_layers)
    t_read = time.perf_counter() - t0
    if src.count == 0:
        names = ", ".join(p.name for p in inputs)
        raise InvalidInputError(
            f"--ground: no roads, paths, water or green in {names} (the ground layer needs OSM "
            "PBF or GIS layers with highway/railway/landuse/leisure/natural/water columns)"
        )
    if extent_lonlat is None:
        import shapely

        geoms = src.line_geom if src.line_geom.size else src.area_geom
        b = shapely.total_bounds(geoms)
        extent_lonlat = (float(b[0]), float(b[1]), float(b[2]), float(b[3]))
    e = extent_lonlat
    extent = (
        e[0] - EXTENT_PAD_DEG,
        e[1] - EXTENT_PAD_DEG,
        e[2] + EXTENT_PAD_DEG,
        e[3] + EXTENT_PAD_DEG,
    )
    lon0, lat0 = (extent[0] + extent[2]) / 2.0, (extent[1] + extent[3]) / 2.0
    plane = Plane(lon0, lat0)
    projected = InPlane.of(src, plane)  # for the polygons and the labels
    shapes = ground_shapes(src, plane, extent, projected)
    if not len(shapes):
        raise InvalidInputError("--ground: no ground feature lies inside the buildings' extent")
    t_shapes = time.perf_counter() - t0 - t_read
    frame = LocalFrame(lon0, lat0, 0.0)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "content").mkdir(exist_ok=True)

    def write(uri: str, data: bytes) -> None:
        (out_dir / uri).write_bytes(data)

    tiles = build_tiles(
        shapes,
        frame,
        write,
        leaf_size_m=options.leaf_size_m,
        height=height,
        drape_cell_m=options.drape_cell_m,
        quantize=options.quantize,
        meshopt=options.meshopt,
    )
    tileset = tileset_dict(tiles.nodes, tiles.contents, frame, extras={"layer": "ground"})
    write_tileset(out_dir / "tileset.json", tileset)
    labels = write_labels(out_dir / LABELS_FILE, src, plane, extent, height, projected)
    seconds = time.perf_counter() - t0
    classes = {c.name.lower(): int(np.sum(shapes.ground_class == c)) for c in GroundClass}
    report = {
        "features": len(shapes),
        "classes": classes,
        "tiles_with_content": len(tiles.contents),
        "triangles": tiles.triangles,
        "labels": labels,
        "content_bytes": sum(c.bytes for c in tiles.contents.values()),
        "seconds": {
            "read": round(t_read, 4),
            "shapes": round(t_shapes, 4),
            "total": round(seconds, 4),
        },
    }
    log.info(
        "ground: %d features, %d tiles, %d labels in %.2f s",
        len(shapes),
        len(tiles.contents),
        labels,
        seconds,
    )
    return report
