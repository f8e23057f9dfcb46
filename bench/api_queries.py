"""SQL statements and thread-pool hops per request of the benchmark's endpoints (bench_api.py).

Deterministic, unlike timings on a shared machine: the same seeded SpatiaLite database as
``bench_api.py``, each endpoint asked once after a warm-up, statements counted with SQLAlchemy's
``before_cursor_execute`` event and hops to the thread pool by wrapping anyio's
``to_thread.run_sync``. ``--root DIR`` measures another source tree (e.g. an earlier commit
unpacked with ``git archive COMMIT | tar -x -C DIR``).

    .venv/bin/python bench/api_queries.py [--root DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parents[1])
    args = parser.parse_args()
    root = args.root.resolve()
    sys.path.insert(0, str(root))
    sys.path.insert(0, str(root / "bench"))
    os.environ.setdefault("SPATIALITE_LIBRARY_PATH", "mod_spatialite")
    import anyio.to_thread
    import sqlalchemy as sa
    from bench_api import seed
    from fastapi.testclient import TestClient

    from backend.main import create_app
    from backend.settings import Settings

    tmp = Path(tempfile.mkdtemp())
    url = f"sqlite:///{tmp}/bench.sqlite"
    commented = seed(url, tmp / "tiles")
    settings = Settings(database_url=url, tiles_dir=tmp / "tiles", uploads_dir=tmp / "uploads")
    app = create_app(settings)
    counts = {"sql": 0, "hops": 0}

    def on_execute(*_: Any) -> None:
        counts["sql"] += 1

    original = anyio.to_thread.run_sync

    async def counted(*a: Any, **k: Any) -> Any:
        counts["hops"] += 1
        return await original(*a, **k)

    anyio.to_thread.run_sync = counted  # type: ignore[assignment]
    paths = {
        "proposals": "/api/v1/proposals",
        "comments": f"/api/v1/proposals/{commented}/comments",
        "opportunities": "/api/v1/opportunities",
        "health": "/api/v1/health",
        "tileset.json": "/tiles/bench/tileset.json",
        "ogc items": "/ogc/collections/proposals/items",
    }
    out: dict[str, dict[str, int]] = {}
    with TestClient(app) as client:
        sa.event.listen(app.state.db.engine, "before_cursor_execute", on_execute)
        for name, path in paths.items():
            assert client.get(path).status_code == 200, path
            counts.update(sql=0, hops=0)
            assert client.get(path).status_code == 200, path
            out[name] = dict(counts)
            print(f"{name:14} {counts['sql']:3} SQL statements  {counts['hops']:3} thread hops")
    print(json.dumps({"root": str(root), "per_request": out}))


if __name__ == "__main__":
    main()
