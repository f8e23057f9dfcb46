"""Terrain from a DEM (any GDAL raster in any CRS): heights above the WGS 84 ellipsoid at lon/lat
(:mod:`tiles.terrain.dem`, orthometric heights converted with the EGM96 geoid of
:mod:`tiles.terrain.geoid`), the build's terrain grid (:mod:`tiles.terrain.grid`, what
buildings, the ground layer and massing stand on), the quantized-mesh terrain for the viewer
(:mod:`tiles.terrain.quantized_mesh`) and the ground under footprints
(:mod:`tiles.terrain.bases`). ``tiles build --dem FILE`` uses them (tiles/README.md, "Terrain").
"""
