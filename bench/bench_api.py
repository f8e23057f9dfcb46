"""Throughput and latency of the API under 1 … 50 concurrent clients, on both engines.

Starts the real server (``civictwin serve``) on loopback: SpatiaLite with 1 worker, and PostGIS
(a server started like the test harness does) with 2 workers and Redis. Each database is seeded
with a small city's worth of rows (3 proposals, 20 comments on one, 5 opportunities) and a static
``tileset.json``. For every endpoint and concurrency it runs closed-loop keep-alive clients for
``--seconds`` and prints requests/s, p50/p95/p99 latency (ms), errors (non-2xx or transport) and
the load average, the server's CPU time per request (user + system, of the server process and
its worker processes, from ``/proc``: the least load-dependent figure on a shared machine),
beside it the PostgreSQL processes' CPU per request (``db``) and this client's (``client``), and
the ratio of the 50-client throughput to the best of all concurrencies.

The client is a minimal HTTP/1.1 keep-alive client on asyncio streams in this process (one
connection per client), so its own cost per request stays small next to the server's; it shares
the machine's cores with the server, so compare figures of one run, and read the load average.

    .venv/bin/python bench/bench_api.py [--engines spatialite,postgis] [--clients 1,10,50]
        [--seconds 5] [--json out.json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, nullcontext
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from geoalchemy2.elements import WKTElement  # noqa: E402

from backend.db import migrate  # noqa: E402
from backend.db.engine import Database  # noqa: E402
from backend.db.models import Comment, Opportunity, Proposal, User, UserRole  # noqa: E402
from backend.db.types import utcnow  # noqa: E402
from tests.services import free_port, postgres_server, redis_server  # noqa: E402

TILESET = {
    "asset": {"version": "1.1"},
    "geometricError": 100.0,
    "root": {
        "boundingVolume": {"region": [-0.0019, 0.8988, -0.0016, 0.8990, 0.0, 60.0]},
        "geometricError": 0.0,
        "refine": "ADD",
    },
}


def _square(lon: float, lat: float, size: float) -> str:
    x1, y1 = lon + size, lat + size
    return f"MULTIPOLYGON((({lon} {lat},{x1} {lat},{x1} {y1},{lon} {y1},{lon} {lat})))"


def seed(url: str, tiles_dir: Path) -> int:
    """Migrate and fill the database; write a static tileset. Returns the commented proposal."""
    db = Database.connect(url)
    migrate.upgrade(db.engine)
    today = utcnow().date()
    with db.sessions() as session:
        user = User(
            email="bench@example.org",
            password_hash="x",
            display_name="Bench",
            roles=[UserRole(role="citizen")],
            email_verified_at=utcnow(),
        )
        session.add(user)
        proposals = [
            Proposal(
                reference=f"BENCH/{n}",
                title=f"Bench proposal {n}",
                description="A mixed-use scheme of shops and flats around a new square. " * 4,
                stage="consultation",
                consultation_start=today - timedelta(days=3),
                consultation_end=today + timedelta(days=20),
                site_boundary=WKTElement(_square(-0.0950 + 0.002 * n, 51.5150, 0.001), srid=4326),
            )
            for n in range(3)
        ]
        session.add_all(proposals)
        session.flush()
        for n in range(20):
            session.add(
                Comment(
                    proposal_id=proposals[0].id,
                    depth=1,
                    author_id=user.id,
                    body=f"Comment {n}: the square should keep the morning sun.",
                    sentiment="neutral",
                    topics=["light"],
                    state="published",
                    agree_count=0,
                    disagree_count=0,
                    report_count=0,
                    created_at=utcnow(),
                )
            )
        for n in range(5):
            session.add(
                Opportunity(
                    proposal_id=proposals[n % 3].id,
                    title=f"Work package {n}",
                    description="Groundworks and landscaping of the square.",
                    published_at=utcnow(),
                )
            )
        session.commit()
        commented = proposals[0].id
    db.dispose()
    folder = tiles_dir / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "tileset.json").write_text(json.dumps(TILESET))
    return commented


#: The server process of each port served by :func:`serve` (for its CPU time).
SERVER_PIDS: dict[int, int] = {}


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of ``pid`` and its direct children (uvicorn's workers)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # a process that ended meanwhile
        # after the name: state ppid ... utime (14th field of the line) stime (15th)
        if int(stat.parent.name) == pid or int(fields[1]) == pid:
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def _postgres_cpu_seconds() -> float:
    """User + system CPU time of every PostgreSQL process on the machine (the bench's own
    server and its backends: the part of a request's cost that is not in our process)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            name, rest = stat.read_text().split("(", 1)[1].rsplit(")", 1)
        except (OSError, ValueError):
            continue
        if name == "postgres":
            fields = rest.split()
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


@contextmanager
def serve(
    env: dict[str, str],
    workers: int,
    server: list[str] | None = None,
    ready_path: str = "/api/v1/health",
    cwd: Path = ROOT,
) -> Iterator[tuple[str, int]]:
    """Run ``server`` (default: ``civictwin serve``) with ``workers`` on a free loopback port."""
    port = free_port()
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("CIVICTWIN_")}
    full_env.update(env)
    base = server or [sys.executable, "-m", "backend.cli", "serve"]
    cmd = [*base, "--host", "127.0.0.1", "--port", str(port)]
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(
            [*cmd, "--workers", str(workers)],
            env=full_env,
            cwd=cwd,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        try:
            deadline = time.monotonic() + 120
            while True:
                try:
                    status, _ = asyncio.run(_one("127.0.0.1", port, ready_path))
                    if status == 200:
                        break
                except OSError:
                    pass
                if time.monotonic() > deadline or proc.poll() is not None:
                    log.seek(0)
                    tail = log.read().decode(errors="replace")[-3000:]
                    raise SystemExit(f"the server did not start:\n{tail}")
                time.sleep(0.2)
            SERVER_PIDS[port] = proc.pid
            yield "127.0.0.1", port
        finally:
            proc.terminate()
            proc.wait(30)


# --- a small keep-alive HTTP/1.1 client ---------------------------------------------------------


async def _read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            k, _, v = line.partition(":")
            headers[k.strip().lower()] = v.strip()
    if "content-length" in headers:
        await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding") == "chunked":
        while True:
            size = int((await reader.readuntil(b"\r\n")).strip(), 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    return status


def _request(host: str, port: int, path: str) -> bytes:
    return (
        f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAccept: application/json\r\n\r\n".encode()
    )


async def _one(host: str, port: int, path: str) -> tuple[int, float]:
    reader, writer = await asyncio.open_connection(host, port)
    t0 = time.perf_counter()
    writer.write(_request(host, port, path))
    status = await _read_response(reader)
    writer.close()
    return status, time.perf_counter() - t0


async def _client(
    host: str, port: int, path: str, until: float, latencies: list[float], errors: list[str]
) -> None:
    request = _request(host, port, path)
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while time.perf_counter() < until:
            t0 = time.perf_counter()
            try:
                writer.write(request)
                status = await _read_response(reader)
            except (OSError, asyncio.IncompleteReadError) as exc:
                errors.append(type(exc).__name__)
                writer.close()
                reader, writer = await asyncio.open_connection(host, port)
                continue
            latencies.append(time.perf_counter() - t0)
            if not 200 <= status < 300:
                errors.append(str(status))
    finally:
        writer.close()


async def _run(host: str, port: int, path: str, clients: int, seconds: float) -> dict[str, Any]:
    latencies: list[float] = []
    errors: list[str] = []
    for _ in range(max(clients, 5)):  # warm up: pools, caches, every worker
        await _one(host, port, path)
    pid = SERVER_PIDS.get(port)
    cpu_before = _cpu_seconds(pid) if pid else 0.0
    db_before = _postgres_cpu_seconds()
    client_before = time.process_time()
    start = time.perf_counter()
    until = start + seconds
    await asyncio.gather(
        *(_client(host, port, path, until, latencies, errors) for _ in range(clients))
    )
    elapsed = time.perf_counter() - start
    cpu = (_cpu_seconds(pid) - cpu_before) if pid else 0.0
    db_cpu = _postgres_cpu_seconds() - db_before
    client_cpu = time.process_time() - client_before
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    return {
        "requests": len(latencies),
        "rps": len(latencies) / elapsed,
        "p50_ms": q[49] * 1000,
        "p95_ms": q[94] * 1000,
        "p99_ms": q[98] * 1000,
        "cpu_ms_per_request": cpu * 1000 / max(len(latencies), 1),
        "db_cpu_ms_per_request": db_cpu * 1000 / max(len(latencies), 1),
        "client_cpu_ms_per_request": client_cpu * 1000 / max(len(latencies), 1),
        "errors": len(errors),
        "error_kinds": sorted(set(errors)),
        "load": os.getloadavg()[0],
    }


def bench_engine(
    engine: str,
    clients: list[int],
    seconds: float,
    tmp: Path,
    pg_url: str | None,
    redis: str,
    tipg_python: str | None,
    baseline: Path | None = None,
    rounds: int = 1,
    only: list[str] | None = None,
) -> list[dict[str, Any]]:
    tiles = tmp / f"tiles-{engine}"
    url = pg_url if engine == "postgis" else f"sqlite:///{tmp}/bench.sqlite"
    assert url is not None
    commented = seed(url, tiles)
    env = {
        "CIVICTWIN_DATABASE_URL": url,
        "CIVICTWIN_TILES_DIR": str(tiles),
        "CIVICTWIN_UPLOADS_DIR": str(tmp / f"uploads-{engine}"),
    }
    workers = 1
    if engine == "postgis":
        env["CIVICTWIN_REDIS_URL"] = redis
        workers = 2
    paths = {
        "proposals": "/api/v1/proposals",
        "comments": f"/api/v1/proposals/{commented}/comments",
        "opportunities": "/api/v1/opportunities",
        "health": "/api/v1/health",
        "tileset.json": "/tiles/bench/tileset.json",
        "ogc items": "/ogc/collections/proposals/items",
    }
    rows: list[dict[str, Any]] = []

    def measure(name: str, sides: list[tuple[str, str, int, str]]) -> None:
        """Each side (label, host, port, path) in turn, ``rounds`` times, so that every side
        meets the same neighbours' load; each side's median round is kept."""
        for n in clients:
            got: dict[str, list[dict[str, Any]]] = {label: [] for label, *_ in sides}
            for _ in range(rounds):
                for label, host, port, path in sides:
                    got[label].append(asyncio.run(_run(host, port, path, n, seconds)))
            for label, results in got.items():
                result = _median_round(results)
                row = {"engine": label, "workers": workers, "endpoint": name, "clients": n}
                row.update(result)
                rows.append(row)
                print(
                    f"{label:10} {name:13} c={n:<3} {result['rps']:8.1f} req/s  "
                    f"p50 {result['p50_ms']:7.2f}  p95 {result['p95_ms']:7.2f}  "
                    f"p99 {result['p99_ms']:7.2f} ms  cpu {result['cpu_ms_per_request']:5.2f} "
                    f"ms/req  db {result['db_cpu_ms_per_request']:5.2f}  "
                    f"client {result['client_cpu_ms_per_request']:5.2f}  "
                    f"errors {result['errors']:<4} "
                    f"load {result['load']:.1f}  ({len(results)} rounds)",
                    flush=True,
                )

    tipg_env = {
        "DATABASE_URL": url.replace("postgresql+psycopg://", "postgresql://"),
        "TIPG_DB_SCHEMAS": '["public"]',
        "TIPG_DB_TABLES": '["public.proposals"]',
    }
    tipg_cmd = [tipg_python or "", "-m", "uvicorn", "tipg.main:app", "--log-level", "warning"]
    with ExitStack() as stack:
        ours = stack.enter_context(serve(env, workers))
        base = stack.enter_context(serve(env, workers, cwd=baseline)) if baseline else None
        tipg = (
            stack.enter_context(serve(tipg_env, workers, tipg_cmd, "/collections"))
            if engine == "postgis" and tipg_python
            else None
        )
        for name, path in paths.items():
            if only and name not in only:
                continue
            sides = [(engine, *ours, path)]
            if base:
                sides.append((f"{engine}@base", *base, path))
            if tipg and name == "ogc items":
                sides.append(("tipg", *tipg, "/collections/public.proposals/items"))
            measure(name, sides)
    return rows


def _median_round(results: list[dict[str, Any]]) -> dict[str, Any]:
    """The round of median throughput (its latencies with it), errors summed over rounds."""
    ranked = sorted(results, key=lambda r: r["rps"])
    middle = dict(ranked[len(ranked) // 2])
    middle["errors"] = sum(r["errors"] for r in results)
    middle["error_kinds"] = sorted({k for r in results for k in r["error_kinds"]})
    middle["load"] = statistics.median(r["load"] for r in results)
    middle["cpu_ms_per_request"] = statistics.median(r["cpu_ms_per_request"] for r in results)
    middle["rounds"] = [round(r["rps"], 1) for r in results]
    return middle


def summarise(rows: list[dict[str, Any]], top: int) -> None:
    print("\nthroughput at the most clients against the best of all concurrencies:")
    keys = sorted({(r["engine"], r["endpoint"]) for r in rows})
    for engine, endpoint in keys:
        mine = [r for r in rows if r["engine"] == engine and r["endpoint"] == endpoint]
        peak = max(r["rps"] for r in mine)
        at_top = next((r for r in mine if r["clients"] == top), None)
        if at_top is None:
            continue
        print(f"{engine:10} {endpoint:13} {at_top['rps'] / peak:6.0%} of peak {peak:.0f} req/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engines", default="spatialite,postgis")
    parser.add_argument("--clients", default="1,10,50")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--json", type=Path)
    parser.add_argument(
        "--endpoints",
        default="",
        help="comma-separated endpoint names to run (default: all), e.g. comments,ogc items",
    )
    parser.add_argument(
        "--baseline",
        type=Path,
        metavar="DIR",
        help="a source tree of an earlier commit (`git archive COMMIT | tar -x -C DIR`): its "
        "server runs beside ours on the same database, endpoint by endpoint, round by round",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="rounds per endpoint and concurrency; with --baseline or --tipg the sides "
        "alternate each round, and each side's median round is reported",
    )
    parser.add_argument(
        "--tipg",
        metavar="PYTHON",
        help="a Python with tipg and uvicorn installed (its own venv, not the project's): "
        "serves the same PostGIS proposals table for a side-by-side OGC items run",
    )
    args = parser.parse_args()
    engines = args.engines.split(",")
    clients = [int(c) for c in args.clients.split(",")]
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        pg = postgres_server() if "postgis" in engines else nullcontext()
        rd = redis_server() if "postgis" in engines else nullcontext()
        with pg as server, rd as redis:
            for engine in engines:
                pg_url = None
                if engine == "postgis":
                    admin = sa.create_engine(server.url("postgres"), isolation_level="AUTOCOMMIT")
                    with admin.connect() as conn:
                        conn.execute(sa.text("CREATE DATABASE bench"))
                    admin.dispose()
                    pg_url = server.url("bench")
                redis_url = redis.url if redis else ""
                rows += bench_engine(
                    engine,
                    clients,
                    args.seconds,
                    Path(tmp),
                    pg_url,
                    redis_url,
                    args.tipg,
                    args.baseline,
                    args.rounds,
                    [e for e in args.endpoints.split(",") if e],
                )
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    summarise(rows, max(clients))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
