"""A twin that follows decisions: apply an approved scheme to a built city tileset, and undo it.

:func:`apply_change` puts a scheme's blocks into the city and takes out the buildings it replaces,
re-tiling only the tiles the change touches; :func:`revert_change` puts the previous state back.

What a change does to a tileset folder ``OUT/NAME`` (an explicit 3D Tiles 1.1 build of
``tiles.pipeline``):

* *replaced* buildings: the ids given (a proposal's ``replaces``), every building whose footprint
  overlaps one of the scheme's footprints by more than :data:`OVERLAP_SHARE` of its own area
  (slivers along a shared wall do not count), and the parts of any outline replaced.
* a *new* block joins the leaf tile whose box holds the centre of its footprint's box (the
  pipeline assigns buildings by that centre; of several such boxes the one whose centre is
  nearest, and the nearest box when none holds it). A leaf may then exceed the build's
  ``max_features`` by the scheme's few blocks; that is all.
* re-tiled: the leaves that lose or gain a building, and every ancestor with (coarse) content,
  since those show their whole subtree. Their new content gets a new file name,
  ``content/{level}_{x}_{y}.{change}.glb``, so no cache can serve the old bytes under a new
  tileset.json. Every other file is carried over byte for byte (hard links).
* the new folder is written beside the old one and swapped in atomically
  (:class:`tiles.output.DirectoryOutput`); the previous folder is kept, unchanged, in
  ``OUT/.changes/NAME/CHANGE/``. Reverting the latest change swaps it back.
* ``changes.json`` in the tileset lists the changes applied, in order (id, replaced ids, the new
  rows, tiles rewritten). ``buildings.fgb`` stays the table of the build: the city as it is now
  is that table without the replaced rows, plus the changes' rows (:func:`current_buildings`).

Only a change whose tiles are all affected is expensive; a scheme on one street block re-tiles a
leaf and its ancestors (3 of 21 tiles in the London demo).
"""

from __future__ import annotations

import contextlib
import itertools
import json
import logging
import os
import re
import shutil
import struct
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pyogrio
import shapely
from numpy.typing import NDArray

from tiles.build import (
    ContentOptions,
    NodeSpec,
    build_unit,
    coarse_mesh,
    encode_tile,
    geometry_metrics,
)
from tiles.errors import InvalidInputError, OutputError, TilingError
from tiles.geometry.crs import LocalFrame, metres_per_degree
from tiles.index.lod import (
    CELLS,
    LANDMARK_HEIGHT,
    LANDMARK_SIDE,
    cell_size,
    has_coarse_content,
)
from tiles.massing import MASSING_DATASET, massing_table
from tiles.model import FeatureTable, HeightSource
from tiles.output import DirectoryOutput, publish
from tiles.terrain.grid import TerrainGrid
from tiles.terrain.quantized_mesh import GRID_FILE
from tiles.writers.buildings import buildings_frame
from tiles.writers.coarse_rows import COARSE_ROWS_FILE, read_coarse_rows
from tiles.writers.glb import EncodedTile
from tiles.writers.tileset import box_list, tileset_geometric_error

log = logging.getLogger(__name__)

CHANGES_FILE = "changes.json"
CHANGES_FOLDER = ".changes"  # beside the tilesets; hidden, so never served
BUILDINGS_FILE = "buildings.fgb"
REPORT_FILE = "build-report.json"
TILESET_FILE = "tileset.json"
#: a building overlapped by a scheme's footprint on more than this share of its area is replaced
OVERLAP_SHARE = 0.01
_CHANGE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
_CONTENT = re.compile(r"content/(\d+)_(\d+)_(\d+)(?:\.[A-Za-z0-9_-]+)?\.glb")


class ChangeError(TilingError):
    """A change that cannot be applied or reverted (a wrong id, an unsupported tileset...)."""


@dataclass
class ChangeResult:
    """What applying (or reverting) a change did."""

    change_id: str
    tileset_dir: Path
    tiles: list[str]  # content files written (apply) or restored (revert)
    removed_tiles: list[str]  # content files no longer in the tileset
    replaced: list[str]  # building ids taken out
    added: list[str]  # building ids put in
    previous: Path | None  # where the previous state is kept
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "change_id": self.change_id,
            "tiles": self.tiles,
            "removed_tiles": self.removed_tiles,
            "replaced": self.replaced,
            "added": self.added,
            "previous": str(self.previous) if self.previous else None,
            "seconds": round(self.seconds, 4),
        }


@dataclass
class _Tile:
    obj: dict[str, Any]  # the tile in tileset.json (edited in place on a copy)
    parent: int | None
    children: list[int] = field(default_factory=list)
    key: tuple[int, int, int] | None = None
    uri: str | None = None
    _box: tuple[Any, NDArray[np.float64], NDArray[np.float64]] | None = field(
        default=None, repr=False
    )

    @property
    def is_leaf(self) -> bool:
        return float(self.obj["geometricError"]) == 0.0

    def bounds(self) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """The tile box's local min and max corners (computed again once its box is replaced)."""
        box = self.obj["boundingVolume"]["box"]
        if self._box is None or self._box[0] is not box:
            b = np.asarray(box, dtype=np.float64)
            c, h = b[:3], np.abs(b[3:].reshape(3, 3)).sum(axis=0)
            self._box = (box, c - h, c + h)
        return self._box[1], self._box[2]


def check_change_id(change_id: str) -> None:
    if not _CHANGE_ID.fullmatch(change_id):
        raise ChangeError(
            f"change id {change_id!r}: use 1-64 letters, digits, '_' and '-', starting with a "
            "letter or digit"
        )


def previous_dir(tileset_dir: Path, change_id: str) -> Path:
    """Where the state before ``change_id`` is kept."""
    return tileset_dir.parent / CHANGES_FOLDER / tileset_dir.name / change_id


def read_changes(tileset_dir: Path) -> dict[str, Any]:
    """``changes.json`` of a tileset (no changes yet: an empty list)."""
    path = tileset_dir / CHANGES_FILE
    if not path.is_file():
        return {"datasets": None, "changes": []}
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


# --- reading the built tileset -----------------------------------------------------------------


def _tiles(tileset: dict[str, Any]) -> list[_Tile]:
    out: list[_Tile] = []
    stack: list[tuple[dict[str, Any], int | None]] = [(tileset["root"], None)]
    while stack:
        obj, parent = stack.pop()
        me = len(out)
        tile = _Tile(obj, parent)
        uri = obj.get("content", {}).get("uri")
        if uri is not None:
            m = _CONTENT.fullmatch(uri)
            if m is None:
                raise ChangeError(f"tile content {uri!r} is not a tile of this pipeline")
            tile.uri, tile.key = uri, (int(m[1]), int(m[2]), int(m[3]))
        out.append(tile)
        if parent is not None:
            out[parent].children.append(me)
        stack.extend((c, me) for c in reversed(obj.get("children", [])))
    return out


def glb_building_ids(path: Path) -> list[str]:
    """The ``building_id`` column of a glb's property table (EXT_structural_metadata)."""
    data = path.read_bytes()
    (json_len,) = struct.unpack_from("<I", data, 12)
    gltf = json.loads(data[20 : 20 + json_len])
    bin_start = 20 + json_len + 8
    table = gltf["extensions"]["EXT_structural_metadata"]["propertyTables"][0]
    prop = table["properties"]["building_id"]
    views = gltf["bufferViews"]

    def view(i: int) -> bytes:
        v = views[i]
        start = bin_start + int(v.get("byteOffset", 0))
        return data[start : start + int(v["byteLength"])]

    values = view(prop["values"])
    offsets = np.frombuffer(view(prop["stringOffsets"]), dtype="<u4")
    return [values[a:b].decode("utf-8") for a, b in itertools.pairwise(offsets)]


# the columns of buildings.fgb a FeatureTable needs (not ``tileset``)
_COLUMNS = [
    "building_id",
    "source_id",
    "height_m",
    "base_height_m",
    "levels",
    "height_source",
    "building_type",
    "name",
    "address",
    "dataset",
    "parent_id",
    "drawn",
]


def _read_rows(path: Path, bbox: tuple[float, float, float, float] | None) -> dict[str, Any]:
    """Columns of ``buildings.fgb`` (within ``bbox``, lon/lat), as numpy arrays; strings with
    ``""`` for nulls."""
    import pyarrow as pa
    import pyarrow.compute as pc

    meta, table = pyogrio.read_arrow(path, bbox=bbox, columns=_COLUMNS)
    if bbox is not None:
        # GDAL 3.12's FlatGeobuf Arrow stream gives a box that holds no feature as one batch
        # of 65,536 empty rows (empty WKB); a row of the file always has a geometry
        geometry = meta.get("geometry_name") or "wkb_geometry"
        table = table.filter(pc.greater(pc.binary_length(table.column(geometry)), 0))
    cols: dict[str, Any] = {}
    for name in table.column_names:
        col = table.column(name)
        if pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
            col = pc.fill_null(col, "")
        cols[name] = col.to_numpy(zero_copy_only=False)
    geometry_name = "wkb_geometry" if "wkb_geometry" in cols else "geometry"
    cols["footprint"] = shapely.from_wkb(cols.pop(geometry_name))
    return cols


def _table(cols: Mapping[str, Any], datasets: list[str]) -> FeatureTable:
    names = {s.name.lower(): int(s) for s in HeightSource}
    index = {d: i for i, d in enumerate(datasets)}

    def text(key: str) -> NDArray[np.object_]:
        return np.asarray(cols[key], dtype=object)

    levels = np.asarray(
        [np.nan if v is None else v for v in cols["levels"]]
        if isinstance(cols["levels"], list)
        else cols["levels"],
        dtype=np.float64,
    )
    return FeatureTable(
        building_id=text("building_id"),
        source_id=text("source_id"),
        dataset=np.array([index[d] for d in cols["dataset"]], np.int32),
        footprint=np.asarray(cols["footprint"], dtype=object),
        height_m=np.asarray(cols["height_m"], dtype=np.float64),
        base_height_m=np.asarray(cols["base_height_m"], dtype=np.float64),
        levels=levels,
        height_source=np.array([names[s] for s in cols["height_source"]], np.int8),
        building_type=text("building_type"),
        name=text("name"),
        address=text("address"),
        parent_id=text("parent_id"),
        drawn=np.asarray(cols["drawn"], dtype=bool),
    )


def _rows_of_changes(changes: list[dict[str, Any]], datasets: list[str]) -> FeatureTable | None:
    records = [r for c in changes for r in c["added_rows"]]
    if not records:
        return None
    cols: dict[str, Any] = {k: [r[k] for r in records] for k in records[0] if k != "footprint"}
    cols["footprint"] = shapely.from_wkb(np.array([bytes.fromhex(r["footprint"]) for r in records]))
    return _table(cols, datasets)


def _records(table: FeatureTable, datasets: list[str]) -> list[dict[str, Any]]:
    wkb = shapely.to_wkb(table.footprint)
    sources = [s.name.lower() for s in HeightSource]
    return [
        {
            "building_id": str(table.building_id[i]),
            "source_id": str(table.source_id[i]),
            "dataset": datasets[int(table.dataset[i])],
            "height_m": float(table.height_m[i]),
            "base_height_m": float(table.base_height_m[i]),
            "levels": None if np.isnan(table.levels[i]) else float(table.levels[i]),
            "height_source": sources[int(table.height_source[i])],
            "building_type": str(table.building_type[i]),
            "name": str(table.name[i]),
            "address": str(table.address[i]),
            "parent_id": str(table.parent_id[i]),
            "drawn": bool(table.drawn[i]),
            "footprint": bytes(wkb[i]).hex(),
        }
        for i in range(len(table))
    ]


def current_buildings(
    tileset_dir: Path, bbox: tuple[float, float, float, float] | None = None
) -> FeatureTable:
    """The city as it stands after the applied changes: ``buildings.fgb`` (within ``bbox``)
    without the replaced rows, plus the rows the changes added."""
    state = read_changes(tileset_dir)
    report = json.loads((tileset_dir / REPORT_FILE).read_text(encoding="utf-8"))
    datasets = state["datasets"] or list(report["datasets"])
    return _current(tileset_dir, bbox, state["changes"], datasets)


def _current(
    tileset_dir: Path,
    bbox: tuple[float, float, float, float] | None,
    changes: list[dict[str, Any]],
    datasets: list[str],
) -> FeatureTable:
    base = _table(_read_rows(tileset_dir / BUILDINGS_FILE, bbox), datasets)
    removed = {b for c in changes for b in c["replaced"]}
    tables = [base.take(np.flatnonzero(~_member(base.building_id, removed)))] if removed else [base]
    extra = _rows_of_changes(changes, datasets)
    if extra is not None:
        if bbox is not None:
            extra = extra.take(
                np.flatnonzero(shapely.intersects(extra.footprint, shapely.box(*bbox)))
            )
        tables.append(extra)
    return FeatureTable.concat(tables) if len(tables) > 1 else tables[0]


def buildings_of(tileset_dir: Path, ids: Iterable[str]) -> gpd.GeoDataFrame:
    """The rows of the city as it stands now with these ids, in ``buildings.fgb``'s columns
    (what the backend loads): a change's new blocks after applying it, the buildings it had
    replaced after reverting it."""
    state = read_changes(tileset_dir)
    report = json.loads((tileset_dir / REPORT_FILE).read_text(encoding="utf-8"))
    datasets = list(state["datasets"] or report["datasets"])
    if MASSING_DATASET not in datasets:
        datasets.append(MASSING_DATASET)
    city = _current(tileset_dir, None, state["changes"], datasets)
    rows = city.take(np.flatnonzero(_member(city.building_id, set(ids))))
    return buildings_frame(rows, datasets, tileset_dir.name)


# --- applying ----------------------------------------------------------------------------------


def _box_of(geoms: NDArray[np.object_]) -> tuple[float, float, float, float]:
    b = shapely.bounds(geoms)
    return (float(b[:, 0].min()), float(b[:, 1].min()), float(b[:, 2].max()), float(b[:, 3].max()))


def _member(values: NDArray[np.object_], wanted: set[str]) -> NDArray[np.bool_]:
    """``np.isin`` for strings by hashing (``np.isin`` sorts object arrays: 10x slower here)."""
    return np.fromiter((v in wanted for v in values.tolist()), dtype=bool, count=len(values))


def _replaced(
    city: FeatureTable, scheme: FeatureTable, explicit: Iterable[str]
) -> NDArray[np.bool_]:
    """Rows of ``city`` the scheme replaces (see the module docstring)."""
    out = _member(city.building_id, set(explicit))
    tree = shapely.STRtree(city.footprint)
    for fp in scheme.footprint:
        hits = tree.query(fp, predicate="intersects")
        if hits.size:
            area = shapely.area(city.footprint[hits])
            overlap = shapely.area(shapely.intersection(city.footprint[hits], fp))
            out[hits[(area > 0) & (overlap > OVERLAP_SHARE * area)]] = True
    outlines = set(city.building_id[out].tolist())
    return out | _member(city.parent_id, outlines)


def _centres_local(table: FeatureTable, frame: LocalFrame) -> NDArray[np.float64]:
    b = shapely.bounds(table.footprint)
    cx, cy = (b[:, 0] + b[:, 2]) / 2.0, (b[:, 1] + b[:, 3]) / 2.0
    local: NDArray[np.float64] = frame.lonlat_to_local(cx, cy, 0.0)[:, :2]
    return local


def _leaf_for(xy: NDArray[np.float64], leaves: list[int], tiles: list[_Tile]) -> int:
    """The leaf whose box holds ``xy`` with the nearest centre, else the nearest box (the
    first of equals, in ``leaves`` order)."""
    lo = np.array([tiles[i].bounds()[0][:2] for i in leaves])
    hi = np.array([tiles[i].bounds()[1][:2] for i in leaves])
    inside = np.all(xy >= lo, axis=1) & np.all(xy <= hi, axis=1)
    outside_d = np.linalg.norm(np.maximum(np.maximum(lo - xy, xy - hi), 0), axis=1)
    centre_d = np.linalg.norm((lo + hi) / 2.0 - xy, axis=1)
    d = np.where(inside, centre_d, 1e12 + outside_d)
    return leaves[int(np.argmin(d))]


def _site_box(
    tiles: list[_Tile], scheme: FeatureTable, frame: LocalFrame
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The local box of the scheme's footprints and of every tile below the root with content
    whose box meets theirs."""
    b = shapely.bounds(scheme.footprint)
    lon = np.concatenate([b[:, 0], b[:, 2], b[:, 0], b[:, 2]])
    lat = np.concatenate([b[:, 1], b[:, 3], b[:, 3], b[:, 1]])
    xy = frame.lonlat_to_local(lon, lat, 0.0)
    lo, hi = xy.min(axis=0), xy.max(axis=0)
    los, his = [lo], [hi]
    for t in tiles[1:]:
        if t.uri is None:
            continue
        t_lo, t_hi = t.bounds()
        if np.all(t_lo[:2] <= hi[:2]) and np.all(t_hi[:2] >= lo[:2]):
            los.append(t_lo)
            his.append(t_hi)
    return np.min(los, axis=0), np.max(his, axis=0)


def _lonlat_box(
    frame: LocalFrame, lo: NDArray[np.float64], hi: NDArray[np.float64]
) -> tuple[float, float, float, float]:
    """A lon/lat box around the local box ``lo``..``hi``: only a prefilter of the rows (a tile's
    rows are then picked by id), so a generous margin (20 m + 2 %) stands in for the exact
    inverse of the frame's projection."""
    mx, my = (float(v[0]) for v in metres_per_degree(np.array([frame.lat0])))
    pad = 20.0 + 0.02 * float(max(hi[0] - lo[0], hi[1] - lo[1]))
    return (
        frame.lon0 + (float(lo[0]) - pad) / mx,
        frame.lat0 + (float(lo[1]) - pad) / my,
        frame.lon0 + (float(hi[0]) + pad) / mx,
        frame.lat0 + (float(hi[1]) + pad) / my,
    )


def _redraw_outlines(pool: FeatureTable, full: list[NDArray[np.int64]], cell_m: float) -> None:
    """Give drawn outlines with parts their uncovered remainder again (``buildings.fgb`` keeps
    the whole outline), as the pipeline's part linking does: those of the leaves re-meshed in
    full (``full``, positions in ``pool``), and those big enough to be a landmark of a coarse
    tile of cell ``cell_m`` (tiles.index.lod), whose own footprint is drawn there too."""
    from tiles.heights import link_parts
    from tiles.index.lod import LANDMARK_HEIGHT, LANDMARK_SIDE

    has_parts = pool.parent_id != ""
    if not has_parts.any():
        return
    outlines = _member(pool.building_id, set(pool.parent_id[has_parts].tolist())) & pool.drawn
    wanted = np.zeros(len(pool), bool)
    for idx in full:
        wanted[idx] = True
    if np.isfinite(cell_m):
        # a landmark is LANDMARK_SIDE cells across (the square root of its area, as in
        # tiles/index/lod.py) or LANDMARK_HEIGHT cells tall; only outlines matter here
        cand = np.flatnonzero(outlines)
        b = shapely.bounds(pool.footprint[cand])
        mx, my = metres_per_degree((b[:, 1] + b[:, 3]) / 2.0)
        area = shapely.area(pool.footprint[cand]) * mx * my
        big = (np.sqrt(area) >= LANDMARK_SIDE * cell_m) | (
            pool.height_m[cand] >= LANDMARK_HEIGHT * cell_m
        )
        wanted[cand[big]] = True
    outlines &= wanted
    if not outlines.any():
        return
    sub = np.flatnonzero(
        outlines | (has_parts & _member(pool.parent_id, set(pool.building_id[outlines].tolist())))
    )
    links = link_parts(pool.footprint[sub], pool.building_id[sub], has_parts[sub])
    if links is None:
        return
    redraw = links.draw_footprint != None  # noqa: E711 (element-wise)
    if redraw.any():
        if pool.draw_footprint is None:
            pool.draw_footprint = pool.footprint.copy()
        pool.draw_footprint[sub[redraw]] = links.draw_footprint[redraw]


@contextlib.contextmanager
def _locked(tileset_dir: Path) -> Iterator[None]:
    """One change at a time per tileset (an exclusive lock on a file beside its kept states):
    two changes read and swap the same folder, so the second must start from the first's."""
    import fcntl

    lock = tileset_dir.parent / CHANGES_FOLDER / f"{tileset_dir.name}.lock"
    lock.parent.mkdir(parents=True, exist_ok=True)
    with open(lock, "a") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def apply_change(
    tileset_dir: str | Path,
    change_id: str,
    features: Sequence[Mapping[str, Any]],
    replaces: Iterable[str] = (),
) -> ChangeResult:
    """Apply a scheme to the city tileset ``tileset_dir``: its blocks (``features``, as for
    :func:`tiles.massing.build_massing_tileset`) join the city, the buildings it replaces leave.

    ``replaces`` lists building ids to take out on top of those the blocks overlap. Raises
    :class:`ChangeError` for an id already applied, a tileset this cannot change (implicit
    tiling, 3D Tiles 1.0) or a scheme that changes nothing.
    """
    tileset_dir = Path(tileset_dir)
    check_change_id(change_id)
    with _locked(tileset_dir):
        return _apply(tileset_dir, change_id, features, replaces)


def _apply(
    tileset_dir: Path,
    change_id: str,
    features: Sequence[Mapping[str, Any]],
    replaces: Iterable[str],
) -> ChangeResult:
    t0 = time.perf_counter()
    tileset, report, state = _load(tileset_dir)
    if any(c["id"] == change_id for c in state["changes"]):
        raise ChangeError(f"change {change_id!r} is already applied to {tileset_dir.name}")
    if previous_dir(tileset_dir, change_id).exists():
        raise ChangeError(f"change {change_id!r}: a previous state of that name is kept already")
    datasets: list[str] = list(state["datasets"] or report["datasets"])
    if MASSING_DATASET not in datasets:
        datasets.append(MASSING_DATASET)
    scheme = massing_table(features, change_id, datasets.index(MASSING_DATASET))
    taken = {b for c in state["changes"] for b in c["added"]}
    clash = [b for b in scheme.building_id if b in taken]
    if clash:
        raise InvalidInputError(f"change {change_id!r}: building {clash[0]!r} is in the city")
    fr = report["frame"]
    frame = LocalFrame(float(fr["lon"]), float(fr["lat"]), float(fr["height"]))
    tiles = _tiles(tileset)
    leaves = [i for i, t in enumerate(tiles) if t.is_leaf and t.uri is not None]

    # the city near the scheme and the explicit ids: what is replaced. Every change re-tiles
    # the root when it has content (it shows the whole city): from buildings-coarse.arrow when
    # it can (the root then shows no landmark), else the whole table is read once
    explicit = set(replaces)
    root = None if tiles[0].uri is None or tiles[0].is_leaf else tiles[0]
    coarse = _CoarseRows.read(tileset_dir, root, scheme, state["changes"], datasets)
    city_all = near = None
    read_box: tuple[NDArray[np.float64], NDArray[np.float64]] | None = None
    if coarse is not None:
        # one read for all the full rows: the tiles below the root whose boxes the scheme's
        # meets hold every building it can replace (a tile's box holds its buildings), so the
        # leaves that change and their ancestors
        read_box = _site_box(tiles, scheme, frame)
        near = _current(tileset_dir, _lonlat_box(frame, *read_box), state["changes"], datasets)
    elif root is None:
        near = _current(tileset_dir, _box_of(scheme.footprint), state["changes"], datasets)
    if near is not None and explicit - set(near.building_id.tolist()):  # explicit ids elsewhere
        near = read_box = None
    if near is None:
        near = city_all = _current(tileset_dir, None, state["changes"], datasets)
        coarse = None  # read whole: the root from its rows
    missing = explicit - set(near.building_id.tolist())
    if missing:
        raise InvalidInputError(
            f"replaces: building {sorted(missing)[0]!r} is not in tileset {tileset_dir.name}"
        )
    gone = near.take(np.flatnonzero(_replaced(near, scheme, explicit)))
    if city_all is None and read_box is None and gone.parent_id.size and len(gone):
        # the parts of a replaced outline may reach beyond the scheme's box: read around them
        box = _box_of(np.concatenate([scheme.footprint, gone.footprint]))
        near = _current(tileset_dir, box, state["changes"], datasets)
        gone = near.take(np.flatnonzero(_replaced(near, scheme, explicit)))

    # the leaves that lose or gain a building
    changed: dict[int, tuple[set[str], list[int]]] = {}  # leaf -> (ids out, scheme rows in)
    centres = _centres_local(gone, frame) if len(gone) else np.zeros((0, 2))
    id_cache: dict[int, list[str]] = {}

    def ids_of(i: int) -> list[str]:
        if i not in id_cache:
            uri = tiles[i].uri
            assert uri is not None
            id_cache[i] = glb_building_ids(tileset_dir / uri)
        return id_cache[i]

    for bid, xy, drawn in zip(gone.building_id, centres, gone.drawn, strict=True):
        if not drawn:
            continue
        for i in leaves:
            lo_, hi_ = tiles[i].bounds()
            if np.all(xy >= lo_[:2] - 1.0) and np.all(xy <= hi_[:2] + 1.0) and bid in ids_of(i):
                changed.setdefault(i, (set(), []))[0].add(str(bid))
                break
    for k, xy in enumerate(_centres_local(scheme, frame)):
        changed.setdefault(_leaf_for(xy, leaves, tiles), (set(), []))[1].append(k)

    # the tiles to re-tile: those leaves and every ancestor with content
    affected: set[int] = set(changed)
    for i in changed:
        p = tiles[i].parent
        while p is not None:
            affected.add(p)
            p = tiles[p].parent
    # full rows for the tiles below the root if it comes from buildings-coarse.arrow, else for
    # the top tile (depth-first order: an ancestor comes first)
    full_rows = sorted(affected - {0}) if coarse is not None else [min(affected)]
    lo_t = np.min([tiles[i].bounds()[0] for i in full_rows], axis=0)
    hi_t = np.max([tiles[i].bounds()[1] for i in full_rows], axis=0)
    city = city_all
    if read_box is not None and np.all(lo_t >= read_box[0]) and np.all(hi_t <= read_box[1]):
        city = near  # read already
    if city is None:
        city = _current(tileset_dir, _lonlat_box(frame, lo_t, hi_t), state["changes"], datasets)
    # one pool of rows, the city's then the scheme's; a tile's rows are positions in it
    pool = FeatureTable.concat([city, scheme])
    by_id = {b: k for k, b in enumerate(city.building_id.tolist())}
    removed_ids = set(gone.building_id.tolist())
    empty = np.zeros(0, np.int64)

    def leaf_rows(i: int) -> NDArray[np.int64]:
        idx = [by_id[b] for b in ids_of(i) if b not in removed_ids]
        add = [len(city) + k for k in changed.get(i, (set(), []))[1]]
        return np.array(idx + add, dtype=np.int64)

    def subtree_rows(i: int) -> NDArray[np.int64]:
        t = tiles[i]
        if i == 0 and city_all is not None:  # the root: all of the city (read whole)
            keep = np.flatnonzero(~_member(city.building_id, removed_ids))
            return np.concatenate([keep, len(city) + np.arange(len(scheme))])
        if t.is_leaf:
            return leaf_rows(i) if t.uri is not None else empty
        parts = [subtree_rows(c) for c in t.children]
        return np.concatenate(parts) if parts else empty

    rows_of = {i: subtree_rows(i) for i in affected if not (i == 0 and coarse is not None)}
    coarse_c = [float(tiles[i].obj["geometricError"]) for i in affected if not tiles[i].is_leaf]
    _redraw_outlines(pool, [rows_of[i] for i in changed], min(coarse_c, default=np.inf))

    opts = report["options"]
    copts = ContentOptions(quantize=bool(opts["quantize"]), meshopt=bool(opts["meshopt"]))
    grid = tileset_dir / "terrain" / GRID_FILE
    if grid.is_file():  # built with --dem: the blocks stand on the city's terrain, as its own
        copts.terrain = TerrainGrid.load(grid)
        copts.base = "mean" if opts.get("base") == "mean" else "min"
    new_content: dict[int, Any] = {}
    if coarse is not None:
        log.debug("%s: the root from %s", change_id, COARSE_ROWS_FILE)
        new_content[0] = coarse.encode(tiles[0], removed_ids, frame, datasets, copts)
    for i in sorted(affected, reverse=True):
        if i not in rows_of:
            continue
        tile, idx = tiles[i], rows_of[i]
        if tile.uri is None or idx.size == 0:
            continue
        rows = pool.take(idx)
        size = float(tile.obj["geometricError"]) * CELLS
        spec = NodeSpec(_key(tile), 0, len(rows), tile.is_leaf, size)
        unit = build_unit(rows, [spec], frame, datasets, copts)
        new_content[i] = unit.tiles.get(spec.key)

    return _publish(
        tileset_dir,
        change_id,
        tileset,
        tiles,
        affected,
        new_content,
        state,
        datasets,
        gone,
        scheme,
        t0,
    )


@dataclass
class _CoarseRows:
    """What the root's coarse content needs of every row of the city with the scheme
    (tiles/writers/coarse_rows.py), in the order a whole read gives them: ``buildings.fgb``'s
    rows without those the changes replaced, the changes' rows, the scheme's."""

    building_id: NDArray[np.object_]
    height_m: NDArray[np.float64]
    drawn: NDArray[np.bool_]
    area_m2: NDArray[np.float64]
    center: NDArray[np.float64]
    scheme_rows: int  # the last rows: never taken out

    @classmethod
    def read(
        cls,
        tileset_dir: Path,
        root: _Tile | None,
        scheme: FeatureTable,
        changes: list[dict[str, Any]],
        datasets: list[str],
    ) -> _CoarseRows | None:
        """None when there is no root content to make, the tileset has no such file (built
        before it was written) or the root would show a landmark, which needs its full row."""
        if root is None:
            return None
        cols = read_coarse_rows(tileset_dir / COARSE_ROWS_FILE)
        if cols is None:
            return None
        removed = {b for c in changes for b in c["replaced"]}
        if removed:
            keep = np.flatnonzero(~_member(cols["building_id"], removed))
            cols = {k: v[keep] for k, v in cols.items()}
        parts = [cols]
        for table in (_rows_of_changes(changes, datasets), scheme):
            if table is not None:
                area, center = geometry_metrics(table.footprint)
                parts.append(
                    {
                        "building_id": table.building_id,
                        "height_m": table.height_m,
                        "drawn": table.drawn,
                        "area_m2": area,
                        "center": center,
                    }
                )
        out = cls(
            **{k: np.concatenate([p[k] for p in parts]) for k in cols},
            scheme_rows=len(scheme),
        )
        # a landmark of the root (tiles/index/lod.py), or none
        c = cell_size(float(root.obj["geometricError"]) * CELLS)
        landmark = out.drawn & (
            (np.sqrt(out.area_m2) >= LANDMARK_SIDE * c) | (out.height_m >= LANDMARK_HEIGHT * c)
        )
        return None if landmark.any() else out

    def encode(
        self,
        tile: _Tile,
        removed_ids: set[str],
        frame: LocalFrame,
        datasets: list[str],
        options: ContentOptions,
    ) -> EncodedTile | None:
        """The root's new content without the rows ``removed_ids``: merged blocks only."""
        n = len(self.building_id)
        keep = np.flatnonzero(~_member(self.building_id[: n - self.scheme_rows], removed_ids))
        idx = np.concatenate([keep, np.arange(n - self.scheme_rows, n)])
        if idx.size == 0:
            return None
        size = float(tile.obj["geometricError"]) * CELLS
        spec = NodeSpec(_key(tile), 0, int(idx.size), False, size)
        if not has_coarse_content(size):
            return None
        empty = np.full(idx.size, "", dtype=object)
        table = FeatureTable(  # landmarks would need the other columns: there are none
            building_id=self.building_id[idx],
            source_id=empty,
            dataset=np.zeros(idx.size, np.int32),
            footprint=np.full(idx.size, None, dtype=object),
            height_m=self.height_m[idx],
            base_height_m=np.zeros(idx.size),
            levels=np.full(idx.size, np.nan),
            height_source=np.zeros(idx.size, np.int8),
            building_type=empty,
            name=empty,
            address=empty,
            parent_id=empty,
            drawn=self.drawn[idx],
        )
        got = coarse_mesh(table, self.area_m2[idx], self.center[idx], size, frame, options)
        if got is None:
            return None
        mesh, rows = got
        assert rows.size == 0
        if mesh.vertex_count == 0:
            return None
        return encode_tile(mesh, table.take(rows), spec, datasets, options)


def _files(folder: Path) -> list[str]:
    """Every file under ``folder``, as relative POSIX paths."""
    out: list[str] = []
    for dirpath, _, names in os.walk(folder):
        rel = Path(dirpath).relative_to(folder).as_posix()
        out.extend(n if rel == "." else f"{rel}/{n}" for n in names)
    return sorted(out)


def _key(tile: _Tile) -> str:
    assert tile.key is not None
    return "/".join(map(str, tile.key))


def _load(tileset_dir: Path) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    try:
        tileset = json.loads((tileset_dir / TILESET_FILE).read_text(encoding="utf-8"))
        report = json.loads((tileset_dir / REPORT_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ChangeError(f"{tileset_dir}: not a built tileset ({exc})") from exc
    opts = report.get("options", {})
    if report.get("format") != "1.1" or opts.get("implicit"):
        raise ChangeError(
            f"{tileset_dir.name}: changes apply to explicit 3D Tiles 1.1 tilesets "
            "(built without --implicit and --format 1.0)"
        )
    if not (tileset_dir / BUILDINGS_FILE).is_file():
        raise ChangeError(f"{tileset_dir.name}: no {BUILDINGS_FILE} (built with --no-buildings?)")
    return tileset, report, read_changes(tileset_dir)


def _publish(
    tileset_dir: Path,
    change_id: str,
    tileset: dict[str, Any],
    tiles: list[_Tile],
    affected: set[int],
    new_content: dict[int, Any],
    state: dict[str, Any],
    datasets: list[str],
    gone: FeatureTable,
    scheme: FeatureTable,
    t0: float,
) -> ChangeResult:
    written: dict[str, bytes] = {}
    dropped: list[str] = []
    for i in sorted(affected, reverse=True):  # boxes: children first
        tile = tiles[i]
        encoded = new_content.get(i)
        if tile.uri is not None:
            dropped.append(tile.uri)
        los: list[NDArray[np.float64]] = []
        his: list[NDArray[np.float64]] = []
        if encoded is not None:
            assert tile.key is not None
            uri = "content/{}_{}_{}.{}.glb".format(*tile.key, change_id)
            tile.obj["content"] = {"uri": uri}
            written[uri] = encoded.data
            los.append(encoded.box_min)
            his.append(encoded.box_max)
        else:
            tile.obj.pop("content", None)
        kids = [tiles[c] for c in tile.children if "boundingVolume" in tiles[c].obj]
        for k in kids:
            lo, hi = k.bounds()
            los.append(lo)
            his.append(hi)
        if kids:
            tile.obj["children"] = [k.obj for k in kids]
        else:
            tile.obj.pop("children", None)
        if los:
            box = box_list(np.min(los, axis=0), np.max(his, axis=0))
            tile.obj["boundingVolume"] = {"box": box}
        else:
            tile.obj.pop("boundingVolume", None)
    if "boundingVolume" not in tileset["root"]:
        raise ChangeError(f"change {change_id!r} would leave {tileset_dir.name} empty")
    tileset["geometricError"] = tileset_geometric_error(tileset["root"])
    record = {
        "id": change_id,
        "replaced": sorted(gone.building_id.tolist()),
        "added": scheme.building_id.tolist(),
        "added_rows": _records(scheme, datasets),
        "tiles": sorted(written),
        "removed_tiles": sorted(dropped),
        "applied_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    new_state = {"datasets": datasets, "changes": [*state["changes"], record]}
    skip = {TILESET_FILE, CHANGES_FILE, *dropped}
    previous = previous_dir(tileset_dir, change_id)
    out = DirectoryOutput(tileset_dir, previous)
    out.begin()
    try:
        for rel in _files(tileset_dir):
            if rel not in skip:
                out.keep(rel)
        for uri, data in written.items():
            out.write(uri, data)
        out.write(TILESET_FILE, json.dumps(tileset, separators=(",", ":")).encode("utf-8"))
        out.write(CHANGES_FILE, json.dumps(new_state, indent=1).encode("utf-8"))
    except BaseException:
        out.abort()
        raise
    kept = out.end()
    dt = time.perf_counter() - t0
    log.info(
        "applied %s to %s: %d tiles rewritten, %d buildings out, %d in, %.3f s",
        change_id,
        tileset_dir.name,
        len(written),
        len(gone),
        len(scheme),
        dt,
    )
    return ChangeResult(
        change_id,
        tileset_dir,
        sorted(written),
        sorted(dropped),
        record["replaced"],
        record["added"],
        kept,
        dt,
    )


def revert_change(tileset_dir: str | Path, change_id: str) -> ChangeResult:
    """Put back the state before ``change_id``, which must be the latest change applied (undo
    the later ones first); the kept previous folder is swapped in atomically."""
    tileset_dir = Path(tileset_dir)
    check_change_id(change_id)
    with _locked(tileset_dir):
        return _revert(tileset_dir, change_id)


def _revert(tileset_dir: Path, change_id: str) -> ChangeResult:
    t0 = time.perf_counter()
    changes = read_changes(tileset_dir)["changes"]
    ids = [c["id"] for c in changes]
    if change_id not in ids:
        raise ChangeError(f"change {change_id!r} is not applied to {tileset_dir.name}")
    if ids[-1] != change_id:
        raise ChangeError(
            f"change {change_id!r} is not the latest applied to {tileset_dir.name}: "
            f"revert {', '.join(reversed(ids[ids.index(change_id) + 1 :]))} first"
        )
    previous = previous_dir(tileset_dir, change_id)
    if not (previous / TILESET_FILE).is_file():
        raise ChangeError(f"change {change_id!r}: its previous state is gone ({previous})")
    try:
        undone = publish(previous, tileset_dir)
    except OSError as exc:
        raise OutputError(f"{tileset_dir}: cannot swap the previous state back ({exc})") from exc
    if undone is not None:
        shutil.rmtree(undone, ignore_errors=True)
    with contextlib.suppress(OSError):
        previous.parent.rmdir()  # the last kept state of this tileset
    last = changes[-1]
    log.info("reverted %s on %s", change_id, tileset_dir.name)
    return ChangeResult(
        change_id,
        tileset_dir,
        list(last["removed_tiles"]),
        list(last["tiles"]),
        [],
        [],
        None,
        time.perf_counter() - t0,
    )
