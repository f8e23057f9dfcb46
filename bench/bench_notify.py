"""Notification fan-out: a proposal published in an area followed by N accounts, to the outbox.

For each engine (SpatiaLite file, and PostGIS started as the test harness does) it makes a
fresh migrated database with N accounts whose followed areas (200 m squares around points
scattered within ~1.5 km) all cover the site, plus N/2 accounts following areas elsewhere that
the bbox prefilter and ``ST_Intersects`` must leave out; then it publishes a proposal there and
times ``notifications.process_events`` (the scheduler step's fan-out: one INSERT … SELECT into
``notifications`` and one into ``outbox``), three times (the rows removed and the event reset in
between), and prints the median, the rows made, and a floor measured in the same run: a bare
``INSERT INTO … SELECT`` of N rows from ``users`` into a scratch table (the cost of writing N
rows without any spatial predicate or preference lookup).

    .venv/bin/python bench/bench_notify.py [--followers 100000] [--engines spatialite,postgis]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SPATIALITE_LIBRARY_PATH", "mod_spatialite")

import sqlalchemy as sa  # noqa: E402
from geoalchemy2.shape import from_shape  # noqa: E402
from shapely.geometry import MultiPolygon, box  # noqa: E402

from backend.api.links import Links  # noqa: E402
from backend.db import migrate  # noqa: E402
from backend.db.engine import Database  # noqa: E402
from backend.db.models import OutboxMessage, Proposal, User  # noqa: E402
from backend.db.models_engagement import (  # noqa: E402
    Follow,
    Notification,
    NotificationEvent,
    UnsubscribeToken,
)
from backend.db.types import SRID, utcnow  # noqa: E402
from backend.services import notifications  # noqa: E402
from tests.services import postgres_server  # noqa: E402

SITE = (-0.0950, 51.5150)
SECRET = "bench-secret-bench-secret-bench-secret"
LINKS = Links("http://localhost:8000", {"unsubscribe": "/api/v1/unsubscribe"})


def seed(db: Database, followers: int) -> int:
    rng = random.Random(14)
    now = utcnow()
    with db.engine.begin() as conn:
        users = [
            {
                "email": f"u{i}@example.org",
                "display_name": f"U{i}",
                "is_active": True,
                "locale": "en",
                "created_at": now,
                "updated_at": now,
            }
            for i in range(followers + followers // 2)
        ]
        for i in range(0, len(users), 20_000):
            conn.execute(sa.insert(User), users[i : i + 20_000])
        ids = list(conn.scalars(sa.select(User.id).order_by(User.id)))
        conn.execute(
            sa.insert(UnsubscribeToken),
            [{"user_id": u, "token": notifications.unsubscribe_token(SECRET, u)} for u in ids],
        )
        rows = []
        for n, uid in enumerate(ids):
            if n < followers:  # around the site: every square covers it
                lon = SITE[0] + rng.uniform(-0.0012, 0.0012)
                lat = SITE[1] + rng.uniform(-0.0008, 0.0008)
            else:  # elsewhere in London
                lon = rng.uniform(-0.30, -0.15)
                lat = rng.uniform(51.45, 51.56)
            w, s, e, n_ = lon - 0.0015, lat - 0.0009, lon + 0.0015, lat + 0.0009
            rows.append(
                {
                    "user_id": uid,
                    "label": "",
                    "area": f"SRID={SRID};POLYGON(({w} {s},{e} {s},{e} {n_},{w} {n_},{w} {s}))",
                    "min_lon": w,
                    "min_lat": s,
                    "max_lon": e,
                    "max_lat": n_,
                    "created_at": now,
                }
            )
        for i in range(0, len(rows), 20_000):
            conn.execute(sa.insert(Follow), rows[i : i + 20_000])
    with db.sessions() as session:
        site = box(SITE[0], SITE[1], SITE[0] + 0.0004, SITE[1] + 0.0004)
        proposal = Proposal(
            reference="BENCH/1",
            title="Bench",
            stage="consultation",
            published_at=now,
            site_boundary=from_shape(MultiPolygon([site]), SRID),
        )
        session.add(proposal)
        session.flush()
        notifications.record_stage_change(session, proposal, "consultation")
        session.commit()
        return proposal.id


def reset(db: Database) -> None:
    with db.engine.begin() as conn:
        conn.execute(sa.delete(Notification))
        conn.execute(sa.delete(OutboxMessage))
        conn.execute(sa.update(NotificationEvent).values(processed_at=None))


def floor(db: Database) -> float:
    with db.engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE IF EXISTS bench_floor"))
        conn.execute(sa.text("CREATE TABLE bench_floor (user_id INTEGER, title VARCHAR(300))"))
    t0 = time.perf_counter()
    with db.engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO bench_floor (user_id, title) SELECT id, 'x' FROM users "
                "WHERE id <= (SELECT MIN(id) FROM users) + :n - 1"
            ),
            {"n": ARGS.followers},
        )
    return time.perf_counter() - t0


def measure(url: str, label: str) -> None:
    db = Database.connect(url)
    migrate.upgrade(db.engine)
    t0 = time.perf_counter()
    seed(db, ARGS.followers)
    print(
        f"{label}: seeded {ARGS.followers} + {ARGS.followers // 2} follows in "
        f"{time.perf_counter() - t0:.1f} s",
        flush=True,
    )
    times, floors, made = [], [], (0, 0)
    for _ in range(3):
        reset(db)
        with db.sessions() as session:
            t0 = time.perf_counter()
            report = notifications.process_events(session, LINKS, SECRET)
            times.append(time.perf_counter() - t0)
            made = (report.notifications, report.queued)
        floors.append(floor(db))
    with db.sessions() as session:
        outbox = session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage))
    assert made == (ARGS.followers, ARGS.followers) and outbox == ARGS.followers, (made, outbox)
    med, fl = statistics.median(times), statistics.median(floors)
    print(
        f"{label}: fan-out of {made[0]} notifications + {made[1]} outbox rows: median "
        f"{med:.2f} s (runs {', '.join(f'{t:.2f}' for t in times)}); floor (bare INSERT … "
        f"SELECT of {ARGS.followers} rows) median {fl:.2f} s; ratio {med / fl:.1f}; "
        f"load average {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    db.dispose()


@contextmanager
def postgis_url() -> Iterator[str]:
    with postgres_server() as server:
        admin = sa.create_engine(server.url("postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text("CREATE DATABASE bench"))
        admin.dispose()
        yield server.url("bench")


def main() -> None:
    engines = ARGS.engines.split(",")
    if "spatialite" in engines:
        with tempfile.TemporaryDirectory() as tmp:
            measure(f"sqlite:///{tmp}/bench.sqlite", "spatialite")
    if "postgis" in engines:
        with postgis_url() as url:
            measure(url, "postgis")


parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
parser.add_argument("--followers", type=int, default=100_000)
parser.add_argument("--engines", default="spatialite,postgis")
ARGS = parser.parse_args()

if __name__ == "__main__":
    main()
