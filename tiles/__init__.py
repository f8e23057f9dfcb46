"""CivicTwin city pipeline: building footprints and 3D city models to 3D Tiles 1.1.

Stages (``tiles.pipeline``): read -> heights -> partition -> mesh -> write. This package never
imports ``backend``; the backend calls :func:`tiles.pipeline.run` and
:func:`tiles.massing.build_massing_tileset`.
"""
