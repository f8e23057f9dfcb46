"""Benchmark the tiles pipeline on the 53,923-building OSM set (and semi-synthetic copies).

Each measurement runs in a fresh process so peak RSS is its own. Usage:

    .venv/bin/python bench/bench_tiles.py [--replicas 1 10 50] [--py3dtiles]

Replicas are semi-synthetic: the real buildings copied N times, each copy shifted by whole
degrees of longitude and given new ids.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT.parent / "shared" / "data" / "bench" / "buildings-europe-osm.gpkg"

CHILD_BUILD = """
import json, sys, time, resource
t0 = time.perf_counter()
from tiles.pipeline import run, BuildOptions
t1 = time.perf_counter()
r = run([sys.argv[1]], sys.argv[2], BuildOptions(name="bench"))
t2 = time.perf_counter()
print(json.dumps({"import_s": t1 - t0, "run_s": t2 - t1, "report": r.report,
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

CHILD_READ = """
import json, sys, time, resource
import pyogrio
t0 = time.perf_counter()
df = pyogrio.read_dataframe(sys.argv[1])
print(json.dumps({"read_s": time.perf_counter() - t0, "rows": len(df)}))
"""


def child(code: str, *args: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def replicate(src: Path, n: int, dst: Path) -> Path:
    import geopandas as gpd
    import pandas as pd
    import pyogrio
    import shapely

    df = pyogrio.read_dataframe(src)
    copies = []
    for k in range(n):
        c = df.copy()
        c["osm_id"] = c["osm_id"] + f"-{k}"
        c["geometry"] = shapely.transform(
            c.geometry.values, lambda xy, k=k: xy + np.array([k * 1.0, 0.0])
        )
        copies.append(c)
    out = gpd.GeoDataFrame(pd.concat(copies, ignore_index=True), crs=df.crs)
    pyogrio.write_dataframe(out, dst, driver="FlatGeobuf")
    return dst


def py3dtiles_reference(src: Path, work: Path) -> dict:
    """py3dtiles' own export of the same buildings (extruded by py3dtiles from the gpkg)."""
    cmd = [
        str(ROOT / ".venv" / "bin" / "py3dtiles"),
        "convert",
        str(src),
        "--out",
        str(work / "py3dtiles"),
        "--overwrite",
        "--jobs",
        "2",
    ]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    dt = time.perf_counter() - t0
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    size = sum(p.stat().st_size for p in (work / "py3dtiles").rglob("*") if p.is_file())
    return {
        "cmd": " ".join(cmd),
        "seconds": dt,
        "rc": proc.returncode,
        "bytes": size,
        "stderr": proc.stderr[-400:],
        "rss_mb": rss,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--replicas", type=int, nargs="*", default=[1])
    ap.add_argument("--py3dtiles", action="store_true")
    args = ap.parse_args()
    if not BENCH.exists():
        sys.exit(f"benchmark data not found: {BENCH}")
    results = {"read_only": child(CHILD_READ, str(BENCH))}
    with tempfile.TemporaryDirectory(dir=ROOT.parent) as tmp:
        work = Path(tmp)
        for n in args.replicas:
            src = BENCH if n == 1 else replicate(BENCH, n, work / f"x{n}.fgb")
            r = child(CHILD_BUILD, str(src), str(work / f"out{n}"))
            c, s = r["report"]["counts"], r["report"]["seconds"]
            tiles_s = s["total"] - s["buildings_table"]
            results[f"x{n}"] = {
                "buildings": c["buildings"],
                "total_s": round(s["total"], 2),
                "tiles_on_disk_s": round(tiles_s, 2),
                "buildings_per_s": round(c["buildings"] / tiles_s),
                "buildings_table_s": round(s["buildings_table"], 2),
                "stages_s": s,
                "peak_rss_mb": round(r["rss_mb"]),
                "content_bytes_per_building": c["content_bytes_per_building"],
                "tiles": c["tiles_with_content"],
            }
            print(json.dumps({f"x{n}": results[f"x{n}"]}), flush=True)
        if args.py3dtiles:
            results["py3dtiles"] = py3dtiles_reference(BENCH, work)
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
