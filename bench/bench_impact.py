"""Impact analysis speed on the demo city (City of London, OSM) and the demo's 119 m tower.

1. Rays per second on the same scene and the same rays (VSC sky patches from the tower's
   neighbours' façade points): Embree through trimesh, vectorised over all points at once,
   against trimesh's plain numpy engine called point by point (the "straightforward
   implementation"), both in this run.
2. The full study (VSC, APSH, 21 March ground sun and shadow hours, visibility) with Embree,
   wall time, rays and peak RSS. The numpy engine's time for the same study is its measured
   rays/s applied to the study's ray count (running it outright would take over an hour).
3. One point's values (VSC + APSH of a single façade point, both scenes) on Embree.
4. A re-run after one block's height changes (the podium, 16 -> 24 m) in the same process,
   with the process cache the first study filled (the city's scenes and the rays they block,
   sun positions, sample points) and its *before* values, against the same study from scratch
   with an empty cache; both in this run, checked to give identical results (every value).
5. With --fresh-process instead: the same re-run in a new process each time, as after a
   restart of the server: with the stored *before* values alone (as before the cache folder)
   against the *before* values and the cache folder the first study filled
   (impact.cache.DiskCache), the two kinds interleaved, --repeat times each, every re-run
   checked to give the same results as the others.

    .venv/bin/python bench/bench_impact.py [--city PATH/buildings.fgb] [--points 10] [--rerun-only]
    .venv/bin/python bench/bench_impact.py --city PATH/buildings.fgb --fresh-process [--repeat 2]

Without --city the demo tileset is built once into a temporary folder from
data/london-city/london.osm.pbf, as `civictwin demo` does.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import shapely
import shapely.geometry

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from backend.services.demo_content import PROPOSALS  # noqa: E402
from impact import daylight, sunlight  # noqa: E402
from impact.cache import LruCache, shared  # noqa: E402
from impact.climate import normals_for, probability  # noqa: E402
from impact.points import facade_points  # noqa: E402
from impact.scene import Scene, read_buildings, table_from_records  # noqa: E402
from impact.study import StudyOptions, _radii, run_study  # noqa: E402
from impact.sun import day_positions, year_days  # noqa: E402
from tiles.geometry.crs import LocalFrame  # noqa: E402
from tiles.model import FeatureTable  # noqa: E402

_TIMINGS = ("seconds", "rays", "rays_reused", "reused_before")


def demo_city(path: str | None) -> Path:
    if path:
        return Path(path)
    from tiles.pipeline import BuildOptions, run

    out = Path(tempfile.mkdtemp(prefix="bench-impact-"))
    run([ROOT / "data" / "london-city" / "london.osm.pbf"], out, BuildOptions(name="london"))
    return out / "london" / "buildings.fgb"


def tower(heights: dict[str, float] | None = None) -> tuple[FeatureTable, shapely.Geometry]:
    """The demo tower's massing (``heights`` overrides blocks' heights by name)."""
    spec = next(p for p in PROPOSALS if p["key"] == "tower")
    recs = [
        {
            "id": m["name"],
            "footprint": {"type": "Polygon", "coordinates": m["footprint"]},
            "height_m": (heights or {}).get(m["name"], m["height_m"]),
            "base_height_m": m.get("base_height_m", 0.0),
            "storeys": m.get("storeys"),
        }
        for m in spec["massing"]
    ]
    return table_from_records(recs, prefix="massing"), shapely.geometry.shape(spec["site_boundary"])


def _values(r: dict[str, Any]) -> str:
    """A study's whole result as JSON, but its timings and ray counts."""
    stats = {k: v for k, v in r["stats"].items() if k not in _TIMINGS}
    return json.dumps({**r, "stats": stats}, sort_keys=True)


def child_rerun(city_path: str, before_json: str, cache_dir: str) -> None:
    """One re-run (the podium at 24 m) in this fresh process; ``cache_dir`` "-" for none."""
    import hashlib

    from impact.cache import configure

    t_start = time.perf_counter()
    city = read_buildings(Path(city_path))
    _, site = tower()
    replaces = [
        b for b, g in zip(city.building_id, city.footprint, strict=True) if g.intersects(site)
    ]
    changed, _ = tower({"Podium": 24.0})
    cache = configure(disk_dir=None if cache_dir == "-" else cache_dir, disk_mb=1024.0)
    if cache_dir == "-":
        cache.disk = None
    reuse = json.loads(Path(before_json).read_text())
    t = time.perf_counter()
    r = run_study(city, changed, replaces, StudyOptions(engine="embree"), reuse=reuse)
    study_s = time.perf_counter() - t
    disk = cache.disk
    print(
        json.dumps(
            {
                "study_s": round(study_s, 2),
                "process_s": round(time.perf_counter() - t_start, 2),
                "parts": r["stats"]["seconds"],
                "rays": r["stats"]["rays"],
                "rays_reused": r["stats"]["rays_reused"],
                "reused_before": r["stats"]["reused_before"],
                "disk_hits": disk.stats.hits if disk else 0,
                "values_sha256": hashlib.sha256(_values(r).encode()).hexdigest(),
                "peak_rss_mb": round(rss_mb(), 1),
            }
        )
    )


def fresh_process(city_arg: str | None, repeat: int) -> None:
    """The first study here (filling a new cache folder), then re-runs in fresh processes."""
    import statistics
    import subprocess

    from impact.cache import configure

    city_path = demo_city(city_arg)
    work = Path(tempfile.mkdtemp(prefix="bench-impact-disk-"))
    folder = work / "impact-cache"
    out: dict[str, Any] = {"load_before": os.getloadavg()}
    city = read_buildings(city_path)
    scheme, site = tower()
    replaces = [
        b for b, g in zip(city.building_id, city.footprint, strict=True) if g.intersects(site)
    ]
    cache = configure(disk_dir=folder, disk_mb=1024.0)
    t = time.perf_counter()
    first = run_study(city, scheme, replaces, StudyOptions(engine="embree"))
    out["first_study_s"] = round(time.perf_counter() - t, 2)
    assert cache.disk is not None
    out["folder"] = {
        "files": len(list(folder.glob("*.npz"))),
        "mb": round(cache.disk.nbytes() / 2**20, 1),
        "writes": cache.disk.stats.writes,
        "skipped": cache.disk.stats.skipped,
    }
    before = work / "before.json"
    before.write_text(json.dumps(first["_before"]))
    del first
    out["load_after_first"] = os.getloadavg()
    runs: dict[str, list[dict[str, Any]]] = {"before_only": [], "before_and_folder": []}
    for _ in range(repeat):
        for kind, arg in (("before_only", "-"), ("before_and_folder", str(folder))):
            cmd = [sys.executable, __file__, "--city", str(city_path), "--child", str(before), arg]
            t = time.perf_counter()
            done = subprocess.run(cmd, check=True, capture_output=True, text=True)
            one = json.loads(done.stdout.strip().splitlines()[-1])
            one["wall_s"] = round(time.perf_counter() - t, 2)
            one["load"] = os.getloadavg()[0]
            runs[kind].append(one)
    out["runs"] = runs
    hashes = {r["values_sha256"] for rs in runs.values() for r in rs}
    out["identical_results"] = len(hashes) == 1
    med = {k: statistics.median(r["study_s"] for r in rs) for k, rs in runs.items()}
    out["median_study_s"] = med
    out["ratio_folder_to_before_only"] = round(med["before_and_folder"] / med["before_only"], 2)
    out["load_after"] = os.getloadavg()
    print(json.dumps(out, indent=1))


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--city", help="a buildings.fgb (default: build the demo city)")
    ap.add_argument("--points", type=int, default=10, help="façade points for the ray race")
    ap.add_argument(
        "--rerun-only",
        action="store_true",
        help="stop after the full study and the re-run (no ray race, no one-point timing)",
    )
    ap.add_argument(
        "--fresh-process",
        action="store_true",
        help="only the re-run in fresh processes, without and with the cache folder",
    )
    ap.add_argument("--repeat", type=int, default=2, help="fresh-process re-runs of each kind")
    ap.add_argument(
        "--child", nargs=2, metavar=("BEFORE_JSON", "CACHE_DIR"), help=argparse.SUPPRESS
    )
    args = ap.parse_args()
    if args.child:
        child_rerun(args.city, *args.child)
        return
    if args.fresh_process:
        fresh_process(args.city, args.repeat)
        return
    out: dict[str, object] = {"load_before": os.getloadavg()[0]}

    city = read_buildings(demo_city(args.city))
    scheme, site = tower()
    replaces = [
        b for b, g in zip(city.building_id, city.footprint, strict=True) if g.intersects(site)
    ]
    out["city_buildings"] = len(city)

    # 2. the full study (first, so the peak RSS is the study's own)
    t = time.perf_counter()
    result = run_study(city, scheme, replaces, StudyOptions(engine="embree"))
    study_s = time.perf_counter() - t
    stats = result["stats"]
    out["study"] = {
        "seconds": round(study_s, 2),
        "parts": stats["seconds"],
        "rays": stats["rays"],
        "facade_points": stats["facade_points"],
        "ground_points": stats["ground_points"],
        "eye_points": stats["eye_points"],
        "triangles": stats["triangles_after"],
        "peak_rss_mb": round(rss_mb(), 1),
        "load_after": os.getloadavg()[0],
    }

    # 4. a re-run after one block's height changes (the podium, 16 -> 24 m) in the same process:
    #    the first study's city scenes, the rays they block, sun positions and sample points
    #    come from the process cache (impact.cache), and its before values as a job passes
    #    them; against the same study from scratch with an empty cache, in this run
    changed, _ = tower({"Podium": 24.0})
    t = time.perf_counter()
    rerun = run_study(
        city, changed, replaces, StudyOptions(engine="embree"), reuse=result["_before"]
    )
    rerun_s = time.perf_counter() - t
    t = time.perf_counter()
    fresh = run_study(city, changed, replaces, StudyOptions(engine="embree"), cache=LruCache())
    fresh_s = time.perf_counter() - t

    def values(r: dict[str, Any]) -> str:
        stats = {k: v for k, v in r["stats"].items() if k not in _TIMINGS}
        return json.dumps({**r, "stats": stats}, sort_keys=True)

    same = values(rerun) == values(fresh)
    out["rerun_one_block"] = {
        "seconds_reusing": round(rerun_s, 2),
        "parts_reusing": rerun["stats"]["seconds"],
        "seconds_from_scratch": round(fresh_s, 2),
        "rays_reusing": rerun["stats"]["rays"],
        "rays_reused": rerun["stats"]["rays_reused"],
        "rays_from_scratch": fresh["stats"]["rays"],
        "reused": rerun["stats"]["reused_before"],
        "cache_entries": len(shared()),
        "cache_mb": round(shared().nbytes / 2**20, 1),
        "identical_results": same,
        "load_after": os.getloadavg()[0],
    }
    del rerun, fresh
    if args.rerun_only:
        print(json.dumps(out, indent=1))
        return

    # 1. the ray race: the same VSC rays from the same façade points, both engines
    frame = LocalFrame.around(shapely.union_all(scheme.footprint).bounds)
    pts_r, scene_r = _radii(float(scheme.height_m.max()), StudyOptions())
    kept = city.take(np.flatnonzero(~np.isin(city.building_id.astype(str), replaces)))
    table = FeatureTable.concat([kept, scheme])
    mask = np.r_[np.zeros(len(kept), bool), np.ones(len(scheme), bool)]
    fast = Scene.build(table, frame, scheme=mask, engine="embree")
    slow = fast.with_engine("numpy")
    cent = shapely.centroid(kept.footprint)
    cxy = frame.lonlat_to_local(shapely.get_x(cent), shapely.get_y(cent), 0.0)[:, :2]
    near = np.flatnonzero(np.hypot(cxy[:, 0], cxy[:, 1]) <= pts_r)
    pts = facade_points(fast, near, toward_xy=(0.0, 0.0), spacing_m=6.0)
    rng = np.random.default_rng(0)
    sample = pts.take(np.sort(rng.choice(len(pts), min(args.points, len(pts)), replace=False)))
    patches = daylight.SkyPatches.grid(12, 24)

    t = time.perf_counter()
    v_fast = daylight.vsc(fast, sample, patches)
    fast_s = time.perf_counter() - t
    t = time.perf_counter()
    v_slow = np.array(
        [daylight.vsc(slow, sample.take(np.array([i])), patches)[0] for i in range(len(sample))]
    )
    slow_s = time.perf_counter() - t
    rays = len(sample) * len(patches)
    # Embree vectorised over every façade point of the study, as the study runs it
    t = time.perf_counter()
    daylight.vsc(fast, pts, patches)
    all_s = time.perf_counter() - t
    out["rays_per_s"] = {
        "points": len(sample),
        "rays": rays,
        "numpy_per_point": round(rays / slow_s),
        "embree_same_points": round(rays / fast_s),
        "embree_all_points": round(len(pts) * len(patches) / all_s),
        "all_points": len(pts),
        "same_answer": bool(np.allclose(v_fast, v_slow, atol=1e-9)),
    }
    numpy_study_s = stats["rays"] / (rays / slow_s)
    out["study_numpy_estimate_s"] = round(numpy_study_s, 1)
    out["speedup_study"] = round(numpy_study_s / study_s, 1)

    # 3. one point's values (VSC and APSH, before and after) on Embree
    before = Scene.build(
        city.take(
            np.flatnonzero(
                np.hypot(
                    *frame.lonlat_to_local(
                        shapely.get_x(shapely.centroid(city.footprint)),
                        shapely.get_y(shapely.centroid(city.footprint)),
                        0.0,
                    )[:, :2].T
                )
                <= scene_r
            )
        ),
        frame,
    )
    one = pts.take(np.array([int(np.argmax(pts.normal[:, 1] < 0))]))
    sun = day_positions(
        year_days(2026, 14), frame.lat0, frame.lon0, "Europe/London", step_min=30.0, day_weight=14.0
    )
    prob = probability(normals_for("London"), frame.lat0, frame.lon0, "Europe/London")
    daylight.vsc(before, one, patches)  # warm both BVHs
    t = time.perf_counter()
    for scene in (before, fast):
        daylight.vsc(scene, one, patches)
        sunlight.apsh(scene, one, sun, prob)
    out["one_point_ms"] = round(1000 * (time.perf_counter() - t), 1)
    out["load_after"] = os.getloadavg()[0]
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
