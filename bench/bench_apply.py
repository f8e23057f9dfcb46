"""Applying an approved scheme to the London tileset against a full rebuild of it, same run.

    .venv/bin/python bench/bench_apply.py [--repeat 7] [--applies 5] [--input FILE]

All in this one process (imports paid once, for all): ``tiles.pipeline.run`` on the demo's PBF
into a fresh folder, as the demo builds it (``--ground``) and buildings only (the full rebuilds;
neither even includes the scheme, so the ratios are on the safe side), and
``tiles.apply.apply_change`` of a two-block scheme (a 60 m and a 35 m block near Cannon Street,
replacing what they overlap) to a copy built as the demo's, each followed by ``revert_change``
(timed on its own), ``--applies`` times a round (the apply is short and noisy: its median is
over all of them). Interleaved; prints every run with the 1-minute load average, then the
medians and the ratios.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import shapely

from tiles.apply import apply_change, revert_change
from tiles.pipeline import BuildOptions, run

ROOT = Path(__file__).resolve().parents[1]
LONDON = ROOT / "data" / "london-city" / "london.osm.pbf"
SCHEME = [
    {
        "id": "bench-a",
        "footprint": shapely.box(-0.0927, 51.5117, -0.0921, 51.5121),
        "height_m": 60.0,
    },
    {
        "id": "bench-b",
        "footprint": shapely.box(-0.0919, 51.5117, -0.0915, 51.5120),
        "height_m": 35.0,
    },
]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--applies", type=int, default=5, help="apply and revert pairs a round")
    ap.add_argument("--input", type=Path, default=LONDON)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        demo = BuildOptions(name="london", ground=True)
        base = run([args.input], Path(tmp) / "city", demo)
        rebuild, rebuild_ground, apply, revert, loads = [], [], [], [], []
        result = None
        for k in range(args.repeat + 1):  # the first round warms caches and is not counted
            gc.collect()  # each timed step starts without the previous one's garbage
            t0 = time.perf_counter()
            run([args.input], Path(tmp) / f"rebuild-{k}", BuildOptions(name="london"))
            t_rebuild = time.perf_counter() - t0
            shutil.rmtree(Path(tmp) / f"rebuild-{k}")
            gc.collect()
            t0 = time.perf_counter()
            run([args.input], Path(tmp) / f"rebuild-g{k}", demo)
            t_ground = time.perf_counter() - t0
            shutil.rmtree(Path(tmp) / f"rebuild-g{k}")
            t_apply, t_revert = [], []
            for _ in range(args.applies):
                gc.collect()
                t0 = time.perf_counter()
                result = apply_change(base.tileset_dir, "bench", SCHEME)
                t_apply.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                revert_change(base.tileset_dir, "bench")
                t_revert.append(time.perf_counter() - t0)
            load = os.getloadavg()[0]
            print(
                f"run {k}: rebuild {t_ground:.3f} s (buildings only {t_rebuild:.3f} s), "
                f"apply {' '.join(f'{t * 1000:.1f}' for t in t_apply)} ms, "
                f"revert {statistics.median(t_revert) * 1000:.1f} ms, load {load:.2f}"
                + (" (warm-up)" if k == 0 else "")
            )
            if k:
                rebuild.append(t_rebuild)
                rebuild_ground.append(t_ground)
                apply.extend(t_apply)
                revert.extend(t_revert)
                loads.append(load)
    assert result is not None
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
    ).stdout.strip()
    summary = {
        "commit": commit,
        "buildings": base.report["counts"]["buildings"],
        "tiles": base.report["counts"]["tiles_with_content"],
        "tiles_rewritten": len(result.tiles),
        "replaced": len(result.replaced),
        "rebuild_with_ground_median_s": round(statistics.median(rebuild_ground), 3),
        "rebuild_buildings_only_median_s": round(statistics.median(rebuild), 3),
        "apply_median_ms": round(statistics.median(apply) * 1000, 1),
        "revert_median_ms": round(statistics.median(revert) * 1000, 2),
        "ratio_vs_rebuild_with_ground": round(
            statistics.median(rebuild_ground) / statistics.median(apply), 1
        ),
        "ratio_vs_rebuild_buildings_only": round(
            statistics.median(rebuild) / statistics.median(apply), 1
        ),
        "load_min_max": [round(min(loads), 2), round(max(loads), 2)],
    }
    print(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
