"""OSM PBF/XML through GDAL's OSM driver: our ``osmconf.ini`` and the passes over the file.

The driver parses the whole file (every node, way and relation) for each layer it is asked for,
so a pass costs about the same whether it returns one layer or several: reading the buildings'
relations, the ground's areas, its centre lines and its place names one layer at a time parsed
the London extract four times where one pass does. :func:`read_layers` asks for several layers
in one statement of GDAL's SQLite dialect (``UNION ALL``), which the driver answers from one
parse; the rows of each layer are those a read of that layer alone returns (the same filters,
the same order).

Readers get plain data back: WKB and tag columns, ``None`` where a feature lacks the tag.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyogrio.errors
from numpy.typing import NDArray
from pyogrio.raw import read_arrow

from tiles.errors import InvalidInputError

OSM_CONFIG = Path(__file__).with_name("osmconf.ini")
OPEN_OPTIONS = {"CONFIG_FILE": str(OSM_CONFIG), "USE_CUSTOM_INDEXING": "YES"}
LAYERS = ("multipolygons", "lines", "points")
# the id columns each layer has (osm_way_id: a multipolygon drawn by a closed way)
ID_COLUMNS = {
    "multipolygons": ("osm_id", "osm_way_id"),
    "lines": ("osm_id",),
    "points": ("osm_id",),
}
_LAYER_COLUMN = "civictwin_layer"


@dataclass
class OsmRows:
    """Rows of one layer: WKB geometries and raw tag columns (``None`` where absent)."""

    wkb: NDArray[np.object_]
    columns: dict[str, NDArray[np.object_]]

    def __len__(self) -> int:
        return int(self.wkb.shape[0])

    def take(self, rows: NDArray[Any]) -> OsmRows:
        """The rows selected by a boolean mask or an index array."""
        return OsmRows(self.wkb[rows], {k: v[rows] for k, v in self.columns.items()})


@dataclass(frozen=True)
class LayerQuery:
    """What to read of one layer: its tag columns (those of ``osmconf.ini``) and a filter in
    SQL over them (None: every feature)."""

    columns: tuple[str, ...]
    where: str | None = None


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _arrays(table: Any, names: list[str]) -> dict[str, NDArray[np.object_]]:
    return {n: table.column(n).to_numpy(zero_copy_only=False) for n in names}


def _read_arrow(path: Path, **kwargs: Any) -> tuple[dict[str, Any], Any]:
    try:
        return read_arrow(path, **kwargs, **OPEN_OPTIONS)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        raise InvalidInputError(f"{path}: cannot read ({exc})") from exc
    except pyogrio.errors.FieldError as exc:
        raise InvalidInputError(f"{path}: bad attribute ({exc})") from exc


def read_rows(path: Path, layer: str, where: str | None = None) -> OsmRows:
    """One layer of the file (every column of ``osmconf.ini``), in one pass."""
    meta, table = _read_arrow(path, layer=layer, where=where)
    geom = meta.get("geometry_name") or "wkb_geometry"
    wkb = table.column(geom).to_numpy(zero_copy_only=False)
    return OsmRows(np.asarray(wkb, dtype=object), _arrays(table, [str(n) for n in meta["fields"]]))


def read_layers(path: Path, queries: dict[str, LayerQuery]) -> dict[str, OsmRows]:
    """Several layers of the file (keys of :data:`LAYERS`) in one pass over it.

    Each layer comes back with its id columns (:data:`ID_COLUMNS`) and the columns its query
    names, in file order, filtered by its ``where``: the rows a read of that layer alone gives.
    """
    unknown = set(queries) - set(LAYERS)
    if unknown:
        raise ValueError(f"layers {sorted(unknown)}: not OSM driver layers {LAYERS}")
    names = list(
        dict.fromkeys(c for layer, q in queries.items() for c in (*ID_COLUMNS[layer], *q.columns))
    )
    selects = []
    for layer, q in queries.items():
        have = {*ID_COLUMNS[layer], *q.columns}
        cols = [_quote(n) if n in have else f"NULL AS {_quote(n)}" for n in names]
        # built from our own queries only: layer names checked above, column names quoted
        sql = f"SELECT '{layer}' AS {_LAYER_COLUMN}, {', '.join(cols)}, geometry FROM {layer}"  # noqa: S608
        selects.append(sql + (f" WHERE {q.where}" if q.where else ""))
    meta, table = _read_arrow(path, sql=" UNION ALL ".join(selects), sql_dialect="SQLITE")
    geom = meta.get("geometry_name") or "GEOMETRY"
    wkb = np.asarray(table.column(geom).to_numpy(zero_copy_only=False), dtype=object)
    which = table.column(_LAYER_COLUMN).to_numpy(zero_copy_only=False).astype(str)
    columns = _arrays(table, names)
    out = {}
    for layer, q in queries.items():
        rows = which == layer
        keep = [*ID_COLUMNS[layer], *q.columns]
        out[layer] = OsmRows(wkb[rows], {k: columns[k][rows] for k in dict.fromkeys(keep)})
    return out
