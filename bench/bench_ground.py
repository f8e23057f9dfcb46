"""What the ground layer adds to a London build: the demo's PBF built with and without
``--ground``, interleaved, each build in a fresh process (imports included, as the CLI pays them).

    .venv/bin/python bench/bench_ground.py [--repeat 5] [--input data/london-city/london.osm.pbf]

Prints every run (wall seconds of the whole process, the pipeline's total and the ground stage's
own seconds, the 1-minute load average after it), then the medians and the added share.
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
r = run([sys.argv[1]], sys.argv[2], BuildOptions(name="london", ground=sys.argv[3] == "1"))
g = r.report.get("ground")
print(json.dumps({"total": r.report["seconds"]["total"],
                  "ground": g["seconds"]["total"] if g else 0.0,
                  "ground_features": g["features"] if g else 0}))
"""


def one(path: Path, ground: bool) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as out:
        t0 = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-c", CHILD, str(path), out, "1" if ground else "0"],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        )
        wall = time.perf_counter() - t0
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["wall"] = round(wall, 3)
    result["load"] = round(os.getloadavg()[0], 2)
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--input", type=Path, default=LONDON)
    args = ap.parse_args()
    runs: dict[str, list[dict[str, float]]] = {"without": [], "with": []}
    one(args.input, False)  # warm the file cache and the interpreter's bytecode
    for _ in range(args.repeat):
        for key, ground in (("without", False), ("with", True)):
            r = one(args.input, ground)
            runs[key].append(r)
            print(key, json.dumps(r), flush=True)
    med = {
        k: {f: statistics.median(r[f] for r in v) for f in ("wall", "total")}
        for k, v in runs.items()
    }
    ground_s = statistics.median(r["ground"] for r in runs["with"])
    print(
        json.dumps(
            {
                "median_without": med["without"],
                "median_with": med["with"],
                "median_ground_stage_s": ground_s,
                "added_wall": round(med["with"]["wall"] / med["without"]["wall"] - 1.0, 3),
                "added_pipeline": round(med["with"]["total"] / med["without"]["total"] - 1.0, 3),
            }
        )
    )


if __name__ == "__main__":
    main()
