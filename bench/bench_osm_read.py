"""The OSM PBF read (``tiles.readers.footprints.read_osm``) against a one-pass GDAL read, same run.

Since issue 12 the PBF's multipolygons layer is read in two passes (ways, then relations: in one
pass GDAL drops the closed ways that are members of a multipolygon relation). This prints the
median of ``--runs`` interleaved runs of the reader and of a bare one-pass ``read_arrow`` of the
same layer with the same filter (the floor it has to pay twice), with the load average.

    .venv/bin/python bench/bench_osm_read.py [--input data/london-city/london.osm.pbf]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pyogrio.raw import read_arrow  # noqa: E402

from tiles.readers import ReadOptions  # noqa: E402
from tiles.readers.footprints import read_osm  # noqa: E402
from tiles.readers.osm import OSM_CONFIG  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--input", type=Path, default=ROOT / "data" / "london-city" / "london.osm.pbf")
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    where = 'building IS NOT NULL OR "building:part" IS NOT NULL'
    times: dict[str, list[float]] = {"read_osm (two passes)": [], "one GDAL pass": []}
    load0 = os.getloadavg()[0]
    n = 0
    for _ in range(args.runs):
        t0 = time.perf_counter()
        n = len(read_osm(args.input, ReadOptions()))
        times["read_osm (two passes)"].append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        read_arrow(
            args.input,
            layer="multipolygons",
            where=where,
            CONFIG_FILE=str(OSM_CONFIG),
            USE_CUSTOM_INDEXING="YES",
        )
        times["one GDAL pass"].append(time.perf_counter() - t0)
    print(f"{args.input.name}: {n} buildings, load average {load0:.1f} -> {os.getloadavg()[0]:.1f}")
    for label, ts in times.items():
        print(f"{label:24} median {statistics.median(ts):.3f} s")
    ratio = statistics.median(times["read_osm (two passes)"]) / statistics.median(
        times["one GDAL pass"]
    )
    print(f"ratio {ratio:.2f}")


if __name__ == "__main__":
    main()
