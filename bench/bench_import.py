"""``civictwin opportunities import`` of a 5,000-release OCDS package, on SpatiaLite and PostGIS.

Generates a Find-a-Tender-shaped release package (``--releases``, each release with a title,
description, two CPV codes, a value or a range, tender and contract periods, SME suitability and
a delivery point inside one of 20 proposals' sites, so releases are linked by location), then
per engine:

- import into an empty database (the number the issue bounds: <= 20 s for 5,000 releases),
- re-import the same package: it must change nothing (row count and every ``updated_at`` the
  same, checked here), and its time is that of reading + comparing,
- a floor in the same run: reading and checking the package with no database (``read``).

Runs the command itself (``civictwin opportunities import FILE --json``) as a user would, so
start-up is included; prints medians of ``--runs`` of the wall clock and of the command's CPU
time (user + system, the steadier figure on a shared machine) with the load average.

    .venv/bin/python bench/bench_import.py [--releases 5000] [--runs 3] [--engines spatialite,postgis]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from geoalchemy2.shape import from_shape  # noqa: E402
from shapely.geometry import MultiPolygon, box  # noqa: E402

from backend.db import migrate  # noqa: E402
from backend.db.engine import Database  # noqa: E402
from backend.db.models import Opportunity, Proposal  # noqa: E402
from tests.services import postgres_server  # noqa: E402

CLI = str(Path(sys.executable).with_name("civictwin"))
SITES = 20
CPV = ["45111000", "45232410", "45112710", "45421000", "71320000", "77310000", "45261000"]


def sites() -> list[tuple[float, float]]:
    return [(-1.95 + 0.01 * (i % 5), 52.45 + 0.01 * (i // 5)) for i in range(SITES)]


def package(n: int) -> dict[str, Any]:
    releases = []
    for i in range(n):
        lon, lat = sites()[i % SITES]
        ranged = i % 3 == 0
        tender: dict[str, Any] = {
            "id": f"t{i}",
            "title": f"Work package {i}",
            "description": "Excavation, drainage and reinstatement of the site " * 3,
            "status": ("planning", "active", "complete")[i % 3],
            "classification": {"scheme": "CPV", "id": CPV[i % len(CPV)]},
            "items": [
                {
                    "id": "1",
                    "additionalClassifications": [{"scheme": "CPV", "id": CPV[(i + 1) % len(CPV)]}],
                    "deliveryLocations": [
                        {"geometry": {"type": "Point", "coordinates": [lon, lat]}}
                    ],
                }
            ],
            "value": {"amount": 50000 + i, "currency": "GBP"},
            "tenderPeriod": {
                "startDate": "2030-01-01T09:00:00Z",
                "endDate": "2030-02-28T12:00:00Z",
            },
            "contractPeriod": {
                "startDate": "2030-04-01T00:00:00Z",
                "endDate": "2030-12-31T00:00:00Z",
            },
            "suitability": {"sme": i % 2 == 0},
        }
        if ranged:
            tender["minValue"] = {"amount": 20000 + i, "currency": "GBP"}
        releases.append(
            {
                "ocid": f"ocds-h6vhtk-{i:06d}",
                "id": f"{i:06d}-1",
                "date": "2030-01-10T09:00:00Z",
                "tag": ["tender"],
                "tender": tender,
            }
        )
    return {"uri": "https://fts.example.org/bench.json", "version": "1.1", "releases": releases}


def prepare(url: str) -> None:
    db = Database.connect(url)
    migrate.upgrade(db.engine)
    with db.sessions() as session:
        for i, (lon, lat) in enumerate(sites()):
            site = MultiPolygon([box(lon - 0.002, lat - 0.002, lon + 0.002, lat + 0.002)])
            session.add(
                Proposal(
                    reference=f"B/{i}",
                    title=f"Site {i}",
                    stage="consultation",
                    site_boundary=from_shape(site, 4326),
                )
            )
        session.commit()
    db.dispose()


def snapshot(url: str) -> tuple[int, str]:
    db = Database.connect(url)
    with db.sessions() as session:
        rows = session.execute(
            sa.select(Opportunity.source_ocid, Opportunity.updated_at).order_by(
                Opportunity.source_ocid
            )
        ).all()
    db.dispose()
    return len(rows), json.dumps([(o, u.isoformat()) for o, u in rows])


def _child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_import(url: str, path: Path) -> tuple[float, float, dict[str, Any]]:
    """(wall s, CPU s of the command itself, its report). On a loaded machine the CPU time is
    the steadier figure: the wall clock grows with the number of processes sharing the cores."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CIVICTWIN_")}
    env["CIVICTWIN_DATABASE_URL"] = url
    env["CIVICTWIN_LOG_LEVEL"] = "WARNING"
    cpu0 = _child_cpu()
    t0 = time.perf_counter()
    done = subprocess.run(
        [CLI, "opportunities", "import", str(path), "--json"],
        env=env,
        capture_output=True,
        text=True,
    )
    dt = time.perf_counter() - t0
    cpu = _child_cpu() - cpu0
    if done.returncode != 0:
        raise SystemExit(f"import failed: {done.stderr[-2000:]}")
    return dt, cpu, json.loads(done.stdout)


def floor(path: Path) -> float:
    code = (
        "import sys; from backend.services import ocds_import as m; "
        "m.read(m.parse(open(sys.argv[1], 'rb').read()))"
    )
    cpu0 = _child_cpu()
    subprocess.run([sys.executable, "-c", code, str(path)], cwd=ROOT, check=True)
    return _child_cpu() - cpu0


def bench_engine(name: str, make_url: Any, path: Path, n: int, runs: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {
        "first": [],
        "again": [],
        "first_cpu": [],
        "again_cpu": [],
        "floor_cpu": [],
    }
    for attempt in range(runs):
        url = make_url(attempt)
        prepare(url)
        dt, cpu, report = run_import(url, path)
        assert report["created"] == n and not report["errors"], report
        before = snapshot(url)
        again, again_cpu, report2 = run_import(url, path)
        assert report2["unchanged"] == n and report2["created"] == report2["updated"] == 0, report2
        assert snapshot(url) == before, "re-import changed rows"
        times["first"].append(dt)
        times["again"].append(again)
        times["first_cpu"].append(cpu)
        times["again_cpu"].append(again_cpu)
        times["floor_cpu"].append(floor(path))
        print(
            f"{name:10} run {attempt + 1}: first {dt:.2f} s ({cpu:.2f} s CPU), again {again:.2f} s "
            f"({again_cpu:.2f} s CPU); rows {before[0]}, updated_at unchanged; "
            f"load {os.getloadavg()[0]:.1f}",
            flush=True,
        )
    return times


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--releases", type=int, default=5000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--engines", default="spatialite,postgis")
    args = ap.parse_args()
    engines = args.engines.split(",")
    load0 = os.getloadavg()
    results: dict[str, dict[str, list[float]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "package.json"
        path.write_text(json.dumps(package(args.releases)))
        print(f"package: {args.releases} releases, {path.stat().st_size / 1e6:.1f} MB")
        if "spatialite" in engines:
            results["spatialite"] = bench_engine(
                "spatialite",
                lambda i: f"sqlite:///{tmp}/bench{i}.sqlite",
                path,
                args.releases,
                args.runs,
            )
        if "postgis" in engines:
            with postgres_server() as server:

                def make(i: int) -> str:
                    admin = sa.create_engine(server.url("postgres"), isolation_level="AUTOCOMMIT")
                    with admin.connect() as conn:
                        conn.execute(sa.text(f"CREATE DATABASE bench{i}"))
                    admin.dispose()
                    return server.url(f"bench{i}")

                results["postgis"] = bench_engine("postgis", make, path, args.releases, args.runs)
    load1 = os.getloadavg()
    print(f"\nload average before {load0[0]:.1f}, after {load1[0]:.1f}")
    print(
        "| engine | import: wall (CPU of the command) | re-import, nothing changed: wall (CPU) "
        "| floor: read + check, no database (CPU) |"
    )
    print("|---|---|---|---|")
    for name, t in results.items():
        med = {k: statistics.median(v) for k, v in t.items()}
        print(
            f"| {name} | {med['first']:.2f} s ({med['first_cpu']:.2f} s) | {med['again']:.2f} s "
            f"({med['again_cpu']:.2f} s) | {med['floor_cpu']:.2f} s |"
        )


if __name__ == "__main__":
    main()
