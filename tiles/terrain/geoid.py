"""Orthometric (geoid) heights to heights above the WGS 84 ellipsoid, offline.

A DEM gives heights above mean sea level (a geoid: EGM2008 for Copernicus GLO-30, EGM96 for
SRTM, national geoids for city DTMs; in most places these agree with EGM96 within a metre or
two, which is what is applied); 3D Tiles and Cesium want ellipsoidal
heights: ``h = H + N`` with ``N`` the geoid undulation (about +47 m in Genoa and +46 m in London).
``N`` comes from the EGM96 15' grid (``egm96_15.gtx``) that Debian's ``proj-data`` installs
(scripts/bootstrap.sh); PROJ's network is never used.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import numpy as np
import pyproj
import pyproj.datadir
from numpy.typing import NDArray

from tiles.errors import TilingError

GEOID_GRID = "egm96_15.gtx"
SYSTEM_PROJ_DIRS = ("/usr/share/proj", "/usr/local/share/proj")


class GeoidError(TilingError):
    """The geoid grid is not installed."""


def geoid_grid_path() -> Path:
    """Where the EGM96 grid is: PROJ_DATA/PROJ_LIB, pyproj's data folder, then the system's."""
    dirs = [os.environ.get("PROJ_DATA"), os.environ.get("PROJ_LIB"), pyproj.datadir.get_data_dir()]
    for d in [*dirs, *SYSTEM_PROJ_DIRS]:
        for part in (d or "").split(os.pathsep):
            if part and (Path(part) / GEOID_GRID).is_file():
                return Path(part) / GEOID_GRID
    raise GeoidError(
        f"the geoid grid {GEOID_GRID} is not installed (Debian: apt-get install proj-data, "
        "which scripts/bootstrap.sh does); it converts the DEM's heights to ellipsoidal ones"
    )


@lru_cache(maxsize=1)
def _transformer() -> pyproj.Transformer:
    grid = geoid_grid_path()
    # vgridshift adds the grid's undulation to z (geoid height -> ellipsoidal height)
    pipeline = (
        "+proj=pipeline +step +proj=unitconvert +xy_in=deg +xy_out=rad "
        f"+step +proj=vgridshift +grids={grid} +multiplier=1 "
        "+step +proj=unitconvert +xy_in=rad +xy_out=deg"
    )
    return pyproj.Transformer.from_pipeline(pipeline)


def orthometric_to_ellipsoidal(
    lon: NDArray[np.float64], lat: NDArray[np.float64], height_m: NDArray[np.float64]
) -> NDArray[np.float64]:
    """EGM96 heights at lon/lat (degrees) to heights above the WGS 84 ellipsoid."""
    _x, _y, h = _transformer().transform(
        np.asarray(lon, np.float64), np.asarray(lat, np.float64), np.asarray(height_m, np.float64)
    )
    out = np.asarray(h, dtype=np.float64)
    if np.isinf(out).any():
        raise GeoidError("the geoid grid does not cover some points (lon/lat out of range?)")
    return out
