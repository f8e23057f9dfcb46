"""CityJSON 1.0, 1.1 and 2.0: Buildings and BuildingParts as 3D surfaces with semantics.

Decodes ``transform``, picks one geometry per object (the highest LoD unless ``--lod``), flattens
Solid / MultiSolid / CompositeSolid / MultiSurface / CompositeSurface boundaries into surfaces of
rings, keeps each surface's semantic class (roof, wall, ground) and reprojects to lon/lat, keeping
z. Each building is set on the ellipsoid: heights are metres above its lowest vertex, because the
viewer has no terrain (the original ground elevation is kept as ``ground_z``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from numpy.typing import NDArray

from tiles.errors import CRSError, InvalidInputError
from tiles.geometry.crs import _transformer, parse_crs
from tiles.model import Skip, Surface
from tiles.readers import ReadOptions, SourceData, dataset_name

BUILDING_TYPES = ("Building", "BuildingPart")
VERSIONS = ("1.0", "1.1", "2.0")
SEMANTIC = {
    "RoofSurface": Surface.ROOF,
    "GroundSurface": Surface.GROUND,
    "WallSurface": Surface.WALL,
    "OuterFloorSurface": Surface.ROOF,
    "OuterCeilingSurface": Surface.GROUND,
}


@dataclass
class Solid:
    """Surfaces of one object: rings of (lon, lat, h) with h above the building's ground."""

    rings: list[list[NDArray[np.float64]]]  # per surface: exterior ring then holes, not closed
    surface: list[int]  # per surface: a Surface value, or -1 when no semantics
    ground_z: float
    # per surface and ring: the vertices' keys (equal keys = the same point of the source), so
    # the mesher can orient each shell as a whole across its shared edges
    keys: list[list[NDArray[np.int64]]] | None = None
    # per surface: True on an interior shell of a Solid (its faces point into the cavity)
    interior: list[bool] | None = None

    @property
    def vertex_count(self) -> int:
        return sum(len(r) for s in self.rings for r in s) * 2


def _epsg(ref: str) -> str:
    m = re.search(r"EPSG(?:/0/|::|:)(\d+)", ref)
    if not m:
        return ref
    return f"EPSG:{m.group(1)}"


def _surfaces(geom: dict[str, Any]) -> tuple[list[list[list[int]]], list[Any], list[bool]]:
    """Flatten boundaries to surfaces (lists of rings), their semantic values and, per surface,
    whether it belongs to an interior shell (a cavity) of a solid."""
    kind = geom["type"]
    b = geom.get("boundaries", [])
    values = (geom.get("semantics") or {}).get("values")
    if kind in ("MultiSurface", "CompositeSurface"):
        vals = list(values) if values is not None else [None] * len(b)
        return list(b), vals, [False] * len(b)
    if kind == "Solid":
        surfaces = [s for shell in b for s in shell]
        vals = [v for shell in values for v in shell] if values else [None] * len(surfaces)
        return surfaces, vals, [i > 0 for i, shell in enumerate(b) for _s in shell]
    if kind in ("MultiSolid", "CompositeSolid"):
        surfaces = [s for solid in b for shell in solid for s in shell]
        vals = (
            [v for solid in values for shell in solid for v in shell]
            if values
            else [None] * len(surfaces)
        )
        inner = [i > 0 for solid in b for i, shell in enumerate(solid) for _s in shell]
        return surfaces, vals, inner
    raise ValueError(f"unsupported geometry type {kind}")


def _pick(geoms: list[dict[str, Any]], lod: str | None) -> dict[str, Any] | None:
    usable = [g for g in geoms if g.get("type") != "GeometryInstance"]
    if lod is not None:
        usable = [g for g in usable if str(g.get("lod")) == lod]
    if not usable:
        return None
    return max(usable, key=lambda g: float(str(g.get("lod", 0))))


def read_cityjson(path: Path, options: ReadOptions) -> SourceData:
    """Read the buildings of a CityJSON file."""
    try:
        doc = json.loads(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise InvalidInputError(f"{path}: not a readable CityJSON file ({exc})") from exc
    if not isinstance(doc, dict) or doc.get("type") != "CityJSON":
        raise InvalidInputError(f'{path}: not a CityJSON document (no "type": "CityJSON")')
    version = str(doc.get("version", ""))
    if version not in VERSIONS:
        raise InvalidInputError(f"{path}: CityJSON version {version!r} is not one of {VERSIONS}")
    ref = (doc.get("metadata") or {}).get("referenceSystem")
    crs_text = options.src_crs or (_epsg(str(ref)) if ref else None)
    if crs_text is None:
        raise CRSError(
            f"{path}: metadata.referenceSystem is missing, so the CRS is unknown; "
            "give it with --crs (e.g. --crs EPSG:7415)"
        )
    crs = parse_crs(crs_text, where=str(path))
    try:
        verts = np.asarray(doc["vertices"], dtype=np.float64).reshape(-1, 3)
        objects: dict[str, Any] = doc["CityObjects"]
    except (KeyError, ValueError, TypeError) as exc:
        raise InvalidInputError(f"{path}: broken CityJSON ({exc})") from exc
    tr = doc.get("transform")
    if tr:
        verts = verts * np.asarray(tr["scale"]) + np.asarray(tr["translate"])
    h2d = crs.to_2d() if hasattr(crs, "to_2d") else crs
    x, y = _transformer(h2d.to_wkt(), "EPSG:4326").transform(verts[:, 0], verts[:, 1])
    lonlat_h = np.column_stack([x, y, verts[:, 2]])
    # one key per distinct point (to the millimetre): files repeat vertices, and shells are
    # oriented across the edges their surfaces share
    _u, vkey = np.unique(np.round(verts * 1000.0).astype(np.int64), axis=0, return_inverse=True)
    vkey = vkey.reshape(-1).astype(np.int64)

    skipped: list[Skip] = []
    ids, parents, solids, footprints = [], [], [], []
    cols: dict[str, list[str]] = {"building": [], "name": [], "building:levels": []}
    tops, bases = [], []
    buildings = {k: o for k, o in objects.items() if o.get("type") in BUILDING_TYPES}
    if not buildings:
        raise InvalidInputError(f"{path}: no Building or BuildingPart objects")

    def root_of(key: str) -> str:
        seen = set()
        while objects.get(key, {}).get("parents") and key not in seen:
            seen.add(key)
            key = objects[key]["parents"][0]
        return key

    rows: list[tuple[str, Solid, str]] = []
    for key, obj in buildings.items():
        geom = _pick(obj.get("geometry") or [], options.lod)
        if geom is None:
            if not obj.get("children"):
                why = f"no LoD {options.lod} geometry" if options.lod else "no geometry"
                skipped.append(Skip(str(path), key, why))
            continue
        try:
            surfaces, values, inner = _surfaces(geom)
            sem = (geom.get("semantics") or {}).get("surfaces") or []
            index = [[np.asarray(r, dtype=np.int64) for r in s if len(r) >= 3] for s in surfaces]
            negative = [int(i.min()) for s in index for i in s if i.size and i.min() < 0]
            if negative:
                skipped.append(
                    Skip(str(path), key, f"broken geometry (negative vertex index {negative[0]})")
                )
                continue
            rings = [[lonlat_h[i] for i in s] for s in index]
            keys = [[vkey[i] for i in s] for s in index]
            classes = [
                int(SEMANTIC.get(sem[v]["type"], Surface.WALL)) if v is not None else -1
                for v in values
            ]
        except (ValueError, IndexError, KeyError, TypeError) as exc:
            skipped.append(Skip(str(path), key, f"broken geometry ({exc})"))
            continue
        keep = [i for i, r in enumerate(rings) if r]
        if not keep:
            skipped.append(Skip(str(path), key, "no surface with 3 or more vertices"))
            continue
        solid = Solid(
            [rings[i] for i in keep],
            [classes[i] for i in keep],
            0.0,
            keys=[keys[i] for i in keep],
            interior=[inner[i] for i in keep],
        )
        rows.append((key, solid, root_of(key)))

    ground: dict[str, float] = {}
    for _key, solid, root in rows:
        zmin = min(float(r[:, 2].min()) for s in solid.rings for r in s)
        ground[root] = min(ground.get(root, np.inf), zmin)

    for key, solid, root in rows:
        obj = objects[key]
        solid.ground_z = ground[root]
        z = np.concatenate([r[:, 2] for s in solid.rings for r in s])
        fp = _footprint(solid)
        if fp is None:
            skipped.append(Skip(str(path), key, "no footprint (all surfaces vertical)"))
            continue
        ids.append(key)
        parents.append("" if root == key else root)
        solids.append(solid)
        footprints.append(fp)
        tops.append(float(z.max()) - solid.ground_z)
        bases.append(float(z.min()) - solid.ground_z)
        attrs = obj.get("attributes") or {}
        cols["building"].append(str(attrs.get("function") or attrs.get("usage") or obj["type"]))
        cols["name"].append(str(attrs.get("name") or ""))
        storeys = attrs.get("storeysAboveGround")
        cols["building:levels"].append("" if storeys is None else str(storeys))
    if not ids:
        raise InvalidInputError(f"{path}: no building with usable geometry")
    dataset = dataset_name(path)
    parent_arr = np.array(parents, dtype=object)
    has_parent = parent_arr != ""
    parent_arr[has_parent] = [f"{dataset}:{p}" for p in parent_arr[has_parent]]
    return SourceData(
        path=path,
        dataset=dataset,
        source_id=np.array(ids, dtype=object),
        geometry=np.array(footprints, dtype=object),
        columns={
            **{k: np.array(v, dtype=object) for k, v in cols.items()},
            "_model_top": np.array(tops, dtype=object),
            "_model_base": np.array(bases, dtype=object),
        },
        crs=crs.to_string(),
        solids=np.array([*solids, None], dtype=object)[:-1],
        parent_id=parent_arr,
        skipped=skipped,
    )


def _footprint(solid: Solid) -> Any:
    """Union of the plan projections of the non-vertical surfaces."""
    polys = []
    for rings in solid.rings:
        p = shapely.polygons(rings[0][:, :2], holes=[r[:, :2] for r in rings[1:]] or None)
        if shapely.area(p) > 0:
            polys.append(shapely.make_valid(p))
    if not polys:
        return None
    fp = shapely.union_all(polys)
    parts = [g for g in shapely.get_parts(fp) if shapely.get_type_id(g) == 3]
    return shapely.multipolygons(parts) if parts else None
