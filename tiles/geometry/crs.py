"""Coordinate frames: source CRS to WGS 84, WGS 84 to ECEF, and the local east-north-up frame.

The tileset keeps one float64 transform from a local east-north-up (ENU) frame at its centre to
ECEF (3D Tiles 1.1, section "Coordinate Reference System"); every vertex is first placed exactly
in ECEF on the WGS 84 ellipsoid and then rotated into that frame, so buildings far from the centre
stay upright on the curved Earth.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pyproj
import shapely
from numpy.typing import NDArray

from tiles.errors import CRSError

WGS84_A = 6378137.0
WGS84_F = 1.0 / 298.257223563
WGS84_E2 = WGS84_F * (2.0 - WGS84_F)
WGS84 = "EPSG:4326"


def parse_crs(value: object, *, where: str) -> pyproj.CRS:
    """Return a pyproj CRS for ``value`` or raise :class:`CRSError` naming ``where``."""
    try:
        return pyproj.CRS.from_user_input(value)
    except pyproj.exceptions.CRSError as exc:
        raise CRSError(f"{where}: unknown CRS {value!r} ({exc})") from exc


@lru_cache(maxsize=32)
def _transformer(src: str, dst: str) -> pyproj.Transformer:
    return pyproj.Transformer.from_crs(src, dst, always_xy=True)


def to_wgs84(geoms: NDArray[np.object_], src_crs: pyproj.CRS) -> NDArray[np.object_]:
    """Reproject an array of shapely geometries to EPSG:4326 (x = lon, y = lat)."""
    if src_crs.equals(pyproj.CRS.from_epsg(4326), ignore_axis_order=True):
        return geoms
    src2d = src_crs.to_2d() if hasattr(src_crs, "to_2d") else src_crs
    tr = _transformer(src2d.to_wkt(), WGS84)

    def _apply(xy: NDArray[np.float64]) -> NDArray[np.float64]:
        x, y = tr.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geoms, _apply)


def geodetic_to_ecef(
    lon_deg: NDArray[np.float64], lat_deg: NDArray[np.float64], h_m: NDArray[np.float64] | float
) -> NDArray[np.float64]:
    """WGS 84 geodetic coordinates to ECEF metres, vectorised (closed form, exact)."""
    lon = np.radians(lon_deg)
    lat = np.radians(lat_deg)
    sin_lat = np.sin(lat)
    cos_lat = np.cos(lat)
    n = WGS84_A / np.sqrt(1.0 - WGS84_E2 * sin_lat * sin_lat)
    out = np.empty((lon.shape[0], 3))
    out[:, 0] = (n + h_m) * cos_lat * np.cos(lon)
    out[:, 1] = (n + h_m) * cos_lat * np.sin(lon)
    out[:, 2] = (n * (1.0 - WGS84_E2) + h_m) * sin_lat
    return out


def ellipsoid_up(lon_deg: NDArray[np.float64], lat_deg: NDArray[np.float64]) -> NDArray[np.float64]:
    """Unit ellipsoid normals (geodetic up) in ECEF."""
    lon = np.radians(lon_deg)
    lat = np.radians(lat_deg)
    return np.column_stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)])


def _rotate(vec: NDArray[np.float64], rotation: NDArray[np.float64]) -> NDArray[np.float64]:
    """``vec @ rotation.T`` for (N, 3) vectors, column by column: numpy's matmul with a (3, 3)
    right operand is about three times slower than three broadcast multiply-adds."""
    r = rotation.T
    return vec[:, 0:1] * r[0] + vec[:, 1:2] * r[1] + vec[:, 2:3] * r[2]


@dataclass(frozen=True)
class LocalFrame:
    """East-north-up frame at ``(lon0, lat0, h0)``; ``rotation`` maps ECEF offsets to ENU."""

    lon0: float
    lat0: float
    h0: float = 0.0

    @property
    def origin_ecef(self) -> NDArray[np.float64]:
        return geodetic_to_ecef(np.array([self.lon0]), np.array([self.lat0]), self.h0)[0]

    @property
    def rotation(self) -> NDArray[np.float64]:
        lon = np.radians(self.lon0)
        lat = np.radians(self.lat0)
        east = [-np.sin(lon), np.cos(lon), 0.0]
        north = [-np.sin(lat) * np.cos(lon), -np.sin(lat) * np.sin(lon), np.cos(lat)]
        up = [np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)]
        return np.array([east, north, up])

    def to_ecef_matrix(self) -> list[float]:
        """The 4x4 ENU-to-ECEF transform, column-major as tileset.json wants it."""
        m = np.eye(4)
        m[:3, :3] = self.rotation.T
        m[:3, 3] = self.origin_ecef
        return [float(v) for v in m.T.reshape(-1)]

    def ecef_to_local(self, ecef: NDArray[np.float64]) -> NDArray[np.float64]:
        return _rotate(ecef - self.origin_ecef, self.rotation)

    def vectors_to_local(self, vec: NDArray[np.float64]) -> NDArray[np.float64]:
        return _rotate(vec, self.rotation)

    def lonlat_to_local(
        self, lon: NDArray[np.float64], lat: NDArray[np.float64], h: NDArray[np.float64] | float
    ) -> NDArray[np.float64]:
        return self.ecef_to_local(geodetic_to_ecef(lon, lat, h))

    @classmethod
    def around(cls, bounds: tuple[float, float, float, float]) -> LocalFrame:
        """Frame at the centre of a lon/lat bounding box, on the ellipsoid."""
        minx, miny, maxx, maxy = bounds
        return cls(lon0=(minx + maxx) / 2.0, lat0=(miny + maxy) / 2.0, h0=0.0)


def metres_per_degree(
    lat_deg: NDArray[np.float64],
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Local scale (metres per degree of lon, of lat) on the ellipsoid at ``lat_deg``."""
    lat = np.radians(lat_deg)
    s2 = np.sin(lat) ** 2
    n = WGS84_A / np.sqrt(1.0 - WGS84_E2 * s2)
    m = WGS84_A * (1.0 - WGS84_E2) / (1.0 - WGS84_E2 * s2) ** 1.5
    return np.radians(1.0) * n * np.cos(lat), np.radians(1.0) * m
