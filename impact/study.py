"""The full study of a scheme: before, after and the difference, as plain data.

Stages: select the buildings near the site → two scenes (the city as it is; without the
buildings the scheme replaces and with the scheme) → points (neighbours' façades facing the
site, open ground, eye-height points) → VSC, APSH, sun on the ground, shadow hours, visibility,
protected views → GeoJSON-ready results and a summary in words.

The study radius follows the scheme's height: façade points within ``3 × height`` (60..400 m) of
the site, where BRE's 25° test can fail; occluders a further ``height / tan 10°`` (50..600 m),
the reach of its shadow with the sun 10° up.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pyproj
import shapely
import shapely.geometry
from numpy.typing import NDArray

from impact import cache as cache_mod
from impact import climate, daylight, ground, sunlight, views
from impact.cache import LruCache, digest
from impact.errors import InvalidInputError
from impact.points import Points, facade_points, footprints_local, ground_points, to_local
from impact.scene import Engine, Scene, SplitScene, frame_key, table_key
from impact.sun import day_positions, year_days
from tiles.geometry.crs import LocalFrame
from tiles.model import FeatureTable

log = logging.getLogger(__name__)
_ECEF_TO_LLH = pyproj.Transformer.from_crs("EPSG:4978", "EPSG:4979", always_xy=True)


@dataclass
class ProtectedView:
    """A saved viewpoint: eye and target as lon/lat/height (m), and the landmark's building ids."""

    name: str
    eye: tuple[float, float, float]
    target: tuple[float, float, float]
    landmark_ids: tuple[str, ...] = ()
    fov_deg: float = 30.0


@dataclass
class StudyOptions:
    time_zone: str = "Europe/London"
    sunshine: str = "London"  # a place in impact.climate.NORMALS
    sunshine_hours: tuple[float, ...] | None = None  # or the deployment's own 12 values
    year: int = 2026
    points_radius_m: float | None = None
    facade_spacing_m: float = 6.0
    ground_spacing_m: float = 5.0
    eye_spacing_m: float = 25.0
    sky_altitudes: int = 12
    sky_azimuths: int = 24
    year_every_days: int = 14
    year_step_min: float = 30.0
    day_step_min: float = 15.0
    view_targets: int = 200
    engine: Engine = "embree"
    views: list[ProtectedView] = field(default_factory=list)


# (field, low, high): every count and step is bounded before any work is done
_BOUNDS: tuple[tuple[str, float, float], ...] = (
    ("facade_spacing_m", 1.0, 100.0),
    ("ground_spacing_m", 1.0, 100.0),
    ("eye_spacing_m", 2.0, 500.0),
    ("sky_altitudes", 3, 90),
    ("sky_azimuths", 6, 180),
    ("year_every_days", 1, 31),
    ("year_step_min", 5.0, 60.0),
    ("day_step_min", 1.0, 60.0),
    ("view_targets", 10, 5000),
    ("year", 1900, 2200),
)
MAX_VIEWS = 20


def check_options(options: StudyOptions) -> None:
    """Refuse options out of range, naming the option and its range."""
    for name, low, high in _BOUNDS:
        value = getattr(options, name)
        if not (isinstance(value, int | float) and np.isfinite(value) and low <= value <= high):
            raise InvalidInputError(f"option {name} = {value!r} is outside {low:g}..{high:g}")
    if options.points_radius_m is not None and not (10.0 <= options.points_radius_m <= 1000.0):
        raise InvalidInputError(
            f"option points_radius_m = {options.points_radius_m!r} is outside 10..1000"
        )
    if len(options.views) > MAX_VIEWS:
        raise InvalidInputError(f"{len(options.views)} protected views; at most {MAX_VIEWS}")


#: At least about this many eye points on the open ground studied (see :func:`eye_spacing`).
MIN_EYE_POINTS = 100


def eye_spacing(open_ground_m2: float, spacing_m: float) -> float:
    """The eye grid's spacing: ``spacing_m``, made finer where the open ground studied would
    otherwise hold fewer than :data:`MIN_EYE_POINTS` of its points (never under 2 m).

    A coarse grid over a small study in a dense city puts nearly every node on a roof: a quick
    study (40 m) of a 12 m block (60 m radius) in the City of London kept 2 eye points, both
    behind buildings, and its zone of theoretical visibility came out empty.
    """
    if open_ground_m2 <= 0:
        return spacing_m
    return float(max(2.0, min(spacing_m, np.sqrt(open_ground_m2 / MIN_EYE_POINTS))))


def _radii(height_m: float, options: StudyOptions) -> tuple[float, float]:
    pts = options.points_radius_m or float(np.clip(3.0 * height_m, 60.0, 400.0))
    reach = float(np.clip(height_m / np.tan(np.radians(10.0)), 50.0, 600.0))
    return pts, pts + reach


def _local_to_lonlat(frame: LocalFrame, xyz: NDArray[np.float64]) -> NDArray[np.float64]:
    ecef = xyz @ frame.rotation + frame.origin_ecef
    lon, lat, h = _ECEF_TO_LLH.transform(ecef[:, 0], ecef[:, 1], ecef[:, 2])
    return np.column_stack([lon, lat, h])


def _points_fc(
    frame: LocalFrame, pts: Points, ids: NDArray[np.object_], props: dict[str, NDArray[Any]]
) -> dict[str, Any]:
    """Points as a GeoJSON FeatureCollection (lon, lat, height above the ellipsoid)."""
    llh = np.round(_local_to_lonlat(frame, pts.xyz), 8)
    facing = pts.facing_azimuth_deg
    feats = []
    for i in range(len(pts)):
        p: dict[str, Any] = {}
        if pts.feature[i] >= 0:
            p["building_id"] = str(ids[pts.feature[i]])
            p["storey"] = int(pts.storey[i])
            p["facing_deg"] = round(float(facing[i]), 1)
        for k, v in props.items():
            val = v[i]
            p[k] = bool(val) if isinstance(val, np.bool_) else round(float(val), 3)
        feats.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [float(c) for c in llh[i]]},
                "properties": p,
            }
        )
    return {"type": "FeatureCollection", "features": feats}


def run_study(
    city: FeatureTable,
    scheme: FeatureTable,
    replaces: Sequence[str] = (),
    options: StudyOptions | None = None,
    progress: Callable[[str, int], None] | None = None,
    reuse: Mapping[str, Any] | None = None,
    cache: LruCache | None = None,
) -> dict[str, Any]:
    """Run every analysis for ``scheme`` (massing, lon/lat) set in ``city`` and return plain data.

    ``replaces`` are the city building ids the scheme removes. Returns a dict with one
    GeoJSON FeatureCollection per point analysis, per-area and per-building summaries,
    ``summary`` (sentences), ``facts`` (the same as codes and numbers, for translation) and
    ``stats`` (rays, points, seconds). ``progress(stage, percent)`` is called as each stage
    starts (a background job reports it).

    ``reuse`` is the ``_before`` block of an earlier result: where the city as it is and the
    points are the same (a hash of both), its *before* values are taken instead of casting
    those rays again, so a re-run after the scheme alone changed casts about half the rays.

    ``cache`` (default: the process's, :func:`impact.cache.shared`) keeps what does not depend
    on the scheme (see :mod:`impact.cache`); a study's results are the same with a cold or a
    warm cache, only faster.
    """
    store = cache_mod.shared() if cache is None else cache
    options = options or StudyOptions()
    check_options(options)
    report = progress or (lambda stage, pct: None)
    report("scene", 0)
    t0 = time.perf_counter()
    if len(scheme) == 0:
        raise InvalidInputError("the scheme has no massing to analyse")
    height = float(scheme.height_m.max())
    site = shapely.union_all(scheme.geometry_to_draw)
    frame = LocalFrame.around(site.bounds)
    pts_r, scene_r = _radii(height, options)

    # the scheme's own blocks in the city (its change was applied after approval) are the
    # scheme, not its context: the city is studied without them
    own = np.isin(city.building_id.astype(str), scheme.building_id.astype(str))
    if own.any():
        city = city.take(np.flatnonzero(~own))
    centroids = shapely.centroid(city.geometry_to_draw)
    cxy = frame.lonlat_to_local(shapely.get_x(centroids), shapely.get_y(centroids), 0.0)[:, :2]
    dist = np.hypot(cxy[:, 0], cxy[:, 1])
    near = city.take(np.flatnonzero(dist <= scene_r))
    gone = np.isin(near.building_id.astype(str), np.asarray(list(replaces), dtype=str))
    kept = near.take(np.flatnonzero(~gone))
    # the city part of both scenes does not depend on the scheme: kept (with the rays it
    # blocks) under a content key of its buildings and frame, so a changed city misses
    fkey = (frame_key(frame), options.engine)
    near_key = digest("scene", table_key(near), fkey)
    kept_key = digest("scene", table_key(kept), fkey)
    before = _city_scene(store, near_key, near, frame, options.engine)
    city_part = _city_scene(store, kept_key, kept, frame, options.engine)
    scheme_scene = Scene.build(
        scheme, frame, scheme=np.ones(len(scheme), bool), engine=options.engine
    )
    after = SplitScene.of(city_part, scheme_scene)
    # the counters of cached scenes run on from study to study (and with nothing replaced the
    # two city scenes are one object): count what this study adds, once per scene
    city_scenes = list({id(sc): sc for sc in (before, city_part)}.values())
    cast0 = sum(sc.rays_cast for sc in city_scenes)
    reused0 = sum(sc.rays_reused for sc in city_scenes)
    site_local = shapely.union_all(to_local(after, np.asarray(scheme.geometry_to_draw)))
    c = site_local.centroid
    neighbours = np.flatnonzero(dist[dist <= scene_r][~gone] <= pts_r)

    # façade points on neighbours facing the site (indices are the same in both scenes' kept part)
    fac = store.memo(
        ("facade", kept_key, neighbours.tobytes(), c.x, c.y, options.facade_spacing_m),
        lambda: facade_points(
            city_part, neighbours, toward_xy=(c.x, c.y), spacing_m=options.facade_spacing_m
        ),
    )
    fac_before = Points(fac.xyz, fac.normal, _index_in(near, kept, fac.feature), fac.storey)
    patches = daylight.SkyPatches.grid(options.sky_altitudes, options.sky_azimuths)
    report("vsc", 10)
    t_vsc = time.perf_counter()
    prev = dict(reuse or {})
    opts_key = {k: v for k, v in asdict(options).items() if k not in ("views", "engine")}
    facade_key = _before_key(near_key, (fac.xyz, fac.normal), opts_key)
    same_facade = prev.get("facade_key") == facade_key
    vsc_b = np.asarray(prev["vsc"]) if same_facade else daylight.vsc(before, fac_before, patches)
    vsc_a = daylight.vsc(after, fac, patches)
    vsc_bad = daylight.vsc_adverse(vsc_b, vsc_a)
    t_vsc = time.perf_counter() - t_vsc

    # APSH on the façade points within 90 degrees of south
    lat, lon = frame.lat0, frame.lon0
    report("apsh", 35)
    t_apsh = time.perf_counter()
    south = sunlight.faces_south(fac)
    year_sun = store.memo(
        (
            "year_sun",
            lat,
            lon,
            options.time_zone,
            options.year,
            options.year_every_days,
            options.year_step_min,
        ),
        lambda: day_positions(
            year_days(options.year, options.year_every_days),
            lat,
            lon,
            options.time_zone,
            step_min=options.year_step_min,
            day_weight=float(options.year_every_days),
        ),
    )
    normals = (
        list(options.sunshine_hours)
        if options.sunshine_hours is not None
        else climate.normals_for(options.sunshine)
    )
    prob = store.memo(
        ("probability", repr(normals), lat, lon, options.time_zone),
        lambda: climate.probability(normals, lat, lon, options.time_zone),
    )
    ap_b = (
        sunlight.Apsh(
            np.asarray(prev["apsh_annual"]), np.asarray(prev["apsh_winter"]), prev["apsh_total"]
        )
        if same_facade
        else sunlight.apsh(before, fac_before.take(south), year_sun, prob)
    )
    ap_a = sunlight.apsh(after, fac.take(south), year_sun, prob)
    ap_bad = sunlight.apsh_adverse(ap_b, ap_a)
    t_apsh = time.perf_counter() - t_apsh

    # open ground within the points radius, off buildings before and after and off the site
    report("ground", 60)
    t_ground = time.perf_counter()
    # the ground grids depend on the buildings' footprints, not on their heights
    on_ground = scheme.base_height_m <= 0.5
    grounds_key = digest(
        "ground",
        near_key,
        kept_key,
        b"".join(shapely.to_wkb(np.asarray(scheme.geometry_to_draw, dtype=object))),
        on_ground,
        pts_r,
        options.ground_spacing_m,
        options.eye_spacing_m,
    )

    def grids() -> tuple[Points, Points, shapely.Geometry, float]:
        disc = shapely.Point(c.x, c.y).buffer(pts_r, 32).difference(site_local)
        gpts = ground_points(after, disc, spacing_m=options.ground_spacing_m)
        gone_fp = to_local(before, np.asarray(near.geometry_to_draw[gone]))
        if len(gone_fp):
            gpts = gpts.take(
                ~shapely.contains_xy(shapely.union_all(gone_fp), gpts.xyz[:, 0], gpts.xyz[:, 1])
            )
        built = footprints_local(after)
        open_ground = disc if built is None else disc.difference(built)
        spacing = eye_spacing(float(open_ground.area), options.eye_spacing_m)
        eyes = ground_points(after, disc, spacing_m=spacing, height_m=views.EYE_HEIGHT_M)
        return gpts, eyes, open_ground, spacing

    gpts, eyes, open_ground, eye_step = store.memo(
        ("grids", grounds_key),
        grids,
        lambda g: g[0].xyz.nbytes * 3 + g[1].xyz.nbytes * 3 + len(shapely.to_wkb(g[2])) * 2,
    )

    def positions(days: list[Any], *args: Any, **kw: Any) -> Any:
        key = ("sun", repr(days), args, tuple(sorted(kw.items())))
        return store.memo(key, lambda: day_positions(days, *args, **kw))

    march = positions(
        [date(options.year, 3, 21)], lat, lon, options.time_zone, step_min=options.day_step_min
    )
    area = np.zeros(len(gpts), np.int64)
    ground_key = _before_key(near_key, (gpts.xyz,), opts_key)
    same_ground = prev.get("ground_key") == ground_key
    g_b = (
        ground.from_hours(np.asarray(prev["ground_hours"]), area, 1)
        if same_ground
        else ground.ground_sun(before, gpts, area, 1, march)
    )
    g_a = ground.ground_sun(after, gpts, area, 1, march)
    shadow_b = (
        {d: np.asarray(v) for d, v in prev["ground_shadow"].items()}
        if same_ground
        else ground.shadow_hours(
            before,
            gpts,
            lat,
            lon,
            options.time_zone,
            options.year,
            step_min=options.day_step_min,
            positions=positions,
        )
    )
    shadow_a = ground.shadow_hours(
        after,
        gpts,
        lat,
        lon,
        options.time_zone,
        options.year,
        step_min=options.day_step_min,
        positions=positions,
    )
    fshadow_b = (
        {d: np.asarray(v) for d, v in prev["facade_shadow"].items()}
        if same_facade
        else ground.shadow_hours(
            before,
            fac_before,
            lat,
            lon,
            options.time_zone,
            options.year,
            step_min=options.day_step_min,
            positions=positions,
        )
    )
    fshadow_a = ground.shadow_hours(
        after,
        fac,
        lat,
        lon,
        options.time_zone,
        options.year,
        step_min=options.day_step_min,
        positions=positions,
    )
    t_ground = time.perf_counter() - t_ground

    # visibility from eye height on open ground
    report("visibility", 85)
    t_vis = time.perf_counter()
    targets = views.scheme_targets(after, options.view_targets)
    seen = views.visibility(after, eyes, targets)
    zone = views.visibility_zone(eyes, seen, eye_step, open_ground)
    view_results = [_view(before, after, near, kept, frame, v) for v in options.views]
    t_vis = time.perf_counter() - t_vis

    ids = after.table.building_id
    per_building = _per_building(
        fac, ids, vsc_b, vsc_a, vsc_bad, south, ap_bad, fshadow_b, fshadow_a
    )
    rays = sum(sc.rays_cast for sc in city_scenes) + scheme_scene.rays_cast - cast0
    reused = sum(sc.rays_reused for sc in city_scenes) - reused0
    result: dict[str, Any] = {
        "site": {
            "lon": lon,
            "lat": lat,
            "height_m": height,
            "points_radius_m": pts_r,
            "scene_radius_m": scene_r,
        },
        "vsc": _points_fc(
            frame,
            fac,
            ids,
            {"before": vsc_b, "after": vsc_a, "difference": vsc_a - vsc_b, "adverse": vsc_bad},
        ),
        "apsh": _points_fc(
            frame,
            fac.take(south),
            ids,
            {
                "annual_before": ap_b.annual_pct,
                "annual_after": ap_a.annual_pct,
                "winter_before": ap_b.winter_pct,
                "winter_after": ap_a.winter_pct,
                "adverse": ap_bad,
            },
        ),
        "annual_probable_hours": ap_a.total_hours,
        "ground": _points_fc(
            frame, gpts, ids, {"sun_hours_before": g_b.hours, "sun_hours_after": g_a.hours}
        ),
        "areas": [
            {
                "name": "open ground",
                "share_two_hours_before": _num(g_b.share_two_hours[0]),
                "share_two_hours_after": _num(g_a.share_two_hours[0]),
                "adverse": bool(ground.ground_adverse(g_b.share_two_hours, g_a.share_two_hours)[0]),
                "shadow_hours_before": {d: _num(v.mean()) for d, v in shadow_b.items()},
                "shadow_hours_after": {d: _num(v.mean()) for d, v in shadow_a.items()},
            }
        ],
        "buildings": per_building,
        "visibility": _points_fc(frame, eyes, ids, {"share_seen": seen}),
        "zone": _zone_fc(frame, zone, float(open_ground.area)),
        "views": view_results,
        "stats": {
            "buildings_in_scene": len(near),
            "triangles_after": after.triangle_count,
            "facade_points": len(fac),
            "ground_points": len(gpts),
            "eye_points": len(eyes),
            "eye_spacing_m": round(eye_step, 3),
            "rays": rays,
            "rays_reused": reused,
            "seconds": {
                "vsc": round(t_vsc, 3),
                "apsh": round(t_apsh, 3),
                "ground": round(t_ground, 3),
                "visibility": round(t_vis, 3),
                "total": round(time.perf_counter() - t0, 3),
            },
            "options": {k: v for k, v in asdict(options).items() if k != "views"},
        },
    }
    result["stats"]["reused_before"] = {"facade": same_facade, "ground": same_ground}
    # what a later study of the same city and points can take instead of casting again
    result["_before"] = {
        "facade_key": facade_key,
        "ground_key": ground_key,
        "vsc": vsc_b.tolist(),
        "apsh_annual": ap_b.annual_pct.tolist(),
        "apsh_winter": ap_b.winter_pct.tolist(),
        "apsh_total": ap_b.total_hours,
        "facade_shadow": {d: v.tolist() for d, v in fshadow_b.items()},
        "ground_hours": g_b.hours.tolist(),
        "ground_shadow": {d: v.tolist() for d, v in shadow_b.items()},
    }
    result["summary"] = summarise(result)
    result["facts"] = facts(result)
    report("done", 100)
    log.info("impact study: %d rays in %.1f s", rays, result["stats"]["seconds"]["total"])
    return result


def _zone_fc(
    frame: LocalFrame, zone: list[tuple[float, shapely.Geometry]], ground_m2: float
) -> dict[str, Any]:
    """The zone of theoretical visibility as GeoJSON MultiPolygons (lon/lat), one per band,
    with its area and its share of the open ground studied."""

    def to_lonlat(xy: NDArray[np.float64]) -> NDArray[np.float64]:
        llh = _local_to_lonlat(frame, np.column_stack([xy, np.zeros(len(xy))]))
        return np.round(llh[:, :2], 8)

    feats = []
    for band, geom in zone:
        parts = [p for p in shapely.get_parts(geom) if shapely.get_type_id(p) == 3]
        multi = shapely.MultiPolygon(parts)
        lonlat = shapely.transform(multi, to_lonlat)
        feats.append(
            {
                "type": "Feature",
                "geometry": shapely.geometry.mapping(lonlat),
                "properties": {
                    "share_seen_above": band,
                    "area_m2": round(float(multi.area), 1),
                    "share_of_ground": round(float(multi.area) / ground_m2, 4) if ground_m2 else 0,
                },
            }
        )
    return {"type": "FeatureCollection", "features": feats}


def _city_scene(
    store: LruCache, key: str, table: FeatureTable, frame: LocalFrame, engine: Engine
) -> Scene:
    """The scene of ``table`` from the cache, or built and kept there under ``key``."""

    def build() -> Scene:
        scene = Scene.build(table, frame, engine=engine)
        scene.key, scene.cache = key, store
        return scene

    return store.memo(("scene", key), build, lambda sc: sc.nbytes)


def _before_key(
    near_key: str, arrays: tuple[NDArray[np.float64], ...], options: dict[str, Any]
) -> str:
    """A hash of the city as it is (``near_key``: the content key of its scene), the points
    and the options: equal keys give equal *before* values."""
    h = hashlib.sha256(json.dumps(options, sort_keys=True, default=str).encode())
    h.update(near_key.encode())
    for a in arrays:
        h.update(np.ascontiguousarray(a, dtype=np.float64).tobytes())
    return h.hexdigest()


def _num(value: float) -> float | None:
    return None if not np.isfinite(value) else round(float(value), 3)


def _index_in(near: FeatureTable, kept: FeatureTable, idx: NDArray[np.int64]) -> NDArray[np.int64]:
    """Map row indices of ``kept`` to rows of ``near`` (which also has the replaced buildings)."""
    pos = {b: i for i, b in enumerate(near.building_id.tolist())}
    lookup = np.array([pos[b] for b in kept.building_id.tolist()], dtype=np.int64)
    return lookup[idx] if idx.size else idx


def _per_building(
    fac: Points,
    ids: NDArray[np.object_],
    vsc_b: NDArray[np.float64],
    vsc_a: NDArray[np.float64],
    vsc_bad: NDArray[np.bool_],
    south: NDArray[np.bool_],
    ap_bad: NDArray[np.bool_],
    shadow_b: dict[str, NDArray[np.float64]],
    shadow_a: dict[str, NDArray[np.float64]],
) -> list[dict[str, Any]]:
    ap_full = np.zeros(len(fac), bool)
    ap_full[np.flatnonzero(south)] = ap_bad
    out = []
    for f in np.unique(fac.feature):
        m = fac.feature == f
        out.append(
            {
                "building_id": str(ids[f]),
                "facade_points": int(m.sum()),
                "vsc_mean_before": _num(vsc_b[m].mean()),
                "vsc_mean_after": _num(vsc_a[m].mean()),
                "vsc_adverse_points": int(vsc_bad[m].sum()),
                "apsh_adverse_points": int(ap_full[m].sum()),
                "shadow_hours_before": {d: _num(v[m].mean()) for d, v in shadow_b.items()},
                "shadow_hours_after": {d: _num(v[m].mean()) for d, v in shadow_a.items()},
            }
        )
    return out


def _view(
    before: Scene,
    after: SplitScene,
    near: FeatureTable,
    kept: FeatureTable,
    frame: LocalFrame,
    view: ProtectedView,
) -> dict[str, Any]:
    eye = frame.lonlat_to_local(np.array([view.eye[0]]), np.array([view.eye[1]]), view.eye[2])[0]
    tgt = frame.lonlat_to_local(
        np.array([view.target[0]]), np.array([view.target[1]]), view.target[2]
    )[0]
    marks = np.asarray(view.landmark_ids, dtype=str)
    lm_b = np.isin(near.building_id.astype(str), marks)
    lm_a = np.r_[
        np.isin(kept.building_id.astype(str), marks), np.zeros(len(after.table) - len(kept), bool)
    ]
    r = views.protected_view(
        before, after, tuple(eye), tuple(tgt), lm_b, lm_a, fov_deg=view.fov_deg, step_deg=0.1
    )
    return {"name": view.name, **asdict(r)}


def summarise(result: dict[str, Any]) -> list[str]:
    """The results in plain sentences (English; the viewer translates from the numbers)."""
    vsc_f = result["vsc"]["features"]
    bad = [f for f in vsc_f if f["properties"]["adverse"]]
    lines = [
        f"{len(bad)} of {len(vsc_f)} façade points on "
        f"{len({f['properties']['building_id'] for f in bad})} buildings fail the daylight (VSC) "
        "test: below 27 % and below 0.8 times their former value."
    ]
    ap = result["apsh"]["features"]
    ap_bad = [f for f in ap if f["properties"]["adverse"]]
    lines.append(
        f"{len(ap_bad)} of {len(ap)} south-facing façade points fail the sunlight (APSH) test."
    )
    a = result["areas"][0]
    if a["share_two_hours_before"] is not None:
        lines.append(
            f"Open ground within {result['site']['points_radius_m']:.0f} m keeps 2 hours of sun "
            f"on 21 March on {100 * a['share_two_hours_after']:.0f}% of its area, "
            f"was {100 * a['share_two_hours_before']:.0f}%"
            + (" (fails BRE's test)." if a["adverse"] else ".")
        )
    vis = result["visibility"]["features"]
    if vis:
        seen = sum(1 for f in vis if f["properties"]["share_seen"] > 0)
        lines.append(
            f"The scheme can be seen from {100 * seen / len(vis):.0f}% of street-level "
            "points around it."
        )
    for v in result["views"]:
        lines.append(
            f"Protected view {v['name']!r}: the scheme takes {100 * v['scheme_share']:.1f}% of "
            "the view"
            + (
                " and rises above the landmark's silhouette."
                if v["rises_above_landmark"]
                else " and stays below the landmark's silhouette."
            )
        )
    lines.append(
        "Window positions are not known: façades are assessed on a grid, one row per storey."
    )
    return lines


def facts(result: dict[str, Any]) -> list[dict[str, Any]]:
    """The summary as codes and numbers, so that a user interface can word it in its language.

    Each fact is ``{"code": ..., **numbers}``; the codes are ``vsc``, ``apsh``, ``ground``,
    ``visibility``, ``view`` and ``grid`` (the façade grid caveat), in the order of
    :func:`summarise`.
    """
    vsc_f = result["vsc"]["features"]
    bad = [f for f in vsc_f if f["properties"]["adverse"]]
    out: list[dict[str, Any]] = [
        {
            "code": "vsc",
            "failing": len(bad),
            "points": len(vsc_f),
            "buildings": len({f["properties"]["building_id"] for f in bad}),
        }
    ]
    ap = result["apsh"]["features"]
    out.append(
        {
            "code": "apsh",
            "failing": sum(1 for f in ap if f["properties"]["adverse"]),
            "points": len(ap),
            "buildings": len(
                {f["properties"]["building_id"] for f in ap if f["properties"]["adverse"]}
            ),
        }
    )
    a = result["areas"][0]
    if a["share_two_hours_before"] is not None:
        out.append(
            {
                "code": "ground",
                "area": a["name"],
                "radius_m": round(float(result["site"]["points_radius_m"])),
                "after_pct": round(100 * a["share_two_hours_after"]),
                "before_pct": round(100 * a["share_two_hours_before"]),
                "adverse": bool(a["adverse"]),
            }
        )
    vis = result["visibility"]["features"]
    if vis:
        seen = sum(1 for f in vis if f["properties"]["share_seen"] > 0)
        out.append({"code": "visibility", "seen_pct": round(100 * seen / len(vis))})
    for v in result["views"]:
        out.append(
            {
                "code": "view",
                "name": v["name"],
                "scheme_pct": round(100 * v["scheme_share"], 1),
                "above_landmark": bool(v["rises_above_landmark"]),
            }
        )
    out.append({"code": "grid"})
    return out
