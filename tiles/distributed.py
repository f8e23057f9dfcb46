"""Run the work units on Dask: a local cluster (``--workers N``) or an existing scheduler.

Units carry plain data (rows of the buildings table and node specs) and return plain data (glb
bytes and boxes), so workers need no shared file system; the driver writes every file.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from typing import Any

from tiles.build import ContentOptions, NodeSpec, UnitResult, build_unit
from tiles.errors import TilingError
from tiles.geometry.crs import LocalFrame
from tiles.model import FeatureTable
from tiles.types import BuildOptions

log = logging.getLogger(__name__)


def run_on_dask(
    tasks: Iterable[tuple[FeatureTable, list[NodeSpec]]],
    count: int,
    frame: LocalFrame,
    datasets: list[str],
    copts: ContentOptions,
    options: BuildOptions,
) -> Iterator[UnitResult]:
    """Submit one task per unit and yield the results as they complete. Tasks are taken from
    ``tasks`` only as workers free up (a few per worker in flight), so neither the driver nor the
    cluster holds every unit's rows or tiles at once; output does not depend on the order."""
    from dask.distributed import Client, LocalCluster, as_completed

    cluster: Any = None
    try:
        if options.scheduler:
            client = Client(options.scheduler, timeout="20s")
        else:
            cluster = LocalCluster(
                n_workers=options.workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                silence_logs=logging.WARNING,
            )
            client = Client(cluster)
    except (OSError, TimeoutError) as exc:
        raise TilingError(f"cannot reach the Dask scheduler ({exc})") from exc
    try:
        workers = max(len(client.scheduler_info().get("workers", {})), 1)
        log.info("dask: %d units on %d workers", count, workers)
        pending = iter(tasks)

        def submit() -> Any:
            task = next(pending, None)
            if task is None:
                return None
            rows, nodes = task
            return client.submit(build_unit, rows, nodes, frame, datasets, copts, pure=False)

        first = [f for f in (submit() for _ in range(2 * workers)) if f is not None]
        running = as_completed(first)
        for fut in running:
            result = fut.result()
            fut.release()
            nxt = submit()
            if nxt is not None:
                running.add(nxt)
            yield result
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
