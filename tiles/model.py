"""Plain data passed between stages: column tables of numpy arrays, no domain objects."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from enum import IntEnum
from typing import Any

import numpy as np
import shapely
from numpy.typing import NDArray


class HeightSource(IntEnum):
    """Where a building's height came from (stored as an ENUM in the property tables)."""

    HEIGHT_TAG = 0  # an explicit height attribute (OSM `height`, a `height` column)
    LEVELS = 1  # building:levels x storey height
    TYPE_DEFAULT = 2  # the default for the building type
    DEFAULT = 3  # the global default
    MODEL = 4  # measured from a 3D model (CityJSON vertices)
    MASSING = 5  # given by a proposal's massing


class Surface(IntEnum):
    """Semantic class of a triangle; each class becomes a glTF primitive with its own material."""

    WALL = 0
    ROOF = 1
    GROUND = 2


@dataclass
class Skip:
    """A feature (or file) that was not built, with the reason."""

    file: str
    feature: str
    reason: str

    def as_dict(self) -> dict[str, str]:
        return {"file": self.file, "feature": self.feature, "reason": self.reason}


@dataclass
class FeatureTable:
    """One row per building or building part, all columns aligned numpy arrays.

    ``footprint`` holds shapely (Multi)Polygons in EPSG:4326. String columns are object arrays of
    ``str`` (empty string when absent). ``solid`` is set for 3D-model sources (CityJSON) and holds,
    per row, a :class:`tiles.readers.cityjson.Solid` or ``None``.
    """

    building_id: NDArray[np.object_]
    source_id: NDArray[np.object_]
    dataset: NDArray[np.int32]  # index into the build's dataset names
    footprint: NDArray[np.object_]
    height_m: NDArray[np.float64]  # top above ground
    base_height_m: NDArray[np.float64]  # bottom above ground (0 unless a part floats)
    levels: NDArray[np.float64]  # NaN when unknown
    height_source: NDArray[np.int8]
    building_type: NDArray[np.object_]
    name: NDArray[np.object_]
    address: NDArray[np.object_]
    parent_id: NDArray[np.object_]  # the outline a part belongs to, else ""
    drawn: NDArray[np.bool_]  # False for an outline whose parts are drawn instead
    draw_footprint: NDArray[np.object_] | None = None  # what is extruded, if not `footprint`
    solid: NDArray[np.object_] | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    compact: bool = False  # footprints held as WKB bytes (see ``compacted``)

    def compacted(self) -> FeatureTable:
        """The same rows with footprints as WKB bytes: a GEOS polygon costs about 4x its WKB
        (620 against 150 B for a typical 8-vertex footprint), and bytes are what forked workers
        inherit and Dask ships. ``expanded`` turns them back into geometries, exactly."""
        if self.compact:
            return self
        out = self.take(slice(None))
        out.footprint = shapely.to_wkb(self.footprint)
        if self.draw_footprint is not None:
            out.draw_footprint = shapely.to_wkb(self.draw_footprint)
        out.compact = True
        return out

    def expanded(self) -> FeatureTable:
        """Footprints as shapely geometries (a no-op unless ``compacted``)."""
        if not self.compact:
            return self
        out = self.take(slice(None))
        out.footprint = shapely.from_wkb(self.footprint)
        if self.draw_footprint is not None:
            out.draw_footprint = shapely.from_wkb(self.draw_footprint)
        out.compact = False
        return out

    def __len__(self) -> int:
        return int(self.building_id.shape[0])

    @property
    def geometry_to_draw(self) -> NDArray[np.object_]:
        return self.footprint if self.draw_footprint is None else self.draw_footprint

    def take(self, index: NDArray[np.integer[Any]] | slice) -> FeatureTable:
        """Rows at ``index`` (an integer array, boolean mask or slice), as a new table."""
        kwargs: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "extra":
                kwargs[f.name] = dict(value)
            elif f.name == "compact":
                kwargs[f.name] = value
            elif value is None:
                kwargs[f.name] = None
            else:
                kwargs[f.name] = value[index]
        return FeatureTable(**kwargs)

    @staticmethod
    def concat(tables: list[FeatureTable]) -> FeatureTable:
        kwargs: dict[str, Any] = {}
        for f in fields(FeatureTable):
            if f.name == "extra":
                kwargs[f.name] = {}
                continue
            if f.name == "compact":
                compact = {t.compact for t in tables}
                if len(compact) > 1:
                    raise ValueError("concat needs tables that are all compact or all expanded")
                kwargs[f.name] = compact.pop() if compact else False
                continue
            parts = [getattr(t, f.name) for t in tables]
            if all(p is None for p in parts):
                kwargs[f.name] = None
                continue
            if f.name == "draw_footprint":
                parts = [
                    p if p is not None else t.footprint for p, t in zip(parts, tables, strict=True)
                ]
            parts = [
                p if p is not None else np.full(len(t), None, dtype=object)
                for p, t in zip(parts, tables, strict=True)
            ]
            kwargs[f.name] = np.concatenate(parts)
        return FeatureTable(**kwargs)
