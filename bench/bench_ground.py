"""What the ground layer adds to a London build: the demo's PBF built with and without
``--ground``, interleaved, each build in a fresh process (imports included, as the CLI pays them).

    .venv/bin/python bench/bench_ground.py [--repeat 5] [--input data/london-city/london.osm.pbf]
        [--baseline DIR]

Prints every run (wall seconds of the whole process, the pipeline's total and the ground stage's
own seconds, the 1-minute load average after it), then the medians and the added share.
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
r = run([sys.argv[1]], sys.argv[2], BuildOptions(name="london", ground=sys.argv[3] == "1"))
g = r.report.get("ground")
print(json.dumps({"total": r.report["seconds"]["total"],
                  "ground": g["seconds"]["total"] if g else 0.0,
                  "ground_features": g["features"] if g else 0}))
"""


def one(path: Path, ground: bool, root: Path = ROOT) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as out:
        t0 = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-c", CHILD, str(path), out, "1" if ground else "0"],
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
        k: {f: statistics.median(r[f] for r in v) for f in ("wall", "total")}
        for k, v in runs.items()
    }
    return {
        "median_without": med["without"],
        "median_with": med["with"],
        "median_ground_stage_s": statistics.median(r["ground"] for r in runs["with"]),
        "added_wall": round(med["with"]["wall"] / med["without"]["wall"] - 1.0, 3),
        "added_pipeline": round(med["with"]["total"] / med["without"]["total"] - 1.0, 3),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--input", type=Path, default=LONDON)
    ap.add_argument("--baseline", type=Path, help="an earlier checkout, run interleaved")
    args = ap.parse_args()
    roots = {"": ROOT} | ({"baseline ": args.baseline.resolve()} if args.baseline else {})
    runs = {label: {"without": [], "with": []} for label in roots}
    loads = []
    for root in roots.values():
        one(args.input, False, root)  # warm the file cache and the interpreter's bytecode
    for _ in range(args.repeat):
        for label, root in roots.items():
            for key, ground in (("without", False), ("with", True)):
                r = one(args.input, ground, root)
                runs[label][key].append(r)
                loads.append(r["load"])
                print(label + key, json.dumps(r), flush=True)
    for label in roots:
        print(label + "summary", json.dumps(_summary(runs[label])))
    print("load_range", [min(loads), max(loads)])


if __name__ == "__main__":
    main()
