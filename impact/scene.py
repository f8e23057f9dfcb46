"""A scene: the city's buildings and a scheme's massing as one triangle mesh, with a ray engine.

Buildings are meshed by :func:`tiles.geometry.extrude.extrude_footprints`, the code that makes the
city's tiles, so what is analysed is what is shown. Coordinates are a local east-north-up frame in
metres (:class:`tiles.geometry.crs.LocalFrame`). Rays go to Embree through trimesh (``embree``);
``numpy`` is trimesh's pure-numpy engine, kept as the reference the benchmark compares against.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pyogrio
import shapely
import shapely.geometry
import trimesh
from numpy.typing import NDArray

from impact.cache import LruCache, digest
from impact.errors import InvalidInputError, TooLargeError
from tiles.geometry.crs import LocalFrame
from tiles.geometry.extrude import extrude_footprints
from tiles.heights import MAX_HEIGHT_M
from tiles.model import FeatureTable, HeightSource

log = logging.getLogger(__name__)

Engine = Literal["embree", "numpy"]
ENGINES: tuple[Engine, ...] = ("embree", "numpy")
MAX_FEATURES = 200_000
MAX_TRIANGLES = 5_000_000
# rays are cast in batches of this many, so memory stays bounded whatever the study's size
RAY_BATCH = 500_000
MAX_FEATURE_ROWS = 10_000


def table_from_records(records: Iterable[Mapping[str, Any]], *, prefix: str) -> FeatureTable:
    """A :class:`FeatureTable` from mappings with ``id``, ``footprint`` (shapely or GeoJSON,
    lon/lat), ``height_m`` and optionally ``base_height_m``, ``storeys``, ``name``.

    Ids become ``f"{prefix}:{id}"``. Each row is checked before anything is meshed; the error
    names the row and what is wrong with it.
    """
    rows = list(records)
    if len(rows) > MAX_FEATURE_ROWS:
        raise TooLargeError(f"{prefix}: {len(rows)} features; at most {MAX_FEATURE_ROWS}")
    geoms: list[Any] = []
    heights, bases, levels, ids, names = [], [], [], [], []
    for i, row in enumerate(rows):
        rid = str(row.get("id", i))
        fp = row.get("footprint")
        try:
            geom = shapely.geometry.shape(fp) if isinstance(fp, Mapping) else fp
        except (ValueError, TypeError, AttributeError, KeyError) as exc:
            raise InvalidInputError(f"{prefix} feature {rid!r}: footprint is not GeoJSON") from exc
        if geom is None or shapely.get_type_id(geom) not in (3, 6) or not shapely.is_valid(geom):
            raise InvalidInputError(f"{prefix} feature {rid!r}: needs a valid polygon footprint")
        try:
            top = float(row["height_m"])
            base = float(row.get("base_height_m") or 0.0)
        except (KeyError, TypeError, ValueError) as exc:
            raise InvalidInputError(f"{prefix} feature {rid!r}: height_m must be a number") from exc
        if not (np.isfinite(top) and np.isfinite(base) and 0 <= base < top <= MAX_HEIGHT_M):
            raise InvalidInputError(
                f"{prefix} feature {rid!r}: height {top} m over base {base} m is out of range"
            )
        geoms.append(geom)
        heights.append(top)
        bases.append(base)
        levels.append(float(row.get("storeys") or np.nan))
        ids.append(f"{prefix}:{rid}")
        names.append(str(row.get("name") or ""))
    n = len(rows)
    footprint = np.empty(n, dtype=object)
    footprint[:] = geoms
    return FeatureTable(
        building_id=np.array(ids, dtype=object),
        source_id=np.array([i.split(":", 1)[1] for i in ids], dtype=object),
        dataset=np.zeros(n, np.int32),
        footprint=footprint,
        height_m=np.array(heights, np.float64),
        base_height_m=np.array(bases, np.float64),
        levels=np.array(levels, np.float64),
        height_source=np.full(n, HeightSource.MASSING, np.int8),
        building_type=np.full(n, "", dtype=object),
        name=np.array(names, dtype=object),
        address=np.full(n, "", dtype=object),
        parent_id=np.full(n, "", dtype=object),
        drawn=np.ones(n, bool),
    )


def read_buildings(
    path: str | Path, bbox: tuple[float, float, float, float] | None = None
) -> FeatureTable:
    """The drawn rows of a tileset's ``buildings.fgb`` (optionally within a lon/lat ``bbox``)."""
    frame = pyogrio.read_dataframe(path, bbox=bbox)
    if len(frame) > MAX_FEATURES:
        raise TooLargeError(
            f"{path}: {len(frame)} buildings in the study area; at most {MAX_FEATURES}"
        )
    frame = frame[frame["drawn"].astype(bool)] if "drawn" in frame else frame
    records = [
        {
            "id": str(r.building_id),
            "footprint": r.geometry,
            "height_m": r.height_m,
            "base_height_m": r.base_height_m,
            "storeys": r.levels if np.isfinite(r.levels) else None,
            "name": r.name or "",
        }
        for r in frame.itertuples()
    ]
    table = table_from_records(records, prefix="city") if records else _empty_table()
    table.building_id = np.array([str(r["id"]) for r in records], dtype=object)
    return table


def read_city(
    tileset_dir: str | Path, bbox: tuple[float, float, float, float] | None = None
) -> FeatureTable:
    """The city as it stands now: the drawn rows of a tileset's ``buildings.fgb`` without the
    buildings that applied changes replaced, plus the blocks they added
    (:func:`tiles.apply.current_buildings`, the same rows the buildings table holds).

    A tileset without ``changes.json`` is its ``buildings.fgb``; one without a build report
    (not built by this pipeline) is read as :func:`read_buildings`.
    """
    from tiles.apply import REPORT_FILE, current_buildings

    folder = Path(tileset_dir)
    if not (folder / REPORT_FILE).is_file():
        return read_buildings(folder / "buildings.fgb", bbox)
    table = current_buildings(folder, bbox)
    if len(table) > MAX_FEATURES:
        raise TooLargeError(
            f"{folder.name}: {len(table)} buildings in the study area; at most {MAX_FEATURES}"
        )
    table = table.take(np.flatnonzero(table.drawn))
    bad = ~(
        np.isfinite(table.height_m)
        & np.isfinite(table.base_height_m)
        & (table.base_height_m < table.height_m)
    )
    if bad.any():  # the pipeline never writes these; a hand-edited table might
        first = str(table.building_id[np.flatnonzero(bad)[0]])
        raise InvalidInputError(f"{folder.name}: building {first!r} has no valid height")
    return table


def _empty_table() -> FeatureTable:
    return table_from_records([], prefix="city")


def table_key(table: FeatureTable) -> str:
    """A content key of the rows a scene is meshed from: ids, drawn footprints, heights."""
    geoms = np.asarray(table.geometry_to_draw, dtype=object)
    wkb = b"".join(shapely.to_wkb(geoms)) if len(geoms) else b""
    return digest(
        "\0".join(table.building_id.astype(str)),
        wkb,
        np.ascontiguousarray(table.height_m, np.float64),
        np.ascontiguousarray(table.base_height_m, np.float64),
    )


def frame_key(frame: LocalFrame) -> tuple[float, float]:
    return (float(frame.lon0), float(frame.lat0))


@dataclass
class Scene:
    """Buildings meshed in ``frame``; triangle ``t`` belongs to feature ``tri_feature[t]``.

    A scene with a ``key`` (the content key of its rows and frame) and a ``cache`` remembers,
    for every call of :meth:`blocked` or :meth:`first_hit` given a ``key`` of its rays, the
    answer: a later study casting the same rays at the same buildings takes it from there.
    """

    frame: LocalFrame
    table: FeatureTable
    scheme: NDArray[np.bool_]  # per feature: part of the scheme
    mesh: trimesh.Trimesh
    tri_feature: NDArray[np.int64]
    engine: Engine
    _rays: Any = field(default=None, repr=False, compare=False)
    rays_cast: int = field(default=0, compare=False)
    key: str | None = field(default=None, compare=False)
    cache: LruCache | None = field(default=None, repr=False, compare=False)
    rays_reused: int = field(default=0, compare=False)

    @classmethod
    def build(
        cls,
        table: FeatureTable,
        frame: LocalFrame,
        *,
        scheme: NDArray[np.bool_] | None = None,
        engine: Engine = "embree",
    ) -> Scene:
        if engine not in ENGINES:
            raise InvalidInputError(f"engine {engine!r} is not one of {', '.join(ENGINES)}")
        if len(table) > MAX_FEATURES:
            raise TooLargeError(f"scene of {len(table)} buildings; at most {MAX_FEATURES}")
        blocks = extrude_footprints(
            table.geometry_to_draw, table.base_height_m, table.height_m, frame
        )
        positions, faces, owner = [], [], []
        offset = 0
        for block in blocks:
            positions.append(block.positions)
            faces.append(block.triangles + offset)
            owner.append(np.repeat(np.arange(block.feature_count), np.diff(block.t_offsets)))
            offset += block.positions.shape[0]
        tris = np.concatenate(faces) if faces else np.zeros((0, 3), np.int64)
        if tris.shape[0] > MAX_TRIANGLES:
            raise TooLargeError(f"scene of {tris.shape[0]} triangles; at most {MAX_TRIANGLES}")
        verts = np.concatenate(positions) if positions else np.zeros((0, 3))
        mesh = trimesh.Trimesh(vertices=verts, faces=tris, process=False, validate=False)
        mask = np.zeros(len(table), bool) if scheme is None else np.asarray(scheme, bool)
        tri_feature = np.concatenate(owner).astype(np.int64) if owner else np.zeros(0, np.int64)
        log.info("scene: %d buildings, %d triangles, %s", len(table), tris.shape[0], engine)
        return cls(frame, table, mask, mesh, tri_feature, engine)

    def with_engine(self, engine: Engine) -> Scene:
        """The same geometry on another ray engine."""
        mesh = trimesh.Trimesh(self.mesh.vertices, self.mesh.faces, process=False, validate=False)
        return Scene(self.frame, self.table, self.scheme, mesh, self.tri_feature, engine)

    @property
    def triangle_count(self) -> int:
        return int(self.mesh.faces.shape[0])

    def _intersector(self) -> Any:
        cached = self._rays
        if cached is None:
            if self.engine == "embree":
                from trimesh.ray.ray_pyembree import RayMeshIntersector as Embree

                cached = Embree(self.mesh, scale_to_box=False)
            else:
                from trimesh.ray.ray_triangle import RayMeshIntersector as Plain

                cached = Plain(self.mesh)
            self._rays = cached
        return cached

    @property
    def nbytes(self) -> int:
        """About what the scene holds: mesh arrays, and Embree's structure (about as much)."""
        mesh = self.mesh.vertices.nbytes + self.mesh.faces.nbytes + self.tri_feature.nbytes
        return int(3 * mesh + 1024 * len(self.table))

    def blocked(
        self, origins: NDArray[np.float64], dirs: NDArray[np.float64], key: str | None = None
    ) -> NDArray[np.bool_]:
        """Whether each ray (origin, unit direction) hits any triangle. ``key`` names the rays
        (a content key of what they are made from): with it the answer is remembered."""
        if key is not None and self.key is not None and self.cache is not None:
            n = origins.shape[0]
            ckey = ("blocked", self.key, key, n)
            packed = self.cache.get(ckey)
            if packed is not None:
                self.rays_reused += n
                return np.unpackbits(packed, count=n).astype(bool)
            out = self._blocked(origins, dirs)
            self.cache.put(ckey, np.packbits(out))
            return out
        return self._blocked(origins, dirs)

    def _blocked(
        self, origins: NDArray[np.float64], dirs: NDArray[np.float64]
    ) -> NDArray[np.bool_]:
        n = origins.shape[0]
        self.rays_cast += n
        out = np.zeros(n, bool)
        if n == 0 or self.triangle_count == 0:
            return out
        engine = self._intersector()
        for s in range(0, n, RAY_BATCH):
            out[s : s + RAY_BATCH] = engine.intersects_any(
                origins[s : s + RAY_BATCH], dirs[s : s + RAY_BATCH]
            )
        return out

    def first_hit(
        self, origins: NDArray[np.float64], dirs: NDArray[np.float64], key: str | None = None
    ) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
        """The feature index (-1 for none) and distance of each ray's first hit (remembered
        under ``key`` as :meth:`blocked`)."""
        if key is not None and self.key is not None and self.cache is not None:
            ckey = ("first_hit", self.key, key, origins.shape[0])
            found = self.cache.get(ckey)
            if found is not None:
                self.rays_reused += origins.shape[0]
                return found[0].copy(), found[1].copy()
            feature, dist = self._first_hit(origins, dirs)
            self.cache.put(ckey, (feature.copy(), dist.copy()))
            return feature, dist
        return self._first_hit(origins, dirs)

    def _first_hit(
        self, origins: NDArray[np.float64], dirs: NDArray[np.float64]
    ) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
        n = origins.shape[0]
        self.rays_cast += n
        feature = np.full(n, -1, np.int64)
        dist = np.full(n, np.inf)
        if n == 0 or self.triangle_count == 0:
            return feature, dist
        engine = self._intersector()
        for s in range(0, n, RAY_BATCH):
            o, d = origins[s : s + RAY_BATCH], dirs[s : s + RAY_BATCH]
            tri, ray, loc = engine.intersects_id(o, d, multiple_hits=False, return_locations=True)
            if len(ray) == 0:
                continue
            r = np.asarray(ray, np.int64)
            dd = np.linalg.norm(np.asarray(loc) - o[r], axis=1)
            # the numpy engine returns every hit; keep the nearest per ray
            order = np.lexsort((dd, r))
            r, dd, t = r[order], dd[order], np.asarray(tri, np.int64)[order]
            first = np.r_[True, r[1:] != r[:-1]]
            feature[s + r[first]] = self.tri_feature[t[first]]
            dist[s + r[first]] = dd[first]
        return feature, dist


@dataclass
class SplitScene:
    """The city part and the scheme as two scenes answering as one: a ray is blocked when
    either blocks it, and its first hit is the nearer of the two (the city's on a tie).

    Features ``0 .. len(city.table) - 1`` are the city part's, the rest the scheme's. The city
    part does not change when only the scheme does, so with a key and a cache its answers are
    kept (:class:`Scene`); the scheme is cast only the rays that escape the city.
    """

    frame: LocalFrame
    table: FeatureTable
    scheme: NDArray[np.bool_]
    city: Scene
    own: Scene

    @classmethod
    def of(cls, city: Scene, own: Scene) -> SplitScene:
        table = FeatureTable.concat([city.table, own.table])
        mask = np.r_[np.zeros(len(city.table), bool), np.ones(len(own.table), bool)]
        return cls(city.frame, table, mask, city, own)

    @property
    def engine(self) -> Engine:
        return self.city.engine

    @property
    def triangle_count(self) -> int:
        return self.city.triangle_count + self.own.triangle_count

    @property
    def rays_cast(self) -> int:
        return self.city.rays_cast + self.own.rays_cast

    @property
    def rays_reused(self) -> int:
        return self.city.rays_reused

    @property
    def mesh(self) -> trimesh.Trimesh:
        """Both meshes as one (the scheme's triangles last)."""
        return trimesh.util.concatenate([self.city.mesh, self.own.mesh])

    @property
    def tri_feature(self) -> NDArray[np.int64]:
        return np.r_[self.city.tri_feature, self.own.tri_feature + len(self.city.table)]

    def blocked(
        self, origins: NDArray[np.float64], dirs: NDArray[np.float64], key: str | None = None
    ) -> NDArray[np.bool_]:
        out = self.city.blocked(origins, dirs, key)
        free = np.flatnonzero(~out)
        if free.size:
            out[free] = self.own.blocked(origins[free], dirs[free])
        return out

    def first_hit(
        self, origins: NDArray[np.float64], dirs: NDArray[np.float64], key: str | None = None
    ) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
        feature, dist = self.city.first_hit(origins, dirs, key)
        f_own, d_own = self.own.first_hit(origins, dirs)
        nearer = d_own < dist
        feature[nearer] = f_own[nearer] + len(self.city.table)
        dist[nearer] = d_own[nearer]
        return feature, dist


#: What the analyses accept: one scene, or the city part and the scheme as one.
AnyScene = Scene | SplitScene
