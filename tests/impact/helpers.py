"""Tiny scenes in metres around a frame at 51.5 N, 0 E, as lon/lat footprints."""

from __future__ import annotations

from typing import Any

import numpy as np
import shapely

from impact.points import Points
from impact.scene import Scene, table_from_records
from tiles.geometry.crs import LocalFrame, metres_per_degree

FRAME = LocalFrame(0.0, 51.5)
_MX, _MY = (float(v[0]) for v in metres_per_degree(np.array([51.5])))


def box_m(x0: float, y0: float, x1: float, y1: float) -> shapely.Polygon:
    """A lon/lat rectangle from metres east/north of the frame's origin (small-area approx)."""
    return shapely.box(x0 / _MX, 51.5 + y0 / _MY, x1 / _MX, 51.5 + y1 / _MY)


def block(name: str, x0: float, y0: float, x1: float, y1: float, h: float, **kw: Any) -> dict:
    return {"id": name, "footprint": box_m(x0, y0, x1, y1), "height_m": h, **kw}


def scene_of(*blocks: dict, scheme: tuple[str, ...] = (), engine: str = "embree") -> Scene:
    table = table_from_records(list(blocks), prefix="t")
    mask = np.array([b["id"] in scheme for b in blocks], bool)
    return Scene.build(table, FRAME, scheme=mask, engine=engine)  # type: ignore[arg-type]


def one_point(xyz: tuple[float, float, float], normal: tuple[float, float, float]) -> Points:
    return Points(
        np.array([xyz], float),
        np.array([normal], float),
        np.zeros(1, np.int64),
        np.zeros(1, np.int64),
    )
