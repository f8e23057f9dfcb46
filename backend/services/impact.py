"""Impact studies of proposals: load the proposal's massing and city, run :mod:`impact.study`.

The compute lives in the ``impact`` package (it never imports the backend); this module only
turns database rows into its inputs.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from backend.errors import InvalidInputError, NotFoundError
from backend.repositories import proposals as repo
from backend.repositories.geometry import to_shape
from backend.repositories.session import Session
from backend.settings import Settings
from tiles.geometry.crs import metres_per_degree
from tiles.pipeline import BUILDINGS_FILE

# the study never looks further than its largest radius (400 m of points + 600 m of shadow)
_READ_MARGIN_M = 1100.0


def _proposal(session: Session, key: str) -> Any:
    found = repo.get(session, int(key)) if key.isdigit() else None
    found = found or repo.by_reference(session, key)
    if found is None:
        raise NotFoundError(f"proposal {key!r} not found (give its id or reference)")
    return found


def run_analysis(
    session: Session, settings: Settings, key: str, output: Path | None, sunshine: str
) -> list[str]:
    """Run the study of proposal ``key`` (id or reference); write the results to ``output``
    (JSON, atomically) when given; return the summary sentences."""
    from impact.cache import configure
    from impact.errors import ImpactError
    from impact.scene import read_city, table_from_records
    from impact.study import StudyOptions, run_study

    # a run of the command line is a fresh process: what an earlier run (or a server's study
    # process) kept in the cache folder makes a re-run fast
    folder = settings.impact_cache_folder
    configure(disk_dir=folder, disk_mb=settings.impact_cache_disk_mb if folder else 0.0)

    proposal = _proposal(session, key)
    if not proposal.massing:
        raise InvalidInputError(f"proposal {proposal.reference}: no massing to analyse")
    if not proposal.tileset:
        raise InvalidInputError(f"proposal {proposal.reference}: not placed in a city tileset")
    path = settings.tiles_dir / proposal.tileset / BUILDINGS_FILE
    if not path.is_file():
        raise InvalidInputError(f"tileset {proposal.tileset!r}: no {BUILDINGS_FILE} at {path}")
    records = [
        {
            "id": str(m.id),
            "footprint": to_shape(m.footprint),
            "height_m": m.height_m,
            "base_height_m": m.base_height_m,
            "storeys": m.storeys,
            "name": m.name,
        }
        for m in proposal.massing
    ]
    try:
        scheme = table_from_records(records, prefix="massing")
        bounds = np.array([r["footprint"].bounds for r in records])
        minx, miny = bounds[:, 0].min(), bounds[:, 1].min()
        maxx, maxy = bounds[:, 2].max(), bounds[:, 3].max()
        mx, my = (float(v[0]) for v in metres_per_degree(np.array([(miny + maxy) / 2])))
        dx, dy = _READ_MARGIN_M / mx, _READ_MARGIN_M / my
        city = read_city(path.parent, (minx - dx, miny - dy, maxx + dx, maxy + dy))
        options = StudyOptions(time_zone=settings.time_zone, sunshine=sunshine)
        result = run_study(city, scheme, list(proposal.replaces or []), options)
    except ImpactError as exc:
        raise InvalidInputError(f"proposal {proposal.reference}: {exc}") from exc
    result["proposal"] = {"id": proposal.id, "reference": proposal.reference}
    if output is not None:
        output.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=output.parent, prefix=f".{output.name}.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(result, fh)
        os.replace(tmp, output)
    return list(result["summary"])
