"""What the terrain adds to a London build: the demo's PBF built without and with ``--dem``
(and with ``--ground``, without and with ``--dem``: the ground layer draped), interleaved, each
build in a fresh process (imports included, as the CLI pays them).

The DEM is made here: a 5 m GeoTIFF in British National Grid (EPSG:27700) over the extract and
1 km around it, a 40 m rise with ripples of 300 m (the Thames to Cornhill is about 15 m; the
relief only changes the numbers, not the work).

    .venv/bin/python bench/bench_terrain.py [--repeat 3] [--input data/london-city/london.osm.pbf]
        [--baseline DIR]

Prints every run (wall seconds of the whole process, the pipeline's total, the terrain tiles'
seconds, the 1-minute load average after it), then the medians and the added shares.
``--baseline DIR`` (a checkout of an earlier commit, e.g. ``git worktree add DIR COMMIT``) runs
that checkout's builds too, interleaved with these, so both are measured at the same load.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LONDON = ROOT / "data" / "london-city" / "london.osm.pbf"

CHILD = """
import json, sys
from tiles.pipeline import BuildOptions, run
dem = sys.argv[3] or None
r = run([sys.argv[1]], sys.argv[2], BuildOptions(name="london", ground=sys.argv[4] == "1", dem=dem))
t = r.report.get("terrain")
g = r.report.get("ground")
print(json.dumps({"total": r.report["seconds"]["total"],
                  "terrain": t["seconds"] if t else 0.0,
                  "ground": g["seconds"]["total"] if g else 0.0}))
"""

MODES = {"plain": (False, False), "dem": (True, False), "ground": (False, True),
         "ground+dem": (True, True)}  # fmt: skip


def write_dem(path: Path, pbf: Path) -> None:
    import numpy as np
    import pyogrio
    import pyproj
    import rasterio
    from rasterio.transform import Affine

    info = pyogrio.read_info(pbf, layer="multipolygons")
    w, s, e, n = info.get("total_bounds") or (-0.115, 51.505, -0.07, 51.525)
    tr = pyproj.Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)
    x0, y0 = tr.transform(w, s)
    x1, y1 = tr.transform(e, n)
    x0, y0, x1, y1 = x0 - 1000, y0 - 1000, x1 + 1000, y1 + 1000
    px = 5.0
    cols, rows = int((x1 - x0) / px), int((y1 - y0) / px)
    x = x0 + (np.arange(cols) + 0.5) * px
    y = y1 - (np.arange(rows) + 0.5) * px
    z = 5.0 + 40.0 * (y[:, None] - y0) / (y1 - y0) + 3.0 * np.sin(x[None, :] / 300.0)
    with rasterio.open(
        path, "w", driver="GTiff", width=cols, height=rows, count=1, dtype="float32",
        crs="EPSG:27700", transform=Affine(px, 0, x0, 0, -px, y1),
    ) as ds:  # fmt: skip
        ds.write(z.astype("float32"), 1)


def one(path: Path, dem: Path | None, ground: bool, root: Path = ROOT) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as out:
        t0 = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-c", CHILD, str(path), out, str(dem or ""), "1" if ground else "0"],
            capture_output=True,
            text=True,
            check=True,
            cwd=root,  # the child imports the tiles package of this checkout
        )
        wall = time.perf_counter() - t0
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["wall"] = round(wall, 3)
    result["load"] = round(os.getloadavg()[0], 2)
    return result


def _summary(runs: dict[str, list[dict[str, float]]]) -> dict[str, object]:
    med = {
        k: {f: statistics.median(r[f] for r in v) for f in ("wall", "total", "terrain")}
        for k, v in runs.items()
    }
    return {
        "medians": med,
        "dem_added_wall": round(med["dem"]["wall"] / med["plain"]["wall"] - 1.0, 3),
        "dem_added_with_ground_wall": round(
            med["ground+dem"]["wall"] / med["ground"]["wall"] - 1.0, 3
        ),
        "ground_and_dem_added_wall": round(
            med["ground+dem"]["wall"] / med["plain"]["wall"] - 1.0, 3
        ),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--input", type=Path, default=LONDON)
    ap.add_argument("--baseline", type=Path, help="an earlier checkout, run interleaved")
    args = ap.parse_args()
    roots = {"": ROOT} | ({"baseline ": args.baseline.resolve()} if args.baseline else {})
    runs = {label: {k: [] for k in MODES} for label in roots}
    loads = []
    with tempfile.TemporaryDirectory() as tmp:
        dem = Path(tmp) / "london-dem.tif"
        write_dem(dem, args.input)
        for root in roots.values():
            one(args.input, None, False, root)  # warm the file cache and the bytecode
        for _ in range(args.repeat):
            for label, root in roots.items():
                for key, (with_dem, ground) in MODES.items():
                    r = one(args.input, dem if with_dem else None, ground, root)
                    runs[label][key].append(r)
                    loads.append(r["load"])
                    print(label + key, json.dumps(r), flush=True)
    for label in roots:
        print(label + "summary", json.dumps(_summary(runs[label])))
    print("load_range", [min(loads), max(loads)])


if __name__ == "__main__":
    main()
