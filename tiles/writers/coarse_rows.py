"""``buildings-coarse.arrow``: per row of ``buildings.fgb``, what a coarse tile needs of it.

An internal tile's coarse content (tiles/index/lod.py) merges small buildings per cell from their
footprint's area and centre, height and whether they are drawn; only landmarks need their
footprint and attributes. A change to a city whose root tile shows the whole city
(tiles/apply.py) so rebuilds the root from this file and reads full rows of the site's subtree
only. The values are computed from ``buildings.fgb`` as read back (heights rounded as written,
footprints decoded from its WKB) and in its row order, so the root is the same, byte for byte, as
one built from all of its rows. An Arrow IPC file: a few columns, read without parsing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import shapely
from numpy.typing import NDArray
from pyogrio.raw import open_arrow

from tiles.build import geometry_metrics

COARSE_ROWS_FILE = "buildings-coarse.arrow"
_READ = ["building_id", "height_m", "drawn"]
SCHEMA = pa.schema(
    [
        pa.field("building_id", pa.string()),
        pa.field("height_m", pa.float64()),
        pa.field("drawn", pa.bool_()),
        pa.field("area_m2", pa.float64()),
        pa.field("lon", pa.float64()),
        pa.field("lat", pa.float64()),
    ]
)


def write_coarse_rows(buildings: Path, path: Path, batch_size: int = 65_536) -> int:
    """Write ``path`` from the ``buildings.fgb`` at ``buildings``, a batch at a time (memory
    stays bounded for a big city). Returns the number of rows."""
    rows = 0
    with (
        open_arrow(buildings, columns=_READ, batch_size=batch_size, use_pyarrow=True) as (
            meta,
            reader,
        ),
        pa.OSFile(str(path), "wb") as sink,
        pa.ipc.new_file(sink, SCHEMA) as writer,
    ):
        geometry = meta["geometry_name"] or "wkb_geometry"
        for batch in reader:
            geoms = shapely.from_wkb(batch.column(geometry).to_numpy(zero_copy_only=False))
            area, center = geometry_metrics(geoms)
            arrays = [
                batch.column("building_id"),
                batch.column("height_m"),
                batch.column("drawn"),
                pa.array(area, pa.float64()),
                pa.array(center[:, 0], pa.float64()),
                pa.array(center[:, 1], pa.float64()),
            ]
            writer.write_batch(pa.RecordBatch.from_arrays(arrays, schema=SCHEMA))
            rows += batch.num_rows
    return rows


def read_coarse_rows(path: Path) -> dict[str, NDArray[Any]] | None:
    """The columns of ``path`` as numpy arrays (``center`` as lon, lat pairs); None when the
    tileset has no such file (built before it was written)."""
    if not path.is_file():
        return None
    with pa.OSFile(str(path), "rb") as source:
        table = pa.ipc.open_file(source).read_all()
    if table.schema != SCHEMA:
        return None
    return {
        "building_id": np.asarray(table.column("building_id").to_numpy(zero_copy_only=False)),
        "height_m": table.column("height_m").to_numpy().astype(np.float64),
        "drawn": table.column("drawn").to_numpy(zero_copy_only=False).astype(bool),
        "area_m2": table.column("area_m2").to_numpy().astype(np.float64),
        "center": np.column_stack(
            [table.column("lon").to_numpy(), table.column("lat").to_numpy()]
        ).astype(np.float64),
    }
