"""The one example site the OpenAPI examples share: a small block in the City of London, as a
closed GeoJSON ring in lon/lat (WGS 84)."""

from __future__ import annotations

SITE_RING: list[list[float]] = [
    [-0.0905, 51.5150],
    [-0.0898, 51.5150],
    [-0.0898, 51.5154],
    [-0.0905, 51.5154],
    [-0.0905, 51.5150],
]
