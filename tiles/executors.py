"""One executor protocol for the work units: in-process, forked local processes, or Dask.

An executor takes a partition (:class:`tiles.types.PartitionResult`) and yields one
:class:`tiles.parallel.UnitFiles` per work unit (the records of the tiles it wrote), in any
order: the write stage merges them into one tileset, whichever executor ran (tests compare the
outputs byte for byte). ``meanwhile`` is work for the driver (writing ``buildings.fgb``): an
executor whose units run elsewhere calls it while they do, the in-process one after the units.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from tiles.build import ContentOptions
from tiles.parallel import UnitFiles, UriOf, run_forked, write_tiles, write_unit
from tiles.types import BuildOptions, PartitionResult

Meanwhile = Callable[[], None] | None


class Executor(Protocol):
    """Runs every unit of ``part``, writing its tiles into ``tmp`` (paths from ``uri_of``)."""

    def units(
        self,
        part: PartitionResult,
        datasets: list[str],
        copts: ContentOptions,
        tmp: Path,
        uri_of: UriOf,
        meanwhile: Meanwhile,
    ) -> Iterator[UnitFiles]: ...


@dataclass
class InProcess:
    """Unit after unit in this process."""

    def units(
        self,
        part: PartitionResult,
        datasets: list[str],
        copts: ContentOptions,
        tmp: Path,
        uri_of: UriOf,
        meanwhile: Meanwhile,
    ) -> Iterator[UnitFiles]:
        for k in range(len(part.units)):
            yield write_unit(part, k, datasets, copts, tmp, uri_of)
        if meanwhile is not None:
            meanwhile()


@dataclass
class Forked:
    """``jobs`` forked local processes that inherit the partition and write their own tiles."""

    jobs: int

    def units(
        self,
        part: PartitionResult,
        datasets: list[str],
        copts: ContentOptions,
        tmp: Path,
        uri_of: UriOf,
        meanwhile: Meanwhile,
    ) -> Iterator[UnitFiles]:
        return run_forked(part, datasets, copts, tmp, uri_of, self.jobs, meanwhile)


@dataclass
class OnDask:
    """A Dask cluster (local, or the scheduler in ``options``): workers may not share our file
    system, so they return glb bytes and the driver writes them as they arrive."""

    options: BuildOptions

    def units(
        self,
        part: PartitionResult,
        datasets: list[str],
        copts: ContentOptions,
        tmp: Path,
        uri_of: UriOf,
        meanwhile: Meanwhile,
    ) -> Iterator[UnitFiles]:
        from tiles.distributed import run_on_dask

        # loaded one at a time as the cluster takes them (a bounded build's units are on disk)
        tasks = ((part.unit_table(k), nodes) for k, nodes in enumerate(part.units))
        done = run_on_dask(tasks, len(part.units), part.frame, datasets, copts, self.options)
        for result in done:
            yield write_tiles(result, copts, tmp, uri_of)
        if meanwhile is not None:
            meanwhile()


def choose(options: BuildOptions, jobs: int) -> Executor:
    """Dask when asked for (``workers``/``scheduler``), forked with more than one job, else in
    process."""
    if options.workers > 0 or options.scheduler:
        return OnDask(options)
    if jobs > 1:
        return Forked(jobs)
    return InProcess()
