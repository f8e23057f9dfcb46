"""Time ``load_tileset`` (buildings table → database) for the 54k-building benchmark set.

Builds the tileset once with the tiles pipeline, then loads its buildings table into a fresh
SpatiaLite file and into a fresh PostGIS database (a server started like the test harness does),
twice each (the second load replaces the first), and prints the seconds.

    .venv/bin/python bench/bench_db_load.py [--input ../shared/data/bench/buildings-europe-osm.gpkg]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from backend.db import migrate  # noqa: E402
from backend.db.engine import Database  # noqa: E402
from backend.services.buildings import load_tileset  # noqa: E402  (pyogrio before SpatiaLite)
from tests.services import postgres_server  # noqa: E402
from tiles.pipeline import BuildOptions, run  # noqa: E402

DEFAULT = ROOT.parent / "shared" / "data" / "bench" / "buildings-europe-osm.gpkg"


def time_loads(url: str, label: str, result: object) -> None:
    db = Database.connect(url)
    migrate.upgrade(db.engine)
    for attempt in (1, 2):
        with db.sessions() as session:
            t0 = time.perf_counter()
            load_tileset(
                session,
                "bench",
                "bench",
                "© OpenStreetMap contributors, ODbL 1.0",
                result.buildings,  # type: ignore[attr-defined]
                result.report["bbox"],  # type: ignore[attr-defined]
                None,
            )
            dt = time.perf_counter() - t0
        n = len(result.buildings)  # type: ignore[attr-defined]
        print(f"{label:10} load {attempt}: {n} buildings in {dt:.2f} s ({n / dt:,.0f}/s)")
    db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--input", type=Path, default=DEFAULT)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        result = run([args.input], Path(tmp) / "tiles", BuildOptions(name="bench"))
        print(f"pipeline: {len(result.buildings)} buildings in {time.perf_counter() - t0:.1f} s")
        time_loads(f"sqlite:///{tmp}/bench.sqlite", "spatialite", result)
        with postgres_server() as server:
            import sqlalchemy as sa

            admin = sa.create_engine(server.url("postgres"), isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(sa.text("CREATE DATABASE bench"))
            admin.dispose()
            time_loads(server.url("bench"), "postgis", result)


if __name__ == "__main__":
    main()
