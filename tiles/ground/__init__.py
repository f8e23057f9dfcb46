"""The ground layer: streets, paths, squares, water, green and rail from the same inputs as the
buildings, as its own 3D Tiles 1.1 tileset (``<tileset>/ground/``) with street and place names
beside it (``labels.json``). See :func:`tiles.ground.build.build_ground`.
"""
