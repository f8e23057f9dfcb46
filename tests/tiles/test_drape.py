"""The draped ground's cut cells: as coarse as the terrain allows, never coarser."""

from __future__ import annotations

import numpy as np
import shapely

from tiles.ground.drape import DRAPE_TOLERANCE_M, DrapeCells, cut_at_cells, cut_at_grid

BOX = (1000.0, -700.0, 1512.0, -188.0)  # a 512 m leaf, not on the plane's origin


def ripples(x, y):
    """The bench's London DEM: a 40 m rise over 3 km and 3 m ripples of 300 m."""
    return 5.0 + 40.0 * (y + 1500.0) / 3000.0 + 3.0 * np.sin(x / 300.0)


def rough(x, y):
    """A DTM with half a metre of relief from one 5 m cell to the next."""
    rng = np.random.default_rng(7)
    table = rng.normal(0.0, 0.5, 4096)
    return table[(np.floor(x / 5.0) * 31 + np.floor(y / 5.0) * 17).astype(np.int64) % 4096]


def corners_strays(height, cell_m, rng):
    """Largest gap between the terrain and a flat triangle on it, for triangles in cells."""
    worst = 0.0
    for _ in range(2000):
        i = rng.integers(np.floor(BOX[0] / cell_m), np.ceil(BOX[2] / cell_m))
        j = rng.integers(np.floor(BOX[1] / cell_m), np.ceil(BOX[3] / cell_m))
        xy = (np.array([i, j]) + rng.random((3, 2))) * cell_m  # a triangle inside the cell
        w = rng.dirichlet(np.ones(3), 20)  # points inside it
        h = height(xy[:, 0], xy[:, 1])
        p = w @ xy
        worst = max(worst, float(np.abs(w @ h - height(p[:, 0], p[:, 1])).max()))
    return worst


def test_smooth_terrain_is_cut_coarser_and_triangles_still_follow_it():
    cells = DrapeCells.measure(ripples, BOX, 5.0, 512.0)
    cell = cells.cell_for(BOX)
    assert cell >= 20.0  # 16x fewer cells than the terrain's own at least
    assert corners_strays(ripples, cell, np.random.default_rng(1)) <= DRAPE_TOLERANCE_M
    # one size coarser would not keep them within it
    assert corners_strays(ripples, 2 * cell, np.random.default_rng(1)) > DRAPE_TOLERANCE_M / 4


def test_a_plane_needs_no_cut_below_the_tile():
    cells = DrapeCells.measure(lambda x, y: 0.3 * x - 0.1 * y + 12.0, BOX, 5.0, 512.0)
    assert cells.cell_for(BOX) == 5.0 * 2**6  # the largest block in a 512 m leaf


def test_rough_terrain_keeps_the_terrains_own_cell():
    cells = DrapeCells.measure(rough, BOX, 5.0, 512.0)
    assert cells.cell_for(BOX) == 5.0


def test_a_box_beyond_the_measured_terrain_keeps_the_fine_cell():
    cells = DrapeCells.measure(lambda x, y: 0.0 * x, BOX, 5.0, 512.0)
    assert cells.cell_for((BOX[0] - 2000.0, BOX[1], BOX[2], BOX[3])) == 5.0


def test_pieces_cover_the_polygon_at_the_chosen_cell():
    cells = DrapeCells.measure(ripples, BOX, 5.0, 512.0)
    park = shapely.Polygon([(1010, -690), (1500, -650), (1400, -200), (1020, -300)])
    pieces, owner = cut_at_grid(np.array([park]), np.array([0]), cells.cell_for(BOX))
    assert abs(float(shapely.area(pieces).sum()) - park.area) < 1e-6 * park.area
    assert set(owner.tolist()) == {0}


def half_rough(x, y):
    """A plane in the west half of the leaf, rough relief in the east half."""
    return np.where(x < 1256.0, 0.2 * x + 3.0, rough(x, y))


def test_a_polygon_on_flat_ground_is_cut_coarser_than_one_on_the_slope_of_its_tile():
    cells = DrapeCells.measure(half_rough, BOX, 5.0, 512.0)
    flat_park = shapely.box(1010.0, -690.0, 1200.0, -500.0)
    rough_park = shapely.box(1300.0, -690.0, 1500.0, -500.0)
    assert cells.cell_for(BOX) == 5.0  # the whole tile: the finest cell
    got = cells.cells_for(shapely.bounds(np.array([flat_park, rough_park])))
    assert got[0] >= 80.0 and got[1] == 5.0
    pieces, owner = cut_at_cells(np.array([flat_park, rough_park]), np.array([3, 4]), got)
    assert np.bincount(owner, minlength=5)[3] < np.bincount(owner, minlength=5)[4] / 50
    for k, park in ((3, flat_park), (4, rough_park)):
        assert abs(float(shapely.area(pieces[owner == k]).sum()) - park.area) < 1e-6 * park.area


def test_cells_for_many_boxes_are_each_boxs_cell():
    cells = DrapeCells.measure(half_rough, BOX, 5.0, 512.0)
    rng = np.random.default_rng(3)
    lo = rng.uniform([BOX[0] - 100, BOX[1] - 100], [BOX[2], BOX[3]], (300, 2))
    boxes = np.column_stack([lo, lo + rng.uniform(0.0, 200.0, (300, 2))])
    expect = []
    for b in boxes:  # one box at a time, the blocks under it read directly
        cell = 5.0
        for k in range(len(cells.flat) - 1, 0, -1):
            size, f = 5.0 * 2**k, cells.flat[k]
            i0, j0 = (
                int(np.floor(b[0] / size)) - cells.i0 // 2**k,
                int(np.floor(b[1] / size)) - cells.j0 // 2**k,
            )
            i1, j1 = (
                int(np.ceil(b[2] / size)) - cells.i0 // 2**k,
                int(np.ceil(b[3] / size)) - cells.j0 // 2**k,
            )
            if min(i0, j0) >= 0 and i1 <= f.shape[1] and j1 <= f.shape[0] and f[j0:j1, i0:i1].all():
                cell = size
                break
        expect.append(cell)
    assert cells.cells_for(boxes).tolist() == expect
    assert len(set(expect)) >= 3
