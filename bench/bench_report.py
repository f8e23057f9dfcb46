"""Consultation report of a consultation with N comments (default 10,000), on both engines.

Seeds a published proposal with 2 variants, N comments from N/5 accounts (sentiments, topics,
anchors for half, a variant for a third, replies for a tenth, e-mail addresses and phone
numbers in some bodies), 500 preferences and a theme with an official response; then times
``reports.generate`` (gather, redact, render the HTML page and the two CSVs, store them as
documents, commit) three times and prints the median beside a floor measured in the same run:
reading the same comments back (``repositories.reports.published_comments``) and writing them
as CSV, with no counting, redaction or HTML.

    .venv/bin/python bench/bench_report.py [--comments 10000] [--engines spatialite,postgis]
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SPATIALITE_LIBRARY_PATH", "mod_spatialite")

import sqlalchemy as sa  # noqa: E402
from geoalchemy2.shape import from_shape  # noqa: E402
from shapely.geometry import MultiPolygon, box  # noqa: E402

from backend.db import migrate  # noqa: E402
from backend.db.engine import Database  # noqa: E402
from backend.db.models import TOPICS, Comment, Proposal, User  # noqa: E402
from backend.db.models_engagement import (  # noqa: E402
    CommentTheme,
    CommentThemeMember,
    OfficialResponse,
    ProposalVariant,
    VariantPreference,
)
from backend.db.types import SRID, utcnow  # noqa: E402
from backend.repositories import reports as reports_repo  # noqa: E402
from backend.services import reports  # noqa: E402
from tests.services import postgres_server  # noqa: E402

SITE = (-0.0950, 51.5150)


def seed(db: Database, n: int) -> int:
    rng = random.Random(14)
    now = utcnow()
    with db.sessions() as session:
        proposal = Proposal(
            reference="BENCH/2",
            title="Bench",
            stage="consultation",
            published_at=now,
            site_boundary=from_shape(
                MultiPolygon([box(SITE[0], SITE[1], SITE[0] + 0.0008, SITE[1] + 0.0006)]), SRID
            ),
        )
        session.add(proposal)
        session.flush()
        variants = [ProposalVariant(proposal_id=proposal.id, name=x) for x in ("A", "B")]
        session.add_all(variants)
        session.commit()
        pid, vids = proposal.id, [v.id for v in variants]
    with db.engine.begin() as conn:
        conn.execute(
            sa.insert(User),
            [
                {
                    "email": f"r{i}@example.org",
                    "display_name": f"Resident name {i}",
                    "is_active": True,
                    "locale": "en",
                    "created_at": now,
                    "updated_at": now,
                }
                for i in range(n // 5)
            ],
        )
        users = list(conn.scalars(sa.select(User.id).order_by(User.id)))
        rows = []
        for i in range(n):
            anchored = i % 2 == 0
            lon = SITE[0] + rng.uniform(0, 0.0008)
            lat = SITE[1] + rng.uniform(0, 0.0006)
            body = f"Comment {i} about the scheme."
            if i % 50 == 0:
                body += " Mail me at someone@example.org or ring 020 7946 0958."
            rows.append(
                {
                    "proposal_id": pid,
                    "depth": 1,
                    "author_id": users[i % len(users)],
                    "body": body,
                    "sentiment": rng.choice(("objection", "neutral", "supportive")),
                    "topics": rng.sample(TOPICS, 2),
                    "anchor_point": f"SRID={SRID};POINT({lon} {lat})" if anchored else None,
                    "variant_id": vids[i % 2] if i % 3 == 0 else None,
                    "state": "published",
                    "agree_count": 0,
                    "disagree_count": 0,
                    "report_count": 0,
                    "created_at": now - timedelta(minutes=n - i),
                }
            )
        for i in range(0, n, 5_000):
            conn.execute(sa.insert(Comment), rows[i : i + 5_000])
        firsts = list(conn.scalars(sa.select(Comment.id).order_by(Comment.id).limit(n // 10)))
        conn.execute(
            sa.update(Comment)
            .where(Comment.id.in_(firsts[1:]))
            .values(parent_id=firsts[0], depth=2)
        )
        conn.execute(
            sa.insert(VariantPreference),
            [
                {"user_id": u, "proposal_id": pid, "variant_id": vids[u % 2], "updated_at": now}
                for u in users[:500]
            ],
        )
    with db.sessions() as session:
        theme = CommentTheme(proposal_id=pid, title="Height")
        session.add(theme)
        session.flush()
        session.add_all(CommentThemeMember(theme_id=theme.id, comment_id=c) for c in firsts[:200])
        session.add(
            OfficialResponse(
                proposal_id=pid,
                theme_id=theme.id,
                body="Lowered",
                disposition="scheme_changed",
                change_made="Two storeys fewer",
            )
        )
        session.commit()
    return pid


def floor(db: Database, pid: int) -> float:
    with db.sessions() as session:
        t0 = time.perf_counter()
        rows = reports_repo.published_comments(session, pid)
        out = io.StringIO()
        writer = csv.writer(out)
        for r in rows:
            writer.writerow([r.id, r.author_id, r.body, r.sentiment, r.lon, r.lat])
        return time.perf_counter() - t0


def measure(url: str, label: str, uploads: Path) -> None:
    db = Database.connect(url)
    migrate.upgrade(db.engine)
    pid = seed(db, ARGS.comments)
    times, floors, count = [], [], 0
    for _ in range(3):
        with db.sessions() as session:
            proposal = session.get(Proposal, pid)
            assert proposal is not None
            t0 = time.perf_counter()
            report = reports.generate(
                session, proposal, trigger="on_demand", uploads_dir=uploads, user_id=None
            )
            times.append(time.perf_counter() - t0)
            count = report.counts["comments"]
        floors.append(floor(db, pid))
    assert count == ARGS.comments, count
    med, fl = statistics.median(times), statistics.median(floors)
    print(
        f"{label}: report of {count} comments: median {med:.2f} s (runs "
        f"{', '.join(f'{t:.2f}' for t in times)}); floor (read them back + plain CSV) median "
        f"{fl:.2f} s; ratio {med / fl:.1f}; load average {os.getloadavg()[0]:.1f}",
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
    with tempfile.TemporaryDirectory() as tmp:
        if "spatialite" in engines:
            measure(f"sqlite:///{tmp}/bench.sqlite", "spatialite", Path(tmp) / "uploads")
        if "postgis" in engines:
            with postgis_url() as url:
                measure(url, "postgis", Path(tmp) / "uploads-pg")


parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
parser.add_argument("--comments", type=int, default=10_000)
parser.add_argument("--engines", default="spatialite,postgis")
ARGS = parser.parse_args()

if __name__ == "__main__":
    main()
