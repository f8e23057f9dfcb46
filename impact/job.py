"""A study as a unit of work for a background job: plain data in, plain data out.

:func:`compute` is what a job runs, in a child process (:func:`child_main`, fed through a pipe)
or on a Dask worker; it never touches a database or a file, so it can run anywhere the
``impact`` package is installed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from impact.errors import ImpactError
from impact.scene import table_from_records
from impact.study import ProtectedView, StudyOptions, run_study
from tiles.model import FeatureTable

log = logging.getLogger(__name__)
Progress = Callable[[str, int], None]


def options_from(options: dict[str, Any], views: Sequence[dict[str, Any]] = ()) -> StudyOptions:
    """:class:`StudyOptions` from a job's JSON options and protected views."""
    opts = StudyOptions(**options)
    opts.views = [
        ProtectedView(
            name=str(v["name"]),
            eye=(float(v["eye"][0]), float(v["eye"][1]), float(v["eye"][2])),
            target=(float(v["target"][0]), float(v["target"][1]), float(v["target"][2])),
            landmark_ids=tuple(str(i) for i in v.get("landmark_ids", ())),
            fov_deg=float(v.get("fov_deg", 30.0)),
        )
        for v in views
    ]
    return opts


def compute(
    city: FeatureTable,
    massing: Sequence[dict[str, Any]],
    replaces: Sequence[str],
    options: dict[str, Any],
    views: Sequence[dict[str, Any]] = (),
    reuse: dict[str, Any] | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Run the study of ``massing`` (records with GeoJSON footprints) in ``city``; ``reuse``
    is an earlier result's ``_before`` block (see :func:`impact.study.run_study`)."""
    scheme = table_from_records(massing, prefix="massing")
    opts = options_from(options, views)
    return run_study(city, scheme, list(replaces), opts, progress, reuse)


def child_main(conn: Any, args: tuple[Any, ...]) -> None:
    """Entry point of a study's child process: progress and the result go back through
    ``conn`` as ``("progress", stage, pct)``, ``("done", result)`` or ``("error", reason)``."""
    try:
        _answer(conn, args)
    finally:
        conn.close()


def worker_main(
    conn: Any,
    cache_entries: int,
    cache_mb: float,
    cache_dir: str | None = None,
    cache_disk_mb: float = 0.0,
) -> None:
    """Entry point of a long-lived study process: it runs one study per ``args`` tuple it
    receives on ``conn`` (answering as :func:`child_main`) until ``None`` or the pipe's end.

    The process keeps :func:`impact.cache.shared` between studies, bounded by
    ``cache_entries`` and ``cache_mb``: a re-run of a proposal after one block changed finds
    the city's scenes and rays of the first run there. With ``cache_dir`` (and
    ``cache_disk_mb`` > 0) the cache's plain-data entries also go to that folder, so that the
    next study process (after a restart or a crash) finds them too.
    """
    from impact.cache import configure

    configure(cache_entries, cache_mb, cache_dir, cache_disk_mb if cache_dir else 0.0)
    try:
        while True:
            try:
                args = conn.recv()
            except EOFError:
                break
            if args is None:
                break
            _answer(conn, args)
    finally:
        conn.close()


def _answer(conn: Any, args: tuple[Any, ...]) -> None:
    try:
        city, massing, replaces, options, views, reuse = args
        result = compute(
            city,
            massing,
            replaces,
            options,
            views,
            reuse,
            progress=lambda stage, pct: conn.send(("progress", stage, pct)),
        )
    except ImpactError as exc:
        conn.send(("error", str(exc)))
    except MemoryError:
        conn.send(("error", "the study ran out of memory"))
    except Exception:  # the parent records a reason; the traceback goes to this process' log
        log.exception("impact study failed")
        conn.send(("error", "the study failed with an internal error (see the server log)"))
    else:
        conn.send(("done", result))
