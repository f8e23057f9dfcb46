"""Readers, one module per family of formats, registered by file suffix.

Every reader returns a :class:`SourceData` of plain arrays (footprints in EPSG:4326, raw attribute
columns as strings) and never a domain object; turning attributes into heights is the next stage's
job.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from tiles.errors import InvalidInputError
from tiles.model import Skip

if TYPE_CHECKING:
    from tiles.readers.osm import LayerQuery, OsmRows


@dataclass
class ReadOptions:
    """Options every reader understands."""

    src_crs: str | None = None  # used when a file declares none (and to override one)
    layer: str | None = None
    id_field: str | None = None
    lod: str | None = None  # CityJSON level of detail, e.g. "2.2"; highest present if None
    # OSM: further layers read in the same pass over the file as the buildings' relations
    # (tiles/readers/osm.py), handed back on SourceData.osm_layers; the ground layer's
    osm_layers: dict[str, LayerQuery] | None = None


@dataclass
class SourceData:
    """What one input file holds, as plain arrays aligned by row."""

    path: Path
    dataset: str
    source_id: NDArray[np.object_]
    geometry: NDArray[np.object_]  # shapely (Multi)Polygons in EPSG:4326
    columns: dict[str, NDArray[np.object_]]  # raw attributes, "" when absent
    crs: str
    solids: NDArray[np.object_] | None = None  # CityJSON: a Solid per row
    parent_id: NDArray[np.object_] | None = None
    skipped: list[Skip] = field(default_factory=list)
    # the layers ReadOptions.osm_layers asked for (OSM inputs only; on the first chunk)
    osm_layers: dict[str, OsmRows] | None = None

    def __len__(self) -> int:
        return int(self.source_id.shape[0])

    def slices(self, rows: int) -> Iterator[SourceData]:
        """The same data ``rows`` rows at a time (the file-level skips go with the first)."""
        n = len(self)
        for k in range(0, max(n, 1), max(rows, 1)):
            sl = slice(k, k + rows)
            yield SourceData(
                path=self.path,
                dataset=self.dataset,
                source_id=self.source_id[sl],
                geometry=self.geometry[sl],
                columns={c: v[sl] for c, v in self.columns.items()},
                crs=self.crs,
                solids=None if self.solids is None else self.solids[sl],
                parent_id=None if self.parent_id is None else self.parent_id[sl],
                skipped=self.skipped if k == 0 else [],
                osm_layers=self.osm_layers if k == 0 else None,
            )


Reader = Callable[[Path, ReadOptions], SourceData]


def dataset_name(path: Path) -> str:
    name = path.name
    for suffix in (".city.json", ".osm.pbf", ".cityjson", ".geojson", ".gpkg", ".fgb", ".shp"):
        if name.lower().endswith(suffix):
            return name[: -len(suffix)]
    return path.stem


def _is_cityjson(path: Path) -> bool:
    name = path.name.lower()
    if name.endswith((".city.json", ".cityjson", ".city.jsonl")):
        return True
    if name.endswith(".json"):
        with path.open("rb") as fh:
            head = fh.read(4096)
        return b'"CityJSON"' in head
    return False


def read_source(path: Path, options: ReadOptions) -> SourceData:
    """Read one input with the reader registered for its suffix."""
    if not path.exists():
        raise InvalidInputError(f"{path}: no such file")
    if path.is_dir():
        raise InvalidInputError(f"{path}: is a directory; give the data files inside it")
    if path.is_file() and path.stat().st_size == 0:
        raise InvalidInputError(f"{path}: the file is empty")
    if path.is_file() and _is_cityjson(path):
        from tiles.readers.cityjson import read_cityjson

        return read_cityjson(path, options)
    if path.name.lower().endswith((".pbf", ".osm")):
        from tiles.readers.footprints import read_osm

        return read_osm(path, options)
    from tiles.readers.footprints import read_footprints

    return read_footprints(path, options)


def iter_source(path: Path, options: ReadOptions, chunk_rows: int) -> Iterator[SourceData]:
    """Read one input as a sequence of :class:`SourceData` of at most ``chunk_rows`` rows each,
    in file order (the rows and values are those of :func:`read_source`)."""
    if not path.exists():
        raise InvalidInputError(f"{path}: no such file")
    if path.is_dir():
        raise InvalidInputError(f"{path}: is a directory; give the data files inside it")
    if path.is_file() and path.stat().st_size == 0:
        raise InvalidInputError(f"{path}: the file is empty")
    if path.is_file() and _is_cityjson(path):
        from tiles.readers.cityjson import read_cityjson

        # CityJSON is one JSON document: read at once, handed on in slices
        yield from read_cityjson(path, options).slices(chunk_rows)
        return
    if path.name.lower().endswith((".pbf", ".osm")):
        from tiles.readers.footprints import iter_osm

        yield from iter_osm(path, options, chunk_rows)
        return
    from tiles.readers.footprints import iter_footprints

    yield from iter_footprints(path, options, chunk_rows)
