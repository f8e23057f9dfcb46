"""Heights stage: attributes to a top and a base height per building, with where each came from.

Order of preference (OSM Simple 3D Buildings conventions): an explicit ``height`` /
``min_height`` in metres, else ``building:levels`` / ``building:min_level`` times a storey height,
else a default by building type, else a global default. Values such as ``"12 m"``, ``"12,5"`` or
``"40 ft"`` are understood; absurd values are rejected with a reason rather than drawn.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray

from tiles.model import FeatureTable, HeightSource, Skip
from tiles.readers import SourceData

log = logging.getLogger(__name__)

MAX_HEIGHT_M = 1000.0
MAX_LEVELS = 300.0

# Storeys by OSM building type when nothing else is known; a storey is `storey_height_m`.
DEFAULT_TYPE_STOREYS: dict[str, float] = {
    "house": 2,
    "detached": 2,
    "semidetached_house": 2,
    "terrace": 2,
    "bungalow": 1,
    "residential": 3,
    "apartments": 4,
    "dormitory": 4,
    "hotel": 5,
    "commercial": 3,
    "retail": 2,
    "office": 4,
    "industrial": 3,
    "warehouse": 3,
    "church": 4,
    "cathedral": 8,
    "chapel": 2,
    "school": 2,
    "university": 4,
    "hospital": 5,
    "train_station": 3,
    "garage": 1,
    "garages": 1,
    "shed": 1,
    "hut": 1,
    "cabin": 1,
    "carport": 1,
    "kiosk": 1,
    "roof": 1,
    "greenhouse": 1,
    "stable": 1,
    "barn": 2,
    "farm_auxiliary": 2,
    "service": 1,
    "toilets": 1,
}

_NUMBER = r"^\s*([-+]?\d+(?:[.,]\d+)?)\s*(m|meters|metres|meter|metre|ft|feet|')?\s*$"


@dataclass
class HeightOptions:
    """How heights are chosen when a building does not state one."""

    storey_height_m: float = 3.0
    default_storeys: float = 3.0
    type_storeys: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_TYPE_STOREYS))


def parse_lengths(values: NDArray[np.object_]) -> NDArray[np.float64]:
    """Parse strings such as ``"12"``, ``"12 m"``, ``"12,5"``, ``"40 ft"`` to metres (NaN if not).

    Examples
    --------
    >>> parse_lengths(np.array(["12 m", "12,5", "", "tall", "10 ft"], dtype=object)).round(3)
    array([12.   , 12.5  ,    nan,    nan,  3.048])
    """
    out = np.full(values.shape[0], np.nan)
    present = np.flatnonzero(values != "")
    if present.size == 0:
        return out
    m = pd.Series(values[present], dtype=object).str.extract(_NUMBER)
    num = np.array(
        pd.to_numeric(m[0].str.replace(",", ".", regex=False), errors="coerce"),
        dtype=np.float64,
    )
    feet = m[1].isin(["ft", "feet", "'"]).to_numpy()
    num[feet] *= 0.3048
    out[present] = num
    return out


def _col(src: SourceData, name: str) -> NDArray[np.object_]:
    return src.columns.get(name, np.full(len(src), "", dtype=object))


def _address(src: SourceData) -> NDArray[np.object_]:
    num, street = _col(src, "addr:housenumber"), _col(src, "addr:street")
    post, city = _col(src, "addr:postcode"), _col(src, "addr:city")
    line1 = pd.Series(num + " " + street).str.strip()
    line2 = pd.Series(post + " " + city).str.strip()
    both = (line1 + ", " + line2).str.strip(", ")
    return both.to_numpy(dtype=object)


def resolve_heights(
    src: SourceData, options: HeightOptions, dataset_index: int
) -> tuple[FeatureTable, list[Skip]]:
    """Turn one source's attributes into a :class:`FeatureTable`; reject absurd heights."""
    table, skipped, is_part = heights_without_links(src, options, dataset_index)
    apply_links(table, link_parts(table.footprint, table.building_id, is_part))
    return table, skipped


def heights_without_links(
    src: SourceData, options: HeightOptions, dataset_index: int
) -> tuple[FeatureTable, list[Skip], NDArray[np.bool_]]:
    """Heights of every row on its own; also which kept rows are OSM ``building:part``s.

    Linking parts to outlines needs the whole source (:func:`link_parts`), so a source read in
    chunks resolves heights chunk by chunk and links afterwards."""
    if src.columns.get("_model_top") is not None:
        model, model_skipped = _model_heights(src, dataset_index)
        return model, model_skipped, np.zeros(len(model), dtype=bool)
    n = len(src)
    skipped: list[Skip] = []
    storey = options.storey_height_m
    top = parse_lengths(_col(src, "height"))
    base = parse_lengths(_col(src, "min_height"))
    levels = parse_lengths(_col(src, "building:levels"))
    min_level = parse_lengths(_col(src, "building:min_level"))
    btype = _col(src, "building").copy()
    part = _col(src, "building:part")
    no_type = btype == ""
    btype[no_type] = part[no_type]

    reasons = np.full(n, "", dtype=object)

    def reject(mask: NDArray[np.bool_], text: str) -> None:
        fresh = mask & (reasons == "")
        reasons[fresh] = text

    reject((top < 0) | (top > MAX_HEIGHT_M), f"height outside 0..{MAX_HEIGHT_M:g} m")
    reject((base < 0) | (base > MAX_HEIGHT_M), f"min_height outside 0..{MAX_HEIGHT_M:g} m")
    reject((levels < 0) | (levels > MAX_LEVELS), f"building:levels outside 0..{MAX_LEVELS:g}")
    reject((min_level < 0) | (min_level > MAX_LEVELS), "building:min_level out of range")

    source = np.full(n, HeightSource.DEFAULT, dtype=np.int8)
    type_storeys = pd.Series(btype).map(options.type_storeys).to_numpy(dtype=np.float64)
    by_type = ~np.isnan(type_storeys)
    height = np.full(n, options.default_storeys * storey)
    height[by_type] = type_storeys[by_type] * storey
    source[by_type] = HeightSource.TYPE_DEFAULT
    by_levels = ~np.isnan(levels) & (levels > 0)
    height[by_levels] = levels[by_levels] * storey
    source[by_levels] = HeightSource.LEVELS
    explicit = ~np.isnan(top)
    height[explicit] = top[explicit]
    source[explicit] = HeightSource.HEIGHT_TAG

    base_m = np.zeros(n)
    has_min_level = ~np.isnan(min_level)
    base_m[has_min_level] = min_level[has_min_level] * storey
    has_base = ~np.isnan(base)
    base_m[has_base] = base[has_base]
    # a part stating only its min level may sit above its default height: lift the top with it
    lifted = (base_m >= height) & ~explicit
    height[lifted] = base_m[lifted] + storey
    reject(height <= base_m, "height is not above min_height")

    for i in np.flatnonzero(reasons != ""):
        skipped.append(Skip(str(src.path), str(src.source_id[i]), str(reasons[i])))
    keep = reasons == ""

    table = FeatureTable(
        building_id=np.char.add(f"{src.dataset}:", src.source_id.astype(str)).astype(object),
        source_id=src.source_id,
        dataset=np.full(n, dataset_index, dtype=np.int32),
        footprint=src.geometry,
        height_m=height,
        base_height_m=base_m,
        levels=np.where(by_levels, levels, np.nan),
        height_source=source,
        building_type=btype,
        name=_col(src, "name"),
        address=_address(src),
        parent_id=np.full(n, "", dtype=object) if src.parent_id is None else src.parent_id,
        drawn=np.ones(n, dtype=bool),
        solid=src.solids,
    ).take(keep)
    return table, skipped, part[keep] != ""


def _model_heights(src: SourceData, dataset_index: int) -> tuple[FeatureTable, list[Skip]]:
    """Heights of 3D models come from their vertices (computed by the reader)."""
    n = len(src)
    top = src.columns["_model_top"].astype(np.float64)
    base = src.columns["_model_base"].astype(np.float64)
    levels = parse_lengths(_col(src, "building:levels"))
    table = FeatureTable(
        building_id=np.char.add(f"{src.dataset}:", src.source_id.astype(str)).astype(object),
        source_id=src.source_id,
        dataset=np.full(n, dataset_index, dtype=np.int32),
        footprint=src.geometry,
        height_m=top,
        base_height_m=base,
        levels=levels,
        height_source=np.full(n, HeightSource.MODEL, dtype=np.int8),
        building_type=_col(src, "building"),
        name=_col(src, "name"),
        address=_address(src),
        parent_id=src.parent_id if src.parent_id is not None else np.full(n, "", dtype=object),
        drawn=np.ones(n, dtype=bool),
        solid=src.solids,
    )
    return table, []


@dataclass
class Links:
    """What linking parts to outlines changes, per row (``None``: unchanged)."""

    parent_id: NDArray[np.object_]  # the outline's building id, for linked parts
    drawn: NDArray[np.bool_]  # False for outlines fully covered by their parts
    draw_footprint: NDArray[np.object_]  # the uncovered remainder of partly covered outlines

    @property
    def changed(self) -> bool:
        return bool(
            (self.parent_id != None).any()  # noqa: E711 (element-wise)
            or not self.drawn.all()
            or (self.draw_footprint != None).any()  # noqa: E711
        )


def link_parts(
    footprint: NDArray[np.object_], building_id: NDArray[np.object_], is_part: NDArray[np.bool_]
) -> Links | None:
    """OSM Simple 3D Buildings: an outline with ``building:part``s inside is drawn only where no
    part covers it, so it is never drawn twice over its parts. Parts record their outline.

    Rows are one source's kept rows, or any subset of them holding every part and every outline
    whose bounding box contains a part's ``point_on_surface`` (the result is the same: other
    outlines cannot contain a part), in the source's order. ``None`` when nothing links.
    """
    if not is_part.any() or is_part.all():
        return None
    parts_idx = np.flatnonzero(is_part)
    outline_idx = np.flatnonzero(~is_part)
    outlines = footprint[outline_idx]
    tree = shapely.STRtree(outlines)
    probe = shapely.point_on_surface(footprint[parts_idx])
    part_pos, outline_pos = tree.query(probe, predicate="within")
    if part_pos.size == 0:
        return None
    # a canonical pair order, independent of how the tree was built (so of which other
    # outlines it holds): equal-area outlines and the union below then do not depend on it
    canon = np.lexsort((outline_pos, part_pos))
    part_pos, outline_pos = part_pos[canon], outline_pos[canon]
    n = footprint.shape[0]
    links = Links(
        np.full(n, None, dtype=object), np.ones(n, dtype=bool), np.full(n, None, dtype=object)
    )
    # a part inside nested outlines belongs to the smallest one (assigned last)
    by_area = np.argsort(-shapely.area(outlines[outline_pos]), kind="stable")
    links.parent_id[parts_idx[part_pos[by_area]]] = building_id[outline_idx[outline_pos[by_area]]]
    order = np.argsort(outline_pos, kind="stable")
    part_pos, outline_pos = part_pos[order], outline_pos[order]
    starts = np.flatnonzero(np.r_[True, np.diff(outline_pos) != 0])
    for s, e in zip(starts, np.r_[starts[1:], outline_pos.size], strict=True):
        o = outline_idx[outline_pos[s]]
        covered = shapely.union_all(footprint[parts_idx[part_pos[s:e]]])
        rest = shapely.difference(footprint[o], covered)
        area = shapely.area(footprint[o])
        if shapely.is_empty(rest) or shapely.area(rest) < 0.02 * area:
            links.drawn[o] = False
        else:
            # keep only the polygonal remainder; slivers below 1% of the outline are dropped
            polys = [
                p
                for p in shapely.get_parts(rest)
                if shapely.get_type_id(p) == 3 and shapely.area(p) > 0.01 * area
            ]
            if polys:
                links.draw_footprint[o] = shapely.multipolygons(polys)
            else:
                links.drawn[o] = False
    return links


def apply_links(table: FeatureTable, links: Links | None) -> None:
    """Write :func:`link_parts`' result (for all of ``table``'s rows) into ``table``."""
    if links is None:
        return
    linked = links.parent_id != None  # noqa: E711 (element-wise)
    table.parent_id[linked] = links.parent_id[linked]
    table.drawn &= links.drawn
    redrawn = links.draw_footprint != None  # noqa: E711
    if table.draw_footprint is None:
        table.draw_footprint = table.footprint.copy()
    table.draw_footprint[redrawn] = links.draw_footprint[redrawn]
