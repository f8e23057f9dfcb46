"""Terrain from a DEM (any GDAL raster in any CRS): heights above the WGS 84 ellipsoid at lon/lat
(:mod:`tiles.terrain.dem`, orthometric heights converted with the EGM96 geoid of
:mod:`tiles.terrain.geoid`) and the ground height under building footprints
(:mod:`tiles.terrain.bases`). Not yet wired into ``tiles build`` (see tiles/README.md).
"""
