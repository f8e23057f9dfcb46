"""Run the work units on Dask: a local cluster (``--workers N``) or an existing scheduler.

Units carry plain data (rows of the buildings table and node specs) and return plain data (glb
bytes and boxes), so workers need no shared file system; the driver writes every file.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from tiles.build import ContentOptions, NodeSpec, UnitResult, build_unit
from tiles.errors import TilingError
from tiles.geometry.crs import LocalFrame
from tiles.model import FeatureTable

if TYPE_CHECKING:
    from tiles.pipeline import BuildOptions

log = logging.getLogger(__name__)


def run_on_dask(
    tasks: list[tuple[FeatureTable, list[NodeSpec]]],
    frame: LocalFrame,
    datasets: list[str],
    copts: ContentOptions,
    options: BuildOptions,
    progress: Callable[[str, int, int], None] | None = None,
) -> list[UnitResult]:
    """Submit one task per unit and return the results in unit order."""
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
        log.info("dask: %d units on %s", len(tasks), client.scheduler_info().get("address"))
        futures = [
            client.submit(build_unit, rows, nodes, frame, datasets, copts, pure=False)
            for rows, nodes in tasks
        ]
        index = {f.key: i for i, f in enumerate(futures)}
        results: list[UnitResult | None] = [None] * len(futures)
        for done, fut in enumerate(as_completed(futures), start=1):
            results[index[fut.key]] = fut.result()
            if progress:
                progress("tiles", done, len(futures))
        return [r for r in results if r is not None]
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
